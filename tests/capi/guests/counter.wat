;; A small stateful module: threads, serialization and fresh instances.
(module
  (memory (export "memory") 1 4)
  (global $count (mut i32) (i32.const 0))
  (func (export "bump") (param i32) (result i32)
    (global.set $count (i32.add (global.get $count) (local.get 0)))
    (global.get $count))
  (func (export "grow") (result i32) (memory.grow (i32.const 1))))
