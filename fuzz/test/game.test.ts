/**
 * The game oracle's liars: a consistent false trace really is one (it leaves the true trace at
 * its step and ends in a terminal state whose header is its last hash), and kept game cases must
 * name a known lie.
 */
import { describe, expect, it } from "vitest";
import { Machine, StateCommitment } from "@vwasm/wasm-stepper";
import { headerHash } from "@vwasm/wasm-stepper/state";
import { buildTask } from "../src/gen/cases.ts";
import { hex } from "../src/oracles/bytes.ts";
import { falseTrace, gameOracle, GAME_SHAPE } from "../src/oracles/game.ts";

/** A deterministic stream of choices. */
function stream(seed: number, n = 300): number[] {
  let x = seed;
  return Array.from({ length: n }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) & 0xffff);
}

describe("game oracle", () => {
  it("test_falseTrace_leavesTrueTraceAtItsStep_endsInItsHeader", async () => {
    let checked = 0;
    for (let seed = 1; checked < 8 && seed < 200; seed++) {
      const t = await buildTask({ choices: stream(seed * 7919), input: [1, 2, 3] }, GAME_SHAPE);
      let m: Machine;
      try {
        m = Machine.forTask(t.cm, { input: t.input, limits: t.limits });
      } catch {
        continue;
      }
      const sc = new StateCommitment(m);
      const truth = [hex(sc.stateHash())];
      while (m.status === "running") {
        m.step();
        truth.push(hex(sc.stateHash()));
      }
      if (truth.length < 10) continue;
      const s = 1 + (seed % (truth.length - 1));
      let k = seed;
      const f = falseTrace(t, s, (n) => (k = (k * 31 + 7) % 1_000_003) % n);
      if (!f) continue;
      expect(f.hashes.get(s), `seed ${seed}: ${f.flipped}`).not.toBe(truth[s]);
      expect(f.hashes.get(f.header.steps), `seed ${seed}`).toBe(hex(headerHash(f.header)));
      expect(f.header.status, `seed ${seed}`).not.toBe(0); // terminal
      checked++;
    }
    expect(checked).toBe(8);
  });

  it("test_fromJSON_unknownLie_typedError", () => {
    expect(() => gameOracle.fromJSON({ task: { choices: [], input: [] }, lie: "solver:bribe", at: 0, turn: 0, seed: 0 })).toThrow(/needs a lie among/);
    expect(() => gameOracle.fromJSON({ task: { choices: [], input: [] }, lie: "solver:junk", at: 1.5, turn: 0, seed: 0 })).toThrow(TypeError);
    const c = { task: { choices: [1, 2], input: [3] }, lie: "challenger:random" as const, at: 4, turn: 1, seed: 9 };
    expect(gameOracle.fromJSON(JSON.parse(JSON.stringify(gameOracle.toJSON(c))))).toMatchObject(c);
  });
});
