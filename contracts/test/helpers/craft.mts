/**
 * Hand-built states and witnesses for the bad-proof tests: a header of our choosing (its hash is
 * the `before` we claim), a code tree of our instructions, and the items after the instruction.
 * Some errors (a pc past the code, a call of a host import, an unknown opcode...) cannot arise
 * from a real run of a validated module; crafted states reach them, and the TypeScript verifier
 * is the oracle for which error each one must raise.
 */
import { H, Z, ZERO32, depthFor, encodeHeader, headerHash, word, type Header } from "@vwasm/wasm-stepper/state";
import { hex } from "./stepper.mts";
import type { Hex } from "viem";

/** A Merkle tree over explicit leaves, zero-padded to 2^depth (spec/STATE.md section 1). */
export class Tree {
  readonly levels: Uint8Array[][];
  constructor(
    leaves: Uint8Array[],
    readonly depth: number,
  ) {
    this.levels = [leaves.slice()];
    for (let k = 0; k < depth; k++) {
      const cur = this.levels[k]!;
      const next: Uint8Array[] = [];
      for (let i = 0; i < cur.length; i += 2) next.push(H(cur[i]!, cur[i + 1] ?? Z[k]!));
      this.levels.push(next);
    }
  }
  root(): Uint8Array {
    return this.levels[this.depth]![0] ?? Z[this.depth]!;
  }
  leaf(i: number): Uint8Array {
    return this.levels[0]![i] ?? ZERO32;
  }
  siblings(i: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let k = 0; k < this.depth; k++) out.push(this.levels[k]![(i >> k) ^ 1] ?? Z[k]!);
    return out;
  }
  /** The Merkle item of leaf i: the leaf, then its siblings. */
  item(i: number): Uint8Array[] {
    return [this.leaf(i), ...this.siblings(i)];
  }
}

/** A leaf of 32-bit big-endian fields, the rest zero (code and function records). */
export function u32Leaf(...fields: number[]): Uint8Array {
  const l = new Uint8Array(32);
  const dv = new DataView(l.buffer);
  fields.forEach((f, i) => dv.setUint32(4 * i, f >>> 0));
  return l;
}

export interface Crafted {
  header: Header;
  before: Hex;
  proof: Hex;
}

/** A running state at depth 0 with no operands, one memory page, the given code. */
export function baseHeader(): Header {
  return {
    status: 0,
    trap: 0,
    nlocals: 0,
    pc: 0,
    steps: 0,
    sp: 0,
    fp: 0,
    depth: 0,
    top: 0n,
    operands: ZERO32,
    localsRoot: Z[0]!,
    framesHash: ZERO32,
    globalsRoot: Z[0]!,
    memoryRoot: Z[11]!,
    memoryPages: 1,
    tableRoot: Z[0]!,
    dataRoot: Z[0]!,
    elemRoot: Z[0]!,
    outputAcc: ZERO32,
    outputPartial: ZERO32,
    outputLength: 0,
    codeRoot: Z[0]!,
    codeLength: 0,
    funcsRoot: Z[0]!,
    nFuncs: 0,
    nGlobals: 0,
    tableSize: 0,
    nData: 0,
    nElem: 0,
    inputRoot: Z[20]!,
    inputLength: 0,
    maxSteps: 1000,
    maxMemoryPages: 1,
    maxCallDepth: 10,
    maxValueStack: 100,
    maxOutputBytes: 100,
    maxTableEntries: 64,
    mp: 0,
    auxLen: 0,
    aux: ZERO32,
  };
}

/**
 * A state executing `code[pc]` (instructions as [op, a, b, c]) with header fields `over`, and
 * the proof: header, the instruction item (unless `noInstruction`), then `items` (words).
 */
export function craft(code: number[][], over: Partial<Header> = {}, items: Uint8Array[] = [], opts: { noInstruction?: boolean } = {}): Crafted & { code: Tree } {
  const codeTree = new Tree(
    code.map((i) => u32Leaf(i[0]!, i[1] ?? 0, i[2] ?? 0, i[3] ?? 0)),
    depthFor(code.length),
  );
  const h: Header = { ...baseHeader(), codeRoot: codeTree.root(), codeLength: code.length, ...over };
  const words = [...encodeHeader(h)];
  if (!opts.noInstruction) words.push(...codeTree.item(h.pc));
  words.push(...items);
  return { header: h, before: hex(headerHash(h)), proof: hex(concat(words)), code: codeTree };
}

export function concat(words: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(words.reduce((n, w) => n + w.length, 0));
  let o = 0;
  for (const w of words) {
    out.set(w, o);
    o += w.length;
  }
  return out;
}

export { word, depthFor, headerHash, encodeHeader, H, Z, ZERO32 };
export type { Header };

// ---- proof surgery (on 0x-hex proofs)

export const WORD_HEX = 64;

export function words(proof: Hex): number {
  return (proof.length - 2) / WORD_HEX;
}

/** The proof with word `w` replaced. */
export function setWord(proof: Hex, w: number, value: Uint8Array | bigint): Hex {
  const v = typeof value === "bigint" ? word(value) : value;
  const h = Buffer.from(v).toString("hex");
  return `0x${proof.slice(2, 2 + w * WORD_HEX)}${h}${proof.slice(2 + (w + 1) * WORD_HEX)}` as Hex;
}

export function getWord(proof: Hex, w: number): bigint {
  return BigInt(`0x${proof.slice(2 + w * WORD_HEX, 2 + (w + 1) * WORD_HEX)}`);
}

/** The proof with bit `bit` (0 = least significant) of word `w` flipped. */
export function flipBit(proof: Hex, w: number, bit: number): Hex {
  return setWord(proof, w, getWord(proof, w) ^ (1n << BigInt(bit)));
}

/** The first `n` words of the proof. */
export function truncateWords(proof: Hex, n: number): Hex {
  return `0x${proof.slice(2, 2 + n * WORD_HEX)}` as Hex;
}
