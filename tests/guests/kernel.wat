;; A small kernel that touches every fuel charge: calls and recursion,
;; loops, br_table dispatch, call_indirect, loads and stores, memory.fill,
;; memory.copy, memory.grow and table operations. `run(n)` returns a checksum.
(module
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 0) $f0 $f1 $f2 $f3)
  (type $op (func (param i32) (result i32)))
  (func $f0 (type $op) (i32.add (local.get 0) (i32.const 3)))
  (func $f1 (type $op) (i32.mul (local.get 0) (i32.const 5)))
  (func $f2 (type $op) (i32.xor (local.get 0) (i32.const 0x5a5a)))
  (func $f3 (type $op) (i32.rotl (local.get 0) (i32.const 7)))

  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $j i32)
    (drop (memory.grow (i32.const 1)))
    (local.set $acc (call $fib (i32.const 12)))
    (loop $outer
      ;; dispatch through br_table and call_indirect
      (block $d3 (block $d2 (block $d1 (block $d0
        (br_table $d0 $d1 $d2 $d3 (i32.and (local.get $i) (i32.const 3))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 1))) (br $d3))
        (local.set $acc (i32.sub (local.get $acc) (i32.const 2))) (br $d3))
        (local.set $acc (i32.shl (local.get $acc) (i32.const 1))))
      (local.set $acc
        (call_indirect (type $op) (local.get $acc) (i32.and (local.get $i) (i32.const 3))))
      ;; memory traffic
      (memory.fill (i32.const 1024) (local.get $i) (i32.const 4096))
      (memory.copy (i32.const 8192) (i32.const 1024) (i32.const 4096))
      (local.set $j (i32.const 0))
      (loop $inner
        (i32.store (i32.add (i32.const 16384) (i32.shl (local.get $j) (i32.const 2)))
                   (i32.add (local.get $acc) (local.get $j)))
        (local.set $acc (i32.add (local.get $acc)
          (i32.load8_u (i32.add (i32.const 8192) (local.get $j)))))
        (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
                                (i32.const 64))))
      (table.fill 0 (i32.const 0) (ref.null func) (i32.const 0))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                              (local.get $n))))
    (local.get $acc)))
