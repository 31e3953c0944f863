/**
 * The on-chain prover for other packages (the fuzzers), imported as `@vwasm/contracts/testing`:
 * deploys the prover set on hardhat's in-process network and answers proveOneStep through
 * eth_call, with the same outcome shape as the TypeScript verifier (post-state hash or the name
 * of the custom error).
 *
 * Works from vitest (any package) and from tsx scripts: it points hardhat at this package's
 * config and registers ts-node for it when no TypeScript loader is active, then compiles (a
 * no-op when hardhat's cache is fresh) before deploying.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, getAbiItem, toFunctionSelector, type AbiFunction, type Hex } from "viem";
import type { Deployed, Outcome, RequestProvider } from "./chain";

export type { Deployed, Outcome };

// __filename, not __dirname: tsx sets only __filename when an ES module imports this CommonJS file.
const PKG_DIR = join(dirname(__filename), "..", "..");

/** A prover set deployed in this process. */
export interface InProcessProver {
  deployed: Deployed;
  /** OneStepProofEntry.proveOneStep(before, proof) through eth_call. */
  proveOneStep(before: Hex, proof: Hex): Promise<Outcome>;
  /**
   * The same for many steps, `PROVE_BATCH` per eth_call through the test-only ProveBatch
   * contract (which calls OneStepProofEntry.proveOneStep for each), on an untraced in-process
   * network holding the same prover bytecode: one outcome per step, in order. A step whose call
   * failed without return data (out of gas in the batch) is asked again alone.
   */
  proveMany(steps: readonly { before: Hex; proof: Hex }[]): Promise<Outcome[]>;
  /**
   * The former way of proveMany, kept for the benchmark's comparison: `PROVE_BATCH_ABI` steps per
   * eth_call through ProveBatch.proveMany, ABI-encoded and decoded by viem, through hardhat's
   * provider wrappers. Same outcomes as proveMany.
   */
  proveManyAbi(steps: readonly { before: Hex; proof: Hex }[]): Promise<Outcome[]>;
}

/**
 * Steps per eth_call of proveMany (ProveBatch.provePacked: call data packed by hand, the answer
 * read without an ABI decoder). Measured with fuzz/bench/prover-speed.ts: per step, 64 and 256
 * steps per call were 2-3 times slower than 16 (EDR's cost per inner call grows with the batch).
 */
export const PROVE_BATCH = 16;

/** Steps per eth_call of proveManyAbi (ProveBatch.proveMany through viem's ABI coder). */
export const PROVE_BATCH_ABI = 16;

/** EDR's own provider under hardhat's wrappers: a JSON-RPC request as a string in, the response out. */
interface EdrProvider {
  handleRequest(json: string): Promise<{ data: string | object }>;
}

/** The EDR provider inside hardhat's provider wrappers (each keeps the one it wraps in `_wrapped` or `_provider`). */
function edrOf(p: unknown): EdrProvider | undefined {
  for (let i = 0; i < 8 && p; i++) {
    if (typeof (p as Partial<EdrProvider>).handleRequest === "function") return p as EdrProvider;
    const o = p as { _wrapped?: unknown; _wrappedProvider?: unknown; _provider?: unknown };
    p = o._wrapped ?? o._wrappedProvider ?? o._provider;
  }
  return undefined;
}

/** `n` as `bytes` hex digits, big-endian. */
const beHex = (n: number, bytes: number): string => n.toString(16).padStart(bytes * 2, "0");

type Hre = { run(task: string, args: object): Promise<unknown>; config: unknown; network: { provider: RequestProvider } };

/**
 * Points hardhat at this package's config (registering ts-node for it when no TypeScript loader
 * is active) and compiles (a no-op when hardhat's cache is fresh). Call it before importing
 * `@vwasm/contracts/protocol` (the protocol and dispute-game helpers, which import hardhat):
 *
 * @example
 * await prepareHardhatInProcess();
 * const { Protocol } = await import("@vwasm/contracts/protocol");
 * const P = await Protocol.deploy({}, (await deployProverInProcess()).deployed);
 */
export async function prepareHardhatInProcess(): Promise<{ hre: Hre; req: NodeJS.Require }> {
  process.env.HARDHAT_CONFIG ??= join(PKG_DIR, "hardhat.config.ts");
  const req = createRequire(join(PKG_DIR, "package.json"));
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if (!req.extensions[".ts"]) (req("ts-node") as { register(o: object): void }).register({ transpileOnly: true, project: join(PKG_DIR, "tsconfig.json") });
  const hre = req("hardhat") as Hre;
  await hre.run("compile", { quiet: true });
  return { hre, req };
}

/**
 * Deploys the prover set on a fresh in-process hardhat network. Its proveOneStep answers exactly
 * as the contracts' own test helper (`chain.ts`) does, through a raw eth_call.
 *
 * @example
 * const p = await deployProverInProcess();
 * const r = await p.proveOneStep(before, proof); // { ok: true, after } | { ok: false, error: "BadPreState" }
 */
export async function deployProverInProcess(): Promise<InProcessProver> {
  const { hre, req } = await prepareHardhatInProcess();
  // Loaded through require after HARDHAT_CONFIG is set: importing hardhat builds its environment.
  const chain = req("./test/helpers/chain.ts") as typeof import("./chain");
  const deployed = await chain.deployOnHardhat();
  const { abi, entry } = deployed;
  const provider = hre.network.provider;
  /** The outcome of a revert's data: the prover's custom error by name (remembered: the same few errors recur). */
  const revertNames = new Map<Hex, Outcome>();
  const reverted = (data: Hex): Outcome => {
    let o = revertNames.get(data);
    if (!o) {
      try {
        o = { ok: false, error: decodeErrorResult({ abi, data }).errorName };
      } catch {
        o = { ok: false, error: `<revert without custom error: ${data.slice(0, 74)}>` };
      }
      if (revertNames.size < 1024) revertNames.set(data, o);
    }
    return { ...o };
  };
  // eth_call straight on hardhat's provider: viem's readContract costs several times the call.
  const proveOneStep = async (before: Hex, proof: Hex): Promise<Outcome> => {
    const data = encodeFunctionData({ abi, functionName: "proveOneStep", args: [before, proof] });
    let ret: Hex;
    try {
      ret = (await provider.request({ method: "eth_call", params: [{ to: entry, data }, "latest"] })) as Hex;
    } catch (e) {
      const revert = (e as { data?: unknown }).data;
      if (typeof revert !== "string" || !revert.startsWith("0x")) return { ok: false, error: `<no custom error: ${(e as Error).message?.split("\n")[0]}>` };
      return reverted(revert as Hex);
    }
    return { ok: true, after: decodeFunctionResult({ abi, functionName: "proveOneStep", data: ret }) as Hex };
  };
  // proveMany runs on a second in-process EDR network built from the same hardhat config but
  // without the contracts' build infos: hardhat's own network traces every call for Solidity stack
  // traces, which costs more than the proof's execution. The same artifacts are deployed there
  // by the same deployer, and the entry's runtime code is checked to be byte for byte the same.
  const { createProvider } = req("hardhat/internal/core/providers/construction") as {
    createProvider(config: unknown, network: string, artifacts?: unknown): Promise<RequestProvider>;
  };
  const untraced = await createProvider(hre.config, "hardhat", undefined);
  const fast = await chain.deployOnHardhat(untraced);
  for (const [name, a] of Object.entries(deployed.deploy.addresses)) {
    const code = async (p: RequestProvider, at: string) => (await p.request({ method: "eth_getCode", params: [at, "latest"] })) as Hex;
    const b = (fast.deploy.addresses as Record<string, string>)[name]!;
    if ((await code(provider, a)) !== (await code(untraced, b))) throw new Error(`${name}: runtime code differs between the two in-process networks`);
  }
  const batch = await chain.deployProtocolContract(fast, "ProveBatch");
  const batchAbi = (req("./scripts/lib/artifacts.ts") as typeof import("../../scripts/lib/artifacts")).loadProtocolArtifact("ProveBatch").abi;
  const proveManyAbi = async (steps: readonly { before: Hex; proof: Hex }[]): Promise<Outcome[]> => {
    const out: Outcome[] = [];
    for (let i = 0; i < steps.length; i += PROVE_BATCH_ABI) {
      const part = steps.slice(i, i + PROVE_BATCH_ABI);
      const data = encodeFunctionData({ abi: batchAbi, functionName: "proveMany", args: [fast.entry, part.map((x) => x.before), part.map((x) => x.proof)] });
      const ret = (await untraced.request({ method: "eth_call", params: [{ to: batch, data }, "latest"] })) as Hex;
      const [ok, results] = decodeFunctionResult({ abi: batchAbi, functionName: "proveMany", data: ret }) as [boolean[], Hex[]];
      for (let j = 0; j < part.length; j++) {
        const r = results[j]!;
        if (ok[j]) out.push({ ok: true, after: r });
        else if (r === "0x") out.push(await proveOneStep(part[j]!.before, part[j]!.proof));
        else out.push(reverted(r));
      }
    }
    return out;
  };
  // proveMany: the call data of ProveBatch.provePacked concatenated by hand, sent as one JSON
  // string straight to EDR's provider (hardhat's wrappers would stringify and re-parse it), the
  // packed answer sliced by hand.
  const edr = edrOf(untraced);
  const selector = toFunctionSelector(getAbiItem({ abi: batchAbi, name: "provePacked" }) as AbiFunction).slice(2);
  const entryWord = fast.entry.slice(2).toLowerCase().padStart(64, "0");
  const ethCall = async (data: string): Promise<string> => {
    if (!edr) return (await untraced.request({ method: "eth_call", params: [{ to: batch, data }, "latest"] })) as string;
    const r = (await edr.handleRequest(`{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"${batch}","data":"${data}"},"latest"]}`)).data;
    const res = (typeof r === "string" ? JSON.parse(r) : r) as { result?: string; error?: { message?: string; data?: unknown } };
    if (typeof res.result !== "string") throw new Error(`ProveBatch.provePacked failed: ${res.error?.message ?? JSON.stringify(res.error)}`);
    return res.result;
  };
  const proveMany = async (steps: readonly { before: Hex; proof: Hex }[]): Promise<Outcome[]> => {
    const out: Outcome[] = [];
    for (let i = 0; i < steps.length; i += PROVE_BATCH) {
      const part = steps.slice(i, i + PROVE_BATCH);
      let packed = "";
      for (const x of part) packed += `${x.before.slice(2)}${beHex((x.proof.length - 2) / 2, 4)}${x.proof.slice(2)}`;
      const bytes = packed.length / 2;
      const data = `0x${selector}${entryWord}${beHex(0x40, 32)}${beHex(bytes, 32)}${packed}${"0".repeat((64 - (packed.length % 64)) % 64)}`;
      const ret = await ethCall(data);
      // abi-encoded bytes: offset word, length word, then per step a 4-byte head (top bit: accepted; rest: length) and its return data
      let at = 2 + 128;
      for (const x of part) {
        const head = Number.parseInt(ret.slice(at, at + 8), 16);
        const len = head & 0x7fffffff;
        const r = `0x${ret.slice(at + 8, at + 8 + 2 * len)}` as Hex;
        at += 8 + 2 * len;
        if (head >>> 31 && len === 32) out.push({ ok: true, after: r });
        else if (len === 0) out.push(await proveOneStep(x.before, x.proof));
        else out.push(reverted(r));
      }
    }
    return out;
  };
  return { deployed, proveOneStep, proveMany, proveManyAbi };
}
