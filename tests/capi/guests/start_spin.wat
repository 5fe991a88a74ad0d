;; A start function that never ends: only a limit stops instantiation.
(module
  (func $start (loop $l (br $l)))
  (start $start))
