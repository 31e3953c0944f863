/**
 * An end-to-end environment: a real `hardhat node` process on a free loopback port, the protocol
 * deployed by the contracts package's deploy script, a block a second (block time moves as on a real
 * chain), solver daemons as separate processes. Everything started is stopped by pid in `close()`,
 * which the tests call in afterAll (and Processes also kills on exit).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { blockTicker, deploy, freePort, HARDHAT_KEYS, Processes, startChallenger, startNode, startSolver } from "@vwasm/cli";
import * as sdk from "@vwasm/sdk";
import { readDeployment } from "@vwasm/solver";
import { createPublicClient, createWalletClient, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export interface SolverProcess {
  child: ChildProcess;
  address: Address;
  key: Hex;
  db: string;
  metricsPort: number;
  lines: Record<string, unknown>[];
  /** Resolves at the first log line for which `fn` is true. */
  waitFor(fn: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export class Env {
  readonly procs = new Processes();
  readonly dir = mkdtempSync(join(tmpdir(), "vwasm-e2e-"));
  url!: string;
  deployment!: string;
  addresses!: sdk.ProtocolAddresses;
  pub!: PublicClient;
  poster!: WalletClient & { account: NonNullable<WalletClient["account"]> };
  private stopTicker = () => {};

  static async start(): Promise<Env> {
    const e = new Env();
    const node = await startNode(e.procs);
    e.url = node.url;
    e.deployment = join(e.dir, "deployment.json");
    writeFileSync(e.deployment, JSON.stringify(deploy(e.url)));
    e.addresses = readDeployment(e.deployment);
    e.stopTicker = blockTicker(e.url, 1000);
    const transport = sdk.transportFor(e.url);
    const chain = sdk.chainFor(await createPublicClient({ transport }).getChainId(), e.url);
    e.pub = createPublicClient({ chain, transport, pollingInterval: 200 }) as PublicClient;
    e.poster = createWalletClient({ chain, transport, account: privateKeyToAccount(HARDHAT_KEYS[0]) }) as Env["poster"];
    return e;
  }

  wallet(key: Hex): WalletClient & { account: NonNullable<WalletClient["account"]> } {
    return createWalletClient({ chain: this.pub.chain, transport: sdk.transportFor(this.url), account: privateKeyToAccount(key) }) as Env["poster"];
  }

  /** Starts a solver daemon process; `db` reuses a database (a restart). */
  async solver(keyIndex: number, opts: { db?: string; policy?: Record<string, unknown>; faults?: string } = {}): Promise<SolverProcess> {
    return this.daemon("solver", keyIndex, opts);
  }

  /** Starts a challenger daemon process; `db` reuses a database (a restart). */
  async challenger(keyIndex: number, opts: { db?: string; policy?: Record<string, unknown>; faults?: string } = {}): Promise<SolverProcess> {
    return this.daemon("challenger", keyIndex, opts);
  }

  private async daemon(role: "solver" | "challenger", keyIndex: number, opts: { db?: string; policy?: Record<string, unknown>; faults?: string }): Promise<SolverProcess> {
    const key = HARDHAT_KEYS[keyIndex]! as Hex;
    const db = opts.db ?? join(this.dir, `${role}-${keyIndex}-${Date.now()}`);
    const metricsPort = await freePort();
    let config: string | undefined;
    if (opts.policy) {
      config = join(this.dir, `${role}-${keyIndex}.json`);
      writeFileSync(config, JSON.stringify({ policy: opts.policy }));
    }
    const lines: Record<string, unknown>[] = [];
    const waiters: { fn: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
    const child = (role === "solver" ? startSolver : startChallenger)(this.procs, {
      rpc: this.url,
      deployment: this.deployment,
      db,
      key,
      metricsPort,
      config,
      pollMs: 250,
      ...(opts.faults ? { faults: opts.faults } : {}),
      onLine: (line, stream) => {
        if (stream === "err") {
          lines.push({ msg: "stderr", line });
          return;
        }
        let l: Record<string, unknown>;
        try {
          l = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        lines.push(l);
        for (const w of [...waiters]) if (w.fn(l)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(l));
      },
    });
    const waitFor = (fn: (l: Record<string, unknown>) => boolean, timeoutMs = 120_000) => {
      const seen = lines.find(fn);
      if (seen) return Promise.resolve(seen);
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${role} log line not seen within ${timeoutMs} ms; last lines:\n${lines.slice(-10).map((x) => JSON.stringify(x)).join("\n")}`)), timeoutMs);
        waiters.push({ fn, resolve: (l) => (clearTimeout(t), resolve(l)) });
      });
    };
    const s: SolverProcess = { child, address: privateKeyToAccount(key).address, key, db, metricsPort, lines, waitFor };
    await waitFor((l) => l.msg === `${role} started`, 60_000);
    return s;
  }

  async metrics(s: SolverProcess): Promise<string> {
    return (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
  }

  /** Deploys the test ERC-20 (compiled here with solc-js) with `supply` minted to the poster. */
  async deployToken(supply: bigint): Promise<Address> {
    const solc = require("solc") as { compile(input: string): string };
    const src = readFileSync(join(here, "../contracts/TestToken.sol"), "utf8");
    const out = JSON.parse(solc.compile(JSON.stringify({ language: "Solidity", sources: { "TestToken.sol": { content: src } }, settings: { evmVersion: "prague", outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } } }))) as {
      contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
      errors?: { severity: string; formattedMessage: string }[];
    };
    const errs = (out.errors ?? []).filter((e) => e.severity === "error");
    if (errs.length) throw new Error(errs.map((e) => e.formattedMessage).join("\n"));
    const c = out.contracts["TestToken.sol"]!.TestToken!;
    const hash = await this.poster.deployContract({ abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, args: [supply], chain: this.pub.chain, account: this.poster.account } as never);
    const r = await this.pub.waitForTransactionReceipt({ hash });
    return r.contractAddress!;
  }

  async close(): Promise<void> {
    this.stopTicker();
    await this.procs.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const example = (n: string): Uint8Array => new Uint8Array(readFileSync(require.resolve(`@vwasm/wasm-stepper/examples/as/${n}.wasm`)));
