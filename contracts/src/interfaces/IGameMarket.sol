// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TaskStatus} from "./ProtocolTypes.sol";

/// @title IGameMarket
/// @notice The part of the task market the dispute game uses (TaskMarket implements it besides ITaskMarket).
interface IGameMarket {
    /// @notice What a game needs to open against the current result of `taskId`.
    function disputeInfo(uint256 taskId)
        external
        view
        returns (
            TaskStatus status,
            uint32 attempt,
            address solver,
            bytes32 initialStateHash,
            bytes32 finalStateHash,
            uint64 steps,
            uint64 challengeDeadline
        );
    /// @notice Whether the result of (taskId, attempt) still stands (submitted, not refuted).
    function resultStands(uint256 taskId, uint32 attempt) external view returns (bool);
    function onGameOpened(uint256 taskId, uint32 attempt) external;
    function onChallengerWon(uint256 taskId, uint32 attempt, uint256 gameId, address challenger) external;
    function onGameClosed(uint256 taskId, uint32 attempt) external;
    /// @notice Credits msg.value (ETH) to `account`'s withdrawable balance in the market.
    function creditFromGame(address account) external payable;
}
