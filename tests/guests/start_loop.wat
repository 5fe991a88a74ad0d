;; A start function that never returns: instantiation itself must stop on
;; a deadline or cancel (tests/cli/stop_test.sh, unit_api).
(module
  (func $spin (loop $l (br $l)))
  (start $spin)
  (func (export "main")))
