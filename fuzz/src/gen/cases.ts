/**
 * fast-check arbitraries of generated tasks, and their JSON and text forms (shared by oracles).
 */
import fc from "fast-check";
import { compileWasm, Machine, StepperError, watToWasm, type CompiledModule, type Limits } from "@vwasm/wasm-stepper";
import type { Coverage } from "../coverage.ts";
import { decodeProgram, DEFAULT_SHAPE, type ProgramCase, type ProgramShape } from "./program.ts";

/**
 * What fast-check generates and shrinks: the choice stream and the input bytes. A kept case
 * (regressions/*.json) also carries the task it decoded to (`program`), which then takes
 * precedence: the case replays the same module even after the generator changes.
 */
export interface TaskSeed {
  choices: number[];
  input: number[];
  program?: { wat: string; input: number[]; limits: Limits };
}

export function taskSeedArb(maxChoices = 2000): fc.Arbitrary<TaskSeed> {
  return fc.record({
    // unbiased: fast-check's bias towards small numbers would pick the first (simplest) option of
    // every choice; shrinking still goes towards shorter streams and smaller numbers
    choices: fc.noBias(fc.array(fc.noBias(fc.nat({ max: 0xffff })), { maxLength: maxChoices, size: "max" })),
    input: fc.array(fc.nat({ max: 255 }), { maxLength: 80 }),
  });
}

export function programOf(s: TaskSeed, shape: ProgramShape = DEFAULT_SHAPE): ProgramCase {
  if (s.program) return { wat: s.program.wat, input: Uint8Array.from(s.program.input), limits: { ...s.program.limits } };
  return decodeProgram(s.choices, Uint8Array.from(s.input), shape);
}

/** The JSON form of a task case: the stream and the task it decodes to (see TaskSeed). */
export function taskSeedToJSON(s: TaskSeed, shape: ProgramShape = DEFAULT_SHAPE): TaskSeed {
  const p = programOf(s, shape);
  return { choices: s.choices, input: s.input, program: { wat: p.wat, input: [...p.input], limits: p.limits } };
}

export interface BuiltTask extends ProgramCase {
  bytes: Uint8Array;
  cm: CompiledModule;
}

export async function buildTask(s: TaskSeed, shape: ProgramShape = DEFAULT_SHAPE): Promise<BuiltTask> {
  const p = programOf(s, shape);
  const bytes = await watToWasm(p.wat, "fuzz.wat");
  return { ...p, bytes, cm: compileWasm(bytes) };
}

export function showTask(s: TaskSeed, shape: ProgramShape = DEFAULT_SHAPE): string {
  const p = programOf(s, shape);
  return `${p.wat}\n;; input (${p.input.length} bytes): ${Buffer.from(p.input).toString("hex")}\n;; limits: ${JSON.stringify(p.limits)}`;
}

export function taskSeedFromJSON(j: unknown): TaskSeed {
  const o = j as TaskSeed;
  if (!Array.isArray(o?.choices) || !Array.isArray(o?.input)) throw new TypeError("a task case needs arrays `choices` and `input`");
  const s: TaskSeed = { choices: o.choices.map(Number), input: o.input.map(Number) };
  if (o.program !== undefined) {
    const p = o.program;
    if (typeof p.wat !== "string" || !Array.isArray(p.input) || typeof p.limits !== "object") throw new TypeError("a task case's `program` needs `wat`, `input` and `limits`");
    s.program = { wat: p.wat, input: p.input.map(Number), limits: p.limits };
  }
  return s;
}

/**
 * The task's machine at step 0, or undefined when the stepper refuses to instantiate it with a
 * typed error (a module whose memory exceeds the task's page limit, for instance: the engines
 * oracle checks that refusal); any other exception propagates as a failure.
 */
export function instantiateTask(t: BuiltTask, cov?: Coverage): Machine | undefined {
  try {
    return Machine.forTask(t.cm, { input: t.input, limits: t.limits });
  } catch (e) {
    if (!(e instanceof StepperError)) throw e;
    cov?.refused(e);
    return undefined;
  }
}
