import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseValue } from "../src/cli.ts";

const BIN = join(import.meta.dirname, "../bin/wasm-stepper.mjs");
const dir = mkdtempSync(join(tmpdir(), "stepper-cli-"));

function cli(args: string[]): { code: number; json: unknown } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, json: JSON.parse(r.stdout) };
}

const WAT = `(module
  (import "task" "input_size" (func $isz (result i32)))
  (import "task" "input_read" (func $ird (param i32 i32 i32)))
  (import "task" "output_write" (func $ow (param i32 i32)))
  (memory 1)
  (global $count (mut i32) (i32.const 0))
  (func (export "bump") (param i32) (result i32)
    (global.set $count (i32.add (global.get $count) (local.get 0))) (global.get $count))
  (func (export "wide") (param i64) (result i64) (i64.mul (local.get 0) (i64.const -3)))
  (func (export "boom") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
  (func (export "run") (local i32)
    (local.set 0 (call $isz))
    (call $ird (i32.const 0) (i32.const 0) (local.get 0))
    (call $ow (i32.const 0) (local.get 0))))`;
const file = join(dir, "m.wat");
writeFileSync(file, WAT);

describe("wasm-stepper CLI", () => {
  it("runs the task entry with hex input and echoes the output", () => {
    const r = cli(["run", file, "--input-hex", "deadbeef", "--json"]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ status: "finished", results: [], output: "deadbeef" });
    expect((r.json as { steps: number }).steps).toBeGreaterThan(5);
  });

  it("reads input from a file", () => {
    const inFile = join(dir, "in.bin");
    writeFileSync(inFile, Buffer.from("hello"));
    const r = cli(["run", file, "--input", inFile, "--json"]);
    expect(r.json).toMatchObject({ status: "finished", output: Buffer.from("hello").toString("hex") });
  });

  it("invokes an export with typed arguments, i64 printed in decimal", () => {
    const r = cli(["run", file, "--invoke", "wide", "--args", "i64:-9223372036854775807", "--json"]);
    // -(2^63-1) * -3 wraps modulo 2^64.
    const expected = BigInt.asIntN(64, -9223372036854775807n * -3n).toString();
    expect(r.json).toMatchObject({ status: "finished", results: [`i64:${expected}`] });
  });

  it("runs --calls against one instance and reports traps per call", () => {
    const calls = join(dir, "calls.json");
    writeFileSync(calls, JSON.stringify([
      { invoke: "bump", args: ["i32:5"] },
      { invoke: "boom", args: [] },
      { invoke: "bump", args: ["i32:-2"] },
    ]));
    const r = cli(["run", file, "--calls", calls, "--json"]);
    expect(r.code).toBe(0);
    const out = r.json as { status: string; results: string[]; trap?: string }[];
    expect(out.map((o) => o.status)).toEqual(["finished", "trapped", "finished"]);
    expect(out[0]!.results).toEqual(["i32:5"]);
    expect(out[1]!.trap).toBe("int_divide_by_zero");
    expect(out[2]!.results).toEqual(["i32:3"]);
  });

  it("stops at --max-steps", () => {
    const r = cli(["run", file, "--input-hex", "00".repeat(100), "--max-steps", "4", "--json"]);
    expect(r.json).toEqual({ status: "out_of_steps", results: [], steps: 4 });
  });

  it("prints a typed error and exits non-zero for a malformed module", () => {
    const bad = join(dir, "bad.wasm");
    writeFileSync(bad, Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1]));
    const r = cli(["run", bad, "--json"]);
    expect(r.code).not.toBe(0);
    expect(r.json).toMatchObject({ error: { kind: "malformed" } });
    expect((r.json as { error: { message: string } }).error.message).toMatch(/section type/);
  });

  it("names an unsupported feature", () => {
    const f = join(dir, "float.wat");
    writeFileSync(f, `(module (func (export "f") (result f32) (f32.const 1)))`);
    const r = cli(["run", f, "--invoke", "f", "--json"]);
    expect(r.code).not.toBe(0);
    expect(r.json).toMatchObject({ error: { kind: "unsupported" } });
  });

  it("rejects bad arguments clearly", () => {
    expect(() => parseValue("f32:1")).toThrow(/expected i32:<integer> or i64:<integer>/);
    expect(() => parseValue("i32:4294967296")).toThrow(/out of i32 range/);
    expect(parseValue("i32:4294967295")).toEqual({ type: "i32", value: -1 });
    const r = cli(["run", file, "--invoke", "bump", "--args", "i32:x", "--json"]);
    expect(r.code).not.toBe(0);
    expect(r.json).toMatchObject({ error: { kind: "usage" } });
  });

  it("prints help", () => {
    const out = execFileSync(process.execPath, [BIN, "run", "--help"], { encoding: "utf8" });
    expect(out).toMatch(/--engine <engine>/);
  });
});
