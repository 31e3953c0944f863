import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModule, UsageError, type CompiledModule } from "../src/index.ts";
import { Machine } from "../src/machine.ts";
import { StateCommitment } from "../src/state/commit.ts";
import { machineFor, stateHashAt, type ProveTarget } from "../src/state/prove.ts";
import { Trace } from "../src/state/trace.ts";
import { verifyStep } from "../src/state/verify.ts";

const EXAMPLES = join(import.meta.dirname, "../examples");
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Reference: the hash at every step 0..upTo of one straight run (a terminal state repeats). */
function referenceHashes(t: ProveTarget, upTo: number): string[] {
  const m = machineFor(t);
  const c = new StateCommitment(m);
  const out: string[] = [hex(c.stateHash())];
  for (let n = 1; n <= upTo; n++) {
    m.step();
    out.push(hex(c.stateHash()));
  }
  return out;
}

/**
 * Writes memory all over, grows memory twice, writes output and calls deep:
 * snapshots differ in memory size, memory contents, output and frames.
 */
const GROW = `(module
  (import "task" "output_write" (func $ow (param i32 i32)))
  (memory 1 4)
  (global $acc (mut i64) (i64.const 0))
  (func $rec (param $d i32) (result i32)
    (if (result i32) (i32.eqz (local.get $d)) (then (i32.const 1))
      (else (i32.add (local.get $d) (call $rec (i32.sub (local.get $d) (i32.const 1)))))))
  (func (export "run") (local $i i32) (local $a i32)
    (loop $l
      ;; a = (i * 4099) mod memory size, aligned to 4
      (local.set $a (i32.and (i32.rem_u (i32.mul (local.get $i) (i32.const 4099)) (i32.mul (memory.size) (i32.const 65536))) (i32.const -4)))
      (i32.store (local.get $a) (i32.add (local.get $i) (call $rec (i32.and (local.get $i) (i32.const 15)))))
      (global.set $acc (i64.add (global.get $acc) (i64.extend_i32_u (local.get $a))))
      (if (i32.eq (i32.and (local.get $i) (i32.const 255)) (i32.const 100)) (then (drop (memory.grow (i32.const 1)))))
      (if (i32.eqz (i32.and (local.get $i) (i32.const 63))) (then (call $ow (local.get $a) (i32.const 5))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 600))))))`;

let crc: ProveTarget;
let fib: ProveTarget;
let grow: ProveTarget;

beforeAll(async () => {
  const crcCm = await loadModule(new Uint8Array(readFileSync(join(EXAMPLES, "as/crc32.wasm"))));
  crc = { cm: crcCm, opts: { input: new TextEncoder().encode("The quick brown fox jumps over the lazy dog") } };
  const fibCm: CompiledModule = await loadModule(readFileSync(join(EXAMPLES, "fib.wat"), "utf8"), "fib.wat");
  fib = { cm: fibCm, invoke: { name: "fib", args: [{ type: "i32", value: 12 }] } };
  grow = { cm: await loadModule(GROW, "grow.wat") };
});

/** Positions in several segments: 0, around stride boundaries, the last steps, past the end; unsorted, repeated. */
function positionsFor(steps: number, stride: number): number[] {
  const ps = [0, 1, stride - 1, stride, stride + 1, 3 * stride, 3 * stride + 17, steps - 1, steps, steps + 1, steps + 1000, 2 ** 40];
  ps.push(Math.floor(steps / 2), Math.floor(steps / 3), 5, stride, 0, steps);
  for (let k = 0; k < 8; k++) ps.push(Math.floor((steps * (k * 7 + 3)) / 59));
  return ps.filter((p) => p >= 0);
}

describe("Trace.hashesAt", () => {
  for (const name of ["crc32 task", "fib invocation", "memory-growing task"] as const) {
    it(`equals single-threaded stateHashAt at positions in several segments (${name}, no workers)`, async () => {
      const target = name === "crc32 task" ? crc : name === "fib invocation" ? fib : grow;
      const trace = await Trace.create(target, { stride: 256, workers: 0 });
      try {
        expect(trace.status).toBe("finished");
        expect(trace.snapshotCount).toBeGreaterThan(4);
        const ps = positionsFor(trace.steps, 256);
        const got = (await trace.hashesAt(ps)).map(hex);
        expect(trace.lastHashesAt?.mode).toBe("inline");
        const ref = referenceHashes(target, trace.steps);
        expect(got).toEqual(ps.map((p) => ref[Math.min(p, trace.steps)]));
        // A few straight from prove.ts (a fresh machine and commitment per position).
        for (const p of [0, 256, trace.steps - 1, trace.steps + 3]) expect(hex((await trace.hashesAt([p]))[0]!)).toBe(hex(stateHashAt(target, p)));
      } finally {
        await trace.close();
      }
    });
  }

  it("restores that come back to a snapshot set its pages from kept subtrees, with the same hashes", async () => {
    const trace = await Trace.create(grow, { stride: 256, workers: 0 });
    try {
      const ref = referenceHashes(grow, trace.steps);
      // Forward, then backward over the same snapshots, then forward again: the later calls
      // restore snapshots whose pages the first call kept.
      const ps = Array.from({ length: 12 }, (_, k) => Math.floor((trace.steps * (k + 0.5)) / 12));
      let swapped = 0;
      for (const order of [ps, [...ps].reverse(), ps]) {
        for (const p of order) {
          expect(hex((await trace.hashesAt([p]))[0]!), `position ${p}`).toBe(ref[p]);
          swapped += trace.lastHashesAt!.stats.pagesSwapped;
        }
      }
      expect(swapped).toBeGreaterThan(0);
    } finally {
      await trace.close();
    }
  });

  it("gives the same hashes on worker threads as on the calling thread", async () => {
    const targets = [crc, grow];
    for (const target of targets) {
      const inline = await Trace.create(target, { stride: 256, workers: 0 });
      const pooled = await Trace.create(target, { stride: 256, workers: 2, inlineBelowMs: 0 });
      try {
        const ps = positionsFor(inline.steps, 256);
        const a = (await inline.hashesAt(ps)).map(hex);
        const b = (await pooled.hashesAt(ps)).map(hex);
        expect(pooled.lastHashesAt?.mode).toBe("workers");
        expect(pooled.lastHashesAt!.tasks).toBeGreaterThan(1);
        expect(b).toEqual(a);
        // Again in another order: the workers now start from wherever the last task left them.
        const ps2 = [...ps].reverse().map((p) => p + 3);
        expect((await pooled.hashesAt(ps2)).map(hex)).toEqual((await inline.hashesAt(ps2)).map(hex));
        expect(pooled.lastHashesAt!.stats.incrementalRestores).toBeGreaterThan(0);
      } finally {
        await inline.close();
        await pooled.close();
      }
    }
  }, 120_000);

  it("times each segment for the scheduler: every snapshot but the first carries the ms it took to reach", async () => {
    const trace = await Trace.create(grow, { stride: 256, workers: 0 });
    try {
      const snaps = trace.storedSnapshots;
      expect(snaps.length).toBeGreaterThan(3);
      expect(snaps[0]!.runMs).toBeUndefined();
      for (const s of snaps.slice(1)) expect(s.runMs, `snapshot at ${s.steps}`).toBeGreaterThanOrEqual(0);
      // A trace rebuilt from its snapshots (as from disk) plans with them too, and hashes alike.
      const again = Trace.fromSnapshots(grow, [...snaps], { workers: 0 });
      const ps = positionsFor(trace.steps, 256);
      expect((await again.hashesAt(ps)).map(hex)).toEqual((await trace.hashesAt(ps)).map(hex));
      await again.close();
    } finally {
      await trace.close();
    }
  });

  it("keeps a snapshot at every stride and at the terminal state", async () => {
    const trace = await Trace.create(fib, { stride: 100, workers: 0 });
    expect(trace.snapshotCount).toBe(Math.floor(trace.steps / 100) + (trace.steps % 100 === 0 ? 1 : 2));
    expect(trace.result.results).toEqual([{ type: "i32", value: 144 }]);
    expect(trace.steps).toBe(Machine.instantiate(fib.cm).invoke("fib", [{ type: "i32", value: 12 }]).steps);
    await trace.close();
  });

  it("hashes a terminal state that ran out of steps (maxSteps) as itself past the end", async () => {
    const target: ProveTarget = { ...crc, opts: { ...crc.opts, limits: { maxSteps: 1000 } } };
    const trace = await Trace.create(target, { stride: 256, workers: 0 });
    expect(trace.status).toBe("out_of_steps");
    expect(trace.steps).toBe(1000);
    const [a, b, c] = (await trace.hashesAt([999, 1000, 5000])).map(hex);
    expect(a).toBe(hex(stateHashAt(target, 999)));
    expect(b).toBe(hex(stateHashAt(target, 1000)));
    expect(c).toBe(b);
    await trace.close();
  });

  it("returns an empty array for no positions", async () => {
    const trace = await Trace.create(fib, { stride: 256, workers: 2, inlineBelowMs: 0 });
    expect(await trace.hashesAt([])).toEqual([]);
    await trace.close();
  });

  it("rejects bad positions and options with UsageError", async () => {
    const trace = await Trace.create(fib, { stride: 256, workers: 0 });
    await expect(trace.hashesAt([-1])).rejects.toThrow(UsageError);
    await expect(trace.hashesAt([1.5])).rejects.toThrow(/non-negative integer/);
    await expect(trace.hashesAt(["5" as unknown as number])).rejects.toThrow(/must be a number, got string/);
    await expect(trace.hashesAt([5n as unknown as number])).rejects.toThrow(UsageError);
    await expect(trace.hashesAt([Number.NaN])).rejects.toThrow(UsageError);
    await expect(trace.hashesAt(7 as unknown as number[])).rejects.toThrow(UsageError);
    expect(() => trace.proveStep(-1)).toThrow(UsageError);
    await trace.close();
    await expect(trace.hashesAt([1])).rejects.toThrow(/closed/);
    await expect(Trace.create(fib, { stride: 0 })).rejects.toThrow(UsageError);
    await expect(Trace.create(fib, { stride: 2.5 })).rejects.toThrow(UsageError);
    await expect(Trace.create(fib, { workers: -1 })).rejects.toThrow(UsageError);
  });
});

describe("Trace.proveStep", () => {
  let trace: Trace;
  beforeAll(async () => {
    trace = await Trace.create(grow, { stride: 256, workers: 0 });
  });
  afterAll(async () => {
    await trace.close();
  });

  it("proves steps that verify, with before/after equal to hashesAt n and n+1", async () => {
    const n0 = trace.steps;
    for (const n of [0, 1, 255, 256, 257, 1000, Math.floor(n0 / 2), n0 - 1, n0, n0 + 10]) {
      const p = trace.proveStep(n);
      expect(p.step).toBe(n);
      const [before, after] = await trace.hashesAt([n, n + 1]);
      expect(hex(p.before)).toBe(hex(before!));
      expect(hex(p.after)).toBe(hex(after!));
      expect(hex(verifyStep(p.before, p.proof))).toBe(hex(p.after));
    }
  });
});
