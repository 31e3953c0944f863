/**
 * Binary decoder (WebAssembly 2.0 core spec, chapter 5 "Binary Format") with
 * the module-level validation that does not need function bodies (spec 3.4
 * "Modules"), restricted to the subset of spec/EXECUTION.md section 1.
 *
 * Function bodies are NOT decoded here: each body is recorded as a byte range
 * (after its locals declarations) for the compiler, which validates the
 * instructions.
 *
 * Error classes:
 * - MalformedModuleError: the bytes do not follow the binary grammar (spec 5).
 * - InvalidModuleError: well-formed but invalid (spec 3.4: bad indices, type
 *   mismatches in constant expressions, limits, duplicate exports, ...).
 * - UnsupportedFeatureError: outside the subset (EXECUTION.md section 1); the
 *   `feature` names are the ones listed there.
 * - LinkError: a host function import of the wrong type (EXECUTION.md
 *   section 2); any other import is UnsupportedFeatureError `import`.
 * Checks run in byte order, so the first problem in the binary is reported.
 *
 * Resource use is bounded by the input size: every vector count is checked
 * against the bytes left before anything proportional to it is allocated, and
 * expanded locals are capped per function and per module.
 */
import {
  InvalidModuleError,
  LinkError,
  StepperError,
  UnsupportedFeatureError,
} from "../errors.ts";
import {
  FUNCREF,
  I32,
  I64,
  type ConstExpr,
  type DataSegment,
  type ElemSegment,
  type Export,
  type FuncBody,
  type FuncImport,
  type FuncType,
  type Global,
  type Limits,
  type Module,
  type ValType,
} from "../module.ts";
import { Reader } from "./reader.ts";

/** Locals declared by one function, params excluded (the limit engines use; protects memory). */
export const MAX_LOCALS_PER_FUNCTION = 50_000;
/**
 * Expanded locals over all functions of a module. Without it, ~7-byte bodies
 * declaring 50,000 locals each would make a 1 MB module expand to billions of
 * entries.
 */
export const MAX_LOCALS_PER_MODULE = 1 << 22;
/** Memory size limit of 32-bit memories in pages (spec 3.2.4: 2^16 pages = 4 GiB); the one definition. */
export const MAX_PAGES = 65536;

/** Section ids (spec 5.5.2), tag (13) from the exception-handling proposal. */
const SECTION_NAMES = [
  "custom",
  "type",
  "import",
  "function",
  "table",
  "memory",
  "global",
  "export",
  "start",
  "element",
  "code",
  "data",
  "datacount",
  "tag",
] as const;

/**
 * Required order of non-custom sections (spec 5.5.2): datacount comes between
 * element and code; tag between memory and global (exception handling).
 */
const SECTION_RANK: readonly number[] = (() => {
  const order = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
  const rank: number[] = new Array(14).fill(0);
  order.forEach((id, i) => (rank[id] = i + 1));
  return rank;
})();

/** The host API (EXECUTION.md section 2): import module "task". */
const HOST_MODULE = "task";
const HOST_IMPORTS: Readonly<Record<string, FuncType>> = {
  input_size: { params: [], results: [I32] },
  input_read: { params: [I32, I32, I32], results: [] },
  output_write: { params: [I32, I32], results: [] },
};

function typeName(t: number): string {
  switch (t) {
    case I32:
      return "i32";
    case I64:
      return "i64";
    case FUNCREF:
      return "funcref";
    default:
      return `0x${t.toString(16)}`;
  }
}

/** Text form of a function type, e.g. `(i32, i32) -> ()`. */
export function funcTypeToString(t: FuncType): string {
  return `(${t.params.map(typeName).join(", ")}) -> (${t.results.map(typeName).join(", ")})`;
}

function sameFuncType(a: FuncType, b: FuncType): boolean {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((p, i) => p === b.params[i]) &&
    a.results.every((p, i) => p === b.results[i])
  );
}

const HOST_LIST = Object.entries(HOST_IMPORTS)
  .map(([n, t]) => `${HOST_MODULE}.${n} ${funcTypeToString(t)}`)
  .join(", ");

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, "0")}`;
}

interface TypedConst {
  expr: ConstExpr;
  type: number;
}

class Decoder {
  readonly r: Reader;
  readonly bytes: Uint8Array;

  types: FuncType[] = [];
  imports: FuncImport[] = [];
  funcTypes: number[] = [];
  table?: Limits;
  memory?: Limits;
  globals: Global[] = [];
  exports: Export[] = [];
  start?: number;
  elems: ElemSegment[] = [];
  datas: DataSegment[] = [];
  dataCount?: number;
  bodies: FuncBody[] = [];
  funcNames: Map<number, string> = new Map();

  sawCode = false;
  sawData = false;
  sawNames = false;
  /** Function index -> first export name, to name functions in errors before the name section. */
  exportedFuncNames = new Map<number, string>();
  totalLocals = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.r = new Reader(bytes);
  }

  get numFuncs(): number {
    return this.imports.length + this.funcTypes.length;
  }

  invalid(msg: string, offset: number, funcIndex?: number): never {
    throw new InvalidModuleError(msg, {
      section: this.r.section,
      offset,
      funcIndex,
      funcName: funcIndex !== undefined ? this.exportedFuncNames.get(funcIndex) : undefined,
    });
  }

  unsupported(feature: string, msg: string, offset: number, funcIndex?: number): never {
    throw new UnsupportedFeatureError(feature, msg, {
      section: this.r.section,
      offset,
      funcIndex,
      funcName: funcIndex !== undefined ? this.exportedFuncNames.get(funcIndex) : undefined,
    });
  }

  decode(): Module {
    const r = this.r;
    this.header();
    let lastRank = 0;
    let lastId = -1;
    while (r.pos < this.bytes.length) {
      r.section = "module";
      r.end = this.bytes.length;
      const secStart = r.pos;
      const id = r.u8();
      if (id >= SECTION_NAMES.length) r.fail(`malformed section id ${id}`, secStart);
      r.section = SECTION_NAMES[id]!;
      const size = r.u32();
      if (size > r.remaining) r.fail(`section size ${size} runs past the end of the module`, secStart);
      const end = r.pos + size;
      if (id !== 0) {
        const rank = SECTION_RANK[id]!;
        if (rank <= lastRank) {
          r.fail(id === lastId ? `duplicate ${r.section} section` : `unexpected ${r.section} section (sections out of order)`, secStart);
        }
        lastRank = rank;
        lastId = id;
      }
      r.end = end;
      switch (id) {
        case 0:
          this.customSection(end);
          break;
        case 1:
          this.typeSection();
          break;
        case 2:
          this.importSection();
          break;
        case 3:
          this.functionSection();
          break;
        case 4:
          this.tableSection();
          break;
        case 5:
          this.memorySection();
          break;
        case 6:
          this.globalSection();
          break;
        case 7:
          this.exportSection();
          break;
        case 8:
          this.startSection();
          break;
        case 9:
          this.elementSection();
          break;
        case 10:
          this.codeSection();
          break;
        case 11:
          this.dataSection();
          break;
        case 12:
          this.dataCount = r.u32();
          break;
        case 13:
          this.unsupported("exceptions", "tag section (exception handling) is not supported", secStart);
      }
      if (r.pos !== end) r.fail(`section size mismatch: ${end - r.pos} unused bytes at the end of the section`);
    }

    r.section = "module";
    const eof = this.bytes.length;
    if (!this.sawCode && this.funcTypes.length !== 0) {
      r.section = "code";
      r.fail(`function and code section have inconsistent lengths: ${this.funcTypes.length} functions, no code section`, eof);
    }
    if (!this.sawData && this.dataCount !== undefined && this.dataCount !== 0) {
      r.section = "data";
      r.fail(`data count and data section have inconsistent lengths: data count ${this.dataCount}, no data section`, eof);
    }
    const nf = this.numFuncs;
    for (const idx of this.funcNames.keys()) if (idx >= nf) this.funcNames.delete(idx);

    const m: Module = {
      bytes: this.bytes,
      types: this.types,
      imports: this.imports,
      funcTypes: this.funcTypes,
      globals: this.globals,
      exports: this.exports,
      elems: this.elems,
      datas: this.datas,
      bodies: this.bodies,
      funcNames: this.funcNames,
    };
    if (this.table !== undefined) m.table = this.table;
    if (this.memory !== undefined) m.memory = this.memory;
    if (this.start !== undefined) m.start = this.start;
    if (this.dataCount !== undefined) m.dataCount = this.dataCount;
    return m;
  }

  /** Magic and version (spec 5.5.16). */
  header(): void {
    const r = this.r;
    r.section = "header";
    const magic = [0x00, 0x61, 0x73, 0x6d];
    for (let i = 0; i < 4; i++) {
      if (r.pos >= r.end) r.fail("unexpected end: missing magic number");
      if (r.u8() !== magic[i]) r.fail("bad magic: magic header not detected (expected \\0asm)", 0);
    }
    const version = [0x01, 0x00, 0x00, 0x00];
    for (let i = 0; i < 4; i++) {
      if (r.pos >= r.end) r.fail("unexpected end: missing version");
      if (r.u8() !== version[i]) r.fail("unknown binary version (expected 1)", 4);
    }
  }

  // ---------------------------------------------------------------- types

  /** A value type (spec 5.3.1-5.3.3), restricted to i32/i64 (EXECUTION.md 1). */
  valType(funcIndex?: number): ValType {
    const r = this.r;
    const off = r.pos;
    const b = r.u8();
    switch (b) {
      case 0x7f:
        return I32;
      case 0x7e:
        return I64;
      case 0x7d:
        return this.unsupported("float", "f32 value type is not supported", off, funcIndex);
      case 0x7c:
        return this.unsupported("float", "f64 value type is not supported", off, funcIndex);
      case 0x7b:
        return this.unsupported("simd", "v128 value type is not supported", off, funcIndex);
      case 0x70:
        return this.unsupported("reference-types", "funcref as a value type is not supported", off, funcIndex);
      case 0x6f:
        return this.unsupported("reference-types", "externref is not supported", off, funcIndex);
      default:
        return r.fail(`malformed value type ${hex(b)}`, off);
    }
  }

  /** A reference type (spec 5.3.4): only funcref. */
  refType(): typeof FUNCREF {
    const r = this.r;
    const off = r.pos;
    const b = r.u8();
    if (b === 0x70) return FUNCREF;
    if (b === 0x6f) this.unsupported("reference-types", "externref is not supported", off);
    return r.fail(`malformed reference type ${hex(b)}`, off);
  }

  /** Limits (spec 5.3.7) of a table or a memory, with the flags of the threads and memory64 proposals. */
  limits(isMemory: boolean): Limits {
    const r = this.r;
    const off = r.pos;
    const flags = r.u8();
    if (flags > 1) {
      if (isMemory && (flags === 2 || flags === 3)) this.unsupported("threads", "shared memory is not supported", off);
      if (flags >= 4 && flags <= 7) {
        this.unsupported("memory64", isMemory ? "64-bit memory is not supported" : "64-bit table is not supported", off);
      }
      r.fail(`malformed limits flags ${hex(flags)}`, off);
    }
    const min = r.u32();
    if (flags === 1) return { min, max: r.u32() };
    return { min };
  }

  /** Type section (spec 5.5.4). */
  typeSection(): void {
    const r = this.r;
    const n = r.vecLen("type vector", 3);
    for (let i = 0; i < n; i++) {
      const off = r.pos;
      const form = r.u8();
      if (form !== 0x60) r.fail(`malformed function type: expected 0x60, got ${hex(form)}`, off);
      const params = this.valTypes();
      const results = this.valTypes();
      this.types.push({ params, results });
    }
  }

  valTypes(): ValType[] {
    const n = this.r.vecLen("value type vector");
    const out: ValType[] = [];
    for (let i = 0; i < n; i++) out.push(this.valType());
    return out;
  }

  /** Import section (spec 5.5.5); only the host functions of EXECUTION.md section 2 link. */
  importSection(): void {
    const r = this.r;
    const n = r.vecLen("import vector", 4);
    for (let i = 0; i < n; i++) {
      const off = r.pos;
      const module = r.name();
      const name = r.name();
      const kindOff = r.pos;
      const kind = r.u8();
      const what = `${JSON.stringify(module)}.${JSON.stringify(name)}`;
      switch (kind) {
        case 0x00: {
          const typeOff = r.pos;
          const typeIndex = r.u32();
          if (typeIndex >= this.types.length) this.invalid(`unknown type ${typeIndex} in import ${what}`, typeOff);
          const expected = module === HOST_MODULE && Object.hasOwn(HOST_IMPORTS, name) ? HOST_IMPORTS[name] : undefined;
          if (expected === undefined) this.unsupported("import", `unknown import ${what}: the machine provides only ${HOST_LIST}`, off);
          const actual = this.types[typeIndex]!;
          if (!sameFuncType(actual, expected)) {
            throw new LinkError(
              `import ${module}.${name} has type ${funcTypeToString(actual)}, expected ${funcTypeToString(expected)}`,
              { section: r.section, offset: off },
            );
          }
          this.imports.push({ module, name, typeIndex, offset: off });
          break;
        }
        case 0x01:
          this.unsupported("import", `imported table ${what} is not supported`, kindOff);
        case 0x02:
          this.unsupported("import", `imported memory ${what} is not supported`, kindOff);
        case 0x03:
          this.unsupported("import", `imported global ${what} is not supported`, kindOff);
        case 0x04:
          this.unsupported("exceptions", `imported tag ${what} is not supported`, kindOff);
        default:
          r.fail(`malformed import kind ${hex(kind)}`, kindOff);
      }
    }
  }

  /** Function section (spec 5.5.6). */
  functionSection(): void {
    const r = this.r;
    const n = r.vecLen("function vector");
    for (let i = 0; i < n; i++) {
      const off = r.pos;
      const t = r.u32();
      if (t >= this.types.length) this.invalid(`unknown type ${t}`, off, this.imports.length + i);
      this.funcTypes.push(t);
    }
  }

  /** Table section (spec 5.5.7): at most one funcref table. */
  tableSection(): void {
    const r = this.r;
    const n = r.vecLen("table vector", 3);
    for (let i = 0; i < n; i++) {
      const off = r.pos;
      if (i >= 1) this.unsupported("reference-types", "more than one table is not supported", off);
      this.refType();
      const lim = this.limits(false);
      if (lim.max !== undefined && lim.min > lim.max) {
        this.invalid(`table size minimum ${lim.min} must not be greater than maximum ${lim.max}`, off);
      }
      this.table = lim;
    }
  }

  /** Memory section (spec 5.5.8): at most one 32-bit, unshared memory. */
  memorySection(): void {
    const r = this.r;
    const n = r.vecLen("memory vector", 2);
    for (let i = 0; i < n; i++) {
      const off = r.pos;
      if (i >= 1) this.unsupported("multi-memory", "more than one memory is not supported", off);
      const lim = this.limits(true);
      if (lim.min > MAX_PAGES) this.invalid(`memory size ${lim.min} must be at most ${MAX_PAGES} pages (4 GiB)`, off);
      if (lim.max !== undefined) {
        if (lim.max > MAX_PAGES) this.invalid(`memory size ${lim.max} must be at most ${MAX_PAGES} pages (4 GiB)`, off);
        if (lim.min > lim.max) {
          this.invalid(`memory size minimum ${lim.min} must not be greater than maximum ${lim.max}`, off);
        }
      }
      this.memory = lim;
    }
  }

  /**
   * Global section (spec 5.5.9). An initializer may read, with global.get, an
   * EARLIER IMMUTABLE global. Spec 2.0 only allows imported globals there, but
   * the subset has no imported globals; earlier defined immutable globals are
   * accepted as in the extended-const and GC proposals.
   */
  globalSection(): void {
    const r = this.r;
    const n = r.vecLen("global vector", 3);
    for (let i = 0; i < n; i++) {
      const type = this.valType();
      const mutOff = r.pos;
      const mut = r.u8();
      if (mut > 1) r.fail(`malformed mutability ${hex(mut)}`, mutOff);
      const initOff = r.pos;
      const init = this.constExpr(this.globals.length);
      if (init.type !== type) {
        this.invalid(`type mismatch in global initializer: expected ${typeName(type)}, got ${typeName(init.type)}`, initOff);
      }
      this.globals.push({ type, mutable: mut === 1, init: init.expr });
    }
  }

  /**
   * A constant expression (spec 3.3.10, 5.4.9): one of i32.const, i64.const,
   * global.get (of an immutable global among the first `visibleGlobals`),
   * ref.null func, ref.func, then `end`.
   */
  constExpr(visibleGlobals: number): TypedConst {
    const r = this.r;
    const off = r.pos;
    const op = r.u8();
    let result: TypedConst;
    switch (op) {
      case 0x41:
        result = { expr: { kind: "i32.const", value: r.s32() }, type: I32 };
        break;
      case 0x42:
        result = { expr: { kind: "i64.const", value: r.s64() }, type: I64 };
        break;
      case 0x43:
        return this.unsupported("float", "f32.const is not supported", off);
      case 0x44:
        return this.unsupported("float", "f64.const is not supported", off);
      case 0xfd:
        return this.unsupported("simd", "SIMD instructions are not supported", off);
      case 0x23: {
        const index = r.u32();
        if (index >= visibleGlobals) {
          this.invalid(`unknown global ${index} (a constant expression may only read earlier globals)`, off);
        }
        const g = this.globals[index]!;
        if (g.mutable) this.invalid(`constant expression required: global.get of mutable global ${index}`, off);
        result = { expr: { kind: "global.get", index }, type: g.type };
        break;
      }
      case 0xd0:
        this.refType();
        result = { expr: { kind: "ref.null" }, type: FUNCREF };
        break;
      case 0xd2: {
        const index = r.u32();
        if (index >= this.numFuncs) this.invalid(`unknown function ${index}`, off);
        result = { expr: { kind: "ref.func", index }, type: FUNCREF };
        break;
      }
      case 0x0b:
        return this.invalid("type mismatch: empty constant expression", off);
      default:
        return this.invalid(`constant expression required (opcode ${hex(op)})`, off);
    }
    const endOff = r.pos;
    const end = r.u8();
    if (end !== 0x0b) this.invalid(`constant expression required (opcode ${hex(end)} before end)`, endOff);
    return result;
  }

  /** Export section (spec 5.5.10). */
  exportSection(): void {
    const r = this.r;
    const n = r.vecLen("export vector", 3);
    const names = new Set<string>();
    for (let i = 0; i < n; i++) {
      const off = r.pos;
      const name = r.name();
      const kindOff = r.pos;
      const kindByte = r.u8();
      const idxOff = r.pos;
      let kind: Export["kind"];
      let count: number;
      switch (kindByte) {
        case 0x00:
          kind = "func";
          count = this.numFuncs;
          break;
        case 0x01:
          kind = "table";
          count = this.table ? 1 : 0;
          break;
        case 0x02:
          kind = "memory";
          count = this.memory ? 1 : 0;
          break;
        case 0x03:
          kind = "global";
          count = this.globals.length;
          break;
        case 0x04:
          return this.unsupported("exceptions", `exported tag ${JSON.stringify(name)} is not supported`, kindOff);
        default:
          return r.fail(`malformed export kind ${hex(kindByte)}`, kindOff);
      }
      const index = r.u32();
      if (index >= count) this.invalid(`unknown ${kind} ${index} in export ${JSON.stringify(name)}`, idxOff);
      if (names.has(name)) this.invalid(`duplicate export name ${JSON.stringify(name)}`, off);
      names.add(name);
      if (kind === "func" && !this.exportedFuncNames.has(index)) this.exportedFuncNames.set(index, name);
      this.exports.push({ name, kind, index });
    }
  }

  /** Start section (spec 5.5.11): a function of type [] -> []. */
  startSection(): void {
    const r = this.r;
    const off = r.pos;
    const index = r.u32();
    if (index >= this.numFuncs) this.invalid(`unknown function ${index} as start function`, off);
    const t = this.funcType(index);
    if (t.params.length !== 0 || t.results.length !== 0) {
      this.invalid(`start function must have type () -> (), has ${funcTypeToString(t)}`, off, index);
    }
    this.start = index;
  }

  funcType(index: number): FuncType {
    const ni = this.imports.length;
    const ti = index < ni ? this.imports[index]!.typeIndex : this.funcTypes[index - ni]!;
    return this.types[ti]!;
  }

  /** Element section (spec 5.5.12), all 8 encodings (flags 0-7). */
  elementSection(): void {
    const r = this.r;
    const n = r.vecLen("element segment vector", 3);
    const tables = this.table ? 1 : 0;
    for (let i = 0; i < n; i++) {
      const flagsOff = r.pos;
      const flags = r.u32();
      if (flags > 7) r.fail(`malformed element segment flags ${flags}`, flagsOff);
      const usesExprs = (flags & 4) !== 0;
      const seg: ElemSegment =
        (flags & 1) === 0
          ? { mode: "active", funcs: [] }
          : { mode: (flags & 2) !== 0 ? "declarative" : "passive", funcs: [] };
      if (seg.mode === "active") {
        const tableOff = r.pos;
        const table = (flags & 2) !== 0 ? r.u32() : 0;
        if (table >= tables) this.invalid(`unknown table ${table}`, tableOff);
        const offOff = r.pos;
        const offset = this.constExpr(this.globals.length);
        if (offset.type !== I32) {
          this.invalid(`type mismatch in element segment offset: expected i32, got ${typeName(offset.type)}`, offOff);
        }
        seg.table = table;
        seg.offset = offset.expr;
      }
      // Flags 0 and 4 imply funcref; the others name it: an elemkind byte (0x00)
      // for function-index encodings, a reftype for expression encodings.
      if ((flags & 3) !== 0) {
        if (usesExprs) {
          this.refType();
        } else {
          const kOff = r.pos;
          const k = r.u8();
          if (k !== 0x00) r.fail(`malformed element kind ${hex(k)}`, kOff);
        }
      }
      if (!usesExprs) {
        const cnt = r.vecLen("function index vector");
        for (let j = 0; j < cnt; j++) {
          const off = r.pos;
          const f = r.u32();
          if (f >= this.numFuncs) this.invalid(`unknown function ${f} in element segment ${i}`, off);
          seg.funcs.push(f);
        }
      } else {
        const cnt = r.vecLen("element expression vector", 2);
        for (let j = 0; j < cnt; j++) {
          const off = r.pos;
          const e = this.constExpr(this.globals.length);
          if (e.expr.kind === "ref.null") seg.funcs.push(-1);
          else if (e.expr.kind === "ref.func") seg.funcs.push(e.expr.index);
          else this.invalid(`type mismatch in element segment ${i}: expected funcref, got ${typeName(e.type)}`, off);
        }
      }
      this.elems.push(seg);
    }
  }

  /** Code section (spec 5.5.13): locals are expanded, instructions are left to the compiler. */
  codeSection(): void {
    const r = this.r;
    this.sawCode = true;
    const countOff = r.pos;
    const n = r.vecLen("code vector", 3);
    if (n !== this.funcTypes.length) {
      r.fail(`function and code section have inconsistent lengths: ${this.funcTypes.length} functions, ${n} bodies`, countOff);
    }
    const sectionEnd = r.end;
    for (let i = 0; i < n; i++) {
      const funcIndex = this.imports.length + i;
      const sizeOff = r.pos;
      const size = r.u32();
      if (size > r.remaining) r.fail(`function body size ${size} runs past the end of the section`, sizeOff);
      const bodyEnd = r.pos + size;
      r.end = bodyEnd;
      const locals = this.locals(funcIndex);
      const codeStart = r.pos;
      if (codeStart >= bodyEnd || this.bytes[bodyEnd - 1] !== 0x0b) {
        r.fail("function body must end with the end opcode (0x0b)", Math.max(codeStart, bodyEnd - 1));
      }
      this.bodies.push({ locals, codeStart, codeEnd: bodyEnd });
      r.pos = bodyEnd;
      r.end = sectionEnd;
    }
  }

  /** Locals declarations of one body (spec 5.5.13), expanded one entry per local. */
  locals(funcIndex: number): ValType[] {
    const r = this.r;
    const groups = r.vecLen("local declaration vector", 2);
    const counts: number[] = [];
    const types: ValType[] = [];
    let total = 0;
    for (let g = 0; g < groups; g++) {
      const off = r.pos;
      const c = r.u32();
      const t = this.valType(funcIndex);
      total += c;
      if (total > MAX_LOCALS_PER_FUNCTION) {
        r.fail(`too many locals: more than ${MAX_LOCALS_PER_FUNCTION} in function ${funcIndex}`, off);
      }
      this.totalLocals += c;
      if (this.totalLocals > MAX_LOCALS_PER_MODULE) {
        r.fail(`too many locals: more than ${MAX_LOCALS_PER_MODULE} in the module`, off);
      }
      counts.push(c);
      types.push(t);
    }
    const out: ValType[] = new Array<ValType>(total);
    let k = 0;
    for (let g = 0; g < counts.length; g++) {
      out.fill(types[g]!, k, k + counts[g]!);
      k += counts[g]!;
    }
    return out;
  }

  /** Data section (spec 5.5.14), flags 0-2. */
  dataSection(): void {
    const r = this.r;
    this.sawData = true;
    const countOff = r.pos;
    const n = r.vecLen("data segment vector", 2);
    if (this.dataCount !== undefined && n !== this.dataCount) {
      r.fail(`data count and data section have inconsistent lengths: data count ${this.dataCount}, ${n} segments`, countOff);
    }
    const memories = this.memory ? 1 : 0;
    for (let i = 0; i < n; i++) {
      const flagsOff = r.pos;
      const flags = r.u32();
      if (flags > 2) r.fail(`malformed data segment flags ${flags}`, flagsOff);
      if (flags === 1) {
        const len = r.u32();
        this.datas.push({ mode: "passive", bytes: r.bytesN(len) });
        continue;
      }
      const memOff = r.pos;
      const mem = flags === 2 ? r.u32() : 0;
      if (mem >= memories) this.invalid(`unknown memory ${mem}`, memOff);
      const offOff = r.pos;
      const offset = this.constExpr(this.globals.length);
      if (offset.type !== I32) {
        this.invalid(`type mismatch in data segment offset: expected i32, got ${typeName(offset.type)}`, offOff);
      }
      const len = r.u32();
      this.datas.push({ mode: "active", offset: offset.expr, bytes: r.bytesN(len) });
    }
  }

  /**
   * Custom section (spec 5.5.3). The name section (spec 7.4.1) fills
   * `funcNames`; a malformed name section is ignored as a whole, as the spec
   * (7.4) allows, and the module stays valid.
   */
  customSection(end: number): void {
    const r = this.r;
    const name = r.name();
    if (name === "name" && !this.sawNames) {
      this.sawNames = true;
      try {
        this.funcNames = parseNameSection(this.bytes, r.pos, end);
      } catch (e) {
        if (!(e instanceof StepperError)) throw e;
      }
    }
    r.pos = end;
  }
}

/** Function names subsection (id 1) of a name section: an increasing name map (spec 7.4.2). */
function parseNameSection(bytes: Uint8Array, start: number, end: number): Map<number, string> {
  const r = new Reader(bytes, start, end);
  r.section = "name";
  const names = new Map<number, string>();
  let lastId = -1;
  while (!r.eof) {
    const id = r.u8();
    const size = r.u32();
    if (size > r.remaining) r.fail("name subsection runs past the end of the section");
    if (id <= lastId) r.fail("name subsections out of order");
    lastId = id;
    const subEnd = r.pos + size;
    if (id === 1) {
      r.end = subEnd;
      const n = r.vecLen("name map", 2);
      let last = -1;
      for (let i = 0; i < n; i++) {
        const idx = r.u32();
        if (idx <= last) r.fail("function names out of order");
        last = idx;
        names.set(idx, r.name());
      }
      if (r.pos !== subEnd) r.fail("name subsection size mismatch");
      r.end = end;
    }
    r.pos = subEnd;
  }
  return names;
}

/**
 * Decode a Wasm binary into a Module of the deterministic subset.
 * Throws MalformedModuleError, InvalidModuleError, UnsupportedFeatureError or
 * LinkError (all StepperError); never anything else for any input bytes.
 */
export function decodeModule(bytes: Uint8Array): Module {
  return new Decoder(bytes).decode();
}
