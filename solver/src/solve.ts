/**
 * Solving a task: check the module's bytes against its registration, run it on the native engine
 * (fast result), then on the interpreter to its final state for the header words and state hash the
 * market checks (no native final-state hash exists). The two runs must agree.
 */
import { compileWasm, headerWordsOf, LIMIT_NAMES, Machine, moduleFields, runNativeTask, StateCommitment, type CompiledModule, type Limits as StepperLimits } from "@vwasm/wasm-stepper";
import { toModuleFields, type Limits, type ModuleFields } from "@vwasm/sdk";
import { bytesToHex, type Hex } from "viem";

/** A task this solver refuses or cannot run, with the reason logged and stored. */
export class TaskRejected extends Error {
  override name = "TaskRejected";
  constructor(
    readonly code: "ModuleInvalid" | "ModuleMismatch" | "EnginesDisagree",
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Loads the module and checks that its bytes give exactly the registered fields. */
export function checkModule(wasm: Uint8Array, registered: ModuleFields): CompiledModule {
  let cm: CompiledModule;
  let fields: ModuleFields;
  try {
    cm = compileWasm(wasm);
    fields = toModuleFields(moduleFields(cm));
  } catch (e) {
    throw new TaskRejected("ModuleInvalid", `the module's bytes do not load: ${(e as Error).message}`);
  }
  const reg = registered as unknown as Record<string, unknown>;
  const got = fields as unknown as Record<string, unknown>;
  const differ = Object.keys(got).filter((k) => String(got[k]).toLowerCase() !== String(reg[k]).toLowerCase());
  if (differ.length) throw new TaskRejected("ModuleMismatch", `the bytes published for this module do not give its registered fields (${differ.join(", ")})`);
  return cm;
}

export interface Solution {
  finalStateHash: Hex;
  headerWords: Hex;
  output: Hex;
  steps: number;
  status: string;
  trap?: string;
  nativeMs: number;
  interpMs: number;
}

const SLICE = 1 << 22;

/** The task's on-chain limits as the stepper's (every limit of spec/state.json, in its order). */
export function limitsOf(l: Limits): StepperLimits {
  const out = {} as StepperLimits;
  for (const n of LIMIT_NAMES) out[n] = Number(l[n]);
  return out;
}

/**
 * Runs the task. `onProgress` gets the interpreter's step count every few million steps; the event
 * loop runs between slices so the daemon keeps serving metrics and other tasks' deadlines.
 */
export async function solve(cm: CompiledModule, input: Uint8Array, limits: Limits, onProgress?: (steps: number, max: number) => void): Promise<Solution> {
  const opts = { input, limits: limitsOf(limits) };
  let t = performance.now();
  const native = runNativeTask(cm, opts);
  const nativeMs = performance.now() - t;
  t = performance.now();
  const m = Machine.forTask(cm, opts);
  let next = performance.now() + 2000;
  while (m.status === "running") {
    m.runTo(m.steps + SLICE);
    if (onProgress && performance.now() > next) {
      onProgress(m.steps, native.steps);
      next = performance.now() + 2000;
    }
    await new Promise<void>((r) => setImmediate(r));
  }
  const r = m.result();
  const interpMs = performance.now() - t;
  if (r.status !== native.status || r.steps !== native.steps || r.trap !== native.trap || bytesToHex(r.output) !== bytesToHex(native.output))
    throw new TaskRejected("EnginesDisagree", `native ${native.status}/${native.steps} vs interpreter ${r.status}/${r.steps}: a bug of the stepper, report it`);
  const c = new StateCommitment(m);
  return {
    finalStateHash: bytesToHex(c.stateHash()),
    headerWords: bytesToHex(headerWordsOf(c.header())),
    output: bytesToHex(r.output),
    steps: r.steps,
    status: r.status,
    ...(r.trap ? { trap: r.trap } : {}),
    nativeMs,
    interpMs,
  };
}
