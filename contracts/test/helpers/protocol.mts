/**
 * The protocol (registry, market, game) on hardhat's in-process network, for the tests: deployment, transactions
 * from any account with the revert's custom error name, time travel, balances, and the honest and lying parties of a
 * dispute game played on real traces (wasm-stepper's Trace).
 */
import { decodeEventLog, encodeFunctionData, type Abi, type Address, type Hex, type TransactionReceipt } from "viem";
import { Machine, StateCommitment, headerWordsOf, moduleFields, moduleId, type CompiledModule, type Limits, type Trace } from "@vwasm/wasm-stepper";
import { foldOutput, headerHash, type Header } from "@vwasm/wasm-stepper/state";
import { deployOnHardhat, errorName, walletFor, type Deployed } from "./chain.ts";
import { hex } from "./stepper.mts";
import { fieldsToAbi, limitsToAbi } from "./task.mts";
import { entryAbi, loadProtocolArtifact } from "../../scripts/lib/artifacts.ts";
import { deployProtocol, type ProtocolParams, type ProtocolDeployResult } from "../../scripts/lib/deploy.ts";

/** What scripts outside the tests (the gas bench) need beside the protocol. */
export { fieldsToAbi, hex, type Deployed };

export const ETH = "0x0000000000000000000000000000000000000000" as Address;

/** Every custom error of the system, so a revert bubbled from another contract still decodes by name. */
function withAllErrors(abi: Abi): Abi {
  const seen = new Set(abi.filter((x) => x.type === "error").map((x) => (x as { name: string }).name));
  const out = [...abi];
  for (const other of [entryAbi(), ...(["ModuleRegistry", "TaskMarket", "DisputeGame"] as const).map((n) => loadProtocolArtifact(n).abi)])
    for (const x of other)
      if (x.type === "error" && !seen.has(x.name)) {
        seen.add(x.name);
        out.push(x);
      }
  return out;
}

export const registryAbi = withAllErrors(loadProtocolArtifact("ModuleRegistry").abi);
export const marketAbi = withAllErrors(loadProtocolArtifact("TaskMarket").abi);
export const gameAbi = withAllErrors(loadProtocolArtifact("DisputeGame").abi);

export type TxResult = { ok: true; receipt: TransactionReceipt; gasUsed: bigint } | { ok: false; error: string };

export class Protocol {
  private constructor(
    readonly d: Deployed,
    readonly r: ProtocolDeployResult,
  ) {}

  static async deploy(params: Partial<ProtocolParams> = {}, d?: Deployed): Promise<Protocol> {
    const dep = d ?? (await deployOnHardhat());
    const r = await deployProtocol(dep.wallet, dep.client, params, dep.deploy);
    return new Protocol(dep, r);
  }

  get registry(): Address {
    return this.r.addresses.ModuleRegistry;
  }
  get market(): Address {
    return this.r.addresses.TaskMarket;
  }
  get game(): Address {
    return this.r.addresses.DisputeGame;
  }
  get accounts(): Address[] {
    return this.d.accounts;
  }

  /** Sends a transaction; a revert comes back as its custom error's name. */
  async send(from: Address, to: Address, abi: Abi, functionName: string, args: readonly unknown[] = [], value = 0n, gas?: bigint): Promise<TxResult> {
    const w = walletFor(this.d, from);
    try {
      const hash = await w.writeContract({ address: to, abi, functionName, args, value, gas } as never);
      const receipt = await this.d.client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") return { ok: false, error: "<reverted without data>" };
      return { ok: true, receipt, gasUsed: receipt.gasUsed };
    } catch (e) {
      return { ok: false, error: errorName(e) };
    }
  }

  /** Like send, but the transaction must succeed. */
  async must(from: Address, to: Address, abi: Abi, functionName: string, args: readonly unknown[] = [], value = 0n): Promise<TransactionReceipt> {
    const r = await this.send(from, to, abi, functionName, args, value);
    if (!r.ok) throw new Error(`${functionName} reverted: ${r.error}`);
    return r.receipt;
  }

  market_(from: Address, fn: string, args: readonly unknown[] = [], value = 0n) {
    return this.send(from, this.market, marketAbi, fn, args, value);
  }
  game_(from: Address, fn: string, args: readonly unknown[] = [], value = 0n) {
    return this.send(from, this.game, gameAbi, fn, args, value);
  }

  async read<T>(to: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
    return (await this.d.client.readContract({ address: to, abi, functionName, args })) as T;
  }
  readMarket<T>(fn: string, args: readonly unknown[] = []): Promise<T> {
    return this.read<T>(this.market, marketAbi, fn, args);
  }
  readGame<T>(fn: string, args: readonly unknown[] = []): Promise<T> {
    return this.read<T>(this.game, gameAbi, fn, args);
  }

  /** Advances the chain's clock by `seconds` and mines a block. */
  async travel(seconds: number): Promise<void> {
    await this.d.client.request({ method: "evm_increaseTime", params: [seconds] } as never);
    await this.d.client.request({ method: "evm_mine", params: [] } as never);
  }

  async now(): Promise<bigint> {
    return (await this.d.client.getBlock()).timestamp;
  }

  balance(a: Address): Promise<bigint> {
    return this.d.client.getBalance({ address: a });
  }

  /** Decoded events of the protocol in a receipt. */
  events(receipt: TransactionReceipt): { eventName: string; args: Record<string, unknown> }[] {
    const out: { eventName: string; args: Record<string, unknown> }[] = [];
    for (const log of receipt.logs)
      for (const abi of [marketAbi, gameAbi, registryAbi]) {
        try {
          const ev = decodeEventLog({ abi, data: log.data, topics: log.topics });
          out.push(ev as unknown as { eventName: string; args: Record<string, unknown> });
          break;
        } catch {
          /* not this contract's event */
        }
      }
    return out;
  }

  async register(cm: CompiledModule, wasm: Uint8Array, from = this.accounts[0]!): Promise<Hex> {
    await this.must(from, this.registry, registryAbi, "register", [fieldsToAbi(moduleFields(cm)), hex(wasm)]);
    return hex(moduleId(cm));
  }

  calldata(abi: Abi, functionName: string, args: readonly unknown[]): Hex {
    return encodeFunctionData({ abi, functionName, args } as never);
  }
}

export interface TaskOptions {
  moduleId: Hex;
  limits?: Partial<Limits>;
  rewardToken?: Address;
  reward?: bigint;
  solverBond?: bigint;
  solveWindow?: number;
  challengeWindow?: number;
  deadline?: bigint;
  consumer?: Address;
  consumerGas?: number;
}

/** The limits the tests' tasks use: the stepper's defaults, with the output capped to what the market accepts. */
export const TASK_LIMITS: Partial<Limits> = { maxOutputBytes: 1 << 16 };

/** TaskParams as the contract takes them (defaults: ETH reward 1 ether, bond 0.1 ether, windows 1 h, deadline +1 day). */
export function taskParams(o: TaskOptions, now: bigint) {
  return {
    moduleId: o.moduleId,
    limits: limitsToAbi(o.limits ?? TASK_LIMITS),
    rewardToken: o.rewardToken ?? ETH,
    reward: o.reward ?? 10n ** 18n,
    solverBond: o.solverBond ?? 10n ** 17n,
    solveWindow: BigInt(o.solveWindow ?? 3600),
    challengeWindow: BigInt(o.challengeWindow ?? 3600),
    deadline: o.deadline ?? now + 86_400n,
    consumer: o.consumer ?? ETH,
    consumerGas: BigInt(o.consumerGas ?? 0),
  };
}

/** A task's true result, and lies about it, as (finalStateHash, headerWords, output). */
export interface Result {
  finalStateHash: Hex;
  headerWords: Hex;
  output: Hex;
  steps: number;
  header: Header;
}

export function resultOf(h: Header, output: Uint8Array): Result {
  return { finalStateHash: hex(headerHash(h)), headerWords: hex(headerWordsOf(h)), output: hex(output), steps: h.steps, header: h };
}

/** The true final state of a task. */
export function trueResult(cm: CompiledModule, input: Uint8Array, limits: Partial<Limits>): Result {
  const m = Machine.forTask(cm, { input, limits });
  const out = m.run().output;
  return resultOf(new StateCommitment(m).header(), out);
}

/** A self-consistent terminal header whose output is `output` (the fields the result check reads). */
export function withOutput(h: Header, output: Uint8Array): Header {
  const f = foldOutput(output);
  return { ...h, outputAcc: f.acc, outputPartial: f.partial, outputLength: output.length };
}

/** DisputeGame.getGame's fields the tests read (enums as numbers: turn and winner 1 = solver, 2 = challenger). */
export interface GameView {
  taskId: bigint;
  lo: bigint;
  hi: bigint;
  loHash: Hex;
  hiHash: Hex;
  turn: number;
  end: number;
  winner: number;
  solver: Address;
  challenger: Address;
}

/** The interior positions of a bisection of [lo, hi] with branching k (DisputeGame.positions). */
export function positions(lo: number, hi: number, k: number): number[] {
  const span = hi - lo;
  if (span <= 1) return [];
  const seg = Math.min(span, k);
  const out: number[] = [];
  for (let j = 1; j < seg; j++) out.push(lo + Math.floor((span * j) / seg));
  return out;
}

/** What a solver claims at each position: the honest trace, or a lie. */
export type SolverView = (positions: number[]) => Promise<Hex[]>;

export function honestView(trace: Trace): SolverView {
  return async (ps) => (await trace.hashesAt(ps)).map(hex);
}

/**
 * A lying solver: honest before `from`, then hashes of nothing (a state that does not exist) up to its claimed end,
 * where it claims `finalHash`.
 */
export function lyingView(trace: Trace, from: number, claimedSteps: number, finalHash: Hex): SolverView {
  return async (ps) => {
    const honest = await trace.hashesAt(ps.map((p) => Math.min(p, from)));
    return ps.map((p, i) => {
      if (p < from) return hex(honest[i]!);
      if (p === claimedSteps) return finalHash;
      const b = new Uint8Array(32);
      new DataView(b.buffer).setUint32(28, p);
      b[0] = 0x1e;
      return hex(b);
    });
  };
}
