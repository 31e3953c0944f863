/**
 * The prover oracle's pipeline (proveEveryStep): every step reaches the contract and the
 * TypeScript verifier whether batches overlap or not, a contract that disagrees on any one step
 * (the last of a batch, one in the middle, the terminal self-step) fails the case naming that
 * step, and a call that fails is reported, not left unhandled.
 */
import { describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { PROVE_BATCH, type Outcome } from "@vwasm/contracts/testing";
import { buildTask, instantiateTask, type BuiltTask } from "../src/gen/cases.ts";
import { OracleFailure } from "../src/oracle.ts";
import { chainProver } from "../src/oracles/chain.ts";
import { PROVER_SHAPE, proveEveryStep } from "../src/oracles/prover.ts";

/** A task of more than three batches' steps (the first seed whose task runs that long). */
async function longTask(): Promise<BuiltTask> {
  for (let seed = 1; ; seed++) {
    let x = seed * 7919;
    const choices = Array.from({ length: 300 }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) & 0xffff);
    const t = await buildTask({ choices, input: [1, 2, 3] }, PROVER_SHAPE);
    const m = instantiateTask(t);
    if (m && m.run().steps > 3 * PROVE_BATCH) return t;
  }
}

const flip = (h: Hex): Hex => `${h.slice(0, -1)}${h.endsWith("0") ? "1" : "0"}` as Hex;

describe("proveEveryStep", () => {
  it("test_proveEveryStep_bothWays_everyStepOnChainAndChained", async () => {
    const t = await longTask();
    const chain = await chainProver();
    const steps = instantiateTask(t)!.run().steps;
    for (const overlap of [true, false]) {
      const seen: { before: Hex; after?: Hex }[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      const spy = {
        async proveMany(part: readonly { before: Hex; proof: Hex }[]): Promise<Outcome[]> {
          seen.push(...part);
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          try {
            return await chain.proveMany(part);
          } finally {
            inFlight--;
          }
        },
      };
      // every step and the terminal self-step
      expect(await proveEveryStep(instantiateTask(t)!, spy, undefined, { overlap })).toBe(steps + 1);
      expect(seen).toHaveLength(steps + 1);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.before).toBe((seen[i - 1] as { after: Hex }).after);
      expect(maxInFlight).toBe(overlap ? 2 : 1);
    }
  });

  it("test_proveEveryStep_contractDisagreesOnOneStep_failsNamingThatStep", async () => {
    const t = await longTask();
    const chain = await chainProver();
    const steps = instantiateTask(t)!.run().steps;
    for (const bad of [PROVE_BATCH - 1, PROVE_BATCH + 3, steps]) {
      for (const overlap of [true, false]) {
        let at = 0;
        const lying = {
          async proveMany(part: readonly { before: Hex; proof: Hex }[]): Promise<Outcome[]> {
            const first = at;
            at += part.length;
            const out = await chain.proveMany(part);
            return out.map((o, j) => (first + j === bad && o.ok ? { ok: true, after: flip(o.after) } : o));
          },
        };
        const e = await proveEveryStep(instantiateTask(t)!, lying, undefined, { overlap }).catch((x: unknown) => x);
        expect(e, `step ${bad}, overlap ${overlap}`).toBeInstanceOf(OracleFailure);
        expect((e as Error).message).toMatch(new RegExp(`^\\[prover\\] step ${bad} \\(.*\\): contract accepted, after 0x`));
      }
    }
  });

  it("test_proveEveryStep_callFails_rejectsWithItsError", async () => {
    const t = await longTask();
    let calls = 0;
    const broken = {
      async proveMany(): Promise<Outcome[]> {
        calls++;
        throw new Error("EDR is gone");
      },
    };
    await expect(proveEveryStep(instantiateTask(t)!, broken)).rejects.toThrow("EDR is gone");
    expect(calls).toBeGreaterThan(0);
  });
});
