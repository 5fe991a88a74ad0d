;; The snapshot example's guest: init sieves the primes below 2,000,000 into
;; memory (the expensive start-up worth saving); count_below(n) answers from
;; that table.
(module
  (memory (export "memory") 31 31) ;; one byte per number below 2,031,616
  (global $ready (mut i32) (i32.const 0))
  (func (export "init")
    (local $i i32) (local $j i32)
    (local.set $i (i32.const 2))
    (loop $outer
      (if (i32.eqz (i32.load8_u (local.get $i)))
        (then
          (local.set $j (i32.mul (local.get $i) (local.get $i)))
          (block $done
            (loop $inner
              (br_if $done (i32.ge_u (local.get $j) (i32.const 2000000)))
              (i32.store8 (local.get $j) (i32.const 1))
              (local.set $j (i32.add (local.get $j) (local.get $i)))
              (br $inner)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (i32.mul (local.get $i) (local.get $i)) (i32.const 2000000))))
    (global.set $ready (i32.const 1)))
  ;; Primes below n (n <= 2,000,000); -1 before init.
  (func (export "count_below") (param $n i32) (result i32)
    (local $i i32) (local $count i32)
    (if (i32.eqz (global.get $ready)) (then (return (i32.const -1))))
    (local.set $i (i32.const 2))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eqz (i32.load8_u (local.get $i)))
          (then (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $count)))
