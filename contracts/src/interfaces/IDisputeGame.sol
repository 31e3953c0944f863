// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The side that owes the next move of a game.
enum Party {
    None,
    Solver,
    Challenger
}

/// @notice Why a game ended.
enum GameEnd {
    None,
    StepProven, // the one-step proof decided the disputed step
    Timeout, // a party's clock ran out
    ResultFell, // another challenger refuted the same result first: bonds returned
    ResultFinal // (reserved) closed without a winner
}

/// @notice A game as stored (small: the hashes of a bisection live in calldata and events, only their hash here).
struct Game {
    uint256 taskId;
    uint32 attempt;
    address solver;
    address challenger;
    /// @notice [lo, hi]: state lo is agreed, state hi disputed.
    uint64 lo;
    uint64 hi;
    bytes32 loHash;
    bytes32 hiHash;
    /// @notice keccak256(abi.encode(hashes)) of the last bisection, awaiting the challenger's pick.
    bytes32 movesHash;
    Party turn;
    /// @notice Seconds left on each clock when its owner's turn began, and when the current turn began.
    uint64 solverClock;
    uint64 challengerClock;
    uint64 turnStarted;
    Party winner;
    GameEnd end;
    uint256 challengerBond;
}

/// @title IDisputeGame
/// @notice k-ary dissection over [0, n] of a result claim, chess clocks, adjudication of one step by
/// OneStepProofEntry.proveOneStep. Several games may be open against one result; each is independent.
interface IDisputeGame {
    event GameOpened(
        uint256 indexed gameId,
        uint256 indexed taskId,
        address indexed challenger,
        uint32 attempt,
        address solver,
        uint64 lo,
        uint64 hi,
        bytes32 loHash,
        bytes32 hiHash,
        uint64 clock
    );
    /// @notice The solver posted the k-1 hashes at the interior points of [lo, hi] (positions: see positions()).
    event Bisected(uint256 indexed gameId, uint64 lo, uint64 hi, bytes32[] hashes);
    /// @notice The challenger picked segment `index`; the game's range is now [lo, hi].
    event Picked(uint256 indexed gameId, uint256 index, uint64 lo, uint64 hi, bytes32 loHash, bytes32 hiHash);
    /// @notice The disputed step was executed on-chain from loHash; `afterHash` is the prover's post-state.
    event StepProven(uint256 indexed gameId, uint64 step, bytes32 afterHash, Party winner);
    event GameResolved(uint256 indexed gameId, uint256 indexed taskId, Party winner, GameEnd end);

    /// @notice The branching factor k (a deployment parameter).
    function k() external view returns (uint256);
    /// @notice The challenger bond, in ETH (msg.value of challenge()).
    function challengerBond() external view returns (uint256);
    /// @notice Each party's clock at the start of a game, in seconds.
    function clockSeconds() external view returns (uint64);

    /// @notice Opens a game against the current result of `taskId`, during its challenge window.
    function challenge(uint256 taskId) external payable returns (uint256 gameId);

    /// @notice The solver: the k-1 state hashes at the interior points of [lo, hi] (fewer when hi - lo < k).
    function bisect(uint256 gameId, bytes32[] calldata hashes) external;

    /// @notice The challenger: re-supplies the last bisection's hashes and picks the segment whose end it disputes.
    function pick(uint256 gameId, bytes32[] calldata hashes, uint256 index) external;

    /// @notice Anyone, once hi == lo + 1: executes step lo on-chain from loHash; the challenger wins iff the
    /// result differs from hiHash.
    function proveStep(uint256 gameId, bytes calldata proof) external;

    /// @notice Anyone: ends the game against the party whose clock ran out.
    function timeout(uint256 gameId) external;

    /// @notice Anyone: closes a game whose result already fell to another game (bonds returned).
    function close(uint256 gameId) external;

    function getGame(uint256 gameId) external view returns (Game memory);
    function gameCount() external view returns (uint256);
    /// @notice The interior positions a bisection of [lo, hi] posts hashes for.
    function positions(uint64 lo, uint64 hi) external view returns (uint64[] memory);
    /// @notice Seconds left on `party`'s clock now.
    function clockLeft(uint256 gameId, Party party) external view returns (uint64);
}
