/**
 * Prover: every step of generated tasks (and the terminal state's self-step) is proven by the
 * stepper's Prover and executed by the deployed OneStepProofEntry through eth_call on hardhat's
 * in-process EVM (PROVE_BATCH steps per eth_call through the test-only ProveBatch contract, which
 * calls the deployed entry for each, while the TypeScript verifier checks the same steps): the contract's post-state hash must equal the stepper's, and the TypeScript
 * verifier's too. Steps chain (each before is the previous after).
 */
import { Prover, type StepProof } from "@vwasm/wasm-stepper";
import { PROVE_BATCH } from "@vwasm/contracts/testing";
import { OPCODE_NAMES } from "@vwasm/wasm-stepper/opcodes";
import type { Hex } from "viem";
import { type Coverage } from "../coverage.ts";
import { buildTask, instantiateTask, showTask, taskSeedArb, taskSeedFromJSON, taskSeedToJSON, type TaskSeed } from "../gen/cases.ts";
import { DEFAULT_SHAPE, type ProgramShape } from "../gen/program.ts";
import { OracleFailure, type Oracle } from "../oracle.ts";
import { hex } from "./bytes.ts";
import { chainProver, fmtOutcome, tsVerify } from "./chain.ts";

/** Proven runs are kept short: every step is an eth_call. */
export const PROVER_SHAPE: ProgramShape = { ...DEFAULT_SHAPE, maxSteps: 1500 };

interface Proven {
  step: number;
  op: string;
  /** The proof as the stepper gave it (the TypeScript verifier reads these bytes). */
  raw: StepProof;
  before: Hex;
  proof: Hex;
  after: Hex;
}

export const proverOracle: Oracle<TaskSeed> = {
  name: "prover",
  description: "every step: the contract's post-state (in-process EVM) == the stepper's == the TypeScript verifier's",
  arbitrary: () => taskSeedArb(),
  async setup() {
    await chainProver();
  },
  async check(s, cov) {
    const chain = await chainProver();
    const t = await buildTask(s, PROVER_SHAPE);
    const m = instantiateTask(t, cov);
    if (!m) return 0;
    const p = new Prover(m);
    const steps: Proven[] = [];
    const code = t.cm.code;
    for (;;) {
      const terminal = m.status !== "running";
      const opc = code[m.pc * 4]!;
      if (!terminal) cov.op(opc);
      const pr = p.proveNext();
      steps.push({ step: pr.step, op: terminal ? `terminal:${m.status}` : (OPCODE_NAMES[opc] ?? `op${opc}`), raw: pr, before: hex(pr.before), proof: hex(pr.proof), after: hex(pr.after) });
      if (terminal) break;
    }
    cov.result(m.result());
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]!.before !== steps[i - 1]!.after) throw new OracleFailure("prover", `step ${steps[i]!.step}: before is not the previous step's after`);
    }
    // PROVE_BATCH steps per eth_call (the test-only ProveBatch contract calls the deployed entry for
    // each); EDR runs a batch on its own thread while the TypeScript verifier checks the same steps
    // here. (Proving the next steps meanwhile, with several batches in flight, was 2.5 times slower.)
    for (let i = 0; i < steps.length; i += PROVE_BATCH) {
      const part = steps.slice(i, i + PROVE_BATCH);
      const onChain = chain.proveMany(part);
      for (const c of part) {
        const ts = tsVerify(c.raw.before, c.raw.proof);
        if (!ts.ok || ts.after !== c.after) {
          await onChain.catch(() => undefined);
          throw new OracleFailure("prover", `step ${c.step} (${c.op}): TypeScript verifier ${fmtOutcome(ts)}, prover's after ${c.after}`);
        }
      }
      (await onChain).forEach((r, j) => {
        const c = part[j]!;
        if (!r.ok || r.after !== c.after) throw new OracleFailure("prover", `step ${c.step} (${c.op}): contract ${fmtOutcome(r)}, stepper's after ${c.after}`);
      });
    }
    return steps.length;
  },
  show: async (s) => showTask(s, PROVER_SHAPE),
  toJSON: (s) => taskSeedToJSON(s, PROVER_SHAPE),
  fromJSON: taskSeedFromJSON,
};
