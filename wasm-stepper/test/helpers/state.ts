/**
 * Helpers for the state-commitment and one-step-proof tests (test/state*.test.ts)
 * and the vector generator (scripts/gen-vectors.ts). No vitest imports here: the
 * generator runs outside vitest, so checks throw plain Errors with context.
 *
 * - `refStateHash(m)` (re-exported from ./reference.ts): the state hash of a
 *   Machine computed from spec/STATE.md alone.
 * - `lockstep(target)`: proves and verifies every step of a run.
 * - `labelProof(before, proof)`: what each word of a proof is (header field,
 *   operand value, Merkle sibling of which tree and level, frame field...).
 */
import spec from "../../spec/state.json" with { type: "json" };
import { refStateHash } from "./reference.ts";
import { OPCODE_NAMES } from "../../src/ir/opcodes.ts";
import { Machine } from "../../src/machine.ts";
import type { CompiledModule } from "../../src/compile/types.ts";
import { compileWasm } from "../../src/load.ts";
import { StateCommitment } from "../../src/state/commit.ts";
import { Prover, machineFor, proveStep, stateHashAt, type ProveTarget, type StepProof } from "../../src/state/prove.ts";
import { ProofReader, verifyStep } from "../../src/state/verify.ts";
import { executeStep, type FrameItem, type MerkleItem, type OperandItem, type SegmentItem, type TreeKind } from "../../src/state/step.ts";
import { ProofError, type ProofErrorCode } from "../../src/state/errors.ts";
import type { Header } from "../../src/state/header.ts";
import { FULL_SWEEPS, seedOf } from "./sample.ts";
import { wat } from "./wat.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The wasm-stepper package root. */
export const PKG_ROOT_FOR_STATE = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// ---------------------------------------------------------------- bytes

export function hex(b: Uint8Array): string {
  return "0x" + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function unhex(s: string): Uint8Array {
  if (!/^0x([0-9a-f]{2})*$/.test(s)) throw new Error(`not a 0x-prefixed lower-case hex string: ${s.slice(0, 40)}`);
  return new Uint8Array(Buffer.from(s.slice(2), "hex"));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const WORD = 32;

export function wordsOf(proof: Uint8Array): number {
  return proof.length / WORD;
}

/** A copy of `proof` with bit `bit` (0 = least significant bit of the word's last byte) of word `w` flipped. */
export function flipBit(proof: Uint8Array, w: number, bit: number): Uint8Array {
  const out = proof.slice();
  const byte = w * WORD + 31 - (bit >> 3);
  out[byte] = out[byte]! ^ (1 << (bit & 7));
  return out;
}

export async function compileWat(text: string, name = "state-test.wat"): Promise<CompiledModule> {
  return compileWasm(await wat(text, name));
}

export { refStateHash, refDepthFor } from "./reference.ts";

// ---------------------------------------------------------------- lockstep

export interface StepInfo {
  step: number;
  pc: number;
  /** Mnemonic of the instruction at pc before the step (for a terminal state: the one it stopped at). */
  op: string;
  statusBefore: string;
  statusAfter: string;
  trap?: string;
  depthBefore: number;
  depthAfter: number;
  pcAfter: number;
  /** The instruction's immediates a, b, c. */
  imm: [number, number, number];
  /** The top three value slots before the step (deepest first; raw slots, read for classification). */
  args: [bigint, bigint, bigint];
  /** The top value slot after the step. */
  resultTop: bigint;
  /** Output length before the step. */
  outputLength: number;
  /** The micro-step register before the step (spec/EXECUTION.md section 5, "Moves of many values"). */
  mp: number;
  auxLen: number;
  proof: StepProof;
}

function slotU64(S: Int32Array, k: number): bigint {
  if (k < 0) return 0n;
  return (BigInt(S[2 * k + 1]! >>> 0) << 32n) | BigInt(S[2 * k]! >>> 0);
}

export interface LockstepOptions {
  /** Check the spec-reference hash every `refEvery` steps (and at the start and the end). 0: only start and end. */
  refEvery?: number;
  /** Keep the proofs of steps for which this returns true. */
  keep?: (s: StepInfo) => boolean;
  /** Called for every proven step (after verification). */
  onStep?: (s: StepInfo) => void;
  /**
   * Prove step n only when this returns true (default: every step); the other steps run on
   * the machine unproven, and the next proven step's before must equal the commitment's
   * state hash there. The terminal self-step is always proven, the final state always
   * checked against the spec-reference hash and a fresh run.
   */
  prove?: (step: number, op: string) => boolean;
}

/**
 * A `prove` filter for sampled lockstep runs (`npm test`; `npm run test:full` proves every
 * step, see sample.ts): the first two steps, the first step of each mnemonic and each other
 * step with probability 1/`every`, drawn by a PRNG seeded from `label`.
 */
export function sampledSteps(every: number, label: string): ((step: number, op: string) => boolean) | undefined {
  if (FULL_SWEEPS) return undefined;
  const seen = new Set<string>();
  let x = seedOf(label) || 1;
  return (step, op) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    if (step < 2 || !seen.has(op)) {
      seen.add(op);
      return true;
    }
    return x % every === 0;
  };
}

export interface LockstepResult {
  /** Steps run (the terminal self-step not included). */
  steps: number;
  /** Steps proven (all of them without a `prove` filter). */
  proven: number;
  /** Whether the last step (the one that ended the run) was proven. */
  lastProven: boolean;
  status: string;
  trap?: string;
  finalHash: Uint8Array;
  /** Mnemonics executed (the terminal self-step not included). */
  ops: Set<string>;
  kept: StepInfo[];
  /** The terminal state's self-step. */
  terminal: StepInfo;
  refChecks: number;
}

class LockstepError extends Error {}

/**
 * Runs `target` to its end, proving every step, and checks for each step n:
 * before(n) == after(n-1) (the chain is continuous), verifyStep(before, proof)
 * == after, the commitment's stateHash() right after the step == after, and at
 * sampled steps the spec-reference hash == after. Then proves the terminal
 * state's self-step (header-only proof, after == before) and checks that a
 * fresh Machine.run() reaches the same final hash.
 */
export function lockstep(target: ProveTarget, label: string, opts: LockstepOptions = {}): LockstepResult {
  const m = machineFor(target);
  const r = lockstepMachine(m, label, opts, () => {
    const m2 = machineFor(target);
    m2.run();
    return new StateCommitment(m2).stateHash();
  });
  if (!r.lastProven && r.steps > 0) {
    // A sampled run did not prove its last step (where it finished, trapped or ran out of steps): prove it now.
    const last = proveStep(target, r.steps - 1);
    if (!sameBytes(last.before, stateHashAt(target, r.steps - 1))) throw new LockstepError(`${label}: the last step's before is not the state hash there`);
    if (!sameBytes(verifyStep(last.before, last.proof), r.finalHash)) throw new LockstepError(`${label}: the last step does not verify into the final state`);
    r.proven++;
  }
  return r;
}

/** lockstep() on a prepared machine (for several invocations on one instance). */
export function lockstepMachine(m: Machine, label: string, opts: LockstepOptions = {}, runHash?: () => Uint8Array, prover = new Prover(m)): LockstepResult {
  const fail = (msg: string): never => {
    throw new LockstepError(`${label}: ${msg}`);
  };
  const p = prover;
  const ops = new Set<string>();
  const kept: StepInfo[] = [];
  let refChecks = 0;
  const refCheck = (h: Uint8Array, what: string) => {
    refChecks++;
    const r = refStateHash(m);
    if (!sameBytes(r, h)) fail(`${what}: the commitment's state hash ${hex(h)} differs from the spec-reference hash ${hex(r)}`);
  };
  let prev = p.stateHash();
  refCheck(prev, `step 0 (initial state)`);
  const refEvery = opts.refEvery ?? 0;
  let n = 0;
  const proveOne = (): StepInfo => {
    const pc = m.pc;
    const op = OPCODE_NAMES[m.cm.code[pc * 4]!] ?? `op${m.cm.code[pc * 4]}`;
    const statusBefore = m.status;
    const depthBefore = m.depth;
    const step = m.steps;
    const code = m.cm.code;
    const imm: [number, number, number] = [code[pc * 4 + 1]!, code[pc * 4 + 2]!, code[pc * 4 + 3]!];
    const args: [bigint, bigint, bigint] = [slotU64(m.stack32, m.sp - 3), slotU64(m.stack32, m.sp - 2), slotU64(m.stack32, m.sp - 1)];
    const outputLength = m.outputLength;
    const mp = m.mp;
    const auxLen = m.auxLen;
    let proof: StepProof;
    try {
      proof = p.proveNext();
    } catch (e) {
      return fail(`step ${step} (${op} at pc ${pc}): proveNext threw: ${(e as Error).message}`);
    }
    const where = `step ${step} (${op} at pc ${pc})`;
    if (proof.step !== step) fail(`${where}: proof.step is ${proof.step}`);
    if (!sameBytes(proof.before, prev)) fail(`${where}: before ${hex(proof.before)} is not the previous after ${hex(prev)}`);
    let v: Uint8Array;
    try {
      v = verifyStep(proof.before, proof.proof);
    } catch (e) {
      return fail(`${where}: verifyStep rejected the prover's proof: ${(e as Error).message}`);
    }
    if (!sameBytes(v, proof.after)) fail(`${where}: verifyStep gives ${hex(v)}, the prover's after is ${hex(proof.after)}`);
    const sh = p.stateHash();
    if (!sameBytes(sh, proof.after)) fail(`${where}: stateHash() after the step is ${hex(sh)}, proveNext said ${hex(proof.after)}`);
    prev = proof.after;
    const info: StepInfo = {
      step,
      pc,
      op,
      statusBefore,
      statusAfter: m.status,
      depthBefore,
      depthAfter: m.depth,
      pcAfter: m.pc,
      imm,
      args,
      resultTop: slotU64(m.stack32, m.sp - 1),
      outputLength,
      mp,
      auxLen,
      proof,
    };
    if (m.trap) info.trap = m.trap;
    return info;
  };
  let proven = 0;
  let stale = false;
  let lastProven = true;
  while (m.status === "running") {
    const nextOp = opts.prove && (OPCODE_NAMES[m.cm.code[m.pc * 4]!] ?? `op${m.cm.code[m.pc * 4]}`);
    if (nextOp && !opts.prove!(m.steps, nextOp)) {
      // Run the step unproven; the chain resumes from the commitment's hash at the next proven step.
      ops.add(nextOp);
      m.step();
      n++;
      stale = true;
      if (m.status !== "running") {
        lastProven = false;
        prev = p.stateHash();
        stale = false;
        refCheck(prev, `after step ${n - 1}`);
      }
      continue;
    }
    if (stale) {
      prev = p.stateHash();
      stale = false;
    }
    const info = proveOne();
    n++;
    proven++;
    ops.add(info.op);
    if (m.status !== "running" || (refEvery > 0 && n % refEvery === 0)) refCheck(info.proof.after, `after step ${info.step}`);
    opts.onStep?.(info);
    if (opts.keep?.(info)) kept.push(info);
  }
  const final = prev;
  const terminal = proveOne();
  if (!sameBytes(terminal.proof.after, terminal.proof.before)) fail(`the terminal state does not step to itself`);
  if (terminal.proof.proof.length !== spec.widths.headerWords * WORD) fail(`the terminal self-step's proof is ${terminal.proof.proof.length} bytes, not the header alone`);
  if (m.steps !== n) fail(`steps counter ${m.steps} after ${n} steps (the terminal self-step must not count)`);
  opts.onStep?.(terminal);
  if (opts.keep?.(terminal)) kept.push(terminal);
  if (runHash) {
    const rh = runHash();
    if (!sameBytes(rh, final)) fail(`Machine.run() ends in ${hex(rh)}, stepping one by one in ${hex(final)}`);
  }
  const res: LockstepResult = { steps: n, proven, lastProven, status: m.status, finalHash: final, ops, kept, terminal, refChecks };
  if (m.trap) res.trap = m.trap;
  return res;
}

// ---------------------------------------------------------------- proof word labels

/** What a proof word is. */
export type WordLabel =
  | { kind: "version" }
  | { kind: "header"; field: string }
  | { kind: "operand"; part: "value" | "beneath"; pop: number }
  | { kind: "leaf"; tree: TreeKind; index: number }
  | { kind: "sibling"; tree: TreeKind; index: number; level: number }
  | { kind: "segment"; tree: "data" | "elem"; part: "root" | "len" }
  | { kind: "frame"; field: "prev" | "returnPc" | "callerFp" | "callerNlocals" | "callerLocalsRoot" | "callerTop" | "callerOperands" };

export const HEADER_FIELDS = [
  "version",
  "control",
  "top",
  "operands",
  "localsRoot",
  "framesHash",
  "globalsRoot",
  "memoryRoot",
  "memoryPages",
  "tableRoot",
  "dataRoot",
  "elemRoot",
  "outputAcc",
  "outputPartial",
  "outputLength",
  "codeRoot",
  "codeLength",
  "funcsRoot",
  "nFuncs",
  "nGlobals",
  "tableSize",
  "nData",
  "nElem",
  "inputRoot",
  "inputLength",
  "maxSteps",
  "maxMemoryPages",
  "maxCallDepth",
  "maxValueStack",
  "maxOutputBytes",
  "maxTableEntries",
  "mp",
  "auxLen",
  "aux",
] as const;

/** Numeric (w(n)) fields: the verifier reads them as numbers. */
export const NUMERIC_HEADER_FIELDS = new Set(["top", "memoryPages", "outputLength", "codeLength", "nFuncs", "nGlobals", "tableSize", "nData", "nElem", "inputLength", "maxSteps", "maxMemoryPages", "maxCallDepth", "maxValueStack", "maxOutputBytes", "maxTableEntries", "mp", "auxLen"]);

/** A ProofReader that records what each word it hands out is. */
class LabellingReader extends ProofReader {
  readonly labels: WordLabel[] = HEADER_FIELDS.map((f) => (f === "version" ? { kind: "version" as const } : { kind: "header" as const, field: f }));
  private pops = 0;
  private inSegment = false;

  override operand(): OperandItem {
    const r = super.operand();
    this.labels.push({ kind: "operand", part: "value", pop: this.pops }, { kind: "operand", part: "beneath", pop: this.pops });
    this.pops++;
    return r;
  }

  override merkle(kind: TreeKind, index: number, depth: number): MerkleItem {
    const r = super.merkle(kind, index, depth);
    if (!this.inSegment) {
      this.labels.push({ kind: "leaf", tree: kind, index });
      for (let k = 0; k < depth; k++) this.labels.push({ kind: "sibling", tree: kind, index, level: k });
    }
    return r;
  }

  override segment(kind: "data" | "elem", index: number, depth: number): SegmentItem {
    this.inSegment = true;
    const r = super.segment(kind, index, depth);
    this.inSegment = false;
    this.labels.push({ kind: "segment", tree: kind, part: "root" }, { kind: "segment", tree: kind, part: "len" }, { kind: "leaf", tree: kind, index });
    for (let k = 0; k < depth; k++) this.labels.push({ kind: "sibling", tree: kind, index, level: k });
    return r;
  }

  override frame(): FrameItem {
    const r = super.frame();
    for (const field of ["prev", "returnPc", "callerFp", "callerNlocals", "callerLocalsRoot", "callerTop", "callerOperands"] as const) this.labels.push({ kind: "frame", field });
    return r;
  }
}

/** Labels every word of a valid proof, in order; also returns the pre- and post-state headers. */
export function labelProof(proof: Uint8Array): { labels: WordLabel[]; pre: Header; post: Header } {
  const r = new LabellingReader(proof);
  const pre = r.header();
  const post = executeStep(pre, r);
  if (!r.done) throw new Error("labelProof: words left over");
  if (r.labels.length !== wordsOf(proof)) throw new Error(`labelProof: ${r.labels.length} labels for ${wordsOf(proof)} words`);
  return { labels: r.labels, pre, post };
}

export function describeLabel(l: WordLabel): string {
  switch (l.kind) {
    case "version":
      return "version";
    case "header":
      return `header.${l.field}`;
    case "operand":
      return `pop${l.pop}.${l.part}`;
    case "leaf":
      return `${l.tree}[${l.index}].leaf`;
    case "sibling":
      return `${l.tree}[${l.index}].sibling${l.level}`;
    case "segment":
      return `${l.tree}.${l.part}`;
    case "frame":
      return `frame.${l.field}`;
  }
}

/** The error verifyStep must raise when one bit of a word with this label is flipped. */
export function expectedFlipError(l: WordLabel): ProofErrorCode {
  switch (l.kind) {
    case "version":
      return "BadVersion";
    case "header":
      return "BadHeader";
    case "operand":
      return "BadOperandProof";
    case "leaf":
    case "sibling":
      return l.tree === "code" ? "BadCodeProof" : "BadMerkleProof";
    case "segment":
      return "BadSegmentProof";
    case "frame":
      return "BadFrameProof";
  }
}

/** Is this word read by the verifier as a number (w(n))? */
export function isNumericWord(l: WordLabel): boolean {
  return (l.kind === "header" && NUMERIC_HEADER_FIELDS.has(l.field)) || (l.kind === "segment" && l.part === "len") || (l.kind === "frame" && (l.field === "returnPc" || l.field === "callerFp" || l.field === "callerNlocals" || l.field === "callerTop"));
}

/** verifyStep's outcome: the post-state hash, or the ProofError code (other errors are rethrown). */
export function verifyOutcome(before: Uint8Array, proof: Uint8Array): { after: Uint8Array } | { code: ProofErrorCode; message: string } {
  try {
    return { after: verifyStep(before, proof) };
  } catch (e) {
    if (e instanceof ProofError) return { code: e.code, message: e.message };
    throw e;
  }
}

export { Machine };

// ---------------------------------------------------------------- running the programs of state-programs.ts

import type { StateRun } from "./state-programs.ts";

export interface RunOutcome {
  label: string;
  results: LockstepResult[];
}

/** A fresh machine for a run (before its first invocation is prepared). */
export function machineForRun(cm: CompiledModule, run: StateRun): Machine {
  const opts = { input: run.input ?? new Uint8Array(0), limits: run.limits ?? {} };
  return run.task ? Machine.forTask(cm, opts) : Machine.instantiate(cm, opts);
}

/**
 * Lockstep over a run: the task, or each invocation in turn on one instance
 * with one Prover (the commitment follows the instance across invocations).
 * A second instance runs the same invocations with Machine.run() and must
 * reach the same hash at the end of each.
 */
export function lockstepRun(cm: CompiledModule, run: StateRun, label: string, opts: LockstepOptions = {}): RunOutcome {
  const m = machineForRun(cm, run);
  const twin = machineForRun(cm, run);
  const results: LockstepResult[] = [];
  if (run.task) {
    results.push(lockstepMachine(m, label, opts, () => (twin.run(), new StateCommitment(twin).stateHash())));
    return { label, results };
  }
  const prover = new Prover(m);
  // One commitment for the twin too: a second StateCommitment on a machine an
  // earlier one has synced starts from stale dirty flags (reported to the lead).
  const twinCommitment = new StateCommitment(twin);
  for (const [k, c] of (run.calls ?? []).entries()) {
    m.prepareInvoke(c.name, c.args);
    twin.prepareInvoke(c.name, c.args);
    results.push(lockstepMachine(m, `${label} / call ${k} ${c.name}`, opts, () => (twin.run(), twinCommitment.stateHash()), prover));
  }
  return { label, results };
}

// ---------------------------------------------------------------- classifying steps

const LOAD_STORE: Record<string, [size: number, store: boolean]> = {
  "i32.load": [4, false], "i64.load": [8, false], "i32.load8_s": [1, false], "i32.load8_u": [1, false], "i32.load16_s": [2, false], "i32.load16_u": [2, false],
  "i64.load8_s": [1, false], "i64.load8_u": [1, false], "i64.load16_s": [2, false], "i64.load16_u": [2, false], "i64.load32_s": [4, false], "i64.load32_u": [4, false],
  "i32.store": [4, true], "i64.store": [8, true], "i32.store8": [1, true], "i32.store16": [2, true], "i64.store8": [1, true], "i64.store16": [2, true], "i64.store32": [4, true],
};

/** Instructions that may take several steps (EXECUTION.md section 5), with their operand count. */
export const MICRO_STEPPED: Record<string, number> = {
  "memory.copy": 3,
  "memory.fill": 3,
  "memory.init": 3,
  "table.copy": 3,
  "table.init": 3,
  host_input_read: 3,
  host_output_write: 2,
};

/**
 * The case of a step: its outcome and, for some instructions, what kind of
 * execution it was (a taken branch, a leaf-crossing access, a backward copy
 * chunk...). Used to pick vectors and to assert coverage.
 */
const MOVES = new Set(["br", "br_if", "br_table", "return", "return_if", "call", "call_indirect"]);

export function classifyStep(s: StepInfo): string {
  if (s.statusBefore !== "running") return `terminal:${s.statusBefore}`;
  if (s.statusAfter === "trapped") return `trap:${s.trap}`;
  if (s.statusAfter === "finished") return "finish";
  const suffix = s.statusAfter === "out_of_steps" ? " -> out_of_steps" : "";
  // Moves of many values: an unstash step runs no instruction; the others stay on theirs.
  if (s.mp === 0 && s.auxLen > 0) return `unstash${suffix}`;
  const stays = s.pcAfter === s.pc && s.depthAfter === s.depthBefore;
  if (MOVES.has(s.op) && (s.mp > 0 || stays)) return `micro-step${s.mp === 0 ? " (first)" : stays ? "" : " (last)"}${suffix}`;
  const [x, y, z] = s.args;
  const ls = LOAD_STORE[s.op];
  if (ls) {
    const ea = Number(ls[1] ? y : z) + (s.imm[0] >>> 0);
    return (Math.floor(ea / 32) !== Math.floor((ea + ls[0] - 1) / 32) ? "cross-leaf" : "in-leaf") + suffix;
  }
  const nops = MICRO_STEPPED[s.op];
  if (nops !== undefined) {
    const n = z;
    const dir = s.op === "memory.copy" || s.op === "table.copy" ? (x > y ? "backward " : "forward ") : "";
    if (n === 0n) return `${dir}empty${suffix}`;
    return `${dir}${s.pcAfter === s.pc ? "chunk" : "last chunk"}${suffix}`;
  }
  switch (s.op) {
    case "br_if":
    case "br_unless":
    case "return_if": {
      const taken = s.op === "br_unless" ? s.pcAfter !== s.pc + 1 : s.pcAfter !== s.pc + 1 || s.depthAfter !== s.depthBefore;
      return (taken ? (s.op === "br_unless" ? "jump" : "taken") : "not taken") + (s.op === "br_if" && taken && s.imm[2] > 0 ? " (drop)" : "") + suffix;
    }
    case "br":
      return (s.imm[2] > 0 ? "jump (drop)" : "jump") + suffix;
    case "br_table": {
      const n = s.imm[0] >>> 0;
      const k = z >= BigInt(n) ? "default" : `entry ${z}`;
      return `${k}${s.depthAfter < s.depthBefore ? " (return)" : ""}${suffix}`;
    }
    case "memory.grow":
      return (s.resultTop === 0xffffffffn ? "fails" : z === 0n ? "by 0" : "grows") + suffix;
    case "select":
      return (z !== 0n ? "first" : "second") + suffix;
  }
  if (s.depthAfter > s.depthBefore) return "call" + suffix;
  if (s.depthAfter < s.depthBefore) return "return" + suffix;
  return "next" + suffix;
}

/** EXECUTION.md section 5: B(x, n) = leaf boundaries strictly inside (x, x+n). */
export function leafBoundaries(x: number, n: number): number {
  return Math.floor((x + n - 1) / 32) - Math.floor(x / 32);
}

/** The number of steps EXECUTION.md section 5 gives a micro-stepped instruction (no trap). */
export function expectedMicroSteps(op: string, dst: number, src: number, n: number): number {
  if (n === 0) return 1;
  if (op === "table.copy" || op === "table.init") return n;
  if (op === "memory.fill") return 1 + leafBoundaries(dst, n);
  return 1 + leafBoundaries(dst, n) + leafBoundaries(src, n) - (dst % 32 === src % 32 ? leafBoundaries(dst, n) : 0);
}
