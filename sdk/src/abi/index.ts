/** The protocol's ABIs, `as const` (generated from the compiled contracts: npm run gen -w sdk). */
export { disputeGameAbi, moduleRegistryAbi, taskMarketAbi } from "./generated.js";
