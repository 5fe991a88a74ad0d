#include "compile/compiled_module.h"

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

void describeModule(CompiledModule &cm) {
  const ir::Module &m = cm.ir;
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
  for (const ir::Export &exp : m.exports) cm.exports.push_back({exp.name, exp.kind, exp.index});
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
