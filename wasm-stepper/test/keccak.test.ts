import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  BATCH_CAPACITY,
  arena,
  KECCAK256_EMPTY,
  batchScratch,
  fromHex,
  hash64,
  hash64Batch,
  hashPair,
  keccak256,
  keccak256HashWasm,
  keccak256Into,
  keccak256Parts,
  keccakBatch,
  KECCAK_SIMD,
  toHex,
} from "../src/hash/keccak.ts";
import { IN_PTR, IN_SIZE, KECCAK_WASM_BASE64, KECCAK_WASM_SCALAR_BASE64, OUT_PTR, RATE } from "../src/hash/keccak-wasm.ts";
import { randomBytes } from "./helpers/random-bytes.ts";

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const ascii = (s: string) => new TextEncoder().encode(s);


describe("keccak256 known vectors (Ethereum keccak, not NIST sha3)", () => {
  const vectors: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(0), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"],
    ["abc", ascii("abc"), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"],
    ["quick brown fox", ascii("The quick brown fox jumps over the lazy dog"), "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"],
    ["32 zero bytes", new Uint8Array(32), "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"],
    ["64 zero bytes", new Uint8Array(64), "ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"],
  ];
  for (const [name, msg, want] of vectors) {
    it(`our module: ${name}`, () => {
      expect(toHex(keccak256(msg))).toBe(want);
    });
    it(`hash-wasm: ${name}`, () => {
      expect(toHex(keccak256HashWasm(msg))).toBe(want);
    });
  }

  it("is not NIST sha3-256 (whose empty digest is a7ffc6f8...)", () => {
    expect(toHex(KECCAK256_EMPTY)).toBe("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    expect(toHex(keccak256(new Uint8Array(0)))).not.toBe("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  });

  it("the 64-byte batch path matches the known zero-pair vector", () => {
    const out = new Uint8Array(32);
    hash64(new Uint8Array(64), 0, out, 0);
    expect(toHex(out)).toBe("ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5");
  });
});

describe("keccak256 against hash-wasm", () => {
  it("agrees on random inputs of every length 0..300", () => {
    for (let len = 0; len <= 300; len++) {
      for (let seed = 1; seed <= 3; seed++) {
        const msg = randomBytes(len, len * 7919 + seed);
        expect(toHex(keccak256(msg)), `length ${len}`).toBe(toHex(keccak256HashWasm(msg)));
      }
    }
  });

  it("agrees on all-0xff inputs around the rate boundaries (padding bytes collide with data)", () => {
    for (const len of [RATE - 2, RATE - 1, RATE, RATE + 1, 2 * RATE - 1, 2 * RATE, 2 * RATE + 1]) {
      const msg = new Uint8Array(len).fill(0xff);
      expect(toHex(keccak256(msg)), `length ${len}`).toBe(toHex(keccak256HashWasm(msg)));
    }
  });

  it("agrees on long inputs that stream through the scratch area", () => {
    const streamBlocks = Math.floor(IN_SIZE / RATE);
    for (const len of [IN_SIZE - 1, IN_SIZE, IN_SIZE + 1, streamBlocks * RATE, streamBlocks * RATE + 135, 3 * IN_SIZE + 77, 1 << 20]) {
      const msg = randomBytes(len, len);
      expect(toHex(keccak256(msg)), `length ${len}`).toBe(toHex(keccak256HashWasm(msg)));
    }
  });

  it("agrees on arbitrary inputs (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (msg) => toHex(keccak256(msg)) === toHex(keccak256HashWasm(msg))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it("keccak256Into writes at the offset and nowhere else", () => {
    const msg = randomBytes(100, 5);
    const out = new Uint8Array(80).fill(0xaa);
    keccak256Into(msg, out, 17);
    expect(toHex(out.subarray(17, 49))).toBe(toHex(keccak256HashWasm(msg)));
    expect(out.subarray(0, 17).every((b) => b === 0xaa)).toBe(true);
    expect(out.subarray(49).every((b) => b === 0xaa)).toBe(true);
  });

  it("keccak256Parts hashes the concatenation of its parts (splits of every kind, long ones streamed)", () => {
    for (const len of [0, 1, 31, 32, 64, 100, RATE - 1, RATE, RATE + 1, 711, IN_SIZE, IN_SIZE + 1, 2 * IN_SIZE + 5]) {
      const msg = randomBytes(len, len + 3);
      const want = toHex(keccak256HashWasm(msg));
      for (const cuts of [[], [0], [len >> 1], [1, len >> 2, len >> 1, len], [0, 0, len]]) {
        const at = [0, ...cuts.map((c) => Math.min(c, len)).sort((a, b) => a - b), len];
        const parts = at.slice(1).map((e, i) => msg.subarray(at[i]!, e));
        expect(toHex(keccak256Parts(parts)), `length ${len}, cuts ${cuts.join(",")}`).toBe(want);
      }
    }
  });

  it("hashes a subarray view by its own bytes, not its buffer's", () => {
    const buf = randomBytes(300, 9);
    const view = buf.subarray(33, 33 + 150);
    expect(toHex(keccak256(view))).toBe(toHex(keccak256HashWasm(buf.slice(33, 183))));
  });
});

describe("Merkle node primitives", () => {
  it("hashPair = keccak256(left32 || right32), at offsets", () => {
    const left = randomBytes(100, 1);
    const right = randomBytes(100, 2);
    const out = new Uint8Array(64);
    hashPair(left, 5, right, 40, out, 16);
    const concat = new Uint8Array(64);
    concat.set(left.subarray(5, 37), 0);
    concat.set(right.subarray(40, 72), 32);
    expect(toHex(out.subarray(16, 48))).toBe(toHex(keccak256HashWasm(concat)));
    expect(out.subarray(0, 16).every((b) => b === 0)).toBe(true);
  });

  it("arena.treePath rehashes exactly a leaf's ancestors, in place, in a complete tree laid out level by level", () => {
    const want0 = {};
    for (const depth of [1, 3, 6]) {
      // Level k at off[k] (2^(depth-k) nodes), from a base offset inside the arena.
      const base = 4096;
      const off: number[] = [];
      let total = 0;
      for (let k = 0; k <= depth; k++) {
        off.push(total);
        total += 32 * 2 ** (depth - k);
      }
      arena.claim(want0); // a commitment that used the arena lays its data out again
      const b = arena.bytes;
      b.set(randomBytes(total, 20 + depth), base);
      const leaf = (2 ** depth * 5) >> 3;
      b.set(randomBytes(32, 40 + depth), base + 32 * leaf);
      const want = b.slice(base, base + total);
      let j = leaf;
      for (let k = 0; k < depth; k++) {
        j >>= 1;
        const pair = want.subarray(off[k]! + 64 * j, off[k]! + 64 * j + 64);
        want.set(keccak256HashWasm(pair), off[k + 1]! + 32 * j);
      }
      arena.treePath(base, leaf, depth);
      // The path's nodes changed as computed; every other node kept its bytes.
      expect(toHex(b.subarray(base, base + total))).toBe(toHex(want));
    }
  });

  it("arena.hashBlock hashes a block padded in place as hash1 hashes its message", () => {
    arena.claim({}); // a commitment that used the arena lays its data out again
    const b = arena.bytes;
    const base = 8192;
    for (const len of [0, 1, 64, 134, 135]) {
      const msg = randomBytes(len, 60 + len);
      b.fill(0xee, base, base + 300);
      b.set(msg, base);
      // keccak padding inside the block: 0x01 after the message, 0x80 in the last byte.
      b.fill(0, base + len, base + RATE);
      b[base + len] = 0x01;
      b[base + RATE - 1]! |= 0x80;
      const before = b.slice(base, base + RATE);
      arena.hashBlock(base, base + 200);
      expect(toHex(b.subarray(base + 200, base + 232))).toBe(toHex(keccak256HashWasm(msg)));
      // The block is read, not changed; bytes past the digest are untouched.
      expect(toHex(b.subarray(base, base + RATE))).toBe(toHex(before));
      expect(b[base + 232]).toBe(0xee);
      arena.hash1(base, len, base + 240);
      expect(toHex(b.subarray(base + 240, base + 272))).toBe(toHex(keccak256(msg)));
    }
  });

  it("arena.hashBlockWith copies two words into the block, then hashes it", () => {
    arena.claim({});
    const b = arena.bytes;
    const base = 8192;
    const msg = randomBytes(135, 77);
    b.set(msg, base);
    b[base + 135] = 0x81;
    // Sources outside the block, and one overlapping the block's own bytes.
    const w1 = randomBytes(32, 78);
    b.set(w1, base + 400);
    for (const [aAt, src2, bAt] of [[39, base + 50, 71], [0, base + 103, 103], [96, base + 60, 40]] as const) {
      b.set(msg, base);
      // The first word is copied, then the second (read after the first copy).
      const region = b.slice(base, base + 432);
      region.set(w1, aAt);
      region.set(region.slice(src2 - base, src2 - base + 32), bAt);
      const want = region.subarray(0, 135);
      arena.hashBlockWith(base, base + 200, base + 400, aAt, src2, bAt);
      expect(toHex(b.subarray(base, base + 135))).toBe(toHex(want.subarray(0, 135)));
      expect(toHex(b.subarray(base + 200, base + 232))).toBe(toHex(keccak256HashWasm(want.subarray(0, 135))));
    }
  });

  it("hashPair may write over its own inputs", () => {
    const a = randomBytes(32, 3);
    const b = randomBytes(32, 4);
    const want = keccak256HashWasm(new Uint8Array([...a, ...b]));
    const a2 = a.slice();
    hashPair(a2, 0, b, 0, a2, 0);
    expect(toHex(a2)).toBe(toHex(want));
    const b2 = b.slice();
    hashPair(a, 0, b2, 0, b2, 0);
    expect(toHex(b2)).toBe(toHex(want));
  });

  it("hashPair is order sensitive", () => {
    const a = randomBytes(32, 5);
    const b = randomBytes(32, 6);
    const ab = new Uint8Array(32);
    const ba = new Uint8Array(32);
    hashPair(a, 0, b, 0, ab, 0);
    hashPair(b, 0, a, 0, ba, 0);
    expect(toHex(ab)).not.toBe(toHex(ba));
  });

  it("hash64Batch equals one hash per 64-byte message, across batch boundaries", () => {
    for (const n of [0, 1, 2, 7, BATCH_CAPACITY - 1, BATCH_CAPACITY, BATCH_CAPACITY + 3, 2 * BATCH_CAPACITY + 1]) {
      const src = randomBytes(3 + 64 * n, n + 11);
      const out = new Uint8Array(5 + 32 * n + 4).fill(0x5a);
      hash64Batch(src, 3, n, out, 5);
      for (let i = 0; i < n; i++) {
        const want = keccak256HashWasm(src.subarray(3 + 64 * i, 3 + 64 * i + 64));
        expect(toHex(out.subarray(5 + 32 * i, 5 + 32 * i + 32)), `n=${n} i=${i}`).toBe(toHex(want));
      }
      expect(out.subarray(0, 5).every((b) => b === 0x5a)).toBe(true);
      expect(out.subarray(5 + 32 * n).every((b) => b === 0x5a)).toBe(true);
    }
  });

  it("hash64Batch can hash a layer in place (output at the front of its input)", () => {
    const n = BATCH_CAPACITY + 9;
    const src = randomBytes(64 * n, 77);
    const want = Array.from({ length: n }, (_, i) => toHex(keccak256HashWasm(src.subarray(64 * i, 64 * i + 64))));
    hash64Batch(src, 0, n, src, 0);
    for (let i = 0; i < n; i++) expect(toHex(src.subarray(32 * i, 32 * i + 32))).toBe(want[i]);
  });

  it("hash64Batch rejects ranges past either buffer", () => {
    expect(() => hash64Batch(new Uint8Array(127), 0, 2, new Uint8Array(64), 0)).toThrow(RangeError);
    expect(() => hash64Batch(new Uint8Array(128), 0, 2, new Uint8Array(63), 0)).toThrow(RangeError);
  });

  it("keccakBatch hashes fixed-length records of any length", () => {
    for (const [len, n] of [
      [0, 3],
      [1, 5],
      [64, 4],
      [100, 1400], // more than fit the scratch area in one call
      [RATE, 10],
      [300, 20],
      [IN_SIZE + 5, 2], // each record longer than the scratch area
    ] as const) {
      const src = randomBytes(2 + len * n, len + n);
      const out = new Uint8Array(32 * n);
      keccakBatch(src, 2, len, n, out, 0);
      for (let i = 0; i < n; i++) {
        const want = keccak256HashWasm(src.subarray(2 + len * i, 2 + len * (i + 1)));
        expect(toHex(out.subarray(32 * i, 32 * i + 32)), `len=${len} i=${i}`).toBe(toHex(want));
      }
    }
  });

  it("batchScratch.run hashes pairs gathered by the caller", () => {
    const n = 5;
    const src = randomBytes(64 * n, 123);
    batchScratch.in.set(src, 0);
    batchScratch.run(n);
    for (let i = 0; i < n; i++) {
      expect(toHex(batchScratch.out.subarray(32 * i, 32 * i + 32))).toBe(toHex(keccak256HashWasm(src.subarray(64 * i, 64 * i + 64))));
    }
    // The Int32 views alias the same bytes.
    expect(batchScratch.in32.length * 4).toBe(batchScratch.in.length);
    expect(new Uint8Array(batchScratch.in32.buffer, batchScratch.in32.byteOffset, 64)).toEqual(src.subarray(0, 64));
    expect(batchScratch.capacity).toBe(BATCH_CAPACITY);
  });
});

describe("the SIMD module and its scalar fallback", () => {
  interface Mod {
    memory: { buffer: ArrayBuffer };
    batch64(i: number, n: number, o: number): void;
    hash1(p: number, len: number, o: number): void;
    hash(p: number, len: number, o: number): void;
    treePath(base: number, index: number, depth: number): void;
  }
  const load = async (b64: string) =>
    (await (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array): Promise<{ instance: { exports: unknown } }> } }).WebAssembly.instantiate(Buffer.from(b64, "base64"))).instance
      .exports as Mod;

  it("this engine runs the SIMD module (Node's V8 has Wasm SIMD)", () => {
    expect(KECCAK_SIMD).toBe(true);
  });

  it("batch64 gives the same digests on both, for even and odd counts, and equals hash-wasm", async () => {
    const [simd, scalar] = await Promise.all([load(KECCAK_WASM_BASE64), load(KECCAK_WASM_SCALAR_BASE64)]);
    for (const n of [0, 1, 2, 3, 4, 5, 8, 9, 2047, 2048]) {
      const src = randomBytes(64 * n, 1000 + n);
      const outs = [simd, scalar].map((m) => {
        const mem = new Uint8Array(m.memory.buffer);
        mem.set(src, IN_PTR);
        mem.fill(0xa5, OUT_PTR, OUT_PTR + 32 * n + 32);
        m.batch64(IN_PTR, n, OUT_PTR);
        // nothing past the n digests is written
        expect(mem.subarray(OUT_PTR + 32 * n, OUT_PTR + 32 * n + 32).every((b) => b === 0xa5), `n=${n}`).toBe(true);
        return toHex(mem.subarray(OUT_PTR, OUT_PTR + 32 * n));
      });
      expect(outs[0], `n=${n}`).toBe(outs[1]);
      for (const i of n === 0 ? [] : [0, n - 1]) {
        expect(outs[0]!.slice(64 * i, 64 * i + 64), `n=${n} i=${i}`).toBe(toHex(keccak256HashWasm(src.subarray(64 * i, 64 * i + 64))));
      }
    }
  });

  it("the single-message exports (hash1, hash, treePath) agree too", async () => {
    const [simd, scalar] = await Promise.all([load(KECCAK_WASM_BASE64), load(KECCAK_WASM_SCALAR_BASE64)]);
    const msg = randomBytes(400, 7);
    const tree = randomBytes(32 * 31, 8); // depth 4: 16 + 8 + 4 + 2 + 1 nodes
    const [a, b] = [simd, scalar].map((m) => {
      const mem = new Uint8Array(m.memory.buffer);
      mem.set(msg, IN_PTR);
      m.hash1(IN_PTR, 135, OUT_PTR);
      m.hash(IN_PTR, 400, OUT_PTR + 32);
      mem.set(tree, IN_PTR + 1024);
      m.treePath(IN_PTR + 1024, 5, 4);
      return toHex(mem.subarray(OUT_PTR, OUT_PTR + 64)) + toHex(mem.subarray(IN_PTR + 1024, IN_PTR + 1024 + tree.length));
    });
    expect(a).toBe(b);
    expect(a!.slice(0, 64)).toBe(toHex(keccak256HashWasm(msg.subarray(0, 135))));
    expect(a!.slice(64, 128)).toBe(toHex(keccak256HashWasm(msg)));
  });
});

describe("hex helpers", () => {
  it("round-trip and reject malformed input", () => {
    const b = randomBytes(40, 8);
    expect(fromHex(toHex(b))).toEqual(b);
    expect(fromHex("0x00ff10")).toEqual(new Uint8Array([0, 255, 16]));
    expect(() => fromHex("abc")).toThrow();
    expect(() => fromHex("zz")).toThrow();
  });
});
