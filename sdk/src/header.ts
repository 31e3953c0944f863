import spec from "@vwasm/wasm-stepper/spec/state.json" with { type: "json" };
import { hexToBytes, type Hex } from "viem";
import { InvalidParameterError } from "./errors.js";
import { MACHINE_STATUS, TRAP, type MachineStatus, type TrapName } from "./types.js";

export interface DecodedHeader {
  version: number;
  status: MachineStatus | "running";
  trap?: TrapName;
  steps: bigint;
  outputLength: bigint;
}

const W = spec.widths.word;
/** Word index of outputLength in the header: version, control, top, operands, locals, frames, globals, then the heap words (outputLength last). */
const OUTPUT_LENGTH_WORD = 7 + spec.widths.heapWords - 1;

/** Reads the status, trap, step count and output length from a state's header words (STATE.md section 4). */
export function decodeHeaderWords(words: Uint8Array | Hex): DecodedHeader {
  const b = typeof words === "string" ? hexToBytes(words) : words;
  if (b.length !== spec.widths.headerWords * W) throw new InvalidParameterError(`header words must be ${spec.widths.headerWords * W} bytes, got ${b.length}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const version = Number(dv.getBigUint64(W - 8));
  const status = MACHINE_STATUS[b[W]!];
  if (status === undefined) throw new InvalidParameterError(`status code ${b[W]} is unknown`);
  const trap = TRAP[b[W + 1]!];
  return { version, status, ...(trap ? { trap } : {}), steps: dv.getBigUint64(W + 10), outputLength: dv.getBigUint64(OUTPUT_LENGTH_WORD * W + W - 8) };
}
