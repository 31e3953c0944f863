/**
 * Gas of the protocol (part of `npm run bench:gas`): registering the corpus modules, post (1 KiB input), claim,
 * submit (1 KiB output), finalize, withdraw, and for each k in {2, 4, 8, 16}: one dissection move (a bisection and
 * a pick on a 2^32-step range) and a whole dispute over a 2^32-step claim (every bisection and pick, then the
 * one-step proof). Every figure is the gasUsed of a mined transaction on hardhat's in-process network.
 *
 * The whole dispute is played twice per k: (a) the challenger picks a middle segment every round (the solver's
 * hashes all differ, so a pick rewrites both ends of the range: the realistic cost) down to one step, whose proof
 * cannot be made (its pre-state is made up), so its cost is taken from (b); (b) the challenger always picks the
 * first segment, which ends at [0, 1] from the task's real initial state, and the real one-step proof of step 0 is
 * submitted through the game. Reported: whole = (a)'s moves + (b)'s proof.
 */
import { readFileSync } from "node:fs";
import type { Address, Hex } from "viem";
import { Trace, compileWasm, type CompiledModule } from "@vwasm/wasm-stepper";
import { CORPUS, corpusBytes } from "@vwasm/wasm-stepper/testing";
import { ETH, Protocol, TASK_LIMITS, fieldsToAbi, hex, marketAbi, positions, registryAbi, resultOf, taskParams, trueResult, withOutput, type Deployed } from "@vwasm/contracts/protocol";
import { moduleFields } from "@vwasm/wasm-stepper";

export const KS = [2, 4, 8, 16] as const;
export const MOVE_TARGET = 60_000;
export const DISPUTE_TARGET = 1_200_000;
const N = 2 ** 32;
const BOND = 10n ** 17n;

export interface KGas {
  k: number;
  bisect: number;
  pick: number;
  move: number;
  rounds: number;
  movesTotal: number;
  proof: number;
  whole: number;
  firstSegmentWhole: number;
}

export interface ProtocolGas {
  register: { module: string; bytes: number; gas: number }[];
  market: Record<"post1KiB" | "claim" | "submit1KiB" | "finalize" | "withdraw", number>;
  perK: KGas[];
  shippedK: number;
}

function gasOf(r: { ok: boolean; error?: string; gasUsed?: bigint }, what: string): number {
  if (!r.ok) throw new Error(`${what} reverted: ${r.error}`);
  return Number(r.gasUsed);
}

/** Distinct, non-zero made-up hashes. */
function fakeHashes(n: number, salt: number): Hex[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new Uint8Array(32);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, 0x5eed0000 + salt);
    dv.setUint32(24, i + 1);
    dv.setUint32(28, (i * 2654435761) >>> 0);
    return hex(b);
  });
}

export async function measureProtocolGas(d: Deployed, log: (s: string) => void = () => {}): Promise<ProtocolGas> {
  const [, poster, solver, challenger] = d.accounts as [Address, Address, Address, Address];
  const examples = new URL("./examples/", import.meta.resolve("@vwasm/wasm-stepper/package.json"));
  const wasm = new Uint8Array(readFileSync(new URL("sum-input.wasm", examples)));
  const cm: CompiledModule = await compileWasm(wasm);
  const input = Uint8Array.from({ length: 1024 }, (_, i) => (i * 31 + 7) & 255);
  const truth = trueResult(cm, input, TASK_LIMITS);
  const trace = await Trace.create({ cm, opts: { input, limits: TASK_LIMITS } }, { workers: 0 });
  const out: ProtocolGas = { register: [], market: {} as ProtocolGas["market"], perK: [], shippedK: 0 };
  try {
    for (const k of KS) {
      const P = await Protocol.deploy({ k, clockSeconds: 86_400, challengerBond: BOND, minSolverBond: BOND }, d);
      const id = await P.register(cm, wasm);
      if (k === KS[0]) {
        for (const p of CORPUS) {
          const bytes = await corpusBytes(p);
          const m = await compileWasm(bytes);
          if (m.taskBootstrap < 0 || hex(bytes) === hex(wasm)) continue;
          const r = await P.send(poster, P.registry, registryAbi, "register", [fieldsToAbi(moduleFields(m)), hex(bytes)]);
          out.register.push({ module: p.name, bytes: bytes.length, gas: gasOf(r, `register ${p.name}`) });
        }
        // The market's own operations, on a task with a 1 KiB input and a 1 KiB output.
        const post = await P.market_(poster, "postTask", [taskParams({ moduleId: id, reward: 10n ** 18n, solverBond: BOND }, await P.now()), hex(input)], 10n ** 18n);
        const t = await P.readMarket<bigint>("taskCount");
        const claim = await P.market_(solver, "claimTask", [t], BOND);
        const kib = Uint8Array.from({ length: 1024 }, (_, i) => (i * 17) & 255);
        const r1k = resultOf(withOutput(truth.header, kib), kib);
        const submit = await P.market_(solver, "submitResult", [t, r1k.finalStateHash, r1k.headerWords, r1k.output]);
        await P.travel(3601);
        const fin = await P.market_(poster, "finalize", [t]);
        const wd = await P.market_(solver, "withdraw", [ETH]);
        out.market = { post1KiB: gasOf(post, "post"), claim: gasOf(claim, "claim"), submit1KiB: gasOf(submit, "submit"), finalize: gasOf(fin, "finalize"), withdraw: gasOf(wd, "withdraw") };
      }
      // A claim of 2^32 steps (a made-up terminal header: the result check does not run the task; the game does).
      const claimN = resultOf({ ...truth.header, steps: N }, Buffer.from(truth.output.slice(2), "hex"));
      const dispute = async (middle: boolean) => {
        await P.market_(poster, "postTask", [taskParams({ moduleId: id, reward: 10n ** 18n, solverBond: BOND }, await P.now()), hex(input)], 10n ** 18n);
        const t = await P.readMarket<bigint>("taskCount");
        await P.market_(solver, "claimTask", [t], BOND);
        gasOf(await P.market_(solver, "submitResult", [t, claimN.finalStateHash, claimN.headerWords, claimN.output]), "submit 2^32");
        gasOf(await P.game_(challenger, "challenge", [t], BOND), "challenge");
        const g = await P.readGame<bigint>("gameCount");
        let lo = 0,
          hi = N,
          rounds = 0,
          moves = 0,
          bisectGas = 0,
          pickGas = 0;
        while (hi - lo > 1) {
          const ps = positions(lo, hi, k);
          const hashes = fakeHashes(ps.length, rounds);
          const b = gasOf(await P.game_(solver, "bisect", [g, hashes]), "bisect");
          const index = middle ? Math.floor(ps.length / 2) : 0;
          const p = gasOf(await P.game_(challenger, "pick", [g, hashes, BigInt(index)]), "pick");
          if (rounds === 0) {
            bisectGas = b;
            pickGas = p;
          }
          moves += b + p;
          const all = [lo, ...ps, hi];
          [lo, hi] = [all[index]!, all[index + 1]!];
          rounds++;
        }
        let proof = 0;
        if (!middle) {
          const s = trace.proveStep(0);
          proof = gasOf(await P.game_(challenger, "proveStep", [g, hex(s.proof)]), "proveStep");
        }
        return { rounds, moves, bisectGas, pickGas, proof };
      };
      const a = await dispute(true);
      const b = await dispute(false);
      const row: KGas = {
        k,
        bisect: a.bisectGas,
        pick: a.pickGas,
        move: Math.max(a.bisectGas, a.pickGas),
        rounds: a.rounds,
        movesTotal: a.moves,
        proof: b.proof,
        whole: a.moves + b.proof,
        firstSegmentWhole: b.moves + b.proof,
      };
      out.perK.push(row);
      log(`k=${k}: done`);
    }
  } finally {
    await trace.close();
  }
  const ok = out.perK.filter((r) => r.move <= MOVE_TARGET);
  out.shippedK = (ok.length ? ok : out.perK).reduce((a, b) => (b.whole < a.whole ? b : a)).k;
  return out;
}

const fmt = (n: number) => n.toLocaleString("en-US");

export function formatProtocolGas(g: ProtocolGas): string[] {
  const lines: string[] = [];
  lines.push("protocol gas (gasUsed of mined transactions)");
  for (const r of g.register) lines.push(`  register ${r.module.padEnd(16)} ${String(r.bytes).padStart(6)} bytes  ${fmt(r.gas).padStart(9)}`);
  lines.push(`  post (1 KiB input) ${fmt(g.market.post1KiB)}, claim ${fmt(g.market.claim)}, submit (1 KiB output) ${fmt(g.market.submit1KiB)}, finalize ${fmt(g.market.finalize)}, withdraw ${fmt(g.market.withdraw)}`);
  lines.push("");
  lines.push(`  dispute over 2^32 steps       ${"k".padStart(3)} ${"bisect".padStart(8)} ${"pick".padStart(8)} ${"rounds".padStart(6)} ${"moves".padStart(10)} ${"proof".padStart(8)} ${"whole".padStart(10)} ${"(first-seg)".padStart(11)}`);
  for (const r of g.perK)
    lines.push(
      `  ${"".padEnd(28)} ${String(r.k).padStart(3)} ${fmt(r.bisect).padStart(8)} ${fmt(r.pick).padStart(8)} ${String(r.rounds).padStart(6)} ${fmt(r.movesTotal).padStart(10)} ${fmt(r.proof).padStart(8)} ${fmt(r.whole).padStart(10)} ${fmt(r.firstSegmentWhole).padStart(11)}`,
    );
  const s = g.perK.find((r) => r.k === g.shippedK)!;
  lines.push(
    `  shipped k = ${g.shippedK}: move ${fmt(s.move)} (target <= ${fmt(MOVE_TARGET)}: ${s.move <= MOVE_TARGET ? "met" : "MISSED"}), whole dispute ${fmt(s.whole)} (target <= ${fmt(DISPUTE_TARGET)}: ${s.whole <= DISPUTE_TARGET ? "met" : "MISSED"})`,
  );
  lines.push("  whole = the moves with middle picks + the one-step proof of the first-segment game (first-seg: that game's own total)");
  return lines;
}
