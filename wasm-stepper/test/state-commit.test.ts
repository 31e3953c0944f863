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
