;; Integer-heavy benchmark: a 32-bit xorshift generator mixed into a checksum,
;; about 30 instructions per iteration, no memory traffic in the loop.
;; bench(n) runs n iterations and returns the checksum.
;; run (task): n = u32 LE from the first 4 input bytes (default 1000000 when
;; the input is shorter); output: the checksum, 4 bytes LE.
(module
  (import "task" "input_size" (func $input_size (result i32)))
  (import "task" "input_read" (func $input_read (param i32 i32 i32)))
  (import "task" "output_write" (func $output_write (param i32 i32)))
  (memory (export "memory") 1 1)

  (func $bench (export "bench") (param $n i32) (result i32)
    (local $x i32) (local $acc i32) (local $i i32)
    (local.set $x (i32.const 0x9e3779b9))
    (local.set $acc (i32.const 0x12345678))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; x ^= x << 13; x ^= x >>> 17; x ^= x << 5
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        ;; acc = rotl(acc, 5) + (x ^ i) * 0x01000193
        (local.set $acc
          (i32.add
            (i32.rotl (local.get $acc) (i32.const 5))
            (i32.mul (i32.xor (local.get $x) (local.get $i)) (i32.const 0x01000193))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (i32.xor (local.get $acc) (local.get $x)))

  (func (export "run")
    (local $n i32)
    (local.set $n (i32.const 1000000))
    (if (i32.ge_u (call $input_size) (i32.const 4))
      (then
        (call $input_read (i32.const 0) (i32.const 0) (i32.const 4))
        (local.set $n (i32.load (i32.const 0)))))
    (i32.store (i32.const 0) (call $bench (local.get $n)))
    (call $output_write (i32.const 0) (i32.const 4))))
