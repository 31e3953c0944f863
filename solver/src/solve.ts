/**
 * Solving a task: check the module's bytes against its registration, then run it with the native
 * final state (wasm-stepper nativeFinalState): the result, the state hash and the header words the
 * market checks, at native speed when the task finishes (interpreted when it traps or runs out of
 * steps).
 */
import { compileWasm, LIMIT_NAMES, moduleFields, nativeFinalState, STATUS_NAME, type CompiledModule, type FinalStateThread, type Limits as StepperLimits } from "@vwasm/wasm-stepper";
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
  /** "native": computed from the V8 instance; "interpreter": interpreted to the end (trap, out of steps, hidden state). */
  engine: "native" | "interpreter";
  nativeMs: number;
  interpMs: number;
}

/** The task's on-chain limits as the stepper's (every limit of spec/state.json, in its order). */
export function limitsOf(l: Limits): StepperLimits {
  const out = {} as StepperLimits;
  for (const n of LIMIT_NAMES) out[n] = Number(l[n]);
  return out;
}

/**
 * Runs the task: `nativeFinalState` gives the result with its final state hash and header words at
 * native speed; a trap, out-of-steps or a module with hidden state is interpreted to its end instead
 * (see wasm-stepper's final-state.ts). With `thread` (a FinalStateThread) that runs in a worker
 * thread, so the daemon's event loop keeps serving its games and deadlines meanwhile. The result
 * and the header it committed to must agree.
 */
export async function solve(cm: CompiledModule, input: Uint8Array, limits: Limits, thread?: FinalStateThread): Promise<Solution> {
  const opts = { input, limits: limitsOf(limits) };
  const f = thread ? await thread.run(cm, opts) : nativeFinalState(cm, opts);
  const r = f.result;
  if (f.header.steps !== r.steps || STATUS_NAME[f.header.status] !== r.status)
    throw new TaskRejected("EnginesDisagree", `native ${r.status}/${r.steps} vs final state ${STATUS_NAME[f.header.status]}/${f.header.steps}: a bug of the stepper, report it`);
  return {
    finalStateHash: bytesToHex(f.stateHash),
    headerWords: bytesToHex(f.headerWords),
    output: bytesToHex(r.output),
    steps: r.steps,
    status: r.status,
    ...(r.trap ? { trap: r.trap } : {}),
    engine: f.engine,
    nativeMs: f.runMs,
    interpMs: f.engine === "interpreter" ? f.hashMs : 0,
  };
}
