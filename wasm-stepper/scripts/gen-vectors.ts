/**
 * Generates spec/vectors/*.json: one-step proof vectors for the Solidity prover
 * (and any other verifier), one file per opcode family plus status.json for the
 * status transitions. Format: spec/vectors/README.md.
 *
 * Every vector is taken from a real run of the WAT programs in
 * test/helpers/state-programs.ts, proven step by step and checked with
 * verifyStep while generating. Deterministic: no randomness, programs and runs
 * in a fixed order, the first occurrence(s) of each (opcode, case) kept.
 *
 * Run: `npx tsx scripts/gen-vectors.ts` (writes), `--check` (exits 1 if the
 * committed files differ from what this script generates), `--dir <path>` to
 * write or check another directory.
 */
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import opcodes from "../spec/opcodes.json" with { type: "json" };
import { classifyStep, compileWat, hex, lockstepRun, NUMERIC_PROGRAM, STATE_PROGRAMS, type StepInfo } from "@vwasm/wasm-stepper/testing";

export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "spec", "vectors");

export interface Vector {
  name: string;
  opcode: string;
  before: string;
  proof: string;
  after: string;
}

const FAMILY = new Map(opcodes.opcodes.map((o) => [o.name, o.family]));
/** Families whose operators are data-dependent enough to deserve two vectors per case. */
const TWO_PER_CASE = new Set(["i32", "i64"]);

/** The status.json key of a step, if it is a status transition or a terminal self-step. */
function statusKey(c: string): string | undefined {
  if (c.startsWith("terminal:") || c.startsWith("trap:") || c === "finish") return c;
  if (c.endsWith("-> out_of_steps")) return "out_of_steps";
  return undefined;
}

function toVector(s: StepInfo, c: string, where: string): Vector {
  return {
    name: `${s.op} ${c}: ${where} step ${s.step}`,
    opcode: s.op,
    before: hex(s.proof.before),
    proof: hex(s.proof.proof),
    after: hex(s.proof.after),
  };
}

/** All vector files, file name -> content, in memory. */
export async function generateVectors(): Promise<Map<string, string>> {
  const files = new Map<string, Vector[]>();
  const counts = new Map<string, number>();
  const add = (file: string, key: string, limit: number, v: Vector) => {
    const k = `${file}|${key}`;
    const n = counts.get(k) ?? 0;
    if (n >= limit) return;
    counts.set(k, n + 1);
    let list = files.get(file);
    if (!list) files.set(file, (list = []));
    list.push(v);
  };
  for (const p of [...STATE_PROGRAMS, NUMERIC_PROGRAM]) {
    const cm = await compileWat(p.wat, `${p.name}.wat`);
    for (const run of p.runs) {
      const { results } = lockstepRun(cm, run, `${p.name}: ${run.label}`, { keep: () => true });
      results.forEach((r, k) => {
        const callName = run.task ? "task" : `${run.calls![k]!.name}`;
        const where = `${p.name} / ${run.label} / ${run.task ? "task" : `call ${k} ${callName}`}`;
        for (const s of r.kept) {
          const c = classifyStep(s);
          const sk = statusKey(c);
          if (sk) add("status", sk, 1, toVector(s, c, where));
          if (c.startsWith("terminal:")) continue;
          if (c.startsWith("unstash")) {
            // No instruction runs (the one at pc is the branch target or the return address): control.
            add("control", c, 1, toVector(s, c, where));
            continue;
          }
          const family = FAMILY.get(s.op);
          if (!family) throw new Error(`no family for opcode ${s.op}`);
          add(family, `${s.op}|${c}`, TWO_PER_CASE.has(family) ? 2 : 1, toVector(s, c, where));
        }
      });
    }
  }
  const out = new Map<string, string>();
  for (const name of [...files.keys()].sort()) out.set(`${name}.json`, JSON.stringify(files.get(name), null, 2) + "\n");
  return out;
}

/** Compares generated files with spec/vectors; returns human-readable differences. */
export function diffVectors(generated: Map<string, string>, dir = VECTORS_DIR): string[] {
  const problems: string[] = [];
  const shown = dir === VECTORS_DIR ? "spec/vectors" : dir;
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  for (const [name, content] of generated) {
    const path = join(dir, name);
    if (!existsSync(path)) problems.push(`missing: ${shown}/${name}`);
    else if (readFileSync(path, "utf8") !== content) problems.push(`differs: ${shown}/${name}`);
  }
  for (const f of present) if (!generated.has(f)) problems.push(`stale (no longer generated): ${shown}/${f}`);
  return problems;
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  // --dir <path>: check or write another directory (tests use it on a scratch copy).
  const di = process.argv.indexOf("--dir");
  const dir = di >= 0 ? process.argv[di + 1]! : VECTORS_DIR;
  const generated = await generateVectors();
  if (check) {
    const problems = diffVectors(generated, dir);
    if (problems.length) {
      console.error(`${dir === VECTORS_DIR ? "spec/vectors" : dir} is out of date with the stepper:\n  ${problems.join("\n  ")}\nRegenerate with \`npx tsx scripts/gen-vectors.ts\` (in wasm-stepper) and review the diff: a changed vector means a changed state layout or step semantics.`);
      process.exit(1);
    }
    console.log(`${dir === VECTORS_DIR ? "spec/vectors" : dir} is up to date (${generated.size} files)`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith(".json") && !generated.has(f)) rmSync(join(dir, f));
  let total = 0;
  for (const [name, content] of generated) {
    writeFileSync(join(dir, name), content);
    const n = (JSON.parse(content) as Vector[]).length;
    total += n;
    console.log(`wrote spec/vectors/${name} (${n} vectors, ${content.length} bytes)`);
  }
  console.log(`${total} vectors`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
