/**
 * The deterministic machine: instantiation (WebAssembly 2.0 spec 4.5.4) and
 * the interpreter of the IR (spec/EXECUTION.md). `step()` and `run()` share
 * one loop, so they have the same semantics and step counts by construction.
 */
import stateSpec from "../spec/state.json" with { type: "json" };
import type { CompiledModule } from "./compile/types.ts";
import { LinkError, StepperError, UsageError } from "./errors.ts";
import { I32, type ValType } from "./module.ts";
import { DEFAULT_LIMITS, type Limits, type RunResult, type Status, type TrapCode, type Value } from "./types.ts";
import { VALUES_PER_STEP } from "./micro.ts";
import { instantiate } from "./instantiate.ts";
import { slow } from "./machine/bulk.ts";
import { LEAF_SIZE, PAGE_SIZE, checkInvocation, checkLimits } from "./machine/limits.ts";
import { checkInstanceFits } from "./task-limits.ts";
import { AUX_NONE, microStep, microSteps } from "./machine/moves.ts";
import { restore, snapshot, type MachineSnapshot } from "./machine/snapshot.ts";

export { LEAF_SIZE, MAX_PAGES, PAGE_SIZE, checkInvocation, checkLimits } from "./machine/limits.ts";
export { AUX_CHAIN, AUX_NONE, AUX_PENDING } from "./machine/moves.ts";
export type { MachineSnapshot } from "./machine/snapshot.ts";

const K = VALUES_PER_STEP;

export interface MachineOptions {
  input?: Uint8Array;
  limits?: Partial<Limits>;
}

export class Machine {
  readonly cm: CompiledModule;
  readonly limits: Limits;
  readonly input: Uint8Array;

  status: Status = "finished";
  trap: TrapCode | undefined;
  pc = 0;
  /** Next free value slot. */
  sp = 0;
  /** Frame pointer: first local of the current frame. */
  fp = 0;
  /** Number of frames above the bottom (bootstrap) frame. */
  depth = 0;
  steps = 0;

  /** Value stack, 8-byte slots: i32 view (2 words a slot) and i64 views. */
  stack32: Int32Array;
  stack64: BigInt64Array;
  stackU64: BigUint64Array;
  /** Frame records: [return pc, caller fp, function index]. */
  frames: Int32Array;
  /** Globals, 8-byte slots as the stack: i32 view and whole-slot view. */
  globals32: Int32Array;
  globals64: BigInt64Array;
  memory: Uint8Array;
  view: DataView;
  /** Memory pages allowed by the module's max, the task limit and the spec. */
  readonly maxPages: number;
  table: Int32Array;
  dataDropped: Uint8Array;
  elemDropped: Uint8Array;
  output: Uint8Array = new Uint8Array(256);
  outputLength = 0;
  /** What changed since the state commitment last looked (src/state/commit.ts reads and clears it). */
  readonly changes: ChangeMarks;
  /**
   * The pages that may hold non-zero bytes besides those of the leaves in the
   * dirty list (one byte a page, 1 = may): the data segments' pages, the pages
   * a state commitment saw written, or what restore() was told; undefined
   * means any page may. Lets a commitment of a large, mostly untouched memory
   * read only these pages.
   */
  memoryPagesHint: Uint8Array | undefined;

  /**
   * The micro-step register (spec/EXECUTION.md section 5, "Moves of many values"):
   * `mp` is the progress of the instruction at pc; `auxLen` values moved aside sit in
   * auxSlots[0, auxLen) (bottom first, AUX_CHAIN), or auxSlots[0, nlocals) holds the
   * pending locals of a call of `auxFunc` (AUX_PENDING). Two words a slot.
   */
  mp = 0;
  auxLen = 0;
  auxKind = AUX_NONE;
  auxFunc = -1;
  auxSlots: Int32Array = new Int32Array(64);

  /** Result types of the current invocation (for reading results at finish). */
  resultTypes: ValType[] = [];
  /** Per function: entry pc, nparams, nlocals, maxHeight, host kind; canonical type id. */
  readonly fEntry: Int32Array;
  readonly fParams: Int32Array;
  readonly fLocals: Int32Array;
  readonly fMax: Int32Array;
  readonly fType: Int32Array;
  readonly dataSegs: Uint8Array[];
  readonly elemSegs: Int32Array[];
  /** Result of the start function, when run at instantiation. */
  startResult: RunResult | undefined;

  private constructor(cm: CompiledModule, opts: MachineOptions) {
    this.cm = cm;
    this.limits = checkLimits({ ...DEFAULT_LIMITS, ...opts.limits });
    this.input = opts.input ?? new Uint8Array(0);
    const m = cm.module;
    checkInstanceFits(m, this.limits, this.input);
    const n = cm.funcs.length;
    this.fEntry = new Int32Array(n);
    this.fParams = new Int32Array(n);
    this.fLocals = new Int32Array(n);
    this.fMax = new Int32Array(n);
    this.fType = new Int32Array(n);
    cm.funcs.forEach((f, i) => {
      this.fEntry[i] = f.entry;
      this.fParams[i] = f.nparams;
      this.fLocals[i] = f.nlocals;
      this.fMax[i] = f.maxHeight;
      this.fType[i] = f.typeId;
    });

    this.stack32 = new Int32Array(this.limits.maxValueStack * 2 + 8);
    this.stack64 = new BigInt64Array(this.stack32.buffer);
    this.stackU64 = new BigUint64Array(this.stack32.buffer);
    this.frames = new Int32Array(this.limits.maxCallDepth * 3 + 3);

    // Memory, globals, table and segments (spec 4.5.4): active segments are applied in
    // order and then dropped (steps 12-14); the checks are src/instantiate.ts's.
    const inst = instantiate(m, this.limits);
    this.maxPages = inst.maxPages;
    this.memory = new Uint8Array(inst.pages * PAGE_SIZE);
    this.memoryPagesHint = new Uint8Array(this.maxPages);
    this.view = new DataView(this.memory.buffer);
    this.changes = new ChangeMarks(this.memory.length / LEAF_SIZE);
    this.globals32 = new Int32Array(m.globals.length * 2);
    this.globals64 = new BigInt64Array(this.globals32.buffer);
    inst.globals.forEach((v, i) => {
      this.globals32[i * 2] = Number(v & 0xffffffffn) | 0;
      this.globals32[i * 2 + 1] = Number(v >> 32n) | 0;
    });
    this.table = new Int32Array(inst.tableSize).fill(-1);
    this.elemSegs = m.elems.map((e) => Int32Array.from(e.funcs));
    this.dataSegs = m.datas.map((d) => d.bytes);
    this.elemDropped = new Uint8Array(m.elems.length);
    this.dataDropped = new Uint8Array(m.datas.length);
    m.elems.forEach((e, i) => {
      const off = inst.elemOffsets[i];
      if (off !== undefined) this.table.set(e.funcs, off);
      if (e.mode !== "passive") this.elemDropped[i] = 1;
    });
    m.datas.forEach((d, i) => {
      const off = inst.dataOffsets[i];
      if (off === undefined) return;
      this.memory.set(d.bytes, off);
      for (let p = Math.floor(off / PAGE_SIZE); p * PAGE_SIZE < off + d.bytes.length; p++) this.memoryPagesHint![p] = 1;
      this.dataDropped[i] = 1;
    });
  }

  /**
   * An instance for invoking exports (tests, `--invoke`, `--calls`). The start
   * function, if any, runs here as its own invocation (`startResult`).
   */
  static instantiate(cm: CompiledModule, opts: MachineOptions = {}): Machine {
    const m = new Machine(cm, opts);
    if (cm.startBootstrap >= 0) {
      m.prepare(cm.startBootstrap, [], []);
      m.run();
      m.startResult = m.result();
    }
    return m;
  }

  /**
   * The task form (EXECUTION.md section 6): a fresh instance at step 0 of
   * `call start`?, `call run`, `finish`.
   */
  static forTask(cm: CompiledModule, opts: MachineOptions = {}): Machine {
    if (cm.taskBootstrap < 0) {
      const run = cm.module.exports.find((e) => e.name === "run");
      throw new LinkError(run ? `export "run" must be a function with no parameters` : `the module has no "run" export (the task entry)`);
    }
    const m = new Machine(cm, opts);
    const run = cm.module.exports.find((e) => e.kind === "func" && e.name === "run")!;
    m.prepare(cm.taskBootstrap, [], cm.funcs[run.index]!.type.results);
    return m;
  }

  /** Sets up an invocation of export `name` at its step 0 (for stepping). */
  prepareInvoke(name: string, args: Value[]): void {
    const pc = this.cm.exportBootstrap.get(name);
    if (pc === undefined) throw new UsageError(`no exported function named "${name}"`);
    const exp = this.cm.module.exports.find((e) => e.kind === "func" && e.name === name)!;
    const type = this.cm.funcs[exp.index]!.type;
    checkInvocation(name, type, args, this.startResult);
    this.prepare(pc, args, type.results);
  }

  /** Invokes an export and runs it to a terminal state. State persists across invokes. */
  invoke(name: string, args: Value[] = []): RunResult {
    this.prepareInvoke(name, args);
    this.run();
    return this.result();
  }

  private prepare(pc: number, args: Value[], results: ValType[]): void {
    this.pc = pc;
    this.fp = 0;
    this.depth = 0;
    this.changes.minDepth = 0;
    this.steps = 0;
    this.trap = undefined;
    this.outputLength = 0;
    this.changes.outputEpoch++;
    this.resultTypes = results;
    this.mp = 0;
    this.auxLen = 0;
    this.auxKind = AUX_NONE;
    this.auxFunc = -1;
    const s = this.stack32;
    args.forEach((a, i) => {
      if (a.type === "i32") {
        s[i * 2] = a.value | 0;
        s[i * 2 + 1] = 0;
      } else {
        this.stack64[i] = BigInt.asIntN(64, a.value);
      }
    });
    this.sp = args.length;
    this.status = this.limits.maxSteps === 0 ? "out_of_steps" : "running";
  }

  /** The result of the current invocation (meaningful in a terminal state). */
  result(): RunResult {
    const status = this.status === "running" ? "out_of_steps" : this.status;
    const results: Value[] = [];
    if (this.status === "finished") {
      this.resultTypes.forEach((t, i) => {
        results.push(t === I32 ? { type: "i32", value: this.stack32[i * 2]! } : { type: "i64", value: this.stack64[i]! });
      });
    }
    const r: RunResult = { status, results, output: this.output.slice(0, this.outputLength), steps: this.steps };
    if (this.trap) r.trap = this.trap;
    return r;
  }

  /** Executes exactly one step (a terminal state steps to itself). */
  step(): void {
    if (this.status !== "running") return;
    this.exec(this.steps + 1);
  }

  /** Runs to a terminal state. */
  run(): RunResult {
    // In slices: V8 optimizes the loop function between calls, which a single
    // long call would only get through on-stack replacement (measured 3x slower).
    while (this.status === "running") this.exec(Math.min(this.steps + RUN_SLICE, this.limits.maxSteps));
    return this.result();
  }

  /** Runs until `steps == until` or a terminal state, whichever comes first. */
  runTo(until: number): void {
    const end = Math.min(until, this.limits.maxSteps);
    while (this.status === "running" && this.steps < end) this.exec(Math.min(this.steps + RUN_SLICE, end));
  }

  growOutput(need: number): void {
    let n = this.output.length;
    while (n < need) n *= 2;
    const o = new Uint8Array(n);
    o.set(this.output.subarray(0, this.outputLength));
    this.output = o;
  }

  growMemory(pages: number): void {
    const mem = new Uint8Array(pages * PAGE_SIZE);
    mem.set(this.memory);
    this.memory = mem;
    this.view = new DataView(mem.buffer);
    // New leaves are zero, as the tree already assumes: they start clean.
    const d = new Uint8Array(mem.length / LEAF_SIZE);
    d.set(this.changes.dirty);
    this.changes.dirty = d;
    const l = new Int32Array(mem.length / LEAF_SIZE);
    l.set(this.changes.dirtyList.subarray(0, this.changes.dirtyCount));
    this.changes.dirtyList = l;
  }

  /** Marks the leaves of memory[a, a+n) as written. */
  markDirty(a: number, n: number): void {
    if (n <= 0) return;
    const d = this.changes.dirty;
    for (let l = a >>> 5, e = (a + n - 1) >>> 5; l <= e; l++) {
      if (d[l] === 0) {
        d[l] = 1;
        this.changes.dirtyList[this.changes.dirtyCount++] = l;
      }
    }
  }

  /**
   * The interpreter loop. Hot state lives in locals (docs/PERFORMANCE.md: closures
   * and fields cost 40%); it is written back on every exit.
   */
  private exec(until: number): void {
    if (this.mp !== 0 || this.auxLen !== 0) {
      // A move of many values is in progress: finish it step by step first.
      microSteps(this, until);
      if (this.status !== "running" || this.steps >= until) return;
    }
    const code = this.cm.code;
    const S = this.stack32;
    const S64 = this.stack64;
    const U64 = this.stackU64;
    const G64 = this.globals64;
    const frames = this.frames;
    const fEntry = this.fEntry;
    const fParams = this.fParams;
    const fLocals = this.fLocals;
    const fMax = this.fMax;
    const maxDepth = this.limits.maxCallDepth;
    const maxStack = this.limits.maxValueStack;
    let mem = this.memory;
    let dv = this.view;
    let memLen = mem.length;
    let dirty = this.changes.dirty;
    let dlist = this.changes.dirtyList;
    let dn = this.changes.dirtyCount;
    let minDepth = this.changes.minDepth;
    let pc = this.pc;
    let sp = this.sp;
    let fp = this.fp;
    let depth = this.depth;
    let steps = this.steps;
    let trap: TrapCode | undefined;
    let done = false;
    /** Set when the instruction at pc moves more than K values: it runs micro-step by micro-step. */
    let micro = false;
    /** A global.set ran (the change mark is written once, on exit: a local costs nothing per step). */
    let globalSet = false;

    loop: while (steps < until) {
      const i = pc << 2;
      steps++;
      switch (code[i]) {
        // Whole-slot copies through the BigInt64Array view: V8 lowers them to
        // plain 64-bit moves (measured 2x faster than two Int32 copies).
        case OP_LOCAL_GET:
          S64[sp] = S64[fp + code[i + 1]!]!;
          sp++;
          pc++;
          break;
        case OP_LOCAL_SET:
          sp--;
          S64[fp + code[i + 1]!] = S64[sp]!;
          pc++;
          break;
        case OP_LOCAL_TEE:
          S64[fp + code[i + 1]!] = S64[sp - 1]!;
          pc++;
          break;
        case OP_I32_CONST: {
          const d = sp << 1;
          S[d] = code[i + 1]!;
          S[d + 1] = 0;
          sp++;
          pc++;
          break;
        }
        case OP_I64_CONST: {
          const d = sp << 1;
          S[d] = code[i + 1]!;
          S[d + 1] = code[i + 2]!;
          sp++;
          pc++;
          break;
        }
        case OP_BR:
          if (code[i + 3] === 0) pc = code[i + 1]!;
          else {
            if (code[i + 2]! > K || code[i + 3]! > K) {
              micro = true;
              break loop;
            }
            pc = branch(S, code, i, sp);
            sp -= code[i + 3]!;
          }
          break;
        case OP_BR_IF: {
          sp--;
          if (S[sp << 1] === 0) pc++;
          else if (code[i + 3] === 0) pc = code[i + 1]!;
          else {
            if (code[i + 2]! > K || code[i + 3]! > K) {
              sp++;
              micro = true;
              break loop;
            }
            pc = branch(S, code, i, sp);
            sp -= code[i + 3]!;
          }
          break;
        }
        case OP_BR_UNLESS:
          sp--;
          pc = S[sp << 1] === 0 ? code[i + 1]! : pc + 1;
          break;
        case OP_BR_TABLE: {
          const n = code[i + 1]! >>> 0;
          const k = S[(sp - 1) << 1]! >>> 0;
          const e = (pc + 1 + (k < n ? k : n)) << 2;
          if (code[e + 1]! < 0 ? code[e + 2]! > K : code[e + 3]! !== 0 && (code[e + 2]! > K || code[e + 3]! > K)) {
            micro = true;
            break loop;
          }
          sp--;
          if (code[e + 1]! < 0) {
            // Entry targeting the function label: return (EXECUTION.md section 3).
            const keep = code[e + 2]!;
            copySlots(S, sp - keep, fp, keep);
            sp = fp + keep;
            depth--;
            if (depth < minDepth) minDepth = depth;
            pc = frames[depth * 3]!;
            fp = frames[depth * 3 + 1]!;
          } else {
            pc = branch(S, code, e, sp);
            sp -= code[e + 3]!;
          }
          break;
        }
        case OP_RETURN_IF: {
          sp--;
          if (S[sp << 1] === 0) {
            pc++;
            break;
          }
          const keep = code[i + 1]!;
          if (keep > K) {
            sp++;
            micro = true;
            break loop;
          }
          copySlots(S, sp - keep, fp, keep);
          sp = fp + keep;
          depth--;
          if (depth < minDepth) minDepth = depth;
          pc = frames[depth * 3]!;
          fp = frames[depth * 3 + 1]!;
          break;
        }
        case OP_RETURN: {
          const keep = code[i + 1]!;
          if (keep > K) {
            micro = true;
            break loop;
          }
          copySlots(S, sp - keep, fp, keep);
          sp = fp + keep;
          depth--;
          if (depth < minDepth) minDepth = depth;
          pc = frames[depth * 3]!;
          fp = frames[depth * 3 + 1]!;
          break;
        }
        case OP_CALL_INDIRECT:
        case OP_CALL: {
          let f: number;
          if (code[i] === OP_CALL) f = code[i + 1]!;
          else {
            const k = S[(sp - 1) << 1]! >>> 0;
            if (k >= this.table.length) {
              trap = "out_of_bounds_table";
              break loop;
            }
            f = this.table[k]!;
            if (f < 0) {
              trap = "indirect_call_null";
              break loop;
            }
            if (this.fType[f] !== code[i + 2]) {
              trap = "indirect_call_type_mismatch";
              break loop;
            }
            sp--;
          }
          const entry = fEntry[f]!;
          const nfp = sp - fParams[f]!;
          const top = nfp + fLocals[f]!;
          if (depth >= maxDepth) {
            if (code[i] === OP_CALL_INDIRECT) sp++;
            trap = "call_stack_exhausted";
            break loop;
          }
          if (top + fMax[f]! > maxStack) {
            if (code[i] === OP_CALL_INDIRECT) sp++;
            trap = "value_stack_exhausted";
            break loop;
          }
          if (fParams[f]! > K) {
            if (code[i] === OP_CALL_INDIRECT) sp++;
            micro = true;
            break loop;
          }
          const r = depth * 3;
          frames[r] = pc + 1;
          frames[r + 1] = fp;
          frames[r + 2] = f;
          depth++;
          for (let s = sp << 1, e = top << 1; s < e; s++) S[s] = 0;
          fp = nfp;
          sp = top;
          pc = entry;
          break;
        }
        case OP_DROP:
          sp--;
          pc++;
          break;
        case OP_SELECT:
          sp -= 2;
          if (S[(sp + 1) << 1] === 0) S64[sp - 1] = S64[sp]!;
          pc++;
          break;
        case OP_GLOBAL_GET:
          S64[sp] = G64[code[i + 1]!]!;
          sp++;
          pc++;
          break;
        case OP_GLOBAL_SET:
          sp--;
          G64[code[i + 1]!] = S64[sp]!;
          globalSet = true;
          pc++;
          break;
        // Loads: effective address = u32 base + u32 offset, checked against the memory size.
        case OP_I32_LOAD: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 4 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          S[t] = dv.getInt32(a, true);
          pc++;
          break;
        }
        case OP_I64_LOAD: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 8 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          S[t] = dv.getInt32(a, true);
          S[t + 1] = dv.getInt32(a + 4, true);
          pc++;
          break;
        }
        case OP_I32_LOAD8_S: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 1 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = (mem[a]! << 24) >> 24;
          S[t] = v;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I32_LOAD8_U: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 1 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = mem[a]!;
          S[t] = v;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_LOAD8_S: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 1 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = (mem[a]! << 24) >> 24;
          S[t] = v;
          S[t + 1] = v >> 31;
          pc++;
          break;
        }
        case OP_I64_LOAD8_U: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 1 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = mem[a]!;
          S[t] = v;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I32_LOAD16_S: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 2 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = dv.getInt16(a, true);
          S[t] = v;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I32_LOAD16_U: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 2 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = dv.getUint16(a, true);
          S[t] = v;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_LOAD16_S: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 2 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = dv.getInt16(a, true);
          S[t] = v;
          S[t + 1] = v >> 31;
          pc++;
          break;
        }
        case OP_I64_LOAD16_U: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 2 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = dv.getUint16(a, true);
          S[t] = v;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_LOAD32_S:
        case OP_I64_LOAD32_U: {
          const t = (sp - 1) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 4 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          const v = dv.getInt32(a, true);
          S[t] = v;
          S[t + 1] = code[i] === OP_I64_LOAD32_S ? v >> 31 : 0;
          pc++;
          break;
        }
        case OP_I32_STORE:
        case OP_I64_STORE32: {
          const t = (sp - 2) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 4 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          dv.setInt32(a, S[t + 2]!, true);
          if (dirty[a >>> 5] === 0) {
            dirty[a >>> 5] = 1;
            dlist[dn++] = a >>> 5;
          }
          if (dirty[(a + 3) >>> 5] === 0) {
            dirty[(a + 3) >>> 5] = 1;
            dlist[dn++] = (a + 3) >>> 5;
          }
          sp -= 2;
          pc++;
          break;
        }
        case OP_I64_STORE: {
          const t = (sp - 2) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 8 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          dv.setInt32(a, S[t + 2]!, true);
          dv.setInt32(a + 4, S[t + 3]!, true);
          if (dirty[a >>> 5] === 0) {
            dirty[a >>> 5] = 1;
            dlist[dn++] = a >>> 5;
          }
          if (dirty[(a + 7) >>> 5] === 0) {
            dirty[(a + 7) >>> 5] = 1;
            dlist[dn++] = (a + 7) >>> 5;
          }
          sp -= 2;
          pc++;
          break;
        }
        case OP_I32_STORE8:
        case OP_I64_STORE8: {
          const t = (sp - 2) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 1 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          mem[a] = S[t + 2]!;
          if (dirty[a >>> 5] === 0) {
            dirty[a >>> 5] = 1;
            dlist[dn++] = a >>> 5;
          }
          sp -= 2;
          pc++;
          break;
        }
        case OP_I32_STORE16:
        case OP_I64_STORE16: {
          const t = (sp - 2) << 1;
          const a = (S[t]! >>> 0) + (code[i + 1]! >>> 0);
          if (a + 2 > memLen) {
            trap = "out_of_bounds_memory";
            break loop;
          }
          dv.setInt16(a, S[t + 2]!, true);
          if (dirty[a >>> 5] === 0) {
            dirty[a >>> 5] = 1;
            dlist[dn++] = a >>> 5;
          }
          if (dirty[(a + 1) >>> 5] === 0) {
            dirty[(a + 1) >>> 5] = 1;
            dlist[dn++] = (a + 1) >>> 5;
          }
          sp -= 2;
          pc++;
          break;
        }
        case OP_MEMORY_SIZE: {
          const d = sp << 1;
          S[d] = memLen / PAGE_SIZE;
          S[d + 1] = 0;
          sp++;
          pc++;
          break;
        }
        case OP_MEMORY_GROW: {
          const t = (sp - 1) << 1;
          const delta = S[t]! >>> 0;
          const old = memLen / PAGE_SIZE;
          if (old + delta > this.maxPages) S[t] = -1;
          else {
            if (delta > 0) {
              this.changes.dirtyCount = dn;
              this.growMemory(old + delta);
              mem = this.memory;
              dv = this.view;
              memLen = mem.length;
              dirty = this.changes.dirty;
              dlist = this.changes.dirtyList;
            }
            S[t] = old;
          }
          pc++;
          break;
        }
        case OP_I32_EQZ: {
          const t = (sp - 1) << 1;
          S[t] = S[t] === 0 ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_EQ: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t] === S[t + 2] ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_NE: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t] !== S[t + 2] ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_LT_S: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! < S[t + 2]! ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_LT_U: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! >>> 0 < S[t + 2]! >>> 0 ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_GT_S: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! > S[t + 2]! ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_GT_U: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! >>> 0 > S[t + 2]! >>> 0 ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_LE_S: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! <= S[t + 2]! ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_LE_U: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! >>> 0 <= S[t + 2]! >>> 0 ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_GE_S: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! >= S[t + 2]! ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_GE_U: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! >>> 0 >= S[t + 2]! >>> 0 ? 1 : 0;
          pc++;
          break;
        }
        case OP_I32_CLZ: {
          const t = (sp - 1) << 1;
          S[t] = Math.clz32(S[t]!);
          pc++;
          break;
        }
        case OP_I32_CTZ: {
          const t = (sp - 1) << 1;
          S[t] = ctz32(S[t]!);
          pc++;
          break;
        }
        case OP_I32_POPCNT: {
          const t = (sp - 1) << 1;
          S[t] = popcnt32(S[t]!);
          pc++;
          break;
        }
        case OP_I32_ADD: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = (S[t]! + S[t + 2]!) | 0;
          pc++;
          break;
        }
        case OP_I32_SUB: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = (S[t]! - S[t + 2]!) | 0;
          pc++;
          break;
        }
        case OP_I32_MUL: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = Math.imul(S[t]!, S[t + 2]!);
          pc++;
          break;
        }
        case OP_I32_DIV_S: {
          const t = (sp - 2) << 1;
          const b = S[t + 2]!;
          const a = S[t]!;
          if (b === 0) {
            trap = "int_divide_by_zero";
            break loop;
          }
          if (a === -2147483648 && b === -1) {
            trap = "int_overflow";
            break loop;
          }
          S[t] = (a / b) | 0;
          sp--;
          pc++;
          break;
        }
        case OP_I32_DIV_U: {
          const t = (sp - 2) << 1;
          const b = S[t + 2]! >>> 0;
          if (b === 0) {
            trap = "int_divide_by_zero";
            break loop;
          }
          S[t] = ((S[t]! >>> 0) / b) | 0;
          sp--;
          pc++;
          break;
        }
        case OP_I32_REM_S: {
          const t = (sp - 2) << 1;
          const b = S[t + 2]!;
          if (b === 0) {
            trap = "int_divide_by_zero";
            break loop;
          }
          S[t] = S[t]! % b | 0;
          sp--;
          pc++;
          break;
        }
        case OP_I32_REM_U: {
          const t = (sp - 2) << 1;
          const b = S[t + 2]! >>> 0;
          if (b === 0) {
            trap = "int_divide_by_zero";
            break loop;
          }
          S[t] = (S[t]! >>> 0) % b | 0;
          sp--;
          pc++;
          break;
        }
        case OP_I32_AND: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! & S[t + 2]!;
          pc++;
          break;
        }
        case OP_I32_OR: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! | S[t + 2]!;
          pc++;
          break;
        }
        case OP_I32_XOR: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! ^ S[t + 2]!;
          pc++;
          break;
        }
        case OP_I32_SHL: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! << S[t + 2]!;
          pc++;
          break;
        }
        case OP_I32_SHR_S: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! >> S[t + 2]!;
          pc++;
          break;
        }
        case OP_I32_SHR_U: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! >>> S[t + 2]!;
          pc++;
          break;
        }
        case OP_I32_ROTL: {
          sp--;
          const t = (sp - 1) << 1;
          const a = S[t]!;
          const k = S[t + 2]! & 31;
          S[t] = (a << k) | (a >>> (32 - k));
          pc++;
          break;
        }
        case OP_I32_ROTR: {
          sp--;
          const t = (sp - 1) << 1;
          const a = S[t]!;
          const k = S[t + 2]! & 31;
          S[t] = (a >>> k) | (a << (32 - k));
          pc++;
          break;
        }
        case OP_I32_WRAP_I64: {
          S[((sp - 1) << 1) + 1] = 0;
          pc++;
          break;
        }
        case OP_I32_EXTEND8_S: {
          const t = (sp - 1) << 1;
          S[t] = (S[t]! << 24) >> 24;
          pc++;
          break;
        }
        case OP_I32_EXTEND16_S: {
          const t = (sp - 1) << 1;
          S[t] = (S[t]! << 16) >> 16;
          pc++;
          break;
        }
        case OP_I64_EXTEND_I32_S: {
          const t = (sp - 1) << 1;
          S[t + 1] = S[t]! >> 31;
          pc++;
          break;
        }
        case OP_I64_EXTEND_I32_U:
          // The upper half of an i32 slot is already zero (EXECUTION.md section 4).
          pc++;
          break;
        case OP_I64_EXTEND8_S: {
          const t = (sp - 1) << 1;
          const v = (S[t]! << 24) >> 24;
          S[t] = v;
          S[t + 1] = v >> 31;
          pc++;
          break;
        }
        case OP_I64_EXTEND16_S: {
          const t = (sp - 1) << 1;
          const v = (S[t]! << 16) >> 16;
          S[t] = v;
          S[t + 1] = v >> 31;
          pc++;
          break;
        }
        case OP_I64_EXTEND32_S: {
          const t = (sp - 1) << 1;
          S[t + 1] = S[t]! >> 31;
          pc++;
          break;
        }
        case OP_I64_EQZ: {
          const t = (sp - 1) << 1;
          S[t] = (S[t]! | S[t + 1]!) === 0 ? 1 : 0;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_EQ: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t] === S[t + 2] && S[t + 1] === S[t + 3] ? 1 : 0;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_NE: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t] !== S[t + 2] || S[t + 1] !== S[t + 3] ? 1 : 0;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_LT_S:
        case OP_I64_LT_U:
        case OP_I64_GT_S:
        case OP_I64_GT_U:
        case OP_I64_LE_S:
        case OP_I64_LE_U:
        case OP_I64_GE_S:
        case OP_I64_GE_U: {
          sp--;
          const t = (sp - 1) << 1;
          const c = cmp64(code[i]!, S[t]!, S[t + 1]!, S[t + 2]!, S[t + 3]!);
          S[t] = c;
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_CLZ: {
          const t = (sp - 1) << 1;
          const hi = S[t + 1]!;
          S[t] = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(S[t]!);
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_CTZ: {
          const t = (sp - 1) << 1;
          const lo = S[t]!;
          S[t] = lo !== 0 ? ctz32(lo) : 32 + ctz32(S[t + 1]!);
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_POPCNT: {
          const t = (sp - 1) << 1;
          S[t] = popcnt32(S[t]!) + popcnt32(S[t + 1]!);
          S[t + 1] = 0;
          pc++;
          break;
        }
        case OP_I64_ADD:
          sp--;
          S64[sp - 1] = S64[sp - 1]! + S64[sp]!;
          pc++;
          break;
        case OP_I64_SUB:
          sp--;
          S64[sp - 1] = S64[sp - 1]! - S64[sp]!;
          pc++;
          break;
        case OP_I64_MUL:
          sp--;
          S64[sp - 1] = S64[sp - 1]! * S64[sp]!;
          pc++;
          break;
        case OP_I64_DIV_S: {
          const b = S64[sp - 1]!;
          if (b === 0n) {
            trap = "int_divide_by_zero";
            break loop;
          }
          const a = S64[sp - 2]!;
          if (b === -1n && a === -9223372036854775808n) {
            trap = "int_overflow";
            break loop;
          }
          sp--;
          S64[sp - 1] = a / b;
          pc++;
          break;
        }
        case OP_I64_DIV_U: {
          const b = U64[sp - 1]!;
          if (b === 0n) {
            trap = "int_divide_by_zero";
            break loop;
          }
          sp--;
          U64[sp - 1] = U64[sp - 1]! / b;
          pc++;
          break;
        }
        case OP_I64_REM_S: {
          const b = S64[sp - 1]!;
          if (b === 0n) {
            trap = "int_divide_by_zero";
            break loop;
          }
          sp--;
          S64[sp - 1] = b === -1n ? 0n : S64[sp - 1]! % b;
          pc++;
          break;
        }
        case OP_I64_REM_U: {
          const b = U64[sp - 1]!;
          if (b === 0n) {
            trap = "int_divide_by_zero";
            break loop;
          }
          sp--;
          U64[sp - 1] = U64[sp - 1]! % b;
          pc++;
          break;
        }
        case OP_I64_AND: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! & S[t + 2]!;
          S[t + 1] = S[t + 1]! & S[t + 3]!;
          pc++;
          break;
        }
        case OP_I64_OR: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! | S[t + 2]!;
          S[t + 1] = S[t + 1]! | S[t + 3]!;
          pc++;
          break;
        }
        case OP_I64_XOR: {
          sp--;
          const t = (sp - 1) << 1;
          S[t] = S[t]! ^ S[t + 2]!;
          S[t + 1] = S[t + 1]! ^ S[t + 3]!;
          pc++;
          break;
        }
        case OP_I64_SHL:
          sp--;
          S64[sp - 1] = S64[sp - 1]! << (U64[sp]! & 63n);
          pc++;
          break;
        case OP_I64_SHR_S:
          sp--;
          S64[sp - 1] = S64[sp - 1]! >> (U64[sp]! & 63n);
          pc++;
          break;
        case OP_I64_SHR_U:
          sp--;
          U64[sp - 1] = U64[sp - 1]! >> (U64[sp]! & 63n);
          pc++;
          break;
        case OP_I64_ROTL: {
          sp--;
          const a = U64[sp - 1]!;
          const k = U64[sp]! & 63n;
          U64[sp - 1] = (a << k) | (a >> ((64n - k) & 63n));
          pc++;
          break;
        }
        case OP_I64_ROTR: {
          sp--;
          const a = U64[sp - 1]!;
          const k = U64[sp]! & 63n;
          U64[sp - 1] = (a >> k) | (a << ((64n - k) & 63n));
          pc++;
          break;
        }
        case OP_UNREACHABLE:
          trap = "unreachable";
          break loop;
        case OP_FINISH:
          done = true;
          break loop;
        default: {
          // Micro-stepped and rare instructions: out of the hot switch.
          this.pc = pc;
          this.sp = sp;
          this.changes.dirtyCount = dn;
          const t = slow(this, code[i]!, i);
          if (t) {
            trap = t;
            break loop;
          }
          pc = this.pc;
          sp = this.sp;
          mem = this.memory;
          dv = this.view;
          memLen = mem.length;
          dirty = this.changes.dirty;
          dlist = this.changes.dirtyList;
          dn = this.changes.dirtyCount;
          break;
        }
      }
    }
    this.changes.minDepth = minDepth;
    this.changes.dirtyCount = dn;
    if (globalSet) this.changes.globalsDirty = true;
    this.pc = pc;
    this.sp = sp;
    this.fp = fp;
    this.depth = depth;
    this.steps = steps;
    if (trap !== undefined) {
      this.status = "trapped";
      this.trap = trap;
    } else if (done) {
      this.status = "finished";
    } else if (micro) {
      // The step was counted by the loop: the micro-steps count themselves.
      this.steps--;
      microStep(this);
      microSteps(this, until);
    } else if (steps >= this.limits.maxSteps) {
      this.status = "out_of_steps";
    }
  }

  /** A deep copy of the whole state. */
  /** A deep copy of the whole state; with `withMemory` false, `memory` is left empty (the caller reads the pages itself). */
  snapshot(withMemory = true): MachineSnapshot {
    return snapshot(this, withMemory);
  }

  /** Restores a snapshot taken from a machine of the same compiled module and limits. */
  restore(s: MachineSnapshot): void {
    restore(this, s);
  }
}


/**
 * The change marks the state commitment (src/state/commit.ts) reads to rehash only what a
 * step changed: dirty memory leaves, the lowest frame depth reached, table and segment
 * changes, output restarts. The interpreter sets them; the commitment clears them.
 */
export class ChangeMarks {
  /**
   * Bumped whenever the output restarts or is replaced (a new invocation, a restore): the state
   * commitment refolds its output accumulator then, whatever the lengths.
   */
  outputEpoch = 0;
  /**
   * One byte per 32-byte memory leaf, set by every write since the state
   * commitment last looked (src/state/commit.ts clears it).
   */
  dirty: Uint8Array;
  /** The leaves flagged in `dirty`, in the order first written: dirtyList[0, dirtyCount). */
  dirtyList: Int32Array;
  dirtyCount = 0;
  /** Set when the whole memory must be rehashed (new machine, restore). */
  allDirty = true;
  /** Lowest frame depth reached since the state commitment last looked. */
  minDepth = 0;
  /**
   * Set when a global may have been written since the state commitment last looked (global.set,
   * restore). The commitment's per-step path compares the globals only when it is set: code
   * that writes `globals32`/`globals64` directly must set it too.
   */
  globalsDirty = true;
  /** Set when the table changed since the state commitment last looked. */
  tableDirty = true;
  /** Table entries written since the state commitment last looked; undefined: the whole table may differ. */
  tableWrites: number[] | undefined;
  /** Set when a data or element segment was dropped since the state commitment last looked. */
  segmentsDirty = true;
  /** The state commitment the change marks above serve (src/state/commit.ts). */
  commitOwner: unknown;

  constructor(leaves: number) {
    this.dirty = new Uint8Array(leaves);
    this.dirtyList = new Int32Array(leaves);
  }
}

/**
 * Steps per call of the interpreter loop in run()/runTo(): short enough that V8
 * optimizes the loop function through its call count rather than by on-stack
 * replacement, whose code kept deoptimizing at the loop exit (measured: runs 3x
 * slower about half the time with 2^20-step slices).
 */
const RUN_SLICE = 1 << 16;

/** Moves the top `keep` slots down over `drop` slots; returns the target pc. */
function branch(S: Int32Array, code: Int32Array, i: number, sp: number): number {
  const drop = code[i + 3]!;
  if (drop !== 0) {
    const keep = code[i + 2]!;
    copySlots(S, sp - keep, sp - keep - drop, keep);
  }
  return code[i + 1]!;
}

function copySlots(S: Int32Array, from: number, to: number, n: number): void {
  if (from === to) return;
  for (let k = 0; k < n; k++) {
    const s = (from + k) << 1;
    const d = (to + k) << 1;
    S[d] = S[s]!;
    S[d + 1] = S[s + 1]!;
  }
}

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function cmp64(op: number, alo: number, ahi: number, blo: number, bhi: number): number {
  const signed = op === OP_I64_LT_S || op === OP_I64_GT_S || op === OP_I64_LE_S || op === OP_I64_GE_S;
  let c: number; // -1, 0, 1
  if (ahi !== bhi) c = (signed ? ahi < bhi : ahi >>> 0 < bhi >>> 0) ? -1 : 1;
  else if (alo !== blo) c = alo >>> 0 < blo >>> 0 ? -1 : 1;
  else c = 0;
  switch (op) {
    case OP_I64_LT_S:
    case OP_I64_LT_U:
      return c < 0 ? 1 : 0;
    case OP_I64_GT_S:
    case OP_I64_GT_U:
      return c > 0 ? 1 : 0;
    case OP_I64_LE_S:
    case OP_I64_LE_U:
      return c <= 0 ? 1 : 0;
    default:
      return c >= 0 ? 1 : 0;
  }
}

// Opcode constants as module-local consts: V8 folds these into the switch's jump
// table, but not imported bindings (measured: 2x slower dispatch with imports).
// BEGIN GENERATED OPCODES (scripts/gen-opcodes.ts from spec/opcodes.json)
const OP_UNREACHABLE = 0;
const OP_BR = 1;
const OP_BR_IF = 2;
const OP_BR_UNLESS = 3;
const OP_BR_TABLE = 4;
const OP_BR_TABLE_ENTRY = 5;
const OP_RETURN = 6;
const OP_CALL = 7;
const OP_CALL_INDIRECT = 8;
const OP_FINISH = 9;
const OP_HOST_INPUT_SIZE = 10;
const OP_HOST_INPUT_READ = 11;
const OP_HOST_OUTPUT_WRITE = 12;
const OP_DROP = 13;
const OP_SELECT = 14;
const OP_LOCAL_GET = 15;
const OP_LOCAL_SET = 16;
const OP_LOCAL_TEE = 17;
const OP_GLOBAL_GET = 18;
const OP_GLOBAL_SET = 19;
const OP_I32_LOAD = 20;
const OP_I64_LOAD = 21;
const OP_I32_LOAD8_S = 22;
const OP_I32_LOAD8_U = 23;
const OP_I32_LOAD16_S = 24;
const OP_I32_LOAD16_U = 25;
const OP_I64_LOAD8_S = 26;
const OP_I64_LOAD8_U = 27;
const OP_I64_LOAD16_S = 28;
const OP_I64_LOAD16_U = 29;
const OP_I64_LOAD32_S = 30;
const OP_I64_LOAD32_U = 31;
const OP_I32_STORE = 32;
const OP_I64_STORE = 33;
const OP_I32_STORE8 = 34;
const OP_I32_STORE16 = 35;
const OP_I64_STORE8 = 36;
const OP_I64_STORE16 = 37;
const OP_I64_STORE32 = 38;
const OP_MEMORY_SIZE = 39;
const OP_MEMORY_GROW = 40;
const OP_MEMORY_INIT = 41;
const OP_DATA_DROP = 42;
const OP_MEMORY_COPY = 43;
const OP_MEMORY_FILL = 44;
const OP_TABLE_INIT = 45;
const OP_ELEM_DROP = 46;
const OP_TABLE_COPY = 47;
const OP_I32_CONST = 48;
const OP_I64_CONST = 49;
const OP_I32_EQZ = 50;
const OP_I32_EQ = 51;
const OP_I32_NE = 52;
const OP_I32_LT_S = 53;
const OP_I32_LT_U = 54;
const OP_I32_GT_S = 55;
const OP_I32_GT_U = 56;
const OP_I32_LE_S = 57;
const OP_I32_LE_U = 58;
const OP_I32_GE_S = 59;
const OP_I32_GE_U = 60;
const OP_I64_EQZ = 61;
const OP_I64_EQ = 62;
const OP_I64_NE = 63;
const OP_I64_LT_S = 64;
const OP_I64_LT_U = 65;
const OP_I64_GT_S = 66;
const OP_I64_GT_U = 67;
const OP_I64_LE_S = 68;
const OP_I64_LE_U = 69;
const OP_I64_GE_S = 70;
const OP_I64_GE_U = 71;
const OP_I32_CLZ = 72;
const OP_I32_CTZ = 73;
const OP_I32_POPCNT = 74;
const OP_I32_ADD = 75;
const OP_I32_SUB = 76;
const OP_I32_MUL = 77;
const OP_I32_DIV_S = 78;
const OP_I32_DIV_U = 79;
const OP_I32_REM_S = 80;
const OP_I32_REM_U = 81;
const OP_I32_AND = 82;
const OP_I32_OR = 83;
const OP_I32_XOR = 84;
const OP_I32_SHL = 85;
const OP_I32_SHR_S = 86;
const OP_I32_SHR_U = 87;
const OP_I32_ROTL = 88;
const OP_I32_ROTR = 89;
const OP_I64_CLZ = 90;
const OP_I64_CTZ = 91;
const OP_I64_POPCNT = 92;
const OP_I64_ADD = 93;
const OP_I64_SUB = 94;
const OP_I64_MUL = 95;
const OP_I64_DIV_S = 96;
const OP_I64_DIV_U = 97;
const OP_I64_REM_S = 98;
const OP_I64_REM_U = 99;
const OP_I64_AND = 100;
const OP_I64_OR = 101;
const OP_I64_XOR = 102;
const OP_I64_SHL = 103;
const OP_I64_SHR_S = 104;
const OP_I64_SHR_U = 105;
const OP_I64_ROTL = 106;
const OP_I64_ROTR = 107;
const OP_I32_WRAP_I64 = 108;
const OP_I64_EXTEND_I32_S = 109;
const OP_I64_EXTEND_I32_U = 110;
const OP_I32_EXTEND8_S = 111;
const OP_I32_EXTEND16_S = 112;
const OP_I64_EXTEND8_S = 113;
const OP_I64_EXTEND16_S = 114;
const OP_I64_EXTEND32_S = 115;
const OP_RETURN_IF = 116;
// END GENERATED OPCODES
