/**
 * The compiled prover contracts (hardhat artifacts under contracts/artifacts), by name.
 * `npm run build -w contracts` (hardhat compile) produces them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Abi, Hex } from "viem";

// __filename, not __dirname: tsx defines only __filename when it loads this file from an ES module.
export const PKG_DIR = join(dirname(__filename), "..", "..");

/** The prover set, in deployment order: the four family provers, then the entry that routes to them. */
export const PROVER_CONTRACTS = [
  "OneStepProverControl",
  "OneStepProverMemory",
  "OneStepProverNumeric",
  "OneStepProverHost",
  "OneStepProofEntry",
] as const;
export type ProverContractName = (typeof PROVER_CONTRACTS)[number];

export interface Artifact {
  contractName: string;
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
}

/** EIP-170: the largest deployable runtime code. */
export const MAX_CONTRACT_SIZE = 24_576;

export function artifactPath(name: string): string {
  return join(PKG_DIR, "artifacts", "src", "osp", `${name}.sol`, `${name}.json`);
}

export function loadArtifact(name: ProverContractName): Artifact {
  const p = artifactPath(name);
  if (!existsSync(p)) throw new Error(`no artifact for ${name} at ${p}: run \`npm run build -w contracts\` first`);
  return JSON.parse(readFileSync(p, "utf8")) as Artifact;
}

/** Where each protocol contract's source lives under src/ (its artifact path follows). */
export const PROTOCOL_SOURCES = {
  ModuleRegistry: "registry/ModuleRegistry.sol",
  TaskMarket: "market/TaskMarket.sol",
  DisputeGame: "game/DisputeGame.sol",
  TaskSpecProbe: "bench/TaskSpecProbe.sol",
  ProveOneStepGasProbe: "bench/ProveOneStepGasProbe.sol",
  HookToken: "testing/Adversaries.sol",
  Actor: "testing/Adversaries.sol",
  ProveBatch: "testing/ProveBatch.sol",
} as const;
export type ProtocolContractName = keyof typeof PROTOCOL_SOURCES;

/** Any compiled contract of src/ by its source path relative to src/ and its name. */
export function loadArtifactAt(source: string, name: string): Artifact {
  const p = join(PKG_DIR, "artifacts", "src", source, `${name}.json`);
  if (!existsSync(p)) throw new Error(`no artifact for ${name} at ${p}: run \`npm run build -w contracts\` first`);
  return JSON.parse(readFileSync(p, "utf8")) as Artifact;
}

/** A protocol contract (registry, market, game, test probes). */
export function loadProtocolArtifact(name: ProtocolContractName): Artifact {
  return loadArtifactAt(PROTOCOL_SOURCES[name], name);
}

/** Runtime code size in bytes. */
export function deployedSize(a: Artifact): number {
  return (a.deployedBytecode.length - 2) / 2;
}

/**
 * The entry's ABI with every error of the prover set (the family provers revert with the same
 * ProofErrors errors; each ABI lists them all, this merge just guarantees it).
 */
export function entryAbi(): Abi {
  const abi = [...loadArtifact("OneStepProofEntry").abi];
  const seen = new Set(abi.filter((x) => x.type === "error").map((x) => (x as { name: string }).name));
  for (const n of PROVER_CONTRACTS) {
    for (const x of loadArtifact(n).abi) {
      if (x.type === "error" && !seen.has(x.name)) {
        seen.add(x.name);
        abi.push(x);
      }
    }
  }
  return abi;
}

/** The installed `@vwasm/wasm-stepper` package's folder (its spec/ and examples/ are read as files). */
export const STEPPER_DIR = join(require.resolve("@vwasm/wasm-stepper/package.json"), "..");
