/**
 * The native final state (src/native/final-state.ts) against the interpreter:
 * on every corpus task (at full length and at sampled step limits), every
 * trap code and out-of-steps from a task, and the fallbacks, the hash equals
 * `stateHashAt(task, steps)`, the header words pass the result check, and the
 * native path is taken whenever the task finishes without hidden state.
 */
import { describe, expect, it } from "vitest";
import { compileWasm } from "../src/load.ts";
import { Machine } from "../src/machine.ts";
import { nativeFinalState } from "../src/native/final-state.ts";
import { stateHashAt } from "../src/state/prove.ts";
import { checkResult } from "../src/state/task.ts";
import type { CompiledModule } from "../src/compile/types.ts";
import type { Limits, TrapCode } from "../src/types.ts";
import { CORPUS, corpusBytes } from "./corpus/corpus.ts";
import { wat } from "./helpers/wat.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Checks one task; returns the engine used. */
function check(cm: CompiledModule, input: Uint8Array, limits: Partial<Limits> | undefined, label: string): "native" | "interpreter" {
  const opts = { input, ...(limits ? { limits } : {}) };
  const f = nativeFinalState(cm, opts);
  const ref = Machine.forTask(cm, opts).run();
  expect(f.result.status, label).toBe(ref.status);
  expect(f.result.steps, label).toBe(ref.steps);
  expect(hex(f.stateHash), label).toBe(hex(stateHashAt({ cm, opts }, f.result.steps)));
  const claim = checkResult(f.stateHash, f.headerWords, f.result.output);
  expect(claim.steps, label).toBe(ref.steps);
  expect(claim.status, label).toBe(ref.status);
  if (ref.status === "finished" && f.engine === "interpreter") expect(f.fallbackReason, label).toMatch(/table|drop|interpreted/);
  if (ref.status !== "finished") expect(f.engine, label).toBe("interpreter");
  return f.engine;
}

describe("native final state on the corpus", () => {
  for (const p of CORPUS) {
    it(`${p.name}: every task, at full length and at sampled limits`, async () => {
      const cm = compileWasm(await corpusBytes(p));
      for (const t of p.tasks) {
        const engine = check(cm, t.input, t.limits, t.label);
        const full = Machine.forTask(cm, { input: t.input, ...(t.limits ? { limits: t.limits } : {}) }).run();
        if (full.status === "finished") expect(engine, `${p.name} ${t.label}: finished natively`).toBe("native");
        // Sampled limits on the shorter runs (each check interprets the task twice).
        const samples = full.steps <= 200_000 ? [0, 1, Math.floor(full.steps / 2), full.steps - 1] : [0, 1];
        for (const s of samples) {
          if (s < 0) continue;
          check(cm, t.input, { ...t.limits, maxSteps: s }, `${t.label}, maxSteps=${s}`);
        }
      }
    });
  }
});

// A task per ending: input byte 0 selects it; globals, memory growth and results are all touched first.
const ENDINGS = `
(module
  (import "task" "input_size" (func $size (result i32)))
  (import "task" "input_read" (func $read (param i32 i32 i32)))
  (import "task" "output_write" (func $write (param i32 i32)))
  (type $v_i (func (result i32)))
  (type $i_i (func (param i32) (result i32)))
  (memory 1 4)
  (table 3 funcref)
  (elem (i32.const 0) $one $id)
  (global $count (mut i32) (i32.const 5))
  (global $big (mut i64) (i64.const -3))
  (global $k i32 (i32.const 9))
  (func $one (type $v_i) i32.const 1)
  (func $id (type $i_i) local.get 0)
  (func $rec (param i32) (result i32) local.get 0 i32.const 1 i32.add call $rec)
  (func $fat (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64)
    local.get 0 i32.eqz if (result i32) i32.const 0 else local.get 0 i32.const 1 i32.sub call $fat end)
  (func (export "run") (result i32 i64)
    (local $sel i32)
    ;; touch state: globals, a second page, memory bytes, output
    global.get $count i32.const 37 i32.add global.set $count
    global.get $big i64.const 1000000007 i64.mul global.set $big
    i32.const 1 memory.grow drop
    i32.const 70000 i32.const 0x01020304 i32.store
    (if (call $size) (then i32.const 0 i32.const 0 i32.const 1 call $read))
    i32.const 0 i32.load8_u local.set $sel
    i32.const 65530 i32.const 20 call $write
    (block $b
      local.get $sel i32.eqz br_if $b
      local.get $sel i32.const 1 i32.eq if unreachable end
      local.get $sel i32.const 2 i32.eq if i32.const 1 i32.const 0 i32.div_u drop end
      local.get $sel i32.const 3 i32.eq if i32.const 0x80000000 i32.const -1 i32.div_s drop end
      local.get $sel i32.const 4 i32.eq if i32.const 200000 i32.load drop end
      local.get $sel i32.const 5 i32.eq if i32.const 7 call_indirect (type $v_i) drop end
      local.get $sel i32.const 6 i32.eq if i32.const 2 call_indirect (type $v_i) drop end
      local.get $sel i32.const 7 i32.eq if i32.const 1 call_indirect (type $v_i) drop end
      local.get $sel i32.const 8 i32.eq if i32.const 0 call $rec drop end
      local.get $sel i32.const 9 i32.eq if i32.const 1000 call $fat drop end
      local.get $sel i32.const 10 i32.eq if i32.const 0 i32.const 200 call $write end
      local.get $sel i32.const 11 i32.eq if i32.const 0 i32.const 100 i32.const 1 call $read end
      local.get $sel i32.const 12 i32.eq if (loop $l br $l) end
    )
    global.get $count global.get $big))
`;

const WITH_DROP = `
(module
  (memory 1)
  (data $d "hello")
  (global $g (mut i32) (i32.const 0))
  (func (export "run") i32.const 0 i32.const 0 i32.const 5 memory.init $d data.drop $d i32.const 3 global.set $g))
`;

describe("native final state: every terminal status", () => {
  const limits = { maxCallDepth: 50, maxValueStack: 300, maxOutputBytes: 100, maxSteps: 5000 };
  const cases: [number, string][] = [
    [0, "finished"],
    [1, "trapped:unreachable"],
    [2, "trapped:int_divide_by_zero"],
    [3, "trapped:int_overflow"],
    [4, "trapped:out_of_bounds_memory"],
    [5, "trapped:out_of_bounds_table"],
    [6, "trapped:indirect_call_null"],
    [7, "trapped:indirect_call_type_mismatch"],
    [8, "trapped:call_stack_exhausted"],
    [9, "trapped:value_stack_exhausted"],
    [10, "trapped:output_limit"],
    [11, "trapped:input_out_of_bounds"],
    [12, "out_of_steps"],
  ];
  for (const [sel, want] of cases) {
    it(`ends ${want}`, async () => {
      const cm = compileWasm(await wat(ENDINGS, "endings.wat"));
      const input = Uint8Array.of(sel);
      const ref = Machine.forTask(cm, { input, limits }).run();
      expect(ref.trap ? `${ref.status}:${ref.trap}` : ref.status).toBe(want);
      const engine = check(cm, input, limits, want);
      expect(engine).toBe(want === "finished" ? "native" : "interpreter");
    });
  }

  it("finished with an empty input (the input_read branch not taken) and at every step limit near the end", async () => {
    const cm = compileWasm(await wat(ENDINGS, "endings.wat"));
    const total = Machine.forTask(cm, { limits }).run().steps;
    for (const s of [total - 2, total - 1, total, total + 1]) check(cm, new Uint8Array(0), { ...limits, maxSteps: s }, `maxSteps=${s}`);
  });

  it("falls back to the interpreter, with the reason, for a module that drops a segment", async () => {
    const cm = compileWasm(await wat(WITH_DROP, "drop.wat"));
    const f = nativeFinalState(cm);
    expect(f.engine).toBe("interpreter");
    expect(f.fallbackReason).toMatch(/data\.drop/);
    expect(hex(f.stateHash)).toBe(hex(stateHashAt({ cm }, f.result.steps)));
  });

  it("a wrong final memory changes the hash (the check is not vacuous)", async () => {
    const cm = compileWasm(await wat(ENDINGS, "endings.wat"));
    const a = nativeFinalState(cm, { input: Uint8Array.of(0), limits });
    const b = nativeFinalState(cm, { input: new Uint8Array(0), limits });
    expect(a.engine).toBe("native");
    expect(hex(a.stateHash)).not.toBe(hex(b.stateHash));
    expect(hex(a.stateHash)).not.toBe(hex(stateHashAt({ cm, opts: { input: Uint8Array.of(0), limits } }, a.result.steps - 1)));
  });
});

export type { TrapCode };
