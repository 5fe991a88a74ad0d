#include "api/memory_access.h"
#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/function.h"
#include "runtime/global.h"
#include "runtime/lifetime_group.h"
#include "runtime/memory.h"
#include "runtime/table.h"
#include "runtime/type_registry.h"

namespace halter {

namespace {
Error notA(const char *what) {
  return makeError(ErrorCode::InvalidArgument, kNoOffset, std::string("not a ") + what);
}

// Makes `holder` (the lifetime group of a table or mutable global) keep
// the function `func` alive as long as it may hold it: a guest function's
// instance group merges with it, a host function joins it.
void keepFuncAlive(const std::shared_ptr<void> &holder, const Extern &func) {
  auto group = std::static_pointer_cast<rt::LifetimeGroup>(holder);
  const auto *fn = static_cast<const rt::Function *>(detail::ApiAccess::object(func));
  if (fn->instance != nullptr) {
    rt::LifetimeGroup::merge(group, rt::groupOf(*fn->instance));
  } else {
    group->root()->addObject(detail::ApiAccess::owner(func));
  }
}

Result<void> checkRefFor(ValType elem, const Value &ref, const char *what) {
  if (ref.type() != elem) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     std::string(what) + ": expected " + valTypeName(elem) + ", got " +
                         valTypeName(ref.type()));
  }
  if (elem == ValType::FuncRef && !ref.isNullRef()) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     std::string(what) + ": a function goes in as its Extern, not as a Value");
  }
  return okResult();
}

Result<void> checkFuncFor(ValType elem, const Extern &func, const char *what) {
  if (!func.valid() || func.kind() != ExternKind::Func) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, std::string(what) + ": not a function");
  }
  if (elem != ValType::FuncRef) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     std::string(what) + ": expected " + valTypeName(elem) + ", got funcref");
  }
  return okResult();
}

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

uint64_t Extern::memoryPages() const {
  if (object_ == nullptr || kind_ != ExternKind::Memory) return 0;
  return static_cast<const rt::Memory *>(object_)->pages();
}

Result<uint64_t> Extern::memoryGrow(uint64_t delta) const {
  if (object_ == nullptr || kind_ != ExternKind::Memory) return notA("memory");
  int64_t old = static_cast<rt::Memory *>(object_)->grow(delta);
  if (old < 0) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset,
                     "memory.grow by " + std::to_string(delta) +
                         " pages refused by the maximum or the cap");
  }
  return uint64_t(old);
}

Result<FuncType> Extern::funcType() const {
  if (object_ == nullptr || kind_ != ExternKind::Func) return notA("function");
  return *static_cast<const rt::Function *>(object_)->type;
}

Result<GlobalType> Extern::globalType() const {
  if (object_ == nullptr || kind_ != ExternKind::Global) return notA("global");
  return static_cast<const rt::Global *>(object_)->type();
}

Result<TableType> Extern::tableType() const {
  if (object_ == nullptr || kind_ != ExternKind::Table) return notA("table");
  return static_cast<const rt::Table *>(object_)->type();
}

Result<MemoryType> Extern::memoryType() const {
  if (object_ == nullptr || kind_ != ExternKind::Memory) return notA("memory");
  return static_cast<const rt::Memory *>(object_)->type();
}

uint32_t Extern::tableSize() const {
  if (object_ == nullptr || kind_ != ExternKind::Table) return 0;
  return static_cast<const rt::Table *>(object_)->size();
}

namespace {
Result<rt::Table *> tableAt(void *object, ExternKind kind, uint32_t index) {
  if (object == nullptr || kind != ExternKind::Table) return notA("table");
  auto *table = static_cast<rt::Table *>(object);
  if (index >= table->size()) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "index " + std::to_string(index) + " past the table's size " +
                         std::to_string(table->size()));
  }
  return table;
}
} // namespace

Result<Value> Extern::tableGet(uint32_t index) const {
  HALTER_ASSIGN_OR_RETURN(rt::Table * table, tableAt(object_, kind_, index));
  return Value::ref(table->type().elem, table->elems_[index]);
}

Result<Extern> Extern::tableGetFunc(uint32_t index) const {
  HALTER_ASSIGN_OR_RETURN(rt::Table * table, tableAt(object_, kind_, index));
  if (table->type().elem != ValType::FuncRef) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a table of functions");
  }
  return fromFuncRef(Value::ref(ValType::FuncRef, table->elems_[index]));
}

Result<void> Extern::tableSet(uint32_t index, const Value &ref) const {
  HALTER_ASSIGN_OR_RETURN(rt::Table * table, tableAt(object_, kind_, index));
  HALTER_TRY(checkRefFor(table->type().elem, ref, "table element"));
  table->elems_[index] = ref.asRef();
  return okResult();
}

Result<void> Extern::tableSet(uint32_t index, const Extern &func) const {
  HALTER_ASSIGN_OR_RETURN(rt::Table * table, tableAt(object_, kind_, index));
  HALTER_TRY(checkFuncFor(table->type().elem, func, "table element"));
  keepFuncAlive(owner_, func);
  table->elems_[index] = func.object_;
  return okResult();
}

namespace {
Result<uint32_t> growTable(void *object, uint32_t delta, RefPtr init) {
  int64_t old = static_cast<rt::Table *>(object)->grow(delta, init);
  if (old < 0) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset,
                     "table.grow by " + std::to_string(delta) +
                         " elements refused by the maximum or the cap");
  }
  return uint32_t(old);
}
} // namespace

Result<uint32_t> Extern::tableGrow(uint32_t delta, const Value &init) const {
  if (object_ == nullptr || kind_ != ExternKind::Table) return notA("table");
  HALTER_TRY(checkRefFor(static_cast<rt::Table *>(object_)->type().elem, init, "table element"));
  return growTable(object_, delta, init.asRef());
}

Result<uint32_t> Extern::tableGrow(uint32_t delta, const Extern &init) const {
  if (object_ == nullptr || kind_ != ExternKind::Table) return notA("table");
  HALTER_TRY(checkFuncFor(static_cast<rt::Table *>(object_)->type().elem, init, "table element"));
  keepFuncAlive(owner_, init);
  return growTable(object_, delta, init.object_);
}

Result<Extern> Extern::globalFunc() const {
  if (object_ == nullptr || kind_ != ExternKind::Global) return notA("global");
  Value v = static_cast<const rt::Global *>(object_)->get();
  if (v.type() != ValType::FuncRef) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a global of type funcref");
  }
  return fromFuncRef(v);
}

Result<void> Extern::setGlobalValue(const Extern &func) const {
  if (object_ == nullptr || kind_ != ExternKind::Global) return notA("global");
  auto *global = static_cast<rt::Global *>(object_);
  if (!global->type().is_mutable) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "global is immutable");
  }
  HALTER_TRY(checkFuncFor(global->type().type, func, "global value"));
  keepFuncAlive(owner_, func); // a mutable reference global lives in a group
  global->set(func.funcRef());
  return okResult();
}

Value Extern::funcRef() const {
  if (object_ == nullptr || kind_ != ExternKind::Func) return Value::nullRef(ValType::FuncRef);
  return Value::ref(ValType::FuncRef, object_);
}

Extern Extern::fromFuncRef(const Value &ref) {
  if (ref.type() != ValType::FuncRef || ref.isNullRef()) return Extern();
  auto *fn = static_cast<rt::Function *>(ref.asRef());
  std::shared_ptr<void> owner;
  if (fn->instance != nullptr) {
    owner = rt::groupOf(*fn->instance);
  } else {
    owner = fn->weak_from_this().lock(); // host functions are made shared
  }
  return detail::ApiAccess::makeExtern(ExternKind::Func, fn, std::move(owner));
}

} // namespace halter
