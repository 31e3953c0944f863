/**
 * Lockstep (prove, verify, compare with the machine, every step) on WAT
 * programs written to reach every opcode family, every trap code, every limit,
 * the host API's micro-steps, bulk-memory micro-steps in both directions,
 * table.copy/init, segment drops, unaligned accesses crossing 32-byte leaves,
 * finishing, and terminal states (test/helpers/state-programs.ts). Plus a
 * sweep of every numeric operator over edge values, the micro-step counts of
 * EXECUTION.md section 5, and fast-check fuzzing of operands and bulk ranges
 * (FUZZ_RUNS, default 100; FUZZ_SEED).
 */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import opcodes from "../spec/opcodes.json" with { type: "json" };
import stateSpec from "../spec/state.json" with { type: "json" };
import type { CompiledModule } from "../src/compile/types.ts";
import { Machine } from "../src/machine.ts";
import { Prover } from "../src/state/prove.ts";
import type { Value } from "../src/types.ts";
import { i32, i64 } from "./helpers/compare.ts";
import {
  classifyStep,
  compileWat,
  expectedMicroSteps,
  lockstepMachine,
  lockstepRun,
  MICRO_STEPPED,
  type LockstepResult,
  type StepInfo,
} from "./helpers/state.ts";
import { I32_EDGE, I64_EDGE, I32_BINARY, I32_UNARY, I64_BINARY, I64_UNARY, NUMERIC, NUMERIC_PROGRAM, STATE_PROGRAMS, numericCases, traps, type StateProgram } from "./helpers/state-programs.ts";
import { FULL_SWEEPS, sampleOf } from "./helpers/sample.ts";

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const fcParams = { numRuns: FUZZ_RUNS, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) };

const compiled = new Map<string, CompiledModule>();
beforeAll(async () => {
  for (const p of [...STATE_PROGRAMS, NUMERIC_PROGRAM]) compiled.set(p.name, await compileWat(p.wat, `${p.name}.wat`));
});

// ---- everything the programs reach, collected across the tests of this file

const executed = new Set<string>();
const cases = new Set<string>();
const ends = new Set<string>();
const terminals = new Set<string>();
let stepsChecked = 0;
/** Micro-stepped executions: [op, dst, src, n, steps taken, trapped]. */
const bulkRuns: { op: string; dst: number; src: number; n: number; steps: number; trapped: boolean; where: string }[] = [];

/** Follows consecutive steps of one micro-stepped instruction and records its step count. */
function bulkTracker(where: string): (s: StepInfo) => void {
  let cur: (typeof bulkRuns)[number] | undefined;
  let curPc = -1;
  return (s) => {
    if (s.statusBefore !== "running") return;
    if (MICRO_STEPPED[s.op] === undefined) return;
    if (!cur || curPc !== s.pc || cur.op !== s.op) {
      const [x, y, z] = s.args.map(Number) as [number, number, number];
      cur = s.op === "host_output_write" ? { op: s.op, dst: s.outputLength, src: y, n: z, steps: 0, trapped: false, where } : { op: s.op, dst: x, src: y, n: z, steps: 0, trapped: false, where };
      curPc = s.pc;
      bulkRuns.push(cur);
    }
    cur.steps++;
    if (s.statusAfter === "trapped") cur.trapped = true;
    if (s.pcAfter !== s.pc || s.statusAfter !== "running") {
      cur = undefined;
      curPc = -1;
    }
  };
}

function record(results: LockstepResult[]): void {
  for (const r of results) {
    stepsChecked += r.steps;
    for (const op of r.ops) executed.add(op);
    ends.add(r.status + (r.trap ? `:${r.trap}` : ""));
    terminals.add(r.terminal.statusBefore);
  }
}

function runProgram(p: StateProgram): void {
  const cm = compiled.get(p.name)!;
  for (const run of p.runs) {
    const where = `${p.name}: ${run.label}`;
    const track = bulkTracker(where);
    const { results } = lockstepRun(cm, run, where, {
      refEvery: 400,
      onStep: (s) => {
        cases.add(`${s.op} ${classifyStep(s)}`);
        track(s);
      },
    });
    const want = run.end ?? "finished";
    const got = results.map((r) => r.status + (r.trap ? `:${r.trap}` : ""));
    expect(got, where).toEqual([...Array<string>(results.length - 1).fill("finished"), want]);
    record(results);
  }
}

describe("lockstep on programs reaching every opcode, trap and limit", () => {
  for (const p of STATE_PROGRAMS) it(p.name, () => runProgram(p));
  it("numeric (two operand sets per operator, and the traps)", () => runProgram(NUMERIC_PROGRAM));

  it("every numeric operator on edge operands (all pairs under test:full, a seeded sample with each operator's first and last pair under npm test)", () => {
    const cm = compiled.get("numeric")!;
    const every = numericCases(I32_EDGE.slice(0, 9), I64_EDGE.slice(0, 9)).filter((c) => !traps(c));
    const span = new Map<string, [number, number]>();
    every.forEach((c, i) => span.set(c.op, [span.get(c.op)?.[0] ?? i, i]));
    const all = sampleOf(every, { size: 600, keep: [...span.values()].flat(), label: "numeric edge operands" });
    const m = Machine.instantiate(cm, { limits: { maxCallDepth: 8, maxValueStack: 64, maxMemoryPages: 1 } });
    const prover = new Prover(m);
    let steps = 0;
    let want = 0;
    for (const c of all) {
      m.prepareInvoke(c.op, c.args);
      const r = lockstepMachine(m, `${c.op}(${c.args.map((a) => String(a.value)).join(", ")})`, {}, undefined, prover);
      expect(r.status).toBe("finished");
      steps += r.steps;
      want += c.args.length + 4; // call, local.get per operand, the operator, return, finish
    }
    stepsChecked += steps;
    expect(every.length).toBeGreaterThan(4000);
    expect(new Set(all.map((c) => c.op)).size).toBe(span.size);
    expect(steps).toBe(want);
  });

  it("reached every executable opcode, every trap code, every status, and each terminal state stepped to itself", () => {
    const executable = opcodes.opcodes.map((o) => o.name).filter((n) => n !== "br_table_entry");
    expect(executable.filter((o) => !executed.has(o))).toEqual([]);
    const trapCodes = Object.keys(stateSpec.traps).filter((t) => t !== "none");
    expect(trapCodes.filter((t) => !ends.has(`trapped:${t}`))).toEqual([]);
    expect(ends).toContain("finished");
    expect(ends).toContain("out_of_steps");
    expect([...terminals].sort()).toEqual(["finished", "out_of_steps", "trapped"]);
    // More than 20,000 steps with every edge-operand pair (test:full), about 9,600 with the sample.
    expect(stepsChecked).toBeGreaterThan(FULL_SWEEPS ? 20_000 : 7_000);
  });

  it("reached the interesting cases", () => {
    const want = [
      // branches
      "br jump",
      "br jump (drop)",
      "br_if taken",
      "br_if taken (drop)",
      "br_if not taken",
      "br_unless jump",
      "br_unless not taken",
      "br_table entry 0",
      "br_table entry 1",
      "br_table entry 2",
      "br_table entry 3 (return)",
      "br_table default",
      "return_if taken",
      "return_if not taken",
      "call call",
      "call_indirect call",
      "select first",
      "select second",
      // unaligned accesses crossing a leaf boundary
      "i64.load cross-leaf",
      "i64.store cross-leaf",
      "i32.load cross-leaf",
      "i32.store cross-leaf",
      "i32.load16_u cross-leaf",
      "i64.load32_u cross-leaf",
      // memory.grow
      "memory.grow grows",
      "memory.grow by 0",
      "memory.grow fails",
      // micro-steps
      "memory.fill chunk",
      "memory.fill last chunk",
      "memory.fill empty",
      "memory.copy forward chunk",
      "memory.copy forward last chunk",
      "memory.copy forward empty",
      "memory.copy backward chunk",
      "memory.copy backward last chunk",
      "memory.copy backward empty",
      "memory.init chunk",
      "memory.init last chunk",
      "memory.init empty",
      "table.copy forward chunk",
      "table.copy forward last chunk",
      "table.copy backward chunk",
      "table.copy backward last chunk",
      "table.copy backward empty",
      "table.init chunk",
      "table.init last chunk",
      "table.init empty",
      "host_input_read chunk",
      "host_input_read last chunk",
      "host_input_read empty",
      "host_output_write chunk",
      "host_output_write last chunk",
      "host_output_write empty",
      "data.drop next",
      "elem.drop next",
    ];
    expect(want.filter((c) => !cases.has(c))).toEqual([]);
    // some step ran out of steps in the middle of a program (not only at a call)
    expect([...cases].some((c) => c.endsWith("-> out_of_steps") && !c.startsWith("call "))).toBe(true);
  });

  it("micro-stepped instructions take the number of steps EXECUTION.md section 5 gives", () => {
    const done = bulkRuns.filter((b) => !b.trapped);
    expect(done.length).toBeGreaterThan(40);
    for (const b of done) expect(b.steps, `${b.where}: ${b.op}(dst ${b.dst}, src ${b.src}, n ${b.n})`).toBe(expectedMicroSteps(b.op, b.dst, b.src, b.n));
    // a trap is always the first (and only) step of the instruction
    for (const b of bulkRuns.filter((x) => x.trapped)) expect(b.steps, `${b.where}: ${b.op}`).toBe(1);
    // both directions of memory.copy with several chunks were counted
    expect(done.some((b) => b.op === "memory.copy" && b.dst > b.src && b.steps > 2)).toBe(true);
    expect(done.some((b) => b.op === "memory.copy" && b.dst < b.src && b.steps > 2)).toBe(true);
  });
});

// ---------------------------------------------------------------- fuzzing

const NUM_OPS = [
  ...I32_BINARY.map((o) => ({ op: `i32.${o}`, types: ["i32", "i32"] })),
  ...I32_UNARY.map((o) => ({ op: `i32.${o}`, types: ["i32"] })),
  ...I64_BINARY.map((o) => ({ op: `i64.${o}`, types: ["i64", "i64"] })),
  ...I64_UNARY.map((o) => ({ op: `i64.${o}`, types: ["i64"] })),
  { op: "i32.wrap_i64", types: ["i64"] },
  { op: "i64.extend_i32_s", types: ["i32"] },
  { op: "i64.extend_i32_u", types: ["i32"] },
];

const arbI32 = fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.constantFrom(0, 1, -1, 31, 32, 63, 64, -0x80000000, 0x7fffffff));
const arbI64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(0n, 1n, -1n, 63n, 64n, -(2n ** 63n), 2n ** 63n - 1n, 0xffffffffn));

describe("fuzz (fast-check)", () => {
  it("random numeric operators and operands: every step proves and verifies", () => {
    expect(NUMERIC).toContain("i64.extend32_s");
    const cm = compiled.get("numeric")!;
    const m = Machine.instantiate(cm, { limits: { maxCallDepth: 8, maxValueStack: 64, maxMemoryPages: 1 } });
    const prover = new Prover(m);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: NUM_OPS.length - 1 }), fc.tuple(arbI32, arbI32, arbI64, arbI64), (k, [a, b, x, y]) => {
        const { op, types } = NUM_OPS[k]!;
        const ints = [a, b];
        const bigs = [x, y];
        const args: Value[] = types.map((t, j) => (t === "i32" ? i32(ints[j]!) : i64(bigs[j]!)));
        m.prepareInvoke(op, args);
        const r = lockstepMachine(m, `${op}(${args.map((v) => String(v.value)).join(", ")})`, {}, undefined, prover);
        expect(r.status === "finished" || (r.status === "trapped" && /int_(divide_by_zero|overflow)/.test(r.trap ?? ""))).toBe(true);
        expect(r.status === "trapped").toBe(traps({ op, args }));
      }),
      fcParams,
    );
  });

  it("random bulk ranges (memory.fill/copy/init, table.copy/init, input_read, output_write): proofs verify, step counts match", () => {
    const bulk = compiled.get("bulk")!;
    const host = compiled.get("host")!;
    const input = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 255);
    const mb = Machine.instantiate(bulk, { limits: { maxCallDepth: 8, maxValueStack: 64, maxMemoryPages: 1 } });
    const mh = Machine.instantiate(host, { input, limits: { maxCallDepth: 8, maxValueStack: 64, maxMemoryPages: 1, maxOutputBytes: 120 } });
    const pb = new Prover(mb);
    const ph = new Prover(mh);
    const near = (max: number) => fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: max - 200, max: max + 8 }));
    const kinds = ["fill", "copy", "init", "tcopy", "tinit", "read", "write"] as const;
    let counted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...kinds), near(65536), near(65536), fc.integer({ min: 0, max: 160 }), (kind, d, s, n) => {
        let m = mb;
        let p = pb;
        const name: string = kind;
        let args: Value[];
        if (kind === "tcopy" || kind === "tinit") {
          args = [i32(d % 10), i32(s % 10), i32(n % 9)];
        } else if (kind === "init") {
          args = [i32(d), i32(s % 80), i32(n % 80)];
        } else if (kind === "read") {
          m = mh;
          p = ph;
          args = [i32(d), i32(s % 310), i32(n)];
        } else if (kind === "write") {
          m = mh;
          p = ph;
          args = [i32(d), i32(n)];
        } else args = [i32(d), i32(s), i32(n)];
        if (kind === "fill") args[1] = i32(s & 0x1ff);
        m.prepareInvoke(name, args);
        const track = bulkTracker(`${name}(${args.map((v) => String(v.value)).join(", ")})`);
        const before = bulkRuns.length;
        const r = lockstepMachine(m, `${name}(${args.map((v) => String(v.value)).join(", ")})`, { onStep: track }, undefined, p);
        const mine = bulkRuns.splice(before);
        expect(mine.length).toBe(1);
        const b = mine[0]!;
        if (r.status === "finished") {
          expect(b.steps, b.where).toBe(expectedMicroSteps(b.op, b.dst, b.src, b.n));
          counted++;
        } else {
          expect(r.status, b.where).toBe("trapped");
          expect(b.steps).toBe(1);
        }
      }),
      fcParams,
    );
    expect(counted).toBeGreaterThan(FUZZ_RUNS / 4);
  });
});
