/**
 * Control flow, calls and returns, parametric and variable instructions,
 * constants. Twin of OneStepProverControl.sol.
 */
import * as Op from "../../ir/opcodes.ts";
import { NULL_FUNC, STATUS_CODE, ZERO32, depthFor, frameHash, readWord } from "../header.ts";
import { ProofError } from "../errors.ts";
import { MASK64, StepState, Trap, eq, localsRootOf, valueWord } from "./state.ts";

export function branchTo(m: StepState, target: number, keep: number, drop: number): void {
  const h = m.h;
  if (drop > 0) {
    const kept: bigint[] = [];
    for (let k = 0; k < keep; k++) kept.push(m.pop());
    for (let k = 0; k < drop; k++) m.pop();
    for (let k = keep - 1; k >= 0; k--) m.push(kept[k]!);
  }
  h.pc = target >>> 0;
}


export function doReturn(m: StepState, keep: number): void {
  const h = m.h;
  const kept: bigint[] = [];
  for (let k = 0; k < keep; k++) kept.push(m.pop());
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
  for (let k = keep - 1; k >= 0; k--) m.push(kept[k]!);
  h.depth--;
  h.pc = f.returnPc;
}


export function doCall(m: StepState, f: number, fn: ReturnType<StepState["readFunc"]>): void {
  const h = m.h;
  if (fn.entry === NULL_FUNC) throw new ProofError("HostFunctionCalled", `function ${f} is a host function`);
  const nfp = h.sp - fn.nparams;
  if (h.depth >= h.maxCallDepth) throw new Trap("call_stack_exhausted");
  if (nfp + fn.nlocals + fn.maxHeight > h.maxValueStack) throw new Trap("value_stack_exhausted");
  const params: bigint[] = [];
  for (let k = 0; k < fn.nparams; k++) params.push(m.pop());
  params.reverse();
  // The caller is suspended with its top operand known (spec/STATE.md section 2).
  m.settle();
  h.framesHash = frameHash(h.framesHash, h.pc + 1, h.fp, h.nlocals, h.localsRoot, h.top, h.operands);
  h.localsRoot = localsRootOf(params, fn.nlocals);
  h.fp = nfp;
  h.nlocals = fn.nlocals;
  h.top = 0n;
  h.operands = ZERO32;
  m.topValid = true;
  h.sp = nfp + fn.nlocals;
  h.depth++;
  h.pc = fn.entry;
}


/** Executes a control, parametric, variable or constant instruction. */
export function executeControl(m: StepState, op: number, a: number, b: number, c: number): void {
  const h = m.h;
  switch (op) {
    // ---- control ----
    case Op.UNREACHABLE:
      throw new Trap("unreachable");
    case Op.BR:
      return branchTo(m, a, b, c);
    case Op.BR_IF:
      if (m.pop() !== 0n) return branchTo(m, a, b, c);
      h.pc++;
      return;
    case Op.BR_UNLESS:
      h.pc = m.pop() === 0n ? a >>> 0 : h.pc + 1;
      return;
    case Op.BR_TABLE: {
      const k = Number(m.pop());
      const n = a >>> 0;
      const [eop, ea, eb, ec] = m.readInstruction(h.pc + 1 + Math.min(k, n));
      if (eop !== Op.BR_TABLE_ENTRY) throw new ProofError("BadInstruction", "br_table entry expected");
      if (ea === -1) return doReturn(m, eb);
      return branchTo(m, ea, eb, ec);
    }
    case Op.RETURN:
      return doReturn(m, a);
    case Op.RETURN_IF:
      if (m.pop() !== 0n) return doReturn(m, a);
      h.pc++;
      return;
    case Op.CALL:
      return doCall(m, a, m.readFunc(a));
    case Op.CALL_INDIRECT: {
      const k = Number(m.pop());
      if (k >= h.tableSize) throw new Trap("out_of_bounds_table");
      const e = m.readLeaf("table", k, depthFor(h.tableSize), h.tableRoot);
      const f = Number(readWord(e.leaf));
      if (f === NULL_FUNC) throw new Trap("indirect_call_null");
      const fn = m.readFunc(f);
      if (fn.typeId !== b >>> 0) throw new Trap("indirect_call_type_mismatch");
      return doCall(m, f, fn);
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
