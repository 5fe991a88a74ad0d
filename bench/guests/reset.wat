;; Guest for the reset benchmark (bench/api_bench.cpp): a memory that grows
;; to a given size and a loop that touches the first n of its pages.
(module
  (memory (export "mem") 1 20000)
  (data (i32.const 16) "initial content")
  (func (export "grow_to") (param $pages i32)
    (drop (memory.grow (i32.sub (local.get $pages) (memory.size)))))
  (func (export "touch") (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.mul (local.get $i) (i32.const 65536)) (i32.add (local.get $i) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
