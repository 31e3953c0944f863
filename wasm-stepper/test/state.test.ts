/**
 * The state commitment and one-step proofs on real programs (spec/STATE.md):
 * for every step of the corpus programs, verifyStep(before, proof) == after ==
 * the commitment's hash after the machine stepped == (at sampled steps) the
 * spec-reference hash computed from the machine without src/state; a terminal
 * state steps to itself; Machine.run() ends in the same hash. Also the public
 * proveStep/stateHashAt API, and what the initial state depends on.
 *
 * Under `npm test` the corpus runs prove a seeded sample of their steps (the first two, the
 * first of each mnemonic, the last, one in six of the others), every step under
 * `npm run test:full` (VWASM_FULL=1).
 *
 * The WAT programs that reach every opcode, trap and limit: state-ops.test.ts.
 * Tampering: state-tamper.test.ts. Vectors: state-vectors.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CORPUS, corpusBytes, type CorpusProgram } from "./corpus/corpus.ts";
import { compileWasm } from "../src/load.ts";
import type { CompiledModule } from "../src/compile/types.ts";
import { Machine } from "../src/machine.ts";
import { StateCommitment } from "../src/state/commit.ts";
import { proveStep, stateHashAt, type ProveTarget } from "../src/state/prove.ts";
import { verifyStep } from "../src/state/verify.ts";
import type { Limits, TrapCode } from "../src/types.ts";
import { compileWat, hex, lockstep, refStateHash, sampledSteps, type LockstepResult } from "./helpers/state.ts";
import { i32 } from "./helpers/compare.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const u32le = (...vs: number[]) => {
  const b = new Uint8Array(vs.length * 4);
  vs.forEach((v, i) => new DataView(b.buffer).setUint32(i * 4, v >>> 0, true));
  return b;
};

interface Pick {
  /** Task labels of the corpus program to run, or extra tasks. */
  tasks: (string | { label: string; input: Uint8Array; limits?: Partial<Limits>; status: string; trap?: TrapCode })[];
  /** Indices into the program's calls. */
  calls: number[];
}

/** Short runs of every corpus program: a few to ~20k steps each (about 95k in all). */
const PICKS: Record<string, Pick> = {
  sha256: { tasks: ["0 bytes"], calls: [5] },
  sort: { tasks: ["n=1", "n=13", "n=200000, maxMemoryPages 2"], calls: [6] },
  expr: { tasks: ["arithmetic", "syntax errors", "division by zero traps after earlier output", "MIN / -1 traps"], calls: [8, 10] },
  bigint: {
    tasks: ['"20"', { label: "20! over a 10-byte output limit", input: enc("20"), limits: { maxOutputBytes: 10 }, status: "trapped", trap: "output_limit" }],
    calls: [3, 6],
  },
  crc32: { tasks: [{ label: "cut by maxSteps", input: enc("abc"), limits: { maxSteps: 20_000 }, status: "out_of_steps" }], calls: [0, 3] },
  "bench/xorshift": { tasks: [{ label: "n=100", input: u32le(100), status: "finished" }], calls: [2] },
  "bench/sieve": { tasks: ["n=100"], calls: [5] },
  "sum-input": { tasks: ["0 bytes", "257 bytes"], calls: [] },
  vm: { tasks: ["20!", "25! wraps", "subprogram", "nested subprograms", "division by zero", "bad opcode", "countdown outputs", "empty"], calls: [0] },
  fib: { tasks: [], calls: [3] },
};

const compiled = new Map<string, CompiledModule>();
beforeAll(async () => {
  for (const p of CORPUS) if (PICKS[p.name]) compiled.set(p.name, compileWasm(await corpusBytes(p)));
});

let totalSteps = 0;
/** `npm test` proves the first step of each mnemonic, the last step and one in SAMPLE_EVERY of the others; `npm run test:full` every step. */
const SAMPLE_EVERY = 6;

function runPicks(p: CorpusProgram): { label: string; r: LockstepResult; status: string; trap?: TrapCode | undefined }[] {
  const pick = PICKS[p.name]!;
  const cm = compiled.get(p.name)!;
  const out: { label: string; r: LockstepResult; status: string; trap?: TrapCode | undefined }[] = [];
  for (const t of pick.tasks) {
    const task =
      typeof t === "string"
        ? (() => {
            const c = p.tasks.find((x) => x.label === t);
            if (!c) throw new Error(`${p.name}: no task "${t}"`);
            return { label: c.label, input: c.input, limits: c.limits, status: c.trap ? "trapped" : "finished", trap: c.trap };
          })()
        : t;
    const target: ProveTarget = { cm, opts: { input: task.input, limits: task.limits ?? {} } };
    const label = `${p.name} task ${task.label}`;
    out.push({ label, r: lockstep(target, label, { refEvery: 2500, prove: sampledSteps(SAMPLE_EVERY, label) }), status: task.status, trap: task.trap });
  }
  for (const k of pick.calls) {
    const c = p.calls[k]!;
    const target: ProveTarget = { cm, invoke: { name: c.name, args: c.args } };
    const label = `${p.name} call ${c.name}(${c.args.map((a) => String(a.value)).join(", ")})`;
    out.push({ label, r: lockstep(target, label, { refEvery: 2500, prove: sampledSteps(SAMPLE_EVERY, label) }), status: c.trap ? "trapped" : "finished", trap: c.trap });
  }
  return out;
}

describe("lockstep on the corpus: the proven steps (every one under test:full) verify and match the machine", () => {
  for (const p of CORPUS) {
    if (!PICKS[p.name]) continue;
    it(p.name, () => {
      const runs = runPicks(p);
      expect(runs.length).toBeGreaterThan(0);
      for (const { label, r, status, trap } of runs) {
        expect(r.status, label).toBe(status);
        expect(r.trap, label).toBe(trap);
        expect(r.steps, label).toBeGreaterThan(0);
        expect(r.refChecks, label).toBeGreaterThanOrEqual(2);
        totalSteps += r.steps;
      }
    });
  }

  it("covered every corpus program (and stepped through tens of thousands of steps)", () => {
    expect(CORPUS.filter((p) => !PICKS[p.name]).map((p) => p.name)).toEqual([]);
    expect(totalSteps).toBeGreaterThan(90_000);
  });
});

describe("proveStep and stateHashAt agree with stepping", () => {
  it("on a task: proofs at chosen steps, hashes at chosen steps, past the end", () => {
    const p = CORPUS.find((x) => x.name === "vm")!;
    const cm = compiled.get("vm")!;
    const target: ProveTarget = { cm, opts: { input: p.tasks.find((t) => t.label === "subprogram")!.input } };
    const want = [0, 1, 7, 50, 150];
    const seen = new Map<number, { before: string; after: string; proof: string }>();
    const r = lockstep(target, "vm subprogram", {
      keep: (s) => want.includes(s.step),
      onStep: (s) => {
        if (want.includes(s.step)) seen.set(s.step, { before: hex(s.proof.before), after: hex(s.proof.after), proof: hex(s.proof.proof) });
      },
    });
    expect(r.steps).toBeGreaterThan(150);
    for (const n of want) {
      const ps = proveStep(target, n);
      expect(ps.step).toBe(n);
      expect({ before: hex(ps.before), after: hex(ps.after), proof: hex(ps.proof) }, `step ${n}`).toEqual(seen.get(n));
      expect(hex(stateHashAt(target, n + 1))).toBe(hex(ps.after));
      expect(hex(stateHashAt(target, n))).toBe(hex(ps.before));
    }
    // Past the end: the terminal state, stepping to itself with a header-only proof.
    expect(hex(stateHashAt(target, r.steps))).toBe(hex(r.finalHash));
    expect(hex(stateHashAt(target, r.steps + 1000))).toBe(hex(r.finalHash));
    const past = proveStep(target, r.steps + 5);
    expect(past.step).toBe(r.steps + 5);
    expect(hex(past.before)).toBe(hex(r.finalHash));
    expect(hex(past.after)).toBe(hex(r.finalHash));
    expect(hex(verifyStep(past.before, past.proof))).toBe(hex(r.finalHash));
    expect(hex(past.proof)).toBe(hex(r.terminal.proof.proof));
    expect(() => proveStep(target, -1)).toThrow(/non-negative/);
    expect(() => proveStep(target, 1.5)).toThrow(/non-negative/);
  });

  it("on an invocation", () => {
    const cm = compiled.get("fib")!;
    const target: ProveTarget = { cm, invoke: { name: "fib", args: [i32(5)] } };
    const r = lockstep(target, "fib(5)", { keep: () => true });
    for (const s of r.kept.filter((_, k) => k % 9 === 0)) {
      const ps = proveStep(target, s.step);
      expect(hex(ps.proof), `step ${s.step}`).toBe(hex(s.proof.proof));
      expect(hex(ps.after)).toBe(hex(s.proof.after));
    }
  });
});

describe("the initial state (step 0) commits to the module, the input and the limits", () => {
  const prog = (k: number, opts: { max?: number; data?: string; global?: number; elem?: string } = {}) => `
    (module
      (import "task" "output_write" (func $ow (param i32 i32)))
      (memory 1 ${opts.max ?? ""})
      (table 2 funcref)
      (elem (i32.const 0) ${opts.elem ?? "$run"})
      (global $g (mut i32) (i32.const ${opts.global ?? 5}))
      (data (i32.const 40) "${opts.data ?? "hello"}")
      (func $other)
      (func $run (export "run") (call $ow (i32.const ${k}) (i32.const 5))))`;
  const base = { maxSteps: 1000, maxMemoryPages: 4, maxCallDepth: 50, maxValueStack: 500, maxOutputBytes: 100 };
  const input = enc("abc");
  let cms: Record<string, CompiledModule>;
  beforeAll(async () => {
    cms = {
      base: await compileWat(prog(40)),
      code: await compileWat(prog(41)),
      data: await compileWat(prog(40, { data: "hellp" })),
      global: await compileWat(prog(40, { global: 6 })),
      elem: await compileWat(prog(40, { elem: "$other" })),
      max2: await compileWat(prog(40, { max: 2 })),
    };
  });
  const h0 = (cm: CompiledModule, inp: Uint8Array, limits: Partial<Limits>) => {
    const m = Machine.forTask(cm, { input: inp, limits });
    const h = new StateCommitment(m).stateHash();
    expect(hex(refStateHash(m)), "spec-reference hash of the initial state").toBe(hex(h));
    expect(hex(stateHashAt({ cm, opts: { input: inp, limits } }, 0))).toBe(hex(h));
    return hex(h);
  };

  it("is deterministic", () => {
    expect(h0(cms.base!, input, base)).toBe(h0(cms.base!, enc("abc"), { ...base }));
    // Recompiling the same text gives the same commitment.
    return compileWat(prog(40)).then((again) => expect(h0(again, input, base)).toBe(h0(cms.base!, input, base)));
  });

  it("changes with the module: code, data, globals, table", () => {
    const b = h0(cms.base!, input, base);
    const variants = ["code", "data", "global", "elem"].map((k) => h0(cms[k]!, input, base));
    expect(new Set([b, ...variants]).size).toBe(5);
  });

  it("changes with the input: a byte, the length (even when only zero bytes are added)", () => {
    const hs = [input, enc("abd"), Uint8Array.of(97, 98, 99, 0), new Uint8Array(0), new Uint8Array(33)].map((i) => h0(cms.base!, i, base));
    expect(new Set(hs).size).toBe(5);
  });

  it("changes with each limit", () => {
    const b = h0(cms.base!, input, base);
    const hs = (Object.keys(base) as (keyof typeof base)[]).map((k) => h0(cms.base!, input, { ...base, [k]: base[k] + 1 }));
    expect(new Set([b, ...hs]).size).toBe(6);
  });

  it("commits to the EFFECTIVE memory maximum: min(task limit, module maximum)", () => {
    // The module declares max 2: task limits 4 and 9 both mean 2 pages.
    expect(h0(cms.max2!, input, { ...base, maxMemoryPages: 9 })).toBe(h0(cms.max2!, input, base));
    expect(h0(cms.max2!, input, { ...base, maxMemoryPages: 1 })).not.toBe(h0(cms.max2!, input, base));
    // Without a declared maximum the task limit is the maximum.
    expect(h0(cms.base!, input, { ...base, maxMemoryPages: 9 })).not.toBe(h0(cms.base!, input, base));
  });

  it("differs between a task and an invocation of the same export", () => {
    const cm = cms.base!;
    const m = Machine.instantiate(cm, { input, limits: base });
    m.prepareInvoke("run", []);
    const inv = hex(new StateCommitment(m).stateHash());
    expect(hex(refStateHash(m))).toBe(inv);
    expect(inv).not.toBe(h0(cm, input, base));
  });

  it("a run's final hash depends on the input (the program reads nothing, only memory it writes)", () => {
    // The output is the same 5 bytes for both inputs, but the committed input differs to the end.
    const t = (inp: Uint8Array): ProveTarget => ({ cm: cms.base!, opts: { input: inp, limits: base } });
    const a = lockstep(t(input), "input abc");
    const b = lockstep(t(enc("xyz")), "input xyz");
    expect(a.steps).toBe(b.steps);
    expect(hex(a.finalHash)).not.toBe(hex(b.finalHash));
  });
});
