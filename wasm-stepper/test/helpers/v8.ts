/**
 * Reference runner on V8's own WebAssembly engine, with the same shape as the
 * stepper's Machine: instantiate the same bytes with the "task" host imports
 * implemented in JS, invoke exports, and map V8's RuntimeError messages to the
 * stepper's TrapCode.
 *
 * What V8 cannot model exactly is emulated or left out:
 * - `maxMemoryPages`: the module's memory maximum is lowered to it (binary patch),
 *   so memory.grow fails at the same point.
 * - `maxOutputBytes`: enforced by the JS output_write import.
 * - `maxSteps`, `maxCallDepth`, `maxValueStack`: not modelled. V8's own stack
 *   limit maps to `call_stack_exhausted`, but at a depth of V8's choosing.
 * - V8 reports a null table entry and a signature mismatch with one message:
 *   such a trap is reported as `trap: "indirect_call_null"` with
 *   `trapSet` = both codes (compare as a set).
 * - steps are not counted (always 0).
 */
import type { Limits, RunResult, TrapCode, Value } from "../../src/types.ts";
import { DEFAULT_LIMITS } from "../../src/types.ts";
import { readBinInfo, patchForReference, type BinInfo, type BinFuncType } from "./wasm-binary.ts";

export interface RefResult extends RunResult {
  /** Set when V8 cannot tell the trap codes apart: any of these is correct. */
  trapSet?: TrapCode[];
}

export interface RefOptions {
  input?: Uint8Array;
  limits?: Partial<Limits>;
}

/** A trap raised by the JS host imports (unwinds through the Wasm frames). */
class HostTrap extends Error {
  constructor(readonly code: TrapCode) {
    super(`host trap: ${code}`);
  }
}

/**
 * The project's TypeScript setup (lib ES2022, Node types) has no WebAssembly
 * declarations: this is the small part of the JS API the reference uses.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmJsApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  RuntimeError: new (message?: string) => Error;
}
const WA = (globalThis as unknown as { WebAssembly: WasmJsApi }).WebAssembly;

const MEMORY_EXPORT = "__v8ref_memory";
const START_EXPORT = "__v8ref_start";

/** Maps a V8 runtime error to a trap code (or set of codes); returns undefined for non-trap errors. */
export function mapV8Error(err: unknown): { trap: TrapCode; trapSet?: TrapCode[] } | undefined {
  if (err instanceof HostTrap) return { trap: err.code };
  if (err instanceof RangeError && /Maximum call stack size exceeded/.test(err.message)) {
    return { trap: "call_stack_exhausted" };
  }
  if (!(err instanceof WA.RuntimeError)) return undefined;
  const m = err.message;
  if (m === "unreachable" || /unreachable code|^unreachable$/.test(m)) return { trap: "unreachable" };
  if (/divide by zero|remainder by zero/.test(m)) return { trap: "int_divide_by_zero" };
  if (/integer overflow|divide result unrepresentable/.test(m)) return { trap: "int_overflow" };
  if (/memory access out of bounds|data segment out of bounds|data segment has been dropped/.test(m)) {
    return { trap: "out_of_bounds_memory" };
  }
  if (/table index is out of bounds|invalid index into function table|element segment out of bounds|table access out of bounds|element segment has been dropped/.test(m)) {
    return { trap: "out_of_bounds_table" };
  }
  if (/null function or function signature mismatch/.test(m)) {
    return { trap: "indirect_call_null", trapSet: ["indirect_call_null", "indirect_call_type_mismatch"] };
  }
  if (/null function|dereferencing a null pointer/.test(m)) return { trap: "indirect_call_null" };
  if (/function signature mismatch/.test(m)) return { trap: "indirect_call_type_mismatch" };
  return undefined;
}

function toJsArg(v: Value, expected: string | undefined): number | bigint {
  if (expected !== undefined && expected !== v.type) {
    throw new Error(`v8 reference: argument type ${v.type} where ${expected} is expected`);
  }
  return v.type === "i64" ? BigInt.asIntN(64, v.value) : v.value | 0;
}

function toValue(type: string, raw: unknown): Value {
  if (type === "i32") return { type: "i32", value: Number(raw) | 0 };
  if (type === "i64") return { type: "i64", value: BigInt.asIntN(64, raw as bigint) };
  throw new Error(`v8 reference: unsupported result type ${type}`);
}

export class V8Machine {
  private readonly instance: WasmInstance;
  private readonly info: BinInfo;
  private readonly limits: Limits;
  private readonly input: Uint8Array;
  private output: number[] = [];
  private readonly memory?: WasmMemory;
  /** Set if the start function trapped (the instance is then unusable). */
  readonly startTrap?: RefResult;

  private constructor(bytes: Uint8Array, opts: RefOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.input = opts.input ?? new Uint8Array(0);
    this.info = readBinInfo(bytes);
    const patched = patchForReference(
      bytes,
      this.info,
      { memoryExportName: MEMORY_EXPORT, startExportName: START_EXPORT },
      this.limits.maxMemoryPages,
    );
    const module = new WA.Module(patched.bytes);
    this.instance = new WA.Instance(module, { task: this.hostImports() });
    if (patched.memoryExport) this.memory = this.instance.exports[patched.memoryExport] as WasmMemory;
    if (patched.startExport) {
      try {
        (this.instance.exports[patched.startExport] as () => void)();
      } catch (err) {
        const t = mapV8Error(err);
        if (!t) throw err;
        this.startTrap = { status: "trapped", results: [], output: this.takeOutput(), steps: 0, ...t };
      }
    }
  }

  static instantiate(bytes: Uint8Array, opts: RefOptions = {}): V8Machine {
    return new V8Machine(bytes, opts);
  }

  /** The task form: start function (at instantiation), then export "run"; the output of both counts. */
  static runTask(bytes: Uint8Array, opts: RefOptions = {}): RefResult {
    const m = new V8Machine(bytes, opts);
    if (m.startTrap) return m.startTrap;
    return m.invoke("run", [], { keepOutput: true });
  }

  /** Linear memory as bytes (empty if the module has no memory). */
  private memView(): Uint8Array {
    return this.memory ? new Uint8Array(this.memory.buffer) : new Uint8Array(0);
  }

  private hostImports(): Record<string, (...a: number[]) => number | void> {
    return {
      input_size: () => this.input.length | 0,
      input_read: (dst: number, offset: number, len: number) => {
        const d = BigInt(dst >>> 0);
        const o = BigInt(offset >>> 0);
        const l = BigInt(len >>> 0);
        if (o + l > BigInt(this.input.length)) throw new HostTrap("input_out_of_bounds");
        const mem = this.memView();
        if (d + l > BigInt(mem.length)) throw new HostTrap("out_of_bounds_memory");
        mem.set(this.input.subarray(offset >>> 0, (offset >>> 0) + (len >>> 0)), dst >>> 0);
      },
      output_write: (src: number, len: number) => {
        const s = src >>> 0;
        const l = len >>> 0;
        const mem = this.memView();
        if (s + l > mem.length) throw new HostTrap("out_of_bounds_memory");
        if (this.output.length + l > this.limits.maxOutputBytes) throw new HostTrap("output_limit");
        for (let i = 0; i < l; i++) this.output.push(mem[s + i]!);
      },
    };
  }

  private takeOutput(): Uint8Array {
    const out = Uint8Array.from(this.output);
    this.output = [];
    return out;
  }

  /** The function type of an exported function. */
  exportType(name: string): BinFuncType {
    const e = this.info.exports.find((x) => x.name === name && x.kind === 0);
    if (!e) throw new Error(`v8 reference: no exported function ${name}`);
    return this.info.types[this.info.funcTypes[e.index]!]!;
  }

  /** A view of linear memory (for tests inspecting memory). */
  memoryBytes(): Uint8Array {
    return this.memView();
  }

  invoke(name: string, args: Value[] = [], opts: { keepOutput?: boolean } = {}): RefResult {
    if (this.startTrap) throw new Error("v8 reference: instance failed to start");
    if (!opts.keepOutput) this.output = [];
    const type = this.exportType(name);
    if (type.params.length !== args.length) {
      throw new Error(`v8 reference: ${name} takes ${type.params.length} arguments, got ${args.length}`);
    }
    const fn = this.instance.exports[name] as (...a: (number | bigint)[]) => unknown;
    const jsArgs = args.map((a, i) => toJsArg(a, type.params[i]));
    let raw: unknown;
    try {
      raw = fn(...jsArgs);
    } catch (err) {
      const t = mapV8Error(err);
      if (!t) throw err;
      return { status: "trapped", results: [], output: this.takeOutput(), steps: 0, ...t };
    }
    let results: Value[];
    if (type.results.length === 0) results = [];
    else if (type.results.length === 1) results = [toValue(type.results[0]!, raw)];
    else {
      const arr = raw as unknown[];
      results = type.results.map((t, i) => toValue(t, arr[i]));
    }
    return { status: "finished", results, output: this.takeOutput(), steps: 0 };
  }
}

/** Task form, mirroring `Machine.forTask(cm, opts).run()`. */
export function runV8Task(bytes: Uint8Array, opts: RefOptions = {}): RefResult {
  return V8Machine.runTask(bytes, opts);
}
