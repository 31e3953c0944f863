/**
 * Deployment on a real JSON-RPC node: a spawned `hardhat node` on loopback, the deploy script run
 * as a user runs it (a child process), then proofs checked through the deployed entry over HTTP.
 * Also: every contract's runtime code is under the EIP-170 limit (the node enforces it too: its
 * size limit is never lifted).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type Address, type Hex } from "viem";
import { MAX_CONTRACT_SIZE, PKG_DIR, PROVER_CONTRACTS, deployedSize, entryAbi, loadArtifact, loadProtocolArtifact } from "../scripts/lib/artifacts";
import { PROTOCOL_CONTRACTS } from "../scripts/lib/deploy";
import { vector } from "./helpers/vectors.mts";

const require = createRequire(import.meta.url);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: PKG_DIR, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (b) => (stdout += b));
    p.stderr.on("data", (b) => (stderr += b));
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let node: ChildProcess | undefined;
let rpc = "";

beforeAll(async () => {
  const port = await freePort();
  rpc = `http://127.0.0.1:${port}`;
  // Run hardhat's CLI with node directly, so that the PID we stop is the node itself.
  const cli = join(require.resolve("hardhat/package.json"), "..", "internal", "cli", "bootstrap.js");
  node = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], { cwd: PKG_DIR, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  node.stdout!.on("data", (b) => (log += b));
  node.stderr!.on("data", (b) => (log += b));
  const client = createPublicClient({ transport: http(rpc) });
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      await client.getChainId();
      break;
    } catch {
      if (Date.now() > until || node.exitCode !== null) throw new Error(`hardhat node did not start on ${rpc}:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
});

afterAll(() => {
  if (node?.pid && node.exitCode === null) process.kill(node.pid);
});

/** The JSON object the script prints last. */
function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.slice(stdout.indexOf("{\n")));
}

describe("deploy:prover on a JSON-RPC node", () => {
  it("test_contracts_underEip170Limit", () => {
    for (const n of PROVER_CONTRACTS) expect(deployedSize(loadArtifact(n)), n).toBeLessThan(MAX_CONTRACT_SIZE);
    for (const n of PROTOCOL_CONTRACTS) expect(deployedSize(loadProtocolArtifact(n)), n).toBeLessThan(MAX_CONTRACT_SIZE);
  });

  it("test_deploy_unlockedAccount_printsAddressesAndProves", async () => {
    const r = await run("npx", ["tsx", "scripts/deploy-prover.ts", "--rpc", rpc]);
    expect(r.stderr.replace(/npm warn.*\n/g, "")).toBe("");
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout) as { entry: Address; contracts: Record<string, Address>; chainId: number };
    expect(Object.keys(out.contracts).sort()).toEqual([...PROVER_CONTRACTS].sort());
    expect(out.entry).toBe(out.contracts.OneStepProofEntry);
    const client = createPublicClient({ transport: http(rpc) });
    for (const a of Object.values(out.contracts)) expect(((await client.getCode({ address: a })) ?? "0x").length).toBeGreaterThan(2);
    // a proof through the deployed entry, and a bad one decoded to its custom error
    for (const name of ["i64.store cross-leaf", "call call", "return return", "memory.copy backward chunk", "host_output_write chunk"]) {
      const v = vector(name);
      expect(await client.readContract({ address: out.entry, abi: entryAbi(), functionName: "proveOneStep", args: [v.before, v.proof] })).toBe(v.after);
    }
    const v = vector("i32.add");
    await expect(client.readContract({ address: out.entry, abi: entryAbi(), functionName: "proveOneStep", args: [v.after, v.proof] })).rejects.toThrow(/BadHeader/);
  });

  it("test_deploy_privateKey_deploysFromThatAccount", async () => {
    // hardhat node's well-known account #1 (a public test key)
    const key: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    const r = await run("npx", ["tsx", "scripts/deploy-prover.ts", "--rpc", rpc], { DEPLOYER_KEY: key });
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout) as { deployer: Address };
    expect(out.deployer.toLowerCase()).toBe("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  });

  it("test_deploy_badArguments_exitWithUsage", async () => {
    const r = await run("npx", ["tsx", "scripts/deploy-prover.ts"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--rpc <url> is required/);
    const k = await run("npx", ["tsx", "scripts/deploy-prover.ts", "--rpc", rpc, "--key", "0x1234"]);
    expect(k.code).toBe(1);
    expect(k.stderr).toMatch(/private key/);
  });

  it("test_deployProtocol_printsAddresses_contractsWiredTogether", async () => {
    const r = await run("npx", ["tsx", "scripts/deploy.ts", "--rpc", rpc, "--k", "8", "--clock", "600"]);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout) as { entry: Address; registry: Address; market: Address; game: Address; contracts: Record<string, Address>; codeSize: Record<string, number>; transactions: Record<string, Hex>; params: { k: number } };
    expect(Object.keys(out.contracts).sort()).toEqual([...PROVER_CONTRACTS, ...PROTOCOL_CONTRACTS].sort());
    expect([out.entry, out.registry, out.market, out.game]).toEqual([out.contracts.OneStepProofEntry, out.contracts.ModuleRegistry, out.contracts.TaskMarket, out.contracts.DisputeGame]);
    expect(Object.keys(out.transactions).sort()).toEqual(Object.keys(out.contracts).sort());
    expect(out.params.k).toBe(8);
    const client = createPublicClient({ transport: http(rpc) });
    const market = loadProtocolArtifact("TaskMarket").abi;
    const game = loadProtocolArtifact("DisputeGame").abi;
    const addr = async (address: Address, abi: typeof market, functionName: string) => ((await client.readContract({ address, abi, functionName })) as string).toLowerCase();
    expect(await addr(out.market, market, "game")).toBe(out.game.toLowerCase());
    expect(await addr(out.market, market, "registry")).toBe(out.registry.toLowerCase());
    expect(await addr(out.game, game, "market")).toBe(out.market.toLowerCase());
    expect(await addr(out.game, game, "entry")).toBe(out.entry.toLowerCase());
    expect(await client.readContract({ address: out.game, abi: game, functionName: "k" })).toBe(8n);
    expect(await client.readContract({ address: out.game, abi: game, functionName: "clockSeconds" })).toBe(600n);
    const bad = await run("npx", ["tsx", "scripts/deploy.ts", "--rpc", rpc, "--k", "1"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--k must be in 2..64/);
  });
});
