import { readFileSync } from "node:fs";
import { V8Machine, runV8Task } from "./v8.ts";
const b = readFileSync("examples/as/expr.wasm");
const inp = (s: string) => new TextEncoder().encode(s);
for (const s of ["1+2*3;(1+2)*3\n-7/2; -7%2 ; 1<<63; 0xff & 0x0f | 0x100 ^ 3; ~0; 9223372036854775807+1", "2*(3", "1 2", "", ";;\n", "5/0; 1", "4; -9223372036854775807-1 / -1", "-9223372036854775807-1 % -1", "1>>1;-8>>1"]) {
  const r = runV8Task(b, { input: inp(s) });
  console.log(JSON.stringify(s), r.status, r.trap, JSON.stringify(new TextDecoder().decode(r.output)));
}
const m = V8Machine.instantiate(b);
console.log(m.invoke("apply", [{ type: "i32", value: 43 }, { type: "i64", value: 5n }, { type: "i64", value: -7n }]));
console.log(m.invoke("apply", [{ type: "i32", value: 47 }, { type: "i64", value: 5n }, { type: "i64", value: 0n }]));
console.log(m.invoke("apply", [{ type: "i32", value: 1 }, { type: "i64", value: 5n }, { type: "i64", value: 0n }]));
console.log(m.invoke("digits", [{ type: "i64", value: -(2n**63n) }]));
