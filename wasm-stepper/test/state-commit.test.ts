import { describe, it, expect } from "vitest";
import { loadModule, Machine } from "../src/index.ts";
import { StateCommitment } from "../src/state/commit.ts";
import { toHex } from "../src/hash/keccak.ts";

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
