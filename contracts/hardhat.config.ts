/**
 * Hardhat 2 configuration for the on-chain one-step prover.
 *
 * Offline compilation: hardhat 2 downloads solc by
 * default; here the subtask that picks the compiler build returns the solc-js
 * shipped in the pinned `solc` npm package, so `hardhat compile` never touches
 * the network.
 */
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/types";
import "@nomicfoundation/hardhat-viem";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const solc = require("solc") as { version(): string };
/** "0.8.30+commit.73712a01.Emscripten.clang" -> "0.8.30" */
const SOLC_VERSION = solc.version().split("+")[0]!;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion === SOLC_VERSION) {
    return {
      compilerPath: require.resolve("solc/soljson.js"),
      isSolcJs: true,
      version: SOLC_VERSION,
      longVersion: solc.version(),
    };
  }
  return runSuper();
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      viaIR: true,
      evmVersion: "prague",
    },
  },
  paths: {
    sources: "./src",
    tests: "./test",
    cache: "./cache",
    artifacts: "./artifacts",
  },
  // The hardhat network keeps its default contract size limit (EIP-170): every contract must
  // deploy on a real chain.
};

export default config;
