import { bytesToHex, decodeEventLog, erc20Abi, hexToBytes, zeroAddress, type Address, type Hash, type Hex, type TransactionReceipt } from "viem";
import { getBlock, readContract } from "viem/actions";
import { taskMarketAbi } from "../abi/generated.js";
import { InvalidParameterError, type ContractRevertError } from "../errors.js";
import { MAX_INPUT_BYTES } from "../hash.js";
import { read, write, type WriteClient, type WriteOptions } from "../internal/write.js";
import type { Limits, TaskParams } from "../types.js";

export type PostTaskParameters = WriteOptions & {
  market: Address;
  moduleId: Hex;
  input: Uint8Array | Hex;
  /** Task limits; maxSteps is required, the others default to DEFAULT_TASK_LIMITS. */
  limits: Partial<Record<keyof Limits, bigint | number>> & { maxSteps: bigint | number };
  /** The reward, in wei of ETH or in units of `rewardToken`. */
  reward: bigint;
  /** An ERC-20 to pay the reward in (approved here when its allowance is short); default ETH. */
  rewardToken?: Address;
  /** The bond in ETH a solver posts to claim. */
  solverBond: bigint;
  /** Seconds a claimer has to submit (default 600). */
  solveWindow?: bigint | number;
  /** Seconds a result stays open to challenges (default 600). */
  challengeWindow?: bigint | number;
  /** Unix time after which the task can be cancelled; default: now (chain time) + `ttl`. */
  deadline?: bigint | number;
  /** Seconds from now to the deadline when `deadline` is not given (default 3600). */
  ttl?: bigint | number;
  consumer?: Address;
  consumerGas?: bigint | number;
};

export type PostTaskReturnType = {
  taskId: bigint;
  hash: Hash;
  receipt: TransactionReceipt;
  params: TaskParams;
  /** Set when an ERC-20 approval was sent first. */
  approval?: Hash;
};

export type PostTaskErrorType = ContractRevertError | InvalidParameterError;

/** Limits other than maxSteps when the poster does not set them (the stepper's defaults, bounded). */
export const DEFAULT_TASK_LIMITS = { maxMemoryPages: 1024n, maxCallDepth: 16384n, maxValueStack: 1n << 20n, maxOutputBytes: 1n << 16n, maxTableEntries: 1n << 16n } as const;

/**
 * Posts a task: module, input, limits, reward (escrowed). For an ERC-20 reward it first approves the
 * market for the reward when the allowance is short. Returns the task id.
 *
 * @example
 * const { taskId } = await postTask(wallet, { market, moduleId, input, limits: { maxSteps: 10n ** 8n }, reward: parseEther("0.01"), solverBond: parseEther("0.1") });
 */
export async function postTask(client: WriteClient, p: PostTaskParameters): Promise<PostTaskReturnType> {
  const input = typeof p.input === "string" ? hexToBytes(p.input) : p.input;
  if (input.length > MAX_INPUT_BYTES) throw new InvalidParameterError(`the input is ${input.length} bytes; a task input is at most ${MAX_INPUT_BYTES}`);
  if (p.reward < 0n || p.solverBond < 0n) throw new InvalidParameterError("reward and solverBond must be non-negative");
  const now = (await getBlock(client, { blockTag: "latest" })).timestamp;
  const params: TaskParams = {
    moduleId: p.moduleId,
    limits: {
      maxSteps: BigInt(p.limits.maxSteps),
      maxMemoryPages: BigInt(p.limits.maxMemoryPages ?? DEFAULT_TASK_LIMITS.maxMemoryPages),
      maxCallDepth: BigInt(p.limits.maxCallDepth ?? DEFAULT_TASK_LIMITS.maxCallDepth),
      maxValueStack: BigInt(p.limits.maxValueStack ?? DEFAULT_TASK_LIMITS.maxValueStack),
      maxOutputBytes: BigInt(p.limits.maxOutputBytes ?? DEFAULT_TASK_LIMITS.maxOutputBytes),
      maxTableEntries: BigInt(p.limits.maxTableEntries ?? DEFAULT_TASK_LIMITS.maxTableEntries),
    },
    rewardToken: p.rewardToken ?? zeroAddress,
    reward: p.reward,
    solverBond: p.solverBond,
    solveWindow: BigInt(p.solveWindow ?? 600),
    challengeWindow: BigInt(p.challengeWindow ?? 600),
    deadline: p.deadline !== undefined ? BigInt(p.deadline) : now + BigInt(p.ttl ?? 3600),
    consumer: p.consumer ?? zeroAddress,
    consumerGas: BigInt(p.consumerGas ?? 0),
  };
  let approval: Hash | undefined;
  if (params.rewardToken !== zeroAddress && params.reward > 0n) {
    const owner = p.account ?? client.account;
    if (!owner) throw new InvalidParameterError("postTask needs an account: create the client with one or pass `account`");
    const ownerAddress = typeof owner === "string" ? owner : owner.address;
    const allowance = await read(() => readContract(client, { address: params.rewardToken, abi: erc20Abi, functionName: "allowance", args: [ownerAddress, p.market] }), "ERC20", "allowance");
    if (allowance < params.reward) {
      approval = (await write(client, { contract: "ERC20", address: params.rewardToken, abi: erc20Abi, functionName: "approve", args: [p.market, params.reward], account: p.account })).hash;
    }
  }
  const { hash, receipt } = await write(client, {
    contract: "TaskMarket",
    address: p.market,
    abi: taskMarketAbi,
    functionName: "postTask",
    args: [params, bytesToHex(input)],
    value: params.rewardToken === zeroAddress ? params.reward : 0n,
    account: p.account,
  });
  let taskId: bigint | undefined;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== p.market.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: taskMarketAbi, data: log.data, topics: log.topics });
      if (ev.eventName === "TaskPosted") taskId = ev.args.taskId;
    } catch {
      // another event of the market
    }
  }
  if (taskId === undefined) throw new InvalidParameterError(`transaction ${hash} emitted no TaskPosted event: is ${p.market} a task market?`);
  return { taskId, hash, receipt, params, approval };
}
