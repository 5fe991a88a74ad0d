;; Guests for halter_c.h's limits: loops forever, recurses without end,
;; grows memory and a table past their caps, and parks in a host call.
(module
  (import "host" "wait" (func $wait (param i32) (result i32)))
  (import "host" "reenter" (func $reenter (result i32)))
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "spin") (loop $l (br $l)))
  (func $down (export "recurse") (param i32) (result i32)
    (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "grow_memory") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_table") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "count") (param i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
    (local.get $i))
  (func (export "park") (param i32) (result i32)
    (i32.store (i32.const 64) (i32.const 0x2a2a2a2a))
    (i32.add (call $wait (local.get 0)) (i32.load (i32.const 64))))
  (func (export "reenter") (result i32) (call $reenter))
  (func (export "seven") (result i32) (i32.const 7)))
