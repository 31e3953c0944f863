/**
 * ModuleRegistry and TaskMarket: every wrong call reverts with its custom error (wrong phase, wrong party, early
 * or late, bad input, insufficient or wrong bond, double finalize, double withdraw), and adversarial contracts (a
 * fee-on-transfer token, a token that re-enters the market, consumers that revert, burn their gas, return huge data
 * or re-enter, a withdrawer that re-enters or refuses ETH) cannot steal, lock or double-withdraw funds nor block
 * finalization. Also the gas of registering every corpus module (printed).
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Abi, Address, Hex } from "viem";
import { compileWasm, moduleFields, moduleId, type CompiledModule } from "@vwasm/wasm-stepper";
import { CORPUS, corpusBytes } from "@vwasm/wasm-stepper/testing";
import { hex } from "./helpers/stepper.mts";
import { fieldsToAbi } from "./helpers/task.mts";
import { deployProtocolContract } from "./helpers/chain";
import { loadProtocolArtifact } from "../scripts/lib/artifacts";
import { ETH, Protocol, TASK_LIMITS, marketAbi, registryAbi, resultOf, taskParams, trueResult, withOutput, type Result, type TxResult } from "./helpers/protocol.mts";

const BOND = 10n ** 17n;
const REWARD = 10n ** 18n;
const tokenAbi = loadProtocolArtifact("HookToken").abi as Abi;
const actorAbi = [...(loadProtocolArtifact("Actor").abi as Abi), ...marketAbi.filter((x) => x.type === "error")] as Abi;
const err = (r: TxResult) => (r.ok ? "ok" : r.error);

let P: Protocol;
let cm: CompiledModule;
let wasm: Uint8Array;
let id: Hex;
let truth: Result;
const input = Uint8Array.from({ length: 40 }, (_, i) => i);
let poster: Address, solver: Address, other: Address;

beforeAll(async () => {
  P = await Protocol.deploy({ k: 4, clockSeconds: 7200, challengerBond: BOND, minSolverBond: BOND });
  [, poster, solver, other] = P.accounts as [Address, Address, Address, Address];
  wasm = new Uint8Array(readFileSync(new URL("./examples/sum-input.wasm", new URL("./", import.meta.resolve("@vwasm/wasm-stepper/package.json")))));
  cm = await compileWasm(wasm);
  id = await P.register(cm, wasm);
  truth = trueResult(cm, input, TASK_LIMITS);
});

async function post(o: Partial<Parameters<typeof taskParams>[0]> = {}, value = REWARD, inp: Uint8Array = input, from = poster): Promise<bigint> {
  const rec = await P.must(from, P.market, marketAbi, "postTask", [taskParams({ moduleId: id, ...o }, await P.now()), hex(inp)], value);
  return P.events(rec).find((e) => e.eventName === "TaskPosted")!.args.taskId as bigint;
}
const postErr = async (o: Partial<Parameters<typeof taskParams>[0]>, value = REWARD, inp: Uint8Array = input) =>
  err(await P.market_(poster, "postTask", [taskParams({ moduleId: id, ...o }, await P.now()), hex(inp)], value));
const sub = (taskId: bigint, r: Result, from = solver) => P.market_(from, "submitResult", [taskId, r.finalStateHash, r.headerWords, r.output]);

describe("ModuleRegistry", () => {
  it("test_registry_registerCorpus_storesFieldsEmitsBytes_reportsGas", async () => {
    const rows: string[] = [];
    for (const p of CORPUS) {
      const bytes = await corpusBytes(p);
      const m = await compileWasm(bytes);
      if (m.taskBootstrap < 0) continue;
      const f = fieldsToAbi(moduleFields(m));
      const r = await P.send(other, P.registry, registryAbi, "register", [f, hex(bytes)]);
      expect(r.ok, err(r)).toBe(true);
      if (!r.ok) continue;
      const mid = hex(moduleId(m));
      if (mid === id) continue; // registered in beforeAll
      const ev = P.events(r.receipt).find((e) => e.eventName === "ModuleRegistered")!;
      expect(ev.args.moduleId).toBe(mid);
      expect(ev.args.wasm).toBe(hex(bytes));
      expect(await P.read(P.registry, registryAbi, "getModule", [mid])).toEqual(f);
      expect(await P.read(P.registry, registryAbi, "moduleIdOf", [f])).toBe(mid);
      expect(await P.read(P.registry, registryAbi, "registeredAt", [mid])).toBe(r.receipt.blockNumber);
      rows.push(`register ${p.name}: ${bytes.length} bytes, gas ${r.gasUsed}`);
    }
    console.log(rows.join("\n"));
    expect(rows.length).toBeGreaterThanOrEqual(5);
  });

  it("test_registry_twice_isNoOp_andBadInputsRevert", async () => {
    const f = fieldsToAbi(moduleFields(cm));
    const r = await P.send(other, P.registry, registryAbi, "register", [f, "0x00"]);
    expect(r.ok && P.events(r.receipt).length).toBe(0);
    const g = { ...f, codeRoot: hex(new Uint8Array(32).fill(3)) };
    expect(err(await P.send(other, P.registry, registryAbi, "register", [g, "0x"]))).toBe("EmptyWasm");
    expect(err(await P.send(other, P.registry, registryAbi, "register", [g, hex(new Uint8Array(120 * 1024 + 1))]))).toBe("WasmTooLarge");
    expect(err(await P.send(other, P.registry, registryAbi, "register", [{ ...g, memoryPages: (f.moduleMaxPages as bigint) + 1n }, "0x01"]))).toBe("FieldOutOfRange");
    expect(err(await P.send(other, P.registry, registryAbi, "register", [{ ...g, nFuncs: 2n ** 53n }, "0x01"]))).toBe("FieldOutOfRange");
    await expect(P.read(P.registry, registryAbi, "getModule", [hex(new Uint8Array(32))])).rejects.toThrow(/UnknownModule/);
    // More bytes for a registered module (e.g. after a registrant published wrong ones); nothing stored changes.
    const pub = await P.send(other, P.registry, registryAbi, "publish", [id, hex(wasm)]);
    expect(pub.ok && P.events(pub.receipt).map((e) => [e.eventName, e.args.moduleId, e.args.wasm])).toEqual([["ModuleBytesPublished", id, hex(wasm)]]);
    expect(await P.read(P.registry, registryAbi, "getModule", [id])).toEqual(f);
    expect(err(await P.send(other, P.registry, registryAbi, "publish", [hex(new Uint8Array(32)), hex(wasm)]))).toBe("UnknownModule");
    expect(err(await P.send(other, P.registry, registryAbi, "publish", [id, "0x"]))).toBe("EmptyWasm");
    expect(await P.read(P.registry, registryAbi, "isRegistered", [hex(new Uint8Array(32))])).toBe(false);
  });
});

describe("TaskMarket: wrong calls revert with their errors", () => {
  it("test_market_postTask_badParams_eachError", async () => {
    expect(await postErr({}, REWARD, new Uint8Array(64 * 1024 + 1))).toBe("InputTooLarge");
    expect(await postErr({ limits: { maxOutputBytes: 65537 } })).toBe("OutputLimitTooLarge");
    expect(await postErr({ moduleId: hex(new Uint8Array(32).fill(1)) })).toBe("UnknownModule");
    expect(await postErr({ solverBond: BOND - 1n })).toBe("BondTooSmall");
    expect(await postErr({ solveWindow: 0 })).toBe("BadWindow");
    expect(await postErr({ challengeWindow: 366 * 86400 })).toBe("BadWindow");
    expect(await postErr({ deadline: 1n })).toBe("DeadlinePassed");
    expect(await postErr({ consumerGas: 1_000_001 })).toBe("ConsumerGasTooHigh");
    expect(await postErr({}, REWARD - 1n)).toBe("WrongValue");
    expect(await postErr({ rewardToken: other }, 0n)).toBe("NotAToken");
    expect(await postErr({ limits: { ...TASK_LIMITS, maxCallDepth: 2 ** 24 + 1 } })).toBe("LimitOutOfRange");
    expect(await postErr({ limits: { ...TASK_LIMITS, maxMemoryPages: 0 } })).toBe("ModuleNeedsMorePages");
    expect(await postErr({ reward: 2n ** 128n }, 2n ** 128n)).not.toBe("ok");
  });

  it("test_market_lifecycle_wrongPhaseWrongPartyEarlyLate_eachError", async () => {
    const t = await post();
    expect(err(await P.market_(solver, "claimTask", [999n], BOND))).toBe("UnknownTask");
    expect(err(await P.market_(solver, "claimTask", [t], BOND - 1n))).toBe("WrongValue");
    expect(err(await sub(t, truth))).toBe("WrongPhase");
    expect(err(await P.market_(solver, "finalize", [t]))).toBe("WrongPhase");
    expect(err(await P.market_(solver, "expireClaim", [t]))).toBe("WrongPhase");
    expect(err(await P.market_(solver, "claimTask", [t], BOND))).toBe("ok");
    expect(err(await P.market_(other, "claimTask", [t], BOND))).toBe("WrongPhase");
    expect(err(await P.market_(solver, "expireClaim", [t]))).toBe("SolveWindowOpen");
    expect(err(await sub(t, truth, other))).toBe("NotSolver");
    // Bad results: the result check's errors.
    const wrongOut = { ...truth, output: "0x01020304" as Hex };
    expect(err(await sub(t, wrongOut))).toBe("OutputMismatch");
    expect(err(await sub(t, { ...truth, finalStateHash: hex(new Uint8Array(32)) }))).toBe("ResultHashMismatch");
    expect(err(await sub(t, { ...truth, headerWords: truth.headerWords.slice(0, -64) as Hex }))).toBe("BadHeaderLength");
    const out = Buffer.from(truth.output.slice(2), "hex");
    expect(err(await sub(t, resultOf({ ...truth.header, status: 0 }, out)))).toBe("ResultNotTerminal");
    expect(err(await sub(t, resultOf({ ...truth.header, steps: 0 }, out)))).toBe("ResultAtStepZeroMismatch");
    expect(err(await sub(t, resultOf(withOutput(truth.header, Uint8Array.of(1)), out)))).toBe("OutputMismatch");
    expect(err(await sub(t, truth))).toBe("ok");
    expect(err(await sub(t, truth))).toBe("WrongPhase");
    expect(err(await P.market_(poster, "cancelTask", [t]))).toBe("BeforeDeadline");
    expect(err(await P.market_(other, "finalize", [t]))).toBe("ChallengeWindowOpen");
    await P.travel(3601);
    expect(err(await P.game_(other, "challenge", [t], BOND))).toBe("ChallengeWindowOver");
    expect(err(await P.market_(other, "finalize", [t]))).toBe("ok");
    expect(err(await P.market_(other, "finalize", [t]))).toBe("WrongPhase");
    expect(err(await P.market_(solver, "withdraw", [ETH]))).toBe("ok");
    expect(err(await P.market_(solver, "withdraw", [ETH]))).toBe("NothingToWithdraw");
    expect(err(await P.market_(other, "onGameOpened", [t, 1]))).toBe("NotGame");
    expect(err(await P.market_(other, "onChallengerWon", [t, 1, 1n, other]))).toBe("NotGame");
    expect(err(await P.market_(other, "onGameClosed", [t, 1]))).toBe("NotGame");
    expect(err(await P.market_(other, "creditFromGame", [other], 1n))).toBe("NotGame");
  });

  it("test_market_expireAndCancel_bondBurned_rewardRefunded", async () => {
    const t = await post({ deadline: (await P.now()) + 7200n });
    expect(err(await P.market_(solver, "claimTask", [t], BOND))).toBe("ok");
    await P.travel(3601);
    expect(err(await sub(t, truth))).toBe("SolveWindowOver");
    expect(err(await P.market_(other, "expireClaim", [t]))).toBe("ok");
    const task = await P.readMarket<{ status: number; attempt: number }>("getTask", [t]);
    expect([task.status, task.attempt]).toEqual([1, 1]);
    expect(err(await P.market_(other, "cancelTask", [t]))).toBe("NotPoster");
    await P.travel(3601);
    expect(err(await P.market_(other, "claimTask", [t], BOND))).toBe("DeadlinePassed");
    const before = await P.readMarket<bigint>("withdrawable", [poster, ETH]);
    expect(err(await P.market_(poster, "cancelTask", [t]))).toBe("ok");
    expect(await P.readMarket<bigint>("withdrawable", [poster, ETH])).toBe(before + REWARD);
    expect(err(await P.market_(poster, "cancelTask", [t]))).toBe("WrongPhase");
  });

  it("test_game_wrongCalls_eachError", async () => {
    const t = await post();
    expect(err(await P.game_(other, "challenge", [t], BOND))).toBe("NotChallengeable");
    expect(err(await P.game_(other, "challenge", [999n], BOND))).toBe("UnknownTask");
    await P.market_(solver, "claimTask", [t], BOND);
    expect(err(await sub(t, truth))).toBe("ok");
    expect(err(await P.game_(other, "challenge", [t], BOND - 1n))).toBe("WrongBond");
    const r = await P.game_(other, "challenge", [t], BOND);
    expect(err(r)).toBe("ok");
    const g = await P.readGame<bigint>("gameCount");
    const n = truth.steps;
    const ps = (await P.readGame<bigint[]>("positions", [0n, BigInt(n)])).length;
    const hashes = Array.from({ length: ps }, (_, i) => hex(new Uint8Array(32).fill(i + 1)));
    expect(err(await P.game_(other, "bisect", [g, hashes]))).toBe("NotSolver");
    expect(err(await P.game_(solver, "bisect", [g, hashes.slice(1)]))).toBe("WrongHashCount");
    expect(err(await P.game_(other, "pick", [g, hashes, 0n]))).toBe("NotYourTurn");
    expect(err(await P.game_(other, "proveStep", [g, "0x"]))).toBe("NotYourTurn");
    expect(err(await P.game_(other, "close", [g]))).toBe("ResultStillStands");
    expect(err(await P.game_(other, "timeout", [999n]))).toBe("UnknownGame");
    expect(err(await P.game_(solver, "bisect", [g, hashes]))).toBe("ok");
    expect(err(await P.game_(solver, "bisect", [g, hashes]))).toBe("NotYourTurn");
    expect(err(await P.game_(solver, "pick", [g, hashes, 0n]))).toBe("NotChallenger");
    expect(err(await P.game_(other, "pick", [g, hashes.slice().reverse(), 0n]))).toBe("WrongHashes");
    expect(err(await P.game_(other, "pick", [g, hashes, BigInt(ps + 1)]))).toBe("BadSegment");
    expect(err(await P.game_(other, "proveStep", [g, "0x"]))).toBe("NotAtOneStep");
    expect(err(await P.game_(other, "pick", [g, hashes, 0n]))).toBe("ok");
    expect(err(await P.game_(other, "timeout", [g]))).toBe("ClockNotRunOut");
  });

  it("test_game_resultAtStepZero_nothingToDispute", async () => {
    const limits = { ...TASK_LIMITS, maxSteps: 0 };
    const t = await post({ limits });
    const zero = trueResult(cm, input, limits);
    expect(zero.steps).toBe(0);
    await P.market_(solver, "claimTask", [t], BOND);
    expect(err(await sub(t, zero))).toBe("ok");
    expect(err(await P.game_(other, "challenge", [t], BOND))).toBe("NothingToDispute");
  });
});

describe("TaskMarket: adversarial tokens, consumers and withdrawers", () => {
  async function token(): Promise<Address> {
    const a = await deployProtocolContract(P.d, "HookToken");
    await P.must(poster, a, tokenAbi, "mint", [poster, 10n ** 24n]);
    await P.must(poster, a, tokenAbi, "approve", [P.market, 2n ** 255n]);
    return a;
  }

  it("test_adversary_feeOnTransferToken_rejected", async () => {
    const tk = await token();
    await P.must(poster, tk, tokenAbi, "setFee", [100n]);
    expect(await postErr({ rewardToken: tk }, 0n)).toBe("TransferAmountMismatch");
    await P.must(poster, tk, tokenAbi, "setFee", [0n]);
    expect(await postErr({ rewardToken: tk }, 1n)).toBe("WrongValue");
    const t = await post({ rewardToken: tk }, 0n);
    expect((await P.readMarket<{ params: { reward: bigint } }>("getTask", [t])).params.reward).toBe(REWARD);
    expect(await P.read(tk, tokenAbi, "balanceOf", [P.market])).toBe(REWARD);
  });

  it("test_adversary_reenteringToken_cannotDoubleWithdraw", async () => {
    const tk = await token();
    const actor = await deployProtocolContract(P.d, "Actor");
    // The actor posts (pays in the token), cancels after the deadline, withdraws: the token re-enters withdraw
    // on the actor's behalf in the middle of the transfer.
    await P.must(poster, tk, tokenAbi, "transfer", [actor, REWARD]);
    await P.must(poster, actor, actorAbi, "act", [tk, P.calldata(tokenAbi, "approve", [P.market, REWARD]), 0n]);
    const params = taskParams({ moduleId: id, rewardToken: tk, deadline: (await P.now()) + 100n }, await P.now());
    await P.must(poster, actor, actorAbi, "act", [P.market, P.calldata(marketAbi, "postTask", [params, hex(input)]), 0n]);
    const t = (await P.readMarket<bigint>("taskCount")) as bigint;
    await P.travel(101);
    await P.must(poster, actor, actorAbi, "act", [P.market, P.calldata(marketAbi, "cancelTask", [t]), 0n]);
    expect(await P.readMarket<bigint>("withdrawable", [actor, tk])).toBe(REWARD);
    await P.must(poster, tk, tokenAbi, "setHook", [actor, P.calldata(actorAbi, "act", [P.market, P.calldata(marketAbi, "withdraw", [tk]), 0n])]);
    await P.must(poster, actor, actorAbi, "act", [P.market, P.calldata(marketAbi, "withdraw", [tk]), 0n]);
    expect(await P.read(tk, tokenAbi, "hookCalls", [])).toBeGreaterThan(0n);
    expect(await P.read(tk, tokenAbi, "hookSuccesses", [])).toBe(0n);
    expect(await P.read(tk, tokenAbi, "balanceOf", [actor])).toBe(REWARD);
    expect(await P.read(tk, tokenAbi, "balanceOf", [P.market])).toBe(0n);
    expect(await P.readMarket<bigint>("withdrawable", [actor, tk])).toBe(0n);
  });

  it("test_adversary_consumers_revertBurnBombReenter_neverBlockFinalization", async () => {
    const modes = [
      { mode: 0, ok: true },
      { mode: 1, ok: false },
      { mode: 2, ok: false },
      { mode: 3, ok: false },
      { mode: 4, ok: true },
    ];
    for (const m of modes) {
      const actor = await deployProtocolContract(P.d, "Actor");
      const t = await post({ consumer: actor, consumerGas: 200_000 });
      await P.must(poster, actor, actorAbi, "setMode", [m.mode, P.market, P.calldata(marketAbi, "finalize", [t])]);
      await P.market_(solver, "claimTask", [t], BOND);
      expect(err(await sub(t, truth))).toBe("ok");
      await P.travel(3601);
      const r = await P.market_(other, "finalize", [t]);
      expect(err(r), `mode ${m.mode}`).toBe("ok");
      if (!r.ok) continue;
      const ev = P.events(r.receipt).find((e) => e.eventName === "TaskFinalized")!;
      expect(ev.args.callbackOk, `mode ${m.mode}`).toBe(m.ok);
      expect((await P.readMarket<{ status: number }>("getTask", [t])).status).toBe(4);
      if (m.mode === 0) expect(await P.read(actor, actorAbi, "lastTaskId", [])).toBe(t);
      if (m.mode === 4) expect(await P.read(actor, actorAbi, "reentrySuccesses", [])).toBe(0n);
    }
  });

  it("test_adversary_finalizeWithTooLittleGas_forCallback_reverts", async () => {
    const actor = await deployProtocolContract(P.d, "Actor");
    const t = await post({ consumer: actor, consumerGas: 1_000_000 });
    await P.market_(solver, "claimTask", [t], BOND);
    await sub(t, truth);
    await P.travel(3601);
    const r = await P.d.client
      .simulateContract({ address: P.market, abi: marketAbi, functionName: "finalize", args: [t], account: other, gas: 300_000n })
      .then(() => "ok")
      .catch((e: unknown) => (String(e).includes("InsufficientGasForCallback") ? "InsufficientGasForCallback" : String(e).slice(0, 200)));
    expect(r).toBe("InsufficientGasForCallback");
  });

  it("test_adversary_withdrawers_reenterOrRefuseEth_cannotDoubleWithdraw_orLoseBalance", async () => {
    const actor = await deployProtocolContract(P.d, "Actor");
    const params = taskParams({ moduleId: id, deadline: (await P.now()) + 100n }, await P.now());
    await P.must(poster, actor, actorAbi, "act", [P.market, P.calldata(marketAbi, "postTask", [params, hex(input)]), REWARD], REWARD);
    const t = (await P.readMarket<bigint>("taskCount")) as bigint;
    await P.travel(101);
    await P.must(poster, actor, actorAbi, "act", [P.market, P.calldata(marketAbi, "cancelTask", [t]), 0n]);
    const withdraw = P.calldata(marketAbi, "withdraw", [ETH]);
    // Refuses ETH: the withdrawal reverts and the balance stays.
    await P.must(poster, actor, actorAbi, "setMode", [1, P.market, withdraw]);
    expect(err(await P.send(poster, actor, actorAbi, "act", [P.market, withdraw, 0n]))).toBe("EthTransferFailed");
    expect(await P.readMarket<bigint>("withdrawable", [actor, ETH])).toBe(REWARD);
    // Re-enters withdraw from receive(): paid once.
    await P.must(poster, actor, actorAbi, "setMode", [4, P.market, withdraw]);
    const before = await P.balance(actor);
    await P.must(poster, actor, actorAbi, "act", [P.market, withdraw, 0n]);
    expect((await P.balance(actor)) - before).toBe(REWARD);
    expect(await P.read(actor, actorAbi, "reentrySuccesses", [])).toBe(0n);
    expect(await P.readMarket<bigint>("withdrawable", [actor, ETH])).toBe(0n);
  });
});
