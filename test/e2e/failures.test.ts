// Bad tasks end in a defined state with a clear reason, and the daemon keeps serving: a malformed
// module and a registration that does not match its bytes are refused before any bond (the task
// expires and is cancelled, refunded); a task that runs out of steps finalizes as out_of_steps.
import * as sdk from "@vwasm/sdk";
import { compileWasm, moduleFields } from "@vwasm/wasm-stepper";
import { bytesToHex, keccak256, parseEther, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, example, type SolverProcess } from "../helpers/chain.ts";

let env: Env;
let solver: SolverProcess;

beforeAll(async () => {
  env = await Env.start();
  solver = await env.solver(1);
});
afterAll(async () => env?.close());

/** Registers `wasm` under the fields of `fieldsOf` with its code root replaced (a new module id). */
async function registerForged(wasm: Uint8Array, fieldsOf: Uint8Array, salt: string) {
  const fields = { ...sdk.toModuleFields(moduleFields(compileWasm(fieldsOf))), codeRoot: keccak256(toHex(salt)) };
  return sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm, fields });
}

async function postFor(moduleId: `0x${string}`, input: Uint8Array, maxSteps = 10n ** 8n, ttl = 30n) {
  return sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input, limits: { maxSteps }, reward: parseEther("0.001"), solverBond: parseEther("0.1"), challengeWindow: 2n, ttl });
}

describe("bad tasks", () => {
  it("test_e2e_malformedModule_and_mismatch_refusedThenCancelled_daemonServesNext", async () => {
    const malformed = await registerForged(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0a, 0xff, 0xff]), example("crc32"), "malformed");
    const mismatch = await registerForged(example("crc32"), example("crc32"), "mismatch");
    const a = await postFor(malformed.moduleId, new Uint8Array([1, 2, 3]));
    const b = await postFor(mismatch.moduleId, new Uint8Array([1, 2, 3]));
    const ra = await solver.waitFor((l) => l.msg === "task refused" && l.taskId === a.taskId.toString());
    const rb = await solver.waitFor((l) => l.msg === "task refused" && l.taskId === b.taskId.toString());
    expect(ra.reason).toMatch(/^ModuleInvalid: the module's bytes do not load: /);
    expect(rb.reason).toMatch(/^ModuleMismatch: the bytes published for this module do not give its registered fields \(codeRoot\)$/);
    const m = await env.metrics(solver);
    expect(m).toContain('vwasm_solver_tasks_skipped_total{reason="ModuleInvalid"} 1');
    expect(m).toContain('vwasm_solver_tasks_skipped_total{reason="ModuleMismatch"} 1');
    expect((await sdk.getTask(env.pub, { market: env.addresses.market, taskId: a.taskId })).statusName).toBe("open");

    // The daemon keeps serving: an honest task posted after them finalizes.
    const { moduleId } = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm: example("crc32") });
    const c = await postFor(moduleId, new TextEncoder().encode("still serving"));
    const rc = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: c.taskId, fromBlock: c.receipt.blockNumber, timeout: 60_000 });
    expect(rc.status).toBe("finished");

    // The refused tasks expire: waitForResult rejects with the typed error; the poster cancels, refunded.
    await expect(sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: a.taskId, timeout: 90_000 })).rejects.toBeInstanceOf(sdk.TaskExpiredError);
    for (const t of [a, b]) await sdk.cancelTask(env.poster, { market: env.addresses.market, taskId: t.taskId });
    expect((await sdk.getTask(env.pub, { market: env.addresses.market, taskId: b.taskId })).statusName).toBe("cancelled");
    await expect(sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: b.taskId })).rejects.toBeInstanceOf(sdk.TaskCancelledError);
    expect(await sdk.getWithdrawable(env.pub, { market: env.addresses.market, account: env.poster.account.address })).toBeGreaterThanOrEqual(2n * parseEther("0.001"));
  });

  it("test_e2e_wrongBytesRegistered_refused_thenPublishedBytesServe", async () => {
    const sort = example("sort");
    const fields = sdk.toModuleFields(moduleFields(compileWasm(sort)));
    const reg = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm: example("crc32"), fields });
    const input = Uint8Array.from([0xe8, 0x03, 0, 0, 5, 0, 0, 0]);
    const a = await postFor(reg.moduleId, input);
    expect((await solver.waitFor((l) => l.msg === "task refused" && l.taskId === a.taskId.toString())).reason).toMatch(/^ModuleMismatch/);
    const pub = await env.poster.writeContract({ address: env.addresses.registry, abi: sdk.moduleRegistryAbi, functionName: "publish", args: [reg.moduleId, bytesToHex(sort)], chain: env.pub.chain, account: env.poster.account });
    await env.pub.waitForTransactionReceipt({ hash: pub });
    const b = await postFor(reg.moduleId, input, 10n ** 8n, 600n);
    const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: b.taskId, fromBlock: b.receipt.blockNumber, timeout: 60_000 });
    expect(r.status).toBe("finished");
  });

  it("test_e2e_outOfSteps_finalizesAsOutOfSteps", async () => {
    const { moduleId } = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm: example("sha256") });
    const p = await postFor(moduleId, new Uint8Array(4096), 20_000n, 600n);
    const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: p.taskId, fromBlock: p.receipt.blockNumber, timeout: 60_000 });
    expect(r.status).toBe("out_of_steps");
    expect(r.steps).toBe(20_000n);
    expect(r.output).toBe(bytesToHex(new Uint8Array()));
  });
});
