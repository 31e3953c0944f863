;; A small bytecode interpreter (test corpus): dispatch through br_table, an
;; operand stack in linear memory, 64-bit arithmetic. The task input is the
;; bytecode; the output is whatever OUT writes. Opcodes (1 byte each, imm8 /
;; rel8 operands follow the opcode):
;;   0 HALT      1 PUSH imm8   2 ADD   3 SUB   4 MUL   5 DUP   6 SWAP
;;   7 JNZ rel8 (pops; jumps by a signed offset from the next opcode)
;;   8 DEC       9 OUT (pops, writes 8 bytes LE)   10 DROP   11 DIVS (traps on /0)
;;   12 CALLSUB len8 (recursion: runs the next len8 bytes as a sub-program
;;      with its own stack on top of ours, pushes its result, skips them)
;;   13 OVER (copies the second value to the top)
;; Any other opcode traps (unreachable). Running off the end halts.
;; Plain export: exec(ptr, len) interprets bytecode already in memory and
;; returns the top of the stack (0 if empty).
(module
  (import "task" "input_size" (func $input_size (result i32)))
  (import "task" "input_read" (func $input_read (param i32 i32 i32)))
  (import "task" "output_write" (func $output_write (param i32 i32)))
  (memory (export "memory") 2 2)
  ;; code at 0x1000, stack at 0x8000 (grows up), output scratch at 0x10
  (global $sp (mut i32) (i32.const 0x8000))

  (func $push (param i64)
    (i64.store (global.get $sp) (local.get 0))
    (global.set $sp (i32.add (global.get $sp) (i32.const 8))))
  (func $pop (result i64)
    (global.set $sp (i32.sub (global.get $sp) (i32.const 8)))
    (i64.load (global.get $sp)))

  (func $exec (export "exec") (param $pc i32) (param $len i32) (result i64)
    (local $end i32) (local $op i32) (local $a i64) (local $b i64) (local $base i32)
    (local.set $end (i32.add (local.get $pc) (local.get $len)))
    (local.set $base (global.get $sp))
    (block $halt
      (loop $next
        (br_if $halt (i32.ge_u (local.get $pc) (local.get $end)))
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (block $bad
        (block $over
        (block $callsub
        (block $divs
        (block $drop
        (block $out
        (block $dec
        (block $jnz
        (block $swap
        (block $dup
        (block $mul
        (block $sub
        (block $add
        (block $pushi
          (br_table $halt $pushi $add $sub $mul $dup $swap $jnz $dec $out $drop $divs $callsub $over $bad
            (local.get $op)))
        ;; PUSH imm8 (sign-extended)
        (call $push (i64.extend_i32_s (i32.load8_s (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (br $next))
        ;; ADD
        (local.set $b (call $pop)) (local.set $a (call $pop))
        (call $push (i64.add (local.get $a) (local.get $b)))
        (br $next))
        ;; SUB
        (local.set $b (call $pop)) (local.set $a (call $pop))
        (call $push (i64.sub (local.get $a) (local.get $b)))
        (br $next))
        ;; MUL
        (local.set $b (call $pop)) (local.set $a (call $pop))
        (call $push (i64.mul (local.get $a) (local.get $b)))
        (br $next))
        ;; DUP
        (local.set $a (call $pop))
        (call $push (local.get $a)) (call $push (local.get $a))
        (br $next))
        ;; SWAP
        (local.set $b (call $pop)) (local.set $a (call $pop))
        (call $push (local.get $b)) (call $push (local.get $a))
        (br $next))
        ;; JNZ rel8
        (local.set $a (call $pop))
        (local.set $op (i32.load8_s (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (if (i64.ne (local.get $a) (i64.const 0))
          (then (local.set $pc (i32.add (local.get $pc) (local.get $op)))))
        (br $next))
        ;; DEC
        (call $push (i64.sub (call $pop) (i64.const 1)))
        (br $next))
        ;; OUT
        (i64.store (i32.const 0x10) (call $pop))
        (call $output_write (i32.const 0x10) (i32.const 8))
        (br $next))
        ;; DROP
        (drop (call $pop))
        (br $next))
        ;; DIVS
        (local.set $b (call $pop)) (local.set $a (call $pop))
        (call $push (i64.div_s (local.get $a) (local.get $b)))
        (br $next))
        ;; CALLSUB rel8: run the sub-program [pc+1, pc+1+rel8) with its own stack
        ;; above ours, push its result, continue after it.
        (local.set $op (i32.load8_u (local.get $pc)))
        (call $push
          (call $exec (i32.add (local.get $pc) (i32.const 1)) (local.get $op)))
        (local.set $pc (i32.add (i32.add (local.get $pc) (i32.const 1)) (local.get $op)))
        (br $next))
        ;; OVER
        (local.set $b (call $pop)) (local.set $a (call $pop))
        (call $push (local.get $a)) (call $push (local.get $b)) (call $push (local.get $a))
        (br $next))
      ;; unknown opcode
      unreachable))
    (if (result i64) (i32.gt_u (global.get $sp) (local.get $base))
      (then (call $pop))
      (else (i64.const 0))))

  (func (export "run")
    (local $n i32)
    (local.set $n (call $input_size))
    (if (i32.gt_u (local.get $n) (i32.const 0x6000)) (then (local.set $n (i32.const 0x6000))))
    (call $input_read (i32.const 0x1000) (i32.const 0) (local.get $n))
    (drop (call $exec (i32.const 0x1000) (local.get $n)))))
