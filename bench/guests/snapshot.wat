;; snapshot_bench's guest: a memory of 1 MiB that grows to 64 MiB, filled
;; sparsely (one byte per 64 KiB page) or fully (every byte non-zero, in a
;; pattern zstd compresses only somewhat).
(module
  (memory (export "memory") 16 1024)
  (func (export "grow_to") (param $pages i32)
    (drop (memory.grow (i32.sub (local.get $pages) (memory.size)))))
  (func (export "sparse")
    (local $at i32)
    (loop $next
      (i32.store8 (local.get $at) (i32.const 1))
      (local.set $at (i32.add (local.get $at) (i32.const 65536)))
      (br_if $next (i32.lt_u (local.get $at) (i32.mul (memory.size) (i32.const 65536))))))
  (func (export "full")
    (local $at i32) (local $x i32)
    (local.set $x (i32.const 12345))
    (loop $next
      ;; xorshift: bytes that look random, never all zero in a word
      (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
      (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
      (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
      (i32.store (local.get $at) (i32.or (local.get $x) (i32.const 0x01010101)))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br_if $next (i32.lt_u (local.get $at) (i32.mul (memory.size) (i32.const 65536)))))))
