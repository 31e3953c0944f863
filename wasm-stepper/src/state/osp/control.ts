/**
 * Control flow, calls and returns, parametric and variable instructions,
 * constants. Twin of OneStepProverControl.sol.
 */
import * as Op from "../../ir/opcodes.ts";
import { NULL_FUNC, STATUS_CODE, Z, ZERO32, depthFor, frameHash, readWord } from "../header.ts";
import { VALUES_PER_STEP as K, VALUES_PER_STEP_LOG2 as K_LOG2, callGroup, isSingleCall, isSingleMove, isSingleReturn } from "../../micro.ts";
import { ProofError } from "../errors.ts";
import { StepState, eq, localsRootOf, valueWord } from "./step-state.ts";
import type { TrapCode } from "../../types.ts";

/** A micro-step register that no step of the instruction can have produced: the proof is rejected. */
function badMicro(what: string): never {
  throw new ProofError("BadMicroState", what);
}

/**
 * A taken branch: the top `keep` values move down over `drop` values; pc = target.
 * One step when isSingleMove(keep, drop); otherwise micro-stepped (spec/EXECUTION.md
 * section 5): while mp < keep, up to K kept values move to the aux chain; then up to K
 * values are dropped a step; the step that drops the last one jumps, and the kept
 * values come back from the aux chain in the following steps (unstash). `repush` is
 * the popped condition or br_table index, pushed back while the instruction repeats.
 */
export function branchTo(m: StepState, target: number, keep: number, drop: number, repush?: bigint): undefined {
  const h = m.h;
  if (isSingleMove(keep, drop)) {
    if (drop > 0) {
      const kept: bigint[] = [];
      for (let k = 0; k < keep; k++) kept.push(m.pop());
      for (let k = 0; k < drop; k++) m.pop();
      for (let k = keep - 1; k >= 0; k--) m.push(kept[k]!);
    }
    h.pc = target >>> 0;
    return;
  }
  const total = keep + drop;
  if (h.mp >= total) badMicro(`progress ${h.mp} of a move of ${total} values`);
  if (h.mp < keep) {
    const n = Math.min(K, keep - h.mp);
    for (let k = 0; k < n; k++) m.auxPush(m.pop());
    h.mp += n;
    h.auxLen += n;
  } else {
    const n = Math.min(K, total - h.mp);
    for (let k = 0; k < n; k++) m.pop();
    h.mp += n;
    if (h.mp === total) {
      h.mp = 0;
      h.pc = target >>> 0;
      return;
    }
  }
  if (repush !== undefined) m.push(repush);
}

/** A pending unstash step (mp = 0, auxLen > 0): up to K values move back from the aux chain. */
export function unstash(m: StepState): undefined {
  const h = m.h;
  const n = Math.min(K, h.auxLen);
  for (let k = 0; k < n; k++) m.push(m.auxPop());
  h.auxLen -= n;
}

/** Pops the current frame: the caller's state comes back from the revealed frame record. */
function popFrame(m: StepState): void {
  const h = m.h;
  if (h.depth === 0) throw new ProofError("NoFrame", "return from the bottom frame");
  const f = m.w.frame();
  if (!eq(frameHash(f.prev, f.returnPc, f.callerFp, f.callerNlocals, f.callerLocalsRoot, f.callerTop, f.callerOperands), h.framesHash))
    throw new ProofError("BadFrameProof", "frame record does not match the frames hash");
  const calleeFp = h.fp;
  h.framesHash = f.prev;
  h.fp = f.callerFp;
  h.nlocals = f.callerNlocals;
  h.localsRoot = f.callerLocalsRoot;
  h.top = f.callerTop;
  h.operands = f.callerOperands;
  m.topValid = true;
  h.sp = calleeFp;
  h.depth--;
  h.pc = f.returnPc;
}

/**
 * Returns `keep` values to the caller. One step when isSingleReturn(keep);
 * otherwise up to K results move to the aux chain a step, the step that moves the
 * last one pops the frame, and the results come back in the caller (unstash).
 */
export function doReturn(m: StepState, keep: number, repush?: bigint): undefined {
  const h = m.h;
  if (isSingleReturn(keep)) {
    const kept: bigint[] = [];
    for (let k = 0; k < keep; k++) kept.push(m.pop());
    popFrame(m);
    for (let k = keep - 1; k >= 0; k--) m.push(kept[k]!);
    return;
  }
  if (h.mp >= keep) badMicro(`progress ${h.mp} of a return of ${keep} values`);
  const n = Math.min(K, keep - h.mp);
  for (let k = 0; k < n; k++) m.auxPush(m.pop());
  h.mp += n;
  h.auxLen += n;
  if (h.mp < keep) {
    if (repush !== undefined) m.push(repush);
    return;
  }
  h.mp = 0;
  popFrame(m);
}

/** Root of an aligned group of K locals (params `vals`, then zeros): a subtree of height log2(K). */
function groupRoot(vals: bigint[]): Uint8Array {
  return localsRootOf(vals, K);
}

/**
 * Calls `f`. One step when isSingleCall(nparams); otherwise each step pops one
 * aligned group of K params (the highest first) into the pending locals tree kept
 * in `aux` (Z[depth] before the first group), and the step that moves group 0
 * enters the callee with it. The limits are checked at every step (only the first
 * can fail: nothing they read changes).
 */
export function doCall(m: StepState, f: number, fn: ReturnType<StepState["readFunc"]>, repush?: bigint): TrapCode | undefined {
  const h = m.h;
  if (fn.entry === NULL_FUNC) throw new ProofError("HostFunctionCalled", `function ${f} is a host function`);
  const single = isSingleCall(fn.nparams);
  if (!single && (h.mp >= fn.nparams || fn.nlocals < fn.nparams)) badMicro(`progress ${h.mp} of a call with ${fn.nparams} params and ${fn.nlocals} locals`);
  const nfp = h.sp + (single ? 0 : h.mp) - fn.nparams;
  if (h.depth >= h.maxCallDepth) return "call_stack_exhausted";
  if (nfp + fn.nlocals + fn.maxHeight > h.maxValueStack) return "value_stack_exhausted";
  let locals: Uint8Array;
  if (single) {
    const params: bigint[] = [];
    for (let k = 0; k < fn.nparams; k++) params.push(m.pop());
    params.reverse();
    locals = localsRootOf(params, fn.nlocals);
  } else {
    const depth = depthFor(fn.nlocals);
    const { g, lo, hi } = callGroup(fn.nparams, h.mp);
    const vals: bigint[] = [];
    for (let k = lo; k < hi; k++) vals.push(m.pop());
    vals.reverse();
    const pending = h.mp === 0 ? Z[depth]! : h.aux;
    const it = m.readLeaf("pending", g, depth - K_LOG2, pending);
    locals = m.writeLeaf("pending", g, it, groupRoot(vals));
    h.mp += hi - lo;
    if (h.mp < fn.nparams) {
      h.aux = locals;
      if (repush !== undefined) m.push(repush);
      return;
    }
    h.mp = 0;
    h.aux = ZERO32;
  }
  // The caller is suspended with its top operand known (spec/STATE.md section 2).
  m.settle();
  h.framesHash = frameHash(h.framesHash, h.pc + 1, h.fp, h.nlocals, h.localsRoot, h.top, h.operands);
  h.localsRoot = locals;
  h.fp = nfp;
  h.nlocals = fn.nlocals;
  h.top = 0n;
  h.operands = ZERO32;
  m.topValid = true;
  h.sp = nfp + fn.nlocals;
  h.depth++;
  h.pc = fn.entry;
}


/** Executes a control, parametric, variable or constant instruction; returns its trap code, if it traps. */
export function executeControl(m: StepState, op: number, a: number, b: number, c: number): TrapCode | undefined {
  const h = m.h;
  switch (op) {
    // ---- control ----
    case Op.UNREACHABLE:
      return "unreachable";
    case Op.BR:
      return branchTo(m, a, b, c);
    case Op.BR_IF: {
      const cond = m.pop();
      if (cond !== 0n) return branchTo(m, a, b, c, cond);
      h.pc++;
      return;
    }
    case Op.BR_UNLESS:
      h.pc = m.pop() === 0n ? a >>> 0 : h.pc + 1;
      return;
    case Op.BR_TABLE: {
      const i = m.pop();
      const n = a >>> 0;
      const [eop, ea, eb, ec] = m.readInstruction(h.pc + 1 + (i < BigInt(n) ? Number(i) : n));
      if (eop !== Op.BR_TABLE_ENTRY) throw new ProofError("BadInstruction", "br_table entry expected");
      if (ea === -1) return doReturn(m, eb, i);
      return branchTo(m, ea, eb, ec, i);
    }
    case Op.RETURN:
      return doReturn(m, a);
    case Op.RETURN_IF: {
      const cond = m.pop();
      if (cond !== 0n) return doReturn(m, a, cond);
      h.pc++;
      return;
    }
    case Op.CALL:
      return doCall(m, a, m.readFunc(a));
    case Op.CALL_INDIRECT: {
      const i = m.pop();
      if (i >= BigInt(h.tableSize)) return "out_of_bounds_table";
      const k = Number(i);
      const e = m.readLeaf("table", k, depthFor(h.tableSize), h.tableRoot);
      const fw = readWord(e.leaf);
      if (fw === BigInt(NULL_FUNC)) return "indirect_call_null";
      const f = fw >= BigInt(h.nFuncs) ? h.nFuncs : Number(fw);
      const fn = m.readFunc(f);
      if (fn.typeId !== b >>> 0) return "indirect_call_type_mismatch";
      return doCall(m, f, fn, i);
    }
    case Op.FINISH:
      h.status = STATUS_CODE.finished;
      return;
    // ---- parametric and variables ----
    case Op.DROP:
      m.pop();
      h.pc++;
      return;
    case Op.SELECT: {
      const cond = m.pop();
      const y = m.pop();
      const x = m.pop();
      m.push(cond !== 0n ? x : y);
      h.pc++;
      return;
    }
    case Op.LOCAL_GET: {
      if (a >>> 0 >= h.nlocals) throw new ProofError("LocalOutOfRange", `local ${a} >= ${h.nlocals}`);
      const it = m.readLeaf("locals", a, depthFor(h.nlocals), h.localsRoot);
      m.push(readWord(it.leaf));
      h.pc++;
      return;
    }
    case Op.LOCAL_SET:
    case Op.LOCAL_TEE: {
      const v = m.pop();
      if (a >>> 0 >= h.nlocals) throw new ProofError("LocalOutOfRange", `local ${a} >= ${h.nlocals}`);
      const it = m.readLeaf("locals", a, depthFor(h.nlocals), h.localsRoot);
      h.localsRoot = m.writeLeaf("locals", a, it, valueWord(v));
      if (op === Op.LOCAL_TEE) m.push(v);
      h.pc++;
      return;
    }
    case Op.GLOBAL_GET: {
      if (a >>> 0 >= h.nGlobals) throw new ProofError("GlobalOutOfRange", `global ${a} >= ${h.nGlobals}`);
      const it = m.readLeaf("globals", a, depthFor(h.nGlobals), h.globalsRoot);
      m.push(readWord(it.leaf));
      h.pc++;
      return;
    }
    case Op.GLOBAL_SET: {
      const v = m.pop();
      if (a >>> 0 >= h.nGlobals) throw new ProofError("GlobalOutOfRange", `global ${a} >= ${h.nGlobals}`);
      const it = m.readLeaf("globals", a, depthFor(h.nGlobals), h.globalsRoot);
      h.globalsRoot = m.writeLeaf("globals", a, it, valueWord(v));
      h.pc++;
      return;
    }
    case Op.I32_CONST:
      m.push(BigInt(a >>> 0));
      h.pc++;
      return;
    case Op.I64_CONST:
      m.push((BigInt(b >>> 0) << 32n) | BigInt(a >>> 0));
      h.pc++;
      return;
  }
  throw new ProofError("UnknownOpcode", `opcode ${op} is not a control instruction`);
}
