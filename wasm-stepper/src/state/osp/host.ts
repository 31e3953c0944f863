/**
 * The task host API and the micro-stepped bulk instructions (EXECUTION.md
 * sections 2 and 5). Twin of OneStepProverHost.sol.
 */
import * as Op from "../../ir/opcodes.ts";
import { H, ZERO32, depthFor, inputDepth } from "../header.ts";
import { StepState } from "./step-state.ts";
import type { TrapCode } from "../../types.ts";
import { firstChunk, lastChunk } from "../../micro.ts";

/** Micro-stepped bulk instructions and segment drops (EXECUTION.md section 5). */
export function executeBulk(m: StepState, op: number, seg: number): TrapCode | undefined {
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
  // The popped operands are exact (bigint): the range checks come first, then
  // every position is below 2^33 and a plain number.
  const N = m.pop();
  const S = m.pop();
  const D = m.pop();
  const done = (): undefined => {
    h.pc++;
  };
  const memBytes = BigInt(m.memBytes());
  if (op === Op.MEMORY_FILL) {
    // Operands: d, s = fill value, n.
    if (D + N > memBytes) return "out_of_bounds_memory";
    if (N === 0n) return done();
    const [d, n, s] = [Number(D), Number(N), Number(S & 0xffn)];
    const cnt = firstChunk(d, d, n);
    const it = m.readMemLeaf(Math.floor(d / 32));
    const leaf = it.leaf.slice();
    leaf.fill(s, d % 32, (d % 32) + cnt);
    m.writeMemLeaf(Math.floor(d / 32), it, leaf);
    if (n === cnt) return done();
    m.push(BigInt(d + cnt));
    m.push(S);
    m.push(BigInt(n - cnt));
    return;
  }
  if (op === Op.MEMORY_COPY) {
    if (S + N > memBytes || D + N > memBytes) return "out_of_bounds_memory";
    if (N === 0n) return done();
    const [d, s, n] = [Number(D), Number(S), Number(N)];
    const fwd = d <= s;
    const cnt = fwd ? firstChunk(d, s, n) : lastChunk(d, s, n);
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
    if (S + N > BigInt(sg.len) || D + N > memBytes) return "out_of_bounds_memory";
    if (N === 0n) return done();
    const [d, s, n] = [Number(D), Number(S), Number(N)];
    const cnt = firstChunk(d, s, n);
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
  const tableSize = BigInt(h.tableSize);
  if (op === Op.TABLE_COPY) {
    if (S + N > tableSize || D + N > tableSize) return "out_of_bounds_table";
    if (N === 0n) return done();
    const [d, s, n] = [Number(D), Number(S), Number(N)];
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
  if (S + N > BigInt(sg.len) || D + N > tableSize) return "out_of_bounds_table";
  if (N === 0n) return done();
  const [d, s, n] = [Number(D), Number(S), Number(N)];
  const v = m.readLeaf("elemLeaf", s, depthFor(sg.len), sg.root, seg).leaf;
  const it = m.readLeaf("table", d, tdepth, h.tableRoot);
  h.tableRoot = m.writeLeaf("table", d, it, v);
  if (n === 1) return done();
  m.push(BigInt(d + 1));
  m.push(BigInt(s + 1));
  m.push(BigInt(n - 1));
}


/** The task host API (EXECUTION.md section 2). */
export function executeHost(m: StepState, op: number): TrapCode | undefined {
  const h = m.h;
  if (op === Op.HOST_INPUT_SIZE) {
    m.push(BigInt(h.inputLength));
    h.pc++;
    return;
  }
  if (op === Op.HOST_INPUT_READ) {
    const N = m.pop();
    const OFF = m.pop();
    const D = m.pop();
    if (OFF + N > BigInt(h.inputLength)) return "input_out_of_bounds";
    if (D + N > BigInt(m.memBytes())) return "out_of_bounds_memory";
    if (N === 0n) {
      h.pc++;
      return;
    }
    const [n, off, d] = [Number(N), Number(OFF), Number(D)];
    const cnt = firstChunk(d, off, n);
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
  const N = m.pop();
  const SRC = m.pop();
  if (SRC + N > BigInt(m.memBytes())) return "out_of_bounds_memory";
  if (BigInt(h.outputLength) + N > BigInt(h.maxOutputBytes)) return "output_limit";
  if (N === 0n) {
    h.pc++;
    return;
  }
  const [n, src] = [Number(N), Number(SRC)];
  const o = h.outputLength;
  const cnt = firstChunk(o, src, n);
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
