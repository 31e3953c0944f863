/**
 * The task host API and the micro-stepped bulk instructions (EXECUTION.md
 * sections 2 and 5). Twin of OneStepProverHost.sol.
 */
import * as Op from "../../ir/opcodes.ts";
import { H, ZERO32, depthFor, inputDepth } from "../header.ts";
import { StepState, Trap } from "./state.ts";

/** Micro-stepped bulk instructions and segment drops (EXECUTION.md section 5). */
export function executeBulk(m: StepState, op: number, seg: number): void {
  const h = m.h;
  if (op === Op.DATA_DROP || op === Op.ELEM_DROP) {
    const kind = op === Op.DATA_DROP ? "data" : "elem";
    const it = m.readSegment(kind, seg);
    const root = m.writeLeaf(kind, seg, it, ZERO32);
    if (kind === "data") h.dataRoot = root;
    else h.elemRoot = root;
    h.pc++;
    return;
  }
  const n = Number(m.pop());
  const s = Number(m.pop());
  const d = Number(m.pop());
  const done = () => {
    h.pc++;
  };
  if (op === Op.MEMORY_FILL) {
    // Operands: d, s = fill value, n.
    if (d + n > m.memBytes()) throw new Trap("out_of_bounds_memory");
    if (n === 0) return done();
    const cnt = Math.min(n, 32 - (d % 32));
    const it = m.readMemLeaf(Math.floor(d / 32));
    const leaf = it.leaf.slice();
    leaf.fill(s & 0xff, d % 32, (d % 32) + cnt);
    m.writeMemLeaf(Math.floor(d / 32), it, leaf);
    if (n === cnt) return done();
    m.push(BigInt(d + cnt));
    m.push(BigInt(s));
    m.push(BigInt(n - cnt));
    return;
  }
  if (op === Op.MEMORY_COPY) {
    const len = m.memBytes();
    if (s + n > len || d + n > len) throw new Trap("out_of_bounds_memory");
    if (n === 0) return done();
    const fwd = d <= s;
    const cnt = fwd ? Math.min(n, 32 - (d % 32), 32 - (s % 32)) : Math.min(n, ((d + n - 1) % 32) + 1, ((s + n - 1) % 32) + 1);
    const src = fwd ? s : s + n - cnt;
    const dst = fwd ? d : d + n - cnt;
    const bytes = m.readMemLeaf(Math.floor(src / 32)).leaf.slice(src % 32, (src % 32) + cnt);
    const it = m.readMemLeaf(Math.floor(dst / 32));
    const leaf = it.leaf.slice();
    leaf.set(bytes, dst % 32);
    m.writeMemLeaf(Math.floor(dst / 32), it, leaf);
    if (n === cnt) return done();
    m.push(BigInt(fwd ? d + cnt : d));
    m.push(BigInt(fwd ? s + cnt : s));
    m.push(BigInt(n - cnt));
    return;
  }
  if (op === Op.MEMORY_INIT) {
    const sg = m.readSegment("data", seg);
    if (s + n > sg.len || d + n > m.memBytes()) throw new Trap("out_of_bounds_memory");
    if (n === 0) return done();
    const cnt = Math.min(n, 32 - (d % 32), 32 - (s % 32));
    const dl = m.readLeaf("dataLeaf", Math.floor(s / 32), depthFor(Math.ceil(sg.len / 32)), sg.root, seg);
    const bytes = dl.leaf.slice(s % 32, (s % 32) + cnt);
    const it = m.readMemLeaf(Math.floor(d / 32));
    const leaf = it.leaf.slice();
    leaf.set(bytes, d % 32);
    m.writeMemLeaf(Math.floor(d / 32), it, leaf);
    if (n === cnt) return done();
    m.push(BigInt(d + cnt));
    m.push(BigInt(s + cnt));
    m.push(BigInt(n - cnt));
    return;
  }
  const tdepth = depthFor(h.tableSize);
  if (op === Op.TABLE_COPY) {
    if (s + n > h.tableSize || d + n > h.tableSize) throw new Trap("out_of_bounds_table");
    if (n === 0) return done();
    const fwd = d <= s;
    const src = fwd ? s : s + n - 1;
    const dst = fwd ? d : d + n - 1;
    const v = m.readLeaf("table", src, tdepth, h.tableRoot).leaf;
    const it = m.readLeaf("table", dst, tdepth, h.tableRoot);
    h.tableRoot = m.writeLeaf("table", dst, it, v);
    if (n === 1) return done();
    m.push(BigInt(fwd ? d + 1 : d));
    m.push(BigInt(fwd ? s + 1 : s));
    m.push(BigInt(n - 1));
    return;
  }
  // TABLE_INIT
  const sg = m.readSegment("elem", seg);
  if (s + n > sg.len || d + n > h.tableSize) throw new Trap("out_of_bounds_table");
  if (n === 0) return done();
  const v = m.readLeaf("elemLeaf", s, depthFor(sg.len), sg.root, seg).leaf;
  const it = m.readLeaf("table", d, tdepth, h.tableRoot);
  h.tableRoot = m.writeLeaf("table", d, it, v);
  if (n === 1) return done();
  m.push(BigInt(d + 1));
  m.push(BigInt(s + 1));
  m.push(BigInt(n - 1));
}


/** The task host API (EXECUTION.md section 2). */
export function executeHost(m: StepState, op: number): void {
  const h = m.h;
  if (op === Op.HOST_INPUT_SIZE) {
    m.push(BigInt(h.inputLength));
    h.pc++;
    return;
  }
  if (op === Op.HOST_INPUT_READ) {
    const n = Number(m.pop());
    const off = Number(m.pop());
    const d = Number(m.pop());
    if (off + n > h.inputLength) throw new Trap("input_out_of_bounds");
    if (d + n > m.memBytes()) throw new Trap("out_of_bounds_memory");
    if (n === 0) {
      h.pc++;
      return;
    }
    const cnt = Math.min(n, 32 - (d % 32), 32 - (off % 32));
    const il = m.readLeaf("input", Math.floor(off / 32), inputDepth(h.inputLength), h.inputRoot);
    const bytes = il.leaf.slice(off % 32, (off % 32) + cnt);
    const it = m.readMemLeaf(Math.floor(d / 32));
    const leaf = it.leaf.slice();
    leaf.set(bytes, d % 32);
    m.writeMemLeaf(Math.floor(d / 32), it, leaf);
    if (n === cnt) {
      h.pc++;
      return;
    }
    m.push(BigInt(d + cnt));
    m.push(BigInt(off + cnt));
    m.push(BigInt(n - cnt));
    return;
  }
  // HOST_OUTPUT_WRITE
  const n = Number(m.pop());
  const src = Number(m.pop());
  if (src + n > m.memBytes()) throw new Trap("out_of_bounds_memory");
  if (h.outputLength + n > h.maxOutputBytes) throw new Trap("output_limit");
  if (n === 0) {
    h.pc++;
    return;
  }
  const o = h.outputLength;
  const cnt = Math.min(n, 32 - (src % 32), 32 - (o % 32));
  const bytes = m.readMemLeaf(Math.floor(src / 32)).leaf.slice(src % 32, (src % 32) + cnt);
  const partial = h.outputPartial.slice();
  partial.set(bytes, o % 32);
  h.outputLength = o + cnt;
  if (h.outputLength % 32 === 0) {
    h.outputAcc = H(h.outputAcc, partial);
    h.outputPartial = ZERO32;
  } else h.outputPartial = partial;
  if (n === cnt) {
    h.pc++;
    return;
  }
  m.push(BigInt(src + cnt));
  m.push(BigInt(n - cnt));
}
