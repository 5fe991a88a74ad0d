#include "binary/decoder.h"
#include "common/hash64.h"
#include "compile/compiled_module.h"
#include "compile/disassemble.h"
#include "compile/lower.h"
#include "exec/lazy_lowering.h"
#include "runtime/api_access.h"
#include "valid/validator.h"

#include <chrono>

namespace halter {

namespace {

Result<void> lowerEagerly(const compile::CompiledModule &cm, Lowering lowering) {
  using compile::Form;
  switch (lowering) {
  case Lowering::Lazy:
    return okResult();
  case Lowering::Eager:
    return exec::lowerAll(cm, {Form::Plain});
  case Lowering::EagerMetered:
    return exec::lowerAll(cm, {Form::Metered});
  case Lowering::EagerBoth:
    return exec::lowerAll(cm, {Form::Plain, Form::Metered});
  }
  return makeError(ErrorCode::InvalidArgument, kNoOffset, "unknown Lowering value");
}

} // namespace

Result<std::shared_ptr<const Module>> Module::compile(std::span<const uint8_t> bytes,
                                                      const CompileOptions &options) {
  auto started = std::chrono::steady_clock::now();
  auto cm = std::make_shared<compile::CompiledModule>();
  HALTER_ASSIGN_OR_RETURN(cm->ir, binary::decodeModule(bytes, options.compile_threads));
  HALTER_TRY(valid::validateModule(cm->ir, options.compile_threads));
  cm->use_memory_image = options.memory_images;
  cm->content_hash = hash64(bytes);
  compile::describeModule(*cm);
  HALTER_TRY(lowerEagerly(*cm, options.lowering));
  cm->compile_time = std::chrono::steady_clock::now() - started;
  return detail::ApiAccess::makeModule(std::move(cm));
}

ModuleStats Module::stats() const {
  const compile::CompiledModule &cm = detail::ApiAccess::compiled(*this);
  ModuleStats out;
  out.compile_time = cm.compile_time;
  out.functions = uint32_t(cm.code.size());
  out.lowered = cm.lowered_count[size_t(compile::Form::Plain)].load(std::memory_order_relaxed);
  out.lowered_metered =
      cm.lowered_count[size_t(compile::Form::Metered)].load(std::memory_order_relaxed);
  out.code_bytes = cm.lowered_words.load(std::memory_order_relaxed) * sizeof(uint64_t);
  return out;
}

Result<void> Module::validate(std::span<const uint8_t> bytes) {
  HALTER_ASSIGN_OR_RETURN(ir::Module m, binary::decodeModule(bytes));
  return valid::validateModule(m);
}

Module::Module(std::shared_ptr<const void> compiled) : compiled_(std::move(compiled)) {}

const std::vector<ImportInfo> &Module::imports() const {
  return detail::ApiAccess::compiled(*this).imports;
}
const std::vector<ExportInfo> &Module::exports() const {
  return detail::ApiAccess::compiled(*this).exports;
}
const std::vector<SectionInfo> &Module::sections() const {
  return detail::ApiAccess::compiled(*this).sections;
}
std::span<const uint8_t> Module::bytes() const {
  return detail::ApiAccess::compiled(*this).ir.bytes;
}

namespace {

// `func N "name"...:` for the disassembly of function N.
std::string funcHeader(const compile::CompiledModule &cm, uint32_t index, bool metered) {
  std::string out = "func " + std::to_string(index);
  for (const ExportInfo &e : cm.exports) {
    if (e.kind == ExternKind::Func && e.index == index) out += " \"" + e.name + "\"";
  }
  return out + (metered ? " (metered):\n" : ":\n");
}

} // namespace

Result<std::string> Module::disassembleAll(bool metered) const {
  const ir::Module &m = detail::ApiAccess::compiled(*this).ir;
  HALTER_ASSIGN_OR_RETURN(std::vector<compile::LoweredCode> code,
                          compile::lowerModule(m, compile::formFor(metered)));
  std::string out;
  for (size_t k = 0; k < code.size(); ++k) {
    uint32_t index = m.numImportedFuncs() + uint32_t(k);
    out += funcHeader(detail::ApiAccess::compiled(*this), index, metered) +
           compile::disassemble(code[k].code);
  }
  return out;
}

Result<std::string> Module::disassemble(uint32_t func_index, bool metered) const {
  const ir::Module &m = detail::ApiAccess::compiled(*this).ir;
  if (func_index >= m.numFuncs())
    return makeError(ErrorCode::NotFound, kNoOffset,
                     "no function " + std::to_string(func_index) + " (the module has " +
                         std::to_string(m.numFuncs()) + ")");
  if (func_index < m.numImportedFuncs())
    return makeError(ErrorCode::NotFound, kNoOffset,
                     "function " + std::to_string(func_index) + " is imported: it has no code");
  // The kept code is threaded (handler addresses, not instruction numbers):
  // lower again for the instruction numbers.
  HALTER_ASSIGN_OR_RETURN(
      compile::LoweredCode code,
      compile::lowerFunction(m, func_index - m.numImportedFuncs(), compile::formFor(metered)));
  return funcHeader(detail::ApiAccess::compiled(*this), func_index, metered) +
         compile::disassemble(code.code);
}

const FuncType *Module::exportedFuncType(std::string_view name) const {
  const ir::Module &m = detail::ApiAccess::compiled(*this).ir;
  for (const ir::Export &exp : m.exports) {
    if (exp.name == name && exp.kind == ExternKind::Func) return &m.funcType(exp.index);
  }
  return nullptr;
}

} // namespace halter
