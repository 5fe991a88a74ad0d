// A DAGwood-style processor (C-style ABI: allocate, deallocate, process;
// ../shared/dagwood-compat.md §4.2) that leaks: every process() call
// allocates a 4 KiB scratch buffer and never frees it, the bug a pool's
// reset or recycling must contain (tests/unit/pool/leaky_processor_test.cpp).
// Its output is the input in upper case. Freestanding: no libc.
#include <stddef.h>
#include <stdint.h>

extern unsigned char __heap_base;

// A first-fit free list over a bump heap: deallocate really frees, so only
// the scratch buffers leak.
struct Block {
  uint32_t size;
  struct Block *next;
};
static struct Block *free_list;
static uintptr_t heap_top;

static uint32_t roundUp(uint32_t n) {
  return (n + 15u) & ~15u;
}

__attribute__((export_name("allocate"))) void *allocate(int32_t size) {
  if (size <= 0) return 0;
  uint32_t want = roundUp((uint32_t)size);
  for (struct Block **p = &free_list; *p != 0; p = &(*p)->next) {
    if ((*p)->size >= want) {
      struct Block *b = *p;
      *p = b->next;
      return (unsigned char *)b + 16;
    }
  }
  if (heap_top == 0) heap_top = ((uintptr_t)&__heap_base + 15u) & ~(uintptr_t)15u;
  uintptr_t block = heap_top;
  uintptr_t end = block + 16 + want;
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have) {
    uintptr_t pages = (end - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
  }
  heap_top = end;
  ((struct Block *)block)->size = want;
  return (unsigned char *)block + 16;
}

__attribute__((export_name("deallocate"))) void deallocate(void *ptr, int32_t size) {
  (void)size;
  if (ptr == 0) return;
  struct Block *b = (struct Block *)((unsigned char *)ptr - 16);
  b->next = free_list;
  free_list = b;
}

__attribute__((export_name("process"))) unsigned char *process(const unsigned char *in, int32_t len,
                                                               int32_t *out_len) {
  unsigned char *scratch = allocate(4096); // the leak
  if (scratch == 0) return 0;
  scratch[0] = 1;
  unsigned char *out = allocate(len > 0 ? len : 1);
  if (out == 0) return 0;
  for (int32_t i = 0; i < len; ++i) {
    unsigned char c = in[i];
    out[i] = (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
  }
  *out_len = len;
  return out;
}
