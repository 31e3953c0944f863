/**
 * A minimal, independent reader/patcher of Wasm binaries for the test
 * reference runner. It reads only what the V8 reference needs (function
 * types, imports, exports, memory limits) and deliberately does not share
 * code with the stepper's decoder, so a decoder bug cannot hide in both.
 */

export type ValTypeName = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

export interface BinFuncType {
  params: ValTypeName[];
  results: ValTypeName[];
}

export interface BinSection {
  id: number;
  /** Offset of the section id byte. */
  start: number;
  /** Offset of the first payload byte. */
  payloadStart: number;
  /** Offset one past the payload. */
  end: number;
}

export interface BinExport {
  name: string;
  kind: number; // 0 func, 1 table, 2 memory, 3 global
  index: number;
}

export interface BinInfo {
  sections: BinSection[];
  types: BinFuncType[];
  /** Type index of every function in the function index space (imports first). */
  funcTypes: number[];
  funcImports: { module: string; name: string; typeIndex: number }[];
  exports: BinExport[];
  /** Defined memory limits, if the module defines a memory. */
  memory?: { min: number; max?: number; flags: number; limitsStart: number; limitsEnd: number };
  /** Function index of the start function, if any. */
  start?: number;
}

const VALTYPES: Record<number, ValTypeName> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }
  u8(): number {
    if (this.pos >= this.bytes.length) throw new Error("wasm-binary: unexpected end");
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error("wasm-binary: LEB128 too long");
    }
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  valtype(): ValTypeName {
    const b = this.u8();
    const t = VALTYPES[b];
    if (!t) throw new Error(`wasm-binary: unknown value type 0x${b.toString(16)}`);
    return t;
  }
}

export function readBinInfo(bytes: Uint8Array): BinInfo {
  const r = new Reader(bytes, 8);
  const info: BinInfo = { sections: [], types: [], funcTypes: [], funcImports: [], exports: [] };
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    const payloadStart = r.pos;
    const end = payloadStart + size;
    info.sections.push({ id, start, payloadStart, end });
    const s = new Reader(bytes, payloadStart);
    switch (id) {
      case 1: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const form = s.u8();
          if (form !== 0x60) throw new Error("wasm-binary: only func types supported");
          const params: ValTypeName[] = [];
          const results: ValTypeName[] = [];
          for (let k = s.u32(); k > 0; k--) params.push(s.valtype());
          for (let k = s.u32(); k > 0; k--) results.push(s.valtype());
          info.types.push({ params, results });
        }
        break;
      }
      case 2: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const module = s.name();
          const name = s.name();
          const kind = s.u8();
          if (kind === 0) {
            const typeIndex = s.u32();
            info.funcImports.push({ module, name, typeIndex });
            info.funcTypes.push(typeIndex);
          } else if (kind === 1) {
            s.u8();
            skipLimits(s);
          } else if (kind === 2) {
            skipLimits(s);
          } else if (kind === 3) {
            s.u8();
            s.u8();
          } else {
            throw new Error(`wasm-binary: unknown import kind ${kind}`);
          }
        }
        break;
      }
      case 3: {
        const n = s.u32();
        for (let i = 0; i < n; i++) info.funcTypes.push(s.u32());
        break;
      }
      case 5: {
        const n = s.u32();
        if (n > 0) {
          const limitsStart = s.pos;
          const flags = s.u8();
          const min = s.u32();
          const max = flags & 1 ? s.u32() : undefined;
          info.memory = { min, max, flags, limitsStart, limitsEnd: s.pos };
        }
        break;
      }
      case 7: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const name = s.name();
          const kind = s.u8();
          const index = s.u32();
          info.exports.push({ name, kind, index });
        }
        break;
      }
      case 8:
        info.start = s.u32();
        break;
      default:
        break;
    }
    r.pos = end;
  }
  return info;
}

function skipLimits(s: Reader): void {
  const flags = s.u8();
  s.u32();
  if (flags & 1) s.u32();
}

export function encodeU32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function encodeName(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...encodeU32(b.length), ...b];
}

/** Canonical position of each known section id (custom sections excluded). */
const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 13: 6.5, 7: 7, 8: 8, 9: 9, 12: 9.5, 10: 10, 11: 11 };

/**
 * Returns a copy of the module prepared for the V8 reference:
 * - the defined memory is exported (as `memoryExportName` unless already
 *   exported) so the JS host imports can reach it;
 * - the memory maximum is lowered to `maxPages`, so V8's memory.grow fails
 *   where the stepper's `maxMemoryPages` limit makes it fail;
 * - the start section is removed and the start function exported as
 *   `startExportName`: the caller runs it right after instantiation (active
 *   segments are already applied then, as in the spec), which lets host
 *   imports called by the start function reach the memory.
 */
export function patchForReference(
  bytes: Uint8Array,
  info: BinInfo,
  names: { memoryExportName: string; startExportName: string },
  maxPages: number,
): { bytes: Uint8Array; memoryExport?: string; startExport?: string } {
  const extra: number[][] = [];
  const existingMem = info.exports.find((e) => e.kind === 2);
  let memoryExport: string | undefined;
  if (info.memory) {
    memoryExport = existingMem ? existingMem.name : names.memoryExportName;
    if (!existingMem) extra.push([...encodeName(names.memoryExportName), 2, 0]);
  }
  let startExport: string | undefined;
  if (info.start !== undefined) {
    startExport = names.startExportName;
    extra.push([...encodeName(startExport), 0, ...encodeU32(info.start)]);
  }

  const parts: Uint8Array[] = [];
  let cursor = 0;
  const emit = (b: Uint8Array | number[]) => parts.push(b instanceof Uint8Array ? b : Uint8Array.from(b));
  const section = (id: number, payload: number[]) => [id, ...encodeU32(payload.length), ...payload];
  let exportDone = extra.length === 0;

  for (const s of info.sections) {
    if (s.id === 5 && info.memory) {
      const newMax = Math.max(Math.min(info.memory.max ?? 65536, maxPages, 65536), info.memory.min);
      emit(bytes.subarray(cursor, s.start));
      emit(section(5, [1, 0x01 | (info.memory.flags & ~1), ...encodeU32(info.memory.min), ...encodeU32(newMax)]));
      cursor = s.end;
      continue;
    }
    if (s.id === 8) {
      emit(bytes.subarray(cursor, s.start));
      cursor = s.end;
      continue;
    }
    if (!exportDone && s.id === 7) {
      emit(bytes.subarray(cursor, s.start));
      const r = new Reader(bytes, s.payloadStart);
      const n = r.u32();
      emit(section(7, [...encodeU32(n + extra.length), ...bytes.subarray(r.pos, s.end), ...extra.flat()]));
      cursor = s.end;
      exportDone = true;
      continue;
    }
    if (!exportDone && s.id !== 0 && (SECTION_ORDER[s.id] ?? 0) > 7) {
      emit(bytes.subarray(cursor, s.start));
      emit(section(7, [...encodeU32(extra.length), ...extra.flat()]));
      cursor = s.start;
      exportDone = true;
    }
  }
  emit(bytes.subarray(cursor));
  if (!exportDone) emit(section(7, [...encodeU32(extra.length), ...extra.flat()]));
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { bytes: out, memoryExport, startExport };
}
