/**
 * @vwasm/sdk: typed actions on the protocol's contracts (viem style, one per file), the ABIs, error
 * classes, and the pure-JS hashes a browser dapp needs.
 */
export * from "./actions/index.js";
export * from "./abi/index.js";
export * from "./errors.js";
export * from "./hash.js";
export * from "./types.js";
export * from "./transport.js";
export { protocolActions } from "./decorator.js";
export { TransactionRevertedError, type WriteClient, type ReadClient, type WriteOptions, type WriteResult } from "./internal/write.js";
export { decodeHeaderWords, type DecodedHeader } from "./header.js";
export { disputedSegment, pickedRange } from "./dispute.js";
