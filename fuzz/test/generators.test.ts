/**
 * The generators: every choice stream decodes to a module that assembles and validates, shrinking
 * towards an empty stream gives the smallest program, and the byte mutations do what they say
 * (an overlong but valid LEB128 section size still loads; a truncated module is malformed).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWasm, loadModule, Machine, MalformedModuleError, watToWasm } from "@vwasm/wasm-stepper";
import { decodeProgram } from "../src/gen/program.ts";
import { mutateBytes, sections } from "../src/gen/malformed.ts";
import { taskSeedArb, programOf } from "../src/gen/cases.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

describe("program generator", () => {
  it("test_generator_anyStream_validModule", async () => {
    await fc.assert(
      fc.asyncProperty(taskSeedArb(), async (s) => {
        const p = programOf(s);
        const cm = compileWasm(await watToWasm(p.wat, "gen.wat"));
        expect(cm.module.exports.some((e) => e.name === "run")).toBe(true);
      }),
      { numRuns: 60, seed: SEED },
    );
  });

  it("test_generator_emptyStream_smallestProgramFinishes", async () => {
    const p = decodeProgram([], new Uint8Array());
    const r = Machine.forTask(await loadModule(p.wat), { input: p.input, limits: p.limits }).run();
    expect(r.status).toBe("finished");
    expect(p.wat.split("\n").length).toBeLessThan(32);
  });

  it("test_generator_sameStream_sameModule", () => {
    const s = [5, 17, 300, 9, 65535, 2, 44];
    expect(decodeProgram(s, new Uint8Array()).wat).toBe(decodeProgram(s, new Uint8Array()).wat);
  });
});

describe("byte mutations", () => {
  const base = async () => watToWasm(decodeProgram([1, 2, 3, 4, 5, 6, 7, 8], new Uint8Array()).wat, "m.wat");

  it("test_sections_validModule_coverWholeBinary", async () => {
    const b = await base();
    const s = sections(b);
    expect(s.length).toBeGreaterThan(5);
    expect(s[0]!.start).toBe(8);
    expect(s.at(-1)!.end).toBe(b.length);
  });

  it("test_lebSize_overlongValid_stillLoads", async () => {
    const b = await base();
    for (let i = 0; i < sections(b).length; i++) {
      const m = mutateBytes(b, { kind: "lebSize", a: i, b: 0 });
      expect(m.length).toBeGreaterThan(b.length - 1);
      expect(() => compileWasm(m), `section ${i}`).not.toThrow();
    }
  });

  it("test_lebSize_sixBytes_malformed", async () => {
    const b = await base();
    expect(() => compileWasm(mutateBytes(b, { kind: "lebSize", a: 0, b: 1 }))).toThrow(MalformedModuleError);
  });

  it("test_truncate_anyLength_malformed", async () => {
    const b = await base();
    for (const n of [0, 4, 9, b.length - 1]) expect(() => compileWasm(mutateBytes(b, { kind: "truncate", a: n, b: 0 })), `length ${n}`).toThrow(MalformedModuleError);
  });

  it("test_swapSections_outOfOrder_rejected", async () => {
    const b = await base();
    expect(() => compileWasm(mutateBytes(b, { kind: "swapSections", a: 0, b: 1 }))).toThrow();
  });
});

describe("task limits", () => {
  it("test_tableLimit_drawnAfterModule_keptStreamsUnchanged", async () => {
    const { loadRegressions } = await import("../src/runner.ts");
    const { REGRESSIONS_DIR } = await import("../src/paths.ts");
    const kept = loadRegressions(REGRESSIONS_DIR).filter(({ r }) => (r.case as { program?: unknown }).program && (r.case as { choices?: unknown }).choices);
    expect(kept.length).toBeGreaterThan(0);
    for (const { file, r } of kept) {
      const c = r.case as { choices: number[]; input: number[]; program: { wat: string; limits: { maxTableEntries: number } } };
      const p = decodeProgram(c.choices, Uint8Array.from(c.input));
      expect(p.wat, file).toBe(c.program.wat); // the module decodes as when the case was kept
      expect(p.limits.maxTableEntries, file).toBe(c.program.limits.maxTableEntries ?? 1 << 16);
    }
  });

  it("test_tableLimit_sometimesBelowTable_refusedWithLimitError", async () => {
    let below = 0;
    let runs = 0;
    let x = 12345;
    for (let i = 0; i < 400 && (below < 3 || runs < 3); i++) {
      const choices = Array.from({ length: 4000 }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) & 0xffff);
      const p = decodeProgram(choices, new Uint8Array());
      if (p.limits.maxTableEntries === 1 << 16) continue;
      const cm = compileWasm(await watToWasm(p.wat, "t.wat"));
      const table = cm.module.table!.min;
      if (p.limits.maxTableEntries < table) {
        expect(() => Machine.forTask(cm, { input: p.input, limits: { ...p.limits, maxMemoryPages: 64 } })).toThrow(expect.objectContaining({ kind: "limit", section: "table" }));
        below++;
      } else runs++;
    }
    expect(below).toBeGreaterThanOrEqual(3);
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
