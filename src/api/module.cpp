#include "api/compiled_module.h"
#include "binary/decoder.h"
#include "compile/disassemble.h"
#include "compile/lower.h"
#include "exec/interpreter.h"
#include "valid/validator.h"

namespace halter {

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

} // namespace

Result<std::shared_ptr<const Module>> Module::compile(std::span<const uint8_t> bytes) {
  auto cm = std::make_shared<CompiledModule>();
  HALTER_ASSIGN_OR_RETURN(cm->ir, binary::decodeModule(bytes));
  HALTER_TRY(valid::validateModule(cm->ir));
  HALTER_ASSIGN_OR_RETURN(cm->code, compile::lowerModule(cm->ir));
  for (compile::CompiledFunction &fn : cm->code) exec::threadCode(fn);
  describeModule(*cm);
  return std::shared_ptr<const Module>(std::make_shared<Module>(std::move(cm)));
}

Result<void> Module::validate(std::span<const uint8_t> bytes) {
  HALTER_ASSIGN_OR_RETURN(ir::Module m, binary::decodeModule(bytes));
  return valid::validateModule(m);
}

Module::Module(std::shared_ptr<const CompiledModule> compiled) : compiled_(std::move(compiled)) {}

const std::vector<ImportInfo> &Module::imports() const {
  return compiled_->imports;
}
const std::vector<ExportInfo> &Module::exports() const {
  return compiled_->exports;
}
const std::vector<SectionInfo> &Module::sections() const {
  return compiled_->sections;
}

namespace {

// `func N "name"...:` for the disassembly of function N.
std::string funcHeader(const CompiledModule &cm, uint32_t index, bool metered) {
  std::string out = "func " + std::to_string(index);
  for (const ExportInfo &e : cm.exports) {
    if (e.kind == ExternKind::Func && e.index == index) out += " \"" + e.name + "\"";
  }
  return out + (metered ? " (metered):\n" : ":\n");
}

} // namespace

Result<std::string> Module::disassembleAll(bool metered) const {
  const ir::Module &m = compiled_->ir;
  HALTER_ASSIGN_OR_RETURN(std::vector<compile::CompiledFunction> code, compile::lowerModule(m));
  std::string out;
  for (size_t k = 0; k < code.size(); ++k) {
    uint32_t index = m.numImportedFuncs() + uint32_t(k);
    out += funcHeader(*compiled_, index, metered) + compile::disassemble(code[k].codeFor(metered));
  }
  return out;
}

Result<std::string> Module::disassemble(uint32_t func_index, bool metered) const {
  const ir::Module &m = compiled_->ir;
  if (func_index >= m.numFuncs())
    return makeError(ErrorCode::NotFound, kNoOffset,
                     "no function " + std::to_string(func_index) + " (the module has " +
                         std::to_string(m.numFuncs()) + ")");
  if (func_index < m.numImportedFuncs())
    return makeError(ErrorCode::NotFound, kNoOffset,
                     "function " + std::to_string(func_index) + " is imported: it has no code");
  // The kept code is threaded (handler addresses, not instruction numbers):
  // lower again for the instruction numbers.
  HALTER_ASSIGN_OR_RETURN(std::vector<compile::CompiledFunction> code, compile::lowerModule(m));
  const compile::CompiledFunction &fn = code[func_index - m.numImportedFuncs()];
  return funcHeader(*compiled_, func_index, metered) + compile::disassemble(fn.codeFor(metered));
}

const FuncType *Module::exportedFuncType(std::string_view name) const {
  const ir::Module &m = compiled_->ir;
  for (const ir::Export &exp : m.exports) {
    if (exp.name == name && exp.kind == ExternKind::Func) return &m.funcType(exp.index);
  }
  return nullptr;
}

} // namespace halter
