;; A guest that never returns on its own: `spin` counts forever. Shows how
;; halter stops it (scripts/demo.sh, README "Limits"):
;;   halter run runaway.wasm --invoke spin --timeout 100ms   -> exit status 6
;;   halter run runaway.wasm --invoke spin --fuel 1000000    -> exit status 5
(module
  (memory (export "memory") 1)
  (func (export "spin") (result i32)
    (local $n i32)
    (loop $forever
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $forever))
    (local.get $n))
  ;; Grows memory one page at a time until refused, then returns the pages it has.
  (func (export "grow_all") (result i32)
    (block $done
      (loop $more
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (memory.size)))
