/**
 * Lockstep on the stepper's own state-test programs (wasm-stepper/test/helpers/state-programs.ts:
 * WAT programs that together reach every executable IR opcode, every trap code and every limit):
 * every step of every run, the contract's post-state hash equals the TypeScript stepper's.
 * The coverage of the whole set is asserted, so a program dropped upstream cannot silently shrink it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import opcodes from "@vwasm/wasm-stepper/spec/opcodes.json";
import state from "@vwasm/wasm-stepper/spec/state.json";
import { NUMERIC_PROGRAM, STATE_PROGRAMS } from "@vwasm/wasm-stepper/testing";
import { deployOnHardhat, type Deployed } from "./helpers/chain";
import { newCoverage, replayOnChain } from "./helpers/lockstep";
import { compileWat, proveRun, type Run } from "./helpers/stepper.mts";

let d: Deployed;
beforeAll(async () => {
  d = await deployOnHardhat();
});

const cov = newCoverage();

describe("lockstep: wasm-stepper state-test programs", () => {
  for (const p of [...STATE_PROGRAMS, NUMERIC_PROGRAM]) {
    it(`test_lockstep_${p.name}_everyStep_matchesStepper`, async () => {
      const cm = await compileWat(p.wat, `${p.name}.wat`);
      const problems: string[] = [];
      for (const run of p.runs) {
        const cases = proveRun(cm, run as Run);
        problems.push(...(await replayOnChain(d, `${p.name} / ${run.label}`, cases, cov)));
      }
      expect(problems.slice(0, 20)).toEqual([]);
    });
  }

  it("test_lockstep_coverage_everyOpcodeTrapAndStatus", () => {
    // br_table_entry is data read by br_table, never executed on its own (spec/EXECUTION.md section 3).
    const executable = opcodes.opcodes.map((o) => o.name).filter((n) => n !== "br_table_entry");
    expect(executable.filter((n) => !cov.ops.has(n))).toEqual([]);
    const traps = Object.keys(state.traps).filter((t) => t !== "none");
    expect(traps.filter((t) => !cov.traps.has(t))).toEqual([]);
    expect(Object.keys(state.statuses).filter((s) => !cov.statuses.has(s))).toEqual([]);
    console.log(`lockstep steps: ${cov.steps} (${cov.onChain} on chain)`);
    expect(cov.onChain).toBeGreaterThan(0);
    expect(cov.steps).toBeGreaterThan(3000);
  });
});
