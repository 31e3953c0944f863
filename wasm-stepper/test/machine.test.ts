import { describe, it, expect } from "vitest";
import { loadModule, Machine, type RunResult, type Value } from "../src/index.ts";

const PROGRAM = `(module
  (import "task" "input_size" (func $isz (result i32)))
  (import "task" "input_read" (func $ird (param i32 i32 i32)))
  (import "task" "output_write" (func $ow (param i32 i32)))
  (memory 1 4)
  (table 2 funcref)
  (elem (i32.const 0) $sq $neg)
  (type $un (func (param i32) (result i32)))
  (global $g (mut i64) (i64.const -7))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $neg (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "mix") (param i32 i64) (result i64 i32)
    (global.set $g (i64.add (global.get $g) (local.get 1)))
    (global.get $g)
    (call_indirect (type $un) (local.get 0) (i32.and (local.get 0) (i32.const 1))))
  (func (export "sw") (param i32) (result i32)
    (block $a (block $b (block $c (br_table $a $b $c (local.get 0))) (return (i32.const 30))) (return (i32.const 20)))
    (i32.const 10))
  (func (export "run") (local $n i32)
    (local.set $n (call $isz))
    (call $ird (i32.const 7) (i32.const 0) (local.get $n))
    ;; bulk: copy the input forward and backward over itself, fill a gap
    (memory.copy (i32.const 40) (i32.const 7) (local.get $n))
    (memory.copy (i32.const 45) (i32.const 40) (local.get $n))
    (memory.fill (i32.const 3) (i32.const 0xab) (i32.const 3))
    (call $ow (i32.const 0) (i32.add (local.get $n) (i32.const 50))))
)`;

function stepAll(m: Machine, cap = 10_000_000): RunResult {
  let n = 0;
  while (m.status === "running" && n++ < cap) m.step();
  return m.result();
}

describe("Machine", () => {
  it("step() and run() agree on status, results, output and steps", async () => {
    const cm = await loadModule(PROGRAM);
    const input = Uint8Array.from({ length: 77 }, (_, i) => (i * 37 + 11) & 0xff);
    const a = Machine.forTask(cm, { input }).run();
    const b = stepAll(Machine.forTask(cm, { input }));
    expect(a.status).toBe("finished");
    expect(b).toEqual(a);
    expect(a.output.length).toBe(127);
    const invocations: [string, Value[]][] = [
      ["fib", [{ type: "i32", value: 12 }]],
      ["mix", [{ type: "i32", value: 5 }, { type: "i64", value: 100n }]],
      ["mix", [{ type: "i32", value: 6 }, { type: "i64", value: -1n }]],
      ["sw", [{ type: "i32", value: 0 }]],
      ["sw", [{ type: "i32", value: 2 }]],
      ["sw", [{ type: "i32", value: -1 }]],
    ];
    const m1 = Machine.instantiate(cm);
    const m2 = Machine.instantiate(cm);
    for (const [name, args] of invocations) {
      const r1 = m1.invoke(name, args);
      m2.prepareInvoke(name, args);
      expect(stepAll(m2)).toEqual(r1);
    }
    expect(m1.invoke("fib", [{ type: "i32", value: 12 }]).results).toEqual([{ type: "i32", value: 144 }]);
    // mix(5, 100): g = -7 + 100 = 93; 5 is odd -> $neg(5) = -5.
    expect(Machine.instantiate(cm).invoke("mix", [{ type: "i32", value: 5 }, { type: "i64", value: 100n }]).results).toEqual([
      { type: "i64", value: 93n },
      { type: "i32", value: -5 },
    ]);
    expect(m1.invoke("sw", [{ type: "i32", value: 1 }]).results[0]!.value).toBe(20);
    expect(m1.invoke("sw", [{ type: "i32", value: 99 }]).results[0]!.value).toBe(30);
    expect(m1.invoke("sw", [{ type: "i32", value: 0 }]).results[0]!.value).toBe(10);
  });

  it("the bulk and host micro-steps leave memory as one big copy would", async () => {
    const cm = await loadModule(PROGRAM);
    const input = Uint8Array.from({ length: 77 }, (_, i) => (i * 37 + 11) & 0xff);
    const r = Machine.forTask(cm, { input }).run();
    const mem = new Uint8Array(200);
    mem.set(input, 7);
    mem.copyWithin(40, 7, 7 + 77);
    mem.copyWithin(45, 40, 40 + 77);
    mem.fill(0xab, 3, 6);
    expect(Buffer.from(r.output).toString("hex")).toBe(Buffer.from(mem.subarray(0, 127)).toString("hex"));
  });

  it("stops at every step limit with out_of_steps and the same state as stepping", async () => {
    const cm = await loadModule(PROGRAM);
    const input = Uint8Array.from({ length: 40 }, (_, i) => i);
    const full = Machine.forTask(cm, { input }).run();
    for (let n = 1; n < full.steps; n++) {
      const r = Machine.forTask(cm, { input, limits: { maxSteps: n } }).run();
      expect(r.status).toBe("out_of_steps");
      expect(r.steps).toBe(n);
      const s = Machine.forTask(cm, { input });
      for (let k = 0; k < n; k++) s.step();
      expect(Buffer.from(r.output).equals(Buffer.from(s.result().output))).toBe(true);
    }
    const exact = Machine.forTask(cm, { input, limits: { maxSteps: full.steps } }).run();
    // The last step finishes the task, so the limit is not hit.
    expect(exact.status).toBe("finished");
  });

  it("a terminal state steps to itself", async () => {
    const cm = await loadModule(`(module (func (export "t") (unreachable)))`);
    const m = Machine.instantiate(cm);
    const r = m.invoke("t");
    expect(r).toMatchObject({ status: "trapped", trap: "unreachable", steps: 2 });
    const snap = m.snapshot();
    m.step();
    expect(m.snapshot()).toEqual(snap);
  });

  it("snapshot and restore replay the same execution", async () => {
    const cm = await loadModule(PROGRAM);
    const input = Uint8Array.from({ length: 90 }, (_, i) => 255 - i);
    const m = Machine.forTask(cm, { input });
    m.runTo(25);
    const snap = m.snapshot();
    const first = m.run();
    m.restore(snap);
    expect(m.steps).toBe(25);
    expect(m.run()).toEqual(first);
  });

  it("limits are defined terminal states", async () => {
    const cm = await loadModule(PROGRAM);
    const deep = Machine.instantiate(cm, { limits: { maxCallDepth: 5 } }).invoke("fib", [{ type: "i32", value: 10 }]);
    expect(deep).toMatchObject({ status: "trapped", trap: "call_stack_exhausted" });
    const shallow = Machine.instantiate(cm, { limits: { maxValueStack: 12 } }).invoke("fib", [{ type: "i32", value: 10 }]);
    expect(shallow).toMatchObject({ status: "trapped", trap: "value_stack_exhausted" });
    const out = Machine.forTask(cm, { input: new Uint8Array(10), limits: { maxOutputBytes: 59 } }).run();
    expect(out).toMatchObject({ status: "trapped", trap: "output_limit" });
    expect(out.output.length).toBe(0);
  });

  it("rejects bad invocations with usage errors", async () => {
    const cm = await loadModule(PROGRAM);
    const m = Machine.instantiate(cm);
    expect(() => m.invoke("nope")).toThrow(/no exported function named "nope"/);
    expect(() => m.invoke("fib", [])).toThrow(/takes 1 argument/);
    expect(() => m.invoke("fib", [{ type: "i64", value: 1n }])).toThrow(/must be i32/);
    expect(() => Machine.instantiate(cm, { limits: { maxSteps: -1 } })).toThrow(/maxSteps/);
  });
});
