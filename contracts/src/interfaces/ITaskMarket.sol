// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TaskParams, Task, ResultClaim} from "./ProtocolTypes.sol";

/// @title ITaskMarket
/// @notice Post a task (reward escrowed), claim it with a bond, submit a checked result, finalize after the
/// challenge window; cancel an unclaimed or unsolved task after its deadline. Payments are pulled (withdraw).
/// Every state change emits an event carrying what a daemon needs to rebuild the task from the chain alone.
interface ITaskMarket {
    event TaskPosted(
        uint256 indexed taskId,
        address indexed poster,
        bytes32 indexed moduleId,
        TaskParams params,
        bytes input,
        bytes32 inputRoot,
        bytes32 initialStateHash
    );
    event TaskClaimed(uint256 indexed taskId, address indexed solver, uint32 attempt, uint64 solveDeadline);
    /// @notice A claimer missed its solve window: its bond is forfeited and the task is open again.
    event ClaimExpired(uint256 indexed taskId, address indexed solver, uint32 attempt);
    event ResultSubmitted(
        uint256 indexed taskId,
        address indexed solver,
        uint32 attempt,
        ResultClaim result,
        bytes output,
        uint64 challengeDeadline
    );
    /// @notice A challenger won a game against the current result: the result is discarded, the task reopens.
    event ResultRejected(uint256 indexed taskId, uint32 attempt, uint256 indexed gameId, address indexed challenger);
    event TaskFinalized(uint256 indexed taskId, address indexed solver, uint32 attempt, ResultClaim result, bool callbackOk);
    event TaskCancelled(uint256 indexed taskId);
    /// @notice A balance became withdrawable (reward, returned bond, slashed share, refund).
    event Credited(address indexed account, address indexed token, uint256 amount);
    event Withdrawn(address indexed account, address indexed token, uint256 amount);

    /// @notice Posts a task; escrows `params.reward` (msg.value for ETH, transferFrom for an ERC-20).
    /// The input root and the task's initial state hash are computed on-chain.
    function postTask(TaskParams calldata params, bytes calldata input) external payable returns (uint256 taskId);

    /// @notice Claims an open task by posting exactly `params.solverBond` in msg.value.
    function claimTask(uint256 taskId) external payable;

    /// @notice Submits the result of the current claim: the final state hash, the final header's words
    /// (the same words a proof starts with; they must hash to finalStateHash and be a terminal state) and the
    /// output bytes (they must match the header's output fields).
    function submitResult(uint256 taskId, bytes32 finalStateHash, bytes calldata headerWords, bytes calldata output) external;

    /// @notice Anyone: forfeits the bond of a claimer whose solve window passed and reopens the task.
    function expireClaim(uint256 taskId) external;

    /// @notice Anyone, after the challenge window with no game open: the result becomes final, reward and bond
    /// are credited to the solver, the consumer is called back (bounded gas, its failure never blocks this).
    function finalize(uint256 taskId) external;

    /// @notice The poster, after the deadline, for a task that is open or whose claim expired: refunds the reward.
    function cancelTask(uint256 taskId) external;

    /// @notice Pays out the caller's whole withdrawable balance of `token` (address(0) = ETH).
    function withdraw(address token) external returns (uint256 amount);

    function getTask(uint256 taskId) external view returns (Task memory);
    function taskCount() external view returns (uint256);
    function withdrawable(address account, address token) external view returns (uint256);
    /// @notice The largest input postTask accepts, in bytes.
    function maxInputBytes() external view returns (uint256);
    function registry() external view returns (address);
    function game() external view returns (address);

    /// @notice Called by the dispute game only.
    function onGameOpened(uint256 taskId, uint32 attempt) external;
    /// @notice Called by the dispute game only: the challenger won, the result falls, the task reopens.
    function onChallengerWon(uint256 taskId, uint32 attempt, uint256 gameId, address challenger) external;
    /// @notice Called by the dispute game only: a game closed without refuting the result.
    function onGameClosed(uint256 taskId, uint32 attempt) external;
}
