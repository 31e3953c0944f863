// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Everything of a task's initial state that the Wasm bytes alone fix (wasm-stepper/spec/STATE.md,
/// "Tasks"). The TypeScript twin is `moduleFields(cm)` of @vwasm/wasm-stepper, which returns an object with
/// exactly these field names (roots as 32-byte arrays, counts as numbers).
/// @dev The field list is owned by the task section of STATE.md (section 5):
/// `moduleId = keccak256("Module:" || abi.encode(fields))` (TaskSpec.moduleId).
struct ModuleFields {
    bytes32 codeRoot;
    uint64 codeLength;
    bytes32 funcsRoot;
    uint64 nFuncs;
    bytes32 globalsRoot;
    uint64 nGlobals;
    bytes32 tableRoot;
    uint64 tableSize;
    bytes32 dataRoot;
    uint64 nData;
    bytes32 elemRoot;
    uint64 nElem;
    /// @notice Root of the initial memory in a tree of depth memoryDepth(memoryPages) (the smallest memory tree
    /// that holds it); a task lifts it to the depth of its effective maximum with zero siblings.
    bytes32 memoryRoot;
    uint64 memoryPages;
    /// @notice The module's declared maximum pages (65536 when it declares none, 0 when it has no memory).
    uint64 moduleMaxPages;
    /// @notice The pc of the task bootstrap (`call start`?, `call run`, `finish`); the other control fields of
    /// the initial state are zero.
    uint64 entryPc;
}

/// @notice The task limits committed in the state (spec/STATE.md staticHash).
struct Limits {
    uint64 maxSteps;
    uint64 maxMemoryPages;
    uint64 maxCallDepth;
    uint64 maxValueStack;
    uint64 maxOutputBytes;
}

/// @notice What a poster asks for.
struct TaskParams {
    bytes32 moduleId;
    Limits limits;
    /// @notice address(0) for ETH, else an ERC-20 (fee-on-transfer tokens are rejected).
    address rewardToken;
    uint256 reward;
    /// @notice The bond (in ETH) a solver posts to claim the task.
    uint256 solverBond;
    /// @notice Seconds a claimer has to submit a result.
    uint64 solveWindow;
    /// @notice Seconds a result stays open to challenges.
    uint64 challengeWindow;
    /// @notice Unix time after which an unclaimed or unsolved task can be cancelled and refunded.
    uint64 deadline;
    /// @notice Optional contract called back with the verified result (address(0) for none).
    address consumer;
    /// @notice Gas given to the consumer callback (bounded by the market's maximum).
    uint64 consumerGas;
}

/// @notice A task's phase.
enum TaskStatus {
    None,
    Open, // posted, no claim in force
    Claimed, // a solver bonded; it owes a result before solveDeadline
    Submitted, // a result stands, open to challenges until challengeDeadline
    Finalized, // the result is final; reward paid
    Cancelled // refunded to the poster
}

/// @notice A result claim, as checked on submission (status, trap code and step count from the final header).
struct ResultClaim {
    bytes32 finalStateHash;
    bytes32 outputHash;
    uint64 steps;
    uint8 status;
    uint8 trapCode;
}

/// @notice The task as stored.
struct Task {
    TaskParams params;
    address poster;
    bytes32 inputRoot;
    uint64 inputLength;
    bytes32 initialStateHash;
    TaskStatus status;
    /// @notice Increments at every claim; games and results refer to (taskId, attempt).
    uint32 attempt;
    address solver;
    uint64 solveDeadline;
    uint64 challengeDeadline;
    /// @notice Games still open against the current result; finalization waits for zero.
    uint32 openGames;
    ResultClaim result;
}
