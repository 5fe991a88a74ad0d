;; A host function called by the guest (wasm.h's hello), and two imports
;; with environments (callback): run(a, b) = twice(a) + offset() + b.
(module
  (import "host" "hello" (func $hello))
  (import "host" "twice" (func $twice (param i32) (result i32)))
  (import "host" "offset" (func $offset (result i32)))
  (func (export "greet") (call $hello))
  (func (export "run") (param i32 i32) (result i32)
    (i32.add (i32.add (call $twice (local.get 0)) (call $offset)) (local.get 1))))
