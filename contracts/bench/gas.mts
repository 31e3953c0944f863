/**
 * Gas benchmark of proveOneStep: per opcode family, p50 and max of eth_estimateGas (what a
 * transaction calling proveOneStep pays: 21000 + calldata + execution) over the spec vectors and
 * every proven step of a corpus of programs, including memory proofs under a 65536-page limit
 * (memory tree depth 27); the deployed size of every contract; the protocol's operations and
 * dispute games for k in {2, 4, 8, 16} (bench/protocol-gas.mts). Prints a table and writes
 * bench/results/gas.json.
 *
 *   npm run bench:gas -w contracts
 *
 * Targets (docs/PERFORMANCE.md): p50 <= 80,000 gas, max <= 150,000 gas.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeFunctionData, type Abi, type Address, type Hex } from "viem";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..");
process.env.HARDHAT_CONFIG ??= join(pkg, "hardhat.config.ts");

const { deployOnHardhat, estimateProveGas } = await import("../test/helpers/chain.ts");
const hre = (await import("hardhat")).default;
const { createWalletClient, custom } = await import("viem");
const { hardhat } = await import("viem/chains");
const { compileWasm, compileWat, proveRun, proveInvocation } = await import("../test/helpers/stepper.mts");
const { ARITY_SHAPES, arityProgram } = await import("@vwasm/wasm-stepper/testing");
const { allVectors } = await import("../test/helpers/vectors.mts");
const { STATE_PROGRAMS, NUMERIC_PROGRAM } = await import("@vwasm/wasm-stepper/testing");
const { PROVER_CONTRACTS, MAX_CONTRACT_SIZE, deployedSize, loadArtifact, PKG_DIR, STEPPER_DIR } = await import("../scripts/lib/artifacts.ts");
const { measureProtocolGas, formatProtocolGas } = await import("./protocol-gas.mts");
const opcodes = JSON.parse(readFileSync(join(STEPPER_DIR, "spec", "opcodes.json"), "utf8")) as { opcodes: { name: string; family: string }[] };

const P50_TARGET = 80_000;
const MAX_TARGET = 150_000;
const FAMILY = new Map(opcodes.opcodes.map((o) => [o.name, o.family]));

interface Sample {
  source: string;
  op: string;
  family: string;
  memDepth: number;
  gas: number;
  /** Gas of the proveOneStep call made from a contract (ProveOneStepGasProbe): execution only. */
  execGas: number;
  calldataGas: number;
  /** The EIP-7623 floor of the transaction: when gas equals it, calldata alone sets the price. */
  floorGas: number;
  proofWords: number;
}

/**
 * Calldata pricing of a proveOneStep transaction: the standard cost (4 gas per zero byte, 16 per
 * non-zero byte) and the EIP-7623 floor (Prague+: 21,000 + 10 per token, a zero byte 1 token, a
 * non-zero byte 4): a transaction pays max(21,000 + standard + execution, floor).
 */
function calldataGas(data: Hex): { standard: number; floor: number } {
  const bytes = Buffer.from(data.slice(2), "hex");
  let zeros = 0;
  for (const b of bytes) if (b === 0) zeros++;
  const nonzero = bytes.length - zeros;
  return { standard: 4 * zeros + 16 * nonzero, floor: 21_000 + 10 * (zeros + 4 * nonzero) };
}

/** depth of the memory tree of a proof's header: max(11, depthFor(maxMemoryPages) + 11). */
function memDepthOf(proof: Hex): number {
  const maxPages = Number(BigInt(`0x${proof.slice(2 + 26 * 64, 2 + 27 * 64)}`));
  let d = 0;
  while (2 ** d < maxPages) d++;
  return Math.max(11, d + 11);
}

const u32le = (...vs: number[]) => {
  const b = new Uint8Array(vs.length * 4);
  vs.forEach((v, i) => new DataView(b.buffer).setUint32(i * 4, v >>> 0, true));
  return b;
};
const bytes = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i) & 255);
const i32 = (value: number) => ({ type: "i32" as const, value });
const readText = (p: string) => readFileSync(resolve(pkg, p), "utf8");
const readBin = (p: string) => new Uint8Array(readFileSync(resolve(pkg, p)));

async function corpus(): Promise<{ source: string; cases: { op: string; before: Hex; proof: Hex }[] }[]> {
  const out: { source: string; cases: { op: string; before: Hex; proof: Hex }[] }[] = [];
  const bigmem = await compileWat(readText("test/programs/bigmem.wat"), "bigmem.wat");
  for (const pages of [1024, 65536])
    out.push({ source: `bigmem.wat (maxMemoryPages ${pages})`, cases: proveRun(bigmem, { label: "", task: true, input: bytes(100, (i) => i * 7 + 1), limits: { maxMemoryPages: pages } }) });
  const calls = await compileWat(readText("test/programs/calls.wat"), "calls.wat");
  out.push({
    source: "calls.wat",
    cases: proveRun(calls, { label: "", calls: [{ name: "ack", args: [i32(2), i32(2)] }, { name: "many", args: [] }], limits: { maxCallDepth: 100, maxValueStack: 4096 } }),
  });
  const fib = await compileWat(readText(STEPPER_DIR + "/examples/fib.wat"), "fib.wat");
  out.push({ source: "fib.wat fib(10)", cases: proveRun(fib, { label: "", calls: [{ name: "fib", args: [i32(10)] }] }) });
  out.push({ source: "sum-input.wasm (300 bytes)", cases: proveRun(compileWasm(readBin(STEPPER_DIR + "/examples/sum-input.wasm")), { label: "", task: true, input: bytes(300, (i) => i * 13) }) });
  out.push({ source: "as/sort.wasm n=4", cases: proveRun(compileWasm(readBin(STEPPER_DIR + "/examples/as/sort.wasm")), { label: "", task: true, input: u32le(4, 7) }) });
  out.push({
    source: 'as/crc32.wasm "abc" (first 800 + last 2500 steps)',
    cases: proveRun(compileWasm(readBin(STEPPER_DIR + "/examples/as/crc32.wasm")), { label: "", task: true, input: new TextEncoder().encode("abc"), head: 800, tail: 2500 }),
  });
  for (const p of [...STATE_PROGRAMS, NUMERIC_PROGRAM]) {
    const cm = await compileWat(p.wat, `${p.name}.wat`);
    const cases = p.runs.flatMap((r) => proveRun(cm, r as Parameters<typeof proveRun>[1]));
    out.push({ source: `wasm-stepper state program ${p.name}`, cases });
  }
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))]!;
}

const fmt = (n: number) => n.toLocaleString("en-US");

async function main(): Promise<void> {
  const t0 = Date.now();
  const d = await deployOnHardhat();
  // the probe: a contract calling proveOneStep, measuring gasleft() around the call
  const probeArtifact = JSON.parse(readFileSync(join(PKG_DIR, "artifacts", "src", "bench", "ProveOneStepGasProbe.sol", "ProveOneStepGasProbe.json"), "utf8")) as { abi: Abi; bytecode: Hex };
  const [deployer] = (await d.client.request({ method: "eth_accounts" } as never)) as Address[];
  const wallet = createWalletClient({ chain: hardhat, transport: custom(hre.network.provider as never), account: deployer! });
  const probeTx = await wallet.deployContract({ abi: probeArtifact.abi, bytecode: probeArtifact.bytecode });
  const probe = (await d.client.waitForTransactionReceipt({ hash: probeTx })).contractAddress!;
  const execGas = async (before: Hex, proof: Hex): Promise<number> => {
    const [, used] = (await d.client.readContract({ address: probe, abi: probeArtifact.abi, functionName: "measure", args: [d.entry, before, proof] })) as [Hex, bigint];
    return Number(used);
  };
  const samples: Sample[] = [];
  const measure = async (source: string, cases: { op: string; before: Hex; proof: Hex }[]) => {
    const B = 6;
    for (let i = 0; i < cases.length; i += B) {
      const batch = cases.slice(i, i + B);
      const gas = await Promise.all(batch.map((c) => estimateProveGas(d, c.before, c.proof)));
      const exec = await Promise.all(batch.map((c) => execGas(c.before, c.proof)));
      batch.forEach((c, k) => {
        const family = c.op.startsWith("terminal") ? "terminal" : (FAMILY.get(c.op) ?? "?");
        const cd = calldataGas(encodeFunctionData({ abi: d.abi, functionName: "proveOneStep", args: [c.before, c.proof] }));
        samples.push({ source, op: c.op, family, memDepth: memDepthOf(c.proof), gas: Number(gas[k]), execGas: exec[k]!, calldataGas: cd.standard, floorGas: cd.floor, proofWords: (c.proof.length - 2) / 64 });
      });
    }
  };
  const vectors = allVectors();
  await measure("spec/vectors", vectors.map((v) => ({ op: v.name.startsWith(v.opcode) && /terminal:/.test(v.name) ? "terminal" : v.opcode, before: v.before, proof: v.proof })));
  process.stderr.write(`vectors: ${vectors.length} measured\n`);
  for (const c of await corpus()) {
    await measure(c.source, c.cases);
    process.stderr.write(`${c.source}: ${c.cases.length} steps measured\n`);
  }

  // ---- per family
  const families = [...new Set(opcodes.opcodes.map((o) => o.family)), "terminal"];
  const rows = families
    .map((f) => {
      const xs = samples.filter((s) => s.family === f);
      if (!xs.length) return undefined;
      const g = xs.map((s) => s.gas);
      const worst = xs.reduce((a, b) => (b.gas > a.gas ? b : a));
      return { family: f, n: xs.length, p50: pct(g, 0.5), max: Math.max(...g), maxOp: worst.op, maxSource: worst.source, maxWords: worst.proofWords, floorP50: pct(xs.map((s) => s.floorGas), 0.5), execP50: pct(xs.map((s) => s.execGas), 0.5), execMax: Math.max(...xs.map((s) => s.execGas)), floorBound: xs.filter((s) => s.gas <= s.floorGas).length / xs.length };
    })
    .filter((r) => r !== undefined);
  const allGas = samples.map((s) => s.gas);
  const allExec = samples.map((s) => s.execGas);
  const overall = { n: samples.length, p50: pct(allGas, 0.5), p90: pct(allGas, 0.9), max: Math.max(...allGas), execP50: pct(allExec, 0.5), execMax: Math.max(...allExec) };

  // ---- memory-touching steps by memory tree depth
  const memFamilies = new Set(["memory", "bulk", "host"]);
  const depths = [...new Set(samples.filter((s) => memFamilies.has(s.family)).map((s) => s.memDepth))].sort((a, b) => a - b);
  const byDepth = depths.map((dep) => {
    const xs = samples.filter((s) => memFamilies.has(s.family) && s.memDepth === dep).map((s) => s.gas);
    const ex = samples.filter((s) => memFamilies.has(s.family) && s.memDepth === dep).map((s) => s.execGas);
    return { memDepth: dep, n: xs.length, p50: pct(xs, 0.5), max: Math.max(...xs), execP50: pct(ex, 0.5), execMax: Math.max(...ex) };
  });

  // ---- moves of many values (spec/EXECUTION.md section 5): the worst step of each shape at N = 20,000
  const MOVE_N = 20_000;
  const moves: { shape: string; call: string; gas: number; op: string; words: number; steps: number }[] = [];
  for (const shape of ARITY_SHAPES) {
    const p = arityProgram(shape, MOVE_N);
    const cm = await compileWat(p.wat, `${shape}-${MOVE_N}.wat`);
    for (const c of p.calls) {
      // Every step from the N-th on (the moves and what follows), the 12 longest proofs measured.
      const cases = proveInvocation(cm, c.name, MOVE_N).filter((x) => !x.op.startsWith("terminal:"));
      const longest = [...cases].sort((a, b) => b.proof.length - a.proof.length).slice(0, 12);
      let worst = { gas: 0, op: "", words: 0 };
      for (const x of longest) {
        const gas = Number(await estimateProveGas(d, x.before, x.proof));
        if (gas > worst.gas) worst = { gas, op: x.op, words: (x.proof.length - 2) / 64 };
      }
      moves.push({ shape, call: c.name, ...worst, steps: cases.length });
      process.stderr.write(`moves ${shape} ${c.name}: ${cases.length} steps proven\n`);
    }
  }

  // ---- sizes
  const sizes = PROVER_CONTRACTS.map((n) => ({ contract: n, bytes: deployedSize(loadArtifact(n)), deployGas: Number(d.deploy.gasUsed[n]) }));

  const lines: string[] = [];
  lines.push(`proveOneStep gas (eth_estimateGas: 21,000 + calldata + execution), ${fmt(samples.length)} steps: ${vectors.length} spec vectors + corpus`);
  lines.push("");
  lines.push(`${"family".padEnd(11)} ${"steps".padStart(6)} ${"p50".padStart(8)} ${"max".padStart(8)} ${"floor p50".padStart(9)} ${"at floor".padStart(8)} ${"exec p50".padStart(8)} ${"exec max".padStart(8)}  worst case (tx gas)`);
  for (const r of rows)
    lines.push(
      `${r.family.padEnd(11)} ${String(r.n).padStart(6)} ${fmt(r.p50).padStart(8)} ${fmt(r.max).padStart(8)} ${fmt(r.floorP50).padStart(9)} ${`${(100 * r.floorBound).toFixed(0)}%`.padStart(8)} ${fmt(r.execP50).padStart(8)} ${fmt(r.execMax).padStart(8)}  ${r.maxOp}, ${r.maxWords} words (${r.maxSource})`,
    );
  lines.push(`${"all".padEnd(11)} ${String(overall.n).padStart(6)} ${fmt(overall.p50).padStart(8)} ${fmt(overall.max).padStart(8)} ${"".padStart(9)} ${"".padStart(8)} ${fmt(overall.execP50).padStart(8)} ${fmt(overall.execMax).padStart(8)}  (tx gas p90 ${fmt(overall.p90)})`);
  lines.push("floor p50: the EIP-7623 calldata floor of the transaction (21,000 + 10 per zero byte + 40 per non-zero byte);");
  lines.push("at floor: share of steps whose gas is that floor (calldata, not execution, sets their price);");
  lines.push("exec: gas of the proveOneStep call made from a contract (ProveOneStepGasProbe), without the transaction's 21,000 and calldata");
  lines.push("");
  lines.push("memory, bulk and host steps by memory tree depth (maxMemoryPages 4 -> 13, 1024 -> 21, 65536 -> 27):");
  for (const r of byDepth)
    lines.push(`  depth ${String(r.memDepth).padStart(2)}: ${String(r.n).padStart(5)} steps, tx gas p50 ${fmt(r.p50).padStart(7)} max ${fmt(r.max).padStart(7)}; exec p50 ${fmt(r.execP50).padStart(6)} max ${fmt(r.execMax).padStart(6)}`);
  lines.push("");
  lines.push(`moves of ${fmt(MOVE_N)} values (K = 16 a step): the worst step of each shape (tx gas)`);
  for (const r of moves)
    lines.push(`  ${`${r.shape} / ${r.call}`.padEnd(22)} ${fmt(r.gas).padStart(8)}  ${r.op}, ${r.words} words (of ${fmt(r.steps)} steps proven) ${r.gas <= MAX_TARGET ? "" : "OVER the max target"}`);
  lines.push("");
  lines.push(`targets: p50 <= ${fmt(P50_TARGET)} (${overall.p50 <= P50_TARGET ? "met" : "MISSED"}), max <= ${fmt(MAX_TARGET)} (${overall.max <= MAX_TARGET ? "met" : "MISSED"})`);
  lines.push("");
  lines.push(`${"contract".padEnd(22)} ${"runtime bytes".padStart(13)} ${"of 24,576".padStart(9)} ${"deploy gas".padStart(11)}`);
  for (const s of sizes) lines.push(`${s.contract.padEnd(22)} ${fmt(s.bytes).padStart(13)} ${`${((100 * s.bytes) / MAX_CONTRACT_SIZE).toFixed(0)}%`.padStart(9)} ${fmt(s.deployGas).padStart(11)}`);
  lines.push("");
  const protocol = await measureProtocolGas(d);
  lines.push(...formatProtocolGas(protocol));
  console.log(lines.join("\n"));

  const resultsDir = join(here, "results");
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    method: "eth_estimateGas of a proveOneStep call on hardhat's in-process network (hardfork osaka)",
    targets: { p50: P50_TARGET, max: MAX_TARGET },
    overall,
    families: rows,
    memoryByDepth: byDepth,
    moves,
    sizes,
    protocol,
    seconds: (Date.now() - t0) / 1000,
  };
  writeFileSync(join(resultsDir, "gas.json"), JSON.stringify(json, null, 2) + "\n");
  console.log(`\nwrote ${join("bench", "results", "gas.json")} (${json.seconds.toFixed(0)} s)`);
}

await main();
