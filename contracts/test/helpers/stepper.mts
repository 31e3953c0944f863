/**
 * The TypeScript stepper (wasm-stepper, imported in-process: vitest transforms its ESM TypeScript)
 * as the oracle: programs to compile, machines to run, proofs of every step, the TS verifier.
 */
import { compileWasm, watToWasm, Machine, Prover, verifyStep, ProofError } from "@vwasm/wasm-stepper";
import type { CompiledModule, Limits, Value } from "@vwasm/wasm-stepper";
import { OPCODE_NAMES } from "@vwasm/wasm-stepper/opcodes";
import type { Hex } from "viem";

export { Machine, Prover, verifyStep, ProofError, OPCODE_NAMES };
export type { CompiledModule, Limits, Value };

export function hex(b: Uint8Array): Hex {
  return `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")}`;
}

export function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));
}

export async function compileWat(text: string, name = "contracts-test.wat"): Promise<CompiledModule> {
  return compileWasm(await watToWasm(text, name));
}

export { compileWasm };

/** The TS verifier's outcome, in the same shape as the contract's. */
export type TsOutcome = { ok: true; after: Hex } | { ok: false; error: string };

export function tsVerify(before: Hex, proof: Hex): TsOutcome {
  try {
    return { ok: true, after: hex(verifyStep(unhex(before), unhex(proof))) };
  } catch (e) {
    if (e instanceof ProofError) return { ok: false, error: e.code };
    throw e;
  }
}

export interface StepCase {
  step: number;
  /** Mnemonic of the instruction executed, or `terminal:<status>` for a terminal state's self-step. */
  op: string;
  /** Status (and trap code) after the step. */
  statusAfter: string;
  trap?: string;
  before: Hex;
  proof: Hex;
  after: Hex;
}

/** A run to prove: a task (`forTask`) or invocations of exports on one instance. */
export interface Run {
  label: string;
  input?: Uint8Array;
  limits?: Partial<Limits>;
  task?: boolean;
  calls?: { name: string; args: Value[] }[];
  /**
   * Prove only a window of a task: the first `head` steps and the last `tail` steps (the machine
   * runs unproven in between), to keep long programs to a few thousand proven steps.
   */
  head?: number;
  tail?: number;
}

function proveMachine(m: Machine, out: StepCase[], maxSteps = Infinity): void {
  const p = new Prover(m);
  for (let k = 0; k < maxSteps; k++) {
    const terminal = m.status !== "running";
    const op = terminal ? `terminal:${m.status}` : (OPCODE_NAMES[m.cm.code[m.pc * 4]!] ?? `op${m.cm.code[m.pc * 4]}`);
    const s = p.proveNext();
    const c: StepCase = { step: s.step, op, statusAfter: m.status, before: hex(s.before), proof: hex(s.proof), after: hex(s.after) };
    if (m.trap) c.trap = m.trap;
    out.push(c);
    if (terminal) break;
  }
}

/**
 * Proves one invocation of export `name` (no arguments) on a fresh instance, from step `from` on
 * (the machine runs unproven up to it) to the terminal state's self-step.
 */
export function proveInvocation(cm: CompiledModule, name: string, from = 0, limits: Partial<Limits> = {}): StepCase[] {
  const out: StepCase[] = [];
  const m = Machine.instantiate(cm, { limits });
  m.prepareInvoke(name, []);
  m.runTo(from);
  proveMachine(m, out);
  return out;
}

/**
 * Proves the steps of `run` with the TS prover (its proveNext checks each proof against the
 * machine), ending with the terminal state's self-step. Returns the cases in order.
 */
export function proveRun(cm: CompiledModule, run: Run): StepCase[] {
  const out: StepCase[] = [];
  const opts = { input: run.input ?? new Uint8Array(), limits: run.limits ?? {} };
  if (run.task) {
    if (run.head === undefined && run.tail === undefined) {
      proveMachine(Machine.forTask(cm, opts), out);
      return out;
    }
    // A window: count the steps first (unproven), then prove the head and the tail.
    const probe = Machine.forTask(cm, opts);
    probe.run();
    const total = probe.steps;
    const head = Math.min(run.head ?? 0, total);
    if (head > 0) proveMachine(Machine.forTask(cm, opts), out, head);
    const m = Machine.forTask(cm, opts);
    const from = Math.max(head, total - (run.tail ?? 0));
    m.runTo(from);
    proveMachine(m, out);
    return out;
  }
  const m = Machine.instantiate(cm, opts);
  for (const c of run.calls ?? []) {
    m.prepareInvoke(c.name, c.args);
    proveMachine(m, out);
  }
  return out;
}
