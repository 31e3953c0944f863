import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModule } from "../src/index.ts";
import { stateHashAt, type ProveTarget } from "../src/state/prove.ts";
import { verifyStep } from "../src/state/verify.ts";

const BIN = join(import.meta.dirname, "../bin/wasm-stepper.mjs");
const CRC = join(import.meta.dirname, "../examples/as/crc32.wasm");
const FIB = join(import.meta.dirname, "../examples/fib.wat");
const INPUT_HEX = Buffer.from("hello, state").toString("hex");

function cli(args: string[]): { code: number; json: Record<string, unknown> } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, json: JSON.parse(r.stdout) as Record<string, unknown> };
}

const bytes = (h: unknown): Uint8Array => {
  expect(h).toMatch(/^0x([0-9a-f]{2})*$/);
  return new Uint8Array(Buffer.from((h as string).slice(2), "hex"));
};
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");

let crcTask: ProveTarget;
beforeAll(async () => {
  crcTask = { cm: await loadModule(new Uint8Array(readFileSync(CRC))), opts: { input: new Uint8Array(Buffer.from(INPUT_HEX, "hex")) } };
});

describe("wasm-stepper hash and prove", () => {
  it("hash --at N prints the state hash at step N of the task", () => {
    const r = cli(["hash", CRC, "--input-hex", INPUT_HEX, "--at", "1234", "--json"]);
    expect(r.code).toBe(0);
    expect(Object.keys(r.json)).toEqual(["step", "hash"]);
    expect(r.json.step).toBe(1234);
    expect(r.json.hash).toBe(hex(stateHashAt(crcTask, 1234)));
  });

  it("prove --step N verifies, before = hash --at N and after = hash --at N+1", () => {
    const n = 4321;
    const p = cli(["prove", CRC, "--input-hex", INPUT_HEX, "--step", String(n), "--json"]);
    expect(p.code).toBe(0);
    expect(Object.keys(p.json)).toEqual(["step", "before", "after", "proof"]);
    expect(p.json.step).toBe(n);
    const before = bytes(p.json.before);
    const proof = bytes(p.json.proof);
    expect(hex(verifyStep(before, proof))).toBe(p.json.after);
    expect(cli(["hash", CRC, "--input-hex", INPUT_HEX, "--at", String(n), "--json"]).json.hash).toBe(p.json.before);
    expect(cli(["hash", CRC, "--input-hex", INPUT_HEX, "--at", String(n + 1), "--json"]).json.hash).toBe(p.json.after);
  });

  it("works on an --invoke invocation with --args", () => {
    const h = cli(["hash", FIB, "--invoke", "fib", "--args", "i32:10", "--at", "100", "--json"]);
    const p = cli(["prove", FIB, "--invoke", "fib", "--args", "i32:10", "--step", "99", "--json"]);
    expect(h.code).toBe(0);
    expect(p.code).toBe(0);
    expect(p.json.after).toBe(h.json.hash);
    expect(hex(verifyStep(bytes(p.json.before), bytes(p.json.proof)))).toBe(p.json.after);
  });

  it("past the end: the terminal state (--max-steps makes it out_of_steps), its step is the identity", () => {
    const end = cli(["hash", CRC, "--input-hex", INPUT_HEX, "--max-steps", "500", "--at", "500", "--json"]);
    const past = cli(["hash", CRC, "--input-hex", INPUT_HEX, "--max-steps", "500", "--at", "99999999", "--json"]);
    expect(past.json).toEqual({ step: 99999999, hash: end.json.hash });
    const p = cli(["prove", CRC, "--input-hex", INPUT_HEX, "--max-steps", "500", "--step", "700", "--json"]);
    expect(p.code).toBe(0);
    expect(p.json.before).toBe(end.json.hash);
    expect(p.json.after).toBe(end.json.hash);
    expect(hex(verifyStep(bytes(p.json.before), bytes(p.json.proof)))).toBe(end.json.hash);
  });

  it("reports errors as run does: JSON {error: {kind, message}} and exit code 1", () => {
    const cases: [string[], string, RegExp][] = [
      [["hash", FIB, "--invoke", "fib", "--args", "i32:3", "--json"], "usage", /--at <n> is required/],
      [["prove", FIB, "--invoke", "fib", "--args", "i32:3", "--json"], "usage", /--step <n> is required/],
      [["hash", FIB, "--invoke", "fib", "--args", "i32:3", "--at", "-1", "--json"], "usage", /non-negative integer/],
      [["prove", FIB, "--invoke", "fib", "--args", "i32:3", "--step", "1e3", "--json"], "usage", /non-negative integer/],
      [["hash", FIB, "--args", "i32:3", "--at", "1", "--json"], "usage", /--args needs --invoke/],
      [["hash", FIB, "--invoke", "nope", "--at", "1", "--json"], "usage", /no exported function named "nope"/],
      [["hash", FIB, "--at", "1", "--json"], "link", /no "run" export/],
      [["prove", join(import.meta.dirname, "missing.wasm"), "--step", "1", "--json"], "usage", /cannot read module file/],
    ];
    for (const [args, kind, msg] of cases) {
      const r = cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect((r.json.error as { kind: string }).kind, args.join(" ")).toBe(kind);
      expect((r.json.error as { message: string }).message).toMatch(msg);
    }
  }, 60_000);
});
