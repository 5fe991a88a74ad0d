;; Traps from the host and from the guest, with frames (wasm.h's trap).
(module
  (import "host" "fail" (func $fail (result i32)))
  (func (export "host_fails") (result i32) (call $fail))
  (func $inner (result i32) (unreachable))
  (func (export "guest_fails") (result i32) (call $inner)))
