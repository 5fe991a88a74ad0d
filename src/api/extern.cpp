#include "api/memory_access.h"
#include "halter/halter.h"
#include "runtime/function.h"
#include "runtime/global.h"
#include "runtime/lifetime_group.h"
#include "runtime/memory.h"
#include "runtime/table.h"
#include "runtime/type_registry.h"

namespace halter {

namespace {
// Instances that import a table or mutable reference global may store their
// functions in it, so such objects live in a lifetime group that importers join.
std::shared_ptr<void> ownedByNewGroup(std::shared_ptr<void> object) {
  std::shared_ptr<rt::LifetimeGroup> group = rt::LifetimeGroup::create();
  group->addObject(std::move(object));
  return group;
}
} // namespace

Extern Extern::hostFunc(FuncType type, HostFunction fn, HostErrors errors, std::string module,
                        std::string name) {
  auto func = std::make_shared<rt::Function>();
  func->type = rt::internFuncType(type);
  func->host = std::move(fn);
  func->host_errors = errors;
  func->host_module = std::move(module);
  func->host_name = std::move(name);
  Extern e;
  e.kind_ = ExternKind::Func;
  e.object_ = func.get();
  e.owner_ = std::move(func);
  return e;
}

Result<Extern> Extern::hostMemory(MemoryType type) {
  if (type.limits.max && *type.limits.max < type.limits.min) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "memory maximum below its minimum");
  }
  HALTER_ASSIGN_OR_RETURN(std::shared_ptr<rt::Memory> mem, rt::Memory::create(type));
  Extern e;
  e.kind_ = ExternKind::Memory;
  e.object_ = mem.get();
  e.owner_ = std::move(mem);
  return e;
}

Result<Extern> Extern::hostTable(TableType type, Value init) {
  if (!isRefType(type.elem)) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "table element type must be a reference");
  }
  if (init.type() != type.elem) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     std::string("table initial value: expected ") + valTypeName(type.elem) +
                         ", got " + valTypeName(init.type()));
  }
  if (type.limits.max && *type.limits.max < type.limits.min) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "table maximum below its minimum");
  }
  HALTER_ASSIGN_OR_RETURN(std::shared_ptr<rt::Table> table, rt::Table::create(type, init.asRef()));
  Extern e;
  e.kind_ = ExternKind::Table;
  e.object_ = table.get();
  e.owner_ = ownedByNewGroup(std::move(table));
  return e;
}

Result<Extern> Extern::hostGlobal(GlobalType type, Value value) {
  if (value.type() != type.type) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     std::string("global value: expected ") + valTypeName(type.type) + ", got " +
                         valTypeName(value.type()));
  }
  auto global = std::make_shared<rt::Global>(type);
  global->set(value);
  Extern e;
  e.kind_ = ExternKind::Global;
  e.object_ = global.get();
  if (isRefType(type.type) && type.is_mutable) {
    e.owner_ = ownedByNewGroup(std::move(global));
  } else {
    e.owner_ = std::move(global);
  }
  return e;
}

Result<Value> Extern::globalValue() const {
  if (object_ == nullptr || kind_ != ExternKind::Global) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a global");
  }
  return static_cast<const rt::Global *>(object_)->get();
}

Result<void> Extern::setGlobalValue(Value v) const {
  if (object_ == nullptr || kind_ != ExternKind::Global) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a global");
  }
  auto *global = static_cast<rt::Global *>(object_);
  if (!global->type().is_mutable) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "global is immutable");
  }
  if (v.type() != global->type().type) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     std::string("global value: expected ") + valTypeName(global->type().type) +
                         ", got " + valTypeName(v.type()));
  }
  global->set(v);
  return okResult();
}

Result<void> Extern::read(uint64_t addr, std::span<uint8_t> out) const {
  if (object_ == nullptr || kind_ != ExternKind::Memory)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a memory");
  return api::readGuest(memoryBytes(), addr, out);
}

Result<void> Extern::write(uint64_t addr, std::span<const uint8_t> in) const {
  if (object_ == nullptr || kind_ != ExternKind::Memory)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a memory");
  return api::writeGuest(memoryBytes(), addr, in);
}

std::span<uint8_t> Extern::memoryBytes() const {
  if (object_ == nullptr || kind_ != ExternKind::Memory) return {};
  auto *mem = static_cast<rt::Memory *>(object_);
  return std::span<uint8_t>(mem->data(), mem->sizeBytes());
}

} // namespace halter
