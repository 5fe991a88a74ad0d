;; fuzz_snapshot's WASI guest: opens files and a directory beneath its
;; preopen (fd 3), so that the WASI state it saves holds every kind of
;; descriptor that can be saved.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "in.txt")
  (data (i32.const 120) "out.txt")
  (data (i32.const 140) "sub")
  ;; Each returns path_open's errno; the new fd is stored at 0.
  (func (export "open_files") (result i32)
    (i32.or
      (i32.or
        ;; in.txt to read, following symlinks
        (call $path_open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 6)
          (i32.const 0) (i64.const 0x2) (i64.const 0) (i32.const 0) (i32.const 0))
        ;; out.txt to write, appending
        (call $path_open (i32.const 3) (i32.const 0) (i32.const 120) (i32.const 7)
          (i32.const 0) (i64.const 0x40) (i64.const 0) (i32.const 1) (i32.const 0)))
      ;; sub, a directory
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 140) (i32.const 3)
        (i32.const 2) (i64.const 0x4000) (i64.const -1) (i32.const 0) (i32.const 0)))))
