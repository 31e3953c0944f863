/**
 * Rebuilds the example corpus: every examples/as/*.ts (except the shared
 * task.ts) with AssemblyScript, every examples/**\/*.wat with wabt, writing the
 * .wasm next to its source. Checks that each module stays in the stepper's
 * subset: no f32/f64, imports only from "task".
 * Run: `npm run build:corpus -w wasm-stepper` (`--check`: fail if a committed
 * .wasm differs from a fresh build, without writing).
 */
import { readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSubset, wat } from "@vwasm/wasm-stepper/testing";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const examples = join(root, "examples");
const check = process.argv.includes("--check");

/** The AssemblyScript flags of the corpus (integer-only, no runtime, no abort import). */
const ASC_FLAGS = ["-O3", "--runtime", "stub", "--use", "abort="];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** The part of AssemblyScript's compiler API used here. */
interface AscApi {
  main(
    argv: string[],
    options: {
      readFile: (name: string, baseDir: string) => string | null;
      writeFile: (name: string, contents: Uint8Array | string, baseDir: string) => void;
      listFiles: (dirname: string, baseDir: string) => string[];
      stdout: { write: (s: string | Uint8Array) => boolean };
      stderr: { write: (s: string | Uint8Array) => boolean };
    },
  ): Promise<{ error: Error | null }>;
}

// Loaded through a variable specifier: the compiler's own type declarations
// redeclare globals (console) and must stay out of the project's type check.
const ASC_MODULE = "assemblyscript/asc";
const asc = ((await import(ASC_MODULE)) as { default: AscApi }).default;

async function compileAs(file: string): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  let errText = "";
  const { error } = await asc.main([file, ...ASC_FLAGS, "-o", "out.wasm"], {
    readFile: (name: string, baseDir: string) => {
      try {
        return readFileSync(join(baseDir ?? "", name), "utf8");
      } catch {
        return null;
      }
    },
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith(".wasm")) binary = typeof contents === "string" ? new TextEncoder().encode(contents) : contents;
    },
    listFiles: () => [],
    stderr: {
      write: (s: string | Uint8Array) => {
        errText += typeof s === "string" ? s : new TextDecoder().decode(s);
        return true;
      },
    },
    stdout: { write: () => true },
  });
  if (error || !binary) throw new Error(`asc failed for ${relative(root, file)}: ${error?.message ?? ""}\n${errText}`);
  return binary;
}

let failed = false;
for (const file of walk(examples)) {
  let bytes: Uint8Array;
  if (file.endsWith(".wat")) {
    bytes = await wat(readFileSync(file, "utf8"), file);
  } else if (file.endsWith(".ts") && file.includes(`${join("examples", "as")}`) && !file.endsWith("task.ts")) {
    bytes = await compileAs(file);
  } else {
    continue;
  }
  const problems = await checkSubset(bytes);
  const rel = relative(root, file);
  if (problems.length) {
    console.error(`${rel}: outside the subset: ${problems.join("; ")}`);
    failed = true;
    continue;
  }
  const target = file.replace(/\.(wat|ts)$/, ".wasm");
  if (check) {
    let cur: Uint8Array | undefined;
    try {
      cur = readFileSync(target);
    } catch {
      cur = undefined;
    }
    const same = cur !== undefined && cur.length === bytes.length && cur.every((b, i) => b === bytes[i]);
    console.log(`${same ? "ok      " : "STALE   "} ${relative(root, target)}`);
    if (!same) failed = true;
  } else {
    writeFileSync(target, bytes);
    console.log(`wrote ${relative(root, target)} (${bytes.length} bytes)`);
  }
}
if (failed) process.exit(1);
