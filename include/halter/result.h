// Errors are values: every fallible call in halter returns Result<T>.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace halter {

// The one table of error codes: X(Name, Phase, "description"). The phase
// says where in a module's life the error arises (ErrorPhase below).
// Decode errors mean the bytes are not a well-formed module (the spec's
// "malformed"); validation errors mean a well-formed module breaks a typing
// rule ("invalid"); link errors mean imports do not match ("unlinkable").
// DeadlineExceeded, Cancelled, Trapped, OutOfFuel and Exited are how calls
// that return a Result<T> rather than an Outcome (the start function in
// Linker::instantiate, typed calls) say the guest did not return.
#define HALTER_ERROR_CODES(X)                                                                      \
  X(UnexpectedEnd, Decode, "unexpected end of input")                                              \
  X(BadMagic, Decode, "bad magic number")                                                          \
  X(BadVersion, Decode, "unknown binary version")                                                  \
  X(MalformedLeb, Decode, "malformed LEB128 integer")                                              \
  X(MalformedSection, Decode, "malformed section")                                                 \
  X(MalformedUtf8, Decode, "malformed UTF-8 encoding")                                             \
  X(MalformedOpcode, Decode, "illegal opcode")                                                     \
  X(Malformed, Decode, "malformed module")                                                         \
  X(ImplementationLimit, Decode, "implementation limit exceeded")                                  \
  X(TypeMismatch, Validate, "type mismatch")                                                       \
  X(UnknownIndex, Validate, "unknown index")                                                       \
  X(InvalidConstExpr, Validate, "invalid constant expression")                                     \
  X(DuplicateExport, Validate, "duplicate export name")                                            \
  X(Invalid, Validate, "invalid module")                                                           \
  X(UnknownImport, Link, "unknown import")                                                         \
  X(IncompatibleImport, Link, "incompatible import type")                                          \
  X(ResourceLimit, Instantiate, "resource limit exceeded")                                         \
  X(InstantiationTrap, Instantiate, "trap during instantiation")                                   \
  X(NotFound, Usage, "not found")                                                                  \
  X(InvalidArgument, Usage, "invalid argument")                                                    \
  X(Io, Usage, "input/output error")                                                               \
  X(PoolClosed, Usage, "instance pool destroyed")                                                  \
  X(InvalidManifest, Usage, "invalid pipeline manifest")                                           \
  X(InvalidSnapshot, Usage, "invalid snapshot")                                                    \
  X(ReentrantCall, Run, "instance has a paused execution")                                         \
  X(DeadlineExceeded, Run, "deadline exceeded")                                                    \
  X(Cancelled, Run, "cancelled")                                                                   \
  X(InstanceBusy, Run, "instance is running a call on another thread")                             \
  X(ExecutionFinished, Run, "execution has finished")                                              \
  X(Trapped, Run, "trap")                                                                          \
  X(OutOfFuel, Run, "out of fuel")                                                                 \
  X(Exited, Run, "the guest exited")                                                               \
  X(Internal, Internal, "internal error")

enum class ErrorCode : uint16_t {
#define HALTER_ERROR_ENUM(name, phase, text) name,
  HALTER_ERROR_CODES(HALTER_ERROR_ENUM)
#undef HALTER_ERROR_ENUM
};

// Where an error arises: decoding the bytes, validating the module, linking
// its imports, instantiating it (the start function included), running a
// call (misuse of a call or an execution), the embedder's arguments, or a
// bug in halter.
enum class ErrorPhase : uint8_t { Decode, Validate, Link, Instantiate, Run, Usage, Internal };
ErrorPhase errorPhase(ErrorCode code);
const char *errorPhaseName(ErrorPhase phase); // "decode", "validate", ...

// Short stable name of a code, e.g. "TypeMismatch".
const char *errorCodeName(ErrorCode code);
// Human description of a code, e.g. "type mismatch".
const char *errorCodeText(ErrorCode code);

inline constexpr uint64_t kNoOffset = ~uint64_t{0};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  // Byte offset in the module binary where the problem was found, or kNoOffset.
  uint64_t offset = kNoOffset;
  std::string message;

  // "TypeMismatch at byte 0x1f: expected i32, got f64"
  std::string describe() const;
};

inline Error makeError(ErrorCode code, uint64_t offset, std::string message) {
  return Error{code, offset, std::move(message)};
}

template <class T> class [[nodiscard]] Result {
public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T &value() & { return std::get<0>(state_); }
  const T &value() const & { return std::get<0>(state_); }
  T &&value() && { return std::get<0>(std::move(state_)); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  const Error &error() const & { return std::get<1>(state_); }
  Error &&error() && { return std::get<1>(std::move(state_)); }

private:
  std::variant<T, Error> state_;
};

template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error &error() const & { return error_; }
  Error &&error() && { return std::move(error_); }

private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> okResult() {
  return Result<void>();
}

} // namespace halter

// Propagates the error of a Result-returning expression.
#define HALTER_TRY(expr)                                                                           \
  do {                                                                                             \
    auto halter_try_result_ = (expr);                                                              \
    if (!halter_try_result_.ok()) return std::move(halter_try_result_).error();                    \
  } while (0)

// Binds the value of a Result-returning expression to `decl`, or propagates its error.
#define HALTER_CONCAT_INNER_(a, b) a##b
#define HALTER_CONCAT_(a, b) HALTER_CONCAT_INNER_(a, b)
#define HALTER_ASSIGN_OR_RETURN(decl, expr)                                                        \
  HALTER_ASSIGN_OR_RETURN_IMPL_(HALTER_CONCAT_(halter_result_, __LINE__), decl, expr)
#define HALTER_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr)                                             \
  auto tmp = (expr);                                                                               \
  if (!tmp.ok()) return std::move(tmp).error();                                                    \
  decl = std::move(tmp).value()
