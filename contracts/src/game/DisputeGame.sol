// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IOneStepProofEntry} from "../osp/IOneStepProofEntry.sol";
import {IDisputeGame, Game, Party, GameEnd} from "../interfaces/IDisputeGame.sol";
import {IGameMarket} from "../interfaces/IGameMarket.sol";
import {TaskStatus} from "../interfaces/ProtocolTypes.sol";

/// @title DisputeGame
/// @notice k-ary dissection of a result claim over the trace positions [0, n] (n the claimed step count; state 0 is
/// the task's initial state, derived on-chain, state n the claimed final state), on chess clocks, adjudicated at one
/// step by OneStepProofEntry.proveOneStep.
///
/// Moves: the solver posts the state hashes at the k-1 interior positions of [lo, hi] (`positions`), the challenger
/// re-supplies them and picks the segment whose end it disputes (it agrees with the segment's start), until
/// hi = lo + 1; then anyone proves step lo from loHash: the challenger wins iff the proven post-state differs from
/// hiHash. A party's clock runs only while it owes a move (the solver a bisection; the challenger a pick or the
/// one-step proof); `timeout` ends the game against a party whose clock ran out. A move after the mover's clock ran
/// out reverts (ClockRanOut).
///
/// Settlement: a winning challenger gets its bond back and WINNER_SHARE_BPS of the solver's bond (the market slashes
/// it and reopens the task); a losing challenger's bond goes WINNER_SHARE_BPS to the solver and the rest is burned.
/// Once a result fell, every other game against it ends ResultFell with its bond returned. Payouts are credited to
/// the market's withdrawable balances.
/// @dev Storage per game: one hot slot (lo, hi, both clocks, turn start, turn, end) written by every move, the
/// disputed hashes, and the hash of the last bisection (never zeroed, so a bisection rewrites a non-zero slot).
contract DisputeGame is IDisputeGame, ReentrancyGuardTransient {
    /// @notice Thrown for a game id that was never opened.
    error UnknownGame(uint256 gameId);
    /// @notice Thrown when challenge() is not paid exactly the challenger bond.
    error WrongBond(uint256 sent, uint256 required);
    /// @notice Thrown when the task has no result open to challenges (wrong phase).
    error NotChallengeable(TaskStatus status);
    /// @notice Thrown when the challenge window of the result is over.
    error ChallengeWindowOver(uint64 challengeDeadline);
    /// @notice Thrown when the result is at step 0 (it equals the initial state: checked at submission).
    error NothingToDispute();
    /// @notice Thrown for any move on a game that has ended.
    error GameOver(GameEnd end);
    /// @notice Thrown when the party that does not owe the next move tries it.
    error NotYourTurn(Party turn);
    /// @notice Thrown when someone other than the game's solver bisects.
    error NotSolver(address caller);
    /// @notice Thrown when someone other than the game's challenger picks.
    error NotChallenger(address caller);
    /// @notice Thrown when the mover's clock has run out (the game can only be timed out).
    error ClockRanOut(Party party);
    /// @notice Thrown when a bisection does not post exactly min(k, hi - lo) - 1 hashes.
    error WrongHashCount(uint256 given, uint256 expected);
    /// @notice Thrown when the range is down to one step: no bisection or pick, only the one-step proof.
    error AtOneStep();
    /// @notice Thrown when the one-step proof comes before the range is down to one step.
    error NotAtOneStep(uint64 lo, uint64 hi);
    /// @notice Thrown when the re-supplied hashes are not the last bisection's.
    error WrongHashes();
    /// @notice Thrown when the picked segment index is not below the number of segments.
    error BadSegment(uint256 index, uint256 segments);
    /// @notice Thrown when timeout is called while the owing party's clock still runs.
    error ClockNotRunOut(Party party, uint64 left);
    /// @notice Thrown when close is called while the game's result still stands.
    error ResultStillStands();
    /// @notice Thrown when sending the burned part of a bond fails (it cannot: the burn address has no code).
    error BurnFailed();
    /// @notice Thrown when a constructor parameter is out of range.
    error BadParameter();

    /// @notice Share of a losing challenger's bond credited to the solver, in basis points; the rest is burned.
    uint256 public constant WINNER_SHARE_BPS = 5_000;
    address public constant BURN_ADDRESS = address(0);
    /// @dev A non-zero placeholder for `movesHash` before the first bisection.
    bytes32 private constant NO_MOVES = bytes32(uint256(1));

    IGameMarket public immutable market;
    IOneStepProofEntry public immutable entry;
    uint256 private immutable k_;
    uint256 private immutable bond_;
    uint64 private immutable clock_;

    /// @dev The hot slot, written by every move (31 bytes).
    struct Hot {
        uint64 lo;
        uint64 hi;
        uint32 solverClock;
        uint32 challengerClock;
        uint40 turnStarted;
        Party turn;
        GameEnd end;
    }

    struct Stored {
        Hot hot;
        address solver;
        uint32 attempt;
        Party winner;
        address challenger;
        uint64 taskId;
        bytes32 loHash;
        bytes32 hiHash;
        bytes32 movesHash;
    }

    mapping(uint256 => Stored) private games;
    uint256 private count;

    /// @param market__ the task market (TaskMarket), @param entry__ the one-step prover, @param k__ the branching
    /// factor (2..64), @param bond__ the challenger bond in wei, @param clock__ each party's clock in seconds.
    constructor(IGameMarket market__, IOneStepProofEntry entry__, uint256 k__, uint256 bond__, uint64 clock__) {
        if (k__ < 2 || k__ > 64 || clock__ == 0 || clock__ > type(uint32).max) revert BadParameter();
        market = market__;
        entry = entry__;
        k_ = k__;
        bond_ = bond__;
        clock_ = clock__;
    }

    /// @inheritdoc IDisputeGame
    function k() external view returns (uint256) {
        return k_;
    }

    /// @inheritdoc IDisputeGame
    function challengerBond() external view returns (uint256) {
        return bond_;
    }

    /// @inheritdoc IDisputeGame
    function clockSeconds() external view returns (uint64) {
        return clock_;
    }

    // ---- moves

    /// @inheritdoc IDisputeGame
    function challenge(uint256 taskId) external payable nonReentrant returns (uint256 gameId) {
        if (msg.value != bond_) revert WrongBond(msg.value, bond_);
        (TaskStatus status, uint32 attempt, address solver, bytes32 initial, bytes32 finalHash, uint64 n, uint64 deadline) =
            market.disputeInfo(taskId);
        if (status != TaskStatus.Submitted) revert NotChallengeable(status);
        if (block.timestamp > deadline) revert ChallengeWindowOver(deadline);
        if (n == 0) revert NothingToDispute();
        gameId = ++count;
        Stored storage g = games[gameId];
        Party turn = n == 1 ? Party.Challenger : Party.Solver;
        g.hot = Hot({
            lo: 0,
            hi: n,
            solverClock: uint32(clock_),
            challengerClock: uint32(clock_),
            turnStarted: uint40(block.timestamp),
            turn: turn,
            end: GameEnd.None
        });
        g.solver = solver;
        g.attempt = attempt;
        g.challenger = msg.sender;
        g.taskId = uint64(taskId);
        g.loHash = initial;
        g.hiHash = finalHash;
        g.movesHash = NO_MOVES;
        emit GameOpened(gameId, taskId, msg.sender, attempt, solver, 0, n, initial, finalHash, clock_);
        market.onGameOpened(taskId, attempt);
    }

    /// @inheritdoc IDisputeGame
    function bisect(uint256 gameId, bytes32[] calldata hashes) external nonReentrant {
        Stored storage g = games[gameId];
        Hot memory h = g.hot;
        checkMove(gameId, h, Party.Solver);
        if (msg.sender != g.solver) revert NotSolver(msg.sender);
        uint256 span = h.hi - h.lo;
        if (span == 1) revert AtOneStep();
        uint256 expected = (span < k_ ? span : k_) - 1;
        if (hashes.length != expected) revert WrongHashCount(hashes.length, expected);
        h.solverClock = spend(h, h.solverClock);
        h.turn = Party.Challenger;
        g.hot = h;
        g.movesHash = keccak256(abi.encode(hashes));
        emit Bisected(gameId, h.lo, h.hi, hashes);
    }

    /// @inheritdoc IDisputeGame
    function pick(uint256 gameId, bytes32[] calldata hashes, uint256 index) external nonReentrant {
        Stored storage g = games[gameId];
        Hot memory h = g.hot;
        checkMove(gameId, h, Party.Challenger);
        if (msg.sender != g.challenger) revert NotChallenger(msg.sender);
        uint256 span = h.hi - h.lo;
        if (span == 1) revert AtOneStep();
        if (keccak256(abi.encode(hashes)) != g.movesHash) revert WrongHashes();
        uint256 segments = hashes.length + 1;
        if (index >= segments) revert BadSegment(index, segments);
        uint64 lo = h.lo;
        uint64 newLo = uint64(lo + (span * index) / segments);
        uint64 newHi = uint64(lo + (span * (index + 1)) / segments);
        bytes32 loHash;
        bytes32 hiHash;
        if (index == 0) {
            loHash = g.loHash;
        } else {
            loHash = hashes[index - 1];
            g.loHash = loHash;
        }
        if (index == segments - 1) {
            hiHash = g.hiHash;
        } else {
            hiHash = hashes[index];
            g.hiHash = hiHash;
        }
        h.challengerClock = spend(h, h.challengerClock);
        h.lo = newLo;
        h.hi = newHi;
        // Down to one step the challenger owes the proof: its clock keeps running.
        h.turn = newHi - newLo == 1 ? Party.Challenger : Party.Solver;
        g.hot = h;
        emit Picked(gameId, index, newLo, newHi, loHash, hiHash);
    }

    /// @inheritdoc IDisputeGame
    function proveStep(uint256 gameId, bytes calldata proof) external nonReentrant {
        Stored storage g = games[gameId];
        Hot memory h = g.hot;
        checkMove(gameId, h, Party.Challenger);
        if (h.hi - h.lo != 1) revert NotAtOneStep(h.lo, h.hi);
        bytes32 afterHash = entry.proveOneStep(g.loHash, proof);
        Party winner = afterHash == g.hiHash ? Party.Solver : Party.Challenger;
        h.challengerClock = spend(h, h.challengerClock);
        emit StepProven(gameId, h.lo, afterHash, winner);
        resolve(gameId, g, h, winner, GameEnd.StepProven);
    }

    /// @inheritdoc IDisputeGame
    function timeout(uint256 gameId) external nonReentrant {
        Stored storage g = games[gameId];
        Hot memory h = g.hot;
        if (h.end != GameEnd.None) revert GameOver(h.end);
        if (h.turn == Party.None) revert UnknownGame(gameId);
        uint64 left = leftOf(h, h.turn);
        if (left != 0) revert ClockNotRunOut(h.turn, left);
        if (h.turn == Party.Solver) h.solverClock = 0;
        else h.challengerClock = 0;
        resolve(gameId, g, h, h.turn == Party.Solver ? Party.Challenger : Party.Solver, GameEnd.Timeout);
    }

    /// @inheritdoc IDisputeGame
    function close(uint256 gameId) external nonReentrant {
        Stored storage g = games[gameId];
        Hot memory h = g.hot;
        if (h.end != GameEnd.None) revert GameOver(h.end);
        if (h.turn == Party.None) revert UnknownGame(gameId);
        if (market.resultStands(g.taskId, g.attempt)) revert ResultStillStands();
        resolve(gameId, g, h, Party.None, GameEnd.ResultFell);
    }

    // ---- views

    /// @inheritdoc IDisputeGame
    function getGame(uint256 gameId) external view returns (Game memory r) {
        Stored storage g = games[gameId];
        Hot memory h = g.hot;
        if (h.turn == Party.None && h.end == GameEnd.None) revert UnknownGame(gameId);
        r.taskId = g.taskId;
        r.attempt = g.attempt;
        r.solver = g.solver;
        r.challenger = g.challenger;
        r.lo = h.lo;
        r.hi = h.hi;
        r.loHash = g.loHash;
        r.hiHash = g.hiHash;
        r.movesHash = g.movesHash == NO_MOVES ? bytes32(0) : g.movesHash;
        r.turn = h.turn;
        r.solverClock = h.solverClock;
        r.challengerClock = h.challengerClock;
        r.turnStarted = h.turnStarted;
        r.winner = g.winner;
        r.end = h.end;
        r.challengerBond = bond_;
    }

    /// @inheritdoc IDisputeGame
    function gameCount() external view returns (uint256) {
        return count;
    }

    /// @inheritdoc IDisputeGame
    function positions(uint64 lo, uint64 hi) external view returns (uint64[] memory p) {
        if (hi <= lo + 1) return new uint64[](0);
        uint256 span = hi - lo;
        uint256 segments = span < k_ ? span : k_;
        p = new uint64[](segments - 1);
        for (uint256 j = 1; j < segments; j++) p[j - 1] = uint64(lo + (span * j) / segments);
    }

    /// @inheritdoc IDisputeGame
    function clockLeft(uint256 gameId, Party party) external view returns (uint64) {
        Hot memory h = games[gameId].hot;
        if (h.turn == Party.None && h.end == GameEnd.None) revert UnknownGame(gameId);
        return leftOf(h, party);
    }

    // ---- internals

    /// @dev A move by `mover`: the game exists and runs, it is the mover's turn, its clock has not run out.
    function checkMove(uint256 gameId, Hot memory h, Party mover) private view {
        if (h.end != GameEnd.None) revert GameOver(h.end);
        if (h.turn == Party.None) revert UnknownGame(gameId);
        if (h.turn != mover) revert NotYourTurn(h.turn);
        if (leftOf(h, mover) == 0) revert ClockRanOut(mover);
    }

    /// @dev Seconds left on `party`'s clock at this moment.
    function leftOf(Hot memory h, Party party) private view returns (uint64) {
        uint256 clock = party == Party.Solver ? h.solverClock : h.challengerClock;
        if (h.end != GameEnd.None || party != h.turn) return uint64(clock);
        uint256 elapsed = block.timestamp - h.turnStarted;
        return elapsed >= clock ? 0 : uint64(clock - elapsed);
    }

    /// @dev Ends the mover's turn: its clock loses the time the turn took; the next turn starts now.
    function spend(Hot memory h, uint32 clock) private view returns (uint32) {
        uint256 elapsed = block.timestamp - h.turnStarted;
        h.turnStarted = uint40(block.timestamp);
        return uint32(clock - elapsed); // checkMove made sure elapsed < clock
    }

    /// @dev Records the end and settles: effects first, then the market calls (the only interactions; they move ETH
    /// held here into the market's ledger or to the burn address).
    function resolve(uint256 gameId, Stored storage g, Hot memory h, Party winner, GameEnd end) private {
        uint256 taskId = g.taskId;
        uint32 attempt = g.attempt;
        if (end != GameEnd.ResultFell && !market.resultStands(taskId, attempt)) {
            // Another challenger refuted this result first: this game no longer matters.
            winner = Party.None;
            end = GameEnd.ResultFell;
        }
        h.turn = Party.None;
        h.end = end;
        g.hot = h;
        g.winner = winner;
        emit GameResolved(gameId, taskId, winner, end);
        address challenger = g.challenger;
        uint256 bond = bond_;
        if (winner == Party.Challenger) {
            market.onChallengerWon(taskId, attempt, gameId, challenger);
            market.creditFromGame{value: bond}(challenger);
        } else if (winner == Party.Solver) {
            uint256 share = (bond * WINNER_SHARE_BPS) / 10_000;
            market.onGameClosed(taskId, attempt);
            market.creditFromGame{value: share}(g.solver);
            (bool ok,) = payable(BURN_ADDRESS).call{value: bond - share}("");
            if (!ok) revert BurnFailed();
        } else {
            market.creditFromGame{value: bond}(challenger);
        }
    }
}
