/**
 * Tampered one-step proofs. A sample of real proofs (the first of every
 * (opcode, case) of the programs in test/helpers/state-programs.ts, terminal
 * self-steps included) is labelled word by word (header field, operand value,
 * hash beneath, leaf and Merkle siblings of each tree, segment record, frame
 * record field); flipping one bit of any word must make verifyStep throw the
 * ProofError that word's check raises, so a changed proof never yields the
 * true post-state (nor any other). Also truncation, trailing words, proofs
 * checked against another step's pre-state, and the semantic rejections
 * (stack underflow, no frame, out-of-range indices, unknown opcodes...) on
 * re-signed headers. Random flips with fast-check (FUZZ_RUNS, FUZZ_SEED).
 */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import stateSpec from "../spec/state.json" with { type: "json" };
import { encodeHeader, H, headerHash, HEADER_WORDS, word, type Header } from "../src/state/header.ts";
import type { ProofErrorCode } from "../src/state/errors.ts";
import { ProofReader, verifyStep } from "../src/state/verify.ts";
import * as Op from "../src/ir/opcodes.ts";
import {
  classifyStep,
  compileWat,
  describeLabel,
  expectedFlipError,
  flipBit,
  HEADER_FIELDS,
  hex,
  isNumericWord,
  labelProof,
  lockstepRun,
  sameBytes,
  verifyOutcome,
  WORD,
  wordsOf,
  type StepInfo,
  type WordLabel,
} from "./helpers/state.ts";
import { NUMERIC_PROGRAM, STATE_PROGRAMS } from "./helpers/state-programs.ts";
import { FULL_SWEEPS } from "./helpers/sample.ts";

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const fcParams = { numRuns: FUZZ_RUNS, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) };

/**
 * The code a flip of `bit` in a word labelled `l` must raise. A number inside a
 * frame or segment record that no longer fits fails that record's own check,
 * as it would on-chain where the raw word is hashed.
 */
function flipCode(l: WordLabel, bit: number): ProofErrorCode {
  return expectedFlipError(l);
}

interface Sample {
  key: string;
  step: StepInfo;
  labels: WordLabel[];
}

const samples: Sample[] = [];
/** Consecutive proofs of one run (for cross-step checks). */
let chain: StepInfo[] = [];

beforeAll(async () => {
  const seen = new Set<string>();
  for (const p of [...STATE_PROGRAMS, NUMERIC_PROGRAM]) {
    const cm = await compileWat(p.wat, `${p.name}.wat`);
    for (const run of p.runs) {
      const { results } = lockstepRun(cm, run, `${p.name}: ${run.label}`, {
        keep: (s) => {
          const key = `${s.op} ${classifyStep(s)}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        },
      });
      for (const r of results) for (const s of r.kept) samples.push({ key: `${s.op} ${classifyStep(s)}`, step: s, labels: labelProof(s.proof.proof).labels });
      if (p.name === "control" && chain.length === 0) {
        const again = lockstepRun(cm, { ...run, calls: run.calls!.slice(0, 2) }, "chain", { keep: () => true });
        chain = again.results.flatMap((r) => r.kept);
      }
    }
  }
}, 60_000);

/**
 * The bits flipped in word `w`: 11 bits (the ends of each byte and limb boundary the checks
 * care about: 0, 7, 8, 31, 52, 53, 63, 64, 128, 255 and one that moves with w) under
 * `npm run test:full`; under `npm test` 0, 63, 64, 255, the one that moves with w and one
 * of the others drawn by w.
 */
function flippedBits(w: number): Set<number> {
  const moving = (w * 37 + 5) % 256;
  if (FULL_SWEEPS) return new Set([0, 7, 8, 31, moving, 52, 53, 63, 64, 128, 255]);
  const others = [7, 8, 31, 52, 53, 128];
  return new Set([0, 63, 64, 255, moving, others[w % others.length]!]);
}

describe("single-bit flips in every word of sampled proofs", () => {
  it("the sample covers every opcode family and every item kind", () => {
    expect(samples.length).toBeGreaterThan(150);
    const kinds = new Set<string>();
    for (const s of samples) {
      for (const l of s.labels) {
        if (l.kind === "sibling") kinds.add(`${l.tree}.sibling`);
        else if (l.kind === "leaf") kinds.add(`${l.tree}.leaf`);
        else if (l.kind === "header") kinds.add(`header.${l.field}`);
        else kinds.add(describeLabel(l).replace(/^pop\d+/, "pop"));
      }
    }
    const want = [
      "version",
      ...HEADER_FIELDS.filter((f) => f !== "version").map((f) => `header.${f}`),
      "pop.value",
      "pop.beneath",
      ...["code", "locals", "globals", "memory", "table", "funcs", "data", "elem", "dataLeaf", "elemLeaf", "input"].flatMap((t) => [`${t}.leaf`, `${t}.sibling`]),
      "data.root",
      "data.len",
      "elem.root",
      "elem.len",
      ...["prev", "returnPc", "callerFp", "callerNlocals", "callerLocalsRoot", "callerTop", "callerOperands"].map((f) => `frame.${f}`),
    ];
    expect(want.filter((k) => !kinds.has(k))).toEqual([]);
    // Merkle siblings at several levels: the memory tree (depth >= 11) and the input tree (its depth follows the input's length).
    const levels = new Set(samples.flatMap((s) => s.labels.filter((l) => l.kind === "sibling" && l.tree === "memory").map((l) => (l as { level: number }).level)));
    expect([0, 1, 5, 10].filter((k) => !levels.has(k))).toEqual([]);
    const inputLevels = new Set(samples.flatMap((s) => s.labels.filter((l) => l.kind === "sibling" && l.tree === "input").map((l) => (l as { level: number }).level)));
    expect(inputLevels.size).toBeGreaterThanOrEqual(2);
    // terminal self-steps (header-only proofs) are in the sample
    expect(samples.filter((s) => s.key.includes("terminal:")).length).toBeGreaterThanOrEqual(3);
  });

  it("are rejected with the error code of the word's check (never the true after, nor any after)", () => {
    let flips = 0;
    const wrong: string[] = [];
    for (const s of samples) {
      const { before, proof } = s.step.proof;
      s.labels.forEach((l, w) => {
        for (const bit of flippedBits(w)) {
          flips++;
          const o = verifyOutcome(before, flipBit(proof, w, bit));
          const want = flipCode(l, bit);
          const got = "code" in o ? o.code : sameBytes(o.after, s.step.proof.after) ? "the TRUE after" : `a different after ${hex(o.after)}`;
          if (got !== want && wrong.length < 20) wrong.push(`${s.key} (step ${s.step.step}) word ${w} ${describeLabel(l)} bit ${bit}: expected ${want}, got ${got}`);
        }
      });
    }
    expect(wrong).toEqual([]);
    expect(flips).toBeGreaterThan(FULL_SWEEPS ? 30_000 : 15_000);
  });

  it("the version word: any other version is BadVersion", () => {
    const s = samples[0]!;
    for (const v of [0n, 1n, 3n, 1n << 255n]) {
      const p = s.step.proof.proof.slice();
      p.set(word(v), 0);
      const o = verifyOutcome(s.step.proof.before, p);
      expect("code" in o && o.code).toBe("BadVersion");
    }
  });

  it("fast-check: random bit flips in random words of random proofs", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (i, j, bit) => {
        const s = samples[i % samples.length]!;
        const w = j % s.labels.length;
        const o = verifyOutcome(s.step.proof.before, flipBit(s.step.proof.proof, w, bit));
        expect("code" in o ? o.code : `an after (${describeLabel(s.labels[w]!)})`, `${s.key} word ${w} ${describeLabel(s.labels[w]!)} bit ${bit}`).toBe(flipCode(s.labels[w]!, bit));
      }),
      fcParams,
    );
  });

  it("fast-check: several flips at once are rejected (some ProofError)", () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 2, maxLength: 4 }), (i, flips) => {
        const s = samples[i % samples.length]!;
        let p = s.step.proof.proof;
        const done = new Set<string>();
        for (const [j, bit] of flips) {
          const key = `${j % s.labels.length}:${bit}`;
          if (done.has(key)) continue; // flipping twice restores the bit
          done.add(key);
          p = flipBit(p, j % s.labels.length, bit);
        }
        const o = verifyOutcome(s.step.proof.before, p);
        expect("code" in o, s.key).toBe(true);
      }),
      fcParams,
    );
  });
});

describe("truncated proofs, trailing words, wrong pre-states", () => {
  it("every truncation is Truncated (at word boundaries and inside a word)", () => {
    let n = 0;
    for (const s of samples) {
      const { before, proof } = s.step.proof;
      const cuts = new Set<number>([0, 1, 31, 32, HEADER_WORDS * WORD - 1, proof.length - 1, proof.length - 31]);
      for (let w = 0; w < wordsOf(proof); w += s.key.includes("terminal:") ? 1 : 3) cuts.add(w * WORD);
      for (const c of cuts) {
        if (c < 0 || c >= proof.length) continue;
        const o = verifyOutcome(before, proof.subarray(0, c));
        expect("code" in o && o.code, `${s.key}: ${c} of ${proof.length} bytes`).toBe("Truncated");
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
  });

  it("trailing words and bytes are rejected (TrailingData, Truncated)", () => {
    for (const s of samples) {
      const { before, proof } = s.step.proof;
      const plus = (extra: Uint8Array) => {
        const p = new Uint8Array(proof.length + extra.length);
        p.set(proof);
        p.set(extra, proof.length);
        return verifyOutcome(before, p);
      };
      const zero = plus(new Uint8Array(32));
      expect("code" in zero && zero.code, `${s.key}: + a zero word`).toBe("TrailingData");
      const copy = plus(proof.subarray(proof.length - 64));
      expect("code" in copy && copy.code, `${s.key}: + its last two words again`).toBe("TrailingData");
      const byte = plus(new Uint8Array(1));
      expect("code" in byte && byte.code, `${s.key}: + one byte`).toBe("Truncated");
    }
  });

  it("a proof for step n never verifies against another step's before (BadHeader)", () => {
    expect(chain.length).toBeGreaterThan(30);
    for (let n = 0; n < chain.length; n++) {
      const { proof, before } = chain[n]!.proof;
      for (const m of [n - 1, n + 1, n + 5, 0, chain.length - 1]) {
        if (m < 0 || m >= chain.length || m === n) continue;
        const other = chain[m]!.proof.before;
        if (sameBytes(other, before)) continue; // the same state (a terminal state stepping to itself)
        const o = verifyOutcome(other, proof);
        expect("code" in o && o.code, `proof of step ${chain[n]!.step} vs before of step ${chain[m]!.step}`).toBe("BadHeader");
      }
      // nor against its own after
      if (!sameBytes(chain[n]!.proof.after, before)) expect(() => verifyStep(chain[n]!.proof.after, proof)).toThrow(/BadHeader/);
    }
  });
});

// ---------------------------------------------------------------- semantic rejections on re-signed headers

/** Parses a proof's header, changes it, and re-encodes it: a consistent (before, proof) pair for a state the machine never had. */
function resign(proof: Uint8Array, mutate: (h: Header) => void, body?: Uint8Array[]): { before: Uint8Array; proof: Uint8Array } {
  const h = new ProofReader(proof).header();
  mutate(h);
  const words = [...encodeHeader(h), ...(body ?? [])];
  const rest = body ? new Uint8Array(0) : proof.subarray(HEADER_WORDS * WORD);
  const out = new Uint8Array(words.length * WORD + rest.length);
  words.forEach((w, i) => out.set(w, i * WORD));
  out.set(rest, words.length * WORD);
  return { before: headerHash(h), proof: out };
}

function instr(op: number, a = 0, b = 0, c = 0): Uint8Array {
  const w = new Uint8Array(32);
  const dv = new DataView(w.buffer);
  [op, a, b, c].forEach((x, k) => dv.setUint32(4 * k, x >>> 0));
  return w;
}

function sampleOf(key: string): Sample {
  const s = samples.find((x) => x.key === key);
  if (!s) throw new Error(`no sample "${key}"`);
  return s;
}

function codeOf(before: Uint8Array, proof: Uint8Array): string {
  const o = verifyOutcome(before, proof);
  return "code" in o ? o.code : `after ${hex(o.after)}`;
}

/** The immediate `a` of a sample's instruction (from the instruction word after the header). */
function immA(s: Sample): number {
  return new DataView(s.step.proof.proof.buffer, s.step.proof.proof.byteOffset + HEADER_WORDS * WORD).getUint32(4);
}

describe("semantic rejections (re-signed headers)", () => {
  it("re-signing an unchanged header reproduces the proof's after", () => {
    for (const s of samples.slice(0, 40)) {
      const r = resign(s.step.proof.proof, () => {});
      expect(hex(r.before)).toBe(hex(s.step.proof.before));
      expect(hex(verifyStep(r.before, r.proof))).toBe(hex(s.step.proof.after));
    }
  });

  it("StackUnderflow: a pop from an empty operand stack", () => {
    const s = sampleOf("i32.add next");
    const r = resign(s.step.proof.proof, (h) => {
      h.sp = h.fp + h.nlocals;
    });
    expect(codeOf(r.before, r.proof)).toBe("StackUnderflow");
  });

  it("NoFrame: a return from the bottom frame", () => {
    const s = sampleOf("return return");
    const r = resign(s.step.proof.proof, (h) => {
      h.depth = 0;
    });
    expect(codeOf(r.before, r.proof)).toBe("NoFrame");
  });

  it("InstructionOutOfRange: pc at or past the code length", () => {
    for (const key of ["i32.add next", "call call", "local.get next"]) {
      const s = sampleOf(key);
      for (const pc of [new ProofReader(s.step.proof.proof).header().codeLength, 0xffffffff]) {
        const r = resign(s.step.proof.proof, (h) => {
          h.pc = pc;
        });
        expect(codeOf(r.before, r.proof), `${key} pc ${pc}`).toBe("InstructionOutOfRange");
      }
    }
  });

  it("LocalOutOfRange, GlobalOutOfRange, FunctionOutOfRange", () => {
    const lg = sampleOf("local.get next");
    const r1 = resign(lg.step.proof.proof, (h) => {
      h.nlocals = immA(lg);
    });
    expect(codeOf(r1.before, r1.proof)).toBe("LocalOutOfRange");
    const gg = sampleOf("global.get next");
    const r2 = resign(gg.step.proof.proof, (h) => {
      h.nGlobals = immA(gg);
    });
    expect(codeOf(r2.before, r2.proof)).toBe("GlobalOutOfRange");
    const c = sampleOf("call call");
    const r3 = resign(c.step.proof.proof, (h) => {
      h.nFuncs = immA(c);
    });
    expect(codeOf(r3.before, r3.proof)).toBe("FunctionOutOfRange");
  });

  it("UnknownOpcode, also for a br_table_entry executed on its own", () => {
    const base = sampleOf("i32.add next").step.proof.proof;
    for (const op of [200, Op.OPCODE_COUNT, Op.BR_TABLE_ENTRY, 0xffffffff]) {
      const leaf = instr(op, 1, 2, 3);
      const r = resign(
        base,
        (h) => {
          h.codeRoot = leaf;
          h.codeLength = 1;
          h.pc = 0;
        },
        [leaf],
      );
      expect(codeOf(r.before, r.proof), `opcode ${op}`).toBe("UnknownOpcode");
    }
  });

  it("BadInstruction: a br_table whose entry is not a br_table_entry", () => {
    const base = sampleOf("i32.add next").step.proof.proof;
    const l0 = instr(Op.BR_TABLE, 0);
    const l1 = instr(Op.I32_CONST, 5);
    const r = resign(
      base,
      (h) => {
        h.codeRoot = H(l0, l1);
        h.codeLength = 2;
        h.pc = 0;
        h.sp = h.fp + h.nlocals + 1;
        h.top = 0n;
      },
      [l0, l1, l1, l0],
    );
    expect(codeOf(r.before, r.proof)).toBe("BadInstruction");
    // the same layout with a real entry is accepted (the construction itself is sound)
    const e = instr(Op.BR_TABLE_ENTRY, 1, 0, 0);
    const ok = resign(
      base,
      (h) => {
        h.codeRoot = H(l0, e);
        h.codeLength = 2;
        h.pc = 0;
        h.sp = h.fp + h.nlocals + 1;
        h.top = 0n;
      },
      [l0, e, e, l0],
    );
    expect(codeOf(ok.before, ok.proof)).toMatch(/^after 0x/);
  });

  it("HostFunctionCalled: a call of a function whose entry is the host marker", () => {
    const base = sampleOf("i32.add next").step.proof.proof;
    const code = instr(Op.CALL, 0);
    const fn = new Uint8Array(32);
    new DataView(fn.buffer).setUint32(0, stateSpec.widths.hostEntry);
    const r = resign(
      base,
      (h) => {
        h.codeRoot = code;
        h.codeLength = 1;
        h.pc = 0;
        h.funcsRoot = fn;
        h.nFuncs = 1;
      },
      [code, fn],
    );
    expect(codeOf(r.before, r.proof)).toBe("HostFunctionCalled");
  });

  it("BadHeader: nonzero control padding and a top wider than 64 bits, even when re-signed", () => {
    const s = sampleOf("i32.add next");
    const p = s.step.proof.proof.slice();
    p[WORD + 30] = 1; // control word byte 30: padding
    expect(codeOf(s.step.proof.before, p)).toBe("BadHeader");
    const q = s.step.proof.proof.slice();
    q.set(word(1n << 64n), 2 * WORD); // w(top)
    expect(codeOf(s.step.proof.before, q)).toBe("BadHeader");
  });
});
