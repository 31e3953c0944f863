// Fault injection (src/fault.ts): the flag's grammar, and each lie is a result that passes the
// market's result check yet differs from the truth where it should.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkResult, compileWasm, nativeFinalState } from "@vwasm/wasm-stepper";
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { faultySolve, parseSolverFaults, FaultSpecError, type SolverFaults, type SolverLie } from "../src/fault.ts";

const require = createRequire(import.meta.url);
const wasm = new Uint8Array(readFileSync(require.resolve("@vwasm/wasm-stepper/examples/as/sha256.wasm")));
const dir = mkdtempSync(join(tmpdir(), "fault-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("parseSolverFaults", () => {
  it("reads each lie and silent, and refuses the rest with the reason", () => {
    expect(parseSolverFaults(undefined)).toBeUndefined();
    expect(parseSolverFaults("lie-output")).toEqual({ lie: { kind: "lie-output" }, silent: false, spec: "lie-output" });
    expect(parseSolverFaults("diverge-at=17,silent")).toEqual({ lie: { kind: "diverge-at", step: 17 }, silent: true, spec: "diverge-at=17,silent" });
    expect(() => parseSolverFaults("diverge-at=0")).toThrow(FaultSpecError);
    expect(() => parseSolverFaults("lie-output,lie-steps")).toThrow(/one lie/);
    expect(() => parseSolverFaults("cheat")).toThrow(/unknown fault "cheat"/);
  });
});

describe("faultySolve", () => {
  const cm = compileWasm(wasm);
  const opts = { input: new TextEncoder().encode("fault injection"), limits: { maxSteps: 10_000_000 } };
  const truth = nativeFinalState(cm, opts);
  const cases: [string, SolverLie, (r: Awaited<ReturnType<typeof faultySolve>>) => void][] = [
    ["lie-output", { kind: "lie-output" }, (r) => {
      expect(r.steps).toBe(truth.result.steps);
      expect(hex(r.output)).toBe(hex(truth.result.output) + "21");
    }],
    ["lie-steps", { kind: "lie-steps" }, (r) => {
      expect(r.steps).toBe(truth.result.steps - 1);
      expect(hex(r.output)).toBe(hex(truth.result.output));
    }],
    ["diverge-at=1", { kind: "diverge-at", step: 1 }, (r) => expect(r.steps).toBe(truth.result.steps)],
  ];
  for (const [name, lie, extra] of cases) {
    it(`${name}: a false result the market's result check accepts, defended by a consistent trace`, async () => {
      const faults = { lie, silent: false, spec: name } as SolverFaults & { lie: SolverLie };
      const r = await faultySolve(cm, opts, faults, join(dir, name), name);
      const claim = checkResult(r.finalStateHash, r.headerWords, r.output);
      expect(claim.steps).toBe(r.steps);
      expect(hex(r.finalStateHash)).not.toBe(hex(truth.stateHash));
      expect(hex(await r.trace.hashAt(r.steps))).toBe(hex(r.finalStateHash));
      expect(hex(await r.trace.hashAt(0))).toBe(hex((await r.trace.hashesAt([0]))[0]!));
      extra(r);
      await r.trace.close();
    });
  }
  it("diverge-at past the end is refused", async () => {
    await expect(faultySolve(cm, opts, { lie: { kind: "diverge-at", step: truth.result.steps + 1 }, silent: false, spec: "x" }, join(dir, "x"), "x")).rejects.toThrow(/past the task's end/);
  });
});
