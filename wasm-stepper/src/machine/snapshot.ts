/**
 * Snapshot and restore of a Machine's whole state (src/state/trace.ts keeps snapshots
 * at strides and re-executes from them).
 */
import type { Machine } from "../machine.ts";
import type { Status, TrapCode } from "../types.ts";
import type { ValType } from "../module.ts";
import { LEAF_SIZE, PAGE_SIZE } from "./limits.ts";

const EMPTY = new Uint8Array(0);

/** Everything a step can change, for snapshot/restore. */
export interface MachineSnapshot {
  status: Status;
  trap: TrapCode | undefined;
  pc: number;
  sp: number;
  fp: number;
  depth: number;
  steps: number;
  stack: Int32Array;
  frames: Int32Array;
  globals: Int32Array;
  memory: Uint8Array;
  table: Int32Array;
  dataDropped: Uint8Array;
  elemDropped: Uint8Array;
  output: Uint8Array;
  resultTypes: ValType[];
  /** Pages of `memory` that may hold non-zero bytes (all others are zero), if known. */
  nonZeroPages?: number[];
  mp: number;
  auxLen: number;
  auxKind: number;
  auxFunc: number;
  aux: Int32Array;
}

/** A deep copy of the whole state. */
export function snapshot(m: Machine, withMemory = true): MachineSnapshot {
  return {
    status: m.status,
    trap: m.trap,
    pc: m.pc,
    sp: m.sp,
    fp: m.fp,
    depth: m.depth,
    steps: m.steps,
    stack: m.stack32.slice(0, m.sp * 2),
    frames: m.frames.slice(0, m.depth * 3),
    globals: m.globals32.slice(),
    memory: withMemory ? m.memory.slice() : EMPTY,
    table: m.table.slice(),
    dataDropped: m.dataDropped.slice(),
    elemDropped: m.elemDropped.slice(),
    output: m.output.slice(0, m.outputLength),
    resultTypes: m.resultTypes,
    mp: m.mp,
    auxLen: m.auxLen,
    auxKind: m.auxKind,
    auxFunc: m.auxFunc,
    aux: m.auxSlots.slice(),
  };
}

/** Restores a snapshot taken from a machine of the same compiled module and limits. */
export function restore(m: Machine, s: MachineSnapshot): void {
  m.status = s.status;
  m.trap = s.trap;
  m.pc = s.pc;
  m.sp = s.sp;
  m.fp = s.fp;
  m.depth = s.depth;
  m.steps = s.steps;
  m.stack32.set(s.stack);
  m.frames.set(s.frames);
  m.globals32.set(s.globals);
  if (s.nonZeroPages) {
    // Only the named pages are copied, into a fresh (zero) memory: a large, mostly zero
    // memory costs what its non-zero pages do.
    m.memory = new Uint8Array(s.memory.length);
    m.view = new DataView(m.memory.buffer);
    for (const p of s.nonZeroPages) m.memory.set(s.memory.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE), p * PAGE_SIZE);
  } else {
    if (m.memory.length !== s.memory.length) {
      m.memory = new Uint8Array(s.memory.length);
      m.view = new DataView(m.memory.buffer);
    }
    m.memory.set(s.memory);
  }
  m.table = s.table.slice();
  m.dataDropped.set(s.dataDropped);
  m.elemDropped.set(s.elemDropped);
  if (m.output.length < s.output.length) m.output = new Uint8Array(Math.max(256, s.output.length));
  m.output.set(s.output);
  m.outputLength = s.output.length;
  m.changes.outputEpoch++;
  m.resultTypes = s.resultTypes;
  m.mp = s.mp;
  m.auxLen = s.auxLen;
  m.auxKind = s.auxKind;
  m.auxFunc = s.auxFunc;
  m.auxSlots = s.aux.slice();
  // Everything may differ from what a state commitment last saw.
  m.changes.dirty = new Uint8Array(m.memory.length / LEAF_SIZE);
  m.changes.dirtyList = new Int32Array(m.memory.length / LEAF_SIZE);
  m.changes.dirtyCount = 0;
  m.changes.allDirty = true;
  m.changes.globalsDirty = true;
  m.changes.minDepth = 0;
  m.changes.tableDirty = true;
  m.changes.tableWrites = undefined;
  m.changes.segmentsDirty = true;
  m.memoryPagesHint = s.nonZeroPages && new Uint8Array(m.maxPages);
  for (const p of s.nonZeroPages ?? []) m.memoryPagesHint![p] = 1;
}
