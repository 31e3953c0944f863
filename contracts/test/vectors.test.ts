/**
 * Replays every generated vector of wasm-stepper/spec/vectors on chain:
 * proveOneStep(before, proof) == after, byte for byte.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { deployOnHardhat, proveOneStep, type Deployed } from "./helpers/chain";
import { tsVerify } from "./helpers/stepper.mts";
import { loadVectors } from "./helpers/vectors.mts";

let d: Deployed;
beforeAll(async () => {
  d = await deployOnHardhat();
});

const files = loadVectors();

describe("spec/vectors replayed on chain", () => {
  it("test_vectors_present", () => {
    // every family of spec/opcodes.json has a file, plus status.json
    for (const f of ["control", "parametric", "variable", "const", "memory", "bulk", "host", "i32", "i64", "status"]) expect(files.get(f)?.length ?? 0, f).toBeGreaterThan(0);
  });
  for (const [file, vs] of files) {
    describe(`${file}.json`, () => {
      it.each(vs.map((v) => [v.name, v] as const))("%s", async (_name, v) => {
        // the vector is what the TypeScript verifier says (guards a stale file) ...
        expect(tsVerify(v.before, v.proof)).toEqual({ ok: true, after: v.after });
        // ... and what the contract says
        expect(await proveOneStep(d, v.before, v.proof)).toEqual({ ok: true, after: v.after });
      });
    });
  }
});
