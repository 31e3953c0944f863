/**
 * A growable byte buffer with the Wasm binary encodings (WebAssembly 2.0
 * spec 5.2: LEB128 integers, names, vectors) the instrumenter writes.
 */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let n = this.buf.length * 2;
    while (n < need) n *= 2;
    const b = new Uint8Array(n);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }

  u8(b: number): this {
    this.ensure(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }

  /** Several single bytes (opcodes and fixed immediates). */
  op(...bs: number[]): this {
    this.ensure(bs.length);
    for (const b of bs) this.buf[this.length++] = b & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Unsigned LEB128 of a 32-bit value. */
  u32(v: number): this {
    let x = v >>> 0;
    this.ensure(5);
    for (;;) {
      const b = x & 0x7f;
      x >>>= 7;
      if (x === 0) {
        this.buf[this.length++] = b;
        return this;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  /** Signed LEB128 of a 32-bit value (also used for s33 block type indices, which are non-negative). */
  s32(v: number): this {
    let x = v | 0;
    this.ensure(5);
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0);
      this.buf[this.length++] = done ? b : b | 0x80;
      if (done) return this;
    }
  }

  /** Signed LEB128 of a 64-bit value. */
  s64(v: bigint): this {
    let x = BigInt.asIntN(64, v);
    this.ensure(10);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
      this.buf[this.length++] = done ? b : b | 0x80;
      if (done) return this;
    }
  }

  /** A name (spec 5.2.4): byte length then UTF-8 bytes. */
  name(s: string): this {
    const b = new TextEncoder().encode(s);
    this.u32(b.length);
    return this.bytes(b);
  }

  /** Appends another writer's bytes prefixed by their length (a section or function body). */
  sized(w: ByteWriter): this {
    this.u32(w.length);
    return this.bytes(w.finish());
  }

  /** The bytes written so far, without a copy (valid until the next write or reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** Empties the writer, keeping its buffer. */
  reset(): this {
    this.length = 0;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
