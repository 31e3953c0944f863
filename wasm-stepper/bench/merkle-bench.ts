/**
 * Hashing and Merkle benchmarks for the state commitment.
 * Run: `cd wasm-stepper && npx tsx bench/merkle-bench.ts` (writes bench/results/merkle.json).
 *
 * Every figure is the median of several timed repetitions after a warm-up, all in one process,
 * so ratios between rows are comparable; absolute numbers move with the machine's load.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createKeccak } from "hash-wasm";
import { batchScratch, hash64, hash64Batch, hashPair, KECCAK_SIMD, keccak256, keccak256HashWasm, keccak256Into } from "../src/hash/keccak.ts";
import { IN_PTR, KECCAK_WASM_COMPLEMENT, KECCAK_WASM_SCALAR_BASE64, KECCAK_WASM_UNROLL, OUT_PTR } from "../src/hash/keccak-wasm.ts";
import { MerkleTree } from "../src/merkle/tree.ts";
import { inputRoot } from "../src/merkle/input.ts";
import { randomBytes } from "@vwasm/wasm-stepper/testing";

const REPS = Number(process.env.BENCH_REPS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median seconds per operation: `fn` runs `opsPerCall` operations; each rep lasts >= minMs. */
function perOp(fn: () => void, opsPerCall: number, minMs = 200): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up (tier-up)
  const samples: number[] = [];
  for (let r = 0; r < REPS; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    do {
      fn();
      calls++;
      t = performance.now();
    } while (t - t0 < minMs);
    samples.push((t - t0) / 1000 / (calls * opsPerCall));
  }
  return median(samples);
}

/** Median seconds of one run of `fn` (for long operations); `setup` runs untimed before each. */
function once(fn: () => void, setup: () => void = () => {}, reps = REPS): number {
  setup();
  fn(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    setup();
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  return median(samples);
}


const fmtRate = (perSec: number) => (perSec >= 1e6 ? `${(perSec / 1e6).toFixed(2)} M/s` : `${(perSec / 1e3).toFixed(0)} k/s`);
const results: Record<string, unknown> = {
  node: process.version,
  date: new Date().toISOString(),
  reps: REPS,
  wasmModule: { roundsPerLoop: KECCAK_WASM_UNROLL, laneComplementing: KECCAK_WASM_COMPLEMENT, simdBatches: KECCAK_SIMD },
};

// ---------------------------------------------------------------- single hashes at 64 bytes
const hasher = await createKeccak(256);
const msg64 = randomBytes(64, 1);
const out32 = new Uint8Array(32);
const N = 1000;
const single = {
  hashWasmReused: perOp(() => {
    for (let i = 0; i < N; i++) {
      hasher.init();
      hasher.update(msg64);
      hasher.digest("binary");
    }
  }, N),
  oursKeccak256: perOp(() => {
    for (let i = 0; i < N; i++) keccak256(msg64);
  }, N),
  oursHash64: perOp(() => {
    for (let i = 0; i < N; i++) hash64(msg64, 0, out32, 0);
  }, N),
  oursHashPair: perOp(() => {
    for (let i = 0; i < N; i++) hashPair(msg64, 0, msg64, 32, out32, 0);
  }, N),
};

// ---------------------------------------------------------------- batched, per node
const B = batchScratch.capacity;
batchScratch.in.set(randomBytes(64 * B, 2));
const layer = randomBytes(64 * 65536, 3);
const layerOut = new Uint8Array(32 * 65536);
// The scalar fallback module, for the SIMD module's ratio (the same batch in its own memory).
const WA = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array): Promise<{ instance: { exports: unknown } }> } }).WebAssembly;
const scalar = (await WA.instantiate(Buffer.from(KECCAK_WASM_SCALAR_BASE64, "base64"))).instance.exports as {
  memory: { buffer: ArrayBuffer };
  batch64(i: number, n: number, o: number): void;
};
new Uint8Array(scalar.memory.buffer).set(batchScratch.in.subarray(0, 64 * B), IN_PTR);
const batched = {
  batchScratchRun: perOp(() => batchScratch.run(B), B),
  scalarModuleRun: perOp(() => scalar.batch64(IN_PTR, B, OUT_PTR), B),
  hash64BatchWithCopies: perOp(() => hash64Batch(layer, 0, 65536, layerOut, 0), 65536),
};

console.log(`keccak-256 of 64 bytes (module: ${KECCAK_WASM_UNROLL} round/loop, lane complementing ${KECCAK_WASM_COMPLEMENT})`);
const row = (name: string, s: number) => console.log(`  ${name.padEnd(58)} ${(s * 1e9).toFixed(0).padStart(5)} ns  ${fmtRate(1 / s).padStart(10)}`);
row("hash-wasm, one reused hasher (init/update/digest)", single.hashWasmReused);
row("ours: keccak256(data) (one call, allocates the digest)", single.oursKeccak256);
row("ours: hash64 (one call, allocation-free)", single.oursHash64);
row("ours: hashPair (one call, allocation-free)", single.oursHashPair);
row(`ours: batched, per node (${B} nodes per call, in scratch)`, batched.batchScratchRun);
row("ours: hash64Batch per node (65536 nodes, copies in and out)", batched.hash64BatchWithCopies);
row(`scalar fallback module: batched, per node (${B} nodes per call)`, batched.scalarModuleRun);
console.log(`  batched: ${KECCAK_SIMD ? "SIMD (two messages at a time)" : "scalar (no Wasm SIMD here)"} vs the scalar module: ${(batched.scalarModuleRun / batched.batchScratchRun).toFixed(2)}x`);
console.log(`  batched vs hash-wasm single: ${(single.hashWasmReused / batched.batchScratchRun).toFixed(2)}x`);
results.keccak64 = {
  nsPerHash: Object.fromEntries(Object.entries({ ...single, ...batched }).map(([k, v]) => [k, +(v * 1e9).toFixed(1)])),
  hashesPerSecond: Object.fromEntries(Object.entries({ ...single, ...batched }).map(([k, v]) => [k, Math.round(1 / v)])),
  batchedSpeedupVsHashWasm: +(single.hashWasmReused / batched.batchScratchRun).toFixed(2),
  batchedSpeedupVsScalarModule: +(batched.scalarModuleRun / batched.batchScratchRun).toFixed(2),
};

// ---------------------------------------------------------------- keccak256(data) by length
console.log("\nkeccak256(data) by length: ours vs hash-wasm (both return a new digest)");
const byLength: Record<string, { oursNs: number; hashWasmNs: number; oursMBps: number; hashWasmMBps: number }> = {};
for (const len of [0, 32, 64, 100, 200, 1024, 16384, 1 << 20]) {
  const m = randomBytes(len, len + 5);
  const reps = len >= 16384 ? 1 : 200;
  const ours = perOp(() => {
    for (let i = 0; i < reps; i++) keccak256Into(m, out32, 0);
  }, reps);
  const hw = perOp(() => {
    for (let i = 0; i < reps; i++) keccak256HashWasm(m);
  }, reps);
  byLength[len] = {
    oursNs: +(ours * 1e9).toFixed(1),
    hashWasmNs: +(hw * 1e9).toFixed(1),
    oursMBps: +(len / ours / 1e6).toFixed(1),
    hashWasmMBps: +(len / hw / 1e6).toFixed(1),
  };
  console.log(
    `  ${String(len).padStart(8)} B  ours ${(ours * 1e9).toFixed(0).padStart(8)} ns  hash-wasm ${(hw * 1e9).toFixed(0).padStart(8)} ns  (ours ${(hw / ours).toFixed(2)}x)`,
  );
}
results.keccak256ByLength = byLength;

// ---------------------------------------------------------------- full builds
console.log("\nMerkle tree, full build (leaves all non-zero)");
const builds: Record<string, unknown> = {};
for (const log2 of [16, 20]) {
  const leaves = 2 ** log2;
  const data = randomBytes(32 * leaves, log2);
  const t = new MerkleTree(log2);
  const s = once(() => t.build(data), () => {}, log2 >= 20 ? 3 : REPS);
  // Baseline from the performance notes: the same layer loop with one hash-wasm hash per node.
  const baseline = once(
    () => {
      let cur = data;
      while (cur.length > 32) {
        const next = new Uint8Array(cur.length / 2);
        for (let p = 0; p < next.length / 32; p++) {
          hasher.init();
          hasher.update(cur.subarray(64 * p, 64 * p + 64));
          next.set(hasher.digest("binary"), 32 * p);
        }
        cur = next;
      }
    },
    () => {},
    log2 >= 20 ? 3 : REPS,
  );
  const nodes = leaves - 1;
  builds[`2^${log2}`] = {
    ms: +(s * 1e3).toFixed(1),
    nsPerNode: +((s * 1e9) / nodes).toFixed(1),
    hashWasmLayerLoopMs: +(baseline * 1e3).toFixed(1),
    speedup: +(baseline / s).toFixed(2),
  };
  console.log(
    `  2^${log2} leaves: ${(s * 1e3).toFixed(1).padStart(7)} ms (${((s * 1e9) / nodes).toFixed(0)} ns/node); hash-wasm layer loop ${(baseline * 1e3).toFixed(1)} ms (${(baseline / s).toFixed(2)}x)`,
  );
}
results.fullBuild = builds;

// ---------------------------------------------------------------- incremental update
console.log("\nMerkle tree, incremental update of 1000 random dirty leaves, 2^20-leaf tree");
{
  const log2 = 20;
  const data = randomBytes(32 * 2 ** log2, 42);
  const t = new MerkleTree(log2);
  t.build(data);
  const dirty = new Int32Array(1000);
  let seed = 7;
  let nodesHashed = 0;
  const setup = () => {
    for (let j = 0; j < dirty.length; j++) {
      // xorshift32; the top bits, since an LCG's low bits would cluster the leaves
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const i = (seed >>> 0) >>> (32 - log2);
      dirty[j] = i;
      data[32 * i + (j % 32)]! ^= 0xa5;
    }
    // nodes on the union of the dirty paths (what the update hashes)
    let level = new Set(Array.from(dirty));
    nodesHashed = 0;
    for (let k = 0; k < log2; k++) {
      level = new Set(Array.from(level, (i) => i >>> 1));
      nodesHashed += level.size;
    }
  };
  const s = once(() => t.updateLeaves(data, dirty, dirty.length), setup, 15);
  // check it against a rebuild (not timed)
  const fresh = new MerkleTree(log2);
  fresh.build(data);
  if (Buffer.compare(Buffer.from(fresh.root()), Buffer.from(t.root())) !== 0) throw new Error("incremental root differs from rebuild");
  results.incremental1000of2p20 = { ms: +(s * 1e3).toFixed(2), nodesHashed, nsPerNode: +((s * 1e9) / nodesHashed).toFixed(1) };
  console.log(`  ${(s * 1e3).toFixed(2)} ms for ${nodesHashed} nodes (${((s * 1e9) / nodesHashed).toFixed(0)} ns/node); equals rebuild: yes`);
}

// ---------------------------------------------------------------- input commitment
{
  const input = randomBytes(1 << 20, 9);
  const s = once(() => inputRoot(input));
  results.inputRoot1MiB = { ms: +(s * 1e3).toFixed(1) };
  console.log(`\ninputRoot of a 1 MiB input (depth-15 tree): ${(s * 1e3).toFixed(1)} ms`);
}

const outPath = join(dirname(fileURLToPath(import.meta.url)), "results", "merkle.json");
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(results, null, 2) + "\n");
console.log(`\nwrote ${outPath}`);
