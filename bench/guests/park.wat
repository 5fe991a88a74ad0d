;; snapshot_bench's execution guest: `rec(n)` recurses n frames deep, each
;; frame with three locals and two values live on its operand stack, and
;; parks in the host call `host.wait` at the bottom (the bench's host
;; answers with HostResult::suspend). A page of memory, one word written.
(module
  (import "host" "wait" (func $wait (result i32)))
  (memory (export "memory") 1)
  (func $rec (export "rec") (param $n i32) (result i32)
    (local $a i32) (local $b i64) (local $c f64)
    (local.set $a (i32.mul (local.get $n) (i32.const 3)))
    (local.set $b (i64.extend_i32_u (local.get $n)))
    (local.set $c (f64.convert_i32_u (local.get $n)))
    (i32.store (i32.const 0) (local.get $n))
    (if (result i32) (i32.le_u (local.get $n) (i32.const 1))
      (then (call $wait))
      (else
        (i32.add (local.get $a)
          (i32.add (i32.wrap_i64 (local.get $b))
            (call $rec (i32.sub (local.get $n) (i32.const 1)))))
        (i32.trunc_f64_u (local.get $c))
        (i32.add)))))
