/**
 * Malformed and invalid module bytes: mutations of a valid generated module. Truncations, bit
 * flips, byte overwrites, insertions and deletions, section swaps and duplications, and LEB128
 * edge encodings of section sizes (overlong but valid 5-byte forms, over-long 6-byte forms,
 * off-by-one sizes, 2^32-1).
 */
import fc from "fast-check";

export const BYTE_MUTATIONS = ["truncate", "flip", "set", "insert", "delete", "swapSections", "dupSection", "lebSize"] as const;
export type ByteMutationKind = (typeof BYTE_MUTATIONS)[number];

export interface ByteMutation {
  kind: ByteMutationKind;
  a: number;
  b: number;
}

export const byteMutationArb: fc.Arbitrary<ByteMutation> = fc.record({ kind: fc.constantFrom(...BYTE_MUTATIONS), a: fc.nat(), b: fc.nat() });

interface Section {
  start: number;
  /** Offset of the size LEB. */
  sizeAt: number;
  payload: number;
  end: number;
}

function readU32Leb(b: Uint8Array, at: number): { value: number; next: number } | undefined {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= b.length) return undefined;
    const x = b[at + i]!;
    v += (x & 0x7f) * 2 ** (7 * i);
    if ((x & 0x80) === 0) return { value: v, next: at + i + 1 };
  }
  return undefined;
}

/** The sections as far as they parse (a tolerant walk: stops at the first bad one). */
export function sections(b: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = 8;
  while (at < b.length) {
    const size = readU32Leb(b, at + 1);
    if (!size || size.next + size.value > b.length) break;
    out.push({ start: at, sizeAt: at + 1, payload: size.next, end: size.next + size.value });
    at = size.next + size.value;
  }
  return out;
}

function leb(v: number, width?: number): number[] {
  const out: number[] = [];
  do {
    let x = v % 128;
    v = Math.floor(v / 128);
    if (v > 0 || (width !== undefined && out.length + 1 < width)) x |= 0x80;
    out.push(x);
  } while (v > 0 || (width !== undefined && out.length < width));
  return out;
}

function splice(b: Uint8Array, from: number, to: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(b.length - (to - from) + insert.length);
  out.set(b.subarray(0, from));
  out.set(insert, from);
  out.set(b.subarray(to), from + insert.length);
  return out;
}

export function mutateBytes(b: Uint8Array, mu: ByteMutation): Uint8Array {
  const n = b.length;
  const secs = sections(b);
  switch (mu.kind) {
    case "truncate":
      return b.slice(0, mu.a % n);
    case "flip": {
      const out = b.slice();
      out[mu.a % n] = out[mu.a % n]! ^ (1 << (mu.b & 7));
      return out;
    }
    case "set": {
      const out = b.slice();
      out[mu.a % n] = mu.b & 0xff;
      return out;
    }
    case "insert":
      return splice(b, mu.a % (n + 1), mu.a % (n + 1), [mu.b & 0xff]);
    case "delete": {
      const at = mu.a % n;
      return splice(b, at, Math.min(n, at + 1 + (mu.b % 8)), []);
    }
    case "swapSections": {
      if (secs.length < 2) return b.slice(0, mu.a % n);
      const [x, y] = [secs[mu.a % secs.length]!, secs[mu.b % secs.length]!].sort((p, q) => p.start - q.start) as [Section, Section];
      if (x === y) return b.slice();
      return Uint8Array.from([...b.subarray(0, x.start), ...b.subarray(y.start, y.end), ...b.subarray(x.end, y.start), ...b.subarray(x.start, x.end), ...b.subarray(y.end)]);
    }
    case "dupSection": {
      if (!secs.length) return b.slice(0, mu.a % n);
      const s = secs[mu.a % secs.length]!;
      return splice(b, s.end, s.end, b.subarray(s.start, s.end));
    }
    case "lebSize": {
      if (!secs.length) return b.slice(0, mu.a % n);
      const s = secs[mu.a % secs.length]!;
      const size = s.end - s.payload;
      const enc = [
        leb(size, 5), // overlong but valid: the module must load exactly as before
        [...leb(size, 5).map((x, i) => (i === 4 ? x | 0x80 : x)), 0x00], // 6 bytes: too long for a u32
        leb(size + 1),
        leb(Math.max(0, size - 1)),
        leb(0xffffffff),
        [0x80, 0x80, 0x80, 0x80, 0x80], // unterminated
        [0xff, 0xff, 0xff, 0xff, 0x7f], // 5th byte has bits beyond 32
      ][mu.b % 7]!;
      return splice(b, s.sizeAt, s.payload, enc);
    }
  }
}
