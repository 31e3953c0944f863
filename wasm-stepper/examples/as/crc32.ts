// Checksums of the task input: CRC-32 (IEEE 802.3, reflected, table driven;
// the table is built by the start function) and Adler-32.
// Task output: crc32 (u32 LE) then adler32 (u32 LE).
// Plain exports: crc32Pattern(n) = CRC-32 of n bytes of the pattern
// (i*31+7)&255, crcByte(c, b) = one table step, adlerPattern(n).
import { input_size, readInput, output_write } from "./task";

const TABLE: usize = memory.data(1024);

function buildTable(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(TABLE + (<usize>i << 2), c);
  }
}
buildTable();

export function crcByte(c: u32, b: u32): u32 {
  return load<u32>(TABLE + (<usize>((c ^ b) & 0xff) << 2)) ^ (c >>> 8);
}

function crc32(p: usize, n: u32): u32 {
  let c: u32 = 0xffffffff;
  for (let i: u32 = 0; i < n; i++) c = crcByte(c, load<u8>(p + i));
  return ~c;
}

function adler32(p: usize, n: u32): u32 {
  let a: u32 = 1;
  let b: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    // 5552 bytes keep b below 2^32 before the modulo.
    const stop = min(n, i + 5552);
    for (; i < stop; i++) {
      a += load<u8>(p + i);
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return (b << 16) | a;
}

function pattern(n: u32): usize {
  const p = heap.alloc(n + 1);
  for (let i: u32 = 0; i < n; i++) store<u8>(p + i, <u8>((i * 31 + 7) & 255));
  return p;
}

export function crc32Pattern(n: u32): u32 {
  return crc32(pattern(n), n);
}

export function adlerPattern(n: u32): u32 {
  return adler32(pattern(n), n);
}

export function run(): void {
  const n = input_size();
  const inp = readInput();
  const out = heap.alloc(8);
  store<u32>(out, crc32(inp, n));
  store<u32>(out, adler32(inp, n), 4);
  output_write(out, 8);
}
