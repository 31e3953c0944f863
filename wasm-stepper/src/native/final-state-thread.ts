/**
 * nativeFinalState off the calling thread: one worker thread, started at the first call and kept for
 * the next ones, runs the tasks one after the other. A task that ends in a trap or out of steps is
 * interpreted whole to its final state (see final-state.ts), seconds to minutes for a long task; a
 * daemon that calls this keeps its event loop, and with it its games and deadlines, while it waits.
 * The compiled module is sent by structured clone (plain data). The worker does not keep the process
 * alive when idle; a worker that dies rejects its pending calls and is replaced at the next one.
 *
 * @example
 * const thread = new FinalStateThread();
 * const f = await thread.run(cm, { input, limits }); // as nativeFinalState(cm, opts)
 * await thread.close();
 */
import { Worker } from "node:worker_threads";
import type { CompiledModule } from "../compile/types.ts";
import type { NativeFinalState } from "./final-state.ts";
import type { NativeOptions } from "./index.ts";

const BOOT = new URL("./final-state-worker-boot.mjs", import.meta.url);

interface Pending {
  resolve(v: NativeFinalState): void;
  reject(e: Error): void;
}

type Reply = { id: number; value: NativeFinalState } | { id: number; error: { name: string; message: string; stack?: string } };

export class FinalStateThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  /** nativeFinalState(cm, opts), computed in the worker thread. */
  run(cm: CompiledModule, opts: NativeOptions = {}): Promise<NativeFinalState> {
    const w = this.start();
    const id = this.next++;
    return new Promise<NativeFinalState>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, cm, opts });
    });
  }

  /** Starts the worker now (it loads the stepper), so that the first call does not wait for it. */
  warm(): void {
    this.start();
  }

  /** Calls waiting for an answer. */
  get busy(): number {
    return this.pending.size;
  }

  /** Stops the worker; pending calls are rejected. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
    this.fail(new Error("FinalStateThread closed"));
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(BOOT);
    w.on("message", (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if ("value" in m) p.resolve(m.value);
      else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name, stack: m.error.stack }));
    });
    const dead = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.fail(e);
    };
    w.on("error", dead);
    w.on("exit", (code) => dead(new Error(`the final-state worker exited (code ${code})`)));
    w.unref();
    this.worker = w;
    return w;
  }

  private fail(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
