/**
 * The reader of a one-step proof's 32-byte words, in order (spec/STATE.md section 4).
 * Twin of contracts/src/state/ProofReader.sol: the same items, the same widths, the same
 * checks in the same order.
 */
import { readWord, parseControl, LAYOUT_VERSION, HEADER_WORDS, MAX_NUMBER, type Header } from "./header.ts";
import { ProofError, type ProofErrorCode } from "./errors.ts";
import type { FrameItem, MerkleItem, OperandItem, SegmentItem, TreeKind, WitnessSource } from "./step.ts";

/** Reads the proof's 32-byte words in order. */
export class ProofReader implements WitnessSource {
  private pos = 0;
  constructor(readonly proof: Uint8Array) {
    if (proof.length % 32 !== 0) throw new ProofError("Truncated", `proof length ${proof.length} is not a whole number of 32-byte words`);
  }

  word(): Uint8Array {
    if (this.pos + 32 > this.proof.length) throw new ProofError("Truncated", `proof ends at word ${this.pos / 32}`);
    const w = this.proof.slice(this.pos, this.pos + 32);
    this.pos += 32;
    return w;
  }

  /** A word read as a number; `code` names the check a too-large value fails (the item's own). */
  num(code: ProofErrorCode = "BadHeader"): number {
    const v = readWord(this.word());
    if (v > BigInt(MAX_NUMBER)) throw new ProofError(code, `number ${v} out of range`);
    return Number(v);
  }

  get done(): boolean {
    return this.pos === this.proof.length;
  }

  header(): Header {
    const version = readWord(this.word());
    if (version !== BigInt(LAYOUT_VERSION)) throw new ProofError("BadVersion", `proof layout version ${version}, expected ${LAYOUT_VERSION}`);
    const h = {} as Header;
    const control = this.word();
    if (control[30] !== 0 || control[31] !== 0) throw new ProofError("BadHeader", "control word padding must be zero");
    parseControl(control, h);
    h.top = readWord(this.word());
    if (h.top >= 1n << 64n) throw new ProofError("BadHeader", "top operand wider than 64 bits");
    h.operands = this.word();
    h.localsRoot = this.word();
    h.framesHash = this.word();
    h.globalsRoot = this.word();
    h.memoryRoot = this.word();
    h.memoryPages = this.num();
    h.tableRoot = this.word();
    h.dataRoot = this.word();
    h.elemRoot = this.word();
    h.outputAcc = this.word();
    h.outputPartial = this.word();
    h.outputLength = this.num();
    h.codeRoot = this.word();
    h.codeLength = this.num();
    h.funcsRoot = this.word();
    h.nFuncs = this.num();
    h.nGlobals = this.num();
    h.tableSize = this.num();
    h.nData = this.num();
    h.nElem = this.num();
    h.inputRoot = this.word();
    h.inputLength = this.num();
    h.maxSteps = this.num();
    h.maxMemoryPages = this.num();
    h.maxCallDepth = this.num();
    h.maxValueStack = this.num();
    h.maxOutputBytes = this.num();
    h.maxTableEntries = this.num();
    h.mp = this.num();
    h.auxLen = this.num();
    h.aux = this.word();
    if (this.pos !== HEADER_WORDS * 32) throw new ProofError("BadHeader", "header size mismatch");
    return h;
  }

  operand(): OperandItem {
    const value = this.word();
    return { value, beneath: this.word() };
  }

  auxOperand(): OperandItem {
    return this.operand();
  }

  merkle(_kind: TreeKind, _index: number, depth: number): MerkleItem {
    const leaf = this.word();
    const siblings: Uint8Array[] = [];
    for (let k = 0; k < depth; k++) siblings.push(this.word());
    return { leaf, siblings };
  }

  segment(_kind: "data" | "elem", _index: number, depth: number): SegmentItem {
    const root = this.word();
    const len = this.num("BadSegmentProof");
    return { root, len, ...this.merkle("data", 0, depth) };
  }

  frame(): FrameItem {
    return {
      prev: this.word(),
      returnPc: this.num("BadFrameProof"),
      callerFp: this.num("BadFrameProof"),
      callerNlocals: this.num("BadFrameProof"),
      callerLocalsRoot: this.word(),
      callerTop: readWord(this.word()),
      callerOperands: this.word(),
    };
  }

  written(): void {}
}
