/**
 * The native engine against the interpreter on the corpus of real programs
 * (test/corpus/corpus.ts): every task and call, at full length and at step
 * limits sampled over the whole run (every limit for short runs under
 * `npm run test:full`, a seeded sample with the edges under `npm test`), in the
 * fast and the precise variant.
 */
import { describe, expect, it } from "vitest";
import { compileWasm } from "../src/load.ts";
import { Machine } from "../src/machine.ts";
import { NativeInstance, runNativeTask } from "../src/native/index.ts";
import type { RunResult } from "../src/types.ts";
import { CORPUS, corpusBytes } from "./corpus/corpus.ts";
import { norm } from "./helpers/run-result.ts";
import { FULL_SWEEPS, sweep } from "./helpers/sample.ts";


/**
 * Step limits to try for a run of `total` steps. `npm run test:full` (VWASM_FULL=1): all of
 * them when short, else the edges plus a deterministic sample of 10. `npm test`: the edges
 * (0-3 and the last four) and a seeded sample, 24 limits of a short run, 4 of a long one.
 */
function limitsFor(total: number, seed: string): number[] {
  if (!FULL_SWEEPS) return sweep(0, total + 1, { size: total <= 400 ? 24 : 4, keep: [2, 3, total - 2, total - 1], label: seed });
  if (total <= 400) return Array.from({ length: total + 2 }, (_, i) => i);
  const out = new Set([0, 1, 2, 3, total - 2, total - 1, total, total + 1]);
  let x = 0x9e3779b9;
  for (const c of seed) x = Math.imul(x ^ c.charCodeAt(0), 0x01000193) >>> 0;
  for (let k = 0; k < 10; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.add(x % total);
  }
  return [...out].sort((a, b) => a - b);
}

describe("native engine on the corpus", () => {
  for (const p of CORPUS) {
    it(`${p.name}: tasks and calls agree with the interpreter`, async () => {
      const cm = compileWasm(await corpusBytes(p));
      for (const t of p.tasks) {
        const base = { input: t.input, limits: t.limits };
        const ref = Machine.forTask(cm, base).run();
        if (t.trap) expect(ref.trap).toBe(t.trap);
        expect(norm(runNativeTask(cm, base)), `${t.label}`).toEqual(norm(ref));
        for (const s of limitsFor(ref.steps, t.label)) {
          const limits = { ...t.limits, maxSteps: s };
          const want = norm(Machine.forTask(cm, { input: t.input, limits }).run());
          expect(norm(runNativeTask(cm, { input: t.input, limits })), `${t.label}, fast, maxSteps=${s}`).toEqual(want);
          expect(norm(runNativeTask(cm, { input: t.input, limits, precise: true })), `${t.label}, precise, maxSteps=${s}`).toEqual(want);
        }
      }
      if (p.calls.length > 0) {
        for (const precise of [false, true]) {
          const m = Machine.instantiate(cm);
          const n = NativeInstance.create(cm, { precise });
          expect(n.startResult && norm(n.startResult)).toEqual(m.startResult && norm(m.startResult));
          for (const c of p.calls) {
            const want = m.invoke(c.name, c.args);
            if (c.trap) expect(want.trap).toBe(c.trap);
            expect(norm(n.invoke(c.name, c.args)), `${c.name}(${c.args.map((a) => String(a.value)).join(", ")})`).toEqual(norm(want));
          }
        }
      }
    });
  }
});
