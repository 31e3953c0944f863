/**
 * Proof tampering: a real witness of a random step of a generated task is mutated (a bit flip, a
 * word swap, a word overwritten, truncation, extension, or the claimed pre-state swapped for
 * another state's hash). Neither side may accept it with a post-state other than the true one,
 * and the contract (in-process EVM) and the TypeScript verifier must answer alike: the same
 * post-state, or the same error name (ProofError code == Solidity custom error).
 */
import fc from "fast-check";
import state from "@vwasm/wasm-stepper/spec/state.json" with { type: "json" };
import { Machine, Prover } from "@vwasm/wasm-stepper";
import type { Hex } from "viem";
import { type Coverage } from "../coverage.ts";
import { buildTask, instantiateTask, showTask, taskSeedArb, taskSeedFromJSON, taskSeedToJSON, type TaskSeed } from "../gen/cases.ts";
import { OracleFailure, type Oracle } from "../oracle.ts";
import { hex } from "./bytes.ts";
import { chainProver, fmtOutcome, tsVerify } from "./chain.ts";
import { PROVER_SHAPE } from "./prover.ts";

export const MUTATIONS = ["flip", "swap", "overwrite", "truncate", "extend", "swapBefore"] as const;
export type MutationKind = (typeof MUTATIONS)[number];

export interface Mutation {
  kind: MutationKind;
  /** Word (or byte count) selectors, reduced modulo the proof's size. */
  a: number;
  b: number;
  /** The overwriting / appended word's bytes (a repeated byte). */
  fill: number;
}

export interface TamperCase {
  task: TaskSeed;
  /** Which step to prove (modulo the run's length + 1: the terminal self-step included). */
  at: number;
  mutations: Mutation[];
}

const WORD = 32;
const HEADER_BYTES = state.widths.headerWords * WORD;

function applyMutation(proof: Uint8Array, mu: Mutation): Uint8Array {
  // whole words only: an earlier truncation may have left a partial word at the end
  const nw = Math.floor(proof.length / WORD);
  if (proof.length === 0 && mu.kind !== "extend") return proof;
  if (nw === 0 && (mu.kind === "swap" || mu.kind === "overwrite")) return proof;
  switch (mu.kind) {
    case "flip": {
      const out = proof.slice();
      // half of the flips land past the header words, where the step's own witness items are
      const past = (mu.b & 8) !== 0 && proof.length > HEADER_BYTES;
      const byte = past ? HEADER_BYTES + (mu.a % (proof.length - HEADER_BYTES)) : mu.a % proof.length;
      out[byte] = out[byte]! ^ (1 << (mu.b & 7));
      return out;
    }
    case "swap": {
      const out = proof.slice();
      const i = mu.a % nw;
      const j = mu.b % nw;
      out.set(proof.subarray(j * WORD, j * WORD + WORD), i * WORD);
      out.set(proof.subarray(i * WORD, i * WORD + WORD), j * WORD);
      return out;
    }
    case "overwrite": {
      const out = proof.slice();
      out.fill(mu.fill, (mu.a % nw) * WORD, (mu.a % nw) * WORD + WORD);
      return out;
    }
    case "truncate":
      return proof.slice(0, mu.a % proof.length);
    case "extend": {
      const out = new Uint8Array(proof.length + 1 + (mu.a % (2 * WORD)));
      out.set(proof);
      out.fill(mu.fill, proof.length);
      return out;
    }
    case "swapBefore":
      return proof;
  }
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.oneof(
    { weight: 6, arbitrary: fc.constant("flip" as const) },
    { weight: 2, arbitrary: fc.constantFrom("swap" as const, "overwrite" as const) },
    { weight: 1, arbitrary: fc.constantFrom("truncate" as const, "extend" as const, "swapBefore" as const) },
  ),
  a: fc.nat(),
  b: fc.nat(),
  fill: fc.constantFrom(0, 0xff, 0x01, 0x80),
});

export const tamperOracle: Oracle<TamperCase> = {
  name: "tamper",
  description: "mutated witnesses: never a wrong post-state accepted; contract and TypeScript verifier reject alike",
  arbitrary: () =>
    fc.record({
      task: taskSeedArb(),
      at: fc.nat({ max: 5000 }),
      // mostly one mutation, mostly a bit flip anywhere in the witness (a truncation or a changed
      // header word is rejected early; a flip deep in the witness reaches the Merkle checks)
      mutations: fc.oneof(
        { weight: 4, arbitrary: fc.tuple(mutationArb) },
        { weight: 1, arbitrary: fc.array(mutationArb, { minLength: 2, maxLength: 3 }) },
      ),
    }),
  async setup() {
    await chainProver();
  },
  async check(tc, cov) {
    const chain = await chainProver();
    const t = await buildTask(tc.task, PROVER_SHAPE);
    const opts = { input: t.input, limits: t.limits };
    const probe = instantiateTask(t, cov);
    if (!probe) return 0;
    const total = probe.run().steps;
    const k = tc.at % (total + 1);
    const m = Machine.forTask(t.cm, opts);
    m.runTo(k);
    const op = m.status === "running" ? m.cm.code[m.pc * 4]! : -1;
    if (op >= 0) cov.op(op);
    const p = new Prover(m);
    const honest = p.proveNext();
    const after = hex(honest.after);
    // another state's hash for a swapped pre-state: the next state (or the initial one)
    const other = m.status === "running" ? hex(p.proveNext().after) : hex(new Prover(Machine.forTask(t.cm, opts)).stateHash());
    let before: Hex = hex(honest.before);
    let proof = honest.proof;
    for (const mu of tc.mutations) {
      if (mu.kind === "swapBefore") before = before === other ? after : other;
      else proof = applyMutation(proof, mu);
    }
    const proofHex = hex(proof);
    const [c, ts] = [await chain.proveOneStep(before, proofHex), tsVerify(before, proofHex)];
    const what = `step ${k}, mutations ${JSON.stringify(tc.mutations)}`;
    if (ts.ok && ts.after !== after) throw new OracleFailure("tamper", `${what}: the TypeScript verifier accepted a wrong post-state ${ts.after} (true ${after})`);
    if (c.ok && c.after !== after) throw new OracleFailure("tamper", `${what}: the contract accepted a wrong post-state ${c.after} (true ${after})`);
    if (fmtOutcome(c) !== fmtOutcome(ts)) throw new OracleFailure("tamper", `${what}: contract ${fmtOutcome(c)}, TypeScript verifier ${fmtOutcome(ts)}`);
    // an accepted mutant is either the honest witness again (a swap of equal words, a pre-state
    // swapped twice) or a different witness proving the same step: counted apart, for auditors
    const unchanged = before === hex(honest.before) && proofHex === hex(honest.proof);
    cov.outcome(c.ok ? (unchanged ? "witness accepted (bytes unchanged)" : "witness accepted (bytes changed)") : `witness ${c.error}`);
    return 1;
  },
  show: async (tc) => `${showTask(tc.task, PROVER_SHAPE)}\n;; step selector ${tc.at}, mutations ${JSON.stringify(tc.mutations)}`,
  toJSON: (tc) => ({ ...tc, task: taskSeedToJSON(tc.task, PROVER_SHAPE) }),
  fromJSON: (j) => {
    const o = j as TamperCase;
    return { task: taskSeedFromJSON(o.task), at: Number(o.at), mutations: o.mutations };
  },
};
