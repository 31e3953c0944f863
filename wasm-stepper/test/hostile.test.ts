/**
 * Hostile input: modules, inputs and limits an adversary may post to a
 * permissionless market. Every case runs the CLI in a child process (the
 * daemons' path) and asserts a typed error or the right result AND a bound on
 * the child's peak resident memory; on both engines and on `hash`/`prove`
 * where the case reaches them. Inputs are generated here (test/helpers/hostile.ts).
 * No speed is asserted: the time limit only catches a hang.
 */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watToWasm } from "../src/decode/wat.ts";
import { i32c, nestedBlocks, taskModule, uleb } from "./helpers/hostile.ts";

const CHILD = join(import.meta.dirname, "helpers/measured-cli.mjs");
const LOADER = join(import.meta.dirname, "helpers/measured-load.mjs");
const dir = mkdtempSync(join(tmpdir(), "stepper-hostile-"));
/** Only a hang exceeds this (per case). */
const HANG_MS = 240_000;
/** Peak RSS of a CLI process that loads a tiny module is about 100 MB (node, tsx, wabt): small cases stay well within this. */
const SMALL_MB = 300;

interface Outcome {
  code: number;
  json: Record<string, unknown> & { error?: { kind: string; message: string; feature?: string } };
  stdoutLength: number;
  maxRssMB: number;
}

function cli(args: string[], maxBuffer = 16 << 20): Outcome {
  const r = spawnSync(process.execPath, [CHILD, ...args], { encoding: "utf8", maxBuffer, timeout: HANG_MS - 10_000 });
  if (r.error) throw r.error;
  const m = /MAXRSS (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no MAXRSS line (status ${r.status}): ${r.stderr.slice(-800)}`);
  return { code: r.status ?? -1, json: JSON.parse(r.stdout), stdoutLength: r.stdout.length, maxRssMB: Number(m[1]) / 1024 };
}

interface LoadOutcome {
  ok?: true;
  kind?: string;
  message?: string;
  feature?: string;
}

/** Loads many files in one child process (as the CLI loads a module); their outcomes and the child's peak RSS. */
function loadAll(paths: string[]): { outcomes: LoadOutcome[]; maxRssMB: number } {
  const r = spawnSync(process.execPath, [LOADER, ...paths], { encoding: "utf8", maxBuffer: 16 << 20, timeout: HANG_MS - 10_000 });
  if (r.error) throw r.error;
  const m = /MAXRSS (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no MAXRSS line (status ${r.status}): ${r.stderr.slice(-800)}`);
  const outcomes = JSON.parse(r.stdout) as LoadOutcome[];
  expect(outcomes.length).toBe(paths.length);
  return { outcomes, maxRssMB: Number(m[1]) / 1024 };
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function expectError(o: Outcome, kind: string, message?: RegExp, maxMB = SMALL_MB): void {
  expect(o.json.error, JSON.stringify(o.json).slice(0, 300)).toBeDefined();
  expect(o.json.error!.kind, o.json.error!.message).toBe(kind);
  if (message) expect(o.json.error!.message).toMatch(message);
  expect(o.code).not.toBe(0);
  expect(o.maxRssMB).toBeLessThan(maxMB);
}

/** The commands that load a module: run on both engines, hash and prove. */
const COMMANDS: [string, string[]][] = [
  ["run interp", ["run", "--engine", "interp"]],
  ["run native", ["run", "--engine", "native"]],
  ["hash", ["hash", "--at", "5"]],
  ["prove", ["prove", "--step", "0"]],
];

function everyCommand(path: string, extra: string[] = []): [string, Outcome][] {
  return COMMANDS.map(([label, [cmd, ...rest]]) => [label, cli([cmd!, path, ...rest, ...extra, "--json"])]);
}

describe("hostile modules: tables", () => {
  it("a 43-byte module declaring a table of 2^32-1 entries is a limit error at once, on every command", { timeout: HANG_MS }, () => {
    const bytes = taskModule({ table: { min: 0xffffffff } });
    expect(bytes.length).toBe(43);
    const path = file("table-max.wasm", bytes);
    for (const [label, o] of everyCommand(path)) {
      expectError(o, "limit", /table has 4294967295 entries, above the task limit maxTableEntries=65536/);
      expect(label).toBeTruthy();
    }
    // Raising the task limit to its maximum does not help: 2^32-1 > 2^20.
    expectError(cli(["run", path, "--engine", "native", "--max-table-entries", "1048576", "--json"]), "limit", /maxTableEntries=1048576/);
  });

  it("a table of 2*10^7 entries fails alike on both engines; 2^20 entries (the largest limit) runs alike", { timeout: HANG_MS }, () => {
    const big = file("table-20m.wasm", taskModule({ table: { min: 20_000_000 } }));
    const errs = ["interp", "native"].map((e) => cli(["run", big, "--engine", e, "--max-table-entries", "1048576", "--json"]));
    for (const o of errs) expectError(o, "limit", /20000000 entries/);
    expect(errs[0]!.json).toEqual(errs[1]!.json);
    // call_indirect past the end of a 2^20-entry table: the same trap and step count on both engines.
    const run = [...i32c(1 << 20), 0x11, 0x00, 0x00];
    const ok = file("table-1m.wasm", taskModule({ table: { min: 1 << 20 }, run }));
    const res = ["interp", "native"].map((e) => cli(["run", ok, "--engine", e, "--max-table-entries", "1048576", "--json"]));
    for (const o of res) {
      expect(o.json).toEqual({ status: "trapped", results: [], trap: "out_of_bounds_table", steps: 3 });
      expect(o.maxRssMB).toBeLessThan(SMALL_MB); // 2^20 entries: 4 MiB interpreted, 8 MiB in V8
    }
    expectError(cli(["run", ok, "--max-table-entries", "1048577", "--json"]), "usage", /maxTableEntries must be an integer in \[0, 1048576\]/);
  });

  it("hash and prove of a task with a 2^20-entry table (the largest) stay within about 64 bytes an entry", { timeout: HANG_MS }, () => {
    const path = file("table-1m-hash.wasm", taskModule({ table: { min: 1 << 20 } }));
    const h = cli(["hash", path, "--max-table-entries", "1048576", "--at", "9", "--json"]);
    expect(h.json.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const p = cli(["prove", path, "--max-table-entries", "1048576", "--step", "0", "--json"]);
    expect(p.json.before).toMatch(/^0x[0-9a-f]{64}$/);
    for (const o of [h, p]) expect(o.maxRssMB).toBeLessThan(SMALL_MB + 128);
  });
});

describe("hostile modules: memory", () => {
  // 65,536 pages (4 GiB); the task writes 16 KiB in each of 64 pages 1 GiB / 16 apart: 1 MiB in all.
  const wat = `(module (memory 65536)
    (func (export "run") (local $p i32) (local $i i32)
      (loop $pages
        (local.set $i (i32.const 0))
        (loop $words
          (i64.store (i32.add (i32.mul (local.get $p) (i32.const 67043328)) (local.get $i)) (i64.const 0x0102030405060708))
          (local.set $i (i32.add (local.get $i) (i32.const 8)))
          (br_if $words (i32.lt_u (local.get $i) (i32.const 16384))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $pages (i32.lt_u (local.get $p) (i32.const 64))))))`;

  it("hash and prove a 65,536-page task that touches 1 MiB in bounded memory; run on both engines agrees", { timeout: HANG_MS }, async () => {
    const path = file("mem64k.wasm", await watToWasm(wat));
    const lim = ["--max-memory-pages", "65536"];
    const runs = ["interp", "native"].map((e) => cli(["run", path, "--engine", e, ...lim, "--json"]));
    expect(runs[0]!.json).toEqual(runs[1]!.json);
    expect(runs[0]!.json.status).toBe("finished");
    const steps = runs[0]!.json.steps as number;
    const end = cli(["hash", path, ...lim, "--at", String(steps), "--json"]);
    const mid = cli(["hash", path, ...lim, "--at", "1000000", "--json"]);
    const proof = cli(["prove", path, ...lim, "--step", "999999", "--json"]);
    expect(end.json.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(proof.json.after).toBe(mid.json.hash);
    // Before the paged memory tree: over 8 GB (and 60 s). The 1 MiB written costs about 2 MiB of tree.
    for (const o of [...runs, end, mid, proof]) expect(o.maxRssMB).toBeLessThan(600);
  });

  it("a module needing more pages than the task allows is a limit error on every command", { timeout: HANG_MS }, () => {
    const path = file("mem-over.wasm", taskModule({ memory: { min: 65536 } }));
    for (const [, o] of everyCommand(path)) expectError(o, "limit", /needs 65536 memory pages, above the task limit maxMemoryPages=1024/);
  });
});

describe("hostile files: not Wasm, not WAT", () => {
  it("an empty .wasm is malformed (unexpected end), as the spec suite's (module binary \"\")", { timeout: HANG_MS }, () => {
    for (const [, o] of everyCommand(file("empty.wasm", new Uint8Array(0)))) expectError(o, "malformed", /unexpected end/);
  });

  it("4 MB of zero bytes, random bytes, plain text, and WAT text named .wasm are 'bad magic' at once", { timeout: HANG_MS }, () => {
    const rnd = new Uint8Array(1 << 20);
    for (let i = 0, x = 12345; i < rnd.length; i++) rnd[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    rnd[0] = 0x01;
    const cases: [string, Uint8Array | string][] = [
      ["zeros.bin", new Uint8Array(4 << 20)],
      ["random.bin", rnd],
      ["notes.txt", "hello, this is not a module\n"],
      ["text.wasm", "(module)"],
      ["nul.wat", "(module)\u0000"],
    ];
    const { outcomes, maxRssMB } = loadAll(cases.map(([name, bytes]) => file(name, bytes)));
    for (const o of outcomes) {
      expect(o.kind, o.message).toBe("malformed");
      expect(o.message).toMatch(/bad magic/);
    }
    expect(maxRssMB).toBeLessThan(SMALL_MB);
    // The CLI's commands alike (4 MB of zeros once took 1.5 GB inside the WAT parser).
    for (const [, o] of everyCommand(join(dir, "zeros.bin"))) expectError(o, "malformed", /bad magic/);
  });

  it("a module file over 64 MiB is a limit error, read no further than 64 MiB + 1 byte", { timeout: HANG_MS }, () => {
    const o = cli(["run", "/dev/zero", "--json"]);
    expectError(o, "limit", /module file \/dev\/zero is larger than 67108864 bytes/, SMALL_MB + 64 * 2);
  });
});

describe("hostile WAT", () => {
  const fn = (body: string) => `(module (func (export "run") ${body}))`;
  it("deep nesting is a typed limit error naming the place, flat or folded; 100 levels load", { timeout: HANG_MS }, () => {
    const deep: [string, string][] = [
      ["flat200.wat", fn("block ".repeat(200) + "end ".repeat(200))],
      ["folded150.wat", fn("(block ".repeat(150) + ")".repeat(150))],
      ["parens1e5.wat", fn("(i32.add ".repeat(100_000))],
      ["if-else.wat", fn("i32.const 0 if ".repeat(120) + "end ".repeat(120))],
    ];
    // 98 blocks inside (module (func ...)): 100 levels, accepted.
    const fine: [string, string][] = [
      ["flat98.wat", fn("block ".repeat(98) + "end ".repeat(98))],
      ["folded98.wat", fn("(block ".repeat(98) + ")".repeat(98))],
    ];
    const { outcomes, maxRssMB } = loadAll([...deep, ...fine].map(([name, text]) => file(name, text)));
    deep.forEach(([name], i) => {
      expect(outcomes[i]!.kind, outcomes[i]!.message).toBe("limit");
      expect(outcomes[i]!.message).toMatch(new RegExp(`${name}:1:\\d+: WAT nesting deeper than 100 levels`));
    });
    expect(outcomes.slice(deep.length)).toEqual([{ ok: true }, { ok: true }]);
    expect(maxRssMB).toBeLessThan(SMALL_MB);
    for (const [, o] of everyCommand(join(dir, "flat200.wat"))) expectError(o, "limit", /flat200.wat:1:\d+: WAT nesting deeper than 100 levels/);
    for (const e of ["interp", "native"]) expect(cli(["run", join(dir, "flat98.wat"), "--engine", e, "--json"]).json).toEqual({ status: "finished", results: [], steps: 3 });
  });

  it("comments and strings do not count as nesting", { timeout: HANG_MS }, () => {
    const path = file("comments.wat", `;; ${"(".repeat(500)}\n(; ${"(block ".repeat(500)} ;)\n(module (memory 1) (func (export "run")) (data (i32.const 0) "${"(".repeat(500)}"))`);
    expect(cli(["run", path, "--json"]).json).toEqual({ status: "finished", results: [], steps: 3 });
  });

  it("WAT text of almost 4 MiB (240,000 instructions) loads within bounded memory", { timeout: HANG_MS }, () => {
    const path = file("consts.wat", fn("i32.const 1 drop ".repeat(240_000)));
    const { outcomes, maxRssMB } = loadAll([path]);
    expect(outcomes).toEqual([{ ok: true }]);
    expect(maxRssMB).toBeLessThan(400); // measured about 180 MB
  });

  it("WAT text over 4 MiB is a limit error", { timeout: HANG_MS }, () => {
    const path = file("big.wat", fn("nop ".repeat((4 << 20) / 4 + 1)));
    expectError(cli(["run", path, "--json"]), "limit", /larger than the 4194304 accepted/);
  });

  it("feature errors name the feature whatever the format, .wat or .wasm", { timeout: HANG_MS }, async () => {
    const cases: [string, string, string][] = [
      ["threads", "atomics", `(module (memory 1 1 shared) (func (export "run") i32.const 0 i32.const 0 i32.atomic.store))`],
      ["threads", "shared", `(module (memory 1 1 shared))`],
      ["tail-call", "tail", `(module (func $f) (func (export "run") return_call $f))`],
      ["exceptions", "exceptions", `(module (tag $t) (func (export "run")))`],
      ["multi-memory", "multimem", `(module (memory 1) (memory 1))`],
      ["float", "f64param", `(module (func (export "f") (param f64)))`],
      ["memory64", "mem64", `(module (memory i64 1))`],
      ["reference-types", "externref", `(module (func (export "f") (param externref)))`],
      ["simd", "simd", `(module (func (export "run") v128.const i64x2 0 0 drop))`],
      ["import", "unknown-import", `(module (import "env" "f" (func)))`],
    ];
    const paths: string[] = [];
    for (const [, name, text] of cases) paths.push(file(`${name}.wat`, text), file(`${name}.wasm`, await watToWasm(text)));
    const { outcomes, maxRssMB } = loadAll(paths);
    outcomes.forEach((o, i) => {
      const feature = cases[i >> 1]![0];
      expect(o.kind, `${paths[i]}: ${o.message}`).toBe("unsupported");
      expect(o.feature, paths[i]).toBe(feature);
      expect(o.message).toContain(`feature ${feature}`);
    });
    expect(maxRssMB).toBeLessThan(SMALL_MB);
    // The CLI prints the feature in its JSON error, on every command.
    for (const name of ["atomics.wat", "unknown-import.wasm"]) {
      for (const [, o] of everyCommand(join(dir, name))) {
        expectError(o, "unsupported");
        expect(o.json.error!.feature).toBe(name.startsWith("atomics") ? "threads" : "import");
      }
    }
  });

  it("wabt's messages show the file's own name, whatever its length", { timeout: HANG_MS }, () => {
    for (const name of ["s_a8f3k2l.wat", "x.wat", "a-much-longer-file-name-of-a-module.wat"]) {
      const path = file(name, `(module (func (export "run") i32.add))`);
      const o = cli(["run", path, "--json"]);
      expectError(o, "invalid");
      const lines = o.json.error!.message.split("\n").filter((l) => /:\d+:\d+: error:/.test(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l.startsWith(`${path}:1:`), l).toBe(true);
    }
  });
});

describe("hostile binaries", () => {
  it("10^6 nested blocks (3 MB) run alike on both engines within a bounded memory", { timeout: HANG_MS }, () => {
    const path = file("nest1m.wasm", taskModule({ run: nestedBlocks(1_000_000) }));
    const res = ["interp", "native"].map((e) => cli(["run", path, "--engine", e, "--json"]));
    for (const o of res) {
      expect(o.json).toEqual({ status: "finished", results: [], steps: 3 });
      // Was 1.23 GB on the native engine (V8 compiling the nesting); the interpreter's compile is ~320 MB.
      expect(o.maxRssMB).toBeLessThan(700);
    }
  });

  it("10^4 nested blocks still run natively (below the native nesting bound)", { timeout: HANG_MS }, () => {
    const path = file("nest1e4.wasm", taskModule({ run: nestedBlocks(10_000) }));
    const o = cli(["run", path, "--engine", "native", "--json"]);
    expect(o.json).toEqual({ status: "finished", results: [], steps: 3 });
    expect(o.maxRssMB).toBeLessThan(SMALL_MB);
  });

  it("vector counts of 2^32-1 and LEB128 overruns are malformed at once", { timeout: HANG_MS }, () => {
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const cases: [string, number[], RegExp][] = [
      ["types-count.wasm", [...header, 1, 5, ...uleb(0xffffffff)], /type vector|runs past|unexpected end|length/],
      ["funcs-count.wasm", [...header, 3, 5, ...uleb(0xffffffff)], /function vector|runs past|unexpected end|length/],
      ["leb-overrun.wasm", [...header, 1, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], /LEB|integer|too long|representation/],
    ];
    const { outcomes, maxRssMB } = loadAll(cases.map(([name, bytes]) => file(name, new Uint8Array(bytes))));
    outcomes.forEach((o, i) => {
      expect(o.kind, o.message).toBe("malformed");
      expect(o.message).toMatch(cases[i]![2]);
    });
    expect(maxRssMB).toBeLessThan(SMALL_MB);
    expectError(cli(["run", join(dir, "types-count.wasm"), "--engine", "native", "--json"]), "malformed");
  });
});

describe("hostile inputs and options", () => {
  const echo = `(module
    (import "task" "input_size" (func $isz (result i32)))
    (import "task" "input_read" (func $ird (param i32 i32 i32)))
    (import "task" "output_write" (func $ow (param i32 i32)))
    (memory 1024)
    (func (export "id") (param i32) (result i32) (local.get 0))
    (func (export "run") (local i32)
      (local.set 0 (call $isz))
      (call $ird (i32.const 0) (i32.const 0) (local.get 0))
      (call $ow (i32.const 0) (local.get 0))))`;

  it("--input /dev/zero and an input file of 32 MiB + 1 byte are limit errors, read no further", { timeout: HANG_MS }, () => {
    const path = file("echo.wat", echo);
    const big = file("input-big.bin", new Uint8Array((32 << 20) + 1));
    for (const [, o] of everyCommand(path, ["--input", "/dev/zero"])) expectError(o, "limit", /input file \/dev\/zero is larger than 33554432 bytes/, SMALL_MB + 2 * 32);
    expectError(cli(["run", path, "--engine", "native", "--input", big, "--json"]), "limit", /is larger than 33554432 bytes/, SMALL_MB + 2 * 32);
    expectError(cli(["run", path, "--calls", "/dev/zero", "--json"]), "limit", /calls file \/dev\/zero is larger than 16777216 bytes/);
  });

  it("the output limit is capped at 64 MiB, and 64 MiB of output is returned whole", { timeout: HANG_MS }, () => {
    const path = file("echo2.wat", echo);
    expectError(cli(["run", path, "--max-output-bytes", "1073741824", "--json"]), "usage", /maxOutputBytes must be an integer in \[0, 67108864\], got 1073741824/);
    const out = file("out64.wat", `(module (import "task" "output_write" (func $ow (param i32 i32))) (memory 1024)
      (func (export "run") (i32.store8 (i32.const 67108863) (i32.const 0xab)) (call $ow (i32.const 0) (i32.const 67108864))))`);
    const o = cli(["run", out, "--engine", "native", "--max-output-bytes", "67108864", "--json"], 200 << 20);
    expect(o.json.status).toBe("finished");
    const hex = o.json.output as string;
    expect(hex.length).toBe(2 * 67108864);
    expect(hex.endsWith("00ab")).toBe(true);
    expect(o.maxRssMB).toBeLessThan(1500);
  });

  it("--args i32:-0x80000000 is i32 min; one below it is a usage error", { timeout: HANG_MS }, () => {
    const path = file("echo3.wat", echo);
    for (const e of ["interp", "native"]) {
      const o = cli(["run", path, "--engine", e, "--invoke", "id", "--args", "i32:-0x80000000", "--json"]);
      expect(o.json).toMatchObject({ status: "finished", results: ["i32:-2147483648"] });
    }
    expectError(cli(["run", path, "--invoke", "id", "--args", "i32:-0x80000001", "--json"]), "usage", /out of i32 range/);
    expectError(cli(["hash", path, "--invoke", "id", "--args", "i64:-0x8000000000000001", "--at", "0", "--json"]), "usage", /out of i64 range/);
  });

  it("bad option values are JSON usage errors like every other usage error", { timeout: HANG_MS }, () => {
    const path = file("echo4.wat", echo);
    const bad: [string[], RegExp][] = [
      [["--max-steps", "-1"], /--max-steps must be a non-negative integer, got "-1"/],
      [["--max-steps", "abc"], /--max-steps must be a non-negative integer/],
      [["--max-steps", "9007199254740993"], /--max-steps is too large/],
      [["--max-memory-pages", "1.5"], /--max-memory-pages must be a non-negative integer/],
      [["--max-table-entries", "x"], /--max-table-entries must be a non-negative integer/],
      [["--bogus"], /unknown option '--bogus'/],
    ];
    const cmds = [["run", "--engine", "native"], ["hash", "--at", "0"], ["prove", "--step", "0"]];
    bad.forEach(([args, re], i) => {
      const cmd = cmds[i % cmds.length]!;
      expectError(cli([cmd[0]!, path, ...cmd.slice(1), ...args, "--json"]), "usage", re);
    });
    expectError(cli(["run", path, "--engine", "jit", "--json"]), "usage", /--engine must be interp or native, got "jit"/);
  });

  it("an endless loop stops at the default step limit of 10^9 (native engine)", { timeout: HANG_MS }, () => {
    const path = file("endless.wat", `(module (func (export "run") (loop (br 0))))`);
    const o = cli(["run", path, "--engine", "native", "--json"]);
    expect(o.json).toEqual({ status: "out_of_steps", results: [], steps: 1_000_000_000 });
    expect(o.maxRssMB).toBeLessThan(SMALL_MB);
  });
});
