import { loadModule, Machine } from "../../src/index.ts";
for (const body of ["local.get 0 local.get 1 i64.store", "local.get 0 local.get 1 i64.store align=8", "local.get 0 local.get 1 i64.store32", "local.get 0 local.get 1 i64.store16", "local.get 0 local.get 1 i64.store8"]) {
  try {
    const cm = await loadModule(`(module (memory 1) (func (export "f") (param i32 i64) ${body}))`);
    console.log(body, Machine.instantiate(cm).invoke("f", [{ type: "i32", value: 0 }, { type: "i64", value: 1n }]).status);
  } catch (e) { console.log(body, String(e)); }
}
