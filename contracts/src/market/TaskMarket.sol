// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {IGameMarket} from "../interfaces/IGameMarket.sol";
import {IModuleRegistry} from "../interfaces/IModuleRegistry.sol";
import {ITaskConsumer} from "../interfaces/ITaskConsumer.sol";
import {ModuleFields, Limits, TaskParams, Task, TaskStatus, ResultClaim} from "../interfaces/ProtocolTypes.sol";
import {TaskSpec} from "../task/TaskSpec.sol";

/// @title TaskMarket
/// @notice Post a task (reward escrowed in ETH or an ERC-20), claim it with an ETH bond, submit a result that passes
/// the result check (TaskSpec.checkResult), finalize after the challenge window with no game open. A challenger who
/// wins a game (DisputeGame) makes the result fall: the solver's bond is slashed (WINNER_SHARE_BPS to the
/// challenger, the rest burned) and the task reopens. Every payment is credited to a withdrawable balance and pulled
/// with `withdraw`.
/// @dev Ids start at 1. Every external function that moves value or changes a task is nonReentrant and follows
/// checks-effects-interactions; the only calls out are the reward token (post, withdraw), ETH to a withdrawer or to
/// the burn address, and the consumer callback (bounded gas, result ignored).
contract TaskMarket is ITaskMarket, IGameMarket, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---- errors
    /// @notice Thrown when the input is larger than MAX_INPUT_BYTES.
    error InputTooLarge(uint256 length, uint256 max);
    /// @notice Thrown when the task's maxOutputBytes is above MAX_OUTPUT_BYTES (a result must fit a transaction).
    error OutputLimitTooLarge(uint256 maxOutputBytes, uint256 max);
    /// @notice Thrown (by the registry, bubbled up) when the module id is not registered.
    error UnknownModule(bytes32 moduleId);
    /// @notice Thrown when the solver bond asked is below the market's minimum.
    error BondTooSmall(uint256 bond, uint256 min);
    /// @notice Thrown when a window is zero or longer than MAX_WINDOW.
    error BadWindow(uint256 window);
    /// @notice Thrown when a deadline is not in the future at posting time, or a claim comes at or after it.
    error DeadlinePassed(uint64 deadline);
    /// @notice Thrown when the consumer gas asked is above MAX_CONSUMER_GAS.
    error ConsumerGasTooHigh(uint256 gas, uint256 max);
    /// @notice Thrown when the reward or bond does not fit 128 bits.
    error AmountTooLarge(uint256 amount);
    /// @notice Thrown when msg.value is not exactly what the call requires (the ETH reward, the bond, or 0 with an ERC-20).
    error WrongValue(uint256 sent, uint256 required);
    /// @notice Thrown when the reward token is not a contract.
    error NotAToken(address token);
    /// @notice Thrown when an ERC-20 transfer delivered a different amount than asked (fee-on-transfer tokens).
    error TransferAmountMismatch(uint256 received, uint256 expected);
    /// @notice Thrown for a task id that was never posted.
    error UnknownTask(uint256 taskId);
    /// @notice Thrown when the task is not in a phase that allows the call.
    error WrongPhase(TaskStatus status);
    /// @notice Thrown when the caller is not the task's current solver.
    error NotSolver(address caller, address solver);
    /// @notice Thrown when the caller is not the task's poster.
    error NotPoster(address caller, address poster);
    /// @notice Thrown when a result comes after the solve window.
    error SolveWindowOver(uint64 solveDeadline);
    /// @notice Thrown when a claim is expired before its solve window ended.
    error SolveWindowOpen(uint64 solveDeadline);
    /// @notice Thrown when a result at step 0 is not the initial state (a step-0 result is checked directly).
    error ResultAtStepZeroMismatch(bytes32 finalStateHash, bytes32 initialStateHash);
    /// @notice Thrown when finalize comes before the challenge window ended.
    error ChallengeWindowOpen(uint64 challengeDeadline);
    /// @notice Thrown when a game is opened after the challenge window.
    error ChallengeWindowOver(uint64 challengeDeadline);
    /// @notice Thrown when finalize comes while games are still open against the result.
    error GamesOpen(uint32 openGames);
    /// @notice Thrown when cancel comes before the deadline.
    error BeforeDeadline(uint64 deadline);
    /// @notice Thrown when the caller has nothing to withdraw in that token.
    error NothingToWithdraw(address account, address token);
    /// @notice Thrown when sending ETH to a withdrawer fails.
    error EthTransferFailed(address to, uint256 amount);
    /// @notice Thrown when a game-only function is called by anyone else.
    error NotGame(address caller);
    /// @notice Thrown when the attempt a game names is not the task's current one.
    error StaleAttempt(uint32 attempt, uint32 current);
    /// @notice Thrown when finalize is not given enough gas to forward consumerGas to the consumer.
    error InsufficientGasForCallback(uint256 gasLeft, uint256 needed);

    // ---- parameters
    /// @notice The largest task input (bytes); its Merkle root is computed on-chain.
    uint256 public constant MAX_INPUT_BYTES = 64 * 1024;
    /// @notice The largest maxOutputBytes a task may set (a result carries its output in calldata).
    uint256 public constant MAX_OUTPUT_BYTES = 64 * 1024;
    /// @notice The longest solve or challenge window.
    uint256 public constant MAX_WINDOW = 365 days;
    /// @notice The most gas a consumer callback may be given.
    uint256 public constant MAX_CONSUMER_GAS = 1_000_000;
    /// @notice Share of a slashed bond credited to the winner, in basis points; the rest is burned.
    uint256 public constant WINNER_SHARE_BPS = 5_000;
    /// @notice Where burned ETH goes.
    address public constant BURN_ADDRESS = address(0);

    IModuleRegistry private immutable registry_;
    address private immutable game_;
    /// @notice The smallest solver bond a task may ask (sized so the winner's share covers a whole dispute's gas).
    uint256 public immutable minSolverBond;

    /// @dev A task as stored (packed; getTask expands it to `Task`).
    struct Stored {
        address poster;
        TaskStatus status;
        uint32 attempt;
        uint32 openGames;
        bytes32 moduleId;
        Limits limits;
        address rewardToken;
        uint64 deadline;
        uint128 reward;
        uint128 solverBond;
        uint64 solveWindow;
        uint64 challengeWindow;
        uint64 consumerGas;
        uint64 inputLength;
        address consumer;
        bytes32 inputRoot;
        bytes32 initialStateHash;
        address solver;
        uint64 solveDeadline;
        uint64 challengeDeadline;
        uint64 steps;
        uint8 resultStatus;
        uint8 trapCode;
        bytes32 finalStateHash;
        bytes32 outputHash;
    }

    mapping(uint256 => Stored) private tasks;
    uint256 private count;
    mapping(address => mapping(address => uint256)) private balances;

    constructor(IModuleRegistry registry__, address game__, uint256 minSolverBond_) {
        registry_ = registry__;
        game_ = game__;
        minSolverBond = minSolverBond_;
    }

    modifier onlyGame() {
        if (msg.sender != game_) revert NotGame(msg.sender);
        _;
    }

    // ---- posting

    /// @inheritdoc ITaskMarket
    function postTask(TaskParams calldata p, bytes calldata input) external payable nonReentrant returns (uint256 taskId) {
        if (input.length > MAX_INPUT_BYTES) revert InputTooLarge(input.length, MAX_INPUT_BYTES);
        if (p.limits.maxOutputBytes > MAX_OUTPUT_BYTES) revert OutputLimitTooLarge(p.limits.maxOutputBytes, MAX_OUTPUT_BYTES);
        if (p.solverBond < minSolverBond) revert BondTooSmall(p.solverBond, minSolverBond);
        if (p.reward > type(uint128).max) revert AmountTooLarge(p.reward);
        if (p.solverBond > type(uint128).max) revert AmountTooLarge(p.solverBond);
        if (p.solveWindow == 0 || p.solveWindow > MAX_WINDOW) revert BadWindow(p.solveWindow);
        if (p.challengeWindow == 0 || p.challengeWindow > MAX_WINDOW) revert BadWindow(p.challengeWindow);
        if (p.deadline <= block.timestamp) revert DeadlinePassed(p.deadline);
        if (p.consumerGas > MAX_CONSUMER_GAS) revert ConsumerGasTooHigh(p.consumerGas, MAX_CONSUMER_GAS);
        if (p.rewardToken != address(0) && p.rewardToken.code.length == 0) revert NotAToken(p.rewardToken);
        uint256 expectedValue = p.rewardToken == address(0) ? p.reward : 0;
        if (msg.value != expectedValue) revert WrongValue(msg.value, expectedValue);

        ModuleFields memory f = registry_.getModule(p.moduleId);
        bytes32 root = TaskSpec.inputRoot(input);
        Limits memory limits = p.limits;
        bytes32 initial = TaskSpec.initialStateHash(f, root, input.length, limits);

        taskId = ++count;
        Stored storage t = tasks[taskId];
        t.poster = msg.sender;
        t.status = TaskStatus.Open;
        t.moduleId = p.moduleId;
        t.limits = limits;
        t.rewardToken = p.rewardToken;
        t.deadline = p.deadline;
        t.reward = uint128(p.reward);
        t.solverBond = uint128(p.solverBond);
        t.solveWindow = p.solveWindow;
        t.challengeWindow = p.challengeWindow;
        t.consumerGas = p.consumerGas;
        t.inputLength = uint64(input.length);
        t.consumer = p.consumer;
        t.inputRoot = root;
        t.initialStateHash = initial;
        emit TaskPosted(taskId, msg.sender, p.moduleId, p, input, root, initial);

        if (p.rewardToken != address(0) && p.reward != 0) {
            IERC20 token = IERC20(p.rewardToken);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), p.reward);
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != p.reward) revert TransferAmountMismatch(received, p.reward);
        }
    }

    // ---- solving

    /// @inheritdoc ITaskMarket
    function claimTask(uint256 taskId) external payable nonReentrant {
        Stored storage t = task(taskId);
        if (t.status == TaskStatus.Claimed && block.timestamp > t.solveDeadline) expire(taskId, t);
        if (t.status != TaskStatus.Open) revert WrongPhase(t.status);
        if (block.timestamp >= t.deadline) revert DeadlinePassed(t.deadline);
        if (msg.value != t.solverBond) revert WrongValue(msg.value, t.solverBond);
        uint32 attempt = ++t.attempt;
        uint64 solveDeadline = uint64(block.timestamp) + t.solveWindow;
        t.status = TaskStatus.Claimed;
        t.solver = msg.sender;
        t.solveDeadline = solveDeadline;
        emit TaskClaimed(taskId, msg.sender, attempt, solveDeadline);
    }

    /// @inheritdoc ITaskMarket
    function submitResult(uint256 taskId, bytes32 finalStateHash, bytes calldata headerWords, bytes calldata output)
        external
        nonReentrant
    {
        Stored storage t = task(taskId);
        if (t.status != TaskStatus.Claimed) revert WrongPhase(t.status);
        if (msg.sender != t.solver) revert NotSolver(msg.sender, t.solver);
        if (block.timestamp > t.solveDeadline) revert SolveWindowOver(t.solveDeadline);
        ResultClaim memory c = TaskSpec.checkResult(finalStateHash, headerWords, output);
        if (c.steps == 0 && finalStateHash != t.initialStateHash) {
            revert ResultAtStepZeroMismatch(finalStateHash, t.initialStateHash);
        }
        uint64 challengeDeadline = uint64(block.timestamp) + t.challengeWindow;
        t.status = TaskStatus.Submitted;
        t.challengeDeadline = challengeDeadline;
        t.finalStateHash = finalStateHash;
        t.outputHash = c.outputHash;
        t.steps = c.steps;
        t.resultStatus = c.status;
        t.trapCode = c.trapCode;
        emit ResultSubmitted(taskId, msg.sender, t.attempt, c, output, challengeDeadline);
    }

    /// @inheritdoc ITaskMarket
    function expireClaim(uint256 taskId) external nonReentrant {
        Stored storage t = task(taskId);
        if (t.status != TaskStatus.Claimed) revert WrongPhase(t.status);
        if (block.timestamp <= t.solveDeadline) revert SolveWindowOpen(t.solveDeadline);
        expire(taskId, t);
    }

    /// @dev The claimer's bond is burned (a poster gains nothing from a missed window) and the task reopens.
    function expire(uint256 taskId, Stored storage t) private {
        address solver = t.solver;
        uint256 bond = t.solverBond;
        t.status = TaskStatus.Open;
        t.solver = address(0);
        t.solveDeadline = 0;
        emit ClaimExpired(taskId, solver, t.attempt);
        burn(bond);
    }

    /// @inheritdoc ITaskMarket
    function finalize(uint256 taskId) external nonReentrant {
        Stored storage t = task(taskId);
        if (t.status != TaskStatus.Submitted) revert WrongPhase(t.status);
        if (block.timestamp <= t.challengeDeadline) revert ChallengeWindowOpen(t.challengeDeadline);
        if (t.openGames != 0) revert GamesOpen(t.openGames);
        t.status = TaskStatus.Finalized;
        address solver = t.solver;
        credit(solver, t.rewardToken, t.reward);
        credit(solver, address(0), t.solverBond);
        ResultClaim memory c = resultOf(t);
        bool ok = true;
        address consumer = t.consumer;
        if (consumer != address(0)) ok = callConsumer(consumer, t.consumerGas, taskId, c);
        emit TaskFinalized(taskId, solver, t.attempt, c, ok);
    }

    /// @dev Calls the consumer with exactly `gasLimit` gas (reverting if the caller did not leave enough for that,
    /// so a finalizer cannot starve the callback) and without copying its return data.
    function callConsumer(address consumer, uint256 gasLimit, uint256 taskId, ResultClaim memory c) private returns (bool ok) {
        bytes memory data = abi.encodeCall(ITaskConsumer.onTaskResult, (taskId, c));
        uint256 needed = gasLimit + gasLimit / 63 + 5_000;
        if (gasleft() < needed) revert InsufficientGasForCallback(gasleft(), needed);
        assembly ("memory-safe") {
            ok := call(gasLimit, consumer, 0, add(data, 32), mload(data), 0, 0)
        }
    }

    /// @inheritdoc ITaskMarket
    function cancelTask(uint256 taskId) external nonReentrant {
        Stored storage t = task(taskId);
        if (msg.sender != t.poster) revert NotPoster(msg.sender, t.poster);
        if (block.timestamp < t.deadline) revert BeforeDeadline(t.deadline);
        if (t.status == TaskStatus.Claimed && block.timestamp > t.solveDeadline) expire(taskId, t);
        if (t.status != TaskStatus.Open) revert WrongPhase(t.status);
        t.status = TaskStatus.Cancelled;
        credit(t.poster, t.rewardToken, t.reward);
        emit TaskCancelled(taskId);
    }

    /// @inheritdoc ITaskMarket
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        amount = balances[msg.sender][token];
        if (amount == 0) revert NothingToWithdraw(msg.sender, token);
        balances[msg.sender][token] = 0;
        emit Withdrawn(msg.sender, token, amount);
        if (token == address(0)) {
            (bool ok,) = payable(msg.sender).call{value: amount}("");
            if (!ok) revert EthTransferFailed(msg.sender, amount);
        } else {
            IERC20(token).safeTransfer(msg.sender, amount);
        }
    }

    // ---- the dispute game's hooks

    /// @inheritdoc IGameMarket
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
        )
    {
        Stored storage t = task(taskId);
        return (t.status, t.attempt, t.solver, t.initialStateHash, t.finalStateHash, t.steps, t.challengeDeadline);
    }

    /// @inheritdoc IGameMarket
    function resultStands(uint256 taskId, uint32 attempt) public view returns (bool) {
        Stored storage t = tasks[taskId];
        return t.status == TaskStatus.Submitted && t.attempt == attempt;
    }

    /// @inheritdoc ITaskMarket
    function onGameOpened(uint256 taskId, uint32 attempt) external override(ITaskMarket, IGameMarket) onlyGame nonReentrant {
        Stored storage t = task(taskId);
        if (t.status != TaskStatus.Submitted) revert WrongPhase(t.status);
        if (t.attempt != attempt) revert StaleAttempt(attempt, t.attempt);
        if (block.timestamp > t.challengeDeadline) revert ChallengeWindowOver(t.challengeDeadline);
        t.openGames++;
    }

    /// @inheritdoc ITaskMarket
    function onChallengerWon(uint256 taskId, uint32 attempt, uint256 gameId, address challenger)
        external
        override(ITaskMarket, IGameMarket)
        onlyGame
        nonReentrant
    {
        Stored storage t = tasks[taskId];
        if (!resultStands(taskId, attempt)) return;
        uint256 bond = t.solverBond;
        uint256 share = (bond * WINNER_SHARE_BPS) / 10_000;
        t.status = TaskStatus.Open;
        t.openGames = 0;
        t.solver = address(0);
        t.solveDeadline = 0;
        t.challengeDeadline = 0;
        emit ResultRejected(taskId, attempt, gameId, challenger);
        credit(challenger, address(0), share);
        burn(bond - share);
    }

    /// @inheritdoc ITaskMarket
    function onGameClosed(uint256 taskId, uint32 attempt) external override(ITaskMarket, IGameMarket) onlyGame nonReentrant {
        if (resultStands(taskId, attempt)) tasks[taskId].openGames--;
    }

    /// @inheritdoc IGameMarket
    function creditFromGame(address account) external payable onlyGame nonReentrant {
        credit(account, address(0), msg.value);
    }

    // ---- views

    /// @inheritdoc ITaskMarket
    function getTask(uint256 taskId) external view returns (Task memory r) {
        Stored storage t = task(taskId);
        r.params = TaskParams({
            moduleId: t.moduleId,
            limits: t.limits,
            rewardToken: t.rewardToken,
            reward: t.reward,
            solverBond: t.solverBond,
            solveWindow: t.solveWindow,
            challengeWindow: t.challengeWindow,
            deadline: t.deadline,
            consumer: t.consumer,
            consumerGas: t.consumerGas
        });
        r.poster = t.poster;
        r.inputRoot = t.inputRoot;
        r.inputLength = t.inputLength;
        r.initialStateHash = t.initialStateHash;
        r.status = t.status;
        r.attempt = t.attempt;
        r.solver = t.solver;
        r.solveDeadline = t.solveDeadline;
        r.challengeDeadline = t.challengeDeadline;
        r.openGames = t.openGames;
        r.result = resultOf(t);
    }

    /// @inheritdoc ITaskMarket
    function taskCount() external view returns (uint256) {
        return count;
    }

    /// @inheritdoc ITaskMarket
    function withdrawable(address account, address token) external view returns (uint256) {
        return balances[account][token];
    }

    /// @inheritdoc ITaskMarket
    function maxInputBytes() external pure returns (uint256) {
        return MAX_INPUT_BYTES;
    }

    /// @inheritdoc ITaskMarket
    function registry() external view returns (address) {
        return address(registry_);
    }

    /// @inheritdoc ITaskMarket
    function game() external view returns (address) {
        return game_;
    }

    // ---- internals

    function task(uint256 taskId) private view returns (Stored storage t) {
        t = tasks[taskId];
        if (t.status == TaskStatus.None) revert UnknownTask(taskId);
    }

    function resultOf(Stored storage t) private view returns (ResultClaim memory) {
        return ResultClaim({
            finalStateHash: t.finalStateHash,
            outputHash: t.outputHash,
            steps: t.steps,
            status: t.resultStatus,
            trapCode: t.trapCode
        });
    }

    function credit(address account, address token, uint256 amount) private {
        if (amount == 0) return;
        balances[account][token] += amount;
        emit Credited(account, token, amount);
    }

    function burn(uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = payable(BURN_ADDRESS).call{value: amount}("");
        if (!ok) revert EthTransferFailed(BURN_ADDRESS, amount);
    }
}
