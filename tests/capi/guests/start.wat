;; A start function that traps: instantiation fails (wasm.h's start).
(module
  (func $start (unreachable))
  (start $start))
