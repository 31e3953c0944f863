/**
 * Test programs shared with other packages (the contracts' lockstep tests and
 * gas benchmark, fuzzers) and with this package's scripts (corpus build, vector
 * generation): imported as `@vwasm/wasm-stepper/testing`.
 */
export * from "./state-programs.ts";
export { i32, i64 } from "./compare.ts";
export { CORPUS, corpusBytes, type CorpusProgram } from "../corpus/corpus.ts";
export { refStateHash, refDepthFor } from "./reference.ts";
export { runV8Task, V8Machine, mapV8Error, type RefResult, type RefOptions } from "./v8.ts";
export { readBinInfo, encodeU32, type BinInfo, type BinSection } from "./wasm-binary.ts";
export { wasmToText, wat } from "./wat.ts";
export { checkSubset } from "./subset.ts";
export { classifyStep, compileWat, hex, lockstepRun, type StepInfo } from "./state.ts";
export { ARITY_SHAPES, ARITY_SIZES, arityProgram, firstMoveStep, type ArityProgram } from "./arity-programs.ts";
export { FULL_SWEEPS, sampleOf, seedOf, sweep, type SampleOptions } from "./sample.ts";
export { randomBytes } from "./random-bytes.ts";
