// Pre-initialisation: an instance after its init function, written back as
// a module (include/halter/preinit.h). Sections the state does not touch
// are copied byte for byte; the others are rewritten so that every index
// the code uses (functions, globals, tables, element and data segments)
// keeps its meaning.
#include "halter/preinit.h"

#include "binary/section_id.h"
#include "binary/wasm_writer.h"
#include "compile/compiled_module.h"
#include "runtime/api_access.h"
#include "runtime/instance.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

namespace halter {

namespace {

using binary::WasmWriter;

Error refuse(std::string what) {
  return makeError(ErrorCode::InvalidArgument, kNoOffset, "cannot preinitialize: " + what);
}

// Data segments rebuilt from memory merge non-zero runs separated by fewer
// zero bytes than this (a segment costs about as much as its header), and
// by more when that would leave too many segments for engines (V8 takes at
// most 100,000).
constexpr uint64_t kMergeGap = 32;
constexpr size_t kMaxContentSegments = 10000;

// What can be preinitialised, before anything runs.
Result<const ir::Export *> checkModule(const ir::Module &m, const std::string &init_func) {
  for (const ir::Import &imp : m.imports) {
    const std::string what = "it imports " + imp.module + "." + imp.name;
    if (imp.kind == ExternKind::Memory)
      return refuse(what + ", a memory: its contents live outside the module");
    if (imp.kind == ExternKind::Table)
      return refuse(what + ", a table: its contents live outside the module");
    if (imp.kind == ExternKind::Global && imp.global.is_mutable)
      return refuse(what + ", a mutable global: its value lives outside the module");
  }
  for (size_t i = 0; i < m.globals.size(); ++i) {
    if (m.globals[i].type.type == ValType::V128)
      return refuse("global " + std::to_string(m.imported_globals.size() + i) +
                    " is a v128, which halter cannot write as a constant (no SIMD)");
  }
  const ir::Export *init = nullptr;
  for (const ir::Export &e : m.exports)
    if (e.name == init_func && e.kind == ExternKind::Func) init = &e;
  if (init == nullptr)
    return makeError(ErrorCode::NotFound, kNoOffset,
                     "no function export named \"" + init_func + "\" (the init function)");
  const FuncType &type = m.funcType(init->index);
  if (!type.params.empty() || !type.results.empty())
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "the init function \"" + init_func + "\" has type " + type.describe() +
                         "; it must be () -> ()");
  return init;
}

// The init function's outcome as an error, when it did not return.
Result<void> checkInitOutcome(const Outcome &out, const std::string &name) {
  const std::string who = "the init function \"" + name + "\"";
  switch (out.kind) {
  case OutcomeKind::Returned:
    return okResult();
  case OutcomeKind::Trapped:
    return makeError(ErrorCode::Trapped, kNoOffset, who + " trapped: " + out.trap.describe());
  case OutcomeKind::OutOfFuel:
    return makeError(ErrorCode::OutOfFuel, kNoOffset,
                     who + " ran out of fuel after " + std::to_string(out.stats.fuel_used) +
                         " units");
  case OutcomeKind::DeadlineExceeded:
    return makeError(ErrorCode::DeadlineExceeded, kNoOffset, who + " passed its deadline");
  case OutcomeKind::Cancelled:
    return makeError(ErrorCode::Cancelled, kNoOffset, who + " was cancelled");
  case OutcomeKind::Exited:
    return makeError(ErrorCode::Exited, kNoOffset,
                     who + " exited with code " + std::to_string(out.exit_code) +
                         "; the state after an exit is not a state to start from");
  case OutcomeKind::Suspended:
    return refuse(who + " suspended in the host call " + out.pending.module + "." +
                  out.pending.name + ", which nothing here can answer");
  }
  return makeError(ErrorCode::Internal, kNoOffset, who + ": unknown outcome");
}

// Runs of non-zero bytes of a memory, merged across small zero gaps.
struct Run {
  uint64_t begin = 0, end = 0;
};

void mergeRuns(std::vector<Run> &runs, uint64_t gap) {
  size_t kept = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (kept > 0 && runs[i].begin - runs[kept - 1].end <= gap)
      runs[kept - 1].end = runs[i].end;
    else
      runs[kept++] = runs[i];
  }
  runs.resize(kept);
}

std::vector<Run> contentRuns(const uint8_t *base, uint64_t size) {
  std::vector<Run> runs;
  uint64_t gap = kMergeGap;
  uint64_t at = 0;
  while (at < size) {
    // Zeros a word at a time where aligned: most of a memory is zero.
    while (at < size && base[at] == 0 && (at % 8) != 0) ++at;
    while (at + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, base + at, 8);
      if (word != 0) break;
      at += 8;
    }
    while (at < size && base[at] == 0) ++at;
    if (at == size) break;
    const uint64_t begin = at;
    while (at < size && base[at] != 0) ++at;
    if (!runs.empty() && begin - runs.back().end <= gap) {
      runs.back().end = at;
    } else {
      runs.push_back({begin, at});
      if (runs.size() > kMaxContentSegments) {
        gap *= 4;
        mergeRuns(runs, gap);
      }
    }
  }
  return runs;
}

// Function references by their index in the instance's function index
// space, the only name a module has for them.
class FunctionNames {
public:
  explicit FunctionNames(const rt::Instance &inst) {
    for (size_t i = inst.funcs.size(); i-- > 0;) index_[inst.funcs[i]] = uint32_t(i);
  }
  // ref.func or ref.null for the reference `p` of type `type` found at
  // `where` (a function to make the text, called only for an error).
  template <class Where>
  Result<ir::ConstExpr> constant(ValType type, RefPtr p, const Where &where) const {
    if (p == nullptr) return binary::refNull(type);
    if (type == ValType::ExternRef)
      return refuse(where() + " holds a non-null externref, a host value no module can name");
    auto it = index_.find(static_cast<const rt::Function *>(p));
    if (it == index_.end())
      return refuse(where() + " holds a function this module neither defines nor imports "
                              "(of another instance or of the host), which it cannot name");
    return binary::refFunc(it->second);
  }

private:
  std::unordered_map<const rt::Function *, uint32_t> index_;
};

void addRefFuncs(const ir::ConstExpr &e, std::set<uint32_t> &out) {
  for (const ir::ConstInstr &in : e.instrs)
    if (in.op == Op::RefFunc) out.insert(uint32_t(in.value));
}

// The new module, section by section.
class ModuleRewriter {
public:
  ModuleRewriter(const rt::Instance &inst, const ir::Export &init)
      : inst_(inst), m_(inst.module->ir), init_(init), names_(inst) {}

  Result<std::vector<uint8_t>> write() {
    HALTER_TRY(buildGlobals());
    HALTER_TRY(buildElements());
    buildData();
    WasmWriter out;
    out.bytes(std::span<const uint8_t>(m_.bytes).first(8)); // magic and version
    // Sections the module lacks but the state needs go where the section
    // order puts them: before the first section that only sections which
    // must come after them follow (custom ones stay where they were).
    const std::vector<ir::SectionRange> &sections = m_.sections;
    std::vector<int> min_rank_from(sections.size() + 1, 1000);
    for (size_t i = sections.size(); i-- > 0;) {
      const int rank = binary::sectionRank(sections[i].id);
      min_rank_from[i] = rank == 0 ? min_rank_from[i + 1] : std::min(rank, min_rank_from[i + 1]);
    }
    bool have_elements = false, have_data = false;
    for (const ir::SectionRange &s : sections) {
      have_elements |= s.id == binary::kElement;
      have_data |= s.id == binary::kData;
    }
    const bool add_elements = !have_elements && elem_count_ > 0;
    const bool add_data = !have_data && data_count_ > m_.datas.size();
    bool added_elements = false, added_data = false;
    auto addMissing = [&](size_t i) {
      if (add_elements && !added_elements &&
          min_rank_from[i] > binary::sectionRank(binary::kElement)) {
        out.section(binary::kElement, elem_payload_);
        added_elements = true;
      }
      if (add_data && !added_data && min_rank_from[i] > binary::sectionRank(binary::kData)) {
        out.section(binary::kData, data_payload_);
        added_data = true;
      }
    };
    uint64_t section_start = 8;
    for (size_t i = 0; i < sections.size(); ++i) {
      const ir::SectionRange &s = sections[i];
      addMissing(i);
      switch (s.id) {
      case binary::kTable:
        out.section(s.id, tableSection());
        break;
      case binary::kMemory:
        out.section(s.id, memorySection());
        break;
      case binary::kGlobal:
        out.section(s.id, global_payload_);
        break;
      case binary::kExport:
        out.section(s.id, exportSection());
        break;
      case binary::kStart:
        break; // its effects are in the state
      case binary::kElement:
        out.section(s.id, elem_payload_);
        break;
      case binary::kDataCount: {
        WasmWriter w;
        w.uleb(data_count_);
        out.section(s.id, w.out());
        break;
      }
      case binary::kData:
        out.section(s.id, data_payload_);
        break;
      default: // the header and payload as they were
        out.bytes(std::span<const uint8_t>(m_.bytes).subspan(section_start, s.end - section_start));
        break;
      }
      section_start = s.end;
    }
    addMissing(sections.size());
    return out.take();
  }

private:
  // Table and memory minimums are their current sizes: the state fits, and
  // a module that grew them keeps its growing room up to the same maximum.
  std::vector<uint8_t> tableSection() const {
    WasmWriter w;
    w.uleb(m_.tables.size());
    for (size_t i = 0; i < m_.tables.size(); ++i) {
      const rt::Table &t = *inst_.tables[m_.imported_tables.size() + i];
      w.byte(uint8_t(m_.tables[i].elem));
      w.limits({t.size(), m_.tables[i].limits.max});
    }
    return w.take();
  }

  std::vector<uint8_t> memorySection() const {
    WasmWriter w;
    w.uleb(m_.memories.size());
    for (size_t i = 0; i < m_.memories.size(); ++i) {
      const rt::Memory &mem = *inst_.memories[m_.imported_memories.size() + i];
      w.limits({mem.pages(), m_.memories[i].limits.max});
    }
    return w.take();
  }

  std::vector<uint8_t> exportSection() const {
    WasmWriter w;
    w.uleb(m_.exports.size() - 1);
    for (const ir::Export &e : m_.exports) {
      if (&e == &init_) continue;
      w.name(e.name);
      w.byte(uint8_t(e.kind));
      w.uleb(e.index);
    }
    return w.take();
  }

  Result<void> buildGlobals() {
    WasmWriter w;
    w.uleb(m_.globals.size());
    const size_t first = m_.imported_globals.size();
    for (size_t i = 0; i < m_.globals.size(); ++i) {
      const GlobalType &type = m_.globals[i].type;
      const rt::Global &g = *inst_.globals[first + i];
      ir::ConstExpr init;
      switch (type.type) {
      case ValType::I32:
        init = binary::i32Const(uint32_t(g.lo_));
        break;
      case ValType::I64:
        init = binary::i64Const(g.lo_);
        break;
      case ValType::F32:
        init = binary::f32Const(uint32_t(g.lo_));
        break;
      case ValType::F64:
        init = binary::f64Const(g.lo_);
        break;
      case ValType::FuncRef:
      case ValType::ExternRef: {
        HALTER_ASSIGN_OR_RETURN(init, names_.constant(type.type, g.get().asRef(), [&] {
          return "global " + std::to_string(first + i);
        }));
        break;
      }
      case ValType::V128: // refused by checkModule
        return refuse("global " + std::to_string(first + i) + " is a v128");
      }
      addRefFuncs(init, declared_);
      w.byte(uint8_t(type.type));
      w.byte(type.is_mutable ? 1 : 0);
      w.constExpr(init);
    }
    global_payload_ = w.take();
    return okResult();
  }

  // Element segments keep their indices: one dropped (every active and
  // declarative one, and passive ones dropped during init) becomes a
  // declarative segment with the same items, so the functions it declared
  // for ref.func stay declared; then active segments rebuild the tables.
  Result<void> buildElements() {
    WasmWriter segs;
    elem_count_ = 0;
    for (size_t i = 0; i < m_.elems.size(); ++i) {
      const ir::ElemSegment &seg = m_.elems[i];
      const bool dropped = seg.mode != ir::SegmentMode::Passive || inst_.elem_segments[i].empty();
      for (const ir::ConstExpr &item : seg.items) addRefFuncs(item, declared_);
      if (dropped && seg.elem_type == ValType::FuncRef) {
        segs.byte(0x07); // declarative, element type, expressions
      } else {
        segs.byte(0x05); // passive, element type, expressions
      }
      segs.byte(uint8_t(seg.elem_type));
      // A dropped segment of externrefs declares nothing: empty and passive
      // reads the same as dropped.
      const bool keep_items = !dropped || seg.elem_type == ValType::FuncRef;
      segs.uleb(keep_items ? seg.items.size() : 0);
      if (keep_items)
        for (const ir::ConstExpr &item : seg.items) segs.constExpr(item);
      ++elem_count_;
    }
    const size_t first_table = m_.imported_tables.size();
    for (size_t i = 0; i < m_.tables.size(); ++i) {
      const uint32_t index = uint32_t(first_table + i);
      const rt::Table &t = *inst_.tables[index];
      const ValType type = m_.tables[i].elem;
      for (uint32_t e = 0; e < t.size();) {
        if (t.elems_[e] == nullptr) {
          ++e;
          continue;
        }
        uint32_t end = e;
        while (end < t.size() && t.elems_[end] != nullptr) ++end;
        segs.byte(0x06); // active, table index, offset, element type, expressions
        segs.uleb(index);
        segs.constExpr(binary::i32Const(e));
        segs.byte(uint8_t(type));
        segs.uleb(end - e);
        for (uint32_t k = e; k < end; ++k) {
          HALTER_ASSIGN_OR_RETURN(ir::ConstExpr item, names_.constant(type, t.elems_[k], [&] {
            return "table " + std::to_string(index) + " element " + std::to_string(k);
          }));
          addRefFuncs(item, declared_);
          segs.constExpr(item);
        }
        ++elem_count_;
        e = end;
      }
    }
    // Functions the old module declared for ref.func only in what changed
    // (a global's initialiser, the init export) are declared here.
    std::set<uint32_t> was_declared;
    for (const ir::Global &g : m_.globals) addRefFuncs(g.init, was_declared);
    for (const ir::Export &e : m_.exports) {
      if (e.kind != ExternKind::Func) continue;
      if (&e == &init_)
        was_declared.insert(e.index);
      else
        declared_.insert(e.index);
    }
    std::vector<uint32_t> missing;
    std::set_difference(was_declared.begin(), was_declared.end(), declared_.begin(),
                        declared_.end(), std::back_inserter(missing));
    if (!missing.empty()) {
      segs.byte(0x07);
      segs.byte(uint8_t(ValType::FuncRef));
      segs.uleb(missing.size());
      for (uint32_t f : missing) segs.constExpr(binary::refFunc(f));
      ++elem_count_;
    }
    WasmWriter w;
    w.uleb(elem_count_);
    w.bytes(segs.out());
    elem_payload_ = w.take();
    return okResult();
  }

  // Data segments keep their indices: dropped ones (every active one, and
  // passive ones dropped during init) become empty passive segments; then
  // active segments hold the memories' non-zero bytes.
  void buildData() {
    WasmWriter segs;
    data_count_ = 0;
    for (size_t i = 0; i < m_.datas.size(); ++i) {
      const ir::DataSegment &seg = m_.datas[i];
      segs.byte(0x01); // passive
      if (inst_.data_dropped[i]) {
        segs.uleb(0);
      } else {
        segs.uleb(seg.data_size);
        segs.bytes(std::span<const uint8_t>(m_.bytes).subspan(seg.data_begin, seg.data_size));
      }
      ++data_count_;
    }
    const size_t first_memory = m_.imported_memories.size();
    for (size_t i = 0; i < m_.memories.size(); ++i) {
      const uint32_t index = uint32_t(first_memory + i);
      const rt::Memory &mem = *inst_.memories[index];
      for (const Run &run : contentRuns(mem.data(), mem.sizeBytes())) {
        if (index == 0) {
          segs.byte(0x00); // active in memory 0
        } else {
          segs.byte(0x02);
          segs.uleb(index);
        }
        segs.constExpr(binary::i32Const(uint32_t(run.begin)));
        segs.uleb(run.end - run.begin);
        segs.bytes(std::span<const uint8_t>(mem.data() + run.begin, run.end - run.begin));
        ++data_count_;
      }
    }
    WasmWriter w;
    w.uleb(data_count_);
    w.bytes(segs.out());
    data_payload_ = w.take();
  }

  const rt::Instance &inst_;
  const ir::Module &m_;
  const ir::Export &init_;
  FunctionNames names_;
  std::set<uint32_t> declared_; // functions the new module declares for ref.func
  std::vector<uint8_t> global_payload_, elem_payload_, data_payload_;
  uint64_t elem_count_ = 0, data_count_ = 0;
};

} // namespace

Result<std::vector<uint8_t>> preinitialize(const Linker &linker,
                                           std::shared_ptr<const Module> module,
                                           const PreinitOptions &options) {
  if (module == nullptr) return makeError(ErrorCode::InvalidArgument, kNoOffset, "no module");
  const ir::Module &m = detail::ApiAccess::compiled(*module).ir;
  HALTER_ASSIGN_OR_RETURN(const ir::Export *init, checkModule(m, options.init_func));

  // One deadline over the start function and the init function.
  Limits limits = options.limits;
  if (limits.timeout) {
    const Clock::time_point now = Clock::now();
    const Clock::time_point end = *limits.timeout < Clock::time_point::max() - now
                                      ? now + *limits.timeout
                                      : Clock::time_point::max();
    limits.deadline = limits.deadline ? std::min(*limits.deadline, end) : end;
    limits.timeout.reset();
  }
  HALTER_ASSIGN_OR_RETURN(std::shared_ptr<Instance> instance,
                          linker.instantiate(module, limits, options.cancel));
  {
    // start(), not call(): a suspension is reported as one, not as a trap.
    CallOptions call;
    call.limits = limits;
    call.cancel = options.cancel;
    HALTER_ASSIGN_OR_RETURN(Execution run, instance->start(options.init_func, {}, call));
    HALTER_ASSIGN_OR_RETURN(Outcome out, run.run());
    HALTER_TRY(checkInitOutcome(out, options.init_func));
  }
  const rt::Instance *inst = detail::ApiAccess::impl(*instance);
  HALTER_ASSIGN_OR_RETURN(std::vector<uint8_t> out, ModuleRewriter(*inst, *init).write());
  // A module that does not validate is halter's bug, never the guest's.
  if (Result<void> valid = Module::validate(out); !valid)
    return makeError(ErrorCode::Internal, kNoOffset,
                     "preinitialize wrote a module that does not validate: " +
                         valid.error().describe());
  return out;
}

} // namespace halter
