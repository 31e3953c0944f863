/**
 * Moves of many values, micro-stepped (spec/EXECUTION.md section 5, "Moves of many
 * values"): a branch, return or call that moves more than K values runs here one step at
 * a time, on the interpreter's flat value stack, through the same states the proof
 * semantics (src/state/osp/control.ts) commit to.
 */
import * as Op from "../ir/opcodes.ts";
import { StepperError } from "../errors.ts";
import type { Machine } from "../machine.ts";
import { VALUES_PER_STEP, callGroup } from "../micro.ts";
import type { TrapCode } from "../types.ts";

const K = VALUES_PER_STEP;
/** What the aux slots hold (Machine.auxKind). */
export const AUX_NONE = 0;
export const AUX_CHAIN = 1;
export const AUX_PENDING = 2;

/** Runs micro-steps while a move is in progress, up to `until` steps. */
export function microSteps(m: Machine, until: number): void {
  while (m.status === "running" && m.steps < until && (m.mp !== 0 || m.auxLen !== 0)) microStep(m);
}

/**
 * One step of a branch, return or call that moves more than K values, on the
 * flat value stack; the same states the proof semantics (osp/control.ts) commit to.
 */
export function microStep(m: Machine): void {
  const S = m.stack32;
  const code = m.cm.code;
  m.steps++;
  let trap: TrapCode | undefined;
  if (m.mp === 0 && m.auxLen > 0) {
    // Unstash: up to K values come back from the aux chain.
    const n = Math.min(K, m.auxLen);
    const A = m.auxSlots;
    let sp = m.sp;
    for (let k = 0; k < n; k++) {
      const a = --m.auxLen << 1;
      S[sp << 1] = A[a]!;
      S[(sp << 1) + 1] = A[a + 1]!;
      sp++;
    }
    m.sp = sp;
    if (m.auxLen === 0) m.auxKind = AUX_NONE;
  } else {
    const i = m.pc << 2;
    const op = code[i]!;
    switch (op) {
      case Op.BR:
        microMove(m, code[i + 1]!, code[i + 2]!, code[i + 3]!, false);
        break;
      case Op.BR_IF:
        // Only a taken branch is micro-stepped: its condition stays non-zero while it repeats.
        microMove(m, code[i + 1]!, code[i + 2]!, code[i + 3]!, true);
        break;
      case Op.BR_TABLE: {
        const n = code[i + 1]! >>> 0;
        const k = S[(m.sp - 1) << 1]! >>> 0;
        const e = (m.pc + 1 + (k < n ? k : n)) << 2;
        if (code[e + 1]! < 0) microReturn(m, code[e + 2]!, true);
        else microMove(m, code[e + 1]!, code[e + 2]!, code[e + 3]!, true);
        break;
      }
      case Op.RETURN:
        microReturn(m, code[i + 1]!, false);
        break;
      case Op.RETURN_IF:
        microReturn(m, code[i + 1]!, true);
        break;
      case Op.CALL:
      case Op.CALL_INDIRECT:
        trap = microCall(m, op, code[i + 1]!, code[i + 2]!);
        break;
      default:
        throw new StepperError("invalid", `internal error: opcode ${op} at pc ${m.pc} is not micro-stepped`);
    }
  }
  if (trap !== undefined) {
    m.status = "trapped";
    m.trap = trap;
  } else if (m.steps >= m.limits.maxSteps) m.status = "out_of_steps";
}

/** Pushes the top slot onto the aux chain. */
export function auxPush(m: Machine, sp: number): void {
  const a = m.auxLen << 1;
  if (a + 2 > m.auxSlots.length) growAux(m, a + 2);
  m.auxSlots[a] = m.stack32[sp << 1]!;
  m.auxSlots[a + 1] = m.stack32[(sp << 1) + 1]!;
  m.auxLen++;
  m.auxKind = AUX_CHAIN;
}

export function growAux(m: Machine, words: number): void {
  const a = new Int32Array(Math.max(words, m.auxSlots.length * 2));
  a.set(m.auxSlots);
  m.auxSlots = a;
}

/** A step of a taken branch moving `keep` values over `drop` (osp/control.ts branchTo). */
export function microMove(m: Machine, target: number, keep: number, drop: number, repush: boolean): void {
  const S = m.stack32;
  let sp = m.sp;
  if (repush) sp--;
  const rlo = S[sp << 1]!;
  const rhi = S[(sp << 1) + 1]!;
  const total = keep + drop;
  if (m.mp < keep) {
    const n = Math.min(K, keep - m.mp);
    for (let k = 0; k < n; k++) auxPush(m, --sp);
    m.mp += n;
  } else {
    const n = Math.min(K, total - m.mp);
    sp -= n;
    m.mp += n;
    if (m.mp === total) {
      m.mp = 0;
      m.pc = target;
      m.sp = sp;
      return;
    }
  }
  if (repush) {
    S[sp << 1] = rlo;
    S[(sp << 1) + 1] = rhi;
    sp++;
  }
  m.sp = sp;
}

/** A step of a return of `keep` values (osp/control.ts doReturn). */
export function microReturn(m: Machine, keep: number, repush: boolean): void {
  const S = m.stack32;
  let sp = m.sp;
  if (repush) sp--;
  const rlo = S[sp << 1]!;
  const rhi = S[(sp << 1) + 1]!;
  const n = Math.min(K, keep - m.mp);
  for (let k = 0; k < n; k++) auxPush(m, --sp);
  m.mp += n;
  if (m.mp < keep) {
    if (repush) {
      S[sp << 1] = rlo;
      S[(sp << 1) + 1] = rhi;
      sp++;
    }
    m.sp = sp;
    return;
  }
  // The last results moved aside: pop the frame (the results come back in the caller).
  m.mp = 0;
  m.depth--;
  if (m.depth < m.changes.minDepth) m.changes.minDepth = m.depth;
  m.sp = m.fp;
  m.pc = m.frames[m.depth * 3]!;
  m.fp = m.frames[m.depth * 3 + 1]!;
}

/** A step of a call with more than K params (osp/control.ts doCall). */
export function microCall(m: Machine, op: number, a: number, b: number): TrapCode | undefined {
  const S = m.stack32;
  let sp = m.sp;
  let f = a;
  if (op === Op.CALL_INDIRECT) {
    const k = S[(sp - 1) << 1]! >>> 0;
    if (k >= m.table.length) return "out_of_bounds_table";
    f = m.table[k]!;
    if (f < 0) return "indirect_call_null";
    if (m.fType[f] !== b) return "indirect_call_type_mismatch";
    sp--;
  }
  const n = m.fParams[f]!;
  const nlocals = m.fLocals[f]!;
  const nfp = sp + m.mp - n;
  if (m.depth >= m.limits.maxCallDepth) return "call_stack_exhausted";
  if (nfp + nlocals + m.fMax[f]! > m.limits.maxValueStack) return "value_stack_exhausted";
  const rlo = S[sp << 1]!;
  const rhi = S[(sp << 1) + 1]!;
  if (m.mp === 0) {
    if (m.auxSlots.length < nlocals * 2) growAux(m, nlocals * 2);
    m.auxSlots.fill(0, 0, nlocals * 2);
    m.auxKind = AUX_PENDING;
    m.auxFunc = f;
  }
  const A = m.auxSlots;
  const { lo, hi } = callGroup(n, m.mp);
  for (let p = hi - 1; p >= lo; p--) {
    sp--;
    A[p << 1] = S[sp << 1]!;
    A[(p << 1) + 1] = S[(sp << 1) + 1]!;
  }
  m.mp += hi - lo;
  if (m.mp < n) {
    if (op === Op.CALL_INDIRECT) {
      S[sp << 1] = rlo;
      S[(sp << 1) + 1] = rhi;
      sp++;
    }
    m.sp = sp;
    return undefined;
  }
  // The last group: enter the callee with the pending locals.
  m.mp = 0;
  m.auxKind = AUX_NONE;
  m.auxFunc = -1;
  const r = m.depth * 3;
  m.frames[r] = m.pc + 1;
  m.frames[r + 1] = m.fp;
  m.frames[r + 2] = f;
  m.depth++;
  S.set(A.subarray(0, nlocals * 2), nfp * 2);
  m.fp = nfp;
  m.sp = nfp + nlocals;
  m.pc = m.fEntry[f]!;
  return undefined;
}
