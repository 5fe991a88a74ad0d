;; Guests that never stop on their own (tests/unit/api/limits_test.cpp stops
;; each by fuel, deadline and cancel), and `ok`, a normal call to check that
;; the instance works afterwards.
(module
  (import "env" "tick" (func $tick))
  (memory (export "memory") 1)
  (global $spins (mut i32) (i32.const 0))

  (func (export "ok") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 2)))

  ;; A tight loop: the back edge is the only check point.
  (func (export "spin")
    (loop $l
      (global.set $spins (i32.add (global.get $spins) (i32.const 1)))
      (br $l)))

  ;; Deep recursion, again and again: ping/pong down to 0, then from the top.
  (func $ping (param i32)
    (if (local.get 0) (then (call $pong (i32.sub (local.get 0) (i32.const 1))))))
  (func $pong (param i32)
    (if (local.get 0) (then (call $ping (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "recurse_loop")
    (loop $l (call $ping (i32.const 5000)) (br $l)))

  ;; Endless mutual recursion: only a stack cap (or fuel, deadline, cancel) ends it.
  (func $down (param i32) (result i32)
    (call $up (i32.add (local.get 0) (i32.const 1))))
  (func $up (param i32) (result i32)
    (call $down (i32.add (local.get 0) (i32.const 1))))
  (func (export "recurse_forever") (result i32)
    (call $down (i32.const 0)))

  ;; Finite recursion to depth n; returns n.
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))

  ;; Bulk memory over the whole memory, forever (grows it to 64 pages first).
  (func (export "bulk")
    (drop (memory.grow (i32.const 63)))
    (loop $l
      (memory.fill (i32.const 0) (i32.const 0xAB) (i32.mul (memory.size) (i32.const 65536)))
      (memory.copy (i32.const 0) (i32.const 1)
                   (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)))
      (br $l)))

  ;; memory.grow one page at a time until refused, then keep asking.
  (func (export "grow")
    (loop $l
      (drop (memory.grow (i32.const 1)))
      (br $l)))

  ;; The current memory size in pages.
  (func (export "pages") (result i32) (memory.size))

  ;; Calls the host forever.
  (func (export "host_loop")
    (loop $l (call $tick) (br $l))))
