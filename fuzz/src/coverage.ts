/**
 * What the generated cases reached: IR opcodes executed, trap codes, terminal statuses and task
 * limits hit, loader outcomes. Merged across oracles for the summary the command prints.
 */
import opcodes from "@vwasm/wasm-stepper/spec/opcodes.json" with { type: "json" };
import state from "@vwasm/wasm-stepper/spec/state.json" with { type: "json" };
import { OPCODE_NAMES } from "@vwasm/wasm-stepper/opcodes";
import type { Machine, RunResult, StepperError } from "@vwasm/wasm-stepper";

/** The task limits (spec/EXECUTION.md section 4) and how a run shows it hit each. */
export const LIMITS = ["maxSteps", "maxCallDepth", "maxValueStack", "maxOutputBytes", "maxMemoryPages", "maxTableEntries"] as const;
export type LimitName = (typeof LIMITS)[number];

/** Opcodes a run can execute: br_table_entry is data read by br_table, never a step of its own. */
export const EXECUTABLE_OPCODES: string[] = opcodes.opcodes.map((o) => o.name).filter((n) => n !== "br_table_entry");
export const TRAP_CODES: string[] = Object.keys(state.traps).filter((t) => t !== "none");

function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

export class Coverage {
  readonly ops = new Map<string, number>();
  readonly traps = new Map<string, number>();
  readonly statuses = new Map<string, number>();
  readonly limits = new Map<string, number>();
  /** Other outcomes: of loads ("ran:<status>" or the error class), of tampered witnesses, of refused instantiations. */
  readonly outcomes = new Map<string, number>();

  op(code: number): void {
    bump(this.ops, OPCODE_NAMES[code] ?? `op${code}`);
  }

  /** Records a terminal result (status, trap, the limit it shows). */
  result(r: Pick<RunResult, "status" | "trap">): void {
    bump(this.statuses, r.status);
    if (r.trap) bump(this.traps, r.trap);
    const limit: LimitName | undefined =
      r.status === "out_of_steps" ? "maxSteps"
      : r.trap === "call_stack_exhausted" ? "maxCallDepth"
      : r.trap === "value_stack_exhausted" ? "maxValueStack"
      : r.trap === "output_limit" ? "maxOutputBytes"
      : undefined;
    if (limit) bump(this.limits, limit);
  }

  /** memory.grow refused by the task's page limit (not the module's own maximum). */
  pageLimit(): void {
    bump(this.limits, "maxMemoryPages");
  }

  /** A task refused at instantiation: counts the table limit when that was the reason. */
  refused(e: StepperError): void {
    if (e.kind === "limit" && e.section === "table") bump(this.limits, "maxTableEntries");
  }

  outcome(what: string): void {
    bump(this.outcomes, what);
  }

  merge(o: Coverage): void {
    for (const k of ["ops", "traps", "statuses", "limits", "outcomes"] as const) for (const [a, n] of o[k]) bump(this[k], a, n);
  }

  missing(): { ops: string[]; traps: string[]; limits: string[] } {
    return {
      ops: EXECUTABLE_OPCODES.filter((o) => !this.ops.has(o)),
      traps: TRAP_CODES.filter((t) => !this.traps.has(t)),
      limits: LIMITS.filter((l) => !this.limits.has(l)),
    };
  }

  summary(): string {
    const m = this.missing();
    const lines = [
      `opcodes hit: ${EXECUTABLE_OPCODES.length - m.ops.length}/${EXECUTABLE_OPCODES.length}${m.ops.length ? ` (missing: ${m.ops.join(" ")})` : ""}`,
      `trap codes hit: ${TRAP_CODES.length - m.traps.length}/${TRAP_CODES.length}${m.traps.length ? ` (missing: ${m.traps.join(" ")})` : ""}  ${fmt(this.traps)}`,
      `limits hit: ${LIMITS.length - m.limits.length}/${LIMITS.length}${m.limits.length ? ` (missing: ${m.limits.join(" ")})` : ""}  ${fmt(this.limits)}`,
      `statuses: ${fmt(this.statuses)}`,
    ];
    if (this.outcomes.size) lines.push(`other outcomes: ${fmt(this.outcomes)}`);
    return lines.join("\n");
  }
}

function fmt(m: Map<string, number>): string {
  return [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(" ");
}

const MEMORY_GROW = OPCODE_NAMES.indexOf("memory.grow");

/**
 * Steps `m` to its end, recording every opcode executed and memory.grow refused by the task's
 * page limit; `afterStep` runs after each step (the reference oracle hashes there). Returns the
 * machine's result.
 */
export function stepRecording(m: Machine, cov: Coverage, afterStep?: () => void): RunResult {
  const code = m.cm.code;
  while (m.status === "running") {
    const op = code[m.pc * 4]!;
    cov.op(op);
    if (op === MEMORY_GROW) {
      const pagesBefore = m.memory.length / 65536;
      const delta = m.stack32[(m.sp - 1) * 2]! >>> 0;
      m.step();
      if (m.status === "running" && delta > 0 && pagesBefore + delta > m.limits.maxMemoryPages && (m.stack32[(m.sp - 1) * 2]! | 0) === -1) cov.pageLimit();
    } else m.step();
    afterStep?.();
  }
  const r = m.result();
  cov.result(r);
  return r;
}
