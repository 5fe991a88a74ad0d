;; Imported and own globals, constant and mutable, read and written from
;; both sides (wasm.h's global example).
(module
  (global $in_const (import "host" "const_f32") f32)
  (global $in_var (import "host" "var_i64") (mut i64))
  (global $own_const (export "own_const") i32 (i32.const 7))
  (global $own_var (export "own_var") (mut f64) (f64.const 1.5))
  (func (export "get_in_const") (result f32) (global.get $in_const))
  (func (export "get_in_var") (result i64) (global.get $in_var))
  (func (export "get_own_var") (result f64) (global.get $own_var))
  (func (export "set_in_var") (param i64) (global.set $in_var (local.get 0)))
  (func (export "set_own_var") (param f64) (global.set $own_var (local.get 0))))
