/**
 * Reference: the stepper's incremental state hash (StateCommitment) equals the reference model's
 * (spec/STATE.md on @noble/hashes and merkletreejs, `refStateHash`) at sampled steps of
 * generated tasks: the first steps, evenly spaced steps and the terminal state.
 */
import { Machine, StateCommitment } from "@vwasm/wasm-stepper";
import { refStateHash } from "@vwasm/wasm-stepper/testing";
import { stepRecording, type Coverage } from "../coverage.ts";
import { buildTask, instantiateTask, showTask, taskSeedArb, taskSeedFromJSON, taskSeedToJSON, type TaskSeed } from "../gen/cases.ts";
import { OracleFailure, type Oracle } from "../oracle.ts";
import { hex } from "./bytes.ts";

/** Reference hashes per run: the reference rebuilds every tree, so it samples. */
const SAMPLES = 12;
const FIRST = 4;

export const referenceOracle: Oracle<TaskSeed> = {
  name: "reference",
  description: "stepper state hash (incremental commitment) vs the spec-only reference model at sampled steps",
  arbitrary: () => taskSeedArb(),
  async check(s, cov) {
    const t = await buildTask(s);
    const opts = { input: t.input, limits: t.limits };
    const probe = instantiateTask(t, cov);
    if (!probe) return 0; // refused at instantiation: nothing to hash
    const total = probe.run().steps;
    const stride = Math.max(1, Math.ceil(total / SAMPLES));
    const m = Machine.forTask(t.cm, opts);
    const sc = new StateCommitment(m);
    const check = () => {
      const a = hex(sc.stateHash());
      const b = hex(refStateHash(m));
      if (a !== b) throw new OracleFailure("reference", `step ${m.steps} (status ${m.status}, pc ${m.pc}): stepper ${a} != reference ${b}`);
    };
    check();
    stepRecording(m, cov, () => {
      if (m.steps <= FIRST || m.steps % stride === 0 || m.status !== "running") check();
    });
    return m.steps;
  },
  show: async (s) => showTask(s),
  toJSON: (s) => taskSeedToJSON(s),
  fromJSON: taskSeedFromJSON,
};
