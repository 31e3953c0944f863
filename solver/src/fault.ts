/**
 * FAULT INJECTION, for tests and demos only (`--fault-injection-unsafe`, off by default): a solver
 * that submits a false result and defends it in the game with a consistent false trace, so that a
 * challenger has a real lie to catch.
 *
 * - `lie-output`: the output gets one byte more ("!") at the end: the final state (its output
 *   fields) differs at the last step; status and step count are true.
 * - `lie-steps`: claims the task ended one step early: the state at steps-1 is replaced by the true
 *   final state with the step count steps-1.
 * - `diverge-at=N`: from step N on, the execution runs from a changed state (the last byte of linear
 *   memory flipped, or the first global when there is no memory): every hash from N on is of that
 *   false execution, the result included.
 * - `silent`: never answers a game (loses by timeout); combines with a lie.
 *
 * The lie is a `TraceFault` (wasm-stepper Trace): the result is the false trace's terminal state, and
 * every bisection is answered from the same trace, so the lie stays consistent to the last move.
 * A faulty solver lies once per task: it does not claim a task again after its result was rejected.
 */
import { Machine, openTrace, runNativeTask, type CompiledModule, type Limits, type Trace, type TraceFault } from "@vwasm/wasm-stepper";

export type SolverLie = { kind: "lie-output" } | { kind: "lie-steps" } | { kind: "diverge-at"; step: number };

export interface SolverFaults {
  lie?: SolverLie;
  silent: boolean;
  /** The flag's text, part of a trace's key on disk. */
  spec: string;
}

export class FaultSpecError extends Error {
  override name = "FaultSpecError";
}

/** Parses `lie-output|lie-steps|diverge-at=N[,silent]`. */
export function parseSolverFaults(spec: string | undefined): SolverFaults | undefined {
  if (!spec) return undefined;
  const out: SolverFaults = { silent: false, spec };
  for (const raw of spec.split(",")) {
    const f = raw.trim();
    let lie: SolverLie | undefined;
    if (f === "silent") out.silent = true;
    else if (f === "lie-output" || f === "lie-steps") lie = { kind: f };
    else if (/^diverge-at=\d+$/.test(f)) {
      const step = Number(f.slice("diverge-at=".length));
      if (!Number.isSafeInteger(step) || step < 1) throw new FaultSpecError(`diverge-at needs a step >= 1 (step 0 is the task's initial state, fixed on-chain), got ${f}`);
      lie = { kind: "diverge-at", step };
    } else throw new FaultSpecError(`unknown fault "${f}" (lie-output, lie-steps, diverge-at=N, silent)`);
    if (lie) {
      if (out.lie) throw new FaultSpecError("one lie at a time");
      out.lie = lie;
    }
  }
  return out;
}

/**
 * The trace fault of a lie for a task whose true run takes `trueSteps` steps. Throws FaultSpecError
 * when the lie does not fit the task (a divergence past its end, a one-step task's step count).
 */
export function traceFaultFor(lie: SolverLie, cm: CompiledModule, opts: { input: Uint8Array; limits: Partial<Limits> }, trueSteps: number): TraceFault {
  switch (lie.kind) {
    case "lie-output":
      return {
        step: trueSteps,
        apply: (m) => {
          const s = m.snapshot();
          m.restore({ ...s, output: Uint8Array.of(...s.output, 0x21) });
        },
      };
    case "lie-steps": {
      if (trueSteps < 2) throw new FaultSpecError(`lie-steps needs a task of at least 2 steps, this one takes ${trueSteps}`);
      return {
        step: trueSteps - 1,
        apply: (m) => {
          const final = Machine.forTask(cm, opts);
          final.run();
          m.restore({ ...final.snapshot(), steps: trueSteps - 1 });
        },
      };
    }
    case "diverge-at": {
      if (lie.step > trueSteps) throw new FaultSpecError(`diverge-at=${lie.step} is past the task's end (${trueSteps} steps)`);
      return {
        step: lie.step,
        apply: (m) => {
          const s = m.snapshot();
          if (s.memory.length > 0) s.memory[s.memory.length - 1]! ^= 0x5a;
          else if (s.globals.length > 0) s.globals[0]! ^= 1;
          else throw new FaultSpecError("diverge-at needs a module with a memory or a global to change");
          m.restore(s);
        },
      };
    }
  }
}

/**
 * The false result of a task under `lie`, and the false trace that defends it (saved under
 * `traceDir`, reloaded after a restart). `headerWords` are the terminal state's proof: the header
 * alone (spec/STATE.md sections 4 and 5).
 */
export async function faultySolve(
  cm: CompiledModule,
  opts: { input: Uint8Array; limits: Partial<Limits> },
  faults: SolverFaults & { lie: SolverLie },
  traceDir: string,
  key: string,
): Promise<{ trace: Trace; finalStateHash: Uint8Array; headerWords: Uint8Array; output: Uint8Array; steps: number; status: string; trap?: string; trueSteps: number }> {
  const truth = runNativeTask(cm, opts);
  const { trace } = await openTrace({ cm, opts }, traceDir, key, { workers: 0, fault: traceFaultFor(faults.lie, cm, opts, truth.steps) });
  const r = trace.result;
  return {
    trace,
    finalStateHash: await trace.hashAt(trace.steps),
    headerWords: trace.proveStep(trace.steps).proof,
    output: r.output,
    steps: r.steps,
    status: r.status,
    ...(r.trap ? { trap: r.trap } : {}),
    trueSteps: truth.steps,
  };
}
