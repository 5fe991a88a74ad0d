;; An exported funcref table of 2 elements, at most 10, and call_indirect
;; over it (wasm.h's table example).
(module
  (table (export "table") 2 10 funcref)
  (type $ii (func (param i32) (result i32)))
  (func $negate (export "negate") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0)))
  (elem (i32.const 1) $negate))
