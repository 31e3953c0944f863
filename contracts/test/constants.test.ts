/**
 * The generated Solidity constants match the spec tables they come from (the test command also
 * runs `gen-constants.ts --check`), and the values the contracts use agree with the TypeScript
 * stepper's own (generated) tables.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import opcodes from "@vwasm/wasm-stepper/spec/opcodes.json";
import state from "@vwasm/wasm-stepper/spec/state.json";
import { OPCODE_FAMILIES, OPCODE_NAMES } from "@vwasm/wasm-stepper/opcodes";
import { Z } from "@vwasm/wasm-stepper/state";
import { CONSTANTS_PATH, generateConstants, zeroHashes } from "../scripts/gen-constants";
import { hex } from "./helpers/stepper.mts";

const sol = readFileSync(CONSTANTS_PATH, "utf8");
const constant = (lib: string, name: string): string => {
  const body = sol.slice(sol.indexOf(`library ${lib} {`));
  const m = new RegExp(`constant ${name} = ([^;]+);`).exec(body.slice(0, body.indexOf("\n}\n")));
  if (!m) throw new Error(`${lib}.${name} not in Constants.sol`);
  return m[1]!;
};

describe("generated constants", () => {
  it("test_constants_upToDate", () => {
    expect(generateConstants()).toBe(sol);
  });

  it("test_constants_opcodesMatchTheStepper", () => {
    expect(opcodes.opcodes.map((o) => o.name)).toEqual([...OPCODE_NAMES]);
    expect(opcodes.opcodes.map((o) => o.family)).toEqual([...OPCODE_FAMILIES]);
    for (const o of opcodes.opcodes) expect(constant("Op", o.name.toUpperCase().replace(/\./g, "_"))).toBe(String(o.op));
  });

  it("test_constants_familyMasksPartitionTheOpcodes", () => {
    const families = [...new Set(opcodes.opcodes.map((o) => o.family))];
    let union = 0n;
    for (const f of families) {
      const mask = BigInt(constant("Family", `${f.toUpperCase()}_OPS`));
      expect(union & mask).toBe(0n);
      union |= mask;
      for (const o of opcodes.opcodes) expect(((mask >> BigInt(o.op)) & 1n) === 1n).toBe(o.family === f);
    }
    expect(union).toBe((1n << BigInt(opcodes.opcodes.length)) - 1n);
  });

  it("test_constants_statusTrapTagWidth", () => {
    for (const [k, v] of Object.entries(state.statuses)) expect(constant("Status", k.toUpperCase())).toBe(String(v));
    for (const [k, v] of Object.entries(state.traps)) expect(constant("TrapCode", k.toUpperCase())).toBe(String(v));
    for (const [k, v] of Object.entries(state.tags)) expect(constant("Tag", k.toUpperCase())).toBe(JSON.stringify(v));
    expect(constant("Width", "HEADER_WORDS")).toBe(String(state.widths.headerWords));
    expect(constant("Width", "LAYOUT_VERSION")).toBe(String(state.version));
  });

  it("test_constants_zeroHashesMatchTheStepper", () => {
    const z = zeroHashes(33);
    for (let k = 0; k <= 32; k++) {
      expect(z[k]).toBe(hex(Z[k]!));
      expect(constant("ZeroHash", `Z_${k}`)).toBe(z[k]);
    }
  });
});
