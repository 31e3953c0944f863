// SHA-256 of the task input (FIPS 180-4), integer only.
// Task: run() writes the 32-byte digest of the input.
// Plain exports: sha256Pattern(n) hashes n bytes of the pattern (i*7+3)&255
// and returns the first digest word (big-endian u32); rotr(x, n).
import { input_size, readInput, output_write } from "./task";

const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const H: usize = memory.data(32);
const W: usize = memory.data(256);
const BLOCK: usize = memory.data(64);

export function rotr(x: u32, n: u32): u32 {
  return (x >>> n) | (x << (32 - n));
}

function bswap32(x: u32): u32 {
  return (x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
}

function init(): void {
  store<u32>(H, 0x6a09e667, 0);
  store<u32>(H, 0xbb67ae85, 4);
  store<u32>(H, 0x3c6ef372, 8);
  store<u32>(H, 0xa54ff53a, 12);
  store<u32>(H, 0x510e527f, 16);
  store<u32>(H, 0x9b05688c, 20);
  store<u32>(H, 0x1f83d9ab, 24);
  store<u32>(H, 0x5be0cd19, 28);
}

function compress(block: usize): void {
  for (let i: usize = 0; i < 16; i++) {
    store<u32>(W + (i << 2), bswap32(load<u32>(block + (i << 2))));
  }
  for (let i: usize = 16; i < 64; i++) {
    const w15 = load<u32>(W + ((i - 15) << 2));
    const w2 = load<u32>(W + ((i - 2) << 2));
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    store<u32>(W + (i << 2), load<u32>(W + ((i - 16) << 2)) + s0 + load<u32>(W + ((i - 7) << 2)) + s1);
  }
  let a = load<u32>(H, 0);
  let b = load<u32>(H, 4);
  let c = load<u32>(H, 8);
  let d = load<u32>(H, 12);
  let e = load<u32>(H, 16);
  let f = load<u32>(H, 20);
  let g = load<u32>(H, 24);
  let h = load<u32>(H, 28);
  for (let i: usize = 0; i < 64; i++) {
    const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + S1 + ch + load<u32>(K + (i << 2)) + load<u32>(W + (i << 2));
    const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  store<u32>(H, load<u32>(H, 0) + a, 0);
  store<u32>(H, load<u32>(H, 4) + b, 4);
  store<u32>(H, load<u32>(H, 8) + c, 8);
  store<u32>(H, load<u32>(H, 12) + d, 12);
  store<u32>(H, load<u32>(H, 16) + e, 16);
  store<u32>(H, load<u32>(H, 20) + f, 20);
  store<u32>(H, load<u32>(H, 24) + g, 24);
  store<u32>(H, load<u32>(H, 28) + h, 28);
}

/** Hashes len bytes at ptr; the digest words are left in H (host order). */
function sha256(ptr: usize, len: u32): void {
  init();
  let off: u32 = 0;
  while (len - off >= 64) {
    compress(ptr + off);
    off += 64;
  }
  const rest = len - off;
  memory.fill(BLOCK, 0, 64);
  memory.copy(BLOCK, ptr + off, rest);
  store<u8>(BLOCK + rest, 0x80);
  if (rest >= 56) {
    compress(BLOCK);
    memory.fill(BLOCK, 0, 64);
  }
  const bits: u64 = <u64>len << 3;
  store<u32>(BLOCK + 56, bswap32(<u32>(bits >>> 32)));
  store<u32>(BLOCK + 60, bswap32(<u32>bits));
  compress(BLOCK);
}

export function run(): void {
  const n = input_size();
  const buf = readInput();
  sha256(buf, n);
  const out = heap.alloc(32);
  for (let i: usize = 0; i < 8; i++) store<u32>(out + (i << 2), bswap32(load<u32>(H + (i << 2))));
  output_write(out, 32);
}

export function sha256Pattern(n: u32): u32 {
  const buf = heap.alloc(n + 1);
  for (let i: u32 = 0; i < n; i++) store<u8>(buf + i, <u8>((i * 7 + 3) & 255));
  sha256(buf, n);
  heap.free(buf);
  return load<u32>(H);
}
