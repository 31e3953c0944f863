/**
 * Bad proofs revert with the exact custom error, the same ProofErrorCode the TypeScript verifier
 * (wasm-stepper/src/state/verify.ts) throws for the same bytes: every one of the 20 errors is
 * reached, from a mutated real proof or from a crafted state (test/helpers/craft.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import * as Op from "@vwasm/wasm-stepper/opcodes";
import { deployOnHardhat, proveOneStep, type Deployed } from "./helpers/chain";
import { H, Tree, concat, craft, depthFor, flipBit, getWord, setWord, truncateWords, u32Leaf, word, words, ZERO32, Z } from "./helpers/craft.mts";
import { tsVerify } from "./helpers/stepper.mts";
import { vector } from "./helpers/vectors.mts";

let d: Deployed;
beforeAll(async () => {
  d = await deployOnHardhat();
});

const seen = new Set<string>();

/** Both verifiers reject (before, proof) with `code`. */
async function expectError(before: Hex, proof: Hex, code: string): Promise<void> {
  expect(tsVerify(before, proof), "TypeScript verifier").toEqual({ ok: false, error: code });
  expect(await proveOneStep(d, before, proof), "OneStepProofEntry").toEqual({ ok: false, error: code });
  seen.add(code);
}

const HEADER_WORDS = 34;
/** Index of the first word after the instruction item of a real proof. */
function afterInstruction(proof: Hex): number {
  return HEADER_WORDS + 1 + depthFor(Number(getWord(proof, 16)));
}
const appendWord = (proof: Hex, w: Uint8Array = ZERO32): Hex => `${proof}${Buffer.from(w).toString("hex")}` as Hex;

describe("bad proofs: the header", () => {
  it("test_step_badVersion_reverts", async () => {
    const v = vector("i32.add");
    await expectError(v.before, setWord(v.proof, 0, 1n), "BadVersion"); // layout version 1: before the micro-step register
    await expectError(v.before, setWord(v.proof, 0, 3n), "BadVersion");
    await expectError(v.before, setWord(v.proof, 0, 0n), "BadVersion");
  });

  it("test_step_headerNotMatchingBefore_revertsBadHeader", async () => {
    const v = vector("i32.add");
    await expectError(v.after, v.proof, "BadHeader");
    await expectError(v.before, flipBit(v.proof, 5, 0), "BadHeader"); // localsRoot
    await expectError(v.before, flipBit(v.proof, 29, 0), "BadHeader"); // maxOutputBytes
    await expectError(v.before, flipBit(v.proof, 30, 0), "BadHeader"); // maxTableEntries
  });

  it("test_step_controlPaddingNotZero_revertsBadHeader", async () => {
    const v = vector("i32.add");
    await expectError(v.before, flipBit(v.proof, 1, 0), "BadHeader");
    await expectError(v.before, flipBit(v.proof, 1, 15), "BadHeader");
  });

  it("test_step_topWiderThan64Bits_revertsBadHeader", async () => {
    const v = vector("i32.add");
    await expectError(v.before, setWord(v.proof, 2, 1n << 64n), "BadHeader");
  });

  it("test_step_numberAbove2pow53_revertsBadHeader", async () => {
    const v = vector("i32.add");
    for (const w of [8, 14, 16, 18, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30]) await expectError(v.before, setWord(v.proof, w, 1n << 53n), "BadHeader");
  });

  it("test_step_stepsAbove2pow53_revertsBadHeader", async () => {
    // A step count above widths.maxNumber (spec/state.json) is rejected on both sides.
    for (const steps of [2 ** 53, 2 ** 53 + 2, 2 ** 60]) {
      const c = craft([[Op.I32_CONST, 1]], { steps, maxSteps: 2 ** 53 - 1 });
      expect(await proveOneStep(d, c.before, c.proof)).toEqual({ ok: false, error: "BadHeader" });
      expect(tsVerify(c.before, c.proof)).toEqual({ ok: false, error: "BadHeader" });
    }
    const ok = craft([[Op.I32_CONST, 1]], { steps: 2 ** 53 - 2, maxSteps: 2 ** 53 - 1 });
    const ts = tsVerify(ok.before, ok.proof);
    expect(ts.ok).toBe(true);
    expect(await proveOneStep(d, ok.before, ok.proof)).toEqual(ts);
  });

  it("test_step_shortProofWithBadNumber_revertsBadHeaderBeforeTruncated", async () => {
    const v = vector("i32.add");
    // The word-by-word reader meets the bad number before the end of the proof.
    await expectError(v.before, truncateWords(setWord(v.proof, 8, 1n << 60n), 20), "BadHeader");
    // ...or the end first.
    await expectError(v.before, truncateWords(setWord(v.proof, 25, 1n << 60n), 20), "Truncated");
  });
});

describe("bad proofs: length", () => {
  it("test_step_partialWord_revertsTruncated", async () => {
    const v = vector("i32.add");
    await expectError(v.before, `${v.proof}00` as Hex, "Truncated");
    await expectError(v.before, v.proof.slice(0, -2) as Hex, "Truncated");
    await expectError(v.before, "0x", "Truncated");
  });

  it("test_step_missingItems_revertsTruncated", async () => {
    const v = vector("i32.add");
    for (let n = 0; n < words(v.proof); n++) await expectError(v.before, truncateWords(v.proof, n), "Truncated");
  });

  it("test_step_extraWord_revertsTrailingData", async () => {
    for (const name of ["i32.add", "i64.store cross-leaf", "return return", "finish terminal:finished", "unreachable trap:unreachable"]) {
      const v = vector(name);
      await expectError(v.before, appendWord(v.proof), "TrailingData");
    }
  });
});

describe("bad proofs: the instruction", () => {
  it("test_step_pcPastCode_revertsInstructionOutOfRange", async () => {
    const c = craft([[Op.I32_CONST, 1]], { pc: 1 }, [], { noInstruction: true });
    await expectError(c.before, c.proof, "InstructionOutOfRange");
  });

  it("test_step_brTablePastCode_revertsInstructionOutOfRange", async () => {
    // br_table with 3 entries but the code ends after the br_table itself
    const c = craft([[Op.BR_TABLE, 3]], { sp: 1, top: 2n });
    await expectError(c.before, c.proof, "InstructionOutOfRange");
  });

  it("test_step_tamperedInstruction_revertsBadCodeProof", async () => {
    const v = vector("i32.add");
    await expectError(v.before, flipBit(v.proof, HEADER_WORDS, 255), "BadCodeProof"); // the opcode's top bit
    await expectError(v.before, flipBit(v.proof, HEADER_WORDS, 0), "BadCodeProof"); // the unused padding
    await expectError(v.before, flipBit(v.proof, HEADER_WORDS + 1, 7), "BadCodeProof"); // a sibling
  });

  it("test_step_brTableEntryNotAnEntry_revertsBadInstruction", async () => {
    const code = [[Op.BR_TABLE, 0], [Op.I32_CONST, 0]];
    const t = new Tree(code.map((i) => u32Leaf(i[0]!, i[1]!, 0, 0)), 1);
    const c = craft(code, { sp: 1, top: 0n }, t.item(1));
    await expectError(c.before, c.proof, "BadInstruction");
  });

  it("test_step_unknownOpcode_revertsUnknownOpcode", async () => {
    for (const op of [117, 200, 255, 256, 0xffffffff]) {
      const c = craft([[op]]);
      await expectError(c.before, c.proof, "UnknownOpcode");
    }
  });
});

describe("bad proofs: operands, trees, frames", () => {
  it("test_step_popFromEmptyStack_revertsStackUnderflow", async () => {
    await expectError(craft([[Op.I32_ADD]]).before, craft([[Op.I32_ADD]]).proof, "StackUnderflow");
    const one = craft([[Op.I32_ADD]], { sp: 1, top: 5n });
    await expectError(one.before, one.proof, "StackUnderflow");
    // an operand stack of a frame with locals: sp at fp + nlocals
    const locals = craft([[Op.DROP]], { fp: 2, nlocals: 3, sp: 5, depth: 1 });
    await expectError(locals.before, locals.proof, "StackUnderflow");
  });

  it("test_step_tamperedOperand_revertsBadOperandProof", async () => {
    const v = vector("i32.add");
    const at = afterInstruction(v.proof);
    await expectError(v.before, flipBit(v.proof, at, 0), "BadOperandProof"); // the value
    await expectError(v.before, flipBit(v.proof, at + 1, 3), "BadOperandProof"); // the hash beneath
  });

  it("test_step_tamperedMemoryProof_revertsBadMerkleProof", async () => {
    const v = vector("i64.load cross-leaf");
    const at = afterInstruction(v.proof);
    await expectError(v.before, flipBit(v.proof, at, 9), "BadMerkleProof"); // first leaf
    await expectError(v.before, flipBit(v.proof, words(v.proof) - 1, 200), "BadMerkleProof"); // second leaf's top sibling
    const s = vector("i64.store cross-leaf");
    await expectError(s.before, flipBit(s.proof, words(s.proof) - 3, 1), "BadMerkleProof");
  });

  it("test_step_tamperedLocalOrGlobal_revertsBadMerkleProof", async () => {
    for (const name of ["local.get next", "local.set next", "global.get next", "global.set next"]) {
      const v = vector(name);
      const at = afterInstruction(v.proof) + (name.endsWith("set next") ? 0 : 0);
      // the first item after the instruction is the leaf (a set pops its value from the header's top)
      await expectError(v.before, flipBit(v.proof, at, 0), "BadMerkleProof");
    }
  });

  it("test_step_tamperedSegmentRecord_revertsBadSegmentProof", async () => {
    const v = vector("data.drop next");
    const at = afterInstruction(v.proof);
    await expectError(v.before, flipBit(v.proof, at, 0), "BadSegmentProof"); // the segment's root
    await expectError(v.before, flipBit(v.proof, at + 1, 0), "BadSegmentProof"); // its length
    await expectError(v.before, flipBit(v.proof, at + 2, 0), "BadMerkleProof"); // its leaf
    await expectError(v.before, setWord(v.proof, at + 1, 1n << 53n), "BadSegmentProof"); // a length beyond 2^53 - 1
  });

  it("test_step_droppedSegmentWithContent_revertsBadSegmentProof", async () => {
    // nData 1, the segment dropped (leaf 0 = dataRoot at depth 0), opened with a non-zero root
    const c = craft([[Op.DATA_DROP, 0]], { nData: 1, dataRoot: ZERO32 }, [word(1n), word(0n), ZERO32]);
    await expectError(c.before, c.proof, "BadSegmentProof");
    const len = craft([[Op.DATA_DROP, 0]], { nData: 1, dataRoot: ZERO32 }, [ZERO32, word(7n), ZERO32]);
    await expectError(len.before, len.proof, "BadSegmentProof");
  });

  it("test_step_tamperedFrameRecord_revertsBadFrameProof", async () => {
    const v = vector("return return");
    const n = words(v.proof);
    // the frame record is the last item: prev, returnPc, callerFp, callerNlocals, localsRoot, callerTop, callerOperands
    for (const k of [7, 6, 5, 4, 3, 2, 1]) await expectError(v.before, flipBit(v.proof, n - k, 0), "BadFrameProof");
    for (const k of [6, 5, 4]) await expectError(v.before, setWord(v.proof, n - k, 1n << 60n), "BadFrameProof"); // numbers beyond 2^53 - 1
  });

  it("test_step_returnFromBottomFrame_revertsNoFrame", async () => {
    const c = craft([[Op.RETURN, 0]]);
    await expectError(c.before, c.proof, "NoFrame");
    const withValue = craft([[Op.RETURN, 1]], { sp: 1, top: 9n });
    await expectError(withValue.before, withValue.proof, "NoFrame");
  });

  it("test_step_callPastFunctions_revertsFunctionOutOfRange", async () => {
    const c = craft([[Op.CALL, 5]], { nFuncs: 2 });
    await expectError(c.before, c.proof, "FunctionOutOfRange");
  });

  it("test_step_callOfHostImport_revertsHostFunctionCalled", async () => {
    const funcs = new Tree([u32Leaf(0xffffffff, 0, 0, 0, 0, 0), u32Leaf(1, 0, 0, 0, 0, 0)], 1);
    const c = craft([[Op.CALL, 0]], { nFuncs: 2, funcsRoot: funcs.root() }, funcs.item(0));
    await expectError(c.before, c.proof, "HostFunctionCalled");
    // through the table: call_indirect reaches the import
    const table = new Tree([word(0n)], 0);
    const ci = craft([[Op.CALL_INDIRECT, 0, 0]], { nFuncs: 2, funcsRoot: funcs.root(), tableSize: 1, tableRoot: table.root(), sp: 1, top: 0n }, [
      ...table.item(0),
      ...funcs.item(0),
    ]);
    await expectError(ci.before, ci.proof, "HostFunctionCalled");
  });

  it("test_step_localPastFrame_revertsLocalOutOfRange", async () => {
    const c = craft([[Op.LOCAL_GET, 3]], { nlocals: 1, fp: 0, sp: 1, depth: 1 });
    await expectError(c.before, c.proof, "LocalOutOfRange");
    const set = craft([[Op.LOCAL_SET, 1]], { nlocals: 1, fp: 0, sp: 2, depth: 1, top: 4n });
    await expectError(set.before, set.proof, "LocalOutOfRange");
  });

  it("test_step_globalPastModule_revertsGlobalOutOfRange", async () => {
    const c = craft([[Op.GLOBAL_GET, 1]], { nGlobals: 1 });
    await expectError(c.before, c.proof, "GlobalOutOfRange");
    const set = craft([[Op.GLOBAL_SET, 0]], { nGlobals: 0, sp: 1, top: 4n });
    await expectError(set.before, set.proof, "GlobalOutOfRange");
  });

  it("test_step_segmentIndexNotBelowCount_revertsSegmentOutOfRange", async () => {
    // data.drop / elem.drop / memory.init / table.init of index >= nData / nElem, the index read
    // unsigned on both sides (0xffffffff is 4294967295, not -1)
    await expectError(craft([[Op.DATA_DROP, 1]], { nData: 1, dataRoot: ZERO32 }).before, craft([[Op.DATA_DROP, 1]], { nData: 1, dataRoot: ZERO32 }).proof, "SegmentOutOfRange");
    const elem = craft([[Op.ELEM_DROP, 0xffffffff]], { nElem: 2 });
    await expectError(elem.before, elem.proof, "SegmentOutOfRange");
    const ops = (d0: bigint, s0: bigint): Uint8Array[] => [word(s0), H(ZERO32, word(d0)), word(d0), ZERO32];
    const init = craft([[Op.MEMORY_INIT, 3]], { nData: 3, sp: 3, top: 0n, operands: H(H(ZERO32, word(0n)), word(0n)) }, ops(0n, 0n));
    await expectError(init.before, init.proof, "SegmentOutOfRange");
    const tinit = craft([[Op.TABLE_INIT, 0xffffffff]], { nElem: 0, sp: 3, top: 0n, operands: H(H(ZERO32, word(0n)), word(0n)) }, ops(0n, 0n));
    await expectError(tinit.before, tinit.proof, "SegmentOutOfRange");
  });

  it("test_step_moveProgressPastItsValues_revertsBadMicroState", async () => {
    // br keep 1 drop 20 (micro-stepped): progress 21 is past the 21 values it moves
    const br = craft([[Op.BR, 0, 1, 20]], { sp: 30, top: 1n, mp: 21 });
    await expectError(br.before, br.proof, "BadMicroState");
    // return of 17 results with progress 17
    const ret = craft([[Op.RETURN, 17]], { sp: 30, top: 1n, depth: 1, mp: 17 });
    await expectError(ret.before, ret.proof, "BadMicroState");
    // a call of 17 params whose record has 3 locals
    const funcs = new Tree([u32Leaf(1, 17, 3, 0, 0, 0)], 0);
    const call = craft([[Op.CALL, 0]], { nFuncs: 1, funcsRoot: funcs.root(), sp: 20, top: 1n }, funcs.item(0));
    await expectError(call.before, call.proof, "BadMicroState");
  });

  it("test_step_everyProofErrorIsReached", async () => {
    const { readFileSync } = await import("node:fs");
    const src = readFileSync(new URL("./src/state/errors.ts", import.meta.resolve("@vwasm/wasm-stepper/package.json")), "utf8");
    const codes = [...src.slice(src.indexOf("ProofErrorCode"), src.indexOf(";", src.indexOf("ProofErrorCode"))).matchAll(/"(\w+)"/g)].map((m) => m[1]!);
    expect(codes.length).toBe(20);
    expect(codes.filter((c) => !seen.has(c))).toEqual([]);
    // ...and every one of them is in the entry's ABI, so callers can decode it.
    const abiErrors = new Set(d.abi.filter((x) => x.type === "error").map((x) => (x as { name: string }).name));
    expect(codes.filter((c) => !abiErrors.has(c))).toEqual([]);
  });
});

describe("a trap is a state, not an error", () => {
  it("test_step_trapWithTamperedItemBeforeTheTrap_reverts", async () => {
    // call_indirect of a null entry reads the table entry before trapping: it is still checked
    const v = vector("call_indirect trap:indirect_call_null");
    const at = afterInstruction(v.proof);
    await expectError(v.before, flipBit(v.proof, at, 0), "BadMerkleProof");
    await expectError(v.before, appendWord(v.proof), "TrailingData");
  });

  it("test_step_crossingConcat_sanity", () => {
    expect(concat([word(1n), Z[0]!]).length).toBe(64);
  });
});
