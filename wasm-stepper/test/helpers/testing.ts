/**
 * Test programs shared with other packages (the contracts' lockstep tests and
 * gas benchmark, fuzzers): imported as `@vwasm/wasm-stepper/testing`.
 */
export * from "./state-programs.ts";
export { i32, i64 } from "./compare.ts";
export { CORPUS, corpusBytes, type CorpusProgram } from "../corpus/corpus.ts";
export { runV8Task, type RefResult } from "./v8.ts";
