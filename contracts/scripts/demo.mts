/**
 * The local demo on an embedded hardhat chain: a real task (SHA-256 of its
 * input, compiled from AssemblyScript) runs on the stepper's interpreter and on
 * its native engine; the one-step prover contracts are deployed on hardhat's
 * in-process network; then steps of the run, as a dispute would narrow to, are
 * proven off-chain and adjudicated on-chain by OneStepProofEntry.proveOneStep,
 * which must compute the same post-state hash as the stepper.
 *
 *   npm run demo            (from the repository root)
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..");
process.env.HARDHAT_CONFIG ??= join(pkg, "hardhat.config.ts");

const { deployOnHardhat, proveOneStep, estimateProveGas } = await import("../test/helpers/chain.ts");
const { loadModule, Machine, runNativeTask, Prover, verifyStep } = await import("@vwasm/wasm-stepper");
const { OPCODE_NAMES } = await import("@vwasm/wasm-stepper/opcodes");

const hex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString("hex")}`;
const input = new TextEncoder().encode(process.argv[2] ?? "verifiable compute: the solver's answer, checked step by step");
const cm = await loadModule(new Uint8Array(readFileSync(new URL(import.meta.resolve("@vwasm/wasm-stepper/examples/as/sha256.wasm")))));

// 1. Run the task on both engines; they must agree with each other and with Node's SHA-256.
const interp = Machine.forTask(cm, { input }).run();
const native = runNativeTask(cm, { input });
const expected = createHash("sha256").update(input).digest("hex");
const output = Buffer.from(interp.output).toString("hex");
console.log(`task         sha256 of ${input.length} input bytes (wasm-stepper/examples/as/sha256.wasm)`);
console.log(`interpreter  ${interp.status} in ${interp.steps} steps, output ${output}`);
console.log(`native       ${native.status} in ${native.steps} steps, output ${Buffer.from(native.output).toString("hex")}`);
if (output !== expected || native.steps !== interp.steps || Buffer.from(native.output).toString("hex") !== output) {
  console.error(`MISMATCH: expected output ${expected} from both engines in the same number of steps`);
  process.exit(1);
}

// 2. Deploy the one-step prover set on the embedded chain.
const d = await deployOnHardhat();
console.log(`chain        hardhat (in-process); OneStepProofEntry at ${d.entry}`);

// 3. Prove steps off-chain and adjudicate them on-chain: the first, one of each kind of
//    instruction met in the run (up to 8), a memory store, and the last.
const m = Machine.forTask(cm, { input });
const prover = new Prover(m);
const seen = new Set<string>();
let shown = 0;
let failed = false;
while (m.status === "running") {
  const op = OPCODE_NAMES[cm.code[m.pc * 4]!]!;
  const last = m.steps === interp.steps - 1;
  const pick = m.steps === 0 || last || (!seen.has(op) && seen.size < 8) || (op === "i32.store" && !seen.has("store-shown"));
  if (!pick) {
    m.step();
    continue;
  }
  seen.add(op);
  if (op === "i32.store") seen.add("store-shown");
  const p = prover.proveNext();
  const offChain = hex(verifyStep(p.before, p.proof));
  const onChain = await proveOneStep(d, hex(p.before), hex(p.proof));
  const gas = await estimateProveGas(d, hex(p.before), hex(p.proof));
  const agree = onChain.ok && onChain.after === hex(p.after) && offChain === hex(p.after);
  if (!agree) failed = true;
  console.log(
    `step ${String(p.step).padStart(6)}  ${op.padEnd(18)} proof ${String(p.proof.length).padStart(5)} B  gas ${gas.toString().padStart(7)}  ` +
      `after ${hex(p.after).slice(0, 18)}…  ${agree ? "on-chain == off-chain" : `MISMATCH (${onChain.ok ? onChain.after : onChain.error})`}`,
  );
  shown++;
}
console.log(`${shown} steps adjudicated on-chain; final status ${m.status} after ${m.steps} steps`);
process.exit(failed ? 1 : 0);
