import { describe, it, expect } from "vitest";
import { loadModule, Machine } from "../src/index.ts";
import { StateCommitment } from "../src/state/commit.ts";
import { toHex } from "../src/hash/keccak.ts";
import { word } from "../src/state/header.ts";

const WAT = `(module (memory 1) (table 2 funcref) (elem (i32.const 0) $f) (global $g (mut i32) (i32.const 0))
  (func $f (export "f") (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get 0)))
    (i32.store (i32.mul (local.get 0) (i32.const 40)) (global.get $g))
    (if (result i32) (i32.gt_u (local.get 0) (i32.const 0))
      (then (call $f (i32.sub (local.get 0) (i32.const 1))))
      (else (global.get $g)))))`;

describe("StateCommitment", () => {
  it("several commitments of one machine agree, whichever hashed last", async () => {
    const cm = await loadModule(WAT);
    const m = Machine.instantiate(cm);
    m.prepareInvoke("f", [{ type: "i32", value: 6 }]);
    const a = new StateCommitment(m);
    const b = new StateCommitment(m);
    expect(toHex(a.stateHash())).toBe(toHex(b.stateHash()));
    let n = 0;
    while (m.status === "running") {
      m.step();
      n++;
      // Alternate which commitment looks; the other must notice it missed changes.
      const first = n % 3 === 0 ? a : b;
      const second = first === a ? b : a;
      const h1 = toHex(first.stateHash());
      expect(toHex(second.stateHash())).toBe(h1);
      expect(toHex(new StateCommitment(m).stateHash())).toBe(h1);
    }
    expect(m.result().results[0]!.value).toBe(21);
  });
});

describe("StateCommitment and stores of unchanged bytes", () => {
  // Stores the same byte over and over, then other bytes, then the first again: most stores
  // leave memory as it was, which must leave the hash as a fresh commitment computes it.
  const SAME = `(module (memory 1)
    (func (export "f") (param $n i32) (local $i i32)
      (loop $l
        (i32.store8 (i32.const 64) (i32.const 7))
        (i32.store8 (i32.and (local.get $i) (i32.const 3)) (i32.rem_u (local.get $i) (i32.const 5)))
        (i32.store16 (i32.const 64) (i32.const 7))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
    (data (i32.const 64) "\\07"))`;

  it("hashes after every step equal a fresh commitment's, and a no-op store keeps the memory root", async () => {
    const cm = await loadModule(SAME);
    const m = Machine.instantiate(cm);
    m.prepareInvoke("f", [{ type: "i32", value: 12 }]);
    const c = new StateCommitment(m);
    c.stateHash();
    let noOps = 0;
    while (m.status === "running") {
      const root = toHex(c.header().memoryRoot);
      const mem = m.memory.slice();
      m.step();
      const h = toHex(c.stateHash());
      expect(h).toBe(toHex(new StateCommitment(m).stateHash()));
      if (m.changes.dirtyCount === 0 && mem.every((v, i) => v === m.memory[i])) {
        expect(toHex(c.header().memoryRoot)).toBe(root);
        noOps++;
      }
    }
    expect(noOps).toBeGreaterThan(12);
  });
});

describe("StateCommitment across invocations", () => {
  // Each call writes `n` bytes of value `v` to the output: 40 bytes = one full leaf and a partial one.
  const OUT = `(module (import "task" "output_write" (func $out (param i32 i32))) (memory 1)
    (func (export "emit") (param $v i32) (param $n i32)
      (memory.fill (i32.const 0) (local.get $v) (local.get $n))
      (call $out (i32.const 0) (local.get $n))))`;
  const i32 = (value: number) => ({ type: "i32" as const, value });

  it("a commitment reused over several invocations equals a fresh one (the output restarts with each)", async () => {
    const cm = await loadModule(OUT);
    const m = Machine.instantiate(cm);
    const reused = new StateCommitment(m);
    // Outputs of the same number of full leaves, different bytes; the reused commitment is
    // consulted at the end of invocations (never at the start of the next one, where the output
    // is empty), once in the middle of one.
    const calls: [number, number][] = [[1, 40], [2, 40], [3, 40], [4, 70], [5, 33], [6, 40]];
    calls.forEach(([v, n], k) => {
      m.prepareInvoke("emit", [i32(v), i32(n)]);
      if (k === 4) {
        // Consulted mid-invocation once too.
        m.runTo(3);
        expect(toHex(reused.stateHash())).toBe(toHex(new StateCommitment(m).stateHash()));
      }
      const r = m.run();
      expect(r.status).toBe("finished");
      expect(Array.from(r.output)).toEqual(new Array(n).fill(v));
      if (k !== 0) expect(toHex(reused.stateHash()), `after invocation ${k}`).toBe(toHex(new StateCommitment(m).stateHash()));
    });
    expect(toHex(reused.stateHash())).toBe(toHex(new StateCommitment(m).stateHash()));
  });

  it("after a restore to a snapshot with a different output, the reused commitment equals a fresh one", async () => {
    const cm = await loadModule(OUT);
    const m = Machine.instantiate(cm);
    const reused = new StateCommitment(m);
    m.invoke("emit", [i32(7), i32(40)]);
    const snap = m.snapshot();
    m.invoke("emit", [i32(9), i32(40)]);
    expect(toHex(reused.stateHash())).toBe(toHex(new StateCommitment(m).stateHash()));
    m.restore(snap);
    expect(toHex(reused.stateHash())).toBe(toHex(new StateCommitment(m).stateHash()));
  });
});

describe("word(): the number path writes the bytes of the bigint path", () => {
  it("agrees on counts up to 2^53 - 1, and refuses negative and fractional numbers", () => {
    const ns = [0, 1, 255, 256, 65535, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];
    for (let k = 0; k < 200; k++) ns.push(Math.floor(Math.random() * 2 ** (k % 53)));
    for (const n of ns) expect(toHex(word(n)), `n = ${n}`).toBe(BigInt(n).toString(16).padStart(64, "0"));
    expect(toHex(word(2 ** 60))).toBe((2n ** 60n).toString(16).padStart(64, "0"));
    expect(() => word(-1)).toThrow(RangeError);
    expect(() => word(1.5)).toThrow(RangeError);
  });
});
