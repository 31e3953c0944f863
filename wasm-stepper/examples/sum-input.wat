;; sum-input: a tiny wasm-stepper task. Reads its input (in 256-byte chunks),
;; sums the bytes and writes the sum as 4 little-endian bytes of output.
(module
  (import "task" "input_size" (func $input_size (result i32)))
  (import "task" "input_read" (func $input_read (param i32 i32 i32)))
  (import "task" "output_write" (func $output_write (param i32 i32)))
  (memory (export "memory") 1 1)

  ;; Sum of the bytes at [ptr, ptr+len).
  (func $sum (export "sum") (param $ptr i32) (param $len i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (local.get $acc))

  (func (export "run")
    (local $size i32) (local $off i32) (local $n i32) (local $acc i32)
    (local.set $size (call $input_size))
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_u (local.get $off) (local.get $size)))
        ;; n = min(256, size - off)
        (local.set $n (i32.sub (local.get $size) (local.get $off)))
        (if (i32.gt_u (local.get $n) (i32.const 256))
          (then (local.set $n (i32.const 256))))
        (call $input_read (i32.const 16) (local.get $off) (local.get $n))
        (local.set $acc (i32.add (local.get $acc) (call $sum (i32.const 16) (local.get $n))))
        (local.set $off (i32.add (local.get $off) (local.get $n)))
        (br $chunk)))
    (i32.store (i32.const 0) (local.get $acc))
    (call $output_write (i32.const 0) (i32.const 4))))
