/**
 * `client.extend(protocolActions(addresses))`: every action bound to one deployment, viem's
 * decorator style.
 *
 * @example
 * const vw = createWalletClient({ chain, transport, account }).extend(protocolActions({ registry, market, game }));
 * const { taskId } = await vw.postTask({ moduleId, input, limits: { maxSteps: 10n ** 8n }, reward, solverBond });
 * const { output } = await vw.waitForResult({ taskId });
 */
import type { Client } from "viem";
import * as A from "./actions/index.js";
import type { WriteClient } from "./internal/write.js";
import type { ProtocolAddresses } from "./types.js";

type Omit2<T, K extends PropertyKey> = Omit<T, K & keyof T>;

export function protocolActions(addresses: ProtocolAddresses) {
  const { registry, market, game } = addresses;
  return (client: Client) => {
    const c = client as WriteClient;
    return {
      registerModule: (p: Omit2<A.RegisterModuleParameters, "registry">) => A.registerModule(c, { ...p, registry }),
      getModule: (p: Omit2<A.GetModuleParameters, "registry">) => A.getModule(c, { ...p, registry }),
      getModuleCode: (p: Omit2<A.GetModuleCodeParameters, "registry">) => A.getModuleCode(c, { ...p, registry }),
      postTask: (p: Omit2<A.PostTaskParameters, "market">) => A.postTask(c, { ...p, market }),
      getTask: (p: Omit2<A.GetTaskParameters, "market">) => A.getTask(c, { ...p, market }),
      getTaskPosted: (p: Omit2<A.GetTaskPostedParameters, "market">) => A.getTaskPosted(c, { ...p, market }),
      listTasks: (p: Omit2<A.ListTasksParameters, "market"> = {}) => A.listTasks(c, { ...p, market }),
      getResult: (p: Omit2<A.GetResultParameters, "market">) => A.getResult(c, { ...p, market }),
      waitForResult: (p: Omit2<A.WaitForResultParameters, "market">) => A.waitForResult(c, { ...p, market }),
      claimTask: (p: Omit2<A.ClaimTaskParameters, "market">) => A.claimTask(c, { ...p, market }),
      submitResult: (p: Omit2<A.SubmitResultParameters, "market">) => A.submitResult(c, { ...p, market }),
      finalize: (p: Omit2<A.FinalizeParameters, "market">) => A.finalize(c, { ...p, market }),
      cancelTask: (p: Omit2<A.CancelTaskParameters, "market">) => A.cancelTask(c, { ...p, market }),
      expireClaim: (p: Omit2<A.ExpireClaimParameters, "market">) => A.expireClaim(c, { ...p, market }),
      withdraw: (p: Omit2<A.WithdrawParameters, "market"> = {}) => A.withdraw(c, { ...p, market }),
      getWithdrawable: (p: Omit2<A.GetWithdrawableParameters, "market">) => A.getWithdrawable(c, { ...p, market }),
      challenge: (p: Omit2<A.ChallengeParameters, "game">) => A.challenge(c, { ...p, game }),
      bisect: (p: Omit2<A.BisectParameters, "game">) => A.bisect(c, { ...p, game }),
      pick: (p: Omit2<A.PickParameters, "game">) => A.pick(c, { ...p, game }),
      proveStep: (p: Omit2<A.ProveStepParameters, "game">) => A.proveStep(c, { ...p, game }),
      timeout: (p: Omit2<A.TimeoutParameters, "game">) => A.timeout(c, { ...p, game }),
      closeGame: (p: Omit2<A.CloseGameParameters, "game">) => A.closeGame(c, { ...p, game }),
      getGame: (p: Omit2<A.GetGameParameters, "game">) => A.getGame(c, { ...p, game }),
      getPositions: (p: Omit2<A.GetPositionsParameters, "game">) => A.getPositions(c, { ...p, game }),
    };
  };
}
