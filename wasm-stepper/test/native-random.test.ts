/**
 * Random structured programs (nested blocks, loops, if/else, br, br_if,
 * br_table, return, dead code, calls, call_indirect, multi-value, bulk
 * memory, host output, traps) run on the native engine and the interpreter
 * at EVERY step limit (`npm run test:full`; `npm test` tries a seeded sample
 * with the first and last limits): the region counting of the fast variant and
 * the per-step counting of the precise one must match the interpreter's steps,
 * status, trap, output and results exactly.
 */
import { describe, expect, it } from "vitest";
import { loadModule } from "../src/load.ts";
import { Machine } from "../src/machine.ts";
import { NativeInstance } from "../src/native/index.ts";
import type { RunResult } from "../src/types.ts";
import { norm } from "./helpers/run-result.ts";
import { FULL_SWEEPS, sweep } from "./helpers/sample.ts";


/** xorshift32: a deterministic generator per seed. */
class Rng {
  constructor(private s: number) {
    if (this.s === 0) this.s = 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

interface Label {
  name: string;
  loop: boolean;
}

/** Generates one module: functions f0..fN-1 (fK calls only fJ, J < K), $rec, $pair, a table, and `run`. */
function genProgram(seed: number): string {
  const rng = new Rng(seed * 2654435761);
  let labelNo = 0;
  const nFuncs = 3;

  const expr = (depth: number, fi: number): string => {
    const r = rng.int(depth > 2 ? 3 : 13);
    switch (r) {
      case 0:
        return `(i32.const ${rng.int(7) - 2})`;
      case 1:
        return `(local.get $${["x", "y", "p"][rng.int(3)]})`;
      case 2:
        return `(i32.add (local.get $x) (i32.const ${rng.int(100)}))`;
      case 3:
        return `(i32.${["add", "sub", "mul", "xor", "and", "shl", "rotl"][rng.int(7)]} ${expr(depth + 1, fi)} ${expr(depth + 1, fi)})`;
      case 4:
        // Traps when the divisor is 0.
        return `(i32.${["div_u", "rem_s", "div_s"][rng.int(3)]} ${expr(depth + 1, fi)} ${rng.chance(0.7) ? `(i32.or ${expr(depth + 1, fi)} (i32.const 1))` : expr(depth + 1, fi)})`;
      case 5:
        return `(i32.load8_u (i32.and ${expr(depth + 1, fi)} (i32.const 255)))`;
      case 6:
        return fi > 0 ? `(call $f${rng.int(fi)} ${expr(depth + 1, fi)})` : `(i32.const 3)`;
      case 7:
        return `(select ${expr(depth + 1, fi)} ${expr(depth + 1, fi)} ${expr(depth + 1, fi)})`;
      case 8:
        return `(if (result i32) ${expr(depth + 1, fi)} (then ${expr(depth + 1, fi)}) (else ${expr(depth + 1, fi)}))`;
      case 9:
        return `(i32.sub (call $pair ${expr(depth + 1, fi)}))`;
      case 10:
        return `(call $rec (i32.and ${expr(depth + 1, fi)} (i32.const 7)))`;
      case 11:
        // call_indirect over a table of 4 (entry 3 is null; index 4 is out of the table; $pair has another type).
        return `(call_indirect (type $t) ${expr(depth + 1, fi)} (i32.and ${expr(depth + 1, fi)} (i32.const ${rng.chance(0.8) ? 1 : 7})))`;
      default: {
        const l = `$v${labelNo++}`;
        return `(block ${l} (result i32) (drop (br_if ${l} (i32.const 9) ${expr(depth + 1, fi)})) ${expr(depth + 1, fi)})`;
      }
    }
  };

  const stmts = (labels: Label[], depth: number, fi: number, n: number): string => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(stmt(labels, depth, fi));
    return out.join("\n");
  };

  const blockLabel = (labels: Label[]): string | undefined => {
    const blocks = labels.filter((l) => !l.loop);
    return blocks.length ? blocks[rng.int(blocks.length)]!.name : undefined;
  };

  const stmt = (labels: Label[], depth: number, fi: number): string => {
    const r = rng.int(depth > 3 ? 6 : 16);
    switch (r) {
      case 0:
      case 1:
        return `(local.set $${rng.chance(0.5) ? "x" : "y"} ${expr(0, fi)})`;
      case 2:
        return `(i32.store8 (i32.and ${expr(0, fi)} (i32.const 255)) ${expr(0, fi)})`;
      case 3: {
        const l = blockLabel(labels);
        return l ? `(br_if ${l} ${expr(0, fi)})` : `(nop)`;
      }
      case 4:
        return `(call $ow (i32.and ${expr(0, fi)} (i32.const 127)) (i32.and ${expr(0, fi)} (i32.const 47)))`;
      case 5:
        return rng.chance(0.5)
          ? `(memory.copy (i32.and ${expr(0, fi)} (i32.const 127)) (i32.and ${expr(0, fi)} (i32.const 127)) (i32.and ${expr(0, fi)} (i32.const 90)))`
          : `(memory.fill (i32.and ${expr(0, fi)} (i32.const 127)) ${expr(0, fi)} (i32.and ${expr(0, fi)} (i32.const 70)))`;
      case 6:
      case 7: {
        const name = `$b${labelNo++}`;
        const inner = [...labels, { name, loop: false }];
        let body = stmts(inner, depth + 1, fi, 1 + rng.int(3));
        if (rng.chance(0.3)) body += `\n(br ${blockLabel(inner)})\n${stmts(inner, depth + 1, fi, rng.int(2))}`; // then dead code
        return `(block ${name}\n${body})`;
      }
      case 8:
      case 9: {
        // A loop bounded by the function's fuel.
        const name = `$l${labelNo++}`;
        const inner = [...labels, { name, loop: true }];
        return `(loop ${name}\n${stmts(inner, depth + 1, fi, 1 + rng.int(3))}\n(br_if ${name} (i32.gt_s (local.tee $fuel (i32.sub (local.get $fuel) (i32.const 1))) (i32.const 0))))`;
      }
      case 10:
      case 11: {
        const name = `$i${labelNo++}`;
        const inner = [...labels, { name, loop: false }];
        const thenArm = stmts(inner, depth + 1, fi, 1 + rng.int(2)) + (rng.chance(0.25) ? `\n(br ${name})\n(local.set $x (i32.const 77))` : "");
        return rng.chance(0.6)
          ? `(if ${name} ${expr(0, fi)} (then ${thenArm}) (else ${stmts(inner, depth + 1, fi, 1 + rng.int(2))}))`
          : `(if ${name} ${expr(0, fi)} (then ${thenArm}))`;
      }
      case 12: {
        // br_table to enclosing blocks, the function label included (a return).
        const a = `$t${labelNo++}`;
        const b = `$t${labelNo++}`;
        const targets = [a, b, ...labels.filter((l) => !l.loop).map((l) => l.name)];
        const pick = () => targets[rng.int(targets.length)]!;
        return `(block ${a} (block ${b} (br_table ${pick()} ${pick()} ${pick()} (i32.and ${expr(0, fi)} (i32.const 3))) ${stmts([...labels, { name: a, loop: false }, { name: b, loop: false }], depth + 1, fi, 1)}) ${stmts([...labels, { name: a, loop: false }], depth + 1, fi, 1)})`;
      }
      case 13: {
        // Ways out of the function: return, br_if and br_table to the function
        // label (by depth: every enclosing construct is in `labels`).
        const fnDepth = labels.length;
        const k = rng.int(4);
        if (k === 0) return `(if (i32.eqz ${expr(0, fi)}) (then (return (local.get $y))))`;
        if (k === 1) return `(drop (br_if ${fnDepth} (local.get $y) (i32.eqz ${expr(0, fi)})))`;
        if (k === 2) {
          const r = `$r${labelNo++}`;
          return `(drop (block ${r} (result i32) (br_table ${r} ${fnDepth + 1} ${r} (local.get $x) (i32.and ${expr(0, fi)} (i32.const 3)))))`;
        }
        return `(nop)`;
      }
      case 14:
        return rng.chance(0.5) ? `(drop ${expr(0, fi)})` : `(memory.copy (i32.const 200) (i32.const 0) (i32.const 60))`;
      default:
        return `(local.set $x (i32.add (local.get $x) ${expr(0, fi)}))`;
    }
  };

  const funcs: string[] = [];
  // Statements run inside `(block $fn ...)`; the function label is one further out.
  const top = (fi: number, n: number) => `(block $fn\n${stmts([{ name: "$fn", loop: false }], 0, fi, n)})`;
  for (let k = 0; k < nFuncs; k++) {
    funcs.push(`(func $f${k} (param $p i32) (result i32) (local $x i32) (local $y i32) (local $fuel i32)
      (local.set $fuel (i32.const ${2 + rng.int(5)}))
      (local.set $x (local.get $p))
      ${top(k, 2 + rng.int(4))}
      (i32.add (local.get $x) (local.get $y)))`);
  }
  return `(module
    (import "task" "output_write" (func $ow (param i32 i32)))
    (memory 1)
    (type $t (func (param i32) (result i32)))
    (table 4 funcref)
    (elem (i32.const 0) $f0 $rec $f1)
    (func $rec (param $p i32) (result i32)
      (if (result i32) (i32.gt_s (local.get $p) (i32.const 0))
        (then (i32.add (call $rec (i32.sub (local.get $p) (i32.const 1))) (local.get $p)))
        (else (i32.const 1))))
    (func $pair (param $p i32) (result i32 i32) (i32.mul (local.get $p) (i32.const 3)) (i32.const 5))
    ${funcs.join("\n")}
    (func (export "run") (result i32) (local $x i32) (local $y i32) (local $p i32) (local $fuel i32)
      (local.set $fuel (i32.const 4))
      ${top(nFuncs, 3 + rng.int(3))}
      (local.set $y (call $f${nFuncs - 1} (i32.const ${rng.int(9)})))
      (call $ow (i32.const 0) (i32.const 64))
      (local.get $y)))`;
}

/**
 * Limits of the random runs: a shallow call depth (mutual recursion through
 * the table traps early) and a step cap for the reference run.
 */
const LIMITS = { maxCallDepth: 40, maxSteps: 1_000_000 };

/**
 * `npm run test:full` (VWASM_FULL=1): every limit up to 500, then 30 sampled ones up to the
 * end of the run. `npm test`: the first and last limits, the end of the run and a seeded
 * sample of 40 (the same programs, so the same kinds of endings).
 */
function stepLimits(total: number, rng: Rng): number[] {
  if (!FULL_SWEEPS) return sweep(0, total + 1, { size: 40, keep: [total - 2, total - 1, 500, 501], seed: rng.int(2 ** 31) });
  const out: number[] = [];
  for (let s = 0; s <= Math.min(total + 1, 500); s++) out.push(s);
  if (total + 1 > 500) for (let k = 0; k < 30; k++) out.push(501 + rng.int(total - 499));
  return out;
}

describe("native engine on random structured programs", () => {
  const statuses = new Set<string>();
  for (let seed = 1; seed <= 30; seed++) {
    it(`program ${seed} agrees with the interpreter at the step limits, every one under test:full (fast and precise)`, async () => {
      const wat = genProgram(seed);
      const cm = await loadModule(wat);
      const ref = Machine.forTask(cm, { limits: LIMITS }).run();
      statuses.add(ref.status === "trapped" ? `trapped:${ref.trap}` : ref.status);
      expect(norm(NativeInstance.forTask(cm, { limits: LIMITS }).runTask())).toEqual(norm(ref));
      for (const s of stepLimits(ref.steps, new Rng(seed))) {
        const limits = { ...LIMITS, maxSteps: s };
        const want = norm(Machine.forTask(cm, { limits }).run());
        expect(norm(NativeInstance.forTask(cm, { limits }).runTask()), `seed ${seed}, fast, maxSteps=${s}\n${wat}`).toEqual(want);
        expect(norm(NativeInstance.forTask(cm, { limits, precise: true }).runTask()), `seed ${seed}, precise, maxSteps=${s}`).toEqual(want);
      }
    });
  }
  it("the programs finish, trap in several ways and run out of steps", () => {
    // Guards against a generator that stopped exercising the engine (runs after the programs above).
    expect(statuses.has("finished")).toBe(true);
    expect([...statuses].filter((x) => x.startsWith("trapped")).length).toBeGreaterThanOrEqual(3);
  });
});
