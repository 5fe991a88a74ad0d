;; A guest that waits in host functions: `wait` blocks the host until it is
;; interrupted (it honours its CallContext), `sleep` blocks 300 ms whatever
;; happens.
(module
  (import "env" "wait" (func $wait))
  (import "env" "sleep" (func $sleep))
  (func (export "call_wait") (result i32) (call $wait) (i32.const 1))
  (func (export "call_sleep") (result i32) (call $sleep) (i32.const 1))
  (func (export "ok") (result i32) (i32.const 7)))
