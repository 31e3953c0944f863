export { program, readModule } from "./cli.ts";
export { Processes, startNode, deploy, startSolver, startChallenger, blockTicker, freePort, HARDHAT_KEYS, ROOT, CONTRACTS } from "./local.ts";
