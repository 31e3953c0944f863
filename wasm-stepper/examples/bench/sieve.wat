;; Memory-heavy benchmark: sieve of Eratosthenes over up to 1 MiB of linear
;; memory (one byte per number, at [0x10000, 0x110000)).
;; bench(n) sieves [0, n) (n capped at 1048576) and returns the checksum
;; count_of_primes * 0x9e3779b1 + sum_of_primes (mod 2^32).
;; primeCount(n) returns the number of primes below n.
;; run (task): n = u32 LE from the first 4 input bytes (default 1048576 when
;; the input is shorter); output: the checksum, 4 bytes LE.
(module
  (import "task" "input_size" (func $input_size (result i32)))
  (import "task" "input_read" (func $input_read (param i32 i32 i32)))
  (import "task" "output_write" (func $output_write (param i32 i32)))
  (memory (export "memory") 17 17)
  (global $count (mut i32) (i32.const 0))

  (func $sieve (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $sum i32) (local $count i32)
    (if (i32.gt_u (local.get $n) (i32.const 1048576))
      (then (local.set $n (i32.const 1048576))))
    ;; flags[k] = 1 for every k: "maybe prime"
    (memory.fill (i32.const 0x10000) (i32.const 1) (local.get $n))
    (local.set $i (i32.const 2))
    (block $outer_done
      (loop $outer
        (br_if $outer_done (i32.gt_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
        (if (i32.load8_u offset=0x10000 (local.get $i))
          (then
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $inner_done
              (loop $inner
                (br_if $inner_done (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 offset=0x10000 (local.get $j) (i32.const 0))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.set $i (i32.const 2))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.load8_u offset=0x10000 (local.get $i))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (local.set $sum (i32.add (local.get $sum) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (global.set $count (local.get $count))
    (i32.add (i32.mul (local.get $count) (i32.const 0x9e3779b1)) (local.get $sum)))

  (func (export "bench") (param $n i32) (result i32)
    (call $sieve (local.get $n)))

  (func (export "primeCount") (param $n i32) (result i32)
    (drop (call $sieve (local.get $n)))
    (global.get $count))

  (func (export "run")
    (local $n i32)
    (local.set $n (i32.const 1048576))
    (if (i32.ge_u (call $input_size) (i32.const 4))
      (then
        (call $input_read (i32.const 0) (i32.const 0) (i32.const 4))
        (local.set $n (i32.load (i32.const 0)))))
    (i32.store (i32.const 0) (call $sieve (local.get $n)))
    (call $output_write (i32.const 0) (i32.const 4))))
