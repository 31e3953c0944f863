/**
 * fast-check arbitraries of generated tasks, and their JSON and text forms (shared by oracles).
 */
import fc from "fast-check";
import { compileWasm, Machine, StepperError, watToWasm, type CompiledModule } from "@vwasm/wasm-stepper";
import { decodeProgram, DEFAULT_SHAPE, type ProgramCase, type ProgramShape } from "./program.ts";

/** What fast-check generates and shrinks: the choice stream and the input bytes. */
export interface TaskSeed {
  choices: number[];
  input: number[];
}

export function taskSeedArb(maxChoices = 700): fc.Arbitrary<TaskSeed> {
  return fc.record({
    // unbiased: fast-check's bias towards small numbers would pick the first (simplest) option of
    // every choice; shrinking still goes towards shorter streams and smaller numbers
    choices: fc.noBias(fc.array(fc.noBias(fc.nat({ max: 0xffff })), { maxLength: maxChoices, size: "max" })),
    input: fc.array(fc.nat({ max: 255 }), { maxLength: 80 }),
  });
}

export function programOf(s: TaskSeed, shape: ProgramShape = DEFAULT_SHAPE): ProgramCase {
  return decodeProgram(s.choices, Uint8Array.from(s.input), shape);
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
  return { choices: o.choices.map(Number), input: o.input.map(Number) };
}

/**
 * The task's machine at step 0, or undefined when the stepper refuses to instantiate it with a
 * typed error (a module whose memory exceeds the task's page limit, for instance: the engines
 * oracle checks that refusal); any other exception propagates as a failure.
 */
export function instantiateTask(t: BuiltTask): Machine | undefined {
  try {
    return Machine.forTask(t.cm, { input: t.input, limits: t.limits });
  } catch (e) {
    if (e instanceof StepperError) return undefined;
    throw e;
  }
}
