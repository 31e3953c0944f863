/**
 * WAT programs for the state/proof tests and the vector generator: together
 * they reach every executable IR opcode, every trap code, every limit, the host
 * API's micro-steps, bulk-memory micro-steps in both directions, segment drops,
 * and unaligned accesses that cross 32-byte memory leaves.
 *
 * A program is a module plus runs; a run is a task (`forTask`) or a sequence of
 * export invocations on ONE instance (state persists between them, so later
 * calls see earlier stores, drops and grows).
 */
import type { Limits, Value } from "../../src/types.ts";
import { i32, i64 } from "./compare.ts";

export interface StateRun {
  label: string;
  /** Task input (a task run) or the instance's input (invocations). */
  input?: Uint8Array;
  limits?: Partial<Limits>;
  /** Run the task entry `run`. */
  task?: boolean;
  /** Invocations, in order, on one instance. */
  calls?: { name: string; args: Value[] }[];
  /** How the run ends: "finished" (default), "out_of_steps" or "trapped:<code>"; earlier calls finish. */
  end?: string;
}

export interface StateProgram {
  name: string;
  wat: string;
  runs: StateRun[];
}

import { VALUES_PER_STEP } from "../../src/micro.ts";
import { ARITY_SHAPES, arityProgram } from "./arity-programs.ts";

const call = (name: string, ...args: Value[]) => ({ name, args });
const bytes = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i) & 255);
/** A WAT string literal of bytes. */
const watBytes = (b: Uint8Array) => Array.from(b, (x) => `\\${x.toString(16).padStart(2, "0")}`).join("");

// Small limits keep proofs short (memory tree depth, stack allocations).
const SMALL: Partial<Limits> = { maxCallDepth: 64, maxValueStack: 4096, maxMemoryPages: 4 };

// ---------------------------------------------------------------- control, parametric, variables

const CONTROL = `
(module
  (type $t_ii (func (param i32) (result i32)))
  (type $t_iii (func (param i32 i32) (result i32)))
  (type $t_ii_again (func (param i32) (result i32)))
  (table 5 funcref)
  (elem (i32.const 0) $inc $add $inc2)
  (global $g (mut i32) (i32.const 7))
  (global $g64 (mut i64) (i64.const -1))
  (global $k i32 (i32.const 3))
  (func $inc (type $t_ii) local.get 0 i32.const 1 i32.add)
  (func $add (type $t_iii) local.get 0 local.get 1 i32.add)
  (func $inc2 (type $t_ii_again) local.get 0 i32.const 2 i32.add)

  ;; br / br_if with keep and drop, if/else (br_unless + br), if without else
  (func (export "blocks") (param $x i32) (result i32)
    (local $acc i32)
    (block $b (result i32)
      i32.const 100
      i32.const 200
      local.get $x
      br_if $b            ;; taken: keep 1 (200) over drop 1 (100)
      drop                ;; not taken: [100]
    )
    local.set $acc
    (block $c (result i32)
      i32.const 1
      i32.const 2
      i32.const 3
      br $c)              ;; keep 1 drop 2
    local.get $acc
    i32.add
    local.set $acc
    (if (result i32) (local.get $x)
      (then (i32.const 10))
      (else (i32.const 20)))
    local.get $acc
    i32.add
    local.set $acc
    (if (i32.eqz (local.get $x)) (then (local.set $acc (i32.const -1))))
    (block $e (br_if $e (local.get $x)) (local.set $acc (i32.add (local.get $acc) (i32.const 1000))))
    local.get $acc)

  ;; br_table: entries to blocks (keep 1, drop 1), the default, and the function label (return)
  (func (export "switch") (param $i i32) (result i32)
    i32.const 1000
    (block $c (result i32)
      (block $b (result i32)
        (block $a (result i32)
          i32.const 5
          i32.const 7
          local.get $i
          br_table $a $b $c 3 $b)
        i32.const 1
        i32.add)
      i32.const 10
      i32.add)
    i32.add)

  ;; br_table without values (keep 0, drop 0)
  (func (export "switch0") (param $i i32) (result i32)
    (block $z
      (block $y
        (br_table $y $z $y (local.get $i)))
      (return (i32.const 1)))
    i32.const 2)

  ;; loop with a parameter: br_if to a loop label keeps the loop's params
  (func (export "loopsum") (param $n i32) (result i32)
    i32.const 0
    (loop $l (param i32) (result i32)
      local.get $n
      i32.add
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $l))

  ;; multi-value: a block with params and two results, a function with two results
  (func $pair (param i64) (result i64 i32) local.get 0 i32.const 9)
  (func (export "multi") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    (block (param i32 i32) (result i32 i32) i32.const 1 i32.add)
    i32.mul
    i64.const 5
    call $pair
    drop
    i32.wrap_i64
    i32.add)

  ;; return_if (br_if to the function label) and an explicit return inside blocks
  (func (export "retif") (param $x i32) (result i32)
    i32.const 42
    local.get $x
    i32.const 1
    i32.eq
    br_if 0
    drop
    (block (block (if (i32.gt_u (local.get $x) (i32.const 100)) (then (return (i32.const 7))))))
    i32.const 43)

  ;; select (i32 and i64), drop, locals (more than one leaf level), globals
  (func (export "vars") (param $x i32) (param $y i64) (result i64)
    (local $a i64) (local $b i32) (local $c i64) (local $d i32) (local $e i64)
    (local.set $a (select (local.get $y) (i64.const -5) (local.get $x)))
    (local.set $b (select (i32.const 11) (i32.const 22) (local.get $x)))
    (local.set $c (i64.extend_i32_u (local.tee $d (i32.add (local.get $b) (global.get $g)))))
    (global.set $g (i32.add (global.get $g) (global.get $k)))
    (global.set $g64 (i64.add (global.get $g64) (local.get $a)))
    (local.set $e (global.get $g64))
    (drop (i32.const 99))
    (i64.add (i64.add (local.get $a) (local.get $c)) (i64.add (local.get $e) (i64.extend_i32_s (local.get $d)))))

  ;; calls: direct, indirect (ok, same-structure type, type mismatch, null, out of bounds)
  (func (export "indirect") (param $x i32) (param $i i32) (result i32)
    (call_indirect (type $t_ii) (local.get $x) (local.get $i)))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "boom") (result i32) i32.const 1 unreachable)
  (func (export "consts") (result i64)
    (i64.add (i64.const 0x123456789abcdef0) (i64.extend_i32_u (i32.const -1))))
)`;

const CONTROL_RUNS: StateRun[] = [
  {
    label: "control flow",
    limits: SMALL,
    calls: [
      call("blocks", i32(0)),
      call("blocks", i32(5)),
      ...[0, 1, 2, 3, 4, 100, -1].map((i) => call("switch", i32(i))),
      ...[0, 1, 2, 7].map((i) => call("switch0", i32(i))),
      call("loopsum", i32(5)),
      call("multi", i32(3), i32(4)),
      call("retif", i32(0)),
      call("retif", i32(1)),
      call("retif", i32(200)),
      call("vars", i32(0), i64(123n)),
      call("vars", i32(1), i64(-123n)),
      call("indirect", i32(10), i32(0)),
      call("indirect", i32(10), i32(2)),
      call("fib", i32(6)),
      call("consts"),
    ],
  },
  { label: "indirect: type mismatch", end: "trapped:indirect_call_type_mismatch", limits: SMALL, calls: [call("indirect", i32(1), i32(1))] },
  { label: "indirect: null entry", end: "trapped:indirect_call_null", limits: SMALL, calls: [call("indirect", i32(1), i32(3))] },
  { label: "indirect: out of bounds", end: "trapped:out_of_bounds_table", limits: SMALL, calls: [call("indirect", i32(1), i32(5))] },
  { label: "indirect: huge index", end: "trapped:out_of_bounds_table", limits: SMALL, calls: [call("indirect", i32(1), i32(-1))] },
  { label: "unreachable", end: "trapped:unreachable", limits: SMALL, calls: [call("boom")] },
  { label: "out of steps", end: "out_of_steps", limits: { ...SMALL, maxSteps: 40 }, calls: [call("fib", i32(6))] },
  { label: "maxSteps 0", end: "out_of_steps", limits: { ...SMALL, maxSteps: 0 }, calls: [call("fib", i32(6))] },
  { label: "maxSteps 1", end: "out_of_steps", limits: { ...SMALL, maxSteps: 1 }, calls: [call("fib", i32(1))] },
];

// ---------------------------------------------------------------- memory

const MEM_INIT = bytes(96, (i) => (i * 37 + 0x80) ^ (i << 3));

const MEMORY = `
(module
  (memory 1 6)
  (data (i32.const 0) "${watBytes(MEM_INIT)}")
  (data (i32.const 65500) "${watBytes(bytes(36, (i) => 0xf0 - i))}")
  (func (export "loads") (param $a i32) (result i64)
    (local $r i64)
    (local.set $r (i64.extend_i32_u (i32.load (local.get $a))))
    (local.set $r (i64.xor (local.get $r) (i64.load (local.get $a))))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (i32.load8_s (local.get $a)))))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (i32.load8_u offset=1 (local.get $a)))))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (i32.load16_s offset=2 (local.get $a)))))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (i32.load16_u offset=3 (local.get $a)))))
    (local.set $r (i64.add (local.get $r) (i64.load8_s offset=4 (local.get $a))))
    (local.set $r (i64.add (local.get $r) (i64.load8_u offset=5 (local.get $a))))
    (local.set $r (i64.add (local.get $r) (i64.load16_s offset=6 (local.get $a))))
    (local.set $r (i64.add (local.get $r) (i64.load16_u offset=7 (local.get $a))))
    (local.set $r (i64.add (local.get $r) (i64.load32_s offset=1 (local.get $a))))
    (local.set $r (i64.add (local.get $r) (i64.load32_u offset=2 (local.get $a))))
    (i64.add (local.get $r) (i64.load offset=3 (local.get $a))))
  (func (export "stores") (param $a i32) (param $v i64)
    (i64.store (local.get $a) (local.get $v))
    (i32.store offset=9 (local.get $a) (i32.wrap_i64 (local.get $v)))
    (i32.store8 offset=14 (local.get $a) (i32.wrap_i64 (local.get $v)))
    (i32.store16 offset=15 (local.get $a) (i32.const -2))
    (i64.store8 offset=18 (local.get $a) (local.get $v))
    (i64.store16 offset=19 (local.get $a) (local.get $v))
    (i64.store32 offset=21 (local.get $a) (local.get $v))
    (i64.store offset=25 (local.get $a) (i64.const -1)))
  (func (export "load64") (param $a i32) (result i64) (i64.load (local.get $a)))
  (func (export "load32") (param $a i32) (result i32) (i32.load offset=2 (local.get $a)))
  (func (export "load8") (param $a i32) (result i32) (i32.load8_u (local.get $a)))
  (func (export "store64") (param $a i32) (param $v i64) (i64.store (local.get $a) (local.get $v)))
  (func (export "store32") (param $a i32) (param $v i32) (i32.store offset=1 (local.get $a) (local.get $v)))
  (func (export "store8") (param $a i32) (i32.store8 (local.get $a) (i32.const 255)))
  (func (export "load_off") (param $a i32) (result i32) (i32.load offset=0xffffffff (local.get $a)))
  (func (export "grow") (param $d i32) (result i32) (memory.grow (local.get $d)))
  (func (export "size") (result i32) memory.size)
)`;

const loadsAt = [0, 24, 25, 28, 29, 31, 33, 60, 65500, 65520];
const MEMORY_RUNS: StateRun[] = [
  {
    label: "loads and stores (crossing leaves)",
    limits: SMALL,
    calls: [
      ...loadsAt.map((a) => call("loads", i32(a))),
      ...[0, 7, 27, 30, 31, 62, 65495].map((a) => call("stores", i32(a), i64(0x1122334455667788n + BigInt(a)))),
      ...[27, 28, 31, 60].map((a) => call("loads", i32(a))),
      call("load64", i32(65528)),
      call("store64", i32(65528), i64(-2n)),
      call("load64", i32(65528)),
      call("load8", i32(65535)),
      call("store8", i32(65535)),
      call("load32", i32(65530)),
      call("store32", i32(65531), i32(0x01020304)),
      call("store32", i32(29), i32(0x0a0b0c0d)),
      call("load32", i32(28)),
    ],
  },
  {
    label: "grow and size (task limit 3 pages)",
    limits: { ...SMALL, maxMemoryPages: 3 },
    calls: [
      call("size"),
      call("grow", i32(0)),
      call("grow", i32(1)),
      call("store64", i32(65536 + 30), i64(0x0102030405060708n)),
      call("load64", i32(65536 + 30)),
      call("grow", i32(2)),
      call("grow", i32(1)),
      call("grow", i32(-1)),
      call("size"),
      call("load64", i32(3 * 65536 - 8)),
    ],
  },
  {
    label: "grow to the module's declared maximum (6)",
    limits: { ...SMALL, maxMemoryPages: 1000 },
    calls: [call("grow", i32(7)), call("grow", i32(5)), call("grow", i32(1)), call("size"), call("store8", i32(6 * 65536 - 1))],
  },
  { label: "i64.load out of bounds", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("load64", i32(65529))] },
  { label: "i64.store out of bounds", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("store64", i32(65533), i64(1n))] },
  { label: "i32.load8_u out of bounds", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("load8", i32(65536))] },
  { label: "i32.load offset wraps past 4 GiB", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("load_off", i32(1))] },
  { label: "i32.store out of bounds", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("store32", i32(65533), i32(1))] },
  { label: "loads: huge address", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("loads", i32(-4))] },
];

// ---------------------------------------------------------------- bulk memory, tables, segments

const PASSIVE = bytes(75, (i) => 0x30 + i);

const BULK = `
(module
  (type $t (func (result i32)))
  (memory 1 1)
  (table 8 funcref)
  (data $active (i32.const 1000) "active")
  (data $p "${watBytes(PASSIVE)}")
  (data $empty "")
  (elem $eactive (i32.const 0) $f0 $f1)
  (elem $ep func $f0 $f1 $f2 $f0 $f1)
  (func $f0 (type $t) i32.const 100)
  (func $f1 (type $t) i32.const 101)
  (func $f2 (type $t) i32.const 102)
  (func (export "fill") (param $d i32) (param $v i32) (param $n i32) (memory.fill (local.get $d) (local.get $v) (local.get $n)))
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32) (memory.copy (local.get $d) (local.get $s) (local.get $n)))
  (func (export "init") (param $d i32) (param $s i32) (param $n i32) (memory.init $p (local.get $d) (local.get $s) (local.get $n)))
  (func (export "init_active") (param $d i32) (param $s i32) (param $n i32) (memory.init $active (local.get $d) (local.get $s) (local.get $n)))
  (func (export "init_empty") (param $d i32) (param $s i32) (param $n i32) (memory.init $empty (local.get $d) (local.get $s) (local.get $n)))
  (func (export "ddrop") (data.drop $p))
  (func (export "ddrop_active") (data.drop $active))
  (func (export "tcopy") (param $d i32) (param $s i32) (param $n i32) (table.copy (local.get $d) (local.get $s) (local.get $n)))
  (func (export "tinit") (param $d i32) (param $s i32) (param $n i32) (table.init $ep (local.get $d) (local.get $s) (local.get $n)))
  (func (export "tinit_active") (param $d i32) (param $s i32) (param $n i32) (table.init $eactive (local.get $d) (local.get $s) (local.get $n)))
  (func (export "edrop") (elem.drop $ep))
  (func (export "edrop_active") (elem.drop $eactive))
  (func (export "callt") (param $i i32) (result i32) (call_indirect (type $t) (local.get $i)))
  (func (export "load") (param $a i32) (result i64) (i64.load (local.get $a)))
  (func (export "sum") (param $a i32) (param $n i32) (result i32)
    (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31)) (i32.load8_u (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    local.get $s)
)`;

const BULK_RUNS: StateRun[] = [
  {
    label: "memory.fill/copy/init, data.drop",
    limits: SMALL,
    calls: [
      call("fill", i32(5), i32(0xab), i32(100)),
      call("fill", i32(64), i32(0x101), i32(32)),
      call("fill", i32(7), i32(1), i32(3)),
      call("fill", i32(0), i32(0), i32(0)),
      call("fill", i32(65536), i32(0), i32(0)),
      call("init", i32(3), i32(5), i32(60)),
      call("init", i32(200), i32(0), i32(75)),
      call("init", i32(0), i32(75), i32(0)),
      call("sum", i32(60), i32(24)),
      // forward copies (dst <= src): different alignments, equal alignment, dst == src
      call("copy", i32(10), i32(47), i32(90)),
      call("copy", i32(300), i32(332), i32(64)),
      call("copy", i32(400), i32(400), i32(40)),
      // backward copies (dst > src): overlapping, not overlapping, unaligned
      call("copy", i32(20), i32(5), i32(70)),
      call("copy", i32(600), i32(100), i32(40)),
      call("copy", i32(63), i32(62), i32(33)),
      call("copy", i32(5), i32(0), i32(0)),
      call("copy", i32(65536), i32(65536), i32(0)),
      call("copy", i32(65530), i32(65000), i32(6)),
      call("sum", i32(56), i32(16)),
      call("init_empty", i32(0), i32(0), i32(0)),
      call("ddrop"),
      call("ddrop"),
      call("ddrop_active"),
      call("init", i32(0), i32(0), i32(0)),
      call("init_active", i32(9), i32(0), i32(0)),
    ],
  },
  {
    label: "table.copy/init, elem.drop, call_indirect",
    limits: SMALL,
    calls: [
      call("callt", i32(0)),
      call("tinit", i32(2), i32(1), i32(4)),
      call("callt", i32(4)),
      call("tcopy", i32(5), i32(1), i32(3)),
      call("tcopy", i32(0), i32(3), i32(3)),
      call("tcopy", i32(1), i32(1), i32(2)),
      call("tcopy", i32(8), i32(0), i32(0)),
      call("tinit", i32(8), i32(5), i32(0)),
      call("callt", i32(6)),
      call("callt", i32(7)),
      call("edrop"),
      call("edrop"),
      call("edrop_active"),
      call("tinit", i32(0), i32(0), i32(0)),
      call("tinit_active", i32(0), i32(0), i32(0)),
    ],
  },
  { label: "memory.fill out of bounds", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("fill", i32(65530), i32(0), i32(7))] },
  { label: "memory.fill huge length", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("fill", i32(1), i32(0), i32(-1))] },
  { label: "memory.copy source out of bounds", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("copy", i32(0), i32(65500), i32(100))] },
  { label: "memory.copy destination out of bounds", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("copy", i32(65500), i32(0), i32(100))] },
  { label: "memory.init beyond the segment", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("init", i32(0), i32(70), i32(6))] },
  { label: "memory.init beyond memory", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("init", i32(65530), i32(0), i32(7))] },
  { label: "memory.init after data.drop", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("ddrop"), call("init", i32(0), i32(0), i32(1))] },
  { label: "memory.init of an active segment", end: "trapped:out_of_bounds_memory", limits: SMALL, calls: [call("init_active", i32(0), i32(0), i32(1))] },
  { label: "table.copy out of bounds", end: "trapped:out_of_bounds_table", limits: SMALL, calls: [call("tcopy", i32(6), i32(0), i32(3))] },
  { label: "table.init out of bounds", end: "trapped:out_of_bounds_table", limits: SMALL, calls: [call("tinit", i32(0), i32(3), i32(3))] },
  { label: "table.init after elem.drop", end: "trapped:out_of_bounds_table", limits: SMALL, calls: [call("edrop"), call("tinit", i32(0), i32(0), i32(1))] },
  { label: "call_indirect of a null entry after table.init", end: "trapped:indirect_call_null", limits: SMALL, calls: [call("tinit", i32(0), i32(1), i32(1)), call("callt", i32(2))] },
];

// ---------------------------------------------------------------- host API

const HOST = `
(module
  (import "task" "input_size" (func $isz (result i32)))
  (import "task" "input_read" (func $ird (param i32 i32 i32)))
  (import "task" "output_write" (func $ow (param i32 i32)))
  (memory 1 1)
  (func (export "run")
    (local $n i32)
    (local.set $n (call $isz))
    ;; the whole input at an unaligned address
    (call $ird (i32.const 5) (i32.const 0) (local.get $n))
    ;; a piece at an address aligned differently from the input offset
    (call $ird (i32.const 200) (i32.const 7) (i32.sub (local.get $n) (i32.const 7)))
    ;; nothing
    (call $ird (i32.const 300) (local.get $n) (i32.const 0))
    ;; output: 70 bytes from an unaligned address, nothing, then 45 more (output position 70)
    (call $ow (i32.const 3) (i32.const 70))
    (call $ow (i32.const 0) (i32.const 0))
    (call $ow (i32.const 200) (i32.const 45))
    (call $ow (i32.const 250) (i32.const 1)))
  (func (export "read") (param $d i32) (param $o i32) (param $n i32) (call $ird (local.get $d) (local.get $o) (local.get $n)))
  (func (export "write") (param $s i32) (param $n i32) (call $ow (local.get $s) (local.get $n)))
  (func (export "write2") (param $s i32) (param $n i32) (call $ow (local.get $s) (local.get $n)) (call $ow (local.get $s) (local.get $n)))
  (func (export "size") (result i32) (call $isz))
)`;

const HOST_INPUT = bytes(77, (i) => i * 13 + 1);
const HOST_RUNS: StateRun[] = [
  { label: "task: read and write in chunks", task: true, input: HOST_INPUT, limits: SMALL },
  { label: "task: empty input (input_read past the input)", end: "trapped:input_out_of_bounds", task: true, input: new Uint8Array(0), limits: SMALL },
  { label: "input_read past the input", end: "trapped:input_out_of_bounds", input: HOST_INPUT, limits: SMALL, calls: [call("size"), call("read", i32(0), i32(70), i32(8))] },
  { label: "input_read offset past the input", end: "trapped:input_out_of_bounds", input: HOST_INPUT, limits: SMALL, calls: [call("read", i32(0), i32(78), i32(0))] },
  { label: "input_read past memory", end: "trapped:out_of_bounds_memory", input: HOST_INPUT, limits: SMALL, calls: [call("read", i32(65500), i32(0), i32(77))] },
  { label: "output_write past memory", end: "trapped:out_of_bounds_memory", input: HOST_INPUT, limits: SMALL, calls: [call("write", i32(65530), i32(7))] },
  { label: "output_write over the output limit", end: "trapped:output_limit", limits: { ...SMALL, maxOutputBytes: 50 }, calls: [call("write2", i32(0), i32(25)), call("write2", i32(0), i32(26))] },
  { label: "output_write over the output limit at once", end: "trapped:output_limit", limits: { ...SMALL, maxOutputBytes: 50 }, calls: [call("write", i32(1), i32(51))] },
  { label: "output limit reached exactly", limits: { ...SMALL, maxOutputBytes: 40 }, calls: [call("write", i32(9), i32(40)), call("write2", i32(3), i32(20))] },
];

// ---------------------------------------------------------------- limits and the task bootstrap

const LIMITS = `
(module
  (import "task" "output_write" (func $ow (param i32 i32)))
  (memory 1)
  (global $depth (mut i32) (i32.const 0))
  (func $start
    (global.set $depth (i32.const 1))
    (i32.store (i32.const 0) (i32.const 0x64636261)))
  (start $start)
  (func $rec (export "rec") (param $n i32) (result i32)
    (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
    (if (result i32) (i32.eqz (local.get $n)) (then (global.get $depth))
      (else (call $rec (i32.sub (local.get $n) (i32.const 1))))))
  (func $fat (export "fat") (param $n i32) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64)
    (if (result i64) (i32.eqz (local.get $n)) (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $fat (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "run")
    (i32.store (i32.const 4) (call $rec (i32.const 3)))
    (call $ow (i32.const 0) (i32.const 8)))
)`;

const LIMITS_RUNS: StateRun[] = [
  { label: "task with a start function", task: true, limits: SMALL },
  { label: "call depth: exactly at the limit", limits: { ...SMALL, maxCallDepth: 6 }, calls: [call("rec", i32(5))] },
  { label: "call_stack_exhausted", end: "trapped:call_stack_exhausted", limits: { ...SMALL, maxCallDepth: 6 }, calls: [call("rec", i32(6))] },
  { label: "value_stack_exhausted", end: "trapped:value_stack_exhausted", limits: { ...SMALL, maxValueStack: 40 }, calls: [call("fat", i32(10))] },
  { label: "value stack: fits", limits: { ...SMALL, maxValueStack: 40 }, calls: [call("fat", i32(2))] },
  { label: "task out of steps", end: "out_of_steps", task: true, limits: { ...SMALL, maxSteps: 25 } },
  { label: "task with maxSteps 0", end: "out_of_steps", task: true, limits: { ...SMALL, maxSteps: 0 } },
  { label: "task out of output", end: "trapped:output_limit", task: true, limits: { ...SMALL, maxOutputBytes: 7 } },
];

// ---------------------------------------------------------------- numeric operators

export const I32_BINARY = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u", "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"];
export const I32_UNARY = ["eqz", "clz", "ctz", "popcnt", "extend8_s", "extend16_s"];
export const I64_BINARY = I32_BINARY;
export const I64_UNARY = ["eqz", "clz", "ctz", "popcnt", "extend8_s", "extend16_s", "extend32_s"];

/** One export per numeric operator, named after it ("i32.add", "i64.extend_i32_s", ...). */
export const NUMERIC = `
(module
${I32_BINARY.map((o) => `  (func (export "i32.${o}") (param i32 i32) (result i32) local.get 0 local.get 1 i32.${o})`).join("\n")}
${I32_UNARY.map((o) => `  (func (export "i32.${o}") (param i32) (result i32) local.get 0 i32.${o})`).join("\n")}
${I64_BINARY.map((o) => `  (func (export "i64.${o}") (param i64 i64) (result ${/^(eq|ne|[lg][te]_[su])$/.test(o) ? "i32" : "i64"}) local.get 0 local.get 1 i64.${o})`).join("\n")}
${I64_UNARY.map((o) => `  (func (export "i64.${o}") (param i64) (result ${o === "eqz" ? "i32" : "i64"}) local.get 0 i64.${o})`).join("\n")}
  (func (export "i32.wrap_i64") (param i64) (result i32) local.get 0 i32.wrap_i64)
  (func (export "i64.extend_i32_s") (param i32) (result i64) local.get 0 i64.extend_i32_s)
  (func (export "i64.extend_i32_u") (param i32) (result i64) local.get 0 i64.extend_i32_u)
  (func (export "consts") (result i64)
    (drop (i32.const 0)) (drop (i32.const -1)) (drop (i32.const 0x80000000))
    (drop (i64.const 0)) (drop (i64.const -1)) (drop (i64.const 0x8000000000000000))
    (i64.const 0x0123456789abcdef))
)`;

export const I32_EDGE = [0, 1, -1, 2, 31, 32, 33, 0x7fffffff, -0x80000000, 0x12345678, -7, 0x80];
export const I64_EDGE = [0n, 1n, -1n, 2n, 63n, 64n, 65n, 2n ** 63n - 1n, -(2n ** 63n), 0x123456789abcdef0n, -7n, 0xffffffffn, 0x100000000n];

export type NumericCase = { op: string; args: Value[] };

/** Calls of every numeric operator on every combination of `v32`/`v64` (unary: each value). */
export function numericCases(v32: number[], v64: bigint[]): NumericCase[] {
  const out: NumericCase[] = [];
  for (const o of I32_BINARY) for (const a of v32) for (const b of v32) out.push({ op: `i32.${o}`, args: [i32(a), i32(b)] });
  for (const o of I32_UNARY) for (const a of v32) out.push({ op: `i32.${o}`, args: [i32(a)] });
  for (const o of I64_BINARY) for (const a of v64) for (const b of v64) out.push({ op: `i64.${o}`, args: [i64(a), i64(b)] });
  for (const o of I64_UNARY) for (const a of v64) out.push({ op: `i64.${o}`, args: [i64(a)] });
  for (const a of v64) out.push({ op: "i32.wrap_i64", args: [i64(a)] });
  for (const a of v32) out.push({ op: "i64.extend_i32_s", args: [i32(a)] }, { op: "i64.extend_i32_u", args: [i32(a)] });
  return out;
}

/** Numeric calls that trap, each meant as its own run (a trap ends an invocation). */
export const NUMERIC_TRAPS: NumericCase[] = [
  { op: "i32.div_s", args: [i32(5), i32(0)] },
  { op: "i32.div_u", args: [i32(5), i32(0)] },
  { op: "i32.rem_s", args: [i32(5), i32(0)] },
  { op: "i32.rem_u", args: [i32(5), i32(0)] },
  { op: "i32.div_s", args: [i32(-0x80000000), i32(-1)] },
  { op: "i64.div_s", args: [i64(5n), i64(0n)] },
  { op: "i64.div_u", args: [i64(5n), i64(0n)] },
  { op: "i64.rem_s", args: [i64(5n), i64(0n)] },
  { op: "i64.rem_u", args: [i64(5n), i64(0n)] },
  { op: "i64.div_s", args: [i64(-(2n ** 63n)), i64(-1n)] },
];

/** A small numeric run set (two operand sets per operator, then the traps): for vectors. */
export function numericRuns(v32: number[], v64: bigint[]): StateRun[] {
  const ok = numericCases(v32, v64).filter((c) => !NUMERIC_TRAPS.some((t) => t.op === c.op && sameArgs(t.args, c.args)) && !traps(c));
  return [
    { label: "numeric operators", limits: SMALL, calls: [{ name: "consts", args: [] }, ...ok.map((c) => ({ name: c.op, args: c.args }))] },
    ...NUMERIC_TRAPS.map((t) => ({
      label: `${t.op} traps`,
      end: `trapped:${t.args[1]!.value === 0 || t.args[1]!.value === 0n ? "int_divide_by_zero" : "int_overflow"}`,
      limits: SMALL,
      calls: [{ name: t.op, args: t.args }],
    })),
  ];
}

function sameArgs(a: Value[], b: Value[]): boolean {
  return a.length === b.length && a.every((x, i) => x.type === b[i]!.type && BigInt(x.value) === BigInt(b[i]!.value));
}

/** Does this numeric case trap (division by zero, MIN / -1)? */
export function traps(c: NumericCase): boolean {
  if (!/\.(div|rem)_[su]$/.test(c.op)) return false;
  const [a, b] = c.args.map((v) => BigInt(v.value));
  if (b === 0n) return true;
  const min = c.op.startsWith("i32") ? -(2n ** 31n) : -(2n ** 63n);
  return c.op.endsWith("div_s") && a === min && b === -1n;
}

// ---------------------------------------------------------------- the set

/** Every program with its runs (the numeric sweep is separate: see numericCases). */
export const STATE_PROGRAMS: StateProgram[] = [
  { name: "control", wat: CONTROL, runs: CONTROL_RUNS },
  { name: "memory", wat: MEMORY, runs: MEMORY_RUNS },
  { name: "bulk", wat: BULK, runs: BULK_RUNS },
  { name: "host", wat: HOST, runs: HOST_RUNS },
  { name: "limits", wat: LIMITS, runs: LIMITS_RUNS },
  // Moves of K+1 values: every kind of micro-step (aside, drop, back, call groups).
  ...ARITY_SHAPES.map((shape): StateProgram => {
    const p = arityProgram(shape, VALUES_PER_STEP + 1);
    return { name: `moves-${shape}`, wat: p.wat, runs: [{ label: `${shape} of ${p.n} values`, calls: p.calls.map((c) => call(c.name)) }] };
  }),
];

export const NUMERIC_PROGRAM: StateProgram = {
  name: "numeric",
  wat: NUMERIC,
  runs: numericRuns([7, -3], [7n, -3n]),
};
