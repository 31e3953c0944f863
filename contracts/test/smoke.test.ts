import { describe, it, beforeAll } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { deployOnHardhat, proveOneStep, estimateProveGas, type Deployed } from "./helpers/chain";

let d: Deployed;
beforeAll(async () => { d = await deployOnHardhat(); });

describe("smoke", () => {
  it("all vectors", async () => {
    const dir = new URL("../../wasm-stepper/spec/vectors/", import.meta.url);
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
      const vs = JSON.parse(readFileSync(new URL(f, dir), "utf8"));
      let ok = 0; const bad: string[] = []; const gas: number[] = [];
      for (const v of vs) {
        const r = await proveOneStep(d, v.before, v.proof);
        if (r.ok && r.after === v.after) { ok++; gas.push(Number(await estimateProveGas(d, v.before, v.proof))); } else bad.push(`${v.name}: ${JSON.stringify(r)}`);
      }
      gas.sort((a,b)=>a-b);
      console.log(f, ok, vs.length, "gas p50", gas[gas.length>>1], "max", gas[gas.length-1], bad.slice(0, 3));
    }
  });
});
