// Names and descriptions of the public enums and values.
#include "halter/outcome.h"
#include "halter/result.h"
#include "halter/types.h"

#include <cinttypes>
#include <cstdio>

namespace halter {

const char *errorCodeName(ErrorCode code) {
  switch (code) {
#define HALTER_ERROR_NAME(name, phase, text)                                                       \
  case ErrorCode::name:                                                                            \
    return #name;
    HALTER_ERROR_CODES(HALTER_ERROR_NAME)
#undef HALTER_ERROR_NAME
  }
  return "Unknown";
}

const char *errorCodeText(ErrorCode code) {
  switch (code) {
#define HALTER_ERROR_TEXT(name, phase, text)                                                       \
  case ErrorCode::name:                                                                            \
    return text;
    HALTER_ERROR_CODES(HALTER_ERROR_TEXT)
#undef HALTER_ERROR_TEXT
  }
  return "unknown error";
}

ErrorPhase errorPhase(ErrorCode code) {
  switch (code) {
#define HALTER_ERROR_PHASE(name, phase, text)                                                      \
  case ErrorCode::name:                                                                            \
    return ErrorPhase::phase;
    HALTER_ERROR_CODES(HALTER_ERROR_PHASE)
#undef HALTER_ERROR_PHASE
  }
  return ErrorPhase::Internal;
}

const char *errorPhaseName(ErrorPhase phase) {
  switch (phase) {
  case ErrorPhase::Decode:
    return "decode";
  case ErrorPhase::Validate:
    return "validate";
  case ErrorPhase::Link:
    return "link";
  case ErrorPhase::Instantiate:
    return "instantiate";
  case ErrorPhase::Run:
    return "run";
  case ErrorPhase::Usage:
    return "usage";
  case ErrorPhase::Internal:
    return "internal";
  }
  return "internal";
}

std::string Error::describe() const {
  std::string out = errorCodeName(code);
  if (offset != kNoOffset) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " at byte 0x%" PRIx64, offset);
    out += buf;
  }
  out += ": ";
  out += message.empty() ? errorCodeText(code) : message;
  return out;
}

const char *trapKindName(TrapKind kind) {
  switch (kind) {
#define HALTER_TRAP_NAME(name, text)                                                               \
  case TrapKind::name:                                                                             \
    return #name;
    HALTER_TRAP_KINDS(HALTER_TRAP_NAME)
#undef HALTER_TRAP_NAME
  }
  return "Unknown";
}

const char *trapKindText(TrapKind kind) {
  switch (kind) {
#define HALTER_TRAP_TEXT(name, text)                                                               \
  case TrapKind::name:                                                                             \
    return text;
    HALTER_TRAP_KINDS(HALTER_TRAP_TEXT)
#undef HALTER_TRAP_TEXT
  }
  return "unknown trap";
}

std::string Trap::describe() const {
  std::string out = std::string(trapKindName(kind)) + ": " + trapKindText(kind);
  if (!message.empty()) out += ": " + message;
  for (const BacktraceFrame &f : backtrace) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "\n  at func %u", f.func_index);
    out += buf;
    if (!f.func_name.empty()) out += " (" + f.func_name + ")";
    std::snprintf(buf, sizeof buf, " @ 0x%" PRIx64, f.code_offset);
    out += buf;
  }
  return out;
}

const char *outcomeKindName(OutcomeKind kind) {
  switch (kind) {
  case OutcomeKind::Returned:
    return "Returned";
  case OutcomeKind::Trapped:
    return "Trapped";
  case OutcomeKind::OutOfFuel:
    return "OutOfFuel";
  case OutcomeKind::DeadlineExceeded:
    return "DeadlineExceeded";
  case OutcomeKind::Cancelled:
    return "Cancelled";
  case OutcomeKind::Suspended:
    return "Suspended";
  case OutcomeKind::Exited:
    return "Exited";
  }
  return "Unknown";
}

const char *valTypeName(ValType type) {
  switch (type) {
  case ValType::I32:
    return "i32";
  case ValType::I64:
    return "i64";
  case ValType::F32:
    return "f32";
  case ValType::F64:
    return "f64";
  case ValType::V128:
    return "v128";
  case ValType::FuncRef:
    return "funcref";
  case ValType::ExternRef:
    return "externref";
  }
  return "?";
}

const char *externKindName(ExternKind kind) {
  switch (kind) {
  case ExternKind::Func:
    return "func";
  case ExternKind::Table:
    return "table";
  case ExternKind::Memory:
    return "memory";
  case ExternKind::Global:
    return "global";
  }
  return "?";
}

std::string FuncType::describe() const {
  auto list = [](const std::vector<ValType> &ts) {
    std::string s = "(";
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + std::string(valTypeName(ts[i]));
    return s + ")";
  };
  return list(params) + " -> " + list(results);
}

std::string Value::describe() const {
  char buf[64];
  switch (type_) {
  case ValType::I32:
    std::snprintf(buf, sizeof buf, "%d", int32_t(asI32()));
    break;
  case ValType::I64:
    std::snprintf(buf, sizeof buf, "%" PRId64, int64_t(asI64()));
    break;
  case ValType::F32:
    std::snprintf(buf, sizeof buf, "%.9g", double(asF32()));
    break;
  case ValType::F64:
    std::snprintf(buf, sizeof buf, "%.17g", asF64());
    break;
  case ValType::V128:
    std::snprintf(buf, sizeof buf, "0x%016" PRIx64 "%016" PRIx64, hi_, lo_);
    break;
  case ValType::FuncRef:
  case ValType::ExternRef:
    if (isNullRef())
      std::snprintf(buf, sizeof buf, "null");
    else
      std::snprintf(buf, sizeof buf, "ref:0x%" PRIx64, lo_);
    break;
  }
  return std::string(valTypeName(type_)) + ":" + buf;
}

} // namespace halter
