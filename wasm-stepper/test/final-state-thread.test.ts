/**
 * FinalStateThread (src/native/final-state-thread.ts): nativeFinalState in a worker thread gives what
 * the calling thread computes, for a finished task and an out-of-steps one (interpreted to its end);
 * the calling thread's event loop runs while a long interpretation is under way; errors come back
 * with their name; a closed thread rejects nothing twice and starts again at the next call.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { compileWasm } from "../src/load.ts";
import { nativeFinalState } from "../src/native/final-state.ts";
import { FinalStateThread } from "../src/native/final-state-thread.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const cm = compileWasm(new Uint8Array(readFileSync(new URL("../examples/bench/xorshift.wasm", import.meta.url))));
const u32 = (n: number) => Uint8Array.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]);
const thread = new FinalStateThread();
afterAll(() => thread.close());

describe("FinalStateThread", () => {
  it("gives nativeFinalState's result, hash and header words, natively and interpreted", async () => {
    for (const opts of [{ input: u32(500) }, { input: u32(500), limits: { maxSteps: 3000 } }]) {
      const here = nativeFinalState(cm, opts);
      const there = await thread.run(cm, opts);
      expect(there.engine).toBe(here.engine);
      expect(there.result.status).toBe(here.result.status);
      expect(there.result.steps).toBe(here.result.steps);
      expect(hex(there.stateHash)).toBe(hex(here.stateHash));
      expect(hex(there.headerWords)).toBe(hex(here.headerWords));
    }
    expect((await thread.run(cm, { input: u32(500), limits: { maxSteps: 3000 } })).result.status).toBe("out_of_steps");
  });

  it("leaves the calling thread's event loop free during a long interpretation", async () => {
    const events: string[] = [];
    // Out of steps after 3 * 10^6 steps: interpreted whole, in the worker.
    const long = thread.run(cm, { input: u32(10_000_000), limits: { maxSteps: 3_000_000 } }).then((f) => {
      events.push(`done ${f.result.status}`);
    });
    await new Promise<void>((r) => setImmediate(r));
    events.push("event loop ran");
    await long;
    expect(events).toEqual(["event loop ran", "done out_of_steps"]);
  });

  it("rejects with the stepper's error name, and starts again after close", async () => {
    await expect(thread.run(cm, { input: u32(1), limits: { maxSteps: -1 } })).rejects.toMatchObject({ name: expect.stringMatching(/Error$/) });
    await thread.close();
    expect(thread.busy).toBe(0);
    expect((await thread.run(cm, { input: u32(10) })).result.status).toBe("finished");
  });
});
