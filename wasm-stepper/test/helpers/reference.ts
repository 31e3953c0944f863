/**
 * The reference state hash: the state hash of a Machine computed from spec/STATE.md section 3
 * alone, on code that shares nothing with src/state and src/hash: keccak-256 from @noble/hashes,
 * Merkle roots from merkletreejs, domain tags and widths from spec/state.json. It reads the
 * machine's raw fields (stack slots, frame records, memory, table...) and hashes them as the
 * spec lays them out, so it pins the stepper's incremental commitment (commit.ts) to the spec,
 * not to itself.
 *
 * This is the project's one reference model: the stepper's own state tests, the contracts'
 * tests and the fuzzers (`@vwasm/fuzz`, reference oracle) all import it through
 * `@vwasm/wasm-stepper/testing`.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { MerkleTree } from "merkletreejs";
import spec from "../../spec/state.json" with { type: "json" };
import type { CompiledModule } from "../../src/compile/types.ts";
import { PAGE_SIZE, type Machine } from "../../src/machine.ts";

const enc = new TextEncoder();
const TAGS = {
  machine: enc.encode(spec.tags.machine),
  rest: enc.encode(spec.tags.rest),
  heap: enc.encode(spec.tags.heap),
  static: enc.encode(spec.tags.static),
  frame: enc.encode(spec.tags.frame),
  data: enc.encode(spec.tags.data),
  elem: enc.encode(spec.tags.elem),
};

function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function K(...parts: Uint8Array[]): Uint8Array {
  return keccak_256(cat(parts));
}

/** w(n): 32-byte big-endian. */
function W(n: number | bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = BigInt(n);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const ZEROS: Uint8Array[] = [new Uint8Array(32)];
for (let k = 1; k <= 40; k++) ZEROS.push(K(ZEROS[k - 1]!, ZEROS[k - 1]!));

/** ceil(log2(max(n, 1))). */
export function refDepthFor(n: number): number {
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

const hashPair = (b: Buffer): Buffer => Buffer.from(keccak_256(b));

function isZero(l: Uint8Array): boolean {
  for (let i = 0; i < l.length; i++) if (l[i] !== 0) return false;
  return true;
}

/**
 * Root of a depth-d tree whose first leaves are `leaves` (32 bytes each), the rest zero
 * (spec/STATE.md: "Merkle roots with zero leaves filled"). merkletreejs hashes the smallest
 * power-of-two prefix that holds every non-zero leaf (zero-padded, so it never sees an odd
 * layer); the levels above it pair the root with the root of an all-zero subtree.
 */
function refRoot(leaves: Uint8Array[], d: number): Uint8Array {
  if (leaves.length > 2 ** d) throw new Error(`${leaves.length} leaves do not fit a tree of depth ${d}`);
  let n = leaves.length;
  while (n > 0 && isZero(leaves[n - 1]!)) n--;
  if (n === 0) return ZEROS[d]!;
  const k = refDepthFor(n);
  const padded: Buffer[] = [];
  for (let i = 0; i < 2 ** k; i++) padded.push(i < n ? Buffer.from(leaves[i]!) : Buffer.alloc(32));
  let root: Uint8Array = new Uint8Array(new MerkleTree(padded, hashPair).getRoot());
  for (let j = k; j < d; j++) root = K(root, ZEROS[j]!);
  return root;
}

/** 32-byte leaves of a byte string, the last zero-padded. */
function byteLeaves(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += 32) {
    const l = new Uint8Array(32);
    l.set(b.subarray(i, Math.min(i + 32, b.length)));
    out.push(l);
  }
  return out;
}

function slot(S: Int32Array, k: number): Uint8Array {
  return W((BigInt(S[2 * k + 1]! >>> 0) << 32n) | BigInt(S[2 * k]! >>> 0));
}

function chain(S: Int32Array, from: number, to: number): Uint8Array {
  let h: Uint8Array = new Uint8Array(32);
  for (let k = from; k < to; k++) h = K(h, slot(S, k));
  return h;
}

/** An operand stack [from, to) as (w(top), chain of the operands below it); top 0 when empty. */
function stackParts(S: Int32Array, from: number, to: number): { top: Uint8Array; below: Uint8Array } {
  if (to <= from) return { top: W(0), below: new Uint8Array(32) };
  return { top: slot(S, to - 1), below: chain(S, from, to - 1) };
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

const STATUS: Record<string, number> = spec.statuses;
const TRAPS: Record<string, number> = spec.traps;

/** Static per-module parts of the reference hash, cached per compiled module. */
const refModuleCache = new WeakMap<CompiledModule, { code: Uint8Array; funcs: Uint8Array; dataLeaves: Uint8Array[]; elemLeaves: Uint8Array[] }>();

function refModule(cm: CompiledModule) {
  let r = refModuleCache.get(cm);
  if (r) return r;
  const m = cm.module;
  const codeLeaves: Uint8Array[] = [];
  for (let pc = 0; pc < cm.length; pc++) {
    const l = new Uint8Array(32);
    for (let k = 0; k < 4; k++) l.set(u32(cm.code[pc * 4 + k]!), 4 * k);
    codeLeaves.push(l);
  }
  // typeId: index of the first equal type in the type section.
  const typeKey = (i: number) => `${m.types[i]!.params.join(",")}>${m.types[i]!.results.join(",")}`;
  const typeId = (i: number) => {
    for (let j = 0; j <= i; j++) if (typeKey(j) === typeKey(i)) return j;
    return i;
  };
  const funcLeaves = cm.funcs.map((f, i) => {
    const ti = i < m.imports.length ? m.imports[i]!.typeIndex : m.funcTypes[i - m.imports.length]!;
    const l = new Uint8Array(32);
    l.set(u32(f.host ? spec.widths.hostEntry : f.entry), 0);
    l.set(u32(f.nparams), 4);
    l.set(u32(f.nlocals), 8);
    l.set(u32(f.maxHeight), 12);
    l.set(u32(typeId(ti)), 16);
    l.set(u32(f.type.results.length), 20);
    return l;
  });
  const dataLeaves = m.datas.map((d) => K(TAGS.data, refRoot(byteLeaves(d.bytes), refDepthFor(Math.ceil(d.bytes.length / 32))), W(d.bytes.length)));
  const elemLeaves = m.elems.map((e) => K(TAGS.elem, refRoot(e.funcs.map((f) => W(f >>> 0)), refDepthFor(e.funcs.length)), W(e.funcs.length)));
  r = { code: refRoot(codeLeaves, refDepthFor(cm.length)), funcs: refRoot(funcLeaves, refDepthFor(cm.funcs.length)), dataLeaves, elemLeaves };
  refModuleCache.set(cm, r);
  return r;
}

/** The state hash of `m`, from spec/STATE.md section 3 (independent of src/state). */
export function refStateHash(m: Machine): Uint8Array {
  const cm = m.cm;
  const mod = cm.module;
  const S = m.stack32;
  const rm = refModule(cm);
  // frames: record k = [returnPc, callerFp (fp of frame k), callee function (frame k+1)]
  const nlocalsOf = (k: number) => (k === 0 ? 0 : cm.funcs[m.frames[(k - 1) * 3 + 2]!]!.nlocals);
  const fpOf = (k: number) => (k === m.depth ? m.fp : m.frames[k * 3 + 1]!);
  const localsRoot = (fp: number, nl: number) => {
    const leaves: Uint8Array[] = [];
    for (let k = 0; k < nl; k++) leaves.push(slot(S, fp + k));
    return refRoot(leaves, refDepthFor(nl));
  };
  let framesHash: Uint8Array = new Uint8Array(32);
  for (let k = 0; k < m.depth; k++) {
    const fp = fpOf(k);
    const nl = nlocalsOf(k);
    const end = fpOf(k + 1);
    const ops = stackParts(S, fp + nl, end);
    framesHash = K(TAGS.frame, framesHash, W(m.frames[k * 3]!), W(fp), W(nl), localsRoot(fp, nl), ops.top, ops.below);
  }
  const nl = nlocalsOf(m.depth);
  // control: u8 status, u8 trap, u32 nlocals, u32 pc, u64 steps, u32 sp, u32 fp, u32 depth
  const control = new Uint8Array(spec.widths.control);
  const dv = new DataView(control.buffer);
  dv.setUint8(0, STATUS[m.status]!);
  dv.setUint8(1, TRAPS[m.trap ?? "none"]!);
  dv.setUint32(2, nl);
  dv.setUint32(6, m.pc);
  dv.setBigUint64(10, BigInt(m.steps));
  dv.setUint32(18, m.sp);
  dv.setUint32(22, m.fp);
  dv.setUint32(26, m.depth);

  const globals: Uint8Array[] = [];
  for (let i = 0; i < mod.globals.length; i++) globals.push(slot(m.globals32, i));
  const maxPages = m.maxPages;
  const memDepth = Math.max(spec.widths.minMemoryTreeDepth, refDepthFor(maxPages) + 11);
  const table = Array.from(m.table, (f) => W(f >>> 0));
  const dataLeaves = rm.dataLeaves.map((l, i) => (m.dataDropped[i] ? ZEROS[0]! : l));
  const elemLeaves = rm.elemLeaves.map((l, i) => (m.elemDropped[i] ? ZEROS[0]! : l));
  const out = m.output.subarray(0, m.outputLength);
  let acc: Uint8Array = new Uint8Array(32);
  const full = Math.floor(out.length / 32);
  for (let i = 0; i < full; i++) acc = K(acc, out.subarray(32 * i, 32 * i + 32));
  const partial = new Uint8Array(32);
  partial.set(out.subarray(32 * full));

  const heap = K(
    TAGS.heap,
    refRoot(byteLeaves(m.memory), memDepth),
    W(m.memory.length / PAGE_SIZE),
    refRoot(table, refDepthFor(m.table.length)),
    refRoot(dataLeaves, refDepthFor(mod.datas.length)),
    refRoot(elemLeaves, refDepthFor(mod.elems.length)),
    acc,
    partial,
    W(m.outputLength),
  );
  const stat = K(
    TAGS.static,
    rm.code,
    W(cm.length),
    rm.funcs,
    W(cm.funcs.length),
    W(mod.globals.length),
    W(m.table.length),
    W(mod.datas.length),
    W(mod.elems.length),
    refRoot(byteLeaves(m.input), refDepthFor(Math.ceil(m.input.length / 32))),
    W(m.input.length),
    W(m.limits.maxSteps),
    W(maxPages),
    W(m.limits.maxCallDepth),
    W(m.limits.maxValueStack),
    W(m.limits.maxOutputBytes),
    W(m.limits.maxTableEntries),
  );
  // The micro-step register: the aux chain (values moved aside, bottom first), or the
  // pending locals tree of a call (nlocals of the callee, params moved so far, zeros elsewhere).
  let aux: Uint8Array = new Uint8Array(32);
  if (m.auxKind === 1) aux = chain(m.auxSlots, 0, m.auxLen);
  else if (m.auxKind === 2) {
    const n = cm.funcs[m.auxFunc]!.nlocals;
    const leaves: Uint8Array[] = [];
    for (let k = 0; k < n; k++) leaves.push(slot(m.auxSlots, k));
    aux = refRoot(leaves, refDepthFor(n));
  }
  const rest = K(TAGS.rest, framesHash, refRoot(globals, refDepthFor(mod.globals.length)), heap, stat, W(m.mp), W(m.auxLen), aux);
  const ops = stackParts(S, m.fp + nl, m.sp);
  const top = ops.top.subarray(32 - spec.widths.topBytes);
  const preimage = cat([TAGS.machine, control, top, ops.below, localsRoot(m.fp, nl), rest]);
  if (preimage.length !== spec.widths.stateHashPreimage) throw new Error(`state hash preimage is ${preimage.length} bytes`);
  return keccak_256(preimage);
}
