// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ResultClaim} from "./ProtocolTypes.sol";

/// @title ITaskConsumer
/// @notice What a task's `consumer` implements: the market calls it once, when the task's result becomes final,
/// with the gas the poster set (`TaskParams.consumerGas`); a revert or an out-of-gas never blocks finalization.
/// @dev The consumer must check `msg.sender` is the market it trusts. The result carries `outputHash`; the output
/// bytes are in the market's `ResultSubmitted` event and check against it with `TaskSpec.outputHash(bytes)`.
/// What was computed (module, input root, limits) is `ITaskMarket.getTask(taskId)`.
interface ITaskConsumer {
    function onTaskResult(uint256 taskId, ResultClaim calldata result) external;
}
