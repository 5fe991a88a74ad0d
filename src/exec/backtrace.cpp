#include "compile/compiled_module.h"
#include "exec/frame.h"
#include "runtime/instance.h"

#include <algorithm>

namespace halter::exec {
namespace {

// Frames beyond this many are left out: a trap at depth 10^6 must not build
// a backtrace of a million strings.
constexpr size_t kMaxBacktraceFrames = 64;

BacktraceFrame describe(const rt::Function *fn, size_t code_index, bool metered) {
  BacktraceFrame f;
  f.func_index = fn->func_index;
  const auto &map = fn->code->lowered(compile::formFor(metered))->source_map;
  // The entry of the instruction at or before `code_index`.
  auto it = std::upper_bound(
      map.begin(), map.end(), code_index,
      [](size_t idx, const std::pair<uint32_t, uint32_t> &e) { return idx < e.first; });
  if (it != map.begin()) f.code_offset = std::prev(it)->second;
  const rt::Instance *inst = fn->instance;
  if (inst != nullptr && inst->module != nullptr) {
    const auto &names = inst->module->ir.names.functions;
    auto name = names.find(fn->func_index);
    if (name != names.end()) f.func_name = name->second;
    // The body starts after its size field (a LEB128 of at most 5 bytes).
    const ir::Module &m = inst->module->ir;
    uint32_t defined = fn->func_index - m.numImportedFuncs();
    if (fn->func_index >= m.numImportedFuncs() && defined < m.codes.size()) {
      uint64_t start = m.codes[defined].offset;
      while (start < m.bytes.size() && (m.bytes[start] & 0x80) != 0) ++start;
      ++start;
      if (f.code_offset >= start) f.func_offset = f.code_offset - start;
    }
  }
  return f;
}

} // namespace

std::vector<BacktraceFrame> buildBacktrace(const rt::Function *fn, const uint64_t *pc,
                                           const Frame *frames, size_t count, bool metered) {
  std::vector<BacktraceFrame> out;
  // Every function with a frame here has run, so its code of this form is
  // lowered.
  auto code_of = [metered](const rt::Function *f) {
    return f->code->lowered(compile::formFor(metered))->code.data();
  };
  if (fn == nullptr || fn->code == nullptr) return out;
  out.push_back(describe(fn, static_cast<size_t>(pc - code_of(fn)), metered));
  for (size_t i = count; i-- > 0 && out.size() < kMaxBacktraceFrames;) {
    const Frame &f = frames[i];
    if (f.fn == nullptr || f.fn->code == nullptr) break;
    // ret_pc is just past the call: look up the call itself.
    size_t idx = static_cast<size_t>(f.ret_pc - code_of(f.fn));
    out.push_back(describe(f.fn, idx - 1, metered));
  }
  return out;
}

} // namespace halter::exec
