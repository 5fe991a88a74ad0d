// Binding the ABI functions to a Linker as wasi_snapshot_preview1 imports.
#include "halter/halter.h"
#include "halter/wasi.h"
#include "wasi/abi.h"

namespace halter {
namespace {

constexpr const char *kModule = "wasi_snapshot_preview1";

FuncType typeFrom(std::string_view sig, bool errno_result) {
  FuncType t;
  for (char ch : sig) t.params.push_back(ch == 'I' ? ValType::I64 : ValType::I32);
  if (errno_result) t.results.push_back(ValType::I32);
  return t;
}

} // namespace

void addWasiToLinker(Linker &linker, std::shared_ptr<WasiContext> context) {
  using AbiFn = wasi::Errno (*)(wasi::AbiCall &);
  auto define = [&](const char *name, std::string_view sig, AbiFn fn) {
    linker.defineFunc(
        kModule, name, typeFrom(sig, true),
        [context, fn](CallContext &ctx, std::span<const Value> args, std::span<Value> results) {
          // Memory is looked up per call: it may have grown since the last.
          wasi::AbiCall call{detail::WasiAccess::state(*context), ctx,
                             wasi::GuestMemory(ctx.memory()), args};
          results[0] = Value::i32(static_cast<uint32_t>(fn(call)));
          return HostResult::ok();
        });
  };
#define HALTER_WASI_DEFINE(import_name, fn, sig) define(#import_name, sig, &wasi::abi::fn);
  HALTER_WASI_FUNCTIONS(HALTER_WASI_DEFINE)
#undef HALTER_WASI_DEFINE

  linker.defineFunc(kModule, "proc_exit", typeFrom("i", false),
                    [context](CallContext &, std::span<const Value> args, std::span<Value>) {
                      const int code = static_cast<int>(args[0].asI32());
                      detail::WasiAccess::state(*context).exit_code = code;
                      return HostResult::exit(code);
                    });
}

} // namespace halter
