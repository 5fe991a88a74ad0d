;; Guest for the API microbenchmarks (bench/api_bench.cpp).
(module
  (import "env" "tick" (func $tick (param i32)))
  ;; The cheapest possible export: measures the cost of Instance::call itself.
  (func (export "nop"))
  ;; A typed call with arguments and a result.
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  ;; Calls the host `n` times: measures one guest->host->guest round trip.
  (func (export "host_loop") (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $tick (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
