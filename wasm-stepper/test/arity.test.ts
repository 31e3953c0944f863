/**
 * Moves of many values (spec/EXECUTION.md section 5, "Moves of many values"): a
 * branch dropping N values below the kept one, a branch keeping N values over N
 * dropped ones, a return of N results, calls with N params, at N = 1, K, K+1 and
 * 20,000. For each: the results, the step count the rule gives, every step proven
 * and verified in lockstep with the spec-reference hash, no step revealing more than
 * a fixed number of operands, and the native engine agreeing with the interpreter at
 * every step limit around the move (fast and precise variants). At N = 20,000, `npm test`
 * proves the first and last micro-steps of the moves, those around each phase boundary
 * and a seeded sample of the other steps, and tries a seeded sample of the step limits (always the first, the last and
 * the ones around the moves); `npm run test:full` (VWASM_FULL=1) proves every step and
 * tries every limit around the moves.
 */
import { describe, expect, it } from "vitest";
import { Machine } from "../src/machine.ts";
import { NativeInstance } from "../src/native/index.ts";
import { callSteps, moveSteps, returnSteps, VALUES_PER_STEP } from "../src/micro.ts";
import type { RunResult } from "../src/types.ts";
import { ARITY_SHAPES, ARITY_SIZES, K, arityProgram, firstMoveStep } from "./helpers/arity-programs.ts";
import { FULL_SWEEPS, sweep } from "./helpers/sample.ts";
import { compileWat, lockstep } from "./helpers/state.ts";

const norm = (r: RunResult) => ({ status: r.status, trap: r.trap, steps: r.steps, results: r.status === "finished" ? r.results.map((v) => String(v.value)) : [] });

/** Steps of each invocation, from the rule (bootstrap call and finish included). */
function expectedSteps(shape: string, name: string, n: number): number {
  switch (name) {
    case "br":
      // call, n+1 consts, br, return, finish
      return 1 + (n + 1) + moveSteps(1, n) + 1 + 1;
    case "br_if":
      return 1 + (n + 2) + moveSteps(1, n) + 1 + 1;
    case "br_table":
      // call, n+2 consts, br_table (to the outer block), const, add, return, finish
      return 1 + (n + 2) + moveSteps(1, n) + 2 + 1 + 1;
    case "move":
      return 1 + 2 * n + moveSteps(n, n) + returnSteps(n) + 1;
    case "ret":
      // call ret, const, call r, n consts, return n, return n+1, finish
      return 1 + 1 + 1 + n + returnSteps(n) + returnSteps(n + 1) + 1;
    case "call":
      // call, const, n consts, call g (n params), g: get, const, mul, get, add, return; add, return, finish
      return 1 + 1 + n + callSteps(n) + 6 + 1 + 1 + 1;
    case "call_indirect":
      return 1 + 1 + n + 1 + callSteps(n) + 6 + 1 + 1 + 1;
  }
  throw new Error(`${shape}: no rule for ${name}`);
}

describe("step counts of moves (the one rule in src/micro.ts)", () => {
  it("single steps up to K values, micro-steps above", () => {
    expect(VALUES_PER_STEP).toBe(16);
    expect(moveSteps(1, 1)).toBe(1);
    expect(moveSteps(K, K)).toBe(1);
    expect(moveSteps(1, K + 1)).toBe(2 + 2);
    expect(moveSteps(0, 20_000)).toBe(1250);
    expect(moveSteps(K + 1, 0)).toBe(1);
    expect(moveSteps(K + 1, 1)).toBe(2 * 2 + 1);
    expect(returnSteps(K)).toBe(1);
    expect(returnSteps(K + 1)).toBe(4);
    expect(returnSteps(20_000)).toBe(2500);
    expect(callSteps(K)).toBe(1);
    expect(callSteps(K + 1)).toBe(2);
    expect(callSteps(20_000)).toBe(1250);
  });
});

for (const shape of ARITY_SHAPES) {
  describe(`${shape}`, () => {
    for (const n of ARITY_SIZES) {
      it(`N = ${n}: results, step count, every step proven, native agrees`, async () => {
        const p = arityProgram(shape, n);
        const cm = await compileWat(p.wat, `${shape}-${n}.wat`);
        for (const c of p.calls) {
          const m = Machine.instantiate(cm);
          const r = m.invoke(c.name, []);
          expect(r.status, c.name).toBe("finished");
          expect(r.results.map((v) => Number(v.value)), c.name).toEqual(c.results);
          expect(r.steps, c.name).toBe(expectedSteps(shape, c.name, n));

          // Every step proven and verified; the spec-reference hash near the moves.
          let maxOperands = 0;
          const from = firstMoveStep(c.name, n);
          const sampled = !FULL_SWEEPS && n > 1000;
          // Sampled: the moves' first and last 2K+2 micro-steps, those around each phase boundary
          // (each phase moves ceil(n/K) groups: aside, drop, back, return aside and back), a seeded sample.
          const phase = Math.ceil(n / K);
          const keep: number[] = [];
          for (let j = 1; j <= 5; j++) keep.push(from + j * phase - 1, from + j * phase, from + j * phase + 1);
          for (let k = 0; k <= 2 * K + 2; k++) keep.push(from + k, r.steps - 1 - k);
          const picked = new Set(sweep(0, r.steps - 1, { size: 120, keep, label: `${shape} ${c.name} steps` }));
          const ls = lockstep({ cm, invoke: { name: c.name, args: [] } }, `${shape} N=${n} ${c.name}`, {
            refEvery: n > 1000 ? 0 : 1,
            ...(sampled ? { prove: (s: number) => picked.has(s) } : {}),
            onStep: (s) => {
              // Words beyond the header and the instruction's code proof bound the operands revealed.
              const words = s.proof.proof.length / 32;
              if (words > maxOperands) maxOperands = words;
            },
          });
          expect(ls.status).toBe("finished");
          expect(ls.steps).toBe(r.steps);
          if (!sampled) expect(ls.proven).toBe(r.steps);
          else expect(ls.proven).toBe(picked.size);
          // No step's proof grows with N: at most 3K operand items (2 words each) plus fixed parts.
          expect(maxOperands, `${c.name}: largest proof in words`).toBeLessThan(33 + 40 + 6 * K + 60);

          // The native engine counts the same micro-steps, at every step limit around the moves.
          const total = r.steps;
          const limits = new Set<number>();
          if (n <= 1000) for (let s = 0; s <= total + 1; s++) limits.add(s);
          else if (FULL_SWEEPS) {
            // Around the moves (they follow the n constants) and at a stride through them.
            for (let s = n - 2; s <= n + 40; s++) limits.add(s);
            for (let s = total - 40; s <= total + 1; s++) limits.add(s);
            for (let s = n; s <= total; s += 331) limits.add(s);
          } else {
            // The first and last limits, those around the first move and its first micro-steps, and a seeded sample.
            const keep = [from - 1, from, from + 1, from + 2, from + 3];
            for (const s of sweep(0, total + 1, { size: 8, keep, label: `${shape} ${c.name} limits` })) limits.add(s);
          }
          for (const s of limits) {
            if (s < 0) continue;
            const want = norm(Machine.instantiate(cm, { limits: { maxSteps: s } }).invoke(c.name, []));
            for (const precise of [false, true]) {
              const got = norm(NativeInstance.create(cm, { limits: { maxSteps: s }, precise }).invoke(c.name, []));
              expect(got, `${c.name} maxSteps=${s} precise=${precise}`).toEqual(want);
            }
          }
        }
      }, 300_000);
    }
  });
}
