/**
 * Tasks (spec/STATE.md section 5): the module id, the module's fields, the
 * input root, the initial state hash of a task computed from the module's
 * fields (as the task market computes it on-chain), the output hash and the
 * result check. The Solidity twin is contracts/src/task/TaskSpec.sol.
 */
import type { CompiledModule } from "../compile/types.ts";
import { StepperError } from "../errors.ts";
import { MAX_PAGES, Machine, PAGE_SIZE } from "../machine.ts";
import { InputTree } from "../merkle/input.ts";
import { MerkleTree } from "../merkle/tree.ts";
import { DEFAULT_LIMITS, LIMIT_MAX, LIMIT_NAMES, type Limits, type Status, type TrapCode } from "../types.ts";
import { StateCommitment } from "./commit.ts";
import {
  H,
  HEADER_WORDS,
  MAX_INPUT_BYTES,
  STATUS_CODE,
  STATUS_NAME,
  TAG,
  TRAP_NAME,
  Z,
  ZERO32,
  foldOutput,
  headerHash,
  memoryDepth,
  outputHash as outputCommitment,
  encodeHeader,
  word,
  type Header,
} from "./header.ts";
import { ProofReader } from "./verify.ts";


/**
 * Everything of a task's initial state that the Wasm bytes alone fix, in the
 * order `moduleId` hashes them. Field for field the Solidity struct
 * `ModuleFields` (contracts/src/interfaces/ProtocolTypes.sol).
 */
export interface ModuleFields {
  codeRoot: Uint8Array;
  codeLength: number;
  funcsRoot: Uint8Array;
  nFuncs: number;
  globalsRoot: Uint8Array;
  nGlobals: number;
  tableRoot: Uint8Array;
  tableSize: number;
  dataRoot: Uint8Array;
  nData: number;
  elemRoot: Uint8Array;
  nElem: number;
  /** Root of the initial memory in a tree of depth memoryDepth(memoryPages). */
  memoryRoot: Uint8Array;
  memoryPages: number;
  /** The module's declared maximum pages (65536 when it declares none, 0 without a memory). */
  moduleMaxPages: number;
  /** The pc of the task bootstrap (`call start`?, `call run`, `finish`). */
  entryPc: number;
}

/** The field names in hashing order: the words of `moduleId`'s preimage after its tag. */
export const MODULE_FIELD_NAMES: readonly (keyof ModuleFields)[] = [
  "codeRoot",
  "codeLength",
  "funcsRoot",
  "nFuncs",
  "globalsRoot",
  "nGlobals",
  "tableRoot",
  "tableSize",
  "dataRoot",
  "nData",
  "elemRoot",
  "nElem",
  "memoryRoot",
  "memoryPages",
  "moduleMaxPages",
  "entryPc",
];

/** A task that cannot exist (limits or input out of range for its module). */
export class TaskError extends StepperError {
  override name = "TaskError";
  constructor(message: string) {
    super("limit", message);
  }
}

const cache = new WeakMap<CompiledModule, ModuleFields>();

/**
 * The module's fields (spec/STATE.md section 5). Throws the loader's LinkError
 * for a module that is not a task (no `run` export, segments that do not fit).
 */
export function moduleFields(cm: CompiledModule): ModuleFields {
  const hit = cache.get(cm);
  if (hit) return { ...hit };
  // A task instance at step 0 under the widest memory limit (its module's own maximum applies) and
  // the smallest stacks (the fields do not depend on them).
  const m = Machine.forTask(cm, { limits: { maxMemoryPages: MAX_PAGES, maxTableEntries: LIMIT_MAX.maxTableEntries, maxValueStack: 0, maxCallDepth: 0, maxSteps: 1 } });
  const h = new StateCommitment(m).header();
  const mem = cm.module.memory;
  const pages = m.memory.length / PAGE_SIZE;
  const tree = new MerkleTree(memoryDepth(pages));
  tree.build(m.memory);
  const f: ModuleFields = {
    codeRoot: h.codeRoot,
    codeLength: h.codeLength,
    funcsRoot: h.funcsRoot,
    nFuncs: h.nFuncs,
    globalsRoot: h.globalsRoot,
    nGlobals: h.nGlobals,
    tableRoot: h.tableRoot,
    tableSize: h.tableSize,
    dataRoot: h.dataRoot,
    nData: h.nData,
    elemRoot: h.elemRoot,
    nElem: h.nElem,
    memoryRoot: tree.root(),
    memoryPages: pages,
    moduleMaxPages: mem ? Math.min(mem.max ?? MAX_PAGES, MAX_PAGES) : 0,
    entryPc: h.pc,
  };
  cache.set(cm, f);
  return { ...f };
}

/** The words of `moduleId`'s preimage after the tag (also the ABI encoding of the Solidity struct). */
export function moduleFieldWords(f: ModuleFields): Uint8Array[] {
  return MODULE_FIELD_NAMES.map((n) => {
    const v = f[n];
    return typeof v === "number" ? word(v) : v;
  });
}

/** moduleId = H("Module:" || the fields as words, in MODULE_FIELD_NAMES order). */
export function moduleId(cmOrFields: CompiledModule | ModuleFields): Uint8Array {
  const f = "codeRoot" in cmOrFields ? cmOrFields : moduleFields(cmOrFields);
  return H(TAG.module, ...moduleFieldWords(f));
}

/** The Merkle root of the task input (spec/STATE.md section 1; src/merkle/input.ts), refusing an input over the limit with a TaskError. */
export function inputRoot(input: Uint8Array): Uint8Array {
  if (input.length > MAX_INPUT_BYTES) throw new TaskError(`the task input is ${input.length} bytes; at most ${MAX_INPUT_BYTES} are supported`);
  return new InputTree(input).root();
}

/** outputHash(bytes) = H("Output:" || outputAcc || outputPartial || w(length)) of these bytes. */
export function outputHash(output: Uint8Array): Uint8Array {
  const { acc, partial } = foldOutput(output);
  return outputCommitment(acc, partial, output.length);
}

/** Lifts the root of a tree of depth `from` to depth `to`: the old tree is the leftmost subtree, the rest zero. */
export function liftRoot(root: Uint8Array, from: number, to: number): Uint8Array {
  let r = root;
  for (let d = from; d < to; d++) r = H(r, Z[d]!);
  return r;
}

/** The effective memory maximum of a task: min(module maximum, task limit) (a memoryless module: 0). */
export function effectiveMaxPages(f: ModuleFields, limits: Limits): number {
  return Math.min(f.moduleMaxPages, limits.maxMemoryPages, MAX_PAGES);
}

/** The initial state's header of a task, from the module's fields (spec/STATE.md section 5). */
export function initialHeader(f: ModuleFields, input: { root: Uint8Array; length: number }, limits: Limits): Header {
  if (f.memoryPages > limits.maxMemoryPages)
    throw new TaskError(`the module needs ${f.memoryPages} memory pages, above the task limit maxMemoryPages=${limits.maxMemoryPages}`);
  if (f.tableSize > limits.maxTableEntries)
    throw new TaskError(`the module's table has ${f.tableSize} entries, above the task limit maxTableEntries=${limits.maxTableEntries}`);
  const maxPages = effectiveMaxPages(f, limits);
  const lim = {} as Limits;
  for (const n of LIMIT_NAMES) lim[n] = limits[n];
  lim.maxMemoryPages = maxPages;
  return {
    status: limits.maxSteps === 0 ? STATUS_CODE.out_of_steps : STATUS_CODE.running,
    trap: 0,
    nlocals: 0,
    pc: f.entryPc,
    steps: 0,
    sp: 0,
    fp: 0,
    depth: 0,
    top: 0n,
    operands: ZERO32,
    localsRoot: Z[0]!,
    framesHash: ZERO32,
    globalsRoot: f.globalsRoot,
    memoryRoot: liftRoot(f.memoryRoot, memoryDepth(f.memoryPages), memoryDepth(maxPages)),
    memoryPages: f.memoryPages,
    tableRoot: f.tableRoot,
    dataRoot: f.dataRoot,
    elemRoot: f.elemRoot,
    outputAcc: ZERO32,
    outputPartial: ZERO32,
    outputLength: 0,
    codeRoot: f.codeRoot,
    codeLength: f.codeLength,
    funcsRoot: f.funcsRoot,
    nFuncs: f.nFuncs,
    nGlobals: f.nGlobals,
    tableSize: f.tableSize,
    nData: f.nData,
    nElem: f.nElem,
    inputRoot: input.root,
    inputLength: input.length,
    ...lim,
    // the micro-step register is empty at step 0
    mp: 0,
    auxLen: 0,
    aux: ZERO32,
  };
}

/**
 * The initial state hash of "module on input under limits", from the module's
 * fields: equal to `stateHashAt({ cm, opts: { input, limits } }, 0)`.
 */
export function initialStateHash(cmOrFields: CompiledModule | ModuleFields, input: Uint8Array, limits: Partial<Limits> = {}): Uint8Array {
  const f = "codeRoot" in cmOrFields ? cmOrFields : moduleFields(cmOrFields);
  return headerHash(initialHeader(f, { root: inputRoot(input), length: input.length }, { ...DEFAULT_LIMITS, ...limits }));
}

/** What a result claim states, read from its final header (ResultClaim in ProtocolTypes.sol). */
export interface ResultClaim {
  finalStateHash: Uint8Array;
  outputHash: Uint8Array;
  steps: number;
  status: Exclude<Status, "running">;
  trap?: TrapCode;
}

/** Why checkResult refused a result (the Solidity error of the same name). */
export type ResultErrorCode = "BadHeaderLength" | "ResultHashMismatch" | "ResultNotTerminal" | "OutputMismatch";

export class ResultError extends Error {
  override readonly name = "ResultError";
  constructor(
    readonly code: ResultErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The final state's header words (the same words a proof starts with, version word first). */
export function headerWordsOf(h: Header): Uint8Array {
  const words = encodeHeader(h);
  const out = new Uint8Array(words.length * 32);
  words.forEach((w, i) => out.set(w, i * 32));
  return out;
}

/**
 * The result check (spec/STATE.md section 5): the header words hash to
 * `finalStateHash`, the state is terminal, and it commits to exactly `output`.
 * Returns the claim the chain records. Throws ResultError or ProofError (a
 * malformed header: the one-step proof's header errors).
 */
export function checkResult(finalStateHash: Uint8Array, headerWords: Uint8Array, output: Uint8Array): ResultClaim {
  if (headerWords.length !== HEADER_WORDS * 32) throw new ResultError("BadHeaderLength", `the header is ${headerWords.length} bytes, expected ${HEADER_WORDS * 32}`);
  const h = new ProofReader(headerWords).header();
  if (!same(headerHash(h), finalStateHash)) throw new ResultError("ResultHashMismatch", "the header words do not hash to the final state hash");
  if (h.status === STATUS_CODE.running) throw new ResultError("ResultNotTerminal", "the final state is still running");
  const { acc, partial } = foldOutput(output);
  if (output.length !== h.outputLength || !same(acc, h.outputAcc) || !same(partial, h.outputPartial))
    throw new ResultError("OutputMismatch", `the output bytes (${output.length}) are not the ones the final state committed (${h.outputLength} bytes)`);
  const claim: ResultClaim = {
    finalStateHash,
    outputHash: outputCommitment(h.outputAcc, h.outputPartial, h.outputLength),
    steps: h.steps,
    status: STATUS_NAME[h.status] as ResultClaim["status"],
  };
  const trap = TRAP_NAME[h.trap];
  if (trap) claim.trap = trap;
  return claim;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
