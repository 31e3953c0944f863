/**
 * The stepper CLI (keep it stable: other packages and tests call it).
 *
 *   wasm-stepper run <file.wasm|file.wat> [--input <file>|--input-hex <hex>]
 *     [--engine interp|native] [--max-steps N] [--invoke <export> --args i32:1,i64:-2]
 *     [--calls <calls.json>] --json
 *   wasm-stepper hash <file> [--input ...|--input-hex ...] [limits] [--invoke <export> --args ...] --at N --json
 *     -> {"step": N, "hash": "0x..."}            the state hash at step N (terminal state's past the end)
 *   wasm-stepper prove <file> [same options] --step N --json
 *     -> {"step": N, "before": "0x...", "after": "0x...", "proof": "0x..."}   the proof of step N (state N -> N+1)
 */
import { closeSync, openSync, readSync } from "node:fs";
import { Command } from "commander";
import { loadModule } from "./load.ts";
import { MAX_INPUT, MAX_MODULE_BYTES } from "./task-limits.ts";
import { Machine } from "./machine.ts";
import { StepperError, UsageError } from "./errors.ts";
import { DEFAULT_LIMITS, formatValue, type Limits, type RunResult, type Value } from "./types.ts";
import type { CompiledModule } from "./compile/types.ts";
import { StateCommitment } from "./state/commit.ts";
import { Prover, type ProveTarget } from "./state/prove.ts";
import { machineAt } from "./state/trace-replay.ts";

/** Parses "i32:1" / "i64:-2" into a typed value. */
export function parseValue(s: string): Value {
  const m = /^(i32|i64):(-?(?:0x[0-9a-fA-F]+|\d+))$/.exec(s.trim());
  if (!m) throw new UsageError(`bad argument "${s}": expected i32:<integer> or i64:<integer>`);
  const neg = m[2]!.startsWith("-");
  const mag = BigInt(neg ? m[2]!.slice(1) : m[2]!);
  const n = neg ? -mag : mag;
  if (m[1] === "i32") {
    if (n < -(2n ** 31n) || n >= 2n ** 32n) throw new UsageError(`bad argument "${s}": out of i32 range`);
    return { type: "i32", value: Number(BigInt.asIntN(32, n)) };
  }
  if (n < -(2n ** 63n) || n >= 2n ** 64n) throw new UsageError(`bad argument "${s}": out of i64 range`);
  return { type: "i64", value: BigInt.asIntN(64, n) };
}

export function parseArgs(s: string | undefined): Value[] {
  if (!s) return [];
  return s.split(",").filter((x) => x.trim() !== "").map(parseValue);
}

interface CallSpec {
  invoke: string;
  args: Value[];
}

function parseCalls(text: string): CallSpec[] {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--calls file is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(j)) throw new UsageError(`--calls must be a JSON array of {"invoke": name, "args": [...]}`);
  return j.map((c, i) => {
    if (typeof c !== "object" || c === null || typeof (c as { invoke?: unknown }).invoke !== "string")
      throw new UsageError(`--calls entry ${i} must be an object with a string "invoke"`);
    const args = (c as { args?: unknown }).args ?? [];
    if (!Array.isArray(args) || !args.every((a) => typeof a === "string"))
      throw new UsageError(`--calls entry ${i}: "args" must be an array of strings like "i32:1"`);
    return { invoke: (c as { invoke: string }).invoke, args: (args as string[]).map(parseValue) };
  });
}

export function resultJson(r: RunResult): Record<string, unknown> {
  const o: Record<string, unknown> = { status: r.status, results: r.results.map(formatValue) };
  if (r.trap) o.trap = r.trap;
  if (r.output.length > 0) o.output = Buffer.from(r.output).toString("hex");
  o.steps = r.steps;
  return o;
}

/** A limit option's value; a bad one is a JSON usage error naming the option (as every usage error). */
function intArg(flag: string): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v)) throw new UsageError(`${flag} must be a non-negative integer, got "${v}"`);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} is too large: ${v} (at most 2^53 - 1)`);
    return n;
  };
}

/** Largest --calls file (JSON). */
const MAX_CALLS_BYTES = 16 << 20;

/**
 * Reads at most `max` bytes of a file (plus one, to tell that it is larger) without
 * trusting its size: /dev/zero, a FIFO or a growing file cannot exhaust memory.
 */
export function readBounded(path: string, max: number, what: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    let buf = new Uint8Array(Math.min(max + 1, 1 << 16));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > max) break;
        const bigger = new Uint8Array(Math.min(max + 1, buf.length * 2));
        bigger.set(buf);
        buf = bigger;
      }
      let got: number;
      try {
        got = readSync(fd, buf, n, buf.length - n, null);
      } catch (e) {
        throw new UsageError(`cannot read ${what} ${path}: ${(e as Error).message}`);
      }
      if (got === 0) break;
      n += got;
    }
    if (n > max) throw new StepperError("limit", `${what} ${path} is larger than ${max} bytes, the most accepted`);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

interface RunOpts {
  input?: string;
  inputHex?: string;
  engine: "interp" | "native";
  maxSteps?: number;
  maxMemoryPages?: number;
  maxCallDepth?: number;
  maxValueStack?: number;
  maxOutputBytes?: number;
  maxTableEntries?: number;
  invoke?: string;
  args?: string;
  calls?: string;
  json?: boolean;
}

function readInput(o: RunOpts): Uint8Array {
  if (o.input !== undefined && o.inputHex !== undefined) throw new UsageError("give --input or --input-hex, not both");
  if (o.input !== undefined) return readBounded(o.input, MAX_INPUT, "input file");
  if (o.inputHex !== undefined) {
    const h = o.inputHex.replace(/^0x/, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new UsageError(`--input-hex must be an even number of hex digits`);
    return new Uint8Array(Buffer.from(h, "hex"));
  }
  return new Uint8Array(0);
}

async function readModule(file: string): Promise<CompiledModule> {
  return loadModule(readBounded(file, MAX_MODULE_BYTES, "module file"), file);
}

function limitsOf(o: RunOpts): Partial<Limits> {
  const l: Partial<Limits> = {};
  if (o.maxSteps !== undefined) l.maxSteps = o.maxSteps;
  if (o.maxMemoryPages !== undefined) l.maxMemoryPages = o.maxMemoryPages;
  if (o.maxCallDepth !== undefined) l.maxCallDepth = o.maxCallDepth;
  if (o.maxValueStack !== undefined) l.maxValueStack = o.maxValueStack;
  if (o.maxOutputBytes !== undefined) l.maxOutputBytes = o.maxOutputBytes;
  if (o.maxTableEntries !== undefined) l.maxTableEntries = o.maxTableEntries;
  return l;
}

/** An engine-neutral instance: the interpreter or the native engine. */
interface Engine {
  invoke(name: string, args: Value[]): RunResult;
  runTask(): RunResult;
}

async function makeEngine(cm: CompiledModule, o: RunOpts, forTask: boolean): Promise<Engine> {
  const opts = { input: readInput(o), limits: limitsOf(o) };
  if (o.engine === "native") {
    const { NativeInstance } = await import("./native/index.ts");
    const inst = forTask ? NativeInstance.forTask(cm, opts) : NativeInstance.create(cm, opts);
    return { invoke: (n, a) => inst.invoke(n, a), runTask: () => inst.runTask() };
  }
  if (forTask) {
    const m = Machine.forTask(cm, opts);
    return { invoke: () => m.run(), runTask: () => m.run() };
  }
  const m = Machine.instantiate(cm, opts);
  return { invoke: (n, a) => m.invoke(n, a), runTask: () => m.run() };
}

async function runCommand(file: string, o: RunOpts): Promise<number> {
  const cm = await readModule(file);
  if (o.calls !== undefined) {
    if (o.invoke !== undefined) throw new UsageError("give --invoke or --calls, not both");
    const calls = parseCalls(new TextDecoder().decode(readBounded(o.calls, MAX_CALLS_BYTES, "calls file")));
    const eng = await makeEngine(cm, o, false);
    const out = calls.map((c) => resultJson(eng.invoke(c.invoke, c.args)));
    print(out, o);
    return 0;
  }
  if (o.invoke !== undefined) {
    const eng = await makeEngine(cm, o, false);
    print(resultJson(eng.invoke(o.invoke, parseArgs(o.args))), o);
    return 0;
  }
  if (o.args !== undefined) throw new UsageError("--args needs --invoke");
  const eng = await makeEngine(cm, o, true);
  print(resultJson(eng.runTask()), o);
  return 0;
}

interface StateOpts extends Omit<RunOpts, "engine" | "calls"> {
  at?: string;
  step?: string;
}

/** A step number given as a string option (validated here so that a bad one is a JSON usage error). */
function stepArg(v: string | undefined, flag: string): number {
  if (v === undefined) throw new UsageError(`${flag} <n> is required`);
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} must be a non-negative integer, got "${v}"`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} is too large: ${v}`);
  return n;
}

async function stateTarget(file: string, o: StateOpts): Promise<ProveTarget> {
  if (o.args !== undefined && o.invoke === undefined) throw new UsageError("--args needs --invoke");
  const cm = await readModule(file);
  const t: ProveTarget = { cm, opts: { input: readInput(o as RunOpts), limits: limitsOf(o as RunOpts) } };
  if (o.invoke !== undefined) t.invoke = { name: o.invoke, args: parseArgs(o.args) };
  return t;
}

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");

async function hashCommand(file: string, o: StateOpts): Promise<number> {
  const n = stepArg(o.at, "--at");
  const t = await stateTarget(file, o);
  // As stateHashAt(t, n) (src/state/prove.ts), with the interpreter warmed up first.
  print({ step: n, hash: hex(new StateCommitment(machineAt(t, n)).stateHash()) }, o as RunOpts);
  return 0;
}

async function proveCommand(file: string, o: StateOpts): Promise<number> {
  const n = stepArg(o.step, "--step");
  const t = await stateTarget(file, o);
  // As proveStep(t, n) (src/state/prove.ts): past a terminal state the step is the identity, numbered n.
  const p = { ...new Prover(machineAt(t, n)).proveNext(), step: n };
  print({ step: p.step, before: hex(p.before), after: hex(p.after), proof: hex(p.proof) }, o as RunOpts);
  return 0;
}

/** The task limit options (every command). */
function limitOptions(cmd: Command): Command {
  return cmd
    .option("--max-steps <n>", `step limit (default ${DEFAULT_LIMITS.maxSteps})`, intArg("--max-steps"))
    .option("--max-memory-pages <n>", `memory page limit (default ${DEFAULT_LIMITS.maxMemoryPages})`, intArg("--max-memory-pages"))
    .option("--max-call-depth <n>", `call depth limit (default ${DEFAULT_LIMITS.maxCallDepth})`, intArg("--max-call-depth"))
    .option("--max-value-stack <n>", `value stack limit in slots (default ${DEFAULT_LIMITS.maxValueStack})`, intArg("--max-value-stack"))
    .option("--max-output-bytes <n>", `output size limit (default ${DEFAULT_LIMITS.maxOutputBytes})`, intArg("--max-output-bytes"))
    .option("--max-table-entries <n>", `table size limit (default ${DEFAULT_LIMITS.maxTableEntries})`, intArg("--max-table-entries"));
}

/** The options `hash` and `prove` share with `run` (the machine's input, limits and invocation). */
function stateCommand(program: Command, name: string, description: string): Command {
  const cmd = program
    .command(name)
    .description(description)
    .argument("<file>", "module: .wasm binary or .wat text")
    .option("--input <file>", "task input bytes from a file")
    .option("--input-hex <hex>", "task input bytes as hex");
  return limitOptions(cmd)
    .option("--invoke <export>", "an invocation of this exported function instead of the task")
    .option("--args <list>", "arguments for --invoke, e.g. i32:1,i64:-2")
    .option("--json", "print compact JSON");
}

function print(v: unknown, o: RunOpts): void {
  process.stdout.write(JSON.stringify(v, null, o.json ? undefined : 2) + "\n");
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name("wasm-stepper")
    .description("Deterministic WebAssembly machine: run tasks step by step or natively with exact step counts")
    .exitOverride()
    // Parse errors are printed as JSON usage errors below, like every other usage error.
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} });
  let code = 0;
  const run = program
    .command("run")
    .description("run a task (export \"run\") or invoke exports, print the result")
    .argument("<file>", "module: .wasm binary or .wat text")
    .option("--input <file>", "task input bytes from a file")
    .option("--input-hex <hex>", "task input bytes as hex")
    .option("--engine <engine>", "interp | native", (v) => {
      if (v !== "interp" && v !== "native") throw new UsageError(`--engine must be interp or native, got "${v}"`);
      return v;
    }, "interp");
  limitOptions(run)
    .option("--invoke <export>", "call this exported function instead of the task entry")
    .option("--args <list>", "arguments for --invoke, e.g. i32:1,i64:-2")
    .option("--calls <calls.json>", 'JSON array of {"invoke", "args"} run in order against one instance')
    .option("--json", "print compact JSON")
    .action(async (file: string, o: RunOpts) => {
      code = await runCommand(file, o);
    });
  stateCommand(program, "hash", "the state hash at step N of the task (or of --invoke), spec/STATE.md")
    .option("--at <n>", "step number (past the end: the terminal state)")
    .action(async (file: string, o: StateOpts) => {
      code = await hashCommand(file, o);
    });
  stateCommand(program, "prove", "the one-step proof of step N (state N -> N+1) of the task (or of --invoke)")
    .option("--step <n>", "step number (past the end: the terminal state's identity step)")
    .action(async (file: string, o: StateOpts) => {
      code = await proveCommand(file, o);
    });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof StepperError) {
      const err: Record<string, unknown> = { kind: e.kind, message: e.message };
      if (e.feature !== undefined) err.feature = e.feature;
      process.stdout.write(JSON.stringify({ error: err }) + "\n");
      return 1;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === "string" && ce.code.startsWith("commander.")) {
      if (ce.code === "commander.helpDisplayed" || ce.code === "commander.version" || ce.code === "commander.help") return 0;
      const message = ((e as Error).message ?? String(e)).replace(/^error: /, "");
      process.stdout.write(JSON.stringify({ error: { kind: "usage", message } }) + "\n");
      return ce.exitCode ?? 2;
    }
    process.stdout.write(JSON.stringify({ error: { kind: "internal", message: (e as Error).message ?? String(e) } }) + "\n");
    return 1;
  }
  return code;
}

const isMain = process.argv[1] && /(?:cli\.ts|wasm-stepper(?:\.mjs)?)$/.test(process.argv[1]);
if (isMain) {
  main(process.argv).then((c) => {
    process.exitCode = c;
  });
}
