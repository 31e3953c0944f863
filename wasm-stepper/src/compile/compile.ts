/**
 * Validation (WebAssembly 2.0 spec, section 3.3 "Instructions" and appendix
 * A.3 "Validation Algorithm") and translation of function bodies to the IR of
 * spec/EXECUTION.md section 3, in one pass per function.
 */
import { Reader } from "../decode/reader.ts";
import { InvalidModuleError, LinkError, MalformedModuleError, StepperError, UnsupportedFeatureError } from "../errors.ts";
import * as Op from "../ir/opcodes.ts";
import { I32, I64, type FuncType, type Module, type ValType } from "../module.ts";
import type { CompiledModule, FuncInfo } from "./types.ts";

/** Unknown type: a value popped from the polymorphic stack of unreachable code. */
const ANY = 0;
type StackType = ValType | typeof ANY;

const enum Kind {
  Func,
  Block,
  Loop,
  If,
  Else,
}

interface Ctrl {
  kind: Kind;
  params: ValType[];
  results: ValType[];
  /** Operand stack height at entry, params excluded. */
  height: number;
  unreachable: boolean;
  /** Loop: pc of its first instruction. */
  loopPc: number;
  /** Block/If/Else: code word indices to patch with the end pc. */
  fixups: number[];
  /** If: code word index of the br_unless target to patch at else/end. */
  ifFixup: number;
}

const HOST_TYPES: Record<string, string> = {
  input_size: "->7f",
  input_read: "7f7f7f->",
  output_write: "7f7f->",
};

class CodeBuffer {
  code = new Int32Array(1024);
  src = new Int32Array(256);
  hgt = new Int32Array(256);
  length = 0;

  emit(op: number, a: number, b: number, c: number, src: number, height: number): number {
    const pc = this.length;
    if ((pc + 1) * 4 > this.code.length) {
      const n = new Int32Array(this.code.length * 2);
      n.set(this.code);
      this.code = n;
      const s = new Int32Array(this.src.length * 2);
      s.set(this.src);
      this.src = s;
      const h = new Int32Array(this.hgt.length * 2);
      h.set(this.hgt);
      this.hgt = h;
    }
    const i = pc * 4;
    this.code[i] = op;
    this.code[i + 1] = a;
    this.code[i + 2] = b;
    this.code[i + 3] = c;
    this.src[pc] = src;
    this.hgt[pc] = height;
    this.length = pc + 1;
    return pc;
  }
}

function typeKey(t: FuncType): string {
  return t.params.map((x) => x.toString(16)).join("") + "->" + t.results.map((x) => x.toString(16)).join("");
}

/** Validates every function body and translates the module to IR. */
export function compileModule(module: Module): CompiledModule {
  const buf = new CodeBuffer();
  const nImports = module.imports.length;
  // typeId: the first type equal to a type (spec/STATE.md section 1), the one place it is computed.
  const keys = module.types.map(typeKey);
  const typeIds = keys.map((k) => keys.indexOf(k));
  const funcs: FuncInfo[] = [];
  for (let i = 0; i < nImports; i++) {
    const imp = module.imports[i]!;
    const type = module.types[imp.typeIndex]!;
    const host = imp.module === "task" && imp.name in HOST_TYPES ? (imp.name as FuncInfo["host"]) : undefined;
    if (!host || HOST_TYPES[imp.name] !== typeKey(type)) {
      throw new InvalidModuleError(`import ${imp.module}.${imp.name} is not a task host function of the right type`, {
        section: "import",
        offset: imp.offset,
      });
    }
    funcs.push({ index: i, type, host, entry: -1, nparams: type.params.length, nlocals: type.params.length, maxHeight: 0, typeId: typeIds[imp.typeIndex]! });
  }
  module.funcTypes.forEach((ti, j) => {
    const type = module.types[ti]!;
    const body = module.bodies[j]!;
    funcs.push({
      index: nImports + j,
      type,
      entry: -1,
      nparams: type.params.length,
      nlocals: type.params.length + body.locals.length,
      maxHeight: 0,
      typeId: typeIds[ti]!,
    });
  });

  // Bootstrap code (EXECUTION.md section 6). pc 0 is `finish`.
  buf.emit(Op.FINISH, 0, 0, 0, -1, 0);
  const funcExport = (name: string) => module.exports.find((e) => e.kind === "func" && e.name === name);
  let startBootstrap = -1;
  if (module.start !== undefined) {
    startBootstrap = buf.emit(Op.CALL, module.start, 0, 0, -1, 0);
    buf.emit(Op.FINISH, 0, 0, 0, -1, 0);
  }
  let taskBootstrap = -1;
  const runExp = funcExport("run");
  if (runExp && funcs[runExp.index]!.nparams === 0) {
    const f = funcs[runExp.index]!;
    taskBootstrap = buf.length;
    if (module.start !== undefined) buf.emit(Op.CALL, module.start, 0, 0, -1, 0);
    emitCallOrHost(buf, f, runExp.index, -1, 0);
    buf.emit(Op.FINISH, 0, 0, 0, -1, f.type.results.length);
  }
  const exportBootstrap = new Map<string, number>();
  for (const e of module.exports) {
    if (e.kind !== "func") continue;
    const f = funcs[e.index]!;
    exportBootstrap.set(e.name, buf.length);
    emitCallOrHost(buf, f, e.index, -1, f.nparams);
    buf.emit(Op.FINISH, 0, 0, 0, -1, f.type.results.length);
  }

  // Host functions are steps of the host API, not frames: they may be called
  // directly but never placed in the table (EXECUTION.md section 2).
  module.elems.forEach((e, k) => {
    for (const fi of e.funcs)
      if (fi >= 0 && fi < nImports)
        throw new LinkError(`element segment ${k} references host function task.${module.imports[fi]!.name}; host functions cannot be placed in a table`, { section: "element" });
  });

  const callSiteHeight = new Map<number, number>();
  for (let j = 0; j < module.bodies.length; j++) {
    const f = funcs[nImports + j]!;
    f.entry = buf.length;
    try {
      compileBody(module, funcs, typeIds, f, j, buf, callSiteHeight);
    } catch (e) {
      if (e instanceof StepperError && e.funcIndex === undefined) {
        // Attach the function to errors raised by the reader.
        const name = module.funcNames.get(f.index) ?? module.exports.find((x) => x.kind === "func" && x.index === f.index)?.name;
        const opts = { section: "code", offset: e.offset, funcIndex: f.index, funcName: name, cause: e };
        if (e instanceof MalformedModuleError) throw new MalformedModuleError(e.shortMessage, opts);
        if (e instanceof UnsupportedFeatureError) throw new UnsupportedFeatureError(e.feature ?? "unknown", e.shortMessage, opts);
        if (e instanceof InvalidModuleError) throw new InvalidModuleError(e.shortMessage, opts);
      }
      throw e;
    }
  }

  return {
    module,
    code: buf.code.slice(0, buf.length * 4),
    length: buf.length,
    funcs,
    typeIds,
    srcOffset: buf.src.slice(0, buf.length),
    height: buf.hgt.slice(0, buf.length),
    callSiteHeight,
    taskBootstrap,
    exportBootstrap,
    startBootstrap,
  };
}

function emitCallOrHost(buf: CodeBuffer, f: FuncInfo, index: number, src: number, height: number): void {
  if (f.host === "input_size") buf.emit(Op.HOST_INPUT_SIZE, 0, 0, 0, src, height);
  else if (f.host === "input_read") buf.emit(Op.HOST_INPUT_READ, 0, 0, 0, src, height);
  else if (f.host === "output_write") buf.emit(Op.HOST_OUTPUT_WRITE, 0, 0, 0, src, height);
  else buf.emit(Op.CALL, index, 0, 0, src, height);
}

/** Wasm opcodes (single byte) outside the subset, by feature. */
function floatOpcode(b: number): boolean {
  return (
    b === 0x2a || b === 0x2b || b === 0x38 || b === 0x39 || b === 0x43 || b === 0x44 ||
    (b >= 0x5b && b <= 0x66) || (b >= 0x8b && b <= 0xa6) || (b >= 0xa8 && b <= 0xab) || (b >= 0xae && b <= 0xbf)
  );
}

function compileBody(
  module: Module,
  funcs: FuncInfo[],
  typeIds: number[],
  f: FuncInfo,
  j: number,
  buf: CodeBuffer,
  callSiteHeight: Map<number, number>,
): void {
  const body = module.bodies[j]!;
  const r = new Reader(module.bytes, body.codeStart, body.codeEnd);
  r.section = "code";
  const locals: ValType[] = [...f.type.params, ...body.locals];
  const vals: StackType[] = [];
  const ctrls: Ctrl[] = [];
  let maxHeight = 0;
  let instrStart = r.pos;
  const memPages = module.memory;
  const hasTable = module.table !== undefined;
  const nGlobals = module.globals.length;
  const dataCount = module.dataCount;

  const invalid = (msg: string): never => {
    throw new InvalidModuleError(msg, { offset: instrStart });
  };
  const unsupported = (feature: string, what: string): never => {
    throw new UnsupportedFeatureError(feature, `${what} is not supported (feature "${feature}")`, { offset: instrStart });
  };
  const push = (t: StackType) => {
    vals.push(t);
    if (vals.length > maxHeight) maxHeight = vals.length;
  };
  const pop = (expect?: ValType): StackType => {
    const c = ctrls[ctrls.length - 1]!;
    if (vals.length === c.height) {
      if (c.unreachable) return expect ?? ANY;
      invalid(`type mismatch: operand stack underflow`);
    }
    const t = vals.pop()!;
    if (expect !== undefined && t !== ANY && t !== expect) invalid(`type mismatch: expected ${tname(expect)}, got ${tname(t)}`);
    return t;
  };
  const popVals = (ts: ValType[]) => {
    for (let k = ts.length - 1; k >= 0; k--) pop(ts[k]);
  };
  const pushVals = (ts: ValType[]) => {
    for (const t of ts) push(t);
  };
  const emit = (op: number, a = 0, b = 0, c = 0) => buf.emit(op, a, b, c, instrStart, vals.length);
  const labelTypes = (c: Ctrl) => (c.kind === Kind.Loop ? c.params : c.results);
  const setUnreachable = () => {
    const c = ctrls[ctrls.length - 1]!;
    vals.length = c.height;
    c.unreachable = true;
  };
  const label = (depth: number): Ctrl => {
    if (depth >= ctrls.length) invalid(`unknown label ${depth}`);
    return ctrls[ctrls.length - 1 - depth]!;
  };
  /** Emits a branch (op = BR, BR_IF or BR_TABLE_ENTRY) to label `depth`; `vals` excludes the condition. */
  const emitBranch = (op: number, depth: number, heightOverride?: number) => {
    const c = label(depth);
    const keep = labelTypes(c).length;
    const h = heightOverride ?? vals.length;
    const drop = Math.max(0, h - keep - c.height);
    if (c.kind === Kind.Func) {
      // A branch to the function's outermost label is a return (EXECUTION.md section 3);
      // a br_table entry encodes it as target -1.
      if (op === Op.BR) emit(Op.RETURN, keep);
      else emit(Op.BR_TABLE_ENTRY, -1, keep, drop);
      return;
    }
    const pc = emit(op, c.kind === Kind.Loop ? c.loopPc : -1, keep, drop);
    if (c.kind !== Kind.Loop) c.fixups.push(pc * 4 + 1);
  };

  const readBlockType = (): { params: ValType[]; results: ValType[] } => {
    const b = module.bytes[r.pos];
    if (b === undefined || r.pos >= r.end) r.fail("unexpected end of function");
    if (b === 0x40) {
      r.pos++;
      return { params: [], results: [] };
    }
    if (b === 0x7f || b === 0x7e) {
      r.pos++;
      return { params: [], results: [b as ValType] };
    }
    if (b === 0x7d || b === 0x7c) unsupported("float", "a float block type");
    if (b === 0x7b) unsupported("simd", "a v128 block type");
    if (b === 0x70 || b === 0x6f) unsupported("reference-types", "a reference block type");
    const idx = r.s64();
    if (idx < 0n || idx >= BigInt(module.types.length)) invalid(`unknown type ${idx} in block type`);
    const t = module.types[Number(idx)]!;
    return { params: t.params, results: t.results };
  };
  const memarg = (maxAlign: number): number => {
    const align = r.u32();
    if (align & 0x40) unsupported("multi-memory", "a memory index in a memarg");
    const offset = r.u32();
    if (!memPages) invalid("memory instruction without a memory");
    if (align > maxAlign) invalid(`alignment must not be larger than natural`);
    return offset;
  };
  const needMemory = () => {
    if (!memPages) invalid("memory instruction without a memory");
  };

  ctrls.push({ kind: Kind.Func, params: [], results: f.type.results, height: 0, unreachable: false, loopPc: -1, fixups: [], ifFixup: -1 });

  while (ctrls.length > 0) {
    instrStart = r.pos;
    const b = r.u8();
    switch (b) {
      case 0x00:
        emit(Op.UNREACHABLE);
        setUnreachable();
        break;
      case 0x01:
        break;
      case 0x02:
      case 0x03: {
        const bt = readBlockType();
        popVals(bt.params);
        const height = vals.length;
        ctrls.push({
          kind: b === 0x02 ? Kind.Block : Kind.Loop,
          params: bt.params,
          results: bt.results,
          height,
          unreachable: false,
          loopPc: buf.length,
          fixups: [],
          ifFixup: -1,
        });
        pushVals(bt.params);
        break;
      }
      case 0x04: {
        const bt = readBlockType();
        pop(I32);
        popVals(bt.params);
        const height = vals.length;
        const pc = buf.emit(Op.BR_UNLESS, -1, 0, 0, instrStart, height + bt.params.length + 1);
        ctrls.push({ kind: Kind.If, params: bt.params, results: bt.results, height, unreachable: false, loopPc: -1, fixups: [], ifFixup: pc * 4 + 1 });
        pushVals(bt.params);
        break;
      }
      case 0x05: {
        const c = ctrls[ctrls.length - 1]!;
        if (c.kind !== Kind.If) invalid("else without a matching if");
        popVals(c.results);
        if (vals.length !== c.height) invalid("type mismatch: values remaining on the stack at else");
        const pc = buf.emit(Op.BR, -1, 0, 0, instrStart, c.height + c.results.length);
        c.fixups.push(pc * 4 + 1);
        buf.code[c.ifFixup] = buf.length;
        c.ifFixup = -1;
        c.kind = Kind.Else;
        c.unreachable = false;
        pushVals(c.params);
        break;
      }
      case 0x0b: {
        const c = ctrls[ctrls.length - 1]!;
        popVals(c.results);
        if (vals.length !== c.height) invalid("type mismatch: values remaining on the stack at end of block");
        if (c.kind === Kind.If) {
          // An if without else must have the same params and results.
          if (typeKey({ params: c.params, results: [] }) !== typeKey({ params: c.results, results: [] }))
            invalid("type mismatch: if without else must not change the stack type");
        }
        ctrls.pop();
        pushVals(c.results);
        if (c.kind === Kind.Func) {
          buf.emit(Op.RETURN, c.results.length, 0, 0, instrStart, c.results.length);
        } else {
          const end = buf.length;
          for (const w of c.fixups) buf.code[w] = end;
          if (c.ifFixup >= 0) buf.code[c.ifFixup] = end;
        }
        break;
      }
      case 0x0c: {
        const d = r.u32();
        const c = label(d);
        popVals(labelTypes(c));
        pushVals(labelTypes(c));
        emitBranch(Op.BR, d);
        setUnreachable();
        break;
      }
      case 0x0d: {
        const d = r.u32();
        pop(I32);
        const c = label(d);
        popVals(labelTypes(c));
        pushVals(labelTypes(c));
        // The condition is popped before the branch: heights are recorded after the pop,
        // but the instruction's own "before" height includes it.
        const hBefore = vals.length;
        if (c.kind === Kind.Func) {
          buf.emit(Op.RETURN_IF, c.results.length, 0, 0, instrStart, hBefore + 1);
        } else {
          const keep = labelTypes(c).length;
          const drop = Math.max(0, hBefore - keep - c.height);
          const pc = buf.emit(Op.BR_IF, c.kind === Kind.Loop ? c.loopPc : -1, keep, drop, instrStart, hBefore + 1);
          if (c.kind !== Kind.Loop) c.fixups.push(pc * 4 + 1);
        }
        break;
      }
      case 0x0e: {
        const n = r.u32();
        if (n > r.end - r.pos) r.fail("br_table label count runs past the end");
        const labels: number[] = [];
        for (let k = 0; k <= n; k++) labels.push(r.u32());
        pop(I32);
        const hBefore = vals.length;
        const dflt = label(labels[n]!);
        const arity = labelTypes(dflt).length;
        for (const l of labels) {
          const c = label(l);
          const ts = labelTypes(c);
          if (ts.length !== arity) invalid("type mismatch: br_table labels of different arity");
          // Check the top `arity` values against each label's types.
          for (let k = 0; k < arity; k++) {
            const have = vals.length - arity + k >= ctrls[ctrls.length - 1]!.height ? vals[vals.length - arity + k] : ANY;
            if (have !== ANY && have !== undefined && have !== ts[k]) invalid("type mismatch in br_table");
          }
        }
        popVals(labelTypes(dflt));
        buf.emit(Op.BR_TABLE, n, 0, 0, instrStart, hBefore + 1);
        for (const l of labels) emitBranch(Op.BR_TABLE_ENTRY, l, hBefore);
        setUnreachable();
        break;
      }
      case 0x0f: {
        emit(Op.RETURN, f.type.results.length);
        popVals(f.type.results);
        setUnreachable();
        break;
      }
      case 0x10: {
        const idx = r.u32();
        const callee = funcs[idx];
        if (!callee) invalid(`unknown function ${idx}`);
        callSiteHeight.set(instrStart, vals.length);
        const h = vals.length;
        popVals(callee!.type.params);
        emitCallOrHost(buf, callee!, idx, instrStart, h);
        pushVals(callee!.type.results);
        break;
      }
      case 0x11: {
        const ti = r.u32();
        const tbl = r.u32();
        if (tbl !== 0) unsupported("reference-types", "call_indirect on a table other than 0");
        if (!hasTable) invalid("call_indirect without a table");
        const t = module.types[ti];
        if (!t) invalid(`unknown type ${ti}`);
        pop(I32);
        callSiteHeight.set(instrStart, vals.length + 1);
        const h = vals.length + 1;
        popVals(t!.params);
        buf.emit(Op.CALL_INDIRECT, ti, typeIds[ti]!, 0, instrStart, h);
        pushVals(t!.results);
        break;
      }
      case 0x1a:
        emit(Op.DROP);
        pop();
        break;
      case 0x1b:
      case 0x1c: {
        if (b === 0x1c) {
          const n = r.u32();
          if (n !== 1) invalid("select with a type vector must have exactly one type");
          const t = r.u8();
          if (t === 0x7d || t === 0x7c) unsupported("float", "select of a float type");
          if (t === 0x7b) unsupported("simd", "select of v128");
          if (t === 0x70 || t === 0x6f) unsupported("reference-types", "select of a reference type");
          if (t !== I32 && t !== I64) invalid("malformed select type");
        }
        const h = vals.length;
        pop(I32);
        const t2 = pop();
        const t1 = pop();
        if (t1 !== ANY && t2 !== ANY && t1 !== t2) invalid("type mismatch in select");
        buf.emit(Op.SELECT, 0, 0, 0, instrStart, h);
        push(t1 === ANY ? t2 : t1);
        break;
      }
      case 0x20:
      case 0x21:
      case 0x22: {
        const i = r.u32();
        const t = locals[i];
        if (t === undefined) invalid(`unknown local ${i}`);
        const op = b === 0x20 ? Op.LOCAL_GET : b === 0x21 ? Op.LOCAL_SET : Op.LOCAL_TEE;
        emit(op, i);
        if (b === 0x20) push(t!);
        else if (b === 0x21) pop(t!);
        else {
          pop(t!);
          push(t!);
        }
        break;
      }
      case 0x23:
      case 0x24: {
        const i = r.u32();
        if (i >= nGlobals) invalid(`unknown global ${i}`);
        const g = module.globals[i]!;
        emit(b === 0x23 ? Op.GLOBAL_GET : Op.GLOBAL_SET, i);
        if (b === 0x23) push(g.type);
        else {
          if (!g.mutable) invalid(`global ${i} is immutable`);
          pop(g.type);
        }
        break;
      }
      case 0x25:
      case 0x26:
        unsupported("reference-types", b === 0x25 ? "table.get" : "table.set");
        break;
      case 0x3f:
      case 0x40: {
        if (r.u8() !== 0) unsupported("multi-memory", "a memory index other than 0");
        needMemory();
        emit(b === 0x3f ? Op.MEMORY_SIZE : Op.MEMORY_GROW);
        if (b === 0x40) pop(I32);
        push(I32);
        break;
      }
      case 0x41: {
        const v = r.s32();
        emit(Op.I32_CONST, v);
        push(I32);
        break;
      }
      case 0x42: {
        const v = BigInt.asUintN(64, r.s64());
        emit(Op.I64_CONST, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
        push(I64);
        break;
      }
      case 0xfc: {
        const sub = r.u32();
        compileFC(sub);
        break;
      }
      case 0xfd:
        unsupported("simd", "a SIMD instruction");
        break;
      case 0xfe:
        unsupported("threads", "an atomic instruction");
        break;
      case 0x12:
      case 0x13:
        unsupported("tail-call", "return_call");
        break;
      case 0x06:
      case 0x07:
      case 0x08:
      case 0x09:
      case 0x18:
      case 0x19:
      case 0x0a:
        unsupported("exceptions", "an exception-handling instruction");
        break;
      case 0xd0:
      case 0xd1:
      case 0xd2:
        unsupported("reference-types", "a ref instruction");
        break;
      default: {
        const m = MEM_OPS[b];
        if (m) {
          const offset = memarg(m.align);
          emit(m.op, offset);
          if (m.store) {
            // Stack: address, value (value on top).
            pop(m.type);
            pop(I32);
          } else {
            pop(I32);
            push(m.type);
          }
          break;
        }
        const n = NUM_OPS[b];
        if (n) {
          emit(n.op);
          for (let k = n.in.length - 1; k >= 0; k--) pop(n.in[k]);
          push(n.out);
          break;
        }
        if (floatOpcode(b)) unsupported("float", `float instruction 0x${b.toString(16)}`);
        throw new MalformedModuleError(`illegal opcode 0x${b.toString(16)}`, { offset: instrStart });
      }
    }
  }
  if (r.pos !== r.end) throw new MalformedModuleError("operators remaining after the end of the function", { offset: r.pos });
  f.maxHeight = maxHeight;

  function compileFC(sub: number): void {
    if (sub <= 7) unsupported("float", "a saturating float-to-int conversion");
    switch (sub) {
      case 8: {
        const seg = r.u32();
        if (r.u8() !== 0) unsupported("multi-memory", "a memory index other than 0");
        needMemory();
        if (dataCount === undefined) invalid("memory.init requires a data count section");
        if (seg >= dataCount!) invalid(`unknown data segment ${seg}`);
        const h = vals.length;
        popVals([I32, I32, I32]);
        buf.emit(Op.MEMORY_INIT, seg, 0, 0, instrStart, h);
        return;
      }
      case 9: {
        const seg = r.u32();
        if (dataCount === undefined) invalid("data.drop requires a data count section");
        if (seg >= dataCount!) invalid(`unknown data segment ${seg}`);
        emit(Op.DATA_DROP, seg);
        return;
      }
      case 10: {
        if (r.u8() !== 0 || r.u8() !== 0) unsupported("multi-memory", "a memory index other than 0");
        needMemory();
        const h = vals.length;
        popVals([I32, I32, I32]);
        buf.emit(Op.MEMORY_COPY, 0, 0, 0, instrStart, h);
        return;
      }
      case 11: {
        if (r.u8() !== 0) unsupported("multi-memory", "a memory index other than 0");
        needMemory();
        const h = vals.length;
        popVals([I32, I32, I32]);
        buf.emit(Op.MEMORY_FILL, 0, 0, 0, instrStart, h);
        return;
      }
      case 12: {
        const seg = r.u32();
        const tbl = r.u32();
        if (tbl !== 0) unsupported("reference-types", "a table other than 0");
        if (!hasTable) invalid("table.init without a table");
        if (seg >= module.elems.length) invalid(`unknown element segment ${seg}`);
        const h = vals.length;
        popVals([I32, I32, I32]);
        buf.emit(Op.TABLE_INIT, seg, 0, 0, instrStart, h);
        return;
      }
      case 13: {
        const seg = r.u32();
        if (seg >= module.elems.length) invalid(`unknown element segment ${seg}`);
        emit(Op.ELEM_DROP, seg);
        return;
      }
      case 14: {
        const d = r.u32();
        const s = r.u32();
        if (d !== 0 || s !== 0) unsupported("reference-types", "a table other than 0");
        if (!hasTable) invalid("table.copy without a table");
        const h = vals.length;
        popVals([I32, I32, I32]);
        buf.emit(Op.TABLE_COPY, 0, 0, 0, instrStart, h);
        return;
      }
      case 15:
      case 16:
      case 17:
        unsupported("reference-types", ["table.grow", "table.size", "table.fill"][sub - 15]!);
        return;
      default:
        throw new MalformedModuleError(`illegal opcode 0xfc ${sub}`, { offset: instrStart });
    }
  }
}

function tname(t: StackType): string {
  return t === I32 ? "i32" : t === I64 ? "i64" : "any";
}

interface MemOp {
  op: number;
  align: number;
  type: ValType;
  store: boolean;
}
const MEM_OPS: Record<number, MemOp> = {
  0x28: { op: Op.I32_LOAD, align: 2, type: I32, store: false },
  0x29: { op: Op.I64_LOAD, align: 3, type: I64, store: false },
  0x2c: { op: Op.I32_LOAD8_S, align: 0, type: I32, store: false },
  0x2d: { op: Op.I32_LOAD8_U, align: 0, type: I32, store: false },
  0x2e: { op: Op.I32_LOAD16_S, align: 1, type: I32, store: false },
  0x2f: { op: Op.I32_LOAD16_U, align: 1, type: I32, store: false },
  0x30: { op: Op.I64_LOAD8_S, align: 0, type: I64, store: false },
  0x31: { op: Op.I64_LOAD8_U, align: 0, type: I64, store: false },
  0x32: { op: Op.I64_LOAD16_S, align: 1, type: I64, store: false },
  0x33: { op: Op.I64_LOAD16_U, align: 1, type: I64, store: false },
  0x34: { op: Op.I64_LOAD32_S, align: 2, type: I64, store: false },
  0x35: { op: Op.I64_LOAD32_U, align: 2, type: I64, store: false },
  0x36: { op: Op.I32_STORE, align: 2, type: I32, store: true },
  0x37: { op: Op.I64_STORE, align: 3, type: I64, store: true },
  0x3a: { op: Op.I32_STORE8, align: 0, type: I32, store: true },
  0x3b: { op: Op.I32_STORE16, align: 1, type: I32, store: true },
  0x3c: { op: Op.I64_STORE8, align: 0, type: I64, store: true },
  0x3d: { op: Op.I64_STORE16, align: 1, type: I64, store: true },
  0x3e: { op: Op.I64_STORE32, align: 2, type: I64, store: true },
};

interface NumOp {
  op: number;
  in: ValType[];
  out: ValType;
}
const NUM_OPS: Record<number, NumOp> = {};
{
  const u = (t: ValType, o: ValType) => ({ in: [t], out: o });
  const bin = (t: ValType, o: ValType) => ({ in: [t, t], out: o });
  const def = (b: number, op: number, sig: { in: ValType[]; out: ValType }) => (NUM_OPS[b] = { op, ...sig });
  def(0x45, Op.I32_EQZ, u(I32, I32));
  const i32cmp = [Op.I32_EQ, Op.I32_NE, Op.I32_LT_S, Op.I32_LT_U, Op.I32_GT_S, Op.I32_GT_U, Op.I32_LE_S, Op.I32_LE_U, Op.I32_GE_S, Op.I32_GE_U];
  i32cmp.forEach((op, k) => def(0x46 + k, op, bin(I32, I32)));
  def(0x50, Op.I64_EQZ, u(I64, I32));
  const i64cmp = [Op.I64_EQ, Op.I64_NE, Op.I64_LT_S, Op.I64_LT_U, Op.I64_GT_S, Op.I64_GT_U, Op.I64_LE_S, Op.I64_LE_U, Op.I64_GE_S, Op.I64_GE_U];
  i64cmp.forEach((op, k) => def(0x51 + k, op, bin(I64, I32)));
  [Op.I32_CLZ, Op.I32_CTZ, Op.I32_POPCNT].forEach((op, k) => def(0x67 + k, op, u(I32, I32)));
  const i32bin = [Op.I32_ADD, Op.I32_SUB, Op.I32_MUL, Op.I32_DIV_S, Op.I32_DIV_U, Op.I32_REM_S, Op.I32_REM_U, Op.I32_AND, Op.I32_OR, Op.I32_XOR, Op.I32_SHL, Op.I32_SHR_S, Op.I32_SHR_U, Op.I32_ROTL, Op.I32_ROTR];
  i32bin.forEach((op, k) => def(0x6a + k, op, bin(I32, I32)));
  [Op.I64_CLZ, Op.I64_CTZ, Op.I64_POPCNT].forEach((op, k) => def(0x79 + k, op, u(I64, I64)));
  const i64bin = [Op.I64_ADD, Op.I64_SUB, Op.I64_MUL, Op.I64_DIV_S, Op.I64_DIV_U, Op.I64_REM_S, Op.I64_REM_U, Op.I64_AND, Op.I64_OR, Op.I64_XOR, Op.I64_SHL, Op.I64_SHR_S, Op.I64_SHR_U, Op.I64_ROTL, Op.I64_ROTR];
  i64bin.forEach((op, k) => def(0x7c + k, op, bin(I64, I64)));
  def(0xa7, Op.I32_WRAP_I64, u(I64, I32));
  def(0xac, Op.I64_EXTEND_I32_S, u(I32, I64));
  def(0xad, Op.I64_EXTEND_I32_U, u(I32, I64));
  def(0xc0, Op.I32_EXTEND8_S, u(I32, I32));
  def(0xc1, Op.I32_EXTEND16_S, u(I32, I32));
  def(0xc2, Op.I64_EXTEND8_S, u(I64, I64));
  def(0xc3, Op.I64_EXTEND16_S, u(I64, I64));
  def(0xc4, Op.I64_EXTEND32_S, u(I64, I64));
}
