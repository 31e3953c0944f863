/**
 * The final state of a task at native speed: runs the task on the native
 * engine, then builds the terminal state's commitment (spec/STATE.md section
 * 3) from what the V8 instance holds at the end (memory, the module's
 * globals) and what the run returned (status, step count, results, output),
 * on a Machine at step 0 of the same task for everything a run cannot change
 * or leaves as it was (code, functions, the static part, the bootstrap
 * frame's position). The hash and header words equal the interpreter's
 * `stateHashAt(task, steps)` at the end, and the result check of section 5
 * accepts them.
 *
 * What the native engine cannot know exactly, and where this falls back to
 * interpreting the whole task (`engine: "interpreter"`, `fallbackReason` says
 * why):
 * - a trapped or out-of-steps end: the terminal state keeps the frames, locals
 *   and operands of the call stack at that point, which live in V8's own
 *   stack (a run that stops with maxSteps 0 is its initial state: no cost);
 * - a module with `table.init`, `table.copy`, `data.drop` or `elem.drop`: the
 *   table entries and the dropped flags of the segments are not visible from
 *   JS (without these instructions they are those of step 0);
 * - a run the native engine itself handed to the interpreter (V8's stack
 *   overflowed before maxCallDepth, or a variant V8 does not compile).
 *
 * @example
 * const f = nativeFinalState(cm, { input, limits: { maxSteps: 1e9 } });
 * f.result.status; // "finished"
 * f.stateHash;     // equals stateHashAt({ cm, opts }, f.result.steps)
 * f.headerWords;   // the 960 bytes a result claim carries
 */
import type { CompiledModule } from "../compile/types.ts";
import { OPCODE_NAMES } from "../ir/opcodes.ts";
import { Machine } from "../machine.ts";
import { I64 } from "../module.ts";
import { StateCommitment } from "../state/commit.ts";
import type { Header } from "../state/header.ts";
import { headerWordsOf } from "../state/task.ts";
import type { RunResult } from "../types.ts";
import { NativeInstance, type NativeOptions } from "./index.ts";
import { globalExportName } from "./instrument.ts";
import type { WasmGlobal } from "./wasm-api.ts";

export interface NativeFinalState {
  /** The run's result (status, results, output, steps), as runNativeTask returns it. */
  result: RunResult;
  /** State hash of the terminal state (step `result.steps`). */
  stateHash: Uint8Array;
  /** Its header (spec/STATE.md section 4), and the header words of a result claim (section 5). */
  header: Header;
  headerWords: Uint8Array;
  /** "native": built from the V8 instance; "interpreter": the task was interpreted (see `fallbackReason`). */
  engine: "native" | "interpreter";
  fallbackReason?: string;
  /** Milliseconds of the native run, and of building the commitment (or of the interpretation). */
  runMs: number;
  hashMs: number;
}

/** Instructions whose effect (table entries, dropped segments) the native instance does not expose. */
const HIDDEN_STATE_OPS = new Set(["table.init", "table.copy", "data.drop", "elem.drop"].map((n) => OPCODE_NAMES.indexOf(n)));

const hiddenStateCache = new WeakMap<CompiledModule, string | undefined>();

/** The name of the first instruction of `cm` that changes state the native engine cannot read, if any. */
function hiddenStateOp(cm: CompiledModule): string | undefined {
  if (hiddenStateCache.has(cm)) return hiddenStateCache.get(cm);
  let found: string | undefined;
  for (let pc = 0; pc < cm.length; pc++) {
    const op = cm.code[pc * 4]!;
    if (HIDDEN_STATE_OPS.has(op)) {
      found = OPCODE_NAMES[op];
      break;
    }
  }
  hiddenStateCache.set(cm, found);
  return found;
}

function commit(m: Machine): { stateHash: Uint8Array; header: Header; headerWords: Uint8Array } {
  const c = new StateCommitment(m);
  const stateHash = c.stateHash();
  const header = c.header();
  return { stateHash, header, headerWords: headerWordsOf(header) };
}

/**
 * Runs the task of `cm` natively and returns its result with the final
 * state's hash and header words (see the file comment for the cases that are
 * interpreted instead).
 */
export function nativeFinalState(cm: CompiledModule, opts: NativeOptions = {}): NativeFinalState {
  const machineOpts = { ...(opts.input ? { input: opts.input } : {}), ...(opts.limits ? { limits: opts.limits } : {}) };
  let t = performance.now();
  const inst = NativeInstance.forTask(cm, opts);
  const result = inst.runTask();
  const runMs = performance.now() - t;
  const fin = inst.taskInstance;
  const why =
    inst.fallbackReason !== undefined || !fin
      ? `the native engine interpreted the task (${inst.fallbackReason ?? "no native instance"})`
      : result.status !== "finished"
        ? `the task ended ${result.status}${result.trap ? ` (${result.trap})` : ""}: its frames and operands at that point are inside V8`
        : !fin.exact
          ? "the native run's final memory is not exact"
          : hiddenStateOp(cm) !== undefined
            ? `the module uses ${hiddenStateOp(cm)}: the table and the dropped segments are not visible natively`
            : undefined;
  t = performance.now();
  const m = Machine.forTask(cm, machineOpts);
  if (why !== undefined) {
    m.run();
    return { result, ...commit(m), engine: "interpreter", fallbackReason: why, runMs, hashMs: performance.now() - t };
  }
  const s = m.snapshot();
  // The bootstrap frame after `finish` (EXECUTION.md section 6): pc at the
  // `finish` record, the run's results as its operands, nothing below it.
  const finishPc = cm.taskBootstrap + (cm.module.start !== undefined ? 2 : 1);
  const stack = new Int32Array(result.results.length * 2);
  const stackView = new BigInt64Array(stack.buffer);
  result.results.forEach((v, i) => {
    if (v.type === "i32") stack[i * 2] = v.value | 0;
    else stackView[i] = BigInt.asIntN(64, v.value);
  });
  const globals = new Int32Array(cm.module.globals.length * 2);
  const globalsView = new BigInt64Array(globals.buffer);
  cm.module.globals.forEach((g, i) => {
    const v = (fin!.instance.exports[globalExportName(i)] as WasmGlobal).value;
    if (g.type === I64) globalsView[i] = BigInt.asIntN(64, v as bigint);
    else globals[i * 2] = Number(v) | 0;
  });
  m.restore({
    ...s,
    status: "finished",
    trap: undefined,
    pc: finishPc,
    sp: result.results.length,
    fp: 0,
    depth: 0,
    steps: result.steps,
    stack,
    frames: new Int32Array(0),
    globals,
    memory: fin!.memory ? new Uint8Array(fin!.memory.buffer) : s.memory,
    output: result.output,
  });
  return { result, ...commit(m), engine: "native", runMs, hashMs: performance.now() - t };
}
