/**
 * The native engine: runs invocations and tasks on V8's own WebAssembly, on
 * the module instrumented (instrument.ts) to count steps exactly as
 * spec/EXECUTION.md defines them, with the same status, trap code, results,
 * output and step count as the interpreter (src/machine.ts).
 *
 * How a run goes:
 * 1. FAST variant (per-region counting). Its outcomes are exact except a
 *    trap raised by V8 itself (the counter is ahead inside a region) and a
 *    V8 stack overflow. A stop at the limit is exact for the RESULT (the
 *    counter is exact at every check, and host calls, which produce the
 *    output, see exact counts and write partially at the limit); the memory
 *    left behind may be past the limit point unless the check found exactly
 *    `maxSteps`.
 * 2. Otherwise the invocation is re-run from scratch in the PRECISE variant
 *    (for a persistent instance: a new precise instance replays the start
 *    function and every earlier invocation first; the instance then stays
 *    precise). Traps are terminal and rare, so the common path pays nothing.
 * 3. If V8's own stack overflows before the task's `maxCallDepth` is reached
 *    (a JS RangeError, which cannot be mapped to a step), the run falls back
 *    to the interpreter.
 *
 * The bootstrap of EXECUTION.md section 6 (`call f`, `finish`) is executed
 * here in JS: each bootstrap `call` and the `finish` are one step.
 */
import type { CompiledModule } from "../compile/types.ts";
import { LinkError, StepperError, UsageError } from "../errors.ts";
import { Machine, checkInvocation, checkLimits } from "../machine.ts";
import { instantiate } from "../instantiate.ts";
import { I32, type ValType } from "../module.ts";
import { checkInstanceFits } from "../task-limits.ts";
import { DEFAULT_LIMITS, type Limits, type RunResult, type TrapCode, type Value } from "../types.ts";
import { byteMovePrefix, byteMoveSteps } from "../micro.ts";
import {
  EXP,
  SIG_CALL_STACK,
  SIG_STOP,
  SIG_VALUE_STACK,
  funcExportName,
  instrumentModule,
  type InstrumentOptions,
} from "./instrument.ts";
import { WA, type WasmGlobal, type WasmInstance, type WasmMemory, type WasmModule, type WasmTable } from "./wasm-api.ts";

export { instrumentModule, type InstrumentOptions } from "./instrument.ts";

export interface NativeOptions {
  input?: Uint8Array;
  limits?: Partial<Limits>;
  /**
   * Run the precise variant only (a check before every step). Slower, but the
   * instance's state is exact after every outcome; used by tests to check the
   * precise variant on its own.
   */
  precise?: boolean;
}

/** Which engine produced the results of an instance (for tests and diagnostics). */
export type NativeEngine = "fast" | "precise" | "interpreter";



/** Thrown by a host function to end the run at the step limit (unwinds through the Wasm frames). */
class StopSignal {
  constructor(readonly exact: boolean) {}
}

/** Thrown by a host function that traps; `steps` counts the trapping step. */
class HostTrap {
  constructor(
    readonly code: TrapCode,
    readonly steps: number,
  ) {}
}

/** One instantiation of an instrumented variant. */
interface Variant {
  precise: boolean;
  instance: WasmInstance;
  rem: WasmGlobal;
  used: WasmGlobal;
  sig: WasmGlobal;
  depthLeft: WasmGlobal;
  fp: WasmGlobal;
  idx: WasmGlobal;
  memory?: WasmMemory;
  table?: WasmTable;
}

/**
 * The outcome of running a bootstrap sequence on a variant:
 * - done: a result; `exact` says whether the instance's state is exactly the
 *   interpreter's after it (always true for the result itself);
 * - retry: the fast variant cannot give the exact result (a V8 trap, or V8's
 *   stack overflowed): re-run precisely;
 * - fallback: V8's stack overflowed in the precise variant: use the interpreter.
 */
type Outcome = { kind: "done"; result: RunResult; exact: boolean } | { kind: "retry" } | { kind: "fallback" };

interface Flags {
  trackDepth: boolean;
  trackValueStack: boolean;
}

const compiled = new WeakMap<CompiledModule, Map<string, WasmModule | Error>>();
const flagCache = new WeakMap<CompiledModule, { acyclic: boolean; maxChain: number; maxFrame: number }>();

/**
 * The compiled instrumented variant, cached per compiled module. A variant V8
 * refuses (its own limits: function body size, number of locals, both grown
 * by the instrumentation) is returned as the Error; the caller falls back.
 */
/**
 * Deepest block nesting the native engine hands to V8: V8's compilers keep
 * state per open block (about 800 bytes measured: 10^6 nested blocks took
 * 1.2 GB), so deeper modules run on the interpreter (same results).
 */
export const NATIVE_MAX_NESTING = 10_000;

function compiledVariant(cm: CompiledModule, opts: InstrumentOptions): WasmModule | Error {
  let byKey = compiled.get(cm);
  if (!byKey) compiled.set(cm, (byKey = new Map()));
  const key = `${opts.precise ? "p" : "f"}${opts.trackDepth ? "d" : ""}${opts.trackValueStack ? "v" : ""}`;
  let wm = byKey.get(key);
  if (!wm) {
    const { bytes, maxNesting } = instrumentModule(cm, opts);
    if (maxNesting > NATIVE_MAX_NESTING) {
      wm = new Error(`blocks nest ${maxNesting} deep, more than the ${NATIVE_MAX_NESTING} V8 compiles in bounded memory`);
    } else {
      try {
        wm = new WA.Module(bytes);
      } catch (e) {
        if (!(e instanceof WA.CompileError)) throw e;
        wm = e;
      }
    }
    byKey.set(key, wm);
  }
  return wm;
}

/**
 * Static facts deciding which limit checks the instrumented code needs: the
 * call graph (direct calls, and call_indirect to every function an element
 * segment can put in the table), whether it has a cycle, the longest chain of
 * frames, and the largest frame (nlocals + maxHeight).
 */
function callGraphFacts(cm: CompiledModule): { acyclic: boolean; maxChain: number; maxFrame: number } {
  const cached = flagCache.get(cm);
  if (cached) return cached;
  const m = cm.module;
  const nImports = m.imports.length;
  const n = m.bodies.length;
  const tableFuncs = new Set<number>();
  for (const e of m.elems) for (const fi of e.funcs) if (fi >= nImports) tableFuncs.add(fi - nImports);
  const sites = [...cm.callSiteHeight.keys()].sort((a, b) => a - b);
  const edges: number[][] = [];
  let si = 0;
  let maxFrame = 0;
  for (let j = 0; j < n; j++) {
    const body = m.bodies[j]!;
    const f = cm.funcs[nImports + j]!;
    maxFrame = Math.max(maxFrame, f.nlocals + f.maxHeight);
    const out = new Set<number>();
    while (si < sites.length && sites[si]! < body.codeStart) si++;
    while (si < sites.length && sites[si]! < body.codeEnd) {
      const at = sites[si++]!;
      if (m.bytes[at] === 0x10) {
        // call: the callee index follows the opcode (u32 LEB128).
        let v = 0;
        let shift = 0;
        let p = at + 1;
        for (;;) {
          const b = m.bytes[p++]!;
          v += (b & 0x7f) * 2 ** shift;
          if ((b & 0x80) === 0) break;
          shift += 7;
        }
        if (v >= nImports) out.add(v - nImports);
      } else for (const t of tableFuncs) out.add(t);
    }
    edges.push([...out]);
  }
  // Longest chain (in frames) by iterative DFS; a back edge means a cycle.
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const chain = new Int32Array(n);
  let acyclic = true;
  let maxChain = 0;
  for (let root = 0; root < n && acyclic; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0 && acyclic) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      const es = edges[v]!;
      if (i < es.length) {
        top[1]++;
        const w = es[i]!;
        if (state[w] === 1) acyclic = false;
        else if (state[w] === 0) {
          state[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        let best = 0;
        for (const w of es) best = Math.max(best, chain[w]!);
        chain[v] = best + 1;
        maxChain = Math.max(maxChain, chain[v]!);
        state[v] = 2;
        stack.pop();
      }
    }
  }
  const facts = { acyclic, maxChain, maxFrame };
  flagCache.set(cm, facts);
  return facts;
}

/**
 * Limit checks needed under `limits`: depth tracking unless the call graph is
 * acyclic with chains within maxCallDepth; value-stack tracking unless no
 * reachable depth can overflow it (a frame at depth d has fp' <= (d-1) x the
 * largest frame, so d x largest frame <= maxValueStack can never trap).
 */
function flagsFor(cm: CompiledModule, limits: Limits): Flags {
  const g = callGraphFacts(cm);
  const trackDepth = !g.acyclic || g.maxChain > limits.maxCallDepth;
  const depth = g.acyclic ? Math.min(g.maxChain, limits.maxCallDepth) : limits.maxCallDepth;
  const trackValueStack = depth * g.maxFrame > limits.maxValueStack;
  return { trackDepth, trackValueStack };
}

function toJs(v: Value): number | bigint {
  return v.type === "i32" ? v.value | 0 : BigInt.asIntN(64, v.value);
}

function fromJs(types: ValType[], raw: unknown): Value[] {
  const vals: unknown[] = types.length === 0 ? [] : types.length === 1 ? [raw] : [...(raw as Iterable<unknown>)];
  return types.map((t, i) =>
    t === I32 ? { type: "i32", value: Number(vals[i]) | 0 } : { type: "i64", value: BigInt.asIntN(64, vals[i] as bigint) },
  );
}

/** Trap code of a V8 RuntimeError (messages of V8 11.x); call_indirect null vs mismatch is told apart by the table entry. */
function trapOfV8(e: Error, v: Variant): TrapCode {
  const msg = e.message;
  if (/^unreachable/.test(msg)) return "unreachable";
  if (/divide by zero|remainder by zero/.test(msg)) return "int_divide_by_zero";
  if (/divide result unrepresentable|integer overflow/.test(msg)) return "int_overflow";
  if (/memory access out of bounds|data segment/.test(msg)) return "out_of_bounds_memory";
  if (/table index is out of bounds|element segment|table access out of bounds|invalid index into function table/.test(msg))
    return "out_of_bounds_table";
  if (/null function|signature mismatch/.test(msg)) {
    const i = Number(v.idx.value) >>> 0;
    return v.table && i < v.table.length && v.table.get(i) !== null ? "indirect_call_type_mismatch" : "indirect_call_null";
  }
  throw new StepperError("invalid", `internal error: unrecognised trap from V8: ${msg}`, { cause: e });
}

/** A history entry of a persistent instance: an invocation to replay. */
interface Call {
  name: string;
  func: number;
  args: Value[];
}

export class NativeInstance {
  readonly cm: CompiledModule;
  readonly limits: Limits;
  readonly input: Uint8Array;
  /** Result of the start function, run at creation as its own invocation (not for task instances). */
  startResult: RunResult | undefined;

  private readonly opts: NativeOptions;
  private readonly flags: Flags;
  private readonly maxPages: number;
  private engineKind: NativeEngine = "fast";
  private variant: Variant | undefined;
  private machine: Machine | undefined;
  private readonly history: { call: Call; result: RunResult }[] = [];
  private fallbackWhy: string | undefined;
  private readonly task: boolean;
  private taskDone = false;
  /** The variant that produced the task's result, and whether its state is exact (read by final-state.ts). */
  private taskRun: { variant: Variant; exact: boolean } | undefined;

  // Per-invocation state used by the host functions.
  private cur: Variant | undefined;
  private output = new Uint8Array(256);
  private outLen = 0;

  private constructor(cm: CompiledModule, opts: NativeOptions, task: boolean) {
    this.cm = cm;
    this.opts = opts;
    this.task = task;
    this.limits = checkLimits({ ...DEFAULT_LIMITS, ...opts.limits });
    this.input = opts.input ?? new Uint8Array(0);
    // The instantiation checks the interpreter makes, in its order and words (src/task-limits.ts,
    // src/instantiate.ts).
    checkInstanceFits(cm.module, this.limits, this.input);
    this.maxPages = instantiate(cm.module, this.limits).maxPages;
    this.flags = flagsFor(cm, this.limits);
  }

  /**
   * An instance for invoking exports; memory, globals and table persist across
   * invokes. The start function, if any, runs now as its own invocation
   * (`startResult`).
   */
  static create(cm: CompiledModule, opts: NativeOptions = {}): NativeInstance {
    const n = new NativeInstance(cm, opts, false);
    if (opts.precise) n.engineKind = "precise";
    n.variant = n.instantiate(n.engineKind === "precise");
    if (!n.variant) n.engineKind = "interpreter";
    if (cm.module.start !== undefined) {
      const start: Call = { name: "(start)", func: cm.module.start, args: [] };
      n.startResult = n.invokeCalls([start], []);
    }
    return n;
  }

  /** A fresh instance for `runTask()` (the start function is part of the task's one invocation). */
  static forTask(cm: CompiledModule, opts: NativeOptions = {}): NativeInstance {
    if (cm.taskBootstrap < 0) {
      const run = cm.module.exports.find((e) => e.name === "run");
      throw new LinkError(run ? `export "run" must be a function with no parameters` : `the module has no "run" export (the task entry)`);
    }
    return new NativeInstance(cm, opts, true);
  }

  /** The engine that produces this instance's results now. */
  get engine(): NativeEngine {
    return this.engineKind;
  }

  /** Invokes an export and runs it to a terminal state. */
  invoke(name: string, args: Value[] = []): RunResult {
    if (this.task) throw new UsageError("this instance was made for a task: use runTask()");
    const exp = this.cm.module.exports.find((e) => e.kind === "func" && e.name === name);
    if (!exp) throw new UsageError(`no exported function named "${name}"`);
    const type = this.cm.funcs[exp.index]!.type;
    checkInvocation(name, type, args, this.startResult);
    return this.invokeCalls([{ name, func: exp.index, args }], type.results);
  }

  /** The task (EXECUTION.md section 6): `call start`?, `call run`, `finish`, as one counted invocation. */
  runTask(): RunResult {
    if (!this.task) throw new UsageError("runTask() needs an instance made with NativeInstance.forTask()");
    if (this.taskDone) throw new UsageError("the task has already run on this instance");
    this.taskDone = true;
    const m = this.cm.module;
    const run = m.exports.find((e) => e.kind === "func" && e.name === "run")!;
    const calls: Call[] = [];
    if (m.start !== undefined) calls.push({ name: "(start)", func: m.start, args: [] });
    calls.push({ name: "run", func: run.index, args: [] });
    const results = this.cm.funcs[run.index]!.type.results;
    // A fresh instance each time: an inexact final state does not matter, only the result.
    if (!this.opts.precise) {
      const fast = this.instantiate(false);
      const o: Outcome = fast ? this.exec(fast, calls, results) : { kind: "retry" };
      if (o.kind === "done") {
        this.taskRun = { variant: fast!, exact: o.exact };
        return o.result;
      }
      if (o.kind === "fallback") return this.taskOnInterpreter("V8's stack overflowed");
    }
    this.engineKind = "precise";
    const precise = this.instantiate(true);
    if (!precise) return this.taskOnInterpreter(this.fallbackWhy!);
    const o = this.exec(precise, calls, results);
    if (o.kind === "done") {
      this.taskRun = { variant: precise, exact: true };
      return o.result;
    }
    return this.taskOnInterpreter("V8's stack overflowed before maxCallDepth");
  }

  private taskOnInterpreter(why: string): RunResult {
    this.engineKind = "interpreter";
    this.fallbackWhy ??= why;
    return Machine.forTask(this.cm, this.opts).run();
  }

  /**
   * The Wasm instance left by runTask() when the native engine produced the
   * result (undefined after an interpreter fallback), and whether its memory
   * and globals are exactly the interpreter's at the end. For final-state.ts.
   */
  get taskInstance(): { instance: WasmInstance; memory?: WasmMemory; exact: boolean } | undefined {
    const r = this.taskRun;
    if (!r || this.engineKind === "interpreter") return undefined;
    return { instance: r.variant.instance, ...(r.variant.memory ? { memory: r.variant.memory } : {}), exact: r.exact };
  }

  /** Why the instance fell back to the interpreter, if it did. */
  get fallbackReason(): string | undefined {
    return this.engineKind === "interpreter" ? this.fallbackWhy : undefined;
  }

  /** Runs one invocation (a bootstrap sequence) on the current engine, switching engines when needed. */
  private invokeCalls(calls: Call[], results: ValType[]): RunResult {
    if (this.engineKind !== "interpreter" && this.variant) {
      const o = this.exec(this.variant, calls, results);
      // Precise outcomes are always exact; fast ones say whether they are.
      if (o.kind === "done" && (o.exact || this.variant.precise)) return this.record(calls, o.result);
      if (!this.variant.precise && o.kind !== "fallback") {
        // Re-run from scratch precisely: a new precise instance replays the
        // history (start function and earlier invocations) to reach the state
        // before this invocation, then runs it. The instance stays precise.
        const v = this.instantiate(true);
        if (v && this.replay(v)) {
          const p = this.exec(v, calls, results);
          if (p.kind === "done") {
            this.variant = v;
            this.engineKind = "precise";
            return this.record(calls, p.result);
          }
        }
      }
      this.fallbackWhy ??= "V8's stack overflowed before maxCallDepth";
    }
    // V8's stack overflowed before the task's call-depth limit (or a variant
    // did not compile): the interpreter from here on.
    this.engineKind = "interpreter";
    this.variant = undefined;
    return this.interpret(calls);
  }

  private record(calls: Call[], result: RunResult): RunResult {
    for (const c of calls) this.history.push({ call: c, result });
    return result;
  }

  /** Replays the history on a fresh precise instance; false if V8's stack overflowed. */
  private replay(v: Variant): boolean {
    for (const h of this.history) {
      const r = this.exec(v, [h.call], this.cm.funcs[h.call.func]!.type.results);
      if (r.kind !== "done") return false;
      // Determinism check: the replay must reproduce what the fast run reported.
      if (r.result.status !== h.result.status || r.result.steps !== h.result.steps || r.result.trap !== h.result.trap)
        throw new StepperError("invalid", `internal error: the precise replay of ${h.call.name} differs from its fast run`);
    }
    return true;
  }

  /** Interpreter fallback: a Machine that replays the history first (once). */
  private interpret(calls: Call[]): RunResult {
    if (!this.machine) {
      const mc = Machine.instantiate(this.cm, this.opts);
      for (const h of this.history) if (h.call.name !== "(start)") mc.invoke(h.call.name, h.call.args);
      this.machine = mc;
      // The start function ran inside Machine.instantiate.
      if (calls.length === 1 && calls[0]!.name === "(start)") return this.record(calls, mc.startResult!);
    }
    const c = calls[calls.length - 1]!;
    return this.record(calls, this.machine.invoke(c.name, c.args));
  }

  /** A new instance of a variant, or undefined (and `fallbackWhy` set) if the variant does not compile. */
  private instantiate(precise: boolean): Variant | undefined {
    const wm = compiledVariant(this.cm, { precise, ...this.flags });
    if (wm instanceof Error) {
      this.fallbackWhy ??= `the ${precise ? "precise" : "fast"} variant does not compile: ${wm.message}`;
      return undefined;
    }
    const host = {
      input_size: () => this.hostInputSize(),
      input_read: (d: number, o: number, n: number) => this.hostInputRead(d, o, n),
      output_write: (s: number, n: number) => this.hostOutputWrite(s, n),
    };
    const instance = new WA.Instance(wm, { task: host });
    const ex = instance.exports;
    const v: Variant = {
      precise,
      instance,
      rem: ex[EXP.rem] as WasmGlobal,
      used: ex[EXP.used] as WasmGlobal,
      sig: ex[EXP.sig] as WasmGlobal,
      depthLeft: ex[EXP.depthLeft] as WasmGlobal,
      fp: ex[EXP.fp] as WasmGlobal,
      idx: ex[EXP.idx] as WasmGlobal,
      memory: ex[EXP.memory] as WasmMemory | undefined,
      table: ex[EXP.table] as WasmTable | undefined,
    };
    (ex[EXP.maxVS] as WasmGlobal).value = this.limits.maxValueStack;
    (ex[EXP.maxPages] as WasmGlobal).value = this.maxPages;
    return v;
  }

  /**
   * Executes a bootstrap sequence (EXECUTION.md section 6) on a variant:
   * each `call f` is one step taken here, then the function runs in Wasm; the
   * final `finish` is one step. The counter `rem` is maxSteps - steps.
   */
  private exec(v: Variant, calls: Call[], resultTypes: ValType[]): Outcome {
    const max = this.limits.maxSteps;
    this.cur = v;
    this.outLen = 0;
    v.sig.value = 0;
    if (max === 0) return this.done("out_of_steps", max, true);
    let steps = 0;
    let raw: unknown;
    for (const c of calls) {
      if (steps >= max) return this.done("out_of_steps", max, steps === max);
      // The bootstrap `call f`: one step; the callee checks depth and value stack.
      // An exported host function is not called but executed as the host
      // instruction itself (EXECUTION.md section 3), which counts its own steps.
      const host = this.cm.funcs[c.func]!.host !== undefined;
      const budget = max - steps - (host ? 0 : 1);
      v.rem.value = BigInt(budget);
      v.depthLeft.value = this.limits.maxCallDepth;
      v.fp.value = 0;
      const fn = v.instance.exports[funcExportName(c.func)] as (...a: unknown[]) => unknown;
      try {
        raw = fn(...c.args.map(toJs));
      } catch (e) {
        return this.caught(e, v);
      }
      // A function reports the steps it consumed in `used`; a host function counts in `rem`.
      const rem = host ? Number(v.rem.value) : budget - Number(v.used.value);
      steps = max - rem;
      if (rem <= 0) return this.done("out_of_steps", max, rem === 0);
    }
    // `finish`: one step; the status is finished even if it is the last allowed step.
    const result: RunResult = { status: "finished", results: fromJs(resultTypes, raw), output: this.takeOutput(), steps: steps + 1 };
    return { kind: "done", result, exact: true };
  }

  private done(status: "out_of_steps", steps: number, exact: boolean): Outcome;
  private done(status: "trapped", steps: number, exact: boolean, trap: TrapCode): Outcome;
  private done(status: "out_of_steps" | "trapped", steps: number, exact: boolean, trap?: TrapCode): Outcome {
    const result: RunResult = { status, results: [], output: this.takeOutput(), steps };
    if (trap) result.trap = trap;
    return { kind: "done", result, exact };
  }

  private takeOutput(): Uint8Array {
    return this.output.slice(0, this.outLen);
  }

  /** Classifies an exception out of a run (see `Outcome`). */
  private caught(e: unknown, v: Variant): Outcome {
    const max = this.limits.maxSteps;
    if (e instanceof StopSignal) return this.done("out_of_steps", max, e.exact);
    if (e instanceof HostTrap) return this.done("trapped", e.steps, true, e.code);
    if (e instanceof WA.RuntimeError) {
      const sig = Number(v.sig.value);
      const rem = Number(v.rem.value);
      if (sig === SIG_STOP) return this.done("out_of_steps", max, rem === 0);
      if (sig === SIG_CALL_STACK || sig === SIG_VALUE_STACK) {
        // The call step is counted in `rem`; a negative `rem` means the limit came first.
        if (rem < 0) return this.done("out_of_steps", max, false);
        return this.done("trapped", max - rem, true, sig === SIG_CALL_STACK ? "call_stack_exhausted" : "value_stack_exhausted");
      }
      if (!v.precise) return { kind: "retry" };
      return this.done("trapped", max - rem, true, trapOfV8(e, v));
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) return v.precise ? { kind: "fallback" } : { kind: "retry" };
    throw e;
  }

  // ---- host API (EXECUTION.md section 2), micro-stepped by leaf (section 5) ----

  /** Steps left before a host instruction; a run at or past the limit stops here. */
  private hostBudget(): number {
    const rem = Number(this.cur!.rem.value);
    if (rem <= 0) throw new StopSignal(rem === 0);
    return rem;
  }

  private memoryBytes(): Uint8Array {
    const mem = this.cur!.memory;
    return mem ? new Uint8Array(mem.buffer) : new Uint8Array(0);
  }

  private hostInputSize(): number {
    const rem = this.hostBudget();
    this.cur!.rem.value = BigInt(rem - 1);
    return this.input.length;
  }

  private hostInputRead(dst: number, off: number, len: number): void {
    const rem = this.hostBudget();
    const before = this.limits.maxSteps - rem;
    const d = dst >>> 0;
    const o = off >>> 0;
    const n = len >>> 0;
    if (o + n > this.input.length) throw new HostTrap("input_out_of_bounds", before + 1);
    const mem = this.memoryBytes();
    if (d + n > mem.length) throw new HostTrap("out_of_bounds_memory", before + 1);
    const c = byteMoveSteps(d, o, n);
    if (c <= rem) {
      mem.set(this.input.subarray(o, o + n), d);
      this.cur!.rem.value = BigInt(rem - c);
      return;
    }
    // The limit falls inside: the first `rem` chunks, then stop.
    const part = byteMovePrefix(d, o, rem);
    mem.set(this.input.subarray(o, o + part), d);
    this.cur!.rem.value = 0n;
    throw new StopSignal(true);
  }

  private hostOutputWrite(src: number, len: number): void {
    const rem = this.hostBudget();
    const before = this.limits.maxSteps - rem;
    const s = src >>> 0;
    const n = len >>> 0;
    const mem = this.memoryBytes();
    if (s + n > mem.length) throw new HostTrap("out_of_bounds_memory", before + 1);
    if (this.outLen + n > this.limits.maxOutputBytes) throw new HostTrap("output_limit", before + 1);
    const c = byteMoveSteps(this.outLen, s, n);
    const part = c <= rem ? n : byteMovePrefix(this.outLen, s, rem);
    if (this.outLen + part > this.output.length) {
      let size = this.output.length;
      while (size < this.outLen + part) size *= 2;
      const o = new Uint8Array(size);
      o.set(this.output.subarray(0, this.outLen));
      this.output = o;
    }
    this.output.set(mem.subarray(s, s + part), this.outLen);
    this.outLen += part;
    if (c <= rem) {
      this.cur!.rem.value = BigInt(rem - c);
      return;
    }
    this.cur!.rem.value = 0n;
    throw new StopSignal(true);
  }
}

/** Runs the task of `cm` (EXECUTION.md section 6) on the native engine. */
export function runNativeTask(cm: CompiledModule, opts: NativeOptions = {}): RunResult {
  return NativeInstance.forTask(cm, opts).runTask();
}
