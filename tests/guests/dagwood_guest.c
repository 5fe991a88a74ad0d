// Processors with DAGwood's C-style ABI (allocate, deallocate, process;
// ../shared/dagwood-compat.md §4.2) for the pipeline tests, one module per
// behaviour, chosen at build time (tests/guests/CMakeLists.txt):
//   DAGWOOD_APPEND  input + "::WASM" (empty input: allocate(0) answers 0,
//                   the error DAGwood's own appender gives)
//   DAGWOOD_RLE     run-length encoding, "<count><byte>" per run
//   DAGWOOD_LOOP    never returns (for deadlines and fuel)
//   DAGWOOD_TRAP    traps in process()
//   DAGWOOD_WASI    writes a line with WASI's fd_write, then input + "::WASI"
// Freestanding: no libc. The heap is a bump allocator; pooled instances are
// reset after every call, so nothing needs freeing.
#include <stddef.h>
#include <stdint.h>

extern unsigned char __heap_base;
static uintptr_t heap_top;

__attribute__((export_name("allocate"))) void *allocate(int32_t size) {
  if (size <= 0) return 0;
  if (heap_top == 0) heap_top = ((uintptr_t)&__heap_base + 15u) & ~(uintptr_t)15u;
  uintptr_t block = heap_top;
  uintptr_t end = block + (((uint32_t)size + 15u) & ~15u);
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535u) / 65536u) == (size_t)-1)
    return 0;
  heap_top = end;
  return (void *)block;
}

__attribute__((export_name("deallocate"))) void deallocate(void *ptr, int32_t size) {
  (void)ptr;
  (void)size;
}

static unsigned char *withSuffix(const unsigned char *in, int32_t len, const char *suffix,
                                 int32_t *out_len) {
  int32_t n = 0;
  while (suffix[n]) ++n;
  unsigned char *out = allocate(len + n);
  if (!out) return 0;
  for (int32_t i = 0; i < len; ++i) out[i] = in[i];
  for (int32_t i = 0; i < n; ++i) out[len + i] = (unsigned char)suffix[i];
  *out_len = len + n;
  return out;
}

#ifdef DAGWOOD_WASI
struct Iovec {
  const void *base;
  uint32_t len;
};
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write"))) int32_t
fdWrite(int32_t fd, const struct Iovec *iovs, int32_t count, uint32_t *written);
#endif

__attribute__((export_name("process"))) unsigned char *process(const unsigned char *in, int32_t len,
                                                               int32_t *out_len) {
#if defined(DAGWOOD_APPEND)
  return withSuffix(in, len, "::WASM", out_len);
#elif defined(DAGWOOD_RLE)
  unsigned char *out = allocate(len * 11 + 1);
  if (!out) return 0;
  int32_t o = 0;
  for (int32_t i = 0; i < len;) {
    int32_t j = i;
    while (j < len && in[j] == in[i]) ++j;
    char digits[12];
    int32_t d = 0;
    for (int32_t run = j - i; run > 0; run /= 10) digits[d++] = (char)('0' + run % 10);
    while (d > 0) out[o++] = (unsigned char)digits[--d];
    out[o++] = in[i];
    i = j;
  }
  *out_len = o;
  return o ? out : allocate(1); // an empty result still needs a pointer
#elif defined(DAGWOOD_LOOP)
  (void)in;
  (void)len;
  (void)out_len;
  for (;;) {
  }
#elif defined(DAGWOOD_TRAP)
  (void)in;
  (void)len;
  (void)out_len;
  __builtin_trap();
#elif defined(DAGWOOD_WASI)
  static const char kLine[] = "hello from a capability-less WASI\n";
  struct Iovec iov = {kLine, sizeof kLine - 1};
  uint32_t written;
  fdWrite(1, &iov, 1, &written);
  return withSuffix(in, len, "::WASI", out_len);
#else
#error "define one DAGWOOD_* behaviour"
#endif
}
