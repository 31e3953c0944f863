/**
 * The twins agree on crafted states too (states no real run reaches): the TypeScript verifier
 * (wasm-stepper/src/state/verify.ts) and the contract give the same post-state or the same error
 * for the same bytes. Popped operands are used exactly (a 64-bit slot; no rounding above 2^53),
 * and segment indices are unsigned u32 immediates checked against nData / nElem.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import * as Op from "@vwasm/wasm-stepper/opcodes";
import { deployOnHardhat, proveOneStep, type Deployed } from "./helpers/chain";
import { H, Z, ZERO32, craft, word } from "./helpers/craft.mts";
import { tsVerify } from "./helpers/stepper.mts";

let d: Deployed;
beforeAll(async () => {
  d = await deployOnHardhat();
});

/** Both sides' outcome; they must be equal. */
async function both(before: Hex, proof: Hex): Promise<{ ok: true; after: Hex } | { ok: false; error: string }> {
  const ts = tsVerify(before, proof);
  const sol = await proveOneStep(d, before, proof);
  expect(sol, "contract vs TypeScript verifier").toEqual(ts);
  return ts;
}

/** memory.fill(d = 0, value, n = 4) on a zero memory page: the value's low byte fills 4 bytes. */
function fill(value: bigint) {
  const dst = 0n;
  const operands = H(H(ZERO32, word(dst)), word(value));
  const memory = [ZERO32, ...Z.slice(0, 11)];
  return craft([[Op.MEMORY_FILL]], { sp: 3, top: 4n, operands }, [word(value), H(ZERO32, word(dst)), word(dst), ZERO32, ...memory]);
}

describe("crafted states: both sides give the same outcome", () => {
  it("memory.fill with a fill value above 2^53 uses its exact low byte", async () => {
    const one = await both(fill(1n).before, fill(1n).proof);
    const big = await both(fill(2n ** 53n + 1n).before, fill(2n ** 53n + 1n).proof);
    const zero = await both(fill(0n).before, fill(0n).proof);
    expect(one.ok && big.ok && zero.ok).toBe(true);
    // 2^53 + 1 fills with 0x01 (a rounding to 2^53 would fill with 0x00)
    expect(big).toEqual(one);
    expect(big).not.toEqual(zero);
  });

  it("an operand word wider than 64 bits is used as its low 64 bits on both sides", async () => {
    const wide = fill((1n << 64n) + 1n);
    expect(await both(wide.before, wide.proof)).toEqual(await both(fill(1n).before, fill(1n).proof));
    const huge = fill((1n << 255n) | 1n);
    expect(await both(huge.before, huge.proof)).toEqual(await both(fill(1n).before, fill(1n).proof));
  });

  it("data.drop of segment 0xffffffff with nData = 2^33 is in range on both sides", async () => {
    const nData = 2 ** 33;
    const z33 = H(Z[32]!, Z[32]!);
    // a dropped segment (leaf 0) at index 2^32 - 1 of a depth-33 tree of zeros
    const c = craft([[Op.DATA_DROP, 0xffffffff]], { nData, dataRoot: z33 }, [ZERO32, word(0n), ZERO32, ...Z.slice(0, 33)]);
    const r = await both(c.before, c.proof);
    expect(r.ok).toBe(true);
    // out of range for nData = 2^32 - 1: both reject
    const out = craft([[Op.DATA_DROP, 0xffffffff]], { nData: 2 ** 32 - 1, dataRoot: Z[32]! });
    expect(await both(out.before, out.proof)).toEqual({ ok: false, error: "SegmentOutOfRange" });
  });
});
