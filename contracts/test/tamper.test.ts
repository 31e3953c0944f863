/**
 * Tampering, differentially: every word of real proofs is mutated (two bit flips per word; under
 * `npm test` a seeded sample of the words, always the version, control and first item words and
 * the last one; every truncation, an extra word, the claimed pre-state swapped) and the contract must answer exactly
 * as the TypeScript verifier does: the same custom error, or the same post-state. And a proof for
 * one step never proves a different post-state: whenever a mutated proof is accepted, its result
 * is the honest `after`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { deployOnHardhat, proveOneStep, type Deployed } from "./helpers/chain";
import { flipBit, truncateWords, words } from "./helpers/craft.mts";
import { tsVerify } from "./helpers/stepper.mts";
import { allVectors, loadVectors, type Vector } from "./helpers/vectors.mts";
import state from "@vwasm/wasm-stepper/spec/state.json";
import { sweep } from "@vwasm/wasm-stepper/testing";

let d: Deployed;
beforeAll(async () => {
  d = await deployOnHardhat();
});

const BATCH = 6;

interface Mutant {
  what: string;
  before: Hex;
  proof: Hex;
}

/** Runs mutants through both verifiers; returns disagreements and forged post-states. */
async function differential(v: Vector, mutants: Mutant[], errors: Map<string, number>): Promise<string[]> {
  const problems: string[] = [];
  for (let i = 0; i < mutants.length; i += BATCH) {
    const batch = mutants.slice(i, i + BATCH);
    const sol = await Promise.all(batch.map((m) => proveOneStep(d, m.before, m.proof)));
    batch.forEach((m, k) => {
      const ts = tsVerify(m.before, m.proof);
      const s = sol[k]!;
      if (JSON.stringify(ts) !== JSON.stringify(s)) problems.push(`${v.name}, ${m.what}: TypeScript ${JSON.stringify(ts)}, contract ${JSON.stringify(s)}`);
      if (s.ok && s.after !== v.after) problems.push(`${v.name}, ${m.what}: the mutated proof proves a different post-state ${s.after}`);
      if (!s.ok) errors.set(s.error, (errors.get(s.error) ?? 0) + 1);
    });
  }
  return problems;
}

/** Vectors to mutate: every vector but the numeric ones, and the first 4 of each numeric file. */
function targets(): Vector[] {
  const out: Vector[] = [];
  for (const [file, vs] of loadVectors()) out.push(...(file === "i32" || file === "i64" ? vs.slice(0, 4) : vs));
  return out;
}

const errors = new Map<string, number>();

/**
 * The words of a proof of `n` words to flip: all of them under `npm run test:full`
 * (VWASM_FULL=1); under `npm test` the version and control words, the last header word, the
 * first two item words, the last word and a seeded sample of 10 of the others.
 */
function flippedWords(label: string, n: number): number[] {
  const header = state.widths.headerWords;
  return sweep(0, n - 1, { size: 10, keep: [0, 1, header - 1, header, header + 1], label });
}

describe("tampering: the contract answers every mutated proof as the TypeScript verifier does", () => {
  const vs = targets();
  const chunks = 4;
  for (let c = 0; c < chunks; c++) {
    const part = vs.filter((_, i) => i % chunks === c);
    it(`test_step_everyWordFlipped_sameOutcome (part ${c + 1}/${chunks}, ${part.length} proofs)`, async () => {
      const problems: string[] = [];
      for (const v of part) {
        const mutants: Mutant[] = [];
        const n = words(v.proof);
        for (const w of flippedWords(v.name, n)) {
          mutants.push({ what: `word ${w} bit 0`, before: v.before, proof: flipBit(v.proof, w, 0) });
          const bit = 1 + ((w * 37 + n) % 255);
          mutants.push({ what: `word ${w} bit ${bit}`, before: v.before, proof: flipBit(v.proof, w, bit) });
        }
        problems.push(...(await differential(v, mutants, errors)));
      }
      expect(problems.slice(0, 20)).toEqual([]);
    });
  }

  it("test_step_everyTruncation_sameOutcome", async () => {
    const problems: string[] = [];
    // one proof per distinct shape of item list: a few of each family
    const pick = allVectors().filter((_, i) => i % 9 === 0);
    for (const v of pick) {
      const mutants: Mutant[] = [];
      for (let k = 0; k < words(v.proof); k++) mutants.push({ what: `first ${k} words`, before: v.before, proof: truncateWords(v.proof, k) });
      mutants.push({ what: "one byte short", before: v.before, proof: v.proof.slice(0, -2) as Hex });
      mutants.push({ what: "an extra word", before: v.before, proof: `${v.proof}${"00".repeat(32)}` as Hex });
      problems.push(...(await differential(v, mutants, errors)));
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it("test_step_proofOfOneStepForAnother_revertsBadHeader", async () => {
    const vs = allVectors();
    const problems: string[] = [];
    for (let i = 0; i < vs.length; i += 3) {
      const v = vs[i]!;
      const other = vs[(i + 1) % vs.length]!;
      // the claimed pre-state of another step (or this step's own post-state)
      for (const before of [other.before, v.after].filter((b) => b !== v.before)) problems.push(...(await differential(v, [{ what: `before ${before}`, before, proof: v.proof }], errors)));
    }
    expect(problems).toEqual([]);
    expect(errors.get("BadHeader") ?? 0).toBeGreaterThan(0);
  });

  it("test_step_mutationsReachTheItemErrors", () => {
    for (const e of ["BadVersion", "BadHeader", "Truncated", "TrailingData", "BadCodeProof", "BadOperandProof", "BadMerkleProof", "BadSegmentProof", "BadFrameProof"])
      expect(errors.get(e) ?? 0, e).toBeGreaterThan(0);
  });
});
