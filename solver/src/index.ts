/** @vwasm/solver: the solver daemon as a library (the process entry is src/main.ts). */
export { SolverDaemon } from "./daemon.ts";
export { loadConfig, readDeployment, ConfigError, DEFAULT_POLICY, type SolverConfig, type Policy } from "./config.ts";
export { Store, type TaskRecord, type GameRecord, type TaskState } from "./store.ts";
export { Metrics } from "./metrics.ts";
export { solve, checkModule, limitsOf, TaskRejected, type Solution } from "./solve.ts";
export { ChainDaemon, KvStore, MetricsServer, TickLoop, TraceCache, loadCommonConfig, runDaemonMain, COMMON_OPTIONS, type CommonConfig } from "./kit.ts";
export { parseSolverFaults, faultySolve, traceFaultFor, FaultSpecError, type SolverFaults, type SolverLie } from "./fault.ts";
