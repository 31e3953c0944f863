import { readFileSync } from "node:fs";
import * as zlib from "node:zlib";
import { V8Machine, runV8Task } from "./v8.ts";
const inp = (s: string) => new TextEncoder().encode(s);
const fact = (n: number) => { let r = 1n; for (let k = 2n; k <= BigInt(n); k++) r *= k; return r; };
const b = readFileSync("examples/as/bigint.wasm");
for (const n of ["", "0", "1", "20", "100", "1000", "3000", "99999"]) {
  const r = runV8Task(b, { input: inp(n) });
  const N = n === "" ? 100 : Math.min(Number(n), 3000);
  console.log(n, r.status, new TextDecoder().decode(r.output) === fact(N).toString());
}
const m = V8Machine.instantiate(b);
console.log(m.invoke("factorialDigits", [{ type: "i32", value: 500 }]).results, fact(500).toString().length);
console.log(m.invoke("mulSmall", [{ type: "i64", value: -3n }, { type: "i64", value: 0x123456789n }]).results, BigInt.asIntN(64, -3n * 0x123456789n));
console.log(m.invoke("fib64", [{ type: "i32", value: 100 }]).results);
const c = readFileSync("examples/as/crc32.wasm");
for (const n of [0, 1, 100, 6000, 20000]) {
  const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + 17) ^ (i >> 8));
  const r = runV8Task(c, { input: data });
  let a = 1, bb = 0; for (const x of data) { a = (a + x) % 65521; bb = (bb + a) % 65521; }
  const dv = new DataView(r.output.buffer);
  console.log(n, r.status, dv.getUint32(0, true) === zlib.crc32(data), dv.getUint32(4, true) === ((bb << 16) | a) >>> 0);
}
const s = readFileSync("examples/as/sort.wasm");
for (const n of [0, 1, 2, 10, 1000, 5000]) {
  const input = new Uint8Array(8); new DataView(input.buffer).setUint32(0, n, true); new DataView(input.buffer).setUint32(4, 12345, true);
  const r = runV8Task(s, { input });
  console.log(n, r.status, r.trap, Buffer.from(r.output).toString("hex"));
}
const sm = V8Machine.instantiate(s);
console.log(sm.invoke("quicksortChecksum", [{ type: "i32", value: 300 }, { type: "i32", value: 7 }]).results, sm.invoke("mergesortChecksum", [{ type: "i32", value: 300 }, { type: "i32", value: 7 }]).results);
