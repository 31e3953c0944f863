/**
 * Loader: malformed or invalid module bytes (mutations of valid generated modules) must give a
 * typed error (a StepperError subclass naming the problem) within a time bound, never an untyped
 * exception, a crash or a hang. The loader runs in a child process with a timeout. Cross-checks
 * with V8: a module the stepper accepts must be valid for V8, and bytes V8 validates must never
 * be called malformed (an overlong but valid LEB128, for instance). A mutant that still loads is
 * run on the interpreter and the native engine, which must agree.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { watToWasm } from "@vwasm/wasm-stepper";
import { wasmToText } from "@vwasm/wasm-stepper/testing";
import { type Coverage } from "../coverage.ts";
import { programOf, showTask, taskSeedArb, taskSeedFromJSON, taskSeedToJSON, type TaskSeed } from "../gen/cases.ts";
import { byteMutationArb, mutateBytes, type ByteMutation } from "../gen/malformed.ts";
import { OracleFailure, type Oracle } from "../oracle.ts";
import type { LoaderReply } from "./loader-child.ts";

/** The time bound of one load + instantiate + bounded run, in the child. */
export const LOAD_TIMEOUT_MS = 10_000;

export interface LoaderCase {
  task: TaskSeed;
  mutations: ByteMutation[];
}

class LoaderChild {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private next = 1;

  private start(): Promise<void> {
    const child = fork(fileURLToPath(new URL("./loader-child.ts", import.meta.url)), [], {
      execArgv: ["--import", "tsx"],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`loader child exited with ${code} before it was ready`)));
    });
  }

  async load(bytes: Uint8Array): Promise<LoaderReply | { crash: string } | { hang: true }> {
    this.ready ??= this.start();
    await this.ready;
    const child = this.child!;
    const id = this.next++;
    let stderr = "";
    const onErr = (d: Buffer) => (stderr += d.toString());
    child.stderr?.on("data", onErr);
    try {
      return await new Promise((resolve) => {
        const timer = setTimeout(() => {
          cleanup();
          this.stop();
          resolve({ hang: true });
        }, LOAD_TIMEOUT_MS);
        const onMsg = (r: LoaderReply) => {
          if (r.id !== id) return;
          cleanup();
          resolve(r);
        };
        const onExit = (code: number | null, signal: string | null) => {
          cleanup();
          this.child = undefined;
          this.ready = undefined;
          resolve({ crash: `exit code ${code}, signal ${signal}: ${stderr.slice(-2000)}` });
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.off("message", onMsg);
          child.off("exit", onExit);
        };
        child.on("message", onMsg);
        child.on("exit", onExit);
        child.send({ id, bytes });
      });
    } finally {
      child.stderr?.off("data", onErr);
    }
  }

  stop(): void {
    this.child?.kill("SIGKILL");
    this.child = undefined;
    this.ready = undefined;
  }
}

const child = new LoaderChild();

export async function mutatedBytes(c: LoaderCase): Promise<Uint8Array> {
  let b = await watToWasm(programOf(c.task).wat, "fuzz.wat");
  for (const mu of c.mutations) b = mutateBytes(b, mu);
  return b;
}

export const loaderOracle: Oracle<LoaderCase> = {
  name: "loader",
  description: "mutated module bytes: a typed error within the time bound, never a crash or hang; agrees with V8's validation",
  arbitrary: () => fc.record({ task: taskSeedArb(200), mutations: fc.array(byteMutationArb, { minLength: 1, maxLength: 3 }) }),
  async teardown() {
    child.stop();
  },
  async check(c, cov) {
    const bytes = await mutatedBytes(c);
    const r = await child.load(bytes);
    const what = `mutations ${JSON.stringify(c.mutations)} (${bytes.length} bytes)`;
    if ("hang" in r) throw new OracleFailure("loader", `${what}: no answer within ${LOAD_TIMEOUT_MS} ms`);
    if ("crash" in r) throw new OracleFailure("loader", `${what}: the loader process died: ${r.crash}`);
    cov.outcome(`load ${r.outcome}`);
    if (r.untyped) throw new OracleFailure("loader", `${what}: untyped exception: ${r.untyped}`);
    if (r.outcome.startsWith("ran:") && !r.v8valid) throw new OracleFailure("loader", `${what}: the stepper loaded bytes that V8 rejects as invalid`);
    if (r.engineMismatch) throw new OracleFailure("loader", `${what}: the mutant loads, and the engines disagree: ${r.engineMismatch}`);
    if (r.typed?.name === "MalformedModuleError" && r.v8valid) throw new OracleFailure("loader", `${what}: V8 validates the bytes the stepper calls malformed: ${r.typed.message}`);
    return 0;
  },
  show: async (c) => {
    const bytes = await mutatedBytes(c);
    // the mutated bytes as wabt reads them back, when it can
    const text = await wasmToText(bytes).then(
      (t) => `;; the mutated module as wabt disassembles it:\n${t}`,
      (e: Error) => `;; wabt cannot read the mutated bytes either: ${e.message.replace(/\s+/g, " ").trim().slice(0, 300)}`,
    );
    return `${showTask(c.task)}\n;; mutations ${JSON.stringify(c.mutations)}\n;; bytes ${Buffer.from(bytes).toString("hex")}\n${text}`;
  },
  toJSON: (c) => ({ ...c, task: taskSeedToJSON(c.task) }),
  fromJSON: (j) => {
    const o = j as LoaderCase;
    return { task: taskSeedFromJSON(o.task), mutations: o.mutations };
  },
};
