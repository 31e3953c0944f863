/**
 * Prover: every step of generated tasks (and the terminal state's self-step) is proven by the
 * stepper's Prover and executed by the deployed OneStepProofEntry through eth_call on hardhat's
 * in-process EVM (PROVE_BATCH steps per eth_call through the test-only ProveBatch contract, which
 * calls the deployed entry for each): the contract's post-state hash must equal the stepper's,
 * and the TypeScript verifier's too. Steps chain (each before is the previous after). Proving,
 * the TypeScript verifier and the EVM overlap: while EDR runs a batch, the JS thread verifies it
 * and proves the next.
 */
import { Prover, type Machine, type StepProof } from "@vwasm/wasm-stepper";
import { PROVE_BATCH, type InProcessProver, type Outcome } from "@vwasm/contracts/testing";
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

/**
 * Proves every step of `m` (to its terminal self-step) with the stepper's Prover, executes each
 * on the contract (`chain.proveMany`, PROVE_BATCH steps per eth_call) and in the TypeScript
 * verifier, and throws an OracleFailure unless the three post-states agree and the steps chain.
 * Returns the steps proven.
 *
 * A pipeline of batches: once a batch is proven its eth_call starts (EDR runs it on its own
 * threads) and the JS thread verifies it with the TypeScript verifier, then settles the batch
 * before it and proves the next one while EDR works: at most two calls are in flight, so EDR is
 * not left idle and no batch waits long for its check. `overlap: false` settles each batch
 * before proving the next (the former way, kept for the benchmark's comparison).
 */
export async function proveEveryStep(m: Machine, chain: Pick<InProcessProver, "proveMany">, cov?: Coverage, opts: { overlap?: boolean } = {}): Promise<number> {
  const overlap = opts.overlap ?? true;
  const p = new Prover(m);
  const code = m.cm.code;
  type Batch = { part: Proven[]; onChain: Promise<Outcome[]> };
  const settle = async (b: Batch) => {
    (await b.onChain).forEach((r, j) => {
      const c = b.part[j]!;
      if (!r.ok || r.after !== c.after) throw new OracleFailure("prover", `step ${c.step} (${c.op}): contract ${fmtOutcome(r)}, stepper's after ${c.after}`);
    });
  };
  const flying = new Set<Batch>();
  let count = 0;
  let last: Proven | undefined;
  try {
    for (let terminal = false; !terminal; ) {
      const part: Proven[] = [];
      while (!terminal && part.length < PROVE_BATCH) {
        terminal = m.status !== "running";
        const opc = code[m.pc * 4]!;
        if (!terminal) cov?.op(opc);
        const pr = p.proveNext();
        const c: Proven = { step: pr.step, op: terminal ? `terminal:${m.status}` : (OPCODE_NAMES[opc] ?? `op${opc}`), raw: pr, before: hex(pr.before), proof: hex(pr.proof), after: hex(pr.after) };
        if (last && c.before !== last.after) throw new OracleFailure("prover", `step ${c.step}: before is not the previous step's after`);
        part.push((last = c));
      }
      count += part.length;
      const b: Batch = { part, onChain: chain.proveMany(part) };
      flying.add(b);
      for (const c of part) {
        const ts = tsVerify(c.raw.before, c.raw.proof);
        if (!ts.ok || ts.after !== c.after) throw new OracleFailure("prover", `step ${c.step} (${c.op}): TypeScript verifier ${fmtOutcome(ts)}, prover's after ${c.after}`);
      }
      // Settle every batch but this one (overlap), or all of them.
      for (const f of [...flying]) {
        if (overlap && f === b && !terminal) continue;
        flying.delete(f);
        await settle(f);
      }
    }
  } finally {
    // On a failure, the calls still in flight end (their outcomes unread) before the next case starts.
    for (const f of flying) await f.onChain.catch(() => undefined);
  }
  return count;
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
    const count = await proveEveryStep(m, chain, cov);
    cov.result(m.result());
    return count;
  },
  show: async (s) => showTask(s, PROVER_SHAPE),
  toJSON: (s) => taskSeedToJSON(s, PROVER_SHAPE),
  fromJSON: taskSeedFromJSON,
};
