/**
 * spec/vectors: every committed vector replays through verifyStep, the set
 * covers every executable opcode and every status transition, and the
 * generator in check mode agrees with the committed files.
 */
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import opcodes from "../spec/opcodes.json" with { type: "json" };
import stateSpec from "../spec/state.json" with { type: "json" };
import { diffVectors, VECTORS_DIR, type Vector } from "../scripts/gen-vectors.ts";
import { verifyStep } from "../src/state/verify.ts";
import { STATUS_NAME, TRAP_NAME } from "../src/state/header.ts";
import { hex, labelProof, PKG_ROOT_FOR_STATE, unhex } from "./helpers/state.ts";

const run = promisify(execFile);
const files = readdirSync(VECTORS_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const vectors = new Map<string, Vector[]>(files.map((f) => [f, JSON.parse(readFileSync(join(VECTORS_DIR, f), "utf8")) as Vector[]]));
const FAMILY = new Map(opcodes.opcodes.map((o) => [o.name, o.family]));

/** The pre/post status of a vector, read from its proof (header + step). */
function transition(v: Vector): { from: string; to: string; trap: string | undefined } {
  const { pre, post } = labelProof(unhex(v.proof));
  return { from: STATUS_NAME[pre.status]!, to: STATUS_NAME[post.status]!, trap: TRAP_NAME[post.trap] };
}

describe("spec/vectors", () => {
  it("has one file per opcode family plus status.json, each a non-empty array of well-formed vectors", () => {
    const families = [...new Set(opcodes.opcodes.map((o) => o.family))].sort();
    expect(files).toEqual([...families, "status"].map((f) => `${f}.json`).sort());
    for (const [file, list] of vectors) {
      expect(Array.isArray(list) && list.length > 0, file).toBe(true);
      // unique within a file (status.json repeats steps of the family files)
      const names = new Set<string>();
      for (const v of list) {
        expect(Object.keys(v), `${file}: ${v.name}`).toEqual(["name", "opcode", "before", "proof", "after"]);
        expect(names.has(v.name), `duplicate name ${v.name}`).toBe(false);
        names.add(v.name);
        expect(FAMILY.has(v.opcode), `${v.name}: unknown opcode ${v.opcode}`).toBe(true);
        if (file !== "status.json") expect(`${FAMILY.get(v.opcode)}.json`, v.name).toBe(file);
        expect(v.before).toMatch(/^0x[0-9a-f]{64}$/);
        expect(v.after).toMatch(/^0x[0-9a-f]{64}$/);
        expect(v.proof).toMatch(/^0x([0-9a-f]{64})+$/);
      }
    }
  });

  it("every vector replays through verifyStep to its `after`", () => {
    let n = 0;
    for (const [file, list] of vectors) {
      for (const v of list) {
        const after = verifyStep(unhex(v.before), unhex(v.proof));
        expect(hex(after), `${file}: ${v.name}`).toBe(v.after);
        n++;
      }
    }
    expect(n).toBeGreaterThan(200);
  });

  it("a vector's proof does not verify against another vector's `before`", () => {
    const all = [...vectors.values()].flat();
    for (let i = 0; i < all.length; i += 7) {
      const v = all[i]!;
      const other = all.find((w) => w.before !== v.before)!;
      expect(() => verifyStep(unhex(other.before), unhex(v.proof)), v.name).toThrow(/BadHeader/);
    }
  });

  it("cover every executable opcode, with the cases the README lists", () => {
    const executed = new Set<string>();
    const cases = new Set<string>();
    for (const list of vectors.values()) {
      for (const v of list) {
        const t = transition(v);
        if (t.from === "running") executed.add(v.opcode);
        // name: "<opcode> <case>: <where>"
        cases.add(v.name.slice(0, v.name.indexOf(": ")));
      }
    }
    const executable = opcodes.opcodes.map((o) => o.name).filter((n) => n !== "br_table_entry");
    expect([...executable].filter((o) => !executed.has(o))).toEqual([]);
    expect(executed.has("br_table_entry")).toBe(false);
    for (const c of [
      "br_if taken (drop)",
      "br_if not taken",
      "br_table default",
      "br_table entry 3 (return)",
      "return_if taken",
      "i64.load cross-leaf",
      "i64.store cross-leaf",
      "memory.copy backward chunk",
      "memory.copy forward chunk",
      "memory.copy forward empty",
      "table.copy backward chunk",
      "table.copy forward last chunk",
      "memory.fill chunk",
      "memory.init chunk",
      "host_input_read chunk",
      "host_output_write chunk",
      "memory.grow fails",
      "memory.grow grows",
    ])
      expect(cases, c).toContain(c);
  });

  it("status.json covers every status transition and every trap code", () => {
    const seen = new Set(vectors.get("status.json")!.map((v) => {
      const t = transition(v);
      return t.to === "trapped" && t.from === "running" ? `running->trapped:${t.trap}` : `${t.from}->${t.to}`;
    }));
    const want = [
      "running->finished",
      "running->out_of_steps",
      "finished->finished",
      "trapped->trapped",
      "out_of_steps->out_of_steps",
      ...Object.keys(stateSpec.traps)
        .filter((t) => t !== "none")
        .map((t) => `running->trapped:${t}`),
    ];
    expect([...want].filter((w) => !seen.has(w))).toEqual([]);
    // terminal self-steps: header-only proofs, after == before
    for (const v of vectors.get("status.json")!) {
      if (!v.name.includes(" terminal:")) continue;
      expect(v.after, v.name).toBe(v.before);
      expect(unhex(v.proof).length, v.name).toBe(stateSpec.widths.headerWords * 32);
    }
  });

  it("the check mode of the generator reports missing, differing and stale files", () => {
    const dir = mkdtempSync(join(tmpdir(), "vectors-"));
    try {
      const generated = new Map([
        ["a.json", "[]\n"],
        ["b.json", "[1]\n"],
        ["c.json", "[2]\n"],
      ]);
      writeFileSync(join(dir, "a.json"), "[]\n");
      writeFileSync(join(dir, "b.json"), "[1, 2]\n");
      writeFileSync(join(dir, "old.json"), "[]\n");
      writeFileSync(join(dir, "README.md"), "not a vector file");
      expect(diffVectors(generated, dir).sort()).toEqual([`differs: ${dir}/b.json`, `missing: ${dir}/c.json`, `stale (no longer generated): ${dir}/old.json`]);
      writeFileSync(join(dir, "b.json"), "[1]\n");
      writeFileSync(join(dir, "c.json"), "[2]\n");
      rmSync(join(dir, "old.json"));
      expect(diffVectors(generated, dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("`gen-vectors.ts --check` passes on spec/vectors and fails (exit 1) on a modified copy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vectors-"));
    try {
      cpSync(VECTORS_DIR, dir, { recursive: true });
      const f = join(dir, "i32.json");
      const list = JSON.parse(readFileSync(f, "utf8")) as Vector[];
      list[0]!.after = list[1]!.after;
      writeFileSync(f, JSON.stringify(list, null, 2) + "\n");
      const tsx = join(PKG_ROOT_FOR_STATE, "..", "node_modules", ".bin", "tsx");
      const script = join(PKG_ROOT_FOR_STATE, "scripts", "gen-vectors.ts");
      const [ok, bad] = await Promise.all([
        run(tsx, [script, "--check"], { cwd: PKG_ROOT_FOR_STATE }),
        run(tsx, [script, "--check", "--dir", dir], { cwd: PKG_ROOT_FOR_STATE }).then(
          () => ({ code: 0, stderr: "" }),
          (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
        ),
      ]);
      expect(ok.stdout).toContain("spec/vectors is up to date");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`differs: ${dir}/i32.json`);
      expect(bad.stderr).toContain("gen-vectors.ts");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
