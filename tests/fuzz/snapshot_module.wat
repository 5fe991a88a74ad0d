;; The module of the snapshot tests (tests/unit/api/snapshot_test.cpp) and of
;; fuzz_snapshot, with state in every place a snapshot holds: two memory
;; pages grown to four and written in a few places; globals of each type, a
;; funcref among them; a table whose entries change; a passive data and
;; element segment, dropped.
(module
  (memory (export "memory") 2 16)
  (table $t 4 8 funcref)
  (global $count (mut i32) (i32.const 0))
  (global $big (mut i64) (i64.const 0))
  (global $ratio (mut f64) (f64.const 0))
  (global $fn (mut funcref) (ref.null func))
  (global $fixed i32 (i32.const 42))
  (data $bytes "seven77")
  (elem $fns func $bump $twice)
  (func $bump (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (global.get $count))
  (func $twice (result i32) (i32.mul (global.get $count) (i32.const 2)))
  (func (export "setup")
    (drop (memory.grow (i32.const 2)))
    (i32.store (i32.const 100) (i32.const 0x11223344))
    (i32.store (i32.const 196600) (i32.const 0x55667788)) ;; page 3
    (memory.init $bytes (i32.const 70000) (i32.const 0) (i32.const 7))
    (data.drop $bytes)
    (table.init $t $fns (i32.const 1) (i32.const 0) (i32.const 2))
    (elem.drop $fns)
    (drop (table.grow $t (ref.func $twice) (i32.const 2)))
    (global.set $big (i64.const -5000000000))
    (global.set $ratio (f64.const 2.5))
    (global.set $fn (ref.func $twice))
    (drop (call $bump)) (drop (call $bump)) (drop (call $bump)))
  (func (export "call_slot") (param i32) (result i32)
    (call_indirect $t (result i32) (local.get 0)))
  (func (export "count") (result i32) (global.get $count))
  (func (export "big") (result i64) (global.get $big))
  (func (export "ratio") (result f64) (global.get $ratio))
  (func (export "fn_is_null") (result i32) (ref.is_null (global.get $fn)))
  (func (export "table_size") (result i32) (table.size $t))
  (func (export "reinit") (memory.init $bytes (i32.const 0) (i32.const 0) (i32.const 1)))
  (func (export "retable") (table.init $t $fns (i32.const 0) (i32.const 0) (i32.const 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))

