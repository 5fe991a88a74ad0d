#include "compile/compiled_module.h"

#include "compile/lower.h"

namespace halter::compile {
namespace {

const char *sectionName(uint8_t id) {
  switch (id) {
  case 1:
    return "type";
  case 2:
    return "import";
  case 3:
    return "function";
  case 4:
    return "table";
  case 5:
    return "memory";
  case 6:
    return "global";
  case 7:
    return "export";
  case 8:
    return "start";
  case 9:
    return "element";
  case 10:
    return "code";
  case 11:
    return "data";
  case 12:
    return "datacount";
  default:
    return "unknown";
  }
}

} // namespace

const std::shared_ptr<const MemoryImage> &CompiledModule::memoryImage() const {
  std::call_once(memory_image_once_, [this] {
    if (use_memory_image) memory_image_ = MemoryImage::layOut(ir);
  });
  return memory_image_;
}

void CompiledFunction::publish(Form form, std::unique_ptr<const LoweredCode> code) const {
  Published &p = published_[size_t(form)];
  p.frame_slots = code->frame_slots;
  p.entry_fuel = code->entry_fuel;
  const uint64_t *entry = code->code.data() + code->entry_offset;
  p.lowered = std::move(code);
  p.entry.store(entry, std::memory_order_release);
  if (module == nullptr) return; // hand-made code (tests)
  module->lowered_count[size_t(form)].fetch_add(1, std::memory_order_relaxed);
  module->lowered_words.fetch_add(p.lowered->code.size(), std::memory_order_relaxed);
}

void describeModule(CompiledModule &cm) {
  const ir::Module &m = cm.ir;
  cm.code = std::vector<CompiledFunction>(m.functions.size());
  for (uint32_t i = 0; i < m.functions.size(); ++i) {
    CompiledFunction &fn = cm.code[i];
    fn.module = &cm;
    fn.defined_index = i;
    fn.type_index = m.functions[i];
    if (i < m.codes.size()) describeFrame(m, i, fn);
  }
  cm.imports.reserve(m.imports.size());
  for (const ir::Import &imp : m.imports) {
    ImportInfo info;
    info.module = imp.module;
    info.name = imp.name;
    info.kind = imp.kind;
    if (imp.kind == ExternKind::Func && imp.func_type < m.types.size()) {
      info.func = m.types[imp.func_type];
    }
    info.table = imp.table;
    info.memory = imp.memory;
    info.global = imp.global;
    cm.imports.push_back(std::move(info));
  }
  cm.exports.reserve(m.exports.size());
  for (const ir::Export &exp : m.exports) {
    ExportInfo info{exp.name, exp.kind, exp.index, {}, {}, {}, {}};
    uint32_t i = exp.index;
    switch (exp.kind) {
    case ExternKind::Func:
      if (i < m.numFuncs()) {
        uint32_t type =
            i < m.numImportedFuncs() ? m.imported_funcs[i] : m.functions[i - m.numImportedFuncs()];
        if (type < m.types.size()) info.func = m.types[type];
      }
      break;
    case ExternKind::Table:
      if (i < m.numTables()) {
        info.table = i < m.imported_tables.size() ? m.imported_tables[i]
                                                  : m.tables[i - m.imported_tables.size()];
      }
      break;
    case ExternKind::Memory:
      if (i < m.numMemories()) {
        info.memory = i < m.imported_memories.size() ? m.imported_memories[i]
                                                     : m.memories[i - m.imported_memories.size()];
      }
      break;
    case ExternKind::Global:
      if (i < m.numGlobals()) {
        info.global = i < m.imported_globals.size() ? m.imported_globals[i]
                                                    : m.globals[i - m.imported_globals.size()].type;
      }
      break;
    }
    cm.exports.push_back(std::move(info));
  }
  cm.sections.reserve(m.sections.size());
  for (const ir::SectionRange &range : m.sections) {
    SectionInfo info;
    info.id = range.id;
    info.offset = range.begin;
    info.size = range.end - range.begin;
    if (range.id == 0) {
      for (const ir::CustomSection &custom : m.customs) {
        if (custom.begin >= range.begin && custom.end <= range.end) {
          info.name = custom.name;
          break;
        }
      }
    } else {
      info.name = sectionName(range.id);
    }
    cm.sections.push_back(std::move(info));
  }
}

} // namespace halter::compile
