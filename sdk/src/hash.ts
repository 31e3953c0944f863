/**
 * What a browser dapp computes about a task, in pure JS on @noble/hashes (no Wasm, no worker
 * threads): the Merkle root of the input, the output hash a result commits to, and the words of
 * the header a result submits (wasm-stepper/spec/STATE.md sections 1-3). Tested equal to the
 * stepper's own functions.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import spec from "@vwasm/wasm-stepper/spec/state.json" with { type: "json" };
import { bytesToHex, type Hex } from "viem";

const WORD = 32;
const OUTPUT_TAG = new TextEncoder().encode(spec.tags.output);
/** Inputs are at most 32 * 2^maxInputTreeDepth bytes (32 MiB). */
export const MAX_INPUT_BYTES = WORD * 2 ** spec.widths.maxInputTreeDepth;

/** ceil(log2(max(n, 1))). */
export function depthFor(n: number): number {
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

/** Root of the binary Merkle tree of depth `depth` over the 32-byte leaves of `bytes` (zero-padded). */
export function merkleRoot(bytes: Uint8Array, depth: number): Uint8Array {
  const leaves = Math.ceil(bytes.length / WORD);
  if (leaves > 2 ** depth) throw new RangeError(`${bytes.length} bytes do not fit a tree of depth ${depth}`);
  let zero: Uint8Array = new Uint8Array(WORD);
  let count = Math.max(leaves, 1);
  let level = new Uint8Array(count * WORD);
  level.set(bytes);
  for (let d = 0; d < depth; d++) {
    const n = Math.ceil(count / 2);
    const next = new Uint8Array(n * WORD);
    const pair = new Uint8Array(2 * WORD);
    for (let i = 0; i < n; i++) {
      pair.set(level.subarray(2 * i * WORD, 2 * i * WORD + WORD), 0);
      pair.set(2 * i + 1 < count ? level.subarray((2 * i + 1) * WORD, (2 * i + 2) * WORD) : zero, WORD);
      next.set(keccak_256(pair), i * WORD);
    }
    const z = new Uint8Array(2 * WORD);
    z.set(zero, 0);
    z.set(zero, WORD);
    zero = keccak_256(z);
    level = next;
    count = n;
  }
  return level.slice(0, WORD);
}

/** Depth of the input tree: just deep enough for the input's leaves (STATE.md section 1). */
export function inputDepth(length: number): number {
  return depthFor(Math.ceil(length / WORD));
}

/** The Merkle root of a task's input, as the state commits it (`inputRoot` of STATE.md's staticHash). */
export function inputRoot(input: Uint8Array): Hex {
  if (input.length > MAX_INPUT_BYTES) throw new RangeError(`input of ${input.length} bytes exceeds ${MAX_INPUT_BYTES}`);
  return bytesToHex(merkleRoot(input, inputDepth(input.length)));
}

function word(n: number | bigint): Uint8Array {
  const out = new Uint8Array(WORD);
  let v = BigInt(n);
  for (let i = WORD - 1; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The output accumulator fields of a state whose output is `output` (STATE.md section 2). */
export function outputFields(output: Uint8Array): { outputAcc: Uint8Array; outputPartial: Uint8Array; outputLength: number } {
  let acc: Uint8Array = new Uint8Array(WORD);
  const full = Math.floor(output.length / WORD);
  const buf = new Uint8Array(2 * WORD);
  for (let i = 0; i < full; i++) {
    buf.set(acc, 0);
    buf.set(output.subarray(i * WORD, i * WORD + WORD), WORD);
    acc = keccak_256(buf);
  }
  const partial = new Uint8Array(WORD);
  partial.set(output.subarray(full * WORD));
  return { outputAcc: acc, outputPartial: partial, outputLength: output.length };
}

/** outputHash = H("Output:" || outputAcc || outputPartial || w(outputLength)): what a result claim commits to. */
export function outputHash(output: Uint8Array): Hex {
  const { outputAcc, outputPartial, outputLength } = outputFields(output);
  const pre = new Uint8Array(OUTPUT_TAG.length + 3 * WORD);
  pre.set(OUTPUT_TAG, 0);
  pre.set(outputAcc, OUTPUT_TAG.length);
  pre.set(outputPartial, OUTPUT_TAG.length + WORD);
  pre.set(word(outputLength), OUTPUT_TAG.length + 2 * WORD);
  return bytesToHex(keccak_256(pre));
}

/** keccak-256 of bytes, as hex. */
export function keccak(bytes: Uint8Array): Hex {
  return bytesToHex(keccak_256(bytes));
}
