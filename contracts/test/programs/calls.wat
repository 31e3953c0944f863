;; calls: calls, returns and the frame stack, for the lockstep tests. Recursion, call_indirect
;; through a table of several types, multi-value results across calls and branches, mutable
;; globals, br_table with values, and the call limits.
(module
  (type $unop (func (param i64) (result i64)))
  (type $binop (func (param i64 i64) (result i64)))
  (type $pair (func (param i32) (result i32 i64)))
  (table 6 funcref)
  (elem (i32.const 0) $sq $neg $addmul $split $sq)
  (global $calls (mut i32) (i32.const 0))
  (global $acc (mut i64) (i64.const 1))

  (func $sq (type $unop) (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i64.mul (local.get 0) (local.get 0)))
  (func $neg (type $unop) (i64.sub (i64.const 0) (local.get 0)))
  (func $addmul (type $binop) (i64.mul (i64.add (local.get 0) (local.get 1)) (local.get 1)))
  (func $split (type $pair) (local.get 0) (i64.extend_i32_s (i32.sub (i32.const 0) (local.get 0))))

  ;; Ackermann-style recursion with small arguments: deep, irregular call/return traffic.
  (func $ack (export "ack") (param $m i32) (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $m))
      (then (i32.add (local.get $n) (i32.const 1)))
      (else
        (if (result i32) (i32.eqz (local.get $n))
          (then (call $ack (i32.sub (local.get $m) (i32.const 1)) (i32.const 1)))
          (else
            (call $ack (i32.sub (local.get $m) (i32.const 1))
              (call $ack (local.get $m) (i32.sub (local.get $n) (i32.const 1)))))))))

  ;; Dispatches on $k through br_table (values kept across the branch) and call_indirect.
  (func $dispatch (export "dispatch") (param $k i32) (param $x i64) (result i64)
    (local $r i64)
    (block $b2 (result i64)
      (block $b1 (result i64)
        (block $b0 (result i64)
          (i64.const 99)
          (local.get $x)
          ;; keep 1 (x) over drop 1 (99)
          (br_table $b0 $b1 $b2 $b1 (local.get $k)))
        ;; $b0: square, then negate, through the table
        (call_indirect (type $unop) (i32.const 0))
        (return (call_indirect (type $unop) (i32.const 1))))
      ;; $b1: (x + 3) * 3
      (i64.const 3)
      (call_indirect (type $binop) (i32.const 2))
      (return))
    ;; $b2: multi-value through the table, combined with select
    (drop)
    (call_indirect (type $pair) (i32.wrap_i64 (local.get $x)) (i32.const 3))
    (local.set $r)
    (local.set $k)
    (select (local.get $r) (i64.const -1) (i32.gt_s (local.get $k) (i32.const 0))))

  (func (export "many") (result i64)
    (local $k i32)
    (loop $l
      (global.set $acc
        (i64.add (global.get $acc) (call $dispatch (i32.rem_u (local.get $k) (i32.const 4)) (i64.extend_i32_u (local.get $k)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $k) (i32.const 12))))
    (i64.add (global.get $acc) (i64.extend_i32_u (global.get $calls))))

  ;; Unbounded recursion: ends in call_stack_exhausted (or value_stack_exhausted).
  (func $down (export "down") (param $n i32) (result i32)
    (i32.add (call $down (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  ;; A trap deep in the call stack.
  (func $trapAt (export "trapAt") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (unreachable))
      (else (call $trapAt (i32.sub (local.get $n) (i32.const 1))))))

  ;; call_indirect with the wrong type: traps indirect_call_type_mismatch.
  (func (export "badtype") (result i64) (call_indirect (type $unop) (i64.const 1) (i32.const 2)))
  ;; call_indirect of a null entry: traps indirect_call_null.
  (func (export "nullentry") (result i64) (call_indirect (type $unop) (i64.const 1) (i32.const 5))))
