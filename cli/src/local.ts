/**
 * Processes of a local setup: a hardhat node on 127.0.0.1, the protocol deployed on it, solver
 * daemons. Every process is started detached in its own process group and stopped by its pid (the
 * group), also when the caller fails: `Processes.stopAll()` in a finally, and on exit.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const CONTRACTS = join(ROOT, "contracts");
const TSX = require.resolve("tsx");

/** The well-known keys of hardhat's default accounts (test mnemonic): for a local chain only. */
export const HARDHAT_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
] as const;

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export class Processes {
  readonly children: ChildProcess[] = [];
  private readonly onExit = () => this.killAllSync();
  /** A signal ends this process without its "exit" handlers: kill the children first. */
  private readonly onSignal = (sig: NodeJS.Signals) => {
    this.killAllSync();
    process.exit(sig === "SIGINT" ? 130 : 143);
  };

  constructor() {
    process.on("exit", this.onExit);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(sig, this.onSignal);
  }

  spawn(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string, stream: "out" | "err") => void } = {}): ChildProcess {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    this.children.push(child);
    for (const [stream, name] of [[child.stdout!, "out"], [child.stderr!, "err"]] as const) {
      let buf = "";
      stream.setEncoding("utf8");
      stream.on("data", (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          opts.onLine?.(buf.slice(0, i), name);
          buf = buf.slice(i + 1);
        }
      });
    }
    return child;
  }

  /** SIGTERM the process group of `child`, SIGKILL after `graceMs`. */
  async stop(child: ChildProcess, graceMs = 5000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = once(child, "exit");
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, graceMs);
    await exited;
    clearTimeout(t);
  }

  /** kill -9 of the process (group): what a crash looks like. */
  async crash(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  }

  async stopAll(): Promise<void> {
    for (const c of [...this.children].reverse()) await this.stop(c);
    process.off("exit", this.onExit);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(sig, this.onSignal);
  }

  private killAllSync(): void {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
        try {
          process.kill(-c.pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  }
}

async function rpcUp(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
    return r.ok;
  } catch {
    return false;
  }
}

/** Starts `hardhat node` on 127.0.0.1:port and waits until it answers. */
export async function startNode(procs: Processes, port?: number): Promise<{ url: string; child: ChildProcess }> {
  const p = port ?? (await freePort());
  const url = `http://127.0.0.1:${p}`;
  const hardhat = require.resolve("hardhat/internal/cli/cli.js", { paths: [CONTRACTS] });
  let log = "";
  const child = procs.spawn(process.execPath, [hardhat, "node", "--hostname", "127.0.0.1", "--port", String(p)], { cwd: CONTRACTS, onLine: (l) => (log += l + "\n") });
  const t0 = Date.now();
  while (!(await rpcUp(url))) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}):\n${log.slice(-2000)}`);
    if (Date.now() - t0 > 60_000) throw new Error(`hardhat node did not answer on ${url} within 60 s:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child };
}

/** Deploys the protocol with the contracts package's deploy script (`npm run deploy -w contracts -- --rpc <url>`); returns its JSON. */
export function deploy(url: string): Record<string, unknown> {
  const r = spawnSync("npm", ["run", "--silent", "deploy", "--", "--rpc", url], { cwd: CONTRACTS, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`deploy failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  const start = r.stdout.indexOf("{");
  if (start < 0) throw new Error(`deploy printed no JSON:\n${r.stdout}`);
  return JSON.parse(r.stdout.slice(start)) as Record<string, unknown>;
}

/** Starts a solver daemon process (its own pid: tsx's loader in the same process). */
export function startSolver(
  procs: Processes,
  opts: DaemonOptions,
): ChildProcess {
  return startDaemon(procs, "solver", opts);
}

export interface DaemonOptions {
  rpc: string;
  deployment: string;
  db: string;
  key: string;
  metricsPort?: number;
  config?: string;
  pollMs?: number;
  /** FAULT INJECTION (tests and demos only): the daemon's --fault-injection-unsafe value. */
  faults?: string;
  onLine?: (line: string, stream: "out" | "err") => void;
}

/** Starts a challenger daemon process (its own pid). */
export function startChallenger(procs: Processes, opts: DaemonOptions): ChildProcess {
  return startDaemon(procs, "challenger", opts);
}

function startDaemon(procs: Processes, role: "solver" | "challenger", opts: DaemonOptions): ChildProcess {
  const args = ["--import", TSX, join(ROOT, `${role}/src/main.ts`), "--rpc", opts.rpc, "--deployment", opts.deployment, "--db", opts.db, "--metrics-port", String(opts.metricsPort ?? 0), "--poll-ms", String(opts.pollMs ?? 300)];
  if (opts.config) args.push("--config", opts.config);
  if (opts.faults) args.push("--fault-injection-unsafe", opts.faults);
  return procs.spawn(process.execPath, args, { env: { ...process.env, [`VWASM_${role.toUpperCase()}_KEY`]: opts.key }, onLine: opts.onLine });
}

/** Mines a block every `ms` (a local automining chain otherwise stands still between transactions, and with it block time). */
export function blockTicker(url: string, ms = 1000): () => void {
  const t = setInterval(() => {
    void fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }) }).catch(() => undefined);
  }, ms);
  return () => clearInterval(t);
}

/**
 * Runs a script over local processes: `body` gets a process group, a fresh temporary directory
 * (its name starting with `prefix`) and a way to register the block ticker it starts. Afterwards,
 * also on failure, the ticker stops, every process started is stopped by pid and the directory is
 * removed. Exits 0, or 1 after printing `describe(error)` on stderr.
 */
export function runLocalScript(
  prefix: string,
  body: (procs: Processes, dir: string, setTicker: (stop: () => void) => void) => Promise<void>,
  describe: (e: unknown) => unknown = (e) => e,
): void {
  const main = async (): Promise<void> => {
    const procs = new Processes();
    const dir = mkdtempSync(join(tmpdir(), prefix));
    let stopTicker = () => {};
    try {
      await body(procs, dir, (stop) => (stopTicker = stop));
    } finally {
      stopTicker();
      await procs.stopAll();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(describe(e));
      process.exit(1);
    },
  );
}
