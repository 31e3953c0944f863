// The pure-JS hashes of the SDK equal the stepper's own (which the on-chain prover is tested against).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { compileWasm, HEADER_WORDS, InputTree, inputRoot as stepperInputRoot, Machine, MerkleTree, outputHash as stepperBytesOutputHash, StateCommitment } from "@vwasm/wasm-stepper";
import { encodeHeader, foldOutput, outputHash as stepperOutputHash } from "@vwasm/wasm-stepper/state";
import { bytesToHex } from "viem";
import { describe, expect, it } from "vitest";
import { decodeHeaderWords, inputRoot, merkleRoot, outputFields, outputHash } from "../src/index.js";

const require = createRequire(import.meta.url);
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7) & 0xff);
const LENGTHS = [0, 1, 31, 32, 33, 64, 65, 100, 1000, 4096, 4097];

describe("input root", () => {
  it.each(LENGTHS)("test_inputRoot_equalsStepper_len%i", (n) => {
    const input = bytes(n, n);
    expect(inputRoot(input)).toBe(bytesToHex(new InputTree(input).root()));
    expect(inputRoot(input)).toBe(bytesToHex(stepperInputRoot(input)));
  });
  it("test_merkleRoot_fixedDepth_equalsStepperTree", () => {
    for (const [n, depth] of [[0, 0], [32, 3], [200, 5], [1024, 10]] as const) {
      const data = bytes(n, depth);
      const t = new MerkleTree(depth);
      t.build(data);
      expect(bytesToHex(merkleRoot(data, depth))).toBe(bytesToHex(t.root()));
    }
  });
  it("test_merkleRoot_tooManyLeaves_throws", () => {
    expect(() => merkleRoot(new Uint8Array(65), 1)).toThrow(/do not fit a tree of depth 1/);
  });
});

describe("output hash", () => {
  it.each(LENGTHS)("test_outputHash_equalsStepper_len%i", (n) => {
    const out = bytes(n, 3);
    const { acc, partial } = foldOutput(out);
    const f = outputFields(out);
    expect(bytesToHex(f.outputAcc)).toBe(bytesToHex(acc));
    expect(bytesToHex(f.outputPartial)).toBe(bytesToHex(partial));
    expect(outputHash(out)).toBe(bytesToHex(stepperOutputHash(acc, partial, n)));
    expect(outputHash(out)).toBe(bytesToHex(stepperBytesOutputHash(out)));
  });
  it("test_outputHash_differsOnTrailingZero", () => {
    expect(outputHash(new Uint8Array(3))).not.toBe(outputHash(new Uint8Array(4)));
  });
});

describe("header words", () => {
  it("test_decodeHeaderWords_finalStateOfRealTask", () => {
    const wasm = readFileSync(require.resolve("@vwasm/wasm-stepper/examples/as/sha256.wasm"));
    const m = Machine.forTask(compileWasm(wasm), { input: new TextEncoder().encode("abc") });
    const r = m.run();
    const h = new StateCommitment(m).header();
    const words = encodeHeader(h);
    const flat = new Uint8Array(words.length * 32);
    words.forEach((w, i) => flat.set(w, i * 32));
    const d = decodeHeaderWords(flat);
    expect(d.status).toBe(r.status);
    expect(d.steps).toBe(BigInt(r.steps));
    expect(d.outputLength).toBe(BigInt(r.output.length));
    expect(d.trap).toBeUndefined();
    expect(outputHash(r.output)).toBe(bytesToHex(stepperOutputHash(h.outputAcc, h.outputPartial, h.outputLength)));
  });
  it("test_decodeHeaderWords_trappedState", () => {
    const m = Machine.forTask(compileWasm(readFileSync(require.resolve("@vwasm/wasm-stepper/examples/as/sha256.wasm"))), { input: new Uint8Array(100), limits: { maxSteps: 10 } });
    m.run();
    const flat = new Uint8Array(HEADER_WORDS * 32);
    encodeHeader(new StateCommitment(m).header()).forEach((w, i) => flat.set(w, i * 32));
    const d = decodeHeaderWords(flat);
    expect(d.status).toBe("out_of_steps");
    expect(d.steps).toBe(10n);
  });
  it("test_decodeHeaderWords_wrongLength_throwsInvalidParameter", () => {
    expect(() => decodeHeaderWords(new Uint8Array(31))).toThrow(new RegExp(`header words must be ${HEADER_WORDS * 32} bytes, got 31`));
  });
});
