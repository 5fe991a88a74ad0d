#include "api/builtin_imports.h"

#include "runtime/api_access.h"
#include "runtime/instance.h"

#include <algorithm>
#include <cstring>

namespace halter {

bool isBuiltinImport(std::string_view module, std::string_view name) {
  return module == "halter" && name == "last_error";
}

Extern builtinImport(std::string_view name) {
  (void)name; // the only one so far: last_error
  FuncType type{{ValType::I32, ValType::I32}, {ValType::I32}};
  return Extern::hostFunc(
      type,
      [](CallContext &ctx, std::span<const Value> args, std::span<Value> results) {
        rt::Instance *caller = detail::ApiAccess::callerInstance(ctx);
        const std::string empty;
        const std::string &message = caller != nullptr ? caller->last_host_error : empty;
        uint64_t buf = args[0].asI32(), cap = args[1].asI32();
        uint64_t n = std::min<uint64_t>(cap, message.size());
        std::span<uint8_t> memory = ctx.memory();
        if (n > 0) {
          if (buf > memory.size() || n > memory.size() - buf)
            return HostResult::trap("halter.last_error: buffer out of bounds");
          std::memcpy(memory.data() + buf, message.data(), n);
        }
        results[0] = Value::i32(static_cast<uint32_t>(message.size()));
        return HostResult::ok();
      },
      HostErrors::Trap, "halter", "last_error");
}

} // namespace halter
