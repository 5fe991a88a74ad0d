;; One export of each kind, for reflection (wasm.h's reflect).
(module
  (func (export "func") (param i32 f64) (result i64) (i64.const 0))
  (global (export "global") (mut f32) (f32.const 0))
  (table (export "table") 3 funcref)
  (memory (export "memory") 1 4)
  (table (export "refs") 1 8 externref))
