/**
 * Trace persistence (src/state/trace-store.ts) and fault injection (TraceOptions.fault): a trace
 * reloaded from disk answers exactly as the original without re-running; a faulty trace is a
 * consistent false execution from its fault step on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileWasm } from "../src/load.ts";
import { Machine } from "../src/machine.ts";
import { stateHashAt } from "../src/state/prove.ts";
import { verifyStep } from "../src/state/verify.ts";
import { Trace } from "../src/state/trace.ts";
import { loadTrace, saveTrace } from "../src/state/trace-store.ts";
import { UsageError } from "../src/errors.ts";
import { CORPUS, corpusBytes } from "./corpus/corpus.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const dir = mkdtempSync(join(tmpdir(), "trace-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sortTarget() {
  const p = CORPUS.find((c) => c.name === "sort")!;
  const cm = compileWasm(await corpusBytes(p));
  return { cm, opts: { input: p.tasks.find((t) => t.label === "n=2000")!.input } };
}

describe("trace store", () => {
  it("a reloaded trace gives the same hashes and proofs, and another key is not loaded", async () => {
    const target = await sortTarget();
    const t = await Trace.create(target, { stride: 50_000, workers: 0 });
    saveTrace(t, join(dir, "a"), "key-1");
    expect(loadTrace(target, join(dir, "a"), "key-2")).toBeUndefined();
    expect(loadTrace(target, join(dir, "missing"), "key-1")).toBeUndefined();
    const u = loadTrace(target, join(dir, "a"), "key-1", { workers: 0 })!;
    expect(u.steps).toBe(t.steps);
    expect(u.snapshotCount).toBe(t.snapshotCount);
    const pos = [0, 1, 49_999, 50_000, 123_457, Math.floor(t.steps / 2), t.steps - 1, t.steps];
    expect((await u.hashesAt(pos)).map(hex)).toEqual((await t.hashesAt(pos)).map(hex));
    expect(hex(u.proveStep(77_777).proof)).toBe(hex(t.proveStep(77_777).proof));
    await t.close();
    await u.close();
  });
});

describe("trace fault injection", () => {
  it("diverges at the fault step: true before, false from it on, one step proof refutes it", async () => {
    const target = await sortTarget();
    const truth = await Trace.create(target, { stride: 40_000, workers: 0 });
    const at = 100_001;
    const lie = await Trace.create(target, {
      stride: 40_000,
      workers: 0,
      fault: {
        step: at,
        apply: (m: Machine) => {
          const s = m.snapshot();
          s.memory[s.memory.length - 1] ^= 0x5a;
          m.restore(s);
        },
      },
    });
    expect(lie.steps).toBe(truth.steps);
    const [t0, t1, t2, tEnd] = await truth.hashesAt([at - 1, at, at + 1000, truth.steps]);
    const [l0, l1, l2, lEnd] = await lie.hashesAt([at - 1, at, at + 1000, lie.steps]);
    expect(hex(l0!)).toBe(hex(t0!));
    expect(hex(l1!)).not.toBe(hex(t1!));
    expect(hex(l2!)).not.toBe(hex(t2!));
    expect(hex(lEnd!)).not.toBe(hex(tEnd!));
    // The step into the divergence, proven from the agreed state, gives the true state, not the lie.
    const p = truth.proveStep(at - 1);
    expect(hex(verifyStep(p.before, p.proof))).toBe(hex(t1!));
    expect(hex(stateHashAt(target, at))).toBe(hex(t1!));
    // Saved and reloaded, the false trace stays false.
    saveTrace(lie, join(dir, "lie"), "lie");
    const again = loadTrace(target, join(dir, "lie"), "lie", { workers: 0 })!;
    expect(hex((await again.hashesAt([at + 1000]))[0]!)).toBe(hex(l2!));
    await Promise.all([truth.close(), lie.close(), again.close()]);
  });

  it("a fault at the last step (the terminal state changed) and a fault past the end", async () => {
    const target = await sortTarget();
    const steps = Machine.forTask(target.cm, target.opts).run().steps;
    const lie = await Trace.create(target, {
      workers: 0,
      fault: {
        step: steps,
        apply: (m) => {
          const s = m.snapshot();
          s.output = Uint8Array.of(...s.output, 0x21);
          m.restore(s);
        },
      },
    });
    expect(lie.result.output.at(-1)).toBe(0x21);
    expect(hex(await lie.hashAt(steps))).not.toBe(hex(stateHashAt(target, steps)));
    expect(hex(await lie.hashAt(steps - 1))).toBe(hex(stateHashAt(target, steps - 1)));
    await lie.close();
    await expect(Trace.create(target, { workers: 0, fault: { step: steps + 5, apply: () => {} } })).rejects.toThrow(UsageError);
    await expect(Trace.create(target, { workers: 0, fault: { step: 0, apply: () => {} } })).rejects.toThrow(/>= 1/);
  });
});
