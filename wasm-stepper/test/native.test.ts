/**
 * The native engine (src/native/): V8 running the instrumented module must
 * give exactly the interpreter's status, trap, results, output and step count
 * (spec/EXECUTION.md), at every step limit (`npm run test:full`; a seeded sample with the
 * first and last limits under `npm test`).
 */
import { describe, expect, it } from "vitest";
import type { CompiledModule } from "../src/compile/types.ts";
import { compileWasm, loadModule } from "../src/load.ts";
import { watToWasm } from "../src/decode/wat.ts";
import { Machine } from "../src/machine.ts";
import { NativeInstance, runNativeTask, type NativeOptions } from "../src/native/index.ts";
import { byteMovePrefix, byteMoveSteps, firstChunk, lastChunk } from "../src/micro.ts";
import { ByteWriter } from "../src/native/encode.ts";
import { instrumentModule } from "../src/native/instrument.ts";
import { WA } from "../src/native/wasm-api.ts";
import type { Limits, RunResult, Value } from "../src/types.ts";
import { UsageError } from "../src/errors.ts";
import { norm } from "./helpers/run-result.ts";
import { sweep } from "./helpers/sample.ts";

const i32 = (value: number): Value => ({ type: "i32", value });
const i64 = (value: bigint): Value => ({ type: "i64", value });


const cache = new Map<string, Promise<CompiledModule>>();
function load(wat: string, patch?: [string, string]): Promise<CompiledModule> {
  const key = patch ? `${wat}\0${patch.join()}` : wat;
  let p = cache.get(key);
  if (!p) {
    p = patch ? watToWasm(wat).then((b) => compileWasm(patchBytes(b, patch))) : loadModule(wat);
    cache.set(key, p);
  }
  return p;
}

function patchBytes(bytes: Uint8Array, [from, to]: [string, string]): Uint8Array {
  const hex = Buffer.from(bytes).toString("hex");
  const f = from.replace(/ /g, "");
  const at = hex.indexOf(f);
  if (at < 0 || at % 2 !== 0 || f.length !== to.length) throw new Error(`patch ${from} not applicable`);
  return Uint8Array.from(Buffer.from(hex.slice(0, at) + to + hex.slice(at + f.length), "hex"));
}

// ---------------------------------------------------------------------------
// Programs of the differential test set (task form: export "run").
// ---------------------------------------------------------------------------

interface TaskCase {
  name: string;
  wat: string;
  /** Binary patch [from, to] (hex) applied to the assembled module. */
  patch?: [string, string];
  input?: Uint8Array;
  limits?: Partial<Limits>;
  /**
   * Expected status with unlimited steps (guards against a program that tests
   * nothing); `byV8` when V8 itself raises the trap (the fast variant then has
   * no exact count and re-runs precisely).
   */
  expect: { status: RunResult["status"]; trap?: string; byV8?: boolean };
}

const OW = `(import "task" "output_write" (func $ow (param i32 i32)))`;

const TASKS: TaskCase[] = [
  {
    name: "loop with stores",
    wat: `(module ${OW} (memory 1)
      (func (export "run") (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $i))))
          (i32.store8 (local.get $i) (local.get $s))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 20))))
        (call $ow (i32.const 0) (i32.const 20))))`,
    expect: { status: "finished" },
  },
  {
    name: "recursion",
    wat: `(module ${OW} (memory 1)
      (func $fib (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
      (func (export "run") (i32.store (i32.const 0) (call $fib (i32.const 7))) (call $ow (i32.const 0) (i32.const 4))))`,
    expect: { status: "finished" },
  },
  {
    name: "br_table, multi-value, block params, return, dead else",
    wat: `(module ${OW} (memory 1)
      (func $cls (param i32) (result i32)
        (block $d (block $c (block $b (block $a (br_table $a $b $c $d (local.get 0)))
              (return (i32.const 10)))
            (return (i32.const 20)))
          (br_if $d (i32.eqz (local.get 0)))
          (return (i32.const 30)))
        (i32.const 40))
      (func $divmod (param i32 i32) (result i32 i32) (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
      (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
      (func $countdown (param i32) (result i32)
        local.get 0
        loop $l (param i32) (result i32)
          i32.const 1
          i32.sub
          local.tee 0
          local.get 0
          br_if $l
        end)
      (func $iff (param i32) (result i32)
        (block $out (result i32)
          (if (result i32) (local.get 0)
            (then (br $out (i32.const 5)))
            (else (i32.const 6)))
          (i32.const 1) (i32.add)))
      (func (export "run") (local $i i32)
        (loop $l
          (i32.store8 (local.get $i) (call $cls (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 6))))
        (call $divmod (i32.const 47) (i32.const 5))
        (block (param i32 i32) (result i32) (call $swap) (i32.sub))
        (local.set $i)
        (i32.store (i32.const 8) (local.get $i))
        (i32.store8 (i32.const 12) (call $countdown (i32.const 4)))
        (i32.store8 (i32.const 13) (call $iff (i32.const 1)))
        (i32.store8 (i32.const 14) (call $iff (i32.const 0)))
        (nop)
        (call $ow (i32.const 0) (i32.const 15))))`,
    expect: { status: "finished" },
  },
  {
    name: "bulk memory: init, drop, copy both ways, fill",
    wat: `(module ${OW} (memory 1)
      (data $d "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()")
      (data (i32.const 400) "active")
      (func (export "run")
        (memory.init $d (i32.const 3) (i32.const 5) (i32.const 60))
        (data.drop $d)
        (memory.init $d (i32.const 3) (i32.const 0) (i32.const 0))
        (memory.copy (i32.const 10) (i32.const 3) (i32.const 50))
        (memory.copy (i32.const 1) (i32.const 20) (i32.const 45))
        (memory.copy (i32.const 200) (i32.const 7) (i32.const 70))
        (memory.fill (i32.const 100) (i32.const 0x41) (i32.const 77))
        (memory.copy (i32.const 5) (i32.const 5) (i32.const 0))
        (memory.fill (i32.const 64) (i32.const 0x42) (i32.const 32))
        (call $ow (i32.const 0) (i32.const 300))
        (call $ow (i32.const 400) (i32.const 6))))`,
    expect: { status: "finished" },
  },
  {
    name: "tables: init, copy both ways, drop, call_indirect",
    wat: `(module ${OW} (memory 1)
      (type $t (func (result i32)))
      (table 8 funcref)
      (elem (i32.const 0) $a $b $c)
      (elem $p func $c $b $a $c)
      (func $a (result i32) (i32.const 1))
      (func $b (result i32) (i32.const 2))
      (func $c (result i32) (i32.const 3))
      (func (export "run") (local $i i32)
        (table.init $p (i32.const 3) (i32.const 0) (i32.const 4))
        (table.copy (i32.const 1) (i32.const 0) (i32.const 6))
        (table.copy (i32.const 0) (i32.const 1) (i32.const 6))
        (elem.drop $p)
        (table.init $p (i32.const 0) (i32.const 0) (i32.const 0))
        (loop $l
          (i32.store8 (local.get $i) (call_indirect (type $t) (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 6))))
        (call $ow (i32.const 0) (i32.const 6))))`,
    expect: { status: "finished" },
  },
  {
    name: "host input",
    wat: `(module
      (import "task" "input_size" (func $isz (result i32)))
      (import "task" "input_read" (func $ird (param i32 i32 i32)))
      ${OW} (memory 1)
      (func (export "run") (local $n i32)
        (local.set $n (call $isz))
        (call $ird (i32.const 13) (i32.const 3) (i32.sub (local.get $n) (i32.const 3)))
        (call $ird (i32.const 100) (i32.const 0) (i32.const 0))
        (call $ow (i32.const 13) (i32.sub (local.get $n) (i32.const 3)))
        (call $ow (i32.const 17) (i32.const 33))
        (call $ow (i32.const 0) (i32.const 0))))`,
    input: Uint8Array.from({ length: 90 }, (_, i) => (i * 7 + 3) & 0xff),
    expect: { status: "finished" },
  },
  {
    name: "memory.grow against maxMemoryPages",
    wat: `(module ${OW} (memory 1 5)
      (func (export "run")
        (i32.store (i32.const 0) (memory.grow (i32.const 1)))
        (i32.store (i32.const 4) (memory.grow (i32.const 2)))
        (i32.store (i32.const 8) (memory.grow (i32.const 1)))
        (i32.store (i32.const 12) (memory.size))
        (i32.store (i32.const 16) (memory.grow (i32.const 0)))
        (i32.store (i32.const 20) (memory.grow (i32.const -1)))
        (i32.store8 (i32.const 196607) (i32.const 7))
        (i32.store8 (i32.const 24) (i32.load8_u (i32.const 196607)))
        (call $ow (i32.const 0) (i32.const 25))))`,
    limits: { maxMemoryPages: 3 },
    expect: { status: "finished" },
  },
  {
    name: "start function",
    wat: `(module ${OW} (memory 1)
      (global $g (mut i32) (i32.const 0))
      (func $init (global.set $g (i32.const 42)) (i32.store8 (i32.const 0) (i32.const 65)) (call $ow (i32.const 0) (i32.const 1)))
      (start $init)
      (func (export "run") (i32.store8 (i32.const 1) (global.get $g)) (call $ow (i32.const 0) (i32.const 2))))`,
    expect: { status: "finished" },
  },
  {
    name: "i64 arithmetic and globals initialised from globals",
    wat: `(module ${OW} (memory 1)
      (global $k i64 (i64.const 0x0123456789abcdef))
      ;; patched to (global.get $k) below: wabt rejects it, the subset allows it
      (global $h (mut i64) (i64.const 0x5a5a))
      (func (export "run") (local $x i64) (local $i i32)
        (local.set $x (global.get $h))
        (loop $l
          (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
          (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
          (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 5))))
        (global.set $h (local.get $x))
        (i64.store (i32.const 0) (global.get $h))
        (i64.store32 (i32.const 8) (i64.rotl (local.get $x) (i64.const 5)))
        (i64.store16 (i32.const 12) (i64.rotr (local.get $x) (i64.const 5)))
        (i64.store8 (i32.const 14) (i64.clz (local.get $x)))
        (i32.store8 (i32.const 15) (i32.wrap_i64 (i64.ctz (local.get $x))))
        (i32.store (i32.const 16) (i32.wrap_i64 (i64.popcnt (local.get $x))))
        (call $ow (i32.const 0) (i32.const 20))))`,
    patch: ["7e0142dab4010b", "7e01238080000b"],
    expect: { status: "finished" },
  },
  // ---- traps ----
  { name: "trap unreachable", wat: `(module (func (export "run") (drop (i32.const 1)) (unreachable)))`, expect: { status: "trapped", trap: "unreachable" , byV8: true } },
  {
    name: "trap i32 div by zero",
    wat: `(module (func (export "run") (drop (i32.div_s (i32.const 1) (i32.const 0)))))`,
    expect: { status: "trapped", trap: "int_divide_by_zero" , byV8: true },
  },
  {
    name: "trap i64 rem by zero",
    wat: `(module (func (export "run") (drop (i64.rem_u (i64.const 1) (i64.const 0)))))`,
    expect: { status: "trapped", trap: "int_divide_by_zero" , byV8: true },
  },
  {
    name: "trap i64 div overflow",
    wat: `(module (func (export "run") (drop (i64.div_s (i64.const 0x8000000000000000) (i64.const -1)))))`,
    expect: { status: "trapped", trap: "int_overflow" , byV8: true },
  },
  {
    name: "trap i32 div overflow",
    wat: `(module (func (export "run") (drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))))`,
    expect: { status: "trapped", trap: "int_overflow" , byV8: true },
  },
  {
    name: "trap load out of bounds",
    wat: `(module (memory 1) (func (export "run") (drop (i32.load offset=65534 (i32.const 0)))))`,
    expect: { status: "trapped", trap: "out_of_bounds_memory" , byV8: true },
  },
  {
    name: "trap store out of bounds inside a loop (mid-region V8 trap)",
    wat: `(module ${OW} (memory 1)
      (func (export "run") (local $i i32)
        (call $ow (i32.const 0) (i32.const 3))
        (loop $l
          (i64.store (local.get $i) (i64.const 1))
          (local.set $i (i32.add (local.get $i) (i32.const 4093)))
          (br $l))))`,
    expect: { status: "trapped", trap: "out_of_bounds_memory" , byV8: true },
  },
  {
    name: "trap memory.copy out of bounds",
    wat: `(module (memory 1) (func (export "run") (memory.copy (i32.const 0) (i32.const 65500) (i32.const 37))))`,
    expect: { status: "trapped", trap: "out_of_bounds_memory" , byV8: true },
  },
  {
    name: "trap memory.fill out of bounds (u32 wrap)",
    wat: `(module (memory 1) (func (export "run") (memory.fill (i32.const -1) (i32.const 0) (i32.const 2))))`,
    expect: { status: "trapped", trap: "out_of_bounds_memory" , byV8: true },
  },
  {
    name: "trap memory.init from a dropped segment",
    wat: `(module (memory 1) (data $d "abc") (func (export "run") (data.drop $d) (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1))))`,
    expect: { status: "trapped", trap: "out_of_bounds_memory" , byV8: true },
  },
  {
    name: "trap call_indirect out of table",
    wat: `(module (type $t (func)) (table 2 funcref) (func (export "run") (call_indirect (type $t) (i32.const 2))))`,
    expect: { status: "trapped", trap: "out_of_bounds_table" , byV8: true },
  },
  {
    name: "trap call_indirect null",
    wat: `(module (type $t (func)) (table 2 funcref) (func $f) (elem (i32.const 0) $f) (func (export "run") (call_indirect (type $t) (i32.const 0)) (call_indirect (type $t) (i32.const 1))))`,
    expect: { status: "trapped", trap: "indirect_call_null" , byV8: true },
  },
  {
    name: "trap call_indirect type mismatch",
    wat: `(module (type $t (func (result i32))) (table 2 funcref) (func $f) (elem (i32.const 0) $f) (func (export "run") (drop (call_indirect (type $t) (i32.const 0)))))`,
    expect: { status: "trapped", trap: "indirect_call_type_mismatch" , byV8: true },
  },
  {
    name: "trap table.copy out of bounds",
    wat: `(module (table 4 funcref) (func (export "run") (table.copy (i32.const 2) (i32.const 0) (i32.const 3))))`,
    expect: { status: "trapped", trap: "out_of_bounds_table" , byV8: true },
  },
  {
    name: "trap table.init from a dropped segment",
    wat: `(module (table 4 funcref) (func $f) (elem $e func $f $f) (func (export "run") (table.init $e (i32.const 0) (i32.const 0) (i32.const 2)) (elem.drop $e) (table.init $e (i32.const 0) (i32.const 0) (i32.const 1))))`,
    expect: { status: "trapped", trap: "out_of_bounds_table" , byV8: true },
  },
  {
    name: "trap input_read beyond the input",
    wat: `(module (import "task" "input_read" (func $ird (param i32 i32 i32))) (memory 1) (func (export "run") (call $ird (i32.const 0) (i32.const 2) (i32.const 9))))`,
    input: new Uint8Array(10),
    expect: { status: "trapped", trap: "input_out_of_bounds" },
  },
  {
    name: "trap input_read beyond memory",
    wat: `(module (import "task" "input_read" (func $ird (param i32 i32 i32))) (memory 1) (func (export "run") (call $ird (i32.const 65530) (i32.const 0) (i32.const 9))))`,
    input: new Uint8Array(10),
    expect: { status: "trapped", trap: "out_of_bounds_memory" },
  },
  {
    name: "trap output_write beyond memory",
    wat: `(module ${OW} (memory 1) (func (export "run") (call $ow (i32.const 65530) (i32.const 9))))`,
    expect: { status: "trapped", trap: "out_of_bounds_memory" },
  },
  {
    name: "trap output_limit after a partial output",
    wat: `(module ${OW} (memory 1) (func (export "run") (call $ow (i32.const 5) (i32.const 40)) (call $ow (i32.const 0) (i32.const 30))))`,
    limits: { maxOutputBytes: 64 },
    expect: { status: "trapped", trap: "output_limit" },
  },
  {
    name: "trap call_stack_exhausted",
    wat: `(module (func $r (param i32) (result i32)
        (if (result i32) (local.get 0) (then (call $r (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0))))
      (func (export "run") (drop (call $r (i32.const 9)))))`,
    limits: { maxCallDepth: 6 },
    expect: { status: "trapped", trap: "call_stack_exhausted" },
  },
  {
    name: "trap value_stack_exhausted",
    wat: `(module (func $r (param i32) (result i32) (local i64 i64)
        (if (result i32) (local.get 0) (then (call $r (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0))))
      (func (export "run") (drop (call $r (i32.const 9)))))`,
    limits: { maxValueStack: 17 },
    expect: { status: "trapped", trap: "value_stack_exhausted" },
  },
  {
    name: "trap value_stack_exhausted through call_indirect",
    wat: `(module (type $t (func (param i32) (result i32))) (table 1 funcref) (elem (i32.const 0) $r)
      (func $r (param i32) (result i32)
        (if (result i32) (local.get 0) (then (call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))) (else (i32.const 0))))
      (func (export "run") (drop (call $r (i32.const 9)))))`,
    limits: { maxValueStack: 11 },
    expect: { status: "trapped", trap: "value_stack_exhausted" },
  },
  {
    name: "trap call_stack_exhausted in an acyclic call graph",
    wat: `(module (func $c (result i32) (i32.const 1)) (func $b (result i32) (i32.add (call $c) (call $c)))
      (func $a (result i32) (call $b)) (func (export "run") (drop (call $a))))`,
    limits: { maxCallDepth: 3 },
    expect: { status: "trapped", trap: "call_stack_exhausted" },
  },
  {
    name: "trap value_stack_exhausted in an acyclic call graph",
    wat: `(module (func $c (param i64 i64) (result i32) (i32.const 1)) (func $b (result i32) (local i32 i32) (call $c (i64.const 1) (i64.const 2)))
      (func $a (result i32) (call $b)) (func (export "run") (drop (call $a))))`,
    limits: { maxValueStack: 4 },
    expect: { status: "trapped", trap: "value_stack_exhausted" },
  },
  {
    name: "trap in the start function",
    wat: `(module ${OW} (memory 1) (func $s (call $ow (i32.const 0) (i32.const 2)) (unreachable)) (start $s) (func (export "run")))`,
    expect: { status: "trapped", trap: "unreachable" , byV8: true },
  },
];

/** Steps of the unlimited run (the interpreter's). */
async function fullRun(t: TaskCase): Promise<{ cm: CompiledModule; ref: RunResult }> {
  const cm = await load(t.wat, t.patch);
  const ref = Machine.forTask(cm, { input: t.input, limits: t.limits }).run();
  return { cm, ref };
}

describe("native engine: task results agree with the interpreter", () => {
  for (const t of TASKS) {
    it(`${t.name}: every step limit, fast and precise`, async () => {
      const { cm, ref } = await fullRun(t);
      expect(ref.status).toBe(t.expect.status);
      if (t.expect.trap) expect(ref.trap).toBe(t.expect.trap);
      const opts = (maxSteps: number | undefined, precise = false): NativeOptions => ({
        input: t.input,
        limits: { ...t.limits, ...(maxSteps === undefined ? {} : { maxSteps }) },
        precise,
      });
      expect(norm(runNativeTask(cm, opts(undefined)))).toEqual(norm(ref));
      expect(norm(runNativeTask(cm, opts(undefined, true)))).toEqual(norm(ref));
      // Every limit under test:full; the first, the last and a seeded sample of 40 under npm test.
      for (const s of sweep(0, ref.steps + 1, { size: 40, label: t.name })) {
        const want = norm(Machine.forTask(cm, { input: t.input, limits: { ...t.limits, maxSteps: s } }).run());
        if (s < ref.steps) expect(want.status).toBe("out_of_steps");
        const inst = NativeInstance.forTask(cm, opts(s));
        expect(norm(inst.runTask()), `fast, maxSteps=${s}`).toEqual(want);
        // Only a trap raised by V8 itself needs the precise re-run; every other
        // outcome (the limit, host traps, call/value stack traps) is exact in the fast variant.
        if (!t.expect.byV8) expect(inst.engine, `engine at maxSteps=${s}`).toBe("fast");
        else if (s >= ref.steps) expect(inst.engine, `engine at maxSteps=${s}`).toBe("precise");
        expect(norm(runNativeTask(cm, opts(s, true))), `precise, maxSteps=${s}`).toEqual(want);
      }
    });
  }
});

// ---------------------------------------------------------------------------
// Persistent instances: state after every kind of outcome.
// ---------------------------------------------------------------------------

const STATEFUL = `(module
  (memory 1 4)
  (global $g (mut i64) (i64.const 0))
  (func (export "work") (param $n i32) (local $i i32)
    (loop $l
      (global.set $g (i64.add (global.get $g) (i64.extend_i32_u (local.get $i))))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.add (local.get $i) (i32.const 0x01010101)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "shift")
    (memory.copy (i32.const 9) (i32.const 0) (i32.const 100))
    (memory.fill (i32.const 3) (i32.const 255) (i32.const 70))
    (memory.copy (i32.const 2) (i32.const 30) (i32.const 60)))
  (func (export "peek") (result i64)
    (i64.xor (global.get $g) (i64.xor (i64.load (i32.const 8)) (i64.xor (i64.load (i32.const 40)) (i64.load (i32.const 72))))))
  (func (export "boom") (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0)))
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
)`;

const SEQUENCE: [string, Value[]][] = [
  ["work", [i32(10)]],
  ["peek", []],
  ["shift", []],
  ["peek", []],
  ["boom", [i32(0)]],
  ["peek", []],
  ["grow", []],
  ["work", [i32(3)]],
  ["boom", [i32(2)]],
  ["peek", []],
];

describe("native engine: persistent instances", () => {
  it("agree with the interpreter invocation by invocation at every step limit", async () => {
    const cm = await load(STATEFUL);
    const unlimited = Machine.instantiate(cm);
    const full = SEQUENCE.map(([n, a]) => unlimited.invoke(n, a));
    expect(full[4]!.trap).toBe("int_divide_by_zero");
    const maxLen = Math.max(...full.map((r) => r.steps));
    let engines = new Set<string>();
    // Every limit under test:full; the first, the last and a seeded sample of 40 under npm test.
    for (const s of sweep(0, maxLen + 1, { size: 40, label: "persistent instances" })) {
      for (const precise of [false, true]) {
        const limits = { maxSteps: s, maxMemoryPages: 2 };
        const m = Machine.instantiate(cm, { limits });
        const n = NativeInstance.create(cm, { limits, precise });
        for (const [name, args] of SEQUENCE) {
          expect(norm(n.invoke(name, args)), `${name} at maxSteps=${s} precise=${precise}`).toEqual(norm(m.invoke(name, args)));
        }
        engines.add(n.engine);
      }
    }
    // Both the fast path and the switch to the precise variant were exercised.
    expect(engines).toEqual(new Set(["fast", "precise"]));
    engines = new Set();
  });

  it("an instance stays fast when every outcome is exact", async () => {
    const cm = await load(STATEFUL);
    const n = NativeInstance.create(cm);
    expect(n.invoke("work", [i32(50)]).status).toBe("finished");
    expect(n.invoke("peek").status).toBe("finished");
    expect(n.engine).toBe("fast");
    // A V8 trap has no exact step count in the fast variant: the invocation is re-run precisely.
    const r = n.invoke("boom", [i32(0)]);
    expect(r.trap).toBe("int_divide_by_zero");
    expect(n.engine).toBe("precise");
    const m = Machine.instantiate(cm);
    m.invoke("work", [i32(50)]);
    m.invoke("peek");
    expect(norm(r)).toEqual(norm(m.invoke("boom", [i32(0)])));
    expect(norm(n.invoke("peek"))).toEqual(norm(m.invoke("peek")));
  });

  it("a trapping start function makes the instance unusable", async () => {
    const cm = await load(`(module (func $s (unreachable)) (start $s) (func (export "f")))`);
    const n = NativeInstance.create(cm);
    expect(n.startResult).toMatchObject({ status: "trapped", trap: "unreachable", steps: 2 });
    expect(() => n.invoke("f")).toThrow(UsageError);
    expect(() => n.invoke("f")).toThrow(/start function did not finish/);
  });

  it("rejects bad invocations like the interpreter", async () => {
    const cm = await load(`(module (func (export "f") (param i32 i64)) (func (export "run")))`);
    const n = NativeInstance.create(cm);
    expect(() => n.invoke("nope")).toThrow(/no exported function named "nope"/);
    expect(() => n.invoke("f", [i32(1)])).toThrow(/takes 2 argument/);
    expect(() => n.invoke("f", [i32(1), i32(2)])).toThrow(/must be i64/);
    expect(n.invoke("f", [i32(1), i64(2n)]).status).toBe("finished");
    const t = NativeInstance.forTask(cm);
    expect(() => t.invoke("f", [i32(1), i64(2n)])).toThrow(UsageError);
    expect(t.runTask().status).toBe("finished");
    expect(() => t.runTask()).toThrow(/already run/);
    expect(() => n.runTask()).toThrow(UsageError);
  });
});

// ---------------------------------------------------------------------------
// Exact step counts, counted by hand from EXECUTION.md.
// ---------------------------------------------------------------------------

async function invoke1(wat: string, name: string, args: Value[] = [], opts: NativeOptions = {}): Promise<RunResult> {
  return NativeInstance.create(await load(wat), opts).invoke(name, args);
}

describe("native engine: hand-counted step counts", () => {
  it("a constant: call + i32.const + return + finish = 4", async () => {
    const r = await invoke1(`(module (func (export "f") (result i32) (i32.const 7)))`, "f");
    expect(norm(r)).toEqual({ status: "finished", trap: undefined, steps: 4, results: ["i32:7"], output: "" });
  });

  it("nop, block, loop and inner end are free: call + return + finish = 3", async () => {
    const r = await invoke1(`(module (func (export "f") nop (block nop (loop nop)) nop))`, "f");
    expect(r.steps).toBe(3);
  });

  it("a loop of 9 steps per iteration: 9n + 4", async () => {
    const wat = `(module (func (export "f") (param i32) (result i32) (local i32)
      (loop $l
        local.get 0
        local.get 1
        i32.add
        local.set 1
        local.get 0
        i32.const 1
        i32.sub
        local.tee 0
        br_if $l)
      local.get 1))`;
    for (const n of [1, 3, 10]) {
      const r = await invoke1(wat, "f", [i32(n)]);
      expect(r.steps).toBe(9 * n + 4);
      expect(r.results).toEqual([i32((n * (n + 1)) / 2)]);
    }
  });

  it("if costs 1, else costs 1 only when the then-arm falls into it", async () => {
    const wat = `(module (func (export "f") (param i32) (result i32)
      (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))`;
    // then: call, local.get, if, i32.const, else-br, return, finish = 7
    expect((await invoke1(wat, "f", [i32(1)])).steps).toBe(7);
    // else: call, local.get, if, i32.const, return, finish = 6
    expect((await invoke1(wat, "f", [i32(0)])).steps).toBe(6);
  });

  it("a br to the function label is the return: no extra step for the final end", async () => {
    const wat = `(module (func (export "f") (result i32) (i32.const 3) (br 0)))`;
    // call, i32.const, br (= return), finish
    expect((await invoke1(wat, "f")).steps).toBe(4);
  });

  it("a call of a function that returns costs its body + 2", async () => {
    const wat = `(module (func $g (result i32) (i32.const 7)) (func (export "f") (result i32) (call $g)))`;
    // call f, call g, i32.const, return g, return f, finish
    expect((await invoke1(wat, "f")).steps).toBe(6);
  });

  it("a trapping instruction is one step", async () => {
    const wat = `(module (func (export "f") (result i32) (i32.div_u (i32.const 1) (i32.const 0))))`;
    const r = await invoke1(wat, "f");
    // call, i32.const, i32.const, i32.div_u (traps)
    expect(norm(r)).toEqual({ status: "trapped", trap: "int_divide_by_zero", steps: 4, results: [], output: "" });
  });

  it("memory.fill of 40 bytes at 30 is 3 chunks", async () => {
    const wat = `(module (memory 1) (func (export "f") (memory.fill (i32.const 30) (i32.const 0) (i32.const 40))))`;
    // call, 3 consts, 3 chunks ([30,32) [32,64) [64,70)), return, finish
    expect((await invoke1(wat, "f")).steps).toBe(9);
  });

  it("memory.copy chunks are cut at both sides' leaf boundaries", async () => {
    const wat = `(module (memory 1) (func (export "f") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))`;
    // d=5, s=40, n=64: boundaries of d at 27, 59; of s at 24, 56 -> 5 chunks; + call, 3 gets, return, finish
    expect((await invoke1(wat, "f", [i32(5), i32(40), i32(64)])).steps).toBe(5 + 6);
    // same alignment: d=3, s=35, n=64: boundaries at 29, 61 -> 3 chunks
    expect((await invoke1(wat, "f", [i32(3), i32(35), i32(64)])).steps).toBe(3 + 6);
    // n = 0: one step
    expect((await invoke1(wat, "f", [i32(3), i32(35), i32(0)])).steps).toBe(1 + 6);
  });

  it("output at the limit mid-write: chunk by chunk", async () => {
    const wat = `(module ${OW} (memory 1) (data (i32.const 0) "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
      (func (export "run") (call $ow (i32.const 5) (i32.const 40))))`;
    const cm = await load(wat);
    // call run, 2 consts, then output_write in chunks of 27 (to src leaf 32), 5 (to output leaf 32), 8.
    const full = runNativeTask(cm);
    expect(full.steps).toBe(1 + 2 + 3 + 1 + 1);
    const lens = [0, 0, 0, 0, 27, 32, 40, 40, 40];
    for (let s = 1; s <= 8; s++) {
      for (const precise of [false, true]) {
        const r = runNativeTask(cm, { limits: { maxSteps: s }, precise });
        expect(r.status).toBe(s < 8 ? "out_of_steps" : "finished");
        expect(r.steps).toBe(s);
        expect(r.output.length).toBe(lens[s]);
        expect(Buffer.from(r.output).toString()).toBe("56789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".slice(0, lens[s]));
      }
    }
  });

  it("call depth: the bootstrap call is depth 1", async () => {
    const wat = `(module (func $r (export "r") (param i32) (result i32)
      (if (result i32) (local.get 0) (then (call $r (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0)))))`;
    // r(4) needs 5 frames.
    expect((await invoke1(wat, "r", [i32(4)], { limits: { maxCallDepth: 5 } })).status).toBe("finished");
    // r(5): the 6th frame traps at its call: 1 bootstrap call + 5 levels x 6 steps.
    const r = await invoke1(wat, "r", [i32(5)], { limits: { maxCallDepth: 5 } });
    expect(norm(r)).toMatchObject({ status: "trapped", trap: "call_stack_exhausted", steps: 31 });
    const z = await invoke1(wat, "r", [i32(0)], { limits: { maxCallDepth: 0 } });
    expect(norm(z)).toMatchObject({ status: "trapped", trap: "call_stack_exhausted", steps: 1 });
  });

  it("value stack: fp' + nlocals + maxHeight > maxValueStack traps at the call", async () => {
    const wat = `(module (func $r (export "r") (param i32) (result i32)
      (if (result i32) (local.get 0) (then (call $r (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0)))))`;
    // nlocals 1, maxHeight 2; each level's fp is 1 above its caller's: level k needs (k-1) + 3 slots.
    const r = await invoke1(wat, "r", [i32(5)], { limits: { maxValueStack: 5 } });
    expect(norm(r)).toMatchObject({ status: "trapped", trap: "value_stack_exhausted", steps: 1 + 3 * 6 });
    const ok = await invoke1(wat, "r", [i32(2)], { limits: { maxValueStack: 5 } });
    expect(ok.status).toBe("finished");
    // The bottom frame: fp 0, so the first call needs nlocals + maxHeight = 3.
    const z = await invoke1(wat, "r", [i32(0)], { limits: { maxValueStack: 2 } });
    expect(norm(z)).toMatchObject({ status: "trapped", trap: "value_stack_exhausted", steps: 1 });
  });

  it("memory.grow beyond maxMemoryPages returns -1", async () => {
    const wat = `(module (memory 1 10) (func (export "g") (param i32) (result i32) (memory.grow (local.get 0))) (func (export "s") (result i32) (memory.size)))`;
    const n = NativeInstance.create(await load(wat), { limits: { maxMemoryPages: 3 } });
    expect(n.invoke("g", [i32(2)]).results).toEqual([i32(1)]);
    expect(n.invoke("g", [i32(1)]).results).toEqual([i32(-1)]);
    expect(n.invoke("s").results).toEqual([i32(3)]);
    expect(n.invoke("g", [i32(0)]).results).toEqual([i32(3)]);
  });

  it("maxSteps = 0 stops before the bootstrap call", async () => {
    const r = await invoke1(`(module (func (export "f")))`, "f", [], { limits: { maxSteps: 0 } });
    expect(norm(r)).toMatchObject({ status: "out_of_steps", steps: 0 });
  });
});

// ---------------------------------------------------------------------------
// Instantiation errors, engine fallbacks.
// ---------------------------------------------------------------------------

describe("native engine: instantiation and fallbacks", () => {
  it("reports the interpreter's instantiation errors", async () => {
    const big = await load(`(module (memory 5) (func (export "run")))`);
    expect(() => runNativeTask(big, { limits: { maxMemoryPages: 4 } })).toThrow(/needs 5 memory pages/);
    const seg = await load(`(module (memory 1) (data (i32.const 65535) "ab") (func (export "run")))`);
    expect(() => runNativeTask(seg)).toThrow(/data segment 0 does not fit/);
    const el = await load(`(module (table 1 funcref) (func $f) (elem (i32.const 1) $f) (func (export "run")))`);
    expect(() => runNativeTask(el)).toThrow(/element segment 0 does not fit/);
    const norun = await load(`(module (func (export "go")))`);
    expect(() => runNativeTask(norun)).toThrow(/no "run" export/);
    expect(() => runNativeTask(norun, { limits: { maxSteps: -1 } })).toThrow();
    const ok = await load(`(module (func (export "run")))`);
    expect(() => NativeInstance.forTask(ok, { limits: { maxCallDepth: 1.5 } })).toThrow(/maxCallDepth/);
  });

  it("falls back to the interpreter when V8's own stack overflows first", async () => {
    const wat = `(module (func $r (export "r") (param i32) (result i32)
      (if (result i32) (local.get 0) (then (i32.add (i32.const 1) (call $r (i32.sub (local.get 0) (i32.const 1))))) (else (i32.const 0))))
      (func (export "run") (drop (call $r (i32.const 200000)))))`;
    const cm = await load(wat);
    const limits = { maxCallDepth: 300_000, maxValueStack: 1 << 22 };
    const t = NativeInstance.forTask(cm, { limits });
    const r = t.runTask();
    expect(t.engine).toBe("interpreter");
    expect(norm(r)).toEqual(norm(Machine.forTask(cm, { limits }).run()));
    expect(r.status).toBe("finished");
    // A persistent instance replays its history in the interpreter.
    const n = NativeInstance.create(cm, { limits });
    expect(n.invoke("r", [i32(10)]).results).toEqual([i32(10)]);
    const deep = n.invoke("r", [i32(200_000)]);
    expect(n.engine).toBe("interpreter");
    expect(deep.results).toEqual([i32(200_000)]);
    expect(n.invoke("r", [i32(3)]).steps).toBe(Machine.instantiate(cm, { limits }).invoke("r", [i32(3)]).steps);
  });

  it("a recursion as deep as maxCallDepth runs natively when V8's stack allows it", async () => {
    const wat = `(module (func $r (export "r") (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64)
      (if (result i32) (local.get 0) (then (i32.add (i32.const 1) (call $r (i32.sub (local.get 0) (i32.const 1))))) (else (i32.const 0)))))`;
    const cm = await load(wat);
    const limits = { maxCallDepth: 3000 };
    const n = NativeInstance.create(cm, { limits });
    // r(2999) needs 3000 frames.
    const r = n.invoke("r", [i32(2999)]);
    expect(r.results).toEqual([i32(2999)]);
    expect(n.engine).toBe("fast");
    const over = n.invoke("r", [i32(3000)]);
    expect(over.trap).toBe("call_stack_exhausted");
    expect(norm(over)).toEqual(norm(Machine.instantiate(cm, { limits }).invoke("r", [i32(3000)])));
    expect(n.engine).toBe("fast");
  });
});

// ---------------------------------------------------------------------------
// Building blocks.
// ---------------------------------------------------------------------------

/** The interpreter's chunk loop (src/machine/bulk.ts, by firstChunk/lastChunk): chunk lengths in order of execution. */
function simulateChunks(d: number, s: number, n: number, backward: boolean): number[] {
  const out: number[] = [];
  if (n === 0) return [0];
  while (n > 0) {
    const c = backward ? lastChunk(d, s, n) : firstChunk(d, s, n);
    if (!backward) {
      d += c;
      s += c;
    }
    n -= c;
    out.push(c);
  }
  return out;
}

describe("native engine: building blocks", () => {
  it("the closed-form chunk counts and cut points match the chunk loop", () => {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    for (let d = 0; d < 70; d += 3) {
      for (let s = 0; s < 70; s += 5) {
        for (const n of [0, 1, 2, 31, 32, 33, 64, 95, 130]) {
          const fwd = simulateChunks(d, s, n, false);
          const bwd = simulateChunks(d, s, n, true);
          const c = byteMoveSteps(d, s, n);
          expect(c).toBe(fwd.length);
          expect(bwd.length).toBe(fwd.length);
          for (let k = 1; k < fwd.length; k++) {
            expect(byteMovePrefix(d, s, k)).toBe(sum(fwd.slice(0, k)));
            // A backward move's last k chunks are the bytes after the forward move's cut point c - k.
            expect(n - byteMovePrefix(d, s, c - k)).toBe(sum(bwd.slice(0, k)));
          }
          const fill = simulateChunks(d, d, n, false);
          expect(byteMoveSteps(d, d, n)).toBe(fill.length);
          for (let k = 1; k < fill.length; k++) expect(byteMovePrefix(d, d, k)).toBe(sum(fill.slice(0, k)));
        }
      }
    }
  });

  it("encodes LEB128 as the spec does", () => {
    const hex = (f: (w: ByteWriter) => void) => {
      const w = new ByteWriter(1);
      f(w);
      return Buffer.from(w.finish()).toString("hex");
    };
    expect(hex((w) => w.u32(0))).toBe("00");
    expect(hex((w) => w.u32(127))).toBe("7f");
    expect(hex((w) => w.u32(128))).toBe("8001");
    expect(hex((w) => w.u32(0xffffffff))).toBe("ffffffff0f");
    expect(hex((w) => w.s32(-1))).toBe("7f");
    expect(hex((w) => w.s32(63))).toBe("3f");
    expect(hex((w) => w.s32(64))).toBe("c000");
    expect(hex((w) => w.s32(-64))).toBe("40");
    expect(hex((w) => w.s32(-65))).toBe("bf7f");
    expect(hex((w) => w.s32(-0x80000000))).toBe("8080808078");
    expect(hex((w) => w.s64(-1n))).toBe("7f");
    expect(hex((w) => w.s64(0x7fffffffffffffffn))).toBe("ffffffffffffffffff00");
    expect(hex((w) => w.s64(-0x8000000000000000n))).toBe("8080808080808080807f");
    expect(hex((w) => w.name("ab"))).toBe("026162");
  });

  it("instruments every variant into a module V8 validates, keeping the module's exports reachable", async () => {
    const cm = await load(TASKS[2]!.wat);
    for (const precise of [false, true])
      for (const trackDepth of [false, true])
        for (const trackValueStack of [false, true]) {
          const { bytes } = instrumentModule(cm, { precise, trackDepth, trackValueStack });
          expect(WA.validate(bytes)).toBe(true);
        }
  });
});

describe("native engine: exported host functions", () => {
  it("an exported host import runs as the host instruction, without a call step", async () => {
    const wat = `(module
      (import "task" "input_size" (func $isz (result i32)))
      (import "task" "input_read" (func $ird (param i32 i32 i32)))
      (import "task" "output_write" (func $ow (param i32 i32)))
      (memory 1)
      (export "isz" (func $isz)) (export "ird" (func $ird)) (export "ow" (func $ow)))`;
    const cm = await load(wat);
    const input = Uint8Array.from({ length: 70 }, (_, i) => i + 1);
    for (const maxSteps of [0, 1, 2, 3, 4, 5, 100]) {
      const opts = { input, limits: { maxSteps } };
      const m = Machine.instantiate(cm, opts);
      const n = NativeInstance.create(cm, opts);
      const calls: [string, Value[]][] = [
        ["isz", []],
        ["ird", [i32(5), i32(3), i32(60)]],
        ["ow", [i32(1), i32(64)]],
        ["ird", [i32(0), i32(69), i32(2)]],
      ];
      for (const [name, args] of calls) expect(norm(n.invoke(name, args)), `${name} at ${maxSteps}`).toEqual(norm(m.invoke(name, args)));
    }
    // input_size: the host step + finish.
    expect(NativeInstance.create(cm, { input }).invoke("isz")).toMatchObject({ steps: 2, results: [i32(70)] });
  });
});

describe("native engine: variants V8 refuses", () => {
  it("falls back to the interpreter when the instrumented module exceeds V8's local limit", async () => {
    // 50,000 declared locals is the decoder's limit and V8's: the two locals the
    // instrumentation adds push the function over V8's limit.
    const wat = `(module (func (export "f") (result i32) (local ${"i32 ".repeat(50_000)}) (i32.const 5)) (func (export "run")))`;
    const cm = await load(wat);
    const n = NativeInstance.create(cm);
    expect(n.engine).toBe("interpreter");
    expect(n.fallbackReason).toMatch(/does not compile/);
    expect(norm(n.invoke("f"))).toEqual(norm(Machine.instantiate(cm).invoke("f")));
    const t = NativeInstance.forTask(cm);
    expect(t.runTask().status).toBe("finished");
    expect(t.engine).toBe("interpreter");
  });
});
