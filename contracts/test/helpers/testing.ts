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
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, type Hex } from "viem";
import type { Deployed, Outcome } from "./chain";

export type { Deployed, Outcome };

// __filename, not __dirname: tsx sets only __filename when an ES module imports this CommonJS file.
const PKG_DIR = join(dirname(__filename), "..", "..");

/** A prover set deployed in this process. */
export interface InProcessProver {
  deployed: Deployed;
  /** OneStepProofEntry.proveOneStep(before, proof) through eth_call. */
  proveOneStep(before: Hex, proof: Hex): Promise<Outcome>;
}

type Hre = { run(task: string, args: object): Promise<unknown>; network: { provider: { request(a: { method: string; params?: unknown[] }): Promise<unknown> } } };

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
  // eth_call straight on hardhat's provider: viem's readContract costs several times the call.
  const proveOneStep = async (before: Hex, proof: Hex): Promise<Outcome> => {
    const data = encodeFunctionData({ abi, functionName: "proveOneStep", args: [before, proof] });
    let ret: Hex;
    try {
      ret = (await provider.request({ method: "eth_call", params: [{ to: entry, data }, "latest"] })) as Hex;
    } catch (e) {
      const revert = (e as { data?: unknown }).data;
      if (typeof revert !== "string" || !revert.startsWith("0x")) return { ok: false, error: `<no custom error: ${(e as Error).message?.split("\n")[0]}>` };
      try {
        return { ok: false, error: decodeErrorResult({ abi, data: revert as Hex }).errorName };
      } catch {
        return { ok: false, error: `<revert without custom error: ${revert.slice(0, 74)}>` };
      }
    }
    return { ok: true, after: decodeFunctionResult({ abi, functionName: "proveOneStep", data: ret }) as Hex };
  };
  return { deployed, proveOneStep };
}
