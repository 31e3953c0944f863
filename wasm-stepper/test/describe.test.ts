import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeInstruction, pcOfHeaderWords } from "../src/describe.ts";
import { compileWasm } from "../src/load.ts";
import { Machine } from "../src/machine.ts";
import { Prover } from "../src/state/prove.ts";
import { wat } from "./helpers/wat.ts";

describe("describeInstruction", () => {
  it("names the function (export name, else func[i]), the opcode and the offsets of a pc", async () => {
    const bytes = await wat(`(module (func $helper (param i32) (result i32) local.get 0 i32.const 3 i32.mul) (func (export "run") i32.const 5 call $helper drop))`, "d.wat");
    const cm = compileWasm(bytes);
    const m = Machine.forTask(cm);
    const seen: string[] = [];
    while (m.status === "running") {
      const pc = m.pc;
      const p = new Prover(m).proveNext();
      expect(pcOfHeaderWords(p.proof)).toBe(pc);
      seen.push(describeInstruction(cm, pc).text);
    }
    const mul = seen.find((s) => s.startsWith("i32.mul"))!;
    expect(mul).toMatch(/^i32\.mul in func\[0\] \(func 0\) at module offset 0x[0-9a-f]+, body offset \+0x[0-9a-f]+ \(pc \d+\)$/);
    expect(seen.some((s) => /^i32\.const in run \(func 1\)/.test(s))).toBe(true);
    expect(seen[0]).toMatch(/task bootstrap/);
    const info = describeInstruction(cm, cm.funcs[0]!.entry);
    expect(bytes[info.moduleOffset]).toBe(0x20); // local.get
  });

  it("says when a pc is out of range", async () => {
    const cm = compileWasm(new Uint8Array(readFileSync(new URL("../examples/as/sha256.wasm", import.meta.url))));
    const run = cm.module.exports.find((e) => e.name === "run")!.index;
    expect(describeInstruction(cm, cm.funcs[run]!.entry).funcName).toMatch(/^(run|.+)$/);
    expect(describeInstruction(cm, cm.length + 5).opcode).toBe("(pc out of range)");
  });
});
