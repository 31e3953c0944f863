/**
 * The per-step path of StateCommitment (syncStep: only the current frame, memory leaves and
 * globals changed since the last hash) against the whole recomputation: one commitment
 * follows a machine step by step, and its hash after each step must equal that of a fresh
 * commitment of a copy of the machine (restored from a snapshot, so the copy's commitment
 * builds everything from nothing), or the spec-reference hash at sampled steps (which leaves
 * the followed commitment undisturbed from step to step). The programs reach every opcode,
 * calls and returns, table writes, segment drops, memory growth, output, input and
 * micro-stepped moves.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadModule, Machine } from "../src/index.ts";
import { OPCODE_NAMES } from "../src/ir/opcodes.ts";
import { StateCommitment } from "../src/state/commit.ts";
import type { CompiledModule } from "../src/compile/types.ts";
import { compileWat, hex, machineForRun, refStateHash } from "./helpers/state.ts";
import { NUMERIC_PROGRAM, STATE_PROGRAMS, type StateRun } from "./helpers/state-programs.ts";

/**
 * How a step's hash is checked: "fresh", against a fresh commitment of a copy of the machine
 * (which takes the keccak arena, so the followed commitment's next hash after a check goes
 * through the whole sync once: the transitions between the two paths); "reference", against
 * the spec-reference hash (test/helpers/reference.ts, no shared code or memory), which leaves
 * the followed commitment on its per-step path from step to step. `every`: check every n-th
 * step (and the last).
 */
interface CheckMode {
  against: "fresh" | "reference";
  every: number;
}

interface Coverage {
  steps: number;
  checked: number;
  /** Mnemonics of the steps whose hash took the per-step path, and of those that took the whole sync. */
  fastOps: Set<string>;
  fullOps: Set<string>;
  /** Per-step hashes after a store that changed memory / wrote back the bytes it found. */
  fastStoresChanged: number;
  fastStoresSame: number;
  fastGlobalSets: number;
  /** Steps whose hash took the per-step path. */
  fastSteps: number;
  /** Steps into or out of a micro-stepped move (mp or auxLen not 0 before or after), and those hashed by the per-step path. */
  microSteps: number;
  fastMicroSteps: number;
}

function newCoverage(): Coverage {
  return { steps: 0, checked: 0, fastOps: new Set(), fullOps: new Set(), fastStoresChanged: 0, fastStoresSame: 0, fastGlobalSets: 0, fastSteps: 0, microSteps: 0, fastMicroSteps: 0 };
}

/** Steps `m` to the end of its invocation, hashing after every step with one commitment; checks as `mode` says. */
function followInvocation(m: Machine, c: StateCommitment, shadow: Machine, label: string, cov: Coverage, mode: CheckMode): void {
  const out = new Uint8Array(96);
  let k = 0;
  while (m.status === "running") {
    const op = OPCODE_NAMES[m.cm.code[m.pc * 4]!] ?? "?";
    const memBefore = op.includes("store") ? m.memory.slice() : undefined;
    const microBefore = m.mp !== 0 || m.auxLen !== 0;
    m.step();
    k++;
    cov.steps++;
    const before = { ...c.syncCounts };
    // At a moving offset: stateHashInto writes its 32 bytes there and nowhere else.
    const off = (k * 13) % 64;
    out.fill(0xa5);
    c.stateHashInto(out, off);
    expect(out.subarray(0, off).every((b) => b === 0xa5) && out.subarray(off + 32).every((b) => b === 0xa5), `${label}: bytes outside [off, off+32)`).toBe(true);
    const h = hex(out.subarray(off, off + 32));
    const fast = c.syncCounts.step === before.step + 1;
    expect(fast || c.syncCounts.full === before.full + 1, `${label}: one sync per hash`).toBe(true);
    (fast ? cov.fastOps : cov.fullOps).add(op);
    if (fast) cov.fastSteps++;
    if (microBefore || m.mp !== 0 || m.auxLen !== 0) {
      cov.microSteps++;
      if (fast) cov.fastMicroSteps++;
    }
    if (fast && memBefore) {
      if (memBefore.every((b, i) => b === m.memory[i])) cov.fastStoresSame++;
      else cov.fastStoresChanged++;
    }
    if (fast && op === "global.set") cov.fastGlobalSets++;
    if (k % mode.every === 0 || m.status !== "running") {
      let want: Uint8Array;
      if (mode.against === "fresh") {
        shadow.restore(m.snapshot());
        want = new StateCommitment(shadow).stateHash();
      } else want = refStateHash(m);
      expect(h, `${label}: step ${m.steps} (after ${op})`).toBe(hex(want));
      cov.checked++;
    }
    // stateHash() (a fresh copy) agrees, and hashing again without a step changes nothing.
    expect(hex(c.stateHash())).toBe(h);
  }
}

function followRun(cm: CompiledModule, run: StateRun, label: string, cov: Coverage, mode: CheckMode): void {
  const m = machineForRun(cm, run);
  const shadow = machineForRun(cm, run);
  const c = new StateCommitment(m);
  c.stateHash();
  if (run.task) {
    followInvocation(m, c, shadow, label, cov, mode);
    return;
  }
  for (const [k, call] of (run.calls ?? []).entries()) {
    m.prepareInvoke(call.name, call.args);
    followInvocation(m, c, shadow, `${label} / call ${k} ${call.name}`, cov, mode);
  }
}

describe("StateCommitment per-step path", () => {
  const compiled = new Map<string, CompiledModule>();
  beforeAll(async () => {
    for (const p of [...STATE_PROGRAMS, NUMERIC_PROGRAM]) compiled.set(p.name, await compileWat(p.wat, `${p.name}.wat`));
  });

  it("hashes after every step of the state programs equal a fresh commitment's", () => {
    const cov = newCoverage();
    for (const p of [...STATE_PROGRAMS, NUMERIC_PROGRAM]) {
      for (const run of p.runs) followRun(compiled.get(p.name)!, run, `${p.name}: ${run.label}`, cov, { against: "fresh", every: 1 });
    }
    expect(cov.checked).toBe(cov.steps);
    // Both paths ran, each on the kinds of steps it is for.
    for (const op of ["local.set", "local.get", "i32.const", "i32.add", "global.set", "i32.store", "i64.store", "i32.store8"]) {
      expect(cov.fastOps, `the per-step path after ${op}`).toContain(op);
    }
    // (Bulk memory and input reads keep their progress in their operands: the per-step path.)
    for (const op of ["memory.copy", "memory.fill", "memory.init", "host_input_read"]) expect(cov.fastOps, `the per-step path after ${op}`).toContain(op);
    for (const op of ["call", "call_indirect", "return", "memory.grow", "table.copy", "table.init", "elem.drop", "data.drop", "host_output_write"]) {
      expect(cov.fullOps, `the whole sync after ${op}`).toContain(op);
    }
    expect(cov.fastStoresChanged).toBeGreaterThan(10);
    expect(cov.fastStoresSame).toBeGreaterThan(0);
    expect(cov.fastGlobalSets).toBeGreaterThan(3);
    // Moves of many values (the micro-step register in use) always take the whole sync.
    expect(cov.microSteps).toBeGreaterThan(20);
    expect(cov.fastMicroSteps).toBe(0);
    expect(cov.fastSteps).toBeGreaterThan(cov.steps / 2);
  });

  it("a loop of global.set, stores, calls and no-op stores: every step against a fresh commitment", async () => {
    // Globals written with a new value and with the value they hold, memory written with new
    // bytes and with the bytes it holds, a call and return every iteration.
    const cm = await loadModule(`(module (memory 1) (global $g (mut i32) (i32.const 5)) (global $h (mut i64) (i64.const 0))
      (func $bump (param $x i32) (result i32)
        (global.set $h (i64.add (global.get $h) (i64.extend_i32_u (local.get $x))))
        (i32.add (local.get $x) (i32.const 1)))
      (func (export "f") (param $n i32) (local $i i32)
        (loop $l
          (global.set $g (global.get $g))
          (global.set $g (i32.and (i32.add (global.get $g) (local.get $i)) (i32.const 7)))
          (i32.store8 (i32.and (local.get $i) (i32.const 63)) (i32.const 0))
          (i32.store (i32.const 100) (call $bump (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))`);
    const cov = newCoverage();
    const m = Machine.instantiate(cm);
    const shadow = Machine.instantiate(cm);
    const c = new StateCommitment(m);
    m.prepareInvoke("f", [{ type: "i32", value: 80 }]);
    followInvocation(m, c, shadow, "loop", cov, { against: "fresh", every: 1 });
    expect(cov.checked).toBe(cov.steps);
    expect(cov.fastGlobalSets).toBeGreaterThan(100);
    expect(cov.fastStoresSame).toBeGreaterThan(10);
    expect(cov.fastStoresChanged).toBeGreaterThan(10);
    expect(cov.fullOps).toContain("call");
    // Every step but the calls and returns: the fresh commitment of each check takes the arena,
    // and the stateHash() after it (the whole sync) gives it back before the next step.
    expect(cov.fastSteps).toBeGreaterThan(0.8 * cov.steps);
  });

  it("undisturbed from step to step: the state programs against the spec-reference hash at sampled steps", () => {
    const cov = newCoverage();
    for (const p of [...STATE_PROGRAMS, NUMERIC_PROGRAM]) {
      for (const run of p.runs) followRun(compiled.get(p.name)!, run, `${p.name}: ${run.label}`, cov, { against: "reference", every: 10 });
    }
    expect(cov.checked).toBeGreaterThan(cov.steps / 10);
    // Without a check in between, the per-step path takes all but calls, returns, table and
    // segment changes, memory growth, output and micro-steps.
    expect(cov.fastSteps).toBeGreaterThan(0.8 * cov.steps);
    expect(cov.fastMicroSteps).toBe(0);
  });

  it("operand chain entries kept above the height are reused only on the same operands below", async () => {
    // The same values pushed again onto the same operands (reused), onto a different operand
    // below (rehashed), and after the operands below changed and changed back.
    const cm = await loadModule(`(module (func (export "f") (param $x i32) (param $y i32) (result i32)
      (drop (drop (drop (local.get $x) (i32.const 5) (i32.const 6))))
      (drop (drop (drop (local.get $x) (i32.const 5) (i32.const 6))))
      (drop (drop (drop (local.get $y) (i32.const 5) (i32.const 6))))
      (drop (drop (drop (local.get $x) (i32.const 5) (i32.const 6))))
      (drop (drop (local.get $x) (i32.const 7)))
      (drop (drop (drop (local.get $x) (i32.const 5) (i32.const 6))))
      (local.get $y)))`);
    const m = Machine.instantiate(cm);
    m.prepareInvoke("f", [{ type: "i32", value: 11 }, { type: "i32", value: 22 }]);
    const c = new StateCommitment(m);
    c.stateHash();
    const cov = newCoverage();
    followInvocation(m, c, m, "chain", cov, { against: "reference", every: 1 });
    expect(cov.checked).toBe(cov.steps);
    expect([...cov.fullOps].sort()).toEqual(["call", "return"]); // the bootstrap code calls f, f returns
    expect(cov.fastSteps).toBe(cov.steps - 2);
  });

  it("a chain and a locals tree too large for the arena (private buffers) hash as the spec says", async () => {
    // 9000 locals (a tree of 2^14 leaves: more than the arena's locals area) and 7000 operands
    // (more than the arena's chain entries).
    const pushes = Array.from({ length: 7000 }, (_, i) => `(i32.const ${i * 7919})`).join(" ");
    const cm = await loadModule(`(module (func (export "f") (result i32) (local ${"i32 ".repeat(9000)})
      (local.set 8999 (i32.const 5)) ${pushes} ${"drop ".repeat(6999)}
      (local.set 4000) (local.get 4000)))`);
    const m = Machine.instantiate(cm, { limits: { maxValueStack: 1 << 15 } });
    m.prepareInvoke("f", []);
    const c = new StateCommitment(m);
    c.stateHash();
    const internals = c as unknown as { ops: { topInArena(): number }; locals: { rootInArena(): number } };
    while (m.steps < 6500) {
      m.step();
      c.stateHash();
    }
    expect(internals.ops.topInArena()).toBe(-1);
    expect(internals.locals.rootInArena()).toBe(-1);
    expect(hex(c.stateHash())).toBe(hex(refStateHash(m)));
    const cov = newCoverage();
    followInvocation(m, c, m, "large", cov, { against: "reference", every: 2999 });
    expect(cov.checked).toBeGreaterThan(2);
    expect(cov.fastSteps).toBeGreaterThan(0.9 * cov.steps);
  });

  it("another commitment or a restore in between sends the next hash through the whole sync", async () => {
    const cm = await loadModule(`(module (memory 1) (global $g (mut i32) (i32.const 0))
      (func (export "f") (param $n i32) (local $i i32)
        (loop $l
          (global.set $g (i32.add (global.get $g) (i32.const 3)))
          (i32.store (i32.shl (local.get $i) (i32.const 2)) (global.get $g))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))`);
    const m = Machine.instantiate(cm);
    m.prepareInvoke("f", [{ type: "i32", value: 50 }]);
    const a = new StateCommitment(m);
    a.stateHash();
    m.runTo(40);
    a.stateHash();
    const snap = m.snapshot();
    m.step();
    a.stateHash();
    // Another commitment hashes: it takes the marks; a's next hash recomputes everything.
    m.step();
    const b = new StateCommitment(m);
    const hb = hex(b.stateHash());
    let full = a.syncCounts.full;
    expect(hex(a.stateHash())).toBe(hb);
    expect(a.syncCounts.full).toBe(full + 1);
    m.step();
    const step = a.syncCounts.step;
    a.stateHash();
    expect(a.syncCounts.step).toBe(step + 1);
    // Back to an earlier state (globals, memory, stack all differ): the whole sync again.
    m.restore(snap);
    full = a.syncCounts.full;
    const shadow = Machine.instantiate(cm);
    shadow.restore(snap);
    expect(hex(a.stateHash())).toBe(hex(new StateCommitment(shadow).stateHash()));
    expect(a.syncCounts.full).toBe(full + 1);
  });

  it("stateHashInto rejects an offset outside the buffer or not an integer, and writes nothing then", async () => {
    const cm = await loadModule(`(module (func (export "f") (result i32) (i32.const 1)))`);
    const m = Machine.instantiate(cm);
    m.prepareInvoke("f", []);
    const c = new StateCommitment(m);
    const out = new Uint8Array(40).fill(7);
    for (const off of [-1, 9, 1.5, Number.NaN]) expect(() => c.stateHashInto(out, off)).toThrow(RangeError);
    expect(out.every((b) => b === 7)).toBe(true);
    c.stateHashInto(out, 8);
    expect(hex(out.subarray(8, 40))).toBe(hex(c.stateHash()));
    expect(out.subarray(0, 8).every((b) => b === 7)).toBe(true);
  });
});
