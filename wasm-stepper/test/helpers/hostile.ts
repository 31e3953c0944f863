/**
 * Generators of hostile Wasm modules for test/hostile.test.ts: small byte
 * builders (independent of the stepper's decoder), so every input is made at
 * test time and no blob is checked in.
 */

/** Unsigned LEB128. */
export function uleb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

export function section(id: number, payload: ArrayLike<number>): Uint8Array {
  const head = [id, ...uleb(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload as ArrayLike<number>, head.length);
  return out;
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export function concat(parts: ArrayLike<number>[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p as ArrayLike<number>, o);
    o += p.length;
  }
  return out;
}

export interface ModuleSpec {
  /** Memory limits in pages. */
  memory?: { min: number; max?: number };
  /** Table limits in entries (funcref). */
  table?: { min: number | bigint; max?: number | bigint };
  /** Body of the exported `run` function (type [] -> []), without locals and final end. */
  run?: Uint8Array | number[];
  /** Imports of the host API `task.*` that the body calls: function indices 0.. in this order. */
  hostImports?: ("input_size" | "input_read" | "output_write")[];
}

const HOST_TYPES: Record<string, number[]> = {
  input_size: [0x60, 0, 1, 0x7f],
  input_read: [0x60, 3, 0x7f, 0x7f, 0x7f, 0],
  output_write: [0x60, 2, 0x7f, 0x7f, 0],
};

/** A module with an exported task entry `run` (and optional memory, table and host imports). */
export function taskModule(spec: ModuleSpec): Uint8Array {
  const hosts = spec.hostImports ?? [];
  const types = [[0x60, 0, 0], ...hosts.map((h) => HOST_TYPES[h]!)];
  const parts: ArrayLike<number>[] = [HEADER, section(1, vec(types))];
  if (hosts.length) parts.push(section(2, vec(hosts.map((h, i) => [...str("task"), ...str(h), 0x00, i + 1]))));
  parts.push(section(3, vec([[0]])));
  if (spec.table) {
    const t = spec.table;
    parts.push(section(4, vec([[0x70, ...(t.max === undefined ? [0, ...uleb(t.min)] : [1, ...uleb(t.min), ...uleb(t.max)])]])));
  }
  if (spec.memory) {
    const m = spec.memory;
    parts.push(section(5, vec([m.max === undefined ? [0, ...uleb(m.min)] : [1, ...uleb(m.min), ...uleb(m.max)]])));
  }
  parts.push(section(7, vec([[...str("run"), 0x00, hosts.length]])));
  const body = concat([[0], spec.run ?? [], [0x0b]]);
  const entry = concat([uleb(body.length), body]);
  parts.push(section(10, concat([[1], entry])));
  return concat(parts);
}

/** `n` nested `block`s in binary form (each `0x02 0x40`, then `n` ends). */
export function nestedBlocks(n: number): Uint8Array {
  const b = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) (b[2 * i] = 0x02), (b[2 * i + 1] = 0x40);
  b.fill(0x0b, 2 * n);
  return b;
}

/** i32.const v */
export function i32c(v: number): number[] {
  return [0x41, ...sleb(v)];
}
