import { MalformedModuleError } from "../errors.ts";

/** One strict UTF-8 decoder shared by all readers (names, spec 5.2.4); a leading U+FEFF is part of the name, not a BOM to strip. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A cursor over Wasm binary bytes with LEB128 decoding (spec 5.2.2).
 * Every read is bounds-checked and throws MalformedModuleError naming the
 * section (set by the caller in `section`) and the byte offset.
 */
export class Reader {
  pos: number;
  section = "header";

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    public end = bytes.length,
  ) {
    this.pos = start;
  }

  get eof(): boolean {
    return this.pos >= this.end;
  }

  fail(msg: string, offset = this.pos): never {
    throw new MalformedModuleError(msg, { section: this.section, offset });
  }

  u8(): number {
    if (this.pos >= this.end) this.fail("unexpected end of section or function");
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128, at most 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    const start = this.pos;
    for (;;) {
      const b = this.u8();
      if (shift === 28 && (b & 0x70) !== 0) this.fail("integer too large (u32 LEB128)", start);
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) this.fail("integer representation too long (u32 LEB128)", start);
    }
    return result >>> 0;
  }

  /** Signed LEB128, at most 32 bits. */
  s32(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    const start = this.pos;
    for (;;) {
      b = this.u8();
      if (shift === 28) {
        // Last byte: the 4 unused bits must be a sign extension of bit 31.
        const rest = b & 0x70;
        if ((b & 0x80) !== 0) this.fail("integer representation too long (s32 LEB128)", start);
        if (rest !== 0 && rest !== 0x70) this.fail("integer too large (s32 LEB128)", start);
        if ((rest === 0x70) !== ((b & 0x08) !== 0)) this.fail("integer too large (s32 LEB128)", start);
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    if (shift < 32 && (b & 0x40) !== 0) result |= -1 << shift;
    return result | 0;
  }

  /** Signed LEB128, at most 64 bits, as a BigInt in [-2^63, 2^63). */
  s64(): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    const start = this.pos;
    let count = 0;
    for (;;) {
      b = this.u8();
      count++;
      if (count === 10) {
        // Last byte: only bit 0 is significant; the rest must sign-extend it.
        if ((b & 0x80) !== 0) this.fail("integer representation too long (s64 LEB128)", start);
        if (b !== 0 && b !== 0x7f) this.fail("integer too large (s64 LEB128)", start);
      }
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
    }
    if (shift < 64n && (b & 0x40) !== 0) result |= -1n << shift;
    return BigInt.asIntN(64, result);
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /**
   * The length of a vector (spec 5.1.3), checked against the bytes left:
   * every element takes at least `minItemBytes` bytes, so a larger count is
   * malformed. Callers may then allocate proportionally to the count.
   */
  vecLen(what = "vector", minItemBytes = 1): number {
    const start = this.pos;
    const n = this.u32();
    if (n * minItemBytes > this.end - this.pos) {
      this.fail(`${what} length ${n} exceeds the ${this.end - this.pos} bytes left`, start);
    }
    return n;
  }

  bytesN(n: number): Uint8Array {
    if (n > this.end - this.pos) this.fail(`length ${n} runs past the end`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A UTF-8 name (spec 5.2.4). */
  name(): string {
    const len = this.u32();
    const start = this.pos;
    const b = this.bytesN(len);
    try {
      return utf8.decode(b);
    } catch {
      this.fail("malformed UTF-8 encoding in name", start);
    }
  }
}
