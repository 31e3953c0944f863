/**
 * The local demo: runs a real task (SHA-256 of its input, compiled from
 * AssemblyScript) on the interpreter and on the native engine, checks that they
 * agree on the output and the step count, then commits to the state at a step
 * in the middle and proves and verifies that one step, as a dispute would.
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { loadModule, Machine, runNativeTask, Prover, verifyStep, StateCommitment } from "../src/index.ts";
import { toHex } from "../src/hash/keccak.ts";
import { OPCODE_NAMES } from "../src/ir/opcodes.ts";

const root = join(import.meta.dirname, "..");
const input = new TextEncoder().encode(process.argv[2] ?? "verifiable compute: the solver's answer, checked step by step");
const cm = await loadModule(new Uint8Array(readFileSync(join(root, "examples/as/sha256.wasm"))));

const interp = Machine.forTask(cm, { input }).run();
const native = runNativeTask(cm, { input });
const expected = createHash("sha256").update(input).digest("hex");
const out = Buffer.from(interp.output).toString("hex");
console.log(`task     sha256 of ${input.length} input bytes (examples/as/sha256.wasm)`);
console.log(`interp   ${interp.status}, ${interp.steps} steps, output ${out}`);
console.log(`native   ${native.status}, ${native.steps} steps, output ${Buffer.from(native.output).toString("hex")}`);
console.log(`node     sha256 ${expected}`);
if (out !== expected || native.steps !== interp.steps || Buffer.from(native.output).toString("hex") !== out) {
  console.error("MISMATCH: the engines disagree");
  process.exit(1);
}

// A dispute narrows to one step; prove the middle one.
const n = Math.floor(interp.steps / 2);
const m = Machine.forTask(cm, { input });
m.runTo(n);
const op = OPCODE_NAMES[cm.code[m.pc * 4]!];
const prover = new Prover(m);
const p = prover.proveNext();
const after = verifyStep(p.before, p.proof);
const final = Machine.forTask(cm, { input });
final.run();
console.log(`step ${n} (${op}): before ${toHex(p.before)}`);
console.log(`          after  ${toHex(p.after)}  proof ${p.proof.length} bytes`);
console.log(`verifyStep(before, proof) ${toHex(after) === toHex(p.after) ? "== after: the step is proven" : "!= after: FAILED"}`);
console.log(`final state hash ${toHex(new StateCommitment(final).stateHash())}`);
if (toHex(after) !== toHex(p.after)) process.exit(1);
