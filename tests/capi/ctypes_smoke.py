#!/usr/bin/env python3
"""Smoke test of halter's wasm.h C API through Python ctypes.

Usage: python3 ctypes_smoke.py LIBHALTER_SO

Only Debian's python3 standard library is used. The module under test is
embedded below as hand-assembled bytes (checked against wat2wasm). The
script goes through wasm.h alone: engine, store, module (validate/new),
a host function import, instantiation, export lookup by name, calls, a
trap and its message, and deletion of everything in order.

Prints one line per check ("ok: ..." / "FAIL: ...") and then
"N passed, N failed"; the exit status is nonzero on any failure.
"""

import ctypes
import faulthandler
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, Union, byref, c_bool,
                    c_char, c_double, c_float, c_int32, c_int64, c_size_t,
                    c_uint8, c_void_p)

faulthandler.enable()  # a crash in the library prints where it happened

# The module, in WAT:
#
# (module
#   (type $t0 (func (param i32) (result i32)))
#   (type $t1 (func (param i32 i32) (result i32)))
#   (import "env" "twice" (func $twice (type $t0)))
#   (func $add (export "add") (type $t1) local.get 0 local.get 1 i32.add)
#   (func $div (export "div") (type $t1) local.get 0 local.get 1 i32.div_s)
#   (func $call_twice (export "call_twice") (type $t0) local.get 0 call $twice))
#
# Function index 0 is the import, so add/div/call_twice are 1/2/3.
MODULE_BYTES = bytes([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  # magic, version 1
    # type section: 2 types
    0x01, 0x0c, 0x02,
    0x60, 0x01, 0x7f, 0x01, 0x7f,                    # (i32) -> i32
    0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,              # (i32, i32) -> i32
    # import section: "env" "twice" func type 0
    0x02, 0x0d, 0x01,
    0x03, 0x65, 0x6e, 0x76,                          # "env"
    0x05, 0x74, 0x77, 0x69, 0x63, 0x65,              # "twice"
    0x00, 0x00,                                      # func, type 0
    # function section: 3 functions of types 1, 1, 0
    0x03, 0x04, 0x03, 0x01, 0x01, 0x00,
    # export section: 3 exports
    0x07, 0x1a, 0x03,
    0x03, 0x61, 0x64, 0x64, 0x00, 0x01,              # "add" func 1
    0x03, 0x64, 0x69, 0x76, 0x00, 0x02,              # "div" func 2
    0x0a, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x74, 0x77, 0x69, 0x63, 0x65,
    0x00, 0x03,                                      # "call_twice" func 3
    # code section: 3 bodies
    0x0a, 0x18, 0x03,
    0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,  # add: i32.add
    0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b,  # div: i32.div_s
    0x06, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0b,        # call_twice: call 0
])

GARBAGE_BYTES = b"this is not a wasm module at all"

# ---- wasm.h declarations ------------------------------------------------------

WASM_I32, WASM_I64, WASM_F32, WASM_F64 = 0, 1, 2, 3
WASM_EXTERN_FUNC = 0


class wasm_byte_vec_t(Structure):  # also wasm_name_t and wasm_message_t
    _fields_ = [("size", c_size_t), ("data", POINTER(c_char))]


class wasm_val_union(Union):
    _fields_ = [("i32", c_int32), ("i64", c_int64), ("f32", c_float),
                ("f64", c_double), ("ref", c_void_p)]


class wasm_val_t(Structure):
    _fields_ = [("kind", c_uint8), ("of", wasm_val_union)]


class wasm_val_vec_t(Structure):
    _fields_ = [("size", c_size_t), ("data", POINTER(wasm_val_t))]


class wasm_ptr_vec_t(Structure):
    """Any vector of pointers: wasm_extern_vec_t, wasm_valtype_vec_t,
    wasm_exporttype_vec_t (all {size_t size; T** data})."""
    _fields_ = [("size", c_size_t), ("data", POINTER(c_void_p))]


wasm_extern_vec_t = wasm_ptr_vec_t
wasm_valtype_vec_t = wasm_ptr_vec_t
wasm_exporttype_vec_t = wasm_ptr_vec_t

wasm_func_callback_t = CFUNCTYPE(c_void_p, POINTER(wasm_val_vec_t),
                                 POINTER(wasm_val_vec_t))


def declare(lib):
    def fn(name, restype, *argtypes):
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = list(argtypes)

    P = POINTER
    fn("wasm_engine_new", c_void_p)
    fn("wasm_engine_delete", None, c_void_p)
    fn("wasm_store_new", c_void_p, c_void_p)
    fn("wasm_store_delete", None, c_void_p)
    fn("wasm_module_validate", c_bool, c_void_p, P(wasm_byte_vec_t))
    fn("wasm_module_new", c_void_p, c_void_p, P(wasm_byte_vec_t))
    fn("wasm_module_delete", None, c_void_p)
    fn("wasm_module_exports", None, c_void_p, P(wasm_exporttype_vec_t))
    fn("wasm_exporttype_name", P(wasm_byte_vec_t), c_void_p)
    fn("wasm_exporttype_vec_delete", None, P(wasm_exporttype_vec_t))
    fn("wasm_valtype_new", c_void_p, c_uint8)
    fn("wasm_valtype_vec_new", None, P(wasm_valtype_vec_t), c_size_t,
       P(c_void_p))
    fn("wasm_functype_new", c_void_p, P(wasm_valtype_vec_t),
       P(wasm_valtype_vec_t))
    fn("wasm_functype_delete", None, c_void_p)
    fn("wasm_func_new", c_void_p, c_void_p, c_void_p, wasm_func_callback_t)
    fn("wasm_func_delete", None, c_void_p)
    fn("wasm_func_as_extern", c_void_p, c_void_p)
    fn("wasm_func_call", c_void_p, c_void_p, P(wasm_val_vec_t),
       P(wasm_val_vec_t))
    fn("wasm_extern_kind", c_uint8, c_void_p)
    fn("wasm_extern_as_func", c_void_p, c_void_p)
    fn("wasm_extern_vec_delete", None, P(wasm_extern_vec_t))
    fn("wasm_instance_new", c_void_p, c_void_p, c_void_p,
       P(wasm_extern_vec_t), P(c_void_p))
    fn("wasm_instance_delete", None, c_void_p)
    fn("wasm_instance_exports", None, c_void_p, P(wasm_extern_vec_t))
    fn("wasm_trap_message", None, c_void_p, P(wasm_byte_vec_t))
    fn("wasm_trap_delete", None, c_void_p)
    fn("wasm_byte_vec_delete", None, P(wasm_byte_vec_t))


# ---- checks -------------------------------------------------------------------

passed = 0
failed = 0


class Fatal(Exception):
    """A check the rest of the test depends on failed."""


def check(cond, what, fatal=False):
    global passed, failed
    if cond:
        passed += 1
        print("ok: " + what)
    else:
        failed += 1
        print("FAIL: " + what)
        if fatal:
            raise Fatal(what)
    sys.stdout.flush()
    return cond


def byte_vec_of(data):
    """A wasm_byte_vec_t over a Python buffer (kept alive by the caller)."""
    buf = ctypes.create_string_buffer(data, len(data))
    return wasm_byte_vec_t(len(data), ctypes.cast(buf, POINTER(c_char))), buf


def i32_vals(*values):
    arr = (wasm_val_t * max(len(values), 1))()
    for i, v in enumerate(values):
        arr[i].kind = WASM_I32
        arr[i].of.i32 = v
    return wasm_val_vec_t(len(values), arr), arr


def call_i32(lib, func, args, nresults=1):
    """Calls func with i32 args; returns (trap pointer or None, results)."""
    arg_vec, arg_arr = i32_vals(*args)
    res_vec, res_arr = i32_vals(*([0] * nresults))
    for i in range(nresults):
        res_arr[i].kind = 0xff  # so that a result left unwritten shows
    trap = lib.wasm_func_call(func, byref(arg_vec), byref(res_vec))
    return trap, [(res_arr[i].kind, res_arr[i].of.i32) for i in range(nresults)]


def read_name(vec_ptr):
    if not vec_ptr:
        return None
    v = vec_ptr.contents
    return ctypes.string_at(v.data, v.size) if v.size else b""


host_calls = []


def twice_impl(args_p, results_p):
    try:
        args = args_p.contents
        results = results_p.contents
        a = args.data[0]
        host_calls.append((args.size, a.kind, a.of.i32, results.size))
        results.data[0].kind = WASM_I32
        results.data[0].of.i32 = a.of.i32 * 2
    except Exception as e:  # never let an exception unwind into C
        print("host callback raised: %r" % (e,))
    return None  # no trap


# The callback object must outlive every use of the host function.
twice_cb = wasm_func_callback_t(twice_impl)


def run(lib):
    engine = store = module = host_func = instance = None
    exporttypes = wasm_exporttype_vec_t(0, None)
    have_exporttypes = False
    exports = wasm_extern_vec_t(0, None)
    have_exports = False
    try:
        # 1. engine, store, module
        engine = lib.wasm_engine_new()
        check(bool(engine), "wasm_engine_new returns an engine", fatal=True)
        store = lib.wasm_store_new(engine)
        check(bool(store), "wasm_store_new returns a store", fatal=True)

        good, good_buf = byte_vec_of(MODULE_BYTES)
        bad, bad_buf = byte_vec_of(GARBAGE_BYTES)
        check(lib.wasm_module_validate(store, byref(good)) is True,
              "wasm_module_validate is true for the module")
        check(lib.wasm_module_validate(store, byref(bad)) is False,
              "wasm_module_validate is false for garbage bytes")
        bad_module = lib.wasm_module_new(store, byref(bad))
        check(not bad_module, "wasm_module_new returns NULL for garbage bytes")
        if bad_module:
            lib.wasm_module_delete(bad_module)
        module = lib.wasm_module_new(store, byref(good))
        check(bool(module), "wasm_module_new returns a module for the bytes",
              fatal=True)

        # 2. host function (i32) -> i32, instantiation, exports by name
        params = wasm_valtype_vec_t()
        results = wasm_valtype_vec_t()
        p_arr = (c_void_p * 1)(lib.wasm_valtype_new(WASM_I32))
        r_arr = (c_void_p * 1)(lib.wasm_valtype_new(WASM_I32))
        lib.wasm_valtype_vec_new(byref(params), 1, p_arr)
        lib.wasm_valtype_vec_new(byref(results), 1, r_arr)
        check(params.size == 1 and results.size == 1,
              "wasm_valtype_vec_new builds 1-element vecs")
        functype = lib.wasm_functype_new(byref(params), byref(results))
        check(bool(functype), "wasm_functype_new returns (i32)->i32",
              fatal=True)
        host_func = lib.wasm_func_new(store, functype, twice_cb)
        lib.wasm_functype_delete(functype)  # wasm_func_new does not own it
        check(bool(host_func), "wasm_func_new returns the host function",
              fatal=True)

        import_arr = (c_void_p * 1)(lib.wasm_func_as_extern(host_func))
        check(bool(import_arr[0]), "wasm_func_as_extern gives an extern",
              fatal=True)
        imports = wasm_extern_vec_t(1, import_arr)  # borrowed, as WASM_ARRAY_VEC
        inst_trap = c_void_p()
        instance = lib.wasm_instance_new(store, module, byref(imports),
                                         byref(inst_trap))
        if inst_trap.value:
            msg = wasm_byte_vec_t()
            lib.wasm_trap_message(inst_trap, byref(msg))
            print("instantiation trap: %r" % ctypes.string_at(msg.data, msg.size))
            lib.wasm_byte_vec_delete(byref(msg))
            lib.wasm_trap_delete(inst_trap)
        check(bool(instance) and not inst_trap.value,
              "wasm_instance_new instantiates without a trap", fatal=True)

        lib.wasm_module_exports(module, byref(exporttypes))
        have_exporttypes = True
        lib.wasm_instance_exports(instance, byref(exports))
        have_exports = True
        names = [read_name(lib.wasm_exporttype_name(exporttypes.data[i]))
                 for i in range(exporttypes.size)]
        check(sorted(names) == [b"add", b"call_twice", b"div"],
              "wasm_module_exports names are add, div, call_twice (got %r)"
              % (names,))
        check(exports.size == exporttypes.size,
              "wasm_instance_exports has one extern per export (%d/%d)"
              % (exports.size, exporttypes.size), fatal=True)
        funcs = {}
        for i, name in enumerate(names):
            ext = exports.data[i]
            if ext and lib.wasm_extern_kind(ext) == WASM_EXTERN_FUNC:
                funcs[name] = lib.wasm_extern_as_func(ext)
        for name in (b"add", b"div", b"call_twice"):
            check(bool(funcs.get(name)),
                  "export %s is a function" % name.decode(), fatal=True)

        # 3. calls
        trap, res = call_i32(lib, funcs[b"add"], [2, 3])
        check(not trap and res == [(WASM_I32, 5)],
              "add(2, 3) == 5 (trap=%r, results=%r)" % (trap, res))
        if trap:
            lib.wasm_trap_delete(trap)

        trap, res = call_i32(lib, funcs[b"add"], [-7, 2147483647])
        check(not trap and res == [(WASM_I32, 2147483640)],
              "add(-7, 2147483647) == 2147483640 (results=%r)" % (res,))
        if trap:
            lib.wasm_trap_delete(trap)

        trap, res = call_i32(lib, funcs[b"call_twice"], [21])
        check(not trap and res == [(WASM_I32, 42)],
              "call_twice(21) == 42 (trap=%r, results=%r)" % (trap, res))
        if trap:
            lib.wasm_trap_delete(trap)
        check(host_calls == [(1, WASM_I32, 21, 1)],
              "host twice called once with 1 i32 arg 21 and 1 result slot "
              "(got %r)" % (host_calls,))

        trap, res = call_i32(lib, funcs[b"div"], [7, -2])
        check(not trap and res == [(WASM_I32, -3)],
              "div(7, -2) == -3 (results=%r)" % (res,))
        if trap:
            lib.wasm_trap_delete(trap)

        trap, res = call_i32(lib, funcs[b"div"], [1, 0])
        check(bool(trap), "div(1, 0) returns a trap")
        if trap:
            msg = wasm_byte_vec_t()
            lib.wasm_trap_message(trap, byref(msg))
            text = ctypes.string_at(msg.data, msg.size) if msg.size else b""
            print("info: trap message: %r" % (text,))
            check(text.endswith(b"\0"), "trap message is NUL-terminated")
            check(b"divide by zero" in text.rstrip(b"\0").lower(),
                  "trap message mentions 'divide by zero'")
            lib.wasm_byte_vec_delete(byref(msg))
            lib.wasm_trap_delete(trap)
            check(True, "trap message and trap deleted")

        trap, res = call_i32(lib, funcs[b"add"], [40, 2])
        check(not trap and res == [(WASM_I32, 42)],
              "add(40, 2) == 42 still works after the trap")
        if trap:
            lib.wasm_trap_delete(trap)
    except Fatal as e:
        print("stopping: a needed step failed (%s)" % (e,))
    finally:
        # 4. delete everything in order
        if have_exports:
            lib.wasm_extern_vec_delete(byref(exports))
        if have_exporttypes:
            lib.wasm_exporttype_vec_delete(byref(exporttypes))
        if instance:
            lib.wasm_instance_delete(instance)
        if host_func:
            lib.wasm_func_delete(host_func)
        if module:
            lib.wasm_module_delete(module)
        if store:
            lib.wasm_store_delete(store)
        if engine:
            lib.wasm_engine_delete(engine)
            check(True, "deleted vecs, instance, host func, module, store, "
                  "engine")


def main(argv):
    if len(argv) != 2:
        print("usage: %s LIBHALTER_SO" % argv[0], file=sys.stderr)
        return 2
    try:
        lib = ctypes.CDLL(argv[1])
        declare(lib)
    except (OSError, AttributeError) as e:
        check(False, "load %s and its wasm.h symbols: %s" % (argv[1], e))
    else:
        check(True, "loaded %s" % argv[1])
        run(lib)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
