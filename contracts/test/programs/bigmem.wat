;; bigmem: memory instructions far from address 0, for the lockstep tests and the gas bench.
;; Run as a task with a large maxMemoryPages (1024, 65536): the memory tree's depth follows the
;; limit (spec/STATE.md section 1), so every memory proof here carries 21..27 siblings.
;; The input (any bytes) is read into the last page in chunks; loads and stores of every width
;; straddle 32-byte leaves; bulk copies run both directions; output comes from the last page.
(module
  (import "task" "input_size" (func $input_size (result i32)))
  (import "task" "input_read" (func $input_read (param i32 i32 i32)))
  (import "task" "output_write" (func $output_write (param i32 i32)))
  (memory 1)
  (data $greeting (i32.const 64) "bigmem: leaves far from zero.")
  (data $passive "a passive segment, copied by memory.init into the last page")
  (global $sum (mut i64) (i64.const 0))

  ;; Folds 8 bytes at $p into $sum with rotations (i64 loads across a leaf boundary).
  (func $mix (param $p i32)
    (global.set $sum
      (i64.xor
        (i64.rotl (global.get $sum) (i64.const 7))
        (i64.load (local.get $p)))))

  (func (export "run")
    (local $p i32) (local $n i32) (local $i i32)
    ;; 17 pages
    (drop (memory.grow (i32.const 16)))
    ;; $p: 4000 bytes below the end, at 29 mod 32 so wide accesses straddle leaves
    (local.set $p
      (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4003)))
    ;; stores of every width, each crossing a leaf
    (i64.store offset=0 (local.get $p) (i64.const 0x0102030405060708))
    (i32.store offset=32 (local.get $p) (i32.const 0xa1b2c3d4))
    (i64.store32 offset=64 (local.get $p) (i64.const -2))
    (i32.store16 offset=98 (local.get $p) (i32.const 0xbeef))
    (i64.store16 offset=130 (local.get $p) (i64.const 0xcafe))
    (i32.store8 offset=160 (local.get $p) (i32.const 0x80))
    (i64.store8 offset=161 (local.get $p) (i64.const 0x7f))
    ;; loads of every width, signed and unsigned, crossing leaves
    (global.set $sum (i64.load (local.get $p)))
    (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_u (i32.load offset=32 (local.get $p)))))
    (global.set $sum (i64.add (global.get $sum) (i64.load32_s offset=64 (local.get $p))))
    (global.set $sum (i64.add (global.get $sum) (i64.load32_u offset=64 (local.get $p))))
    (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_s (i32.load16_s offset=98 (local.get $p)))))
    (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_u (i32.load16_u offset=98 (local.get $p)))))
    (global.set $sum (i64.add (global.get $sum) (i64.load16_s offset=130 (local.get $p))))
    (global.set $sum (i64.add (global.get $sum) (i64.load16_u offset=130 (local.get $p))))
    (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_s (i32.load8_s offset=160 (local.get $p)))))
    (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_u (i32.load8_u offset=160 (local.get $p)))))
    (global.set $sum (i64.add (global.get $sum) (i64.load8_s offset=161 (local.get $p))))
    (global.set $sum (i64.add (global.get $sum) (i64.load8_u offset=161 (local.get $p))))
    ;; the input, read into the last page at an offset that splits every chunk
    (local.set $n (call $input_size))
    (call $input_read (i32.add (local.get $p) (i32.const 203)) (i32.const 0) (local.get $n))
    ;; bulk: forward copy from the low data, a backward overlapping copy, a fill, memory.init
    (memory.copy (i32.add (local.get $p) (i32.const 1000)) (i32.const 64) (i32.const 29))
    (memory.copy (i32.add (local.get $p) (i32.const 1013)) (i32.add (local.get $p) (i32.const 1000)) (i32.const 70))
    (memory.fill (i32.add (local.get $p) (i32.const 1200)) (i32.const 0x5a) (i32.const 75))
    (memory.init $passive (i32.add (local.get $p) (i32.const 1300)) (i32.const 2) (i32.const 50))
    (data.drop $passive)
    ;; fold the whole region in 8-byte steps
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 1400)))
        (call $mix (i32.add (local.get $p) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 56)))
        (br $next)))
    (i64.store offset=1500 (local.get $p) (global.get $sum))
    ;; a grow past any limit fails with -1 and changes nothing
    (i64.store offset=1508 (local.get $p) (i64.extend_i32_s (memory.grow (i32.const 70000))))
    (call $output_write (i32.add (local.get $p) (i32.const 1000)) (i32.const 516))
    (call $output_write (i32.add (local.get $p) (i32.const 203)) (local.get $n)))

  ;; An 8-byte load two bytes before the end of memory: traps out_of_bounds_memory.
  (func (export "oob") (result i64)
    (i64.load (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 2)))))
