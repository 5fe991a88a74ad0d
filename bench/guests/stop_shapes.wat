;; Runaway shapes for limits_bench's overshoot table beyond runaway.wat:
;; loops whose back edge is each kind of branch form (the loop of one
;; instruction that once stopped nothing among them), and single bulk
;; operations over a whole 4 GiB memory or a 10,000,000-element table.
(module
  (memory 65536)
  (table 10000000 funcref)
  (func (export "loop_br") (loop $l (br $l)))
  (func (export "loop_br_if") (local $one i32)
    (local.set $one (i32.const 1))
    (loop $l (br_if $l (local.get $one))))
  (func (export "loop_cmp") (local $a i32)
    (loop $l (br_if $l (i32.lt_u (local.get $a) (i32.const 5)))))
  (func (export "loop_add_cmp") (local $a i32)
    (loop $l (br_if $l (i32.ne (local.tee $a (i32.add (local.get $a) (i32.const 1)))
                               (i32.const 0)))))
  (func (export "loop_br_table") (local $a i32)
    (loop $l (block $out (br_table $l $out (local.get $a)))))
  (func (export "loop_nested") (local $one i32)
    (local.set $one (i32.const 1))
    (loop $l (block (block (if (local.get $one) (then (br 3)))))))
  (func (export "fill_4gib")
    (memory.fill (i32.const 0) (i32.const 7) (i32.const -1)))
  (func (export "copy_4gib")
    (memory.copy (i32.const 1) (i32.const 0) (i32.const -2)))
  (func (export "table_fill_10m")
    (loop $l (table.fill 0 (i32.const 0) (ref.null func) (i32.const 10000000)) (br $l))))
