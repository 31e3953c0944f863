/**
 * Lockstep on real programs: this package's WAT programs (test/programs: memory far from zero
 * under 1024- and 65536-page limits, calls and the frame stack, call limits) and programs
 * compiled by real compilers (wasm-stepper/examples: AssemblyScript crc32, sort, sha256, expr,
 * bigint; fib.wat; sum-input.wat). For every proven step the contract's post-state hash equals the
 * TypeScript stepper's. Long programs are proven in windows (head and tail) to keep a few thousand
 * on-chain calls per program.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { deployOnHardhat, type Deployed } from "./helpers/chain";
import { newCoverage, replayOnChain } from "./helpers/lockstep";
import { compileWasm, compileWat, proveRun, type CompiledModule, type Run } from "./helpers/stepper.mts";

let d: Deployed;
beforeAll(async () => {
  d = await deployOnHardhat();
});

const programs = new URL("./programs/", import.meta.url);
const examples = new URL("./examples/", import.meta.resolve("@vwasm/wasm-stepper/package.json"));
const watOf = (dir: URL, f: string) => compileWat(readFileSync(new URL(f, dir), "utf8"), f);
const wasmOf = (f: string) => compileWasm(new Uint8Array(readFileSync(new URL(f, examples))));
const enc = (s: string) => new TextEncoder().encode(s);
const u32le = (...vs: number[]) => {
  const b = new Uint8Array(vs.length * 4);
  vs.forEach((v, i) => new DataView(b.buffer).setUint32(i * 4, v >>> 0, true));
  return b;
};
const i32 = (value: number) => ({ type: "i32" as const, value });
const bytes = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i) & 255);

interface Program {
  name: string;
  load: () => Promise<CompiledModule> | CompiledModule;
  runs: (Run & { end?: string })[];
}

const PROGRAMS: Program[] = [
  {
    name: "bigmem",
    load: () => watOf(programs, "bigmem.wat"),
    runs: [
      { label: "maxMemoryPages 1024 (memory tree depth 21)", task: true, input: bytes(100, (i) => i * 7 + 1), limits: { maxMemoryPages: 1024 }, end: "finished" },
      { label: "maxMemoryPages 65536 (depth 27)", task: true, input: bytes(45, (i) => 255 - i), limits: { maxMemoryPages: 65536 }, end: "finished" },
      { label: "oob load at the end of memory", calls: [{ name: "oob", args: [] }], limits: { maxMemoryPages: 65536 }, end: "trapped:out_of_bounds_memory" },
    ],
  },
  {
    name: "calls",
    load: () => watOf(programs, "calls.wat"),
    runs: [
      {
        label: "ack, dispatch, many",
        calls: [
          { name: "ack", args: [i32(2), i32(2)] },
          { name: "dispatch", args: [i32(2), { type: "i64", value: -5n }] },
          { name: "many", args: [] },
        ],
        limits: { maxCallDepth: 100, maxValueStack: 4096 },
        end: "finished",
      },
      { label: "call_stack_exhausted", calls: [{ name: "down", args: [i32(0)] }], limits: { maxCallDepth: 40 }, end: "trapped:call_stack_exhausted" },
      { label: "value_stack_exhausted", calls: [{ name: "down", args: [i32(0)] }], limits: { maxCallDepth: 1000, maxValueStack: 120 }, end: "trapped:value_stack_exhausted" },
      { label: "unreachable 5 frames deep", calls: [{ name: "trapAt", args: [i32(5)] }], end: "trapped:unreachable" },
      { label: "indirect_call_type_mismatch", calls: [{ name: "badtype", args: [] }], end: "trapped:indirect_call_type_mismatch" },
      { label: "indirect_call_null", calls: [{ name: "nullentry", args: [] }], end: "trapped:indirect_call_null" },
      { label: "out of steps", calls: [{ name: "ack", args: [i32(2), i32(3)] }], limits: { maxSteps: 150 }, end: "out_of_steps" },
    ],
  },
  {
    name: "fib.wat",
    load: () => watOf(examples, "fib.wat"),
    runs: [{ label: "fib(10)", calls: [{ name: "fib", args: [i32(10)] }, { name: "fib", args: [i32(1)] }], end: "finished" }],
  },
  {
    name: "sum-input.wasm",
    load: () => wasmOf("sum-input.wasm"),
    runs: [{ label: "300 bytes (two input chunks)", task: true, input: bytes(300, (i) => i * 13), end: "finished" }],
  },
  {
    name: "as/crc32.wasm",
    load: () => wasmOf("as/crc32.wasm"),
    // Building the table takes ~47k steps: prove its first steps and the last ones (the CRC and the output).
    runs: [{ label: '"abc", first 800 and last 2500 steps', task: true, input: enc("abc"), head: 800, tail: 2500, end: "finished" }],
  },
  {
    name: "as/sort.wasm",
    load: () => wasmOf("as/sort.wasm"),
    runs: [{ label: "n=4", task: true, input: u32le(4, 7), end: "finished" }],
  },
  {
    name: "as/expr.wasm",
    load: () => wasmOf("as/expr.wasm"),
    runs: [{ label: '"1+2*3"', task: true, input: enc("1+2*3"), end: "finished" }],
  },
  {
    name: "as/bigint.wasm",
    load: () => wasmOf("as/bigint.wasm"),
    runs: [{ label: '"5"', task: true, input: enc("5"), end: "finished" }],
  },
  {
    name: "as/sha256.wasm",
    load: () => wasmOf("as/sha256.wasm"),
    runs: [{ label: "empty input, last 1500 steps", task: true, input: new Uint8Array(), tail: 1500, end: "finished" }],
  },
];

const cov = newCoverage();

describe("lockstep: programs", () => {
  for (const p of PROGRAMS) {
    it(`test_lockstep_${p.name.replace(/[^a-z0-9]+/gi, "_")}_everyStep_matchesStepper`, async () => {
      const cm = await p.load();
      const problems: string[] = [];
      for (const run of p.runs) {
        const cases = proveRun(cm, run);
        const last = cases.at(-1)!;
        if (run.end) expect(`${run.label}: ${last.statusAfter}${last.trap ? `:${last.trap}` : ""}`).toBe(`${run.label}: ${run.end}`);
        problems.push(...(await replayOnChain(d, `${p.name} / ${run.label}`, cases, cov)));
      }
      expect(problems.slice(0, 20)).toEqual([]);
    });
  }

  it("test_lockstep_programs_coverWideMemoryAndCalls", () => {
    for (const op of ["i64.load", "i32.store16", "memory.copy", "memory.fill", "memory.init", "data.drop", "host_input_read", "host_output_write", "call_indirect", "br_table", "return"])
      expect(cov.ops.has(op), op).toBe(true);
    console.log(`lockstep steps: ${cov.steps} (${cov.onChain} on chain)`);
    expect(cov.onChain).toBeGreaterThan(0);
    expect(cov.steps).toBeGreaterThan(8000);
  });
});
