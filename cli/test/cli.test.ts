import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HARDHAT_KEYS, readModule } from "../src/index.ts";

const bin = join(import.meta.dirname, "../bin/vwasm.mjs");
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
const dir = mkdtempSync(join(tmpdir(), "vwasm-cli-"));

describe("vwasm", () => {
  it("test_cli_help_listsEverySubcommand", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    for (const c of ["up", "solver", "post", "show", "list", "withdraw"]) expect(r.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
    expect(run(["post", "--help"]).stdout).toContain("--wait");
  });
  it("test_cli_missingDeployment_actionableError_keyNeverPrinted", () => {
    const r = run(["withdraw", "--deployment", join(dir, "none.json")], { VWASM_KEY: HARDHAT_KEYS[3] });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`vwasm: no deployment file ${join(dir, "none.json")}: run \`vwasm up\` or pass --deployment`);
    expect(r.stderr + r.stdout).not.toContain(HARDHAT_KEYS[3].slice(2));
  });
  it("test_cli_badKey_rejectedWithoutEchoingIt", () => {
    writeFileSync(join(dir, "d.json"), JSON.stringify({ registry: "0x" + "1".repeat(40), market: "0x" + "2".repeat(40), game: "0x" + "3".repeat(40) }));
    const r = run(["withdraw", "--deployment", join(dir, "d.json"), "--key", "0xdeadbeefsecret"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the private key must be 0x followed by 64 hex digits");
    expect(r.stderr).not.toContain("deadbeefsecret");
  });
  it("test_readModule_watAndWasm_sameBytes_invalidNamed", async () => {
    const wat = join(dir, "m.wat");
    writeFileSync(wat, `(module (func (export "run")))`);
    const wasm = await readModule(wat);
    writeFileSync(join(dir, "m.wasm"), wasm);
    expect(await readModule(join(dir, "m.wasm"))).toEqual(wasm);
    writeFileSync(join(dir, "f.wat"), `(module (func (export "run") (drop (f32.const 1))))`);
    await expect(readModule(join(dir, "f.wat"))).rejects.toThrow(/float instruction 0x43 is not support/);
  });
});
