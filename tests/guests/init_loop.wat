;; A reactor whose _initialize never returns (tests/cli/stop_test.sh).
(module
  (func (export "_initialize") (loop $l (br $l)))
  (func (export "main")))
