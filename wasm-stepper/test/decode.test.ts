import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { decodeModule, MAX_LOCALS_PER_FUNCTION, MAX_LOCALS_PER_MODULE } from "../src/decode/decode.ts";
import { watToWasm } from "../src/decode/wat.ts";
import {
  InvalidModuleError,
  LinkError,
  MalformedModuleError,
  StepperError,
  UnsupportedFeatureError,
} from "../src/errors.ts";
import { I32, I64, type Module } from "../src/module.ts";
import { sleb } from "./helpers/hostile.ts";

// ------------------------------------------------------------ byte builders

type Bytes = number[];

function u32(n: number): Bytes {
  const out: Bytes = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

const s64 = (n: bigint): Bytes => sleb(n);

const s32 = (n: number): Bytes => s64(BigInt(n));

function str(s: string): Bytes {
  return [...u32(Buffer.byteLength(s)), ...Buffer.from(s, "utf8")];
}

function vec(items: Bytes[]): Bytes {
  return [...u32(items.length), ...items.flat()];
}

function sec(id: number, content: Bytes): Bytes {
  return [id, ...u32(content.length), ...content];
}

const HEADER: Bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function mod(...sections: Bytes[]): Uint8Array {
  return new Uint8Array([...HEADER, ...sections.flat()]);
}

/** A code entry: local groups [count, type], instructions, final end. */
function body(locals: [number, number][], instrs: Bytes = []): Bytes {
  const content = [...vec(locals.map(([n, t]) => [...u32(n), t])), ...instrs, 0x0b];
  return [...u32(content.length), ...content];
}

const i32c = (v: number): Bytes => [0x41, ...s32(v), 0x0b];

const TYPE_VOID = sec(1, vec([[0x60, 0, 0]]));
const FUNCS = (n: number): Bytes => sec(3, vec(Array.from({ length: n }, () => [0])));
const CODES = (n: number): Bytes => sec(10, vec(Array.from({ length: n }, () => body([]))));
const TABLE = (min: number): Bytes => sec(4, vec([[0x70, 0x00, ...u32(min)]]));
const MEMORY = (min: number): Bytes => sec(5, vec([[0x00, ...u32(min)]]));

// ------------------------------------------------------------ helpers

function catchErr(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error, none was thrown");
}

function expectThrow<T extends StepperError>(
  f: () => unknown,
  cls: abstract new (...args: never[]) => T,
  props: Partial<Pick<StepperError, "section" | "feature" | "funcIndex" | "funcName" | "offset">> = {},
  message?: RegExp,
): T {
  const e = catchErr(f);
  if (!(e instanceof cls)) {
    throw new Error(`expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  for (const [k, v] of Object.entries(props)) expect((e as unknown as Record<string, unknown>)[k], k).toEqual(v);
  if (message) expect(e.message).toMatch(message);
  return e;
}

/** Offsets one past each section (and the end of the header): where a prefix is a complete module. */
function sectionBoundaries(b: Uint8Array): Set<number> {
  const out = new Set<number>([8]);
  let p = 8;
  while (p < b.length) {
    p++;
    let size = 0;
    let shift = 0;
    let x: number;
    do {
      x = b[p++]!;
      size += (x & 0x7f) * 2 ** shift;
      shift += 7;
    } while (x & 0x80);
    p += size;
    out.add(p);
  }
  return out;
}

function checkInvariants(m: Module): void {
  expect(m.bodies.length).toBe(m.funcTypes.length);
  for (const b of m.bodies) {
    expect(b.codeStart).toBeLessThan(b.codeEnd);
    expect(b.codeEnd).toBeLessThanOrEqual(m.bytes.length);
    expect(m.bytes[b.codeEnd - 1]).toBe(0x0b);
    expect(b.locals.length).toBeLessThanOrEqual(MAX_LOCALS_PER_FUNCTION);
  }
  for (const t of m.funcTypes) expect(t).toBeLessThan(m.types.length);
  if (m.dataCount !== undefined) expect(m.datas.length).toBe(m.dataCount);
}

const RICH_WAT = `
(module
  (type $t2 (func (param i32 i64) (result i64 i32)))
  (import "task" "input_size" (func $input_size (result i32)))
  (import "task" "input_read" (func $input_read (param i32 i32 i32)))
  (import "task" "output_write" (func $output_write (param i32 i32)))
  (table $tab 4 8 funcref)
  (memory $mem 1 16)
  (global $g0 i32 (i32.const 7))
  (global $g1 (mut i64) (i64.const -9000000000))
  (func $init)
  (func $swap (type $t2) (local i32) (local i64 i64)
    local.get 1
    local.get 0)
  (func $run (export "run")
    (local $n i32)
    (local.set $n (call $input_size))
    (call $input_read (i32.const 0) (i32.const 0) (local.get $n))
    (memory.init $passive (i32.const 64) (i32.const 0) (i32.const 2))
    (data.drop $passive)
    (call $output_write (i32.const 0) (local.get $n)))
  (export "mem" (memory $mem))
  (export "tab" (table $tab))
  (export "g1" (global $g1))
  (start $init)
  (elem (i32.const 1) $swap $run)
  (elem $pe func $init)
  (elem declare func $run)
  (data (i32.const 16) "hello")
  (data $passive "xy"))
`;

// ------------------------------------------------------------ tests

describe("watToWasm", () => {
  it("assembles text to a binary that starts with the Wasm header", async () => {
    const b = await watToWasm("(module)");
    expect(Array.from(b)).toEqual(HEADER);
  });

  it("throws MalformedModuleError with wabt's message on syntax errors", async () => {
    const e = await watToWasm("(module (func (i32.bogus)))", "bad.wat").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MalformedModuleError);
    expect((e as Error).message).toMatch(/bad\.wat:1:\d+: error/);
  });

  it("throws MalformedModuleError on unresolved names", async () => {
    const e = await watToWasm("(module (func (call $nope)))").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MalformedModuleError);
    expect((e as Error).message).toMatch(/\$nope/);
  });

  it("throws InvalidModuleError on validation errors", async () => {
    const e = await watToWasm("(module (func (result i32) i64.const 1))").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidModuleError);
    expect((e as Error).message).toMatch(/type mismatch/);
  });

  it("emits a name section only when asked", async () => {
    const text = `(module (func $hello))`;
    expect(decodeModule(await watToWasm(text)).funcNames.size).toBe(0);
    expect(decodeModule(await watToWasm(text, "n.wat", { debugNames: true })).funcNames.get(0)).toBe("hello");
  });
});

describe("decodeModule: sections", () => {
  it("decodes an empty module", () => {
    const m = decodeModule(mod());
    expect(m).toMatchObject({ types: [], imports: [], funcTypes: [], globals: [], exports: [], elems: [], datas: [], bodies: [] });
    expect(m.table).toBeUndefined();
    expect(m.memory).toBeUndefined();
    expect(m.start).toBeUndefined();
    expect(m.dataCount).toBeUndefined();
    expect(m.funcNames.size).toBe(0);
  });

  it("decodes every section of a rich module", async () => {
    const bytes = await watToWasm(RICH_WAT, "rich.wat", { debugNames: true });
    const m = decodeModule(bytes);
    checkInvariants(m);
    expect(m.bytes).toBe(bytes);

    expect(m.types).toContainEqual({ params: [I32, I64], results: [I64, I32] });
    expect(m.types).toContainEqual({ params: [], results: [I32] });
    expect(m.types).toContainEqual({ params: [I32, I32, I32], results: [] });

    expect(m.imports.map((i) => `${i.module}.${i.name}`)).toEqual(["task.input_size", "task.input_read", "task.output_write"]);
    expect(m.types[m.imports[1]!.typeIndex]).toEqual({ params: [I32, I32, I32], results: [] });
    for (const imp of m.imports) expect(bytes[imp.offset]).toBe(4); // the length byte of "task"

    expect(m.funcTypes.length).toBe(3);
    expect(m.types[m.funcTypes[1]!]).toEqual({ params: [I32, I64], results: [I64, I32] });
    expect(m.table).toEqual({ min: 4, max: 8 });
    expect(m.memory).toEqual({ min: 1, max: 16 });

    expect(m.globals).toEqual([
      { type: I32, mutable: false, init: { kind: "i32.const", value: 7 } },
      { type: I64, mutable: true, init: { kind: "i64.const", value: -9000000000n } },
    ]);

    expect(m.exports).toEqual([
      { name: "run", kind: "func", index: 5 },
      { name: "mem", kind: "memory", index: 0 },
      { name: "tab", kind: "table", index: 0 },
      { name: "g1", kind: "global", index: 1 },
    ]);
    expect(m.start).toBe(3);

    expect(m.elems).toEqual([
      { mode: "active", table: 0, offset: { kind: "i32.const", value: 1 }, funcs: [4, 5] },
      { mode: "passive", funcs: [3] },
      { mode: "declarative", funcs: [5] },
    ]);

    expect(m.dataCount).toBe(2);
    expect(m.datas.length).toBe(2);
    expect(m.datas[0]!.mode).toBe("active");
    expect(m.datas[0]!.offset).toEqual({ kind: "i32.const", value: 16 });
    expect(Buffer.from(m.datas[0]!.bytes).toString()).toBe("hello");
    expect(m.datas[1]!.mode).toBe("passive");
    expect(m.datas[1]!.offset).toBeUndefined();
    expect(Buffer.from(m.datas[1]!.bytes).toString()).toBe("xy");

    // Locals: declared ones only, expanded in order.
    expect(m.bodies[0]!.locals).toEqual([]);
    expect(m.bodies[1]!.locals).toEqual([I32, I64, I64]);
    expect(m.bodies[2]!.locals).toEqual([I32]);
    // $swap's instructions: local.get 1, local.get 0, end.
    const swap = m.bodies[1]!;
    expect(Array.from(bytes.subarray(swap.codeStart, swap.codeEnd))).toEqual([0x20, 1, 0x20, 0, 0x0b]);

    expect(m.funcNames.get(0)).toBe("input_size");
    expect(m.funcNames.get(4)).toBe("swap");
    expect(m.funcNames.get(5)).toBe("run");
  });

  it("records body ranges after the locals declarations", () => {
    const m = decodeModule(
      mod(TYPE_VOID, FUNCS(2), sec(10, vec([body([[2, 0x7f], [1, 0x7e]], [0x01, 0x01]), body([[300, 0x7e]], [0x00])]))),
    );
    const [b0, b1] = m.bodies;
    expect(b0!.locals).toEqual([I32, I32, I64]);
    expect(Array.from(m.bytes.subarray(b0!.codeStart, b0!.codeEnd))).toEqual([0x01, 0x01, 0x0b]);
    expect(b1!.locals.length).toBe(300);
    expect(b1!.locals.every((t) => t === I64)).toBe(true);
    expect(Array.from(m.bytes.subarray(b1!.codeStart, b1!.codeEnd))).toEqual([0x00, 0x0b]);
    expect(b1!.codeEnd).toBe(m.bytes.length);
  });

  it("decodes all 8 element segment encodings", () => {
    const elems = sec(
      9,
      vec([
        [0x00, ...i32c(1), ...vec([[0], [1]])],
        [0x01, 0x00, ...vec([[1]])],
        [0x02, 0x00, ...i32c(2), 0x00, ...vec([[0]])],
        [0x03, 0x00, ...vec([[1]])],
        [0x04, ...i32c(3), ...vec([[0xd2, 0, 0x0b], [0xd0, 0x70, 0x0b]])],
        [0x05, 0x70, ...vec([[0xd0, 0x70, 0x0b], [0xd2, 1, 0x0b]])],
        [0x06, 0x00, ...i32c(0), 0x70, ...vec([[0xd2, 1, 0x0b]])],
        [0x07, 0x70, ...vec([[0xd2, 0, 0x0b]])],
      ]),
    );
    const m = decodeModule(mod(TYPE_VOID, FUNCS(2), TABLE(4), elems, CODES(2)));
    const c = (value: number) => ({ kind: "i32.const", value });
    expect(m.elems).toEqual([
      { mode: "active", table: 0, offset: c(1), funcs: [0, 1] },
      { mode: "passive", funcs: [1] },
      { mode: "active", table: 0, offset: c(2), funcs: [0] },
      { mode: "declarative", funcs: [1] },
      { mode: "active", table: 0, offset: c(3), funcs: [0, -1] },
      { mode: "passive", funcs: [-1, 1] },
      { mode: "active", table: 0, offset: c(0), funcs: [1] },
      { mode: "declarative", funcs: [0] },
    ]);
  });

  it("accepts an element offset read from an immutable global", () => {
    const globals = sec(6, vec([[0x7f, 0x00, ...i32c(2)]]));
    const elems = sec(9, vec([[0x00, 0x23, 0x00, 0x0b, ...vec([[0]])]]));
    const m = decodeModule(mod(TYPE_VOID, FUNCS(1), TABLE(4), globals, elems, CODES(1)));
    expect(m.elems[0]!.offset).toEqual({ kind: "global.get", index: 0 });
  });

  it("decodes data segments with flags 0, 1 and 2 and the data count", () => {
    const datas = sec(
      11,
      vec([
        [0x00, ...i32c(8), ...str("ab")],
        [0x01, ...str("cd")],
        [0x02, 0x00, ...i32c(-16), ...str("")],
      ]),
    );
    const m = decodeModule(mod(MEMORY(1), sec(12, u32(3)), datas));
    expect(m.dataCount).toBe(3);
    expect(m.datas.map((d) => [d.mode, d.offset, Buffer.from(d.bytes).toString()])).toEqual([
      ["active", { kind: "i32.const", value: 8 }, "ab"],
      ["passive", undefined, "cd"],
      ["active", { kind: "i32.const", value: -16 }, ""],
    ]);
  });

  it("decodes global initializers: i32/i64 extremes, earlier globals, and funcref in elements", () => {
    const globals = sec(
      6,
      vec([
        [0x7f, 0x00, ...i32c(-2147483648)],
        [0x7e, 0x01, 0x42, ...s64(-(2n ** 63n)), 0x0b],
        [0x7e, 0x00, 0x42, ...s64(2n ** 63n - 1n), 0x0b],
        [0x7f, 0x01, 0x23, 0x00, 0x0b],
      ]),
    );
    const m = decodeModule(mod(globals));
    expect(m.globals.map((g) => g.init)).toEqual([
      { kind: "i32.const", value: -2147483648 },
      { kind: "i64.const", value: -(2n ** 63n) },
      { kind: "i64.const", value: 2n ** 63n - 1n },
      { kind: "global.get", index: 0 },
    ]);
    expect(m.globals.map((g) => g.mutable)).toEqual([false, true, false, true]);
  });

  it("decodes a start function and exports of every kind", () => {
    const globals = sec(6, vec([[0x7f, 0x00, ...i32c(0)]]));
    const exports = sec(
      7,
      vec([
        [...str("f"), 0x00, 0x00],
        [...str("t"), 0x01, 0x00],
        [...str("m"), 0x02, 0x00],
        [...str("g"), 0x03, 0x00],
        [...str("\u{1F600}é"), 0x00, 0x00],
      ]),
    );
    const m = decodeModule(mod(TYPE_VOID, FUNCS(1), TABLE(1), MEMORY(0), globals, exports, sec(8, [0x00]), CODES(1)));
    expect(m.exports.map((e) => [e.name, e.kind, e.index])).toEqual([
      ["f", "func", 0],
      ["t", "table", 0],
      ["m", "memory", 0],
      ["g", "global", 0],
      ["\u{1F600}é", "func", 0],
    ]);
    expect(m.start).toBe(0);
    expect(m.memory).toEqual({ min: 0 });
    expect(m.table).toEqual({ min: 1 });
  });

  it("parses the name section and ignores other custom sections anywhere", () => {
    const names = sec(0, [...str("name"), ...sec(0, str("mod")), ...sec(1, vec([[0, ...str("first")], [1, ...str("second")]]))]);
    const junk = sec(0, [...str("producers"), 0xff, 0xff, 0xff]);
    const m = decodeModule(mod(junk, TYPE_VOID, junk, FUNCS(2), CODES(2), names, junk));
    expect([...m.funcNames]).toEqual([
      [0, "first"],
      [1, "second"],
    ]);
    expect(m.bodies.length).toBe(2);
  });

  it("ignores a malformed name section without failing the module", () => {
    const bad = [
      [...str("name"), ...sec(1, [...u32(5), 0, ...str("x")])], // count past the end
      [...str("name"), 1, 50, 0], // subsection size past the end
      [...str("name"), ...sec(1, vec([[0, 1, 0xff]]))], // invalid UTF-8
      [...str("name"), ...sec(1, vec([[1, ...str("b")], [0, ...str("a")]]))], // indices out of order
      [...str("name"), ...sec(1, vec([[0, ...str("a")]])), ...sec(1, vec([]))], // duplicate subsection
      [...str("name"), ...sec(1, [...vec([[0, ...str("a")]]), 0x00])], // subsection size mismatch
    ];
    for (const content of bad) {
      const m = decodeModule(mod(TYPE_VOID, FUNCS(1), CODES(1), sec(0, content)));
      expect(m.funcNames.size).toBe(0);
      expect(m.bodies.length).toBe(1);
    }
  });

  it("drops names of functions that do not exist", () => {
    const names = sec(0, [...str("name"), ...sec(1, vec([[0, ...str("a")], [7, ...str("ghost")]]))]);
    const m = decodeModule(mod(TYPE_VOID, FUNCS(1), CODES(1), names));
    expect([...m.funcNames]).toEqual([[0, "a"]]);
  });

  it("names functions by their export in body errors before the name section is read", () => {
    const exports = sec(7, vec([[...str("run"), 0x00, 0x00]]));
    const code = sec(10, vec([body([[1, 0x7d]])]));
    expectThrow(() => decodeModule(mod(TYPE_VOID, FUNCS(1), exports, code)), UnsupportedFeatureError, {
      feature: "float",
      section: "code",
      funcIndex: 0,
      funcName: "run",
    });
  });
});

describe("decodeModule: imports and linking", () => {
  it("accepts the three host functions in any order, even twice", async () => {
    const m = decodeModule(
      await watToWasm(`(module
        (import "task" "output_write" (func (param i32 i32)))
        (import "task" "input_size" (func (result i32)))
        (import "task" "input_size" (func (result i32))))`),
    );
    expect(m.imports.map((i) => i.name)).toEqual(["output_write", "input_size", "input_size"]);
  });

  it("rejects an unknown module or name as unsupported feature import, listing what is provided", async () => {
    for (const [modName, name] of [
      ["env", "input_size"],
      ["task", "print"],
      ["task", "constructor"],
      ["task", "__proto__"],
    ] as const) {
      const bytes = await watToWasm(`(module (import "${modName}" "${name}" (func)))`);
      const e = expectThrow(() => decodeModule(bytes), UnsupportedFeatureError, { section: "import", feature: "import" });
      expect(e.kind).toBe("unsupported");
      expect(e.message).toContain(`"${modName}"."${name}"`);
      expect(e.message).toContain("task.input_size () -> (i32)");
      expect(e.message).toContain("task.input_read (i32, i32, i32) -> ()");
      expect(e.message).toContain("task.output_write (i32, i32) -> ()");
      expect(e.offset).toBe(8 + 6 + 3); // header, type section (id, size, count, 0x60 0 0), import section id/size/count
    }
  });

  it("rejects a host import with the wrong type, naming both types", async () => {
    const bytes = await watToWasm(`(module (import "task" "input_read" (func (param i32 i64) (result i32))))`);
    const e = expectThrow(() => decodeModule(bytes), LinkError, { section: "import" });
    expect(e.message).toContain("(i32, i64) -> (i32)");
    expect(e.message).toContain("expected (i32, i32, i32) -> ()");
  });

  it("rejects an import with an unknown type index as invalid", () => {
    const imports = sec(2, vec([[...str("task"), ...str("input_size"), 0x00, 0x05]]));
    expectThrow(() => decodeModule(mod(TYPE_VOID, imports)), InvalidModuleError, { section: "import" }, /unknown type 5/);
  });

  it.each([
    ["memory", `(import "env" "m" (memory 1))`],
    ["table", `(import "env" "t" (table 1 funcref))`],
    ["global", `(import "env" "g" (global i32))`],
    ["mutable global", `(import "task" "g" (global (mut i32)))`],
  ])("rejects an imported %s as unsupported feature 'import'", async (_what, imp) => {
    const bytes = await watToWasm(`(module ${imp})`);
    const e = expectThrow(() => decodeModule(bytes), UnsupportedFeatureError, { feature: "import", section: "import" });
    expect(bytes[e.offset!]).toBeGreaterThanOrEqual(1); // the import kind byte
    expect(bytes[e.offset!]).toBeLessThanOrEqual(3);
  });

  it("rejects an imported tag as 'exceptions'", () => {
    const imports = sec(2, vec([[...str("env"), ...str("e"), 0x04, 0x00, 0x00]]));
    expectThrow(() => decodeModule(mod(TYPE_VOID, imports)), UnsupportedFeatureError, { feature: "exceptions", section: "import" });
  });
});

describe("decodeModule: features outside the subset", () => {
  const watCases: [string, string, string, string, number][] = [
    ["f32 param", `(module (func (param f32)))`, "float", "type", 0x7d],
    ["f64 result", `(module (func (result f64) f64.const 0))`, "float", "type", 0x7c],
    ["f32 local", `(module (func (local f32)))`, "float", "code", 0x7d],
    ["f64 global", `(module (global f64 (f64.const 1)))`, "float", "global", 0x7c],
    ["v128 global", `(module (global v128 (v128.const i64x2 0 0)))`, "simd", "global", 0x7b],
    ["v128 local", `(module (func (local v128)))`, "simd", "code", 0x7b],
    ["externref param", `(module (func (param externref)))`, "reference-types", "type", 0x6f],
    ["funcref param", `(module (func (param funcref)))`, "reference-types", "type", 0x70],
    ["externref table", `(module (table 1 externref))`, "reference-types", "table", 0x6f],
    ["two tables", `(module (table 1 funcref) (table 1 funcref))`, "reference-types", "table", 0x70],
  ];
  it.each(watCases)("%s", async (_name, text, feature, section, byte) => {
    const bytes = await watToWasm(text);
    const e = expectThrow(() => decodeModule(bytes), UnsupportedFeatureError, { feature, section });
    expect(e.kind).toBe("unsupported");
    expect(bytes[e.offset!]).toBe(byte);
  });

  it("a float local names the function", async () => {
    const bytes = await watToWasm(`(module (func) (func (local i32 f32)))`);
    expectThrow(() => decodeModule(bytes), UnsupportedFeatureError, { feature: "float", section: "code", funcIndex: 1 });
  });

  const byteCases: [string, Uint8Array, string, string, number][] = [
    ["shared memory", mod(sec(5, vec([[0x03, 1, 2]]))), "threads", "memory", 8 + 3],
    ["shared memory without max", mod(sec(5, vec([[0x02, 1]]))), "threads", "memory", 8 + 3],
    ["memory64", mod(sec(5, vec([[0x04, 1]]))), "memory64", "memory", 8 + 3],
    ["memory64 with max", mod(sec(5, vec([[0x05, 1, 2]]))), "memory64", "memory", 8 + 3],
    ["table64", mod(sec(4, vec([[0x70, 0x04, 1]]))), "memory64", "table", 8 + 4],
    ["two memories", mod(sec(5, vec([[0x00, 1], [0x00, 1]]))), "multi-memory", "memory", 8 + 5],
    ["tag section", mod(TYPE_VOID, sec(13, vec([[0x00, 0x00]]))), "exceptions", "tag", 14],
    ["exported tag", mod(sec(7, vec([[...str("e"), 0x04, 0x00]]))), "exceptions", "export", 8 + 5],
    ["f32.const initializer", mod(sec(6, vec([[0x7f, 0x00, 0x43, 0, 0, 0, 0, 0x0b]]))), "float", "global", 8 + 5],
    ["f64.const offset", mod(MEMORY(1), sec(11, vec([[0x00, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b, 0]]))), "float", "data", 8 + 5 + 4],
    ["v128.const initializer", mod(sec(6, vec([[0x7f, 0x00, 0xfd, 0x0c]]))), "simd", "global", 8 + 5],
    ["ref.null extern", mod(TYPE_VOID, FUNCS(1), TABLE(1), sec(9, vec([[0x05, 0x70, ...vec([[0xd0, 0x6f, 0x0b]])]])), CODES(1)), "reference-types", "element", 0],
    ["externref element segment", mod(sec(9, vec([[0x05, 0x6f, 0x00]]))), "reference-types", "element", 8 + 4],
  ];
  it.each(byteCases)("%s", (_name, bytes, feature, section, offset) => {
    const e = expectThrow(() => decodeModule(bytes), UnsupportedFeatureError, { feature, section });
    if (offset !== 0) expect(e.offset).toBe(offset);
    else expect(bytes[e.offset!]).toBe(0x6f);
  });
});

describe("decodeModule: invalid modules", () => {
  const cases: [string, Uint8Array, string, RegExp][] = [
    ["function type index out of range", mod(TYPE_VOID, sec(3, vec([[1]])), CODES(1)), "function", /unknown type 1/],
    ["start index out of range", mod(TYPE_VOID, FUNCS(1), sec(8, [1]), CODES(1)), "start", /unknown function 1/],
    [
      "start function with params",
      mod(sec(1, vec([[0x60, 1, 0x7f, 0]])), FUNCS(1), sec(8, [0]), CODES(1)),
      "start",
      /start function must have type/,
    ],
    [
      "start function with results",
      mod(sec(1, vec([[0x60, 0, 1, 0x7f]])), FUNCS(1), sec(8, [0]), sec(10, vec([body([], i32c(0).slice(0, -1))]))),
      "start",
      /\(\) -> \(i32\)/,
    ],
    ["export of unknown function", mod(sec(7, vec([[...str("f"), 0x00, 0x00]]))), "export", /unknown func 0/],
    ["export of unknown table", mod(sec(7, vec([[...str("t"), 0x01, 0x00]]))), "export", /unknown table 0/],
    ["export of unknown memory", mod(MEMORY(1), sec(7, vec([[...str("m"), 0x02, 0x01]]))), "export", /unknown memory 1/],
    ["export of unknown global", mod(sec(7, vec([[...str("g"), 0x03, 0x00]]))), "export", /unknown global 0/],
    [
      "duplicate export name",
      mod(MEMORY(1), sec(7, vec([[...str("x"), 0x02, 0x00], [...str("x"), 0x02, 0x00]]))),
      "export",
      /duplicate export name "x"/,
    ],
    ["global init type mismatch", mod(sec(6, vec([[0x7e, 0x00, ...i32c(1)]]))), "global", /type mismatch/],
    ["global init ref.null", mod(sec(6, vec([[0x7f, 0x00, 0xd0, 0x70, 0x0b]]))), "global", /expected i32, got funcref/],
    [
      "global.get of a mutable global",
      mod(sec(6, vec([[0x7f, 0x01, ...i32c(1)], [0x7f, 0x00, 0x23, 0x00, 0x0b]]))),
      "global",
      /mutable/,
    ],
    ["global.get of a later global", mod(sec(6, vec([[0x7f, 0x00, 0x23, 0x01, 0x0b], [0x7f, 0x00, ...i32c(1)]]))), "global", /unknown global 1/],
    ["global.get of itself", mod(sec(6, vec([[0x7f, 0x00, 0x23, 0x00, 0x0b]]))), "global", /unknown global 0/],
    ["empty constant expression", mod(sec(6, vec([[0x7f, 0x00, 0x0b]]))), "global", /empty constant expression/],
    ["non-constant instruction", mod(sec(6, vec([[0x7f, 0x00, 0x20, 0x00, 0x0b]]))), "global", /constant expression required/],
    [
      "extended-const arithmetic",
      mod(sec(6, vec([[0x7f, 0x00, 0x41, 1, 0x41, 2, 0x6a, 0x0b]]))),
      "global",
      /constant expression required/,
    ],
    ["ref.func out of range", mod(TYPE_VOID, FUNCS(1), TABLE(1), sec(9, vec([[0x04, ...i32c(0), ...vec([[0xd2, 5, 0x0b]])]])), CODES(1)), "element", /unknown function 5/],
    ["element function index out of range", mod(TYPE_VOID, FUNCS(1), TABLE(1), sec(9, vec([[0x00, ...i32c(0), ...vec([[1]])]])), CODES(1)), "element", /unknown function 1/],
    ["active element without a table", mod(TYPE_VOID, FUNCS(1), sec(9, vec([[0x00, ...i32c(0), ...vec([[0]])]])), CODES(1)), "element", /unknown table 0/],
    ["active element on table 1", mod(TYPE_VOID, FUNCS(1), TABLE(1), sec(9, vec([[0x02, 0x01, ...i32c(0), 0x00, ...vec([[0]])]])), CODES(1)), "element", /unknown table 1/],
    ["i64 element offset", mod(TYPE_VOID, FUNCS(1), TABLE(1), sec(9, vec([[0x00, 0x42, 0, 0x0b, ...vec([[0]])]])), CODES(1)), "element", /expected i32, got i64/],
    ["element item of type i32", mod(TYPE_VOID, FUNCS(1), TABLE(1), sec(9, vec([[0x05, 0x70, ...vec([i32c(0)])]])), CODES(1)), "element", /expected funcref, got i32/],
    ["active data without a memory", mod(sec(11, vec([[0x00, ...i32c(0), ...str("a")]]))), "data", /unknown memory 0/],
    ["active data on memory 1", mod(MEMORY(1), sec(11, vec([[0x02, 0x01, ...i32c(0), ...str("a")]]))), "data", /unknown memory 1/],
    ["i64 data offset", mod(MEMORY(1), sec(11, vec([[0x00, 0x42, 0, 0x0b, ...str("a")]]))), "data", /expected i32, got i64/],
    ["memory min > max", mod(sec(5, vec([[0x01, 3, 2]]))), "memory", /minimum 3 must not be greater than maximum 2/],
    ["memory min > 65536 pages", mod(sec(5, vec([[0x00, ...u32(65537)]]))), "memory", /at most 65536/],
    ["memory max > 65536 pages", mod(sec(5, vec([[0x01, 0, ...u32(65537)]]))), "memory", /at most 65536/],
    ["table min > max", mod(sec(4, vec([[0x70, 0x01, 5, 4]]))), "table", /minimum 5 must not be greater than maximum 4/],
  ];
  it.each(cases)("%s", (_name, bytes, section, message) => {
    const e = expectThrow(() => decodeModule(bytes), InvalidModuleError, { section }, message);
    expect(e.offset).toBeGreaterThanOrEqual(8);
    expect(e.offset).toBeLessThan(bytes.length);
  });

  it("accepts the limits at their bounds", () => {
    expect(decodeModule(mod(sec(5, vec([[0x01, ...u32(65536), ...u32(65536)]])))).memory).toEqual({ min: 65536, max: 65536 });
    expect(decodeModule(mod(sec(4, vec([[0x70, 0x01, ...u32(0xffffffff), ...u32(0xffffffff)]])))).table).toEqual({
      min: 0xffffffff,
      max: 0xffffffff,
    });
  });
});

describe("decodeModule: malformed binaries", () => {
  const valid = mod(TYPE_VOID, FUNCS(1), CODES(1));
  const cases: [string, Uint8Array, string, number | undefined, RegExp][] = [
    ["empty input", new Uint8Array(0), "header", 0, /magic/],
    ["bad magic", new Uint8Array([0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0]), "header", 0, /magic header/],
    ["bad version", new Uint8Array([0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), "header", 4, /version/],
    ["truncated version", new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0]), "header", 6, /version/],
    ["unknown section id", mod([14, 0]), "module", 8, /malformed section id 14/],
    ["section id 255", mod([0xff, 0]), "module", 8, /section id/],
    ["duplicate section", mod(TYPE_VOID, TYPE_VOID), "type", 14, /duplicate type section/],
    ["sections out of order", mod(TYPE_VOID, FUNCS(1), TYPE_VOID, CODES(1)), "type", 18, /out of order/],
    ["datacount after code", mod(CODES(0), sec(12, [0])), "datacount", 11, /out of order/],
    ["section size past the end", mod([1, 10, 0]), "type", 8, /runs past the end/],
    ["section size too large", mod([1, 5, 1, 0x60, 0, 0, 0]), "type", 14, /size mismatch/],
    ["section size too small", mod([1, 4, 1, 0x60, 1, 0x7f, 0]), "type", 14, /unexpected end/],
    ["u32 LEB128 too long", mod([1, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]), "type", 9, /too long/],
    ["u32 LEB128 too large", mod([1, 0x80, 0x80, 0x80, 0x80, 0x10]), "type", 9, /too large/],
    ["s32 LEB128 too large", mod(sec(6, vec([[0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x08, 0x0b]]))), "global", 14, /too large/],
    ["s64 LEB128 too long", mod(sec(6, vec([[0x7e, 0x00, 0x42, ...Array(10).fill(0x80), 0x00, 0x0b]]))), "global", 14, /too long/],
    ["function type form", mod(sec(1, vec([[0x61, 0, 0]]))), "type", 11, /function type/],
    ["bad value type", mod(sec(1, vec([[0x60, 1, 0x40, 0]]))), "type", 13, /malformed value type 0x40/],
    ["bad reference type", mod(sec(4, vec([[0x71, 0x00, 1]]))), "table", 11, /reference type/],
    ["bad table limits flags", mod(sec(4, vec([[0x70, 0x02, 1]]))), "table", 12, /limits flags/],
    ["bad memory limits flags", mod(sec(5, vec([[0x08, 1]]))), "memory", 11, /limits flags/],
    ["bad mutability", mod(sec(6, vec([[0x7f, 0x02, ...i32c(0)]]))), "global", 12, /mutability/],
    ["bad import kind", mod(sec(2, vec([[...str("a"), ...str("b"), 0x05, 0]]))), "import", 15, /import kind/],
    ["bad export kind", mod(sec(7, vec([[...str("a"), 0x05, 0]]))), "export", 13, /export kind/],
    ["non-UTF-8 export name", mod(sec(7, vec([[1, 0xc0, 0x00, 0x00]]))), "export", 12, /UTF-8/],
    ["surrogate in import name", mod(sec(2, vec([[3, 0xed, 0xa0, 0x80, ...str("b"), 0x00, 0]]))), "import", 12, /UTF-8/],
    ["non-UTF-8 custom section name", mod(sec(0, [2, 0xff, 0xfe])), "custom", 11, /UTF-8/],
    ["custom section name past the end", mod(sec(0, [5, 0x61])), "custom", 11, /past the end/],
    ["bad element flags", mod(sec(9, vec([[0x08, 0, 0]]))), "element", 11, /element segment flags 8/],
    ["bad element kind", mod(TYPE_VOID, FUNCS(1), sec(9, vec([[0x01, 0x01, 0]])), CODES(1)), "element", 22, /element kind/],
    ["bad data flags", mod(MEMORY(1), sec(11, vec([[0x03, 0]]))), "data", 16, /data segment flags 3/],
    ["function without code section", mod(TYPE_VOID, FUNCS(1)), "code", 18, /inconsistent lengths/],
    ["code without function section", mod(TYPE_VOID, CODES(1)), "code", 16, /inconsistent lengths/],
    ["function/code count mismatch", mod(TYPE_VOID, FUNCS(2), CODES(1)), "code", 21, /2 functions, 1 bodies/],
    ["data count without data section", mod(MEMORY(1), sec(12, [1])), "data", 16, /data count 1/],
    ["data count mismatch", mod(MEMORY(1), sec(12, [2]), sec(11, vec([[0x01, 0]]))), "data", 18, /data count 2, 1 segments/],
    ["body without end", mod(TYPE_VOID, FUNCS(1), sec(10, vec([[2, 0, 0x01]]))), "code", 23, /end opcode/],
    ["empty body", mod(TYPE_VOID, FUNCS(1), sec(10, [1, 0, 0x0b, 0x0b])), "code", 22, /unexpected end/],
    ["body past the section", mod(TYPE_VOID, FUNCS(1), sec(10, [1, 5, 0, 0x0b])), "code", 21, /past the end/],
    ["locals past the body", mod(TYPE_VOID, FUNCS(1), sec(10, [1, 3, 1, 0x81, 0x01, 0x7f, 0x0b])), "code", 25, /unexpected end/],
    ["bad local type", mod(TYPE_VOID, FUNCS(1), sec(10, vec([body([[1, 0x01]])]))), "code", 24, /value type 0x01/],
    [
      "too many locals",
      mod(TYPE_VOID, FUNCS(1), sec(10, vec([body([[40000, 0x7f], [10001, 0x7e]])]))),
      "code",
      27,
      /too many locals/,
    ],
    ["data bytes past the end", mod(MEMORY(1), sec(11, vec([[0x01, 5, 1]]))), "data", 16 + 2, /past the end/],
    ["trailing byte", new Uint8Array([...valid, 0x00]), "custom", valid.length + 1, /unexpected end/],
    ["trailing section header", new Uint8Array([...valid, 0x0b, 0x01]), "data", valid.length, /runs past the end/],
    ["tag section out of order", mod(sec(6, [0]), sec(13, [0])), "tag", 11, /out of order/],
  ];
  it.each(cases)("%s", (_name, bytes, section, offset, message) => {
    const e = expectThrow(() => decodeModule(bytes), MalformedModuleError, { section }, message);
    expect(e.kind).toBe("malformed");
    if (offset !== undefined) expect(e.offset).toBe(offset);
    expect(e.message).toMatch(/offset 0x[0-9a-f]+/);
  });

  it("accepts exactly 50,000 locals", () => {
    const m = decodeModule(mod(TYPE_VOID, FUNCS(1), sec(10, vec([body([[25000, 0x7f], [25000, 0x7e]])]))));
    expect(m.bodies[0]!.locals.length).toBe(50000);
    expect(m.bodies[0]!.locals[24999]).toBe(I32);
    expect(m.bodies[0]!.locals[25000]).toBe(I64);
  });

  it("keeps a name that starts with U+FEFF", () => {
    const m = decodeModule(mod(MEMORY(1), sec(7, vec([[...str("\uFEFFm"), 0x02, 0x00]]))));
    expect(m.exports[0]!.name).toBe("\uFEFFm");
  });

  it("rejects every strict prefix of a valid module, except at section boundaries", async () => {
    const modules = [
      await watToWasm(RICH_WAT, "rich.wat", { debugNames: true }),
      mod(
        TYPE_VOID,
        FUNCS(2),
        TABLE(2),
        MEMORY(1),
        sec(6, vec([[0x7e, 0x01, 0x42, ...s64(-123456789012345n), 0x0b]])),
        sec(9, vec([[0x06, 0x00, ...i32c(0), 0x70, ...vec([[0xd2, 1, 0x0b], [0xd0, 0x70, 0x0b]])], [0x01, 0x00, ...vec([[0]])]])),
        sec(12, [2]),
        sec(10, vec([body([[3, 0x7f]], [0x01]), body([[1, 0x7e], [2, 0x7f]])])),
        sec(11, vec([[0x02, 0x00, ...i32c(300), ...str("abc")], [0x01, ...str("z")]])),
      ),
    ];
    for (const full of modules) {
      expect(() => decodeModule(full)).not.toThrow();
      const boundaries = sectionBoundaries(full);
      let accepted = 0;
      for (let len = 0; len < full.length; len++) {
        const prefix = full.slice(0, len);
        let err: unknown;
        try {
          checkInvariants(decodeModule(prefix));
          accepted++;
        } catch (e) {
          err = e;
        }
        if (err === undefined) {
          expect(boundaries.has(len), `prefix of length ${len} decoded`).toBe(true);
        } else if (!(err instanceof MalformedModuleError)) {
          throw new Error(`prefix ${len}/${full.length}: ${String(err)}`);
        } else {
          expect(err.offset).toBeLessThanOrEqual(len);
        }
      }
      expect(accepted).toBeGreaterThan(0); // at least the bare header
    }
  });
});

describe("decodeModule: resource bounds", () => {
  const HUGE = 0xffffffff;
  const cases: [string, Uint8Array][] = [
    ["type vector", mod(sec(1, [...u32(HUGE), 0x60, 0, 0]))],
    ["param vector", mod(sec(1, [1, 0x60, ...u32(HUGE), 0x7f]))],
    ["import vector", mod(sec(2, [...u32(HUGE), 0, 0, 0, 0]))],
    ["function vector", mod(sec(3, [...u32(HUGE), 0]))],
    ["table vector", mod(sec(4, [...u32(HUGE), 0x70, 0, 0]))],
    ["memory vector", mod(sec(5, [...u32(HUGE), 0, 0]))],
    ["global vector", mod(sec(6, [...u32(HUGE), 0x7f, 0, 0x41, 0, 0x0b]))],
    ["export vector", mod(sec(7, [...u32(HUGE), 0, 0, 0]))],
    ["element vector", mod(sec(9, [...u32(HUGE), 1, 0, 0]))],
    ["element function indices", mod(sec(9, [1, 1, 0, ...u32(HUGE), 0]))],
    ["element expressions", mod(sec(9, [1, 5, 0x70, ...u32(HUGE), 0xd0, 0x70, 0x0b]))],
    ["code vector", mod(sec(10, [...u32(HUGE), 2, 0, 0x0b]))],
    ["local groups", mod(TYPE_VOID, FUNCS(1), sec(10, [1, 7, ...u32(HUGE), 0x0b]))],
    ["one local group", mod(TYPE_VOID, FUNCS(1), sec(10, [1, 8, 1, ...u32(HUGE), 0x7f, 0x0b]))],
    ["data vector", mod(sec(11, [...u32(HUGE), 1, 0]))],
    ["data bytes", mod(MEMORY(1), sec(11, [1, 1, ...u32(HUGE), 0]))],
    ["name length", mod(sec(7, [1, ...u32(HUGE), 0x61]))],
    ["section size", mod([1, ...u32(HUGE), 0])],
    ["function body size", mod(TYPE_VOID, FUNCS(1), sec(10, [1, ...u32(HUGE), 0, 0x0b]))],
  ];
  it.each(cases)("a count of 2^32-1 in the %s fails fast", (_name, bytes) => {
    const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    const before = used();
    const e = catchErr(() => decodeModule(bytes));
    expect(e).toBeInstanceOf(MalformedModuleError);
    // Rejected before anything sized by the count is built: a 2^32-entry allocation (or a loop
    // over the count) would grow the heap by gigabytes; a hang is the test timeout's.
    expect(used() - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("bounds the locals of the whole module: rejected at the first body over the budget, before expanding it", () => {
    const n = 90; // 90 * 50,000 > 2^22
    const one = body([[50000, 0x7f]]);
    const bytes = mod(TYPE_VOID, FUNCS(n), sec(10, vec(Array.from({ length: n }, () => one))));
    const e = catchErr(() => decodeModule(bytes)) as StepperError;
    expect(e).toBeInstanceOf(MalformedModuleError);
    expect(e.message).toMatch(/too many locals: more than 4194304 in the module/);
    // The code section is last: body k starts at bytes.length - (n - k) * one.length. The decoder
    // stops inside body 83 (84 * 50,000 > 2^22), so it never expanded more than 2^22 locals.
    const firstBody = bytes.length - n * one.length;
    expect(Math.floor((e.offset! - firstBody) / one.length)).toBe(Math.ceil((MAX_LOCALS_PER_MODULE + 1) / 50000) - 1);
  });

  it("decodes a 1 MB module without copying its data or decoding its bodies (work bounded by its size)", () => {
    const nFuncs = 20000;
    const parts: Bytes[] = [];
    const bodyInstrs: Bytes = [];
    for (let i = 0; i < 20; i++) bodyInstrs.push(0x41, 0x80 | (i & 0x7f), 0x01, 0x1a); // i32.const, drop
    const bodies: Bytes[] = [];
    for (let i = 0; i < nFuncs; i++) bodies.push(body([[1, 0x7f], [2, 0x7e]], bodyInstrs));
    parts.push(TYPE_VOID, FUNCS(nFuncs));
    parts.push(sec(7, vec([[...str("run"), 0x00, 0x00]])));
    const code = sec(10, vec(bodies));
    const data = sec(11, vec([[0x01, ...u32(200_000), ...new Array<number>(200_000).fill(7)]]));
    const names: Bytes[] = [];
    for (let i = 0; i < nFuncs; i++) names.push([...u32(i), ...str(`function_number_${i}`)]);
    const nameSec = sec(0, [...str("name"), ...sec(1, vec(names))]);
    const total = HEADER.length + parts.reduce((a, p) => a + p.length, 0) + code.length + data.length + nameSec.length;
    const bytes = new Uint8Array(total);
    let p = 0;
    for (const part of [HEADER, ...parts, code, data, nameSec]) {
      bytes.set(part, p);
      p += part.length;
    }
    expect(bytes.length).toBeGreaterThan(1_000_000);
    const m = decodeModule(bytes);
    expect(m.bodies.length).toBe(nFuncs);
    expect(m.funcNames.get(nFuncs - 1)).toBe(`function_number_${nFuncs - 1}`);
    // The data segment is a view of the module's bytes, not a copy.
    expect(m.datas[0]!.bytes.length).toBe(200_000);
    expect(m.datas[0]!.bytes.buffer).toBe(bytes.buffer);
    // Bodies are byte ranges for the compiler: only their 3 expanded locals are materialised.
    const b0 = m.bodies[0]!;
    expect(b0.locals).toEqual([0x7f, 0x7e, 0x7e]);
    expect(b0.codeEnd - b0.codeStart).toBe(bodyInstrs.length + 1);
    expect(m.bodies.reduce((a, b) => a + b.locals.length, 0)).toBe(3 * nFuncs);
  });
});

describe("decodeModule: fuzzing", () => {
  const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? "") || 200;

  const seeds = (async () => [
    await watToWasm(RICH_WAT, "rich.wat", { debugNames: true }),
    mod(
      TYPE_VOID,
      FUNCS(2),
      TABLE(2),
      MEMORY(1),
      sec(6, vec([[0x7f, 0x00, ...i32c(5)], [0x7f, 0x01, 0x23, 0x00, 0x0b]])),
      sec(7, vec([[...str("run"), 0x00, 0x01]])),
      sec(
        9,
        vec([
          [0x00, ...i32c(0), ...vec([[0]])],
          [0x04, 0x23, 0x00, 0x0b, ...vec([[0xd2, 1, 0x0b]])],
          [0x07, 0x70, ...vec([[0xd0, 0x70, 0x0b]])],
        ]),
      ),
      sec(12, [2]),
      sec(10, vec([body([[2, 0x7f]], [0x01]), body([[1, 0x7e]])])),
      sec(11, vec([[0x00, ...i32c(4), ...str("abc")], [0x01, ...str("z")]])),
      sec(0, [...str("name"), ...sec(1, vec([[0, ...str("f0")], [1, ...str("f1")]]))]),
    ),
  ])();

  /** Runs decodeModule; returns the module or the error, failing on anything that is not a StepperError. */
  function decodeOrStepperError(bytes: Uint8Array): void {
    let m: Module | undefined;
    try {
      m = decodeModule(bytes);
    } catch (e) {
      if (!(e instanceof StepperError)) throw new Error(`non-StepperError thrown: ${String(e)}`);
      expect(["malformed", "invalid", "unsupported", "link"]).toContain(e.kind);
      return;
    }
    checkInvariants(m);
  }

  it("random byte mutations of valid modules only throw StepperErrors", async () => {
    const valid = await seeds;
    const mutation = fc.record({
      op: fc.constantFrom("set", "insert", "delete", "flip"),
      pos: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, muts) => {
        const bytes = Array.from(valid[which]!);
        for (const { op, pos, value } of muts) {
          const p = pos % (bytes.length + 1);
          if (op === "insert") bytes.splice(p, 0, value);
          else if (p < bytes.length) {
            if (op === "set") bytes[p] = value;
            else if (op === "delete") bytes.splice(p, 1);
            else bytes[p] = bytes[p]! ^ (1 << (value & 7));
          }
        }
        decodeOrStepperError(new Uint8Array(bytes));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it("random sections after a valid header only throw StepperErrors", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        decodeOrStepperError(new Uint8Array([...HEADER, ...tail]));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it("mutated modules that still decode keep their invariants and the seed decodes", async () => {
    const valid = await seeds;
    for (const v of valid) checkInvariants(decodeModule(v));
    // Changing one byte of a data payload keeps the module valid and shows in the result.
    const v = valid[1]!;
    const m = decodeModule(v);
    const at = m.datas[0]!.bytes.byteOffset - v.byteOffset;
    const copy = v.slice();
    copy[at] = 0x5a;
    expect(decodeModule(copy).datas[0]!.bytes[0]).toBe(0x5a);
  });
});
