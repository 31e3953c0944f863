/** Hex helpers shared by the oracles (viem's Hex strings: 0x-prefixed lower case). */
import type { Hex } from "viem";

export function hex(b: Uint8Array): Hex {
  return `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")}`;
}

export function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));
}
