/**
 * The README's demo (scripts/demo.mts) runs as a user runs it: a child process that proves steps
 * of a real task and adjudicates them on the embedded chain. It must exit 0 with every step
 * agreeing on-chain and off-chain.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const PKG = join(__dirname, "..");

describe("demo", () => {
  it("test_demo_adjudicatesStepsOnChain_agreesWithStepper", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(PKG, "scripts", "demo.mts"), "abc"], { cwd: PKG, encoding: "utf8", timeout: 120_000 });
    expect(r.stderr).not.toMatch(/MISMATCH/);
    expect(r.status).toBe(0);
    // sha256("abc")
    expect(r.stdout).toContain("output ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const adjudicated = r.stdout.split("\n").filter((l) => l.includes("on-chain == off-chain"));
    expect(adjudicated.length).toBeGreaterThanOrEqual(5);
    expect(r.stdout).not.toMatch(/MISMATCH/);
  });
});
