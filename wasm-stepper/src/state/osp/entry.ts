/**
 * One step on the state commitment: decode nothing, fetch the instruction,
 * dispatch by family, settle the result. Twin of OneStepProofEntry.sol.
 */
import * as Op from "../../ir/opcodes.ts";
import { OPCODE_FAMILIES } from "../../ir/opcodes.ts";
import { STATUS_CODE, TRAP_CODE, cloneHeader, type Header } from "../header.ts";
import { ProofError } from "../errors.ts";
import { StepState, type WitnessSource } from "./step-state.ts";
import type { TrapCode } from "../../types.ts";
import { executeControl, unstash } from "./control.ts";
import { executeMemory } from "./memory.ts";
import { executeNumeric } from "./numeric.ts";
import { executeBulk, executeHost } from "./host.ts";

/** Executes one step on `pre` with witness items from `w`; returns the post-state header. */
export function executeStep(pre: Header, w: WitnessSource): Header {
  const m = new StepState(pre, w);
  const h = m.h;
  if (h.status !== STATUS_CODE.running) return cloneHeader(pre);
  if (h.mp === 0 && h.auxLen > 0) {
    // A pending unstash (spec/EXECUTION.md section 5, "Moves of many values"): no instruction runs.
    unstash(m);
    return finishStep(m, pre);
  }
  const [op, a, b, c] = m.readInstruction(h.pc);
  let trap: TrapCode | undefined;
  switch (OPCODE_FAMILIES[op]) {
    case "control":
    case "parametric":
    case "variable":
    case "const":
      trap = executeControl(m, op, a, b, c);
      break;
    case "memory":
      trap = executeMemory(m, op, a);
      break;
    case "i32":
    case "i64":
      trap = executeNumeric(m, op);
      break;
    case "bulk":
      // The segment index is an unsigned u32 immediate (as the Solidity side reads it).
      trap = executeBulk(m, op, a >>> 0);
      break;
    case "host":
      trap = executeHost(m, op);
      break;
    default:
      throw new ProofError("UnknownOpcode", `unknown opcode ${op}`);
  }
  if (trap !== undefined) {
    // A trap changes nothing but the status, the trap code and the step count.
    const t = cloneHeader(pre);
    t.status = STATUS_CODE.trapped;
    t.trap = TRAP_CODE[trap];
    t.steps = pre.steps + 1;
    return t;
  }
  return finishStep(m, pre);
}

/** Settles the top operand and counts the step. */
function finishStep(m: StepState, pre: Header): Header {
  const h = m.h;
  m.settle();
  h.steps = pre.steps + 1;
  if (h.status === STATUS_CODE.running && h.steps === h.maxSteps) h.status = STATUS_CODE.out_of_steps;
  return h;
}
