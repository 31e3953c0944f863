/**
 * The on-chain side: one prover set deployed on hardhat's in-process EVM per process (shared by
 * the prover and tamper oracles), and the TypeScript verifier in the same outcome shape.
 */
import { deployProverInProcess, type InProcessProver, type Outcome } from "@vwasm/contracts/testing";
import { ProofError, verifyStep } from "@vwasm/wasm-stepper";
import type { Hex } from "viem";
import { hex, unhex } from "./bytes.ts";

export type { Outcome };

let prover: Promise<InProcessProver> | undefined;

export function chainProver(): Promise<InProcessProver> {
  prover ??= deployProverInProcess();
  return prover;
}

/** verifyStep with the contract's outcome shape: the post-state, or the ProofError code (= the custom error's name). */
export function tsVerify(before: Hex | Uint8Array, proof: Hex | Uint8Array): Outcome {
  try {
    return { ok: true, after: hex(verifyStep(typeof before === "string" ? unhex(before) : before, typeof proof === "string" ? unhex(proof) : proof)) };
  } catch (e) {
    if (e instanceof ProofError) return { ok: false, error: e.code };
    throw e;
  }
}

export function fmtOutcome(o: Outcome): string {
  return o.ok ? `accepted, after ${o.after}` : `rejected with ${o.error}`;
}
