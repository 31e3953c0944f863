/**
 * keccak-256 (Ethereum's keccak, pad byte 0x01; NOT NIST sha3-256) for the hot path of the
 * state commitment.
 *
 * Two engines, both created once at module load:
 * - our own keccak-f[1600] module (keccak-f1600.wat, compiled bytes in keccak-wasm.ts), which
 *   hashes many messages per JS/Wasm crossing, two at a time with Wasm SIMD (the scalar
 *   keccak-f1600-scalar.wat where the engine has none). It backs the Merkle layers (batch64) and, being
 *   faster at every length measured (bench/merkle-bench.ts), keccak256() too;
 * - one reused hash-wasm hasher, kept as an independent implementation: the tests check our
 *   module against it, and the bench compares them.
 *
 * Everything here is synchronous and single-threaded per module instance: the scratch memory is
 * shared by all callers, and no call re-enters another, so sharing it is safe. (Each worker
 * thread loads its own instance.)
 */
import { createKeccak } from "hash-wasm";
import { ARENA_PTR, ARENA_SIZE, IN_PTR, IN_SIZE, KECCAK_WASM_BASE64, KECCAK_WASM_SCALAR_BASE64, OUT_PTR, OUT_SIZE, RATE } from "./keccak-wasm.ts";

interface KeccakExports {
  memory: { buffer: ArrayBuffer };
  batch64(inPtr: number, n: number, outPtr: number): void;
  path(inPtr: number, index: number, depth: number, outPtr: number): void;
  treePath(base: number, index: number, depth: number): void;
  hash1(ptr: number, len: number, outPtr: number): void;
  block1(ptr: number, outPtr: number, a: number, ao: number, b: number, bo: number): void;
  batch(inPtr: number, len: number, n: number, outPtr: number): void;
  hash(ptr: number, len: number, outPtr: number): void;
  reset(): void;
  absorb(ptr: number, blocks: number): void;
  finish(ptr: number, len: number, outPtr: number): void;
}

function decodeBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

// The project's TypeScript libs (ES2022 + node) declare no WebAssembly namespace; this is the
// one call we need from it.
interface WasmApi {
  instantiate(bytes: Uint8Array): Promise<{ instance: { exports: unknown } }>;
  validate(bytes: Uint8Array): boolean;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const simdBytes = decodeBase64(KECCAK_WASM_BASE64);
/**
 * Whether batches run on the two-way SIMD permutation (two 64-byte messages per
 * instruction stream): every current engine has Wasm SIMD; one without it gets the scalar
 * module, same exports and results.
 */
export const KECCAK_SIMD: boolean = WA.validate(simdBytes);
const wasm = (await WA.instantiate(KECCAK_SIMD ? simdBytes : decodeBase64(KECCAK_WASM_SCALAR_BASE64))).instance.exports as KeccakExports;
const hasher = await createKeccak(256);

// The module's memory has a fixed size (min = max), so these views never detach.
const mem = new Uint8Array(wasm.memory.buffer);

/** Pairs (64-byte messages) that fit the scratch area in one batch64 call. */
export const BATCH_CAPACITY = Math.min(IN_SIZE / 64, OUT_SIZE / 32);
/** Whole rate blocks that fit the message area, for streaming long messages. */
const STREAM_BLOCKS = Math.floor(IN_SIZE / RATE);

/**
 * Direct access to the batch scratch area, for callers that gather their own inputs (the
 * Merkle tree copies scattered child pairs straight into `in32`, saving a staging buffer).
 * Inputs: pair k at bytes [64k, 64k+64) of `in`; outputs: digest k at [32k, 32k+32) of `out`.
 * Both areas are 8-byte aligned, so the Int32Array views cover them exactly.
 */
export const batchScratch = {
  in: mem.subarray(IN_PTR, IN_PTR + IN_SIZE),
  in32: new Int32Array(wasm.memory.buffer, IN_PTR, IN_SIZE / 4),
  out: mem.subarray(OUT_PTR, OUT_PTR + OUT_SIZE),
  out32: new Int32Array(wasm.memory.buffer, OUT_PTR, OUT_SIZE / 4),
  capacity: BATCH_CAPACITY,
  /** Hash pairs 0..n-1 of `in` into digests 0..n-1 of `out` (n <= capacity). */
  run(n: number): void {
    wasm.batch64(IN_PTR, n, OUT_PTR);
  },
  /**
   * One Merkle path in one call: `in` holds the leaf then `depth` siblings bottom-up; the
   * leaf's `depth` new ancestors, bottom-up, land in `out`.
   */
  path(index: number, depth: number): void {
    wasm.path(IN_PTR, index, depth, OUT_PTR);
  },
};

/**
 * A region of the keccak module's memory that callers lay out themselves and
 * hash in place: `hash(off, len, outOff)` hashes bytes[off, off+len) into
 * bytes[outOff, outOff+32) with no copy across the JS/Wasm boundary. Offsets are
 * relative to `bytes`. One user at a time: `claim(owner)` returns false when
 * another owner used it since, so the caller knows to re-lay its data.
 */
export const arena = {
  bytes: mem.subarray(ARENA_PTR, ARENA_PTR + ARENA_SIZE),
  size: ARENA_SIZE,
  owner: undefined as unknown,
  claim(owner: unknown): boolean {
    if (this.owner === owner) return true;
    this.owner = owner;
    return false;
  },
  hash(off: number, len: number, outOff: number): void {
    wasm.hash(ARENA_PTR + off, len, ARENA_PTR + outOff);
  },
  /** hash(off, len, outOff) for len < 136: one padded block, no streaming state. */
  hash1(off: number, len: number, outOff: number): void {
    wasm.hash1(ARENA_PTR + off, len, ARENA_PTR + outOff);
  },
  /**
   * The digest of the one padded rate block (RATE = 136 bytes) at `off`, to outOff: the
   * caller keeps the padding in place (for a 135-byte message, byte 135 = 0x81), so nothing
   * is copied or filled. hash1(off, 135, outOff) equals hashBlock(off, outOff) with 0x81 at
   * byte off+135.
   */
  hashBlock(off: number, outOff: number): void {
    wasm.block1(ARENA_PTR + off, ARENA_PTR + outOff, ARENA_PTR + off, 0, ARENA_PTR + off, 0);
  },
  /**
   * hashBlock(off, outOff) after copying the 32 bytes at `a` into the block at byte `aAt` and
   * those at `b` at byte `bAt` (all offsets in the arena), in the same call.
   */
  hashBlockWith(off: number, outOff: number, a: number, aAt: number, b: number, bAt: number): void {
    wasm.block1(ARENA_PTR + off, ARENA_PTR + outOff, ARENA_PTR + a, aAt, ARENA_PTR + b, bAt);
  },
  /**
   * Rehashes the `depth` ancestors of leaf `index` of a complete tree laid out level after
   * level from `off` (level 0: 2^depth nodes of 32 bytes, then level 1, ...), in one call.
   */
  treePath(off: number, index: number, depth: number): void {
    wasm.treePath(ARENA_PTR + off, index, depth);
  },
  /** hash(off, 64, outOff) through the module's single-block path for 64-byte messages. */
  hash64(off: number, outOff: number): void {
    wasm.batch64(ARENA_PTR + off, 1, ARENA_PTR + outOff);
  },
};

function copyIn(src: Uint8Array, off: number, len: number, dst: number): void {
  // Small copies: a byte loop avoids allocating a subarray view per call.
  if (len <= 64) {
    for (let i = 0; i < len; i++) mem[dst + i] = src[off + i]!;
  } else {
    mem.set(src.subarray(off, off + len), dst);
  }
}

function copyOut32(out: Uint8Array, outOff: number): void {
  for (let i = 0; i < 32; i++) out[outOff + i] = mem[OUT_PTR + i]!;
}

/** keccak-256 of `data` written to out[outOff .. outOff+32). */
export function keccak256Into(data: Uint8Array, out: Uint8Array, outOff = 0): void {
  const len = data.length;
  if (len < RATE) {
    copyIn(data, 0, len, IN_PTR);
    wasm.hash1(IN_PTR, len, OUT_PTR);
  } else if (len <= IN_SIZE) {
    copyIn(data, 0, len, IN_PTR);
    wasm.hash(IN_PTR, len, OUT_PTR);
  } else {
    // Stream whole blocks through the scratch area, then the tail.
    wasm.reset();
    const full = Math.floor(len / RATE);
    let pos = 0;
    for (let left = full; left > 0; ) {
      const blocks = Math.min(left, STREAM_BLOCKS);
      mem.set(data.subarray(pos, pos + blocks * RATE), IN_PTR);
      wasm.absorb(IN_PTR, blocks);
      pos += blocks * RATE;
      left -= blocks;
    }
    copyIn(data, pos, len - pos, IN_PTR);
    wasm.finish(IN_PTR, len - pos, OUT_PTR);
  }
  copyOut32(out, outOff);
}

/** keccak-256 of `data` (a new 32-byte array). */
export function keccak256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  keccak256Into(data, out, 0);
  return out;
}

/**
 * keccak-256 of the concatenation of `parts` (a new 32-byte array): the parts are copied
 * straight into the module's message area, with no concatenated copy in between.
 */
export function keccak256Parts(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (let k = 0; k < parts.length; k++) len += parts[k]!.length;
  if (len > IN_SIZE) {
    const all = new Uint8Array(len);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return keccak256(all);
  }
  let o = IN_PTR;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    copyIn(p, 0, p.length, o);
    o += p.length;
  }
  if (len < RATE) wasm.hash1(IN_PTR, len, OUT_PTR);
  else wasm.hash(IN_PTR, len, OUT_PTR);
  const out = new Uint8Array(32);
  copyOut32(out, 0);
  return out;
}

/** keccak-256 through the reused hash-wasm hasher: the independent reference implementation. */
export function keccak256HashWasm(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest("binary");
}

/**
 * Merkle node: keccak256(left[lOff..lOff+32) || right[rOff..rOff+32)) written to
 * out[outOff..outOff+32). Allocation-free; `out` may alias either input.
 */
export function hashPair(left: Uint8Array, lOff: number, right: Uint8Array, rOff: number, out: Uint8Array, outOff: number): void {
  for (let i = 0; i < 32; i++) mem[IN_PTR + i] = left[lOff + i]!;
  for (let i = 0; i < 32; i++) mem[IN_PTR + 32 + i] = right[rOff + i]!;
  wasm.batch64(IN_PTR, 1, OUT_PTR);
  copyOut32(out, outOff);
}

/** keccak256(src[srcOff..srcOff+64)) written to out[outOff..outOff+32). Allocation-free. */
export function hash64(src: Uint8Array, srcOff: number, out: Uint8Array, outOff: number): void {
  for (let i = 0; i < 64; i++) mem[IN_PTR + i] = src[srcOff + i]!;
  wasm.batch64(IN_PTR, 1, OUT_PTR);
  copyOut32(out, outOff);
}

/**
 * Batched keccak for Merkle layers: n consecutive 64-byte messages at src[srcOff..) -> n
 * consecutive 32-byte digests at out[outOff..). One JS/Wasm crossing per BATCH_CAPACITY
 * messages. `out` may be the same buffer as `src` only if the output range does not overlap
 * input not yet hashed (outOff <= srcOff suffices, as when a layer is hashed in place).
 */
export function hash64Batch(src: Uint8Array, srcOff: number, n: number, out: Uint8Array, outOff: number): void {
  if (srcOff + 64 * n > src.length || outOff + 32 * n > out.length || n < 0) throw new RangeError("hash64Batch: range out of bounds");
  for (let done = 0; done < n; ) {
    const m = Math.min(n - done, BATCH_CAPACITY);
    mem.set(src.subarray(srcOff + 64 * done, srcOff + 64 * (done + m)), IN_PTR);
    wasm.batch64(IN_PTR, m, OUT_PTR);
    out.set(mem.subarray(OUT_PTR, OUT_PTR + 32 * m), outOff + 32 * done);
    done += m;
  }
}

/**
 * n consecutive messages of `len` bytes each (any length, len * n need not fit the scratch)
 * at src[srcOff..) -> n consecutive digests at out[outOff..). For fixed-size records such as
 * table entries or frames.
 */
export function keccakBatch(src: Uint8Array, srcOff: number, len: number, n: number, out: Uint8Array, outOff: number): void {
  if (srcOff + len * n > src.length || outOff + 32 * n > out.length || n < 0 || len < 0) throw new RangeError("keccakBatch: range out of bounds");
  if (len > IN_SIZE) {
    for (let k = 0; k < n; k++) keccak256Into(src.subarray(srcOff + len * k, srcOff + len * (k + 1)), out, outOff + 32 * k);
    return;
  }
  const per = len === 0 ? BATCH_CAPACITY : Math.min(BATCH_CAPACITY, Math.floor(IN_SIZE / len));
  for (let done = 0; done < n; ) {
    const m = Math.min(n - done, per);
    mem.set(src.subarray(srcOff + len * done, srcOff + len * (done + m)), IN_PTR);
    wasm.batch(IN_PTR, len, m, OUT_PTR);
    out.set(mem.subarray(OUT_PTR, OUT_PTR + 32 * m), outOff + 32 * done);
    done += m;
  }
}

/** Lower-case hex of bytes (for tests, logs and fixtures). */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of a hex string (optional 0x prefix, even length). */
export function fromHex(hex: string): Uint8Array {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error(`fromHex: invalid hex string`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** keccak256 of the empty string. */
export const KECCAK256_EMPTY: Uint8Array = keccak256(new Uint8Array(0));
