/** @vwasm/challenger: the challenger daemon as a library (the process entry is src/main.ts). */
export { ChallengerDaemon } from "./daemon.ts";
export { loadConfig, parseChallengerFaults, ConfigError, DEFAULT_CHALLENGER_POLICY, type ChallengerConfig, type ChallengerPolicy, type ChallengerFault } from "./config.ts";
export { Store, type ClaimRecord, type GameRecord, type Verdict } from "./store.ts";
export { Metrics } from "./metrics.ts";
export { checkClaim, type ClaimCheck } from "./check.ts";
