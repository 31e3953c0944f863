// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {StepState} from "./StepState.sol";

/// @title Prover interfaces
/// @notice What OneStepProofEntry calls for each opcode family (wasm-stepper/src/state/osp/entry.ts).
/// Each takes the step in progress and the whole proof (items are read from `m.cursor` on) and
/// returns the updated step and a trap code: NONE (0) if the instruction completed, otherwise the
/// spec/state.json trap code, in which case the entry discards `m.h` (a trap changes nothing but the
/// status, the trap code and the step count) but keeps `m.cursor` (the items read before the trap
/// are part of the proof). A rejected proof reverts with a ProofErrors error.

/// @notice Control flow, calls, returns, parametric and variable instructions, constants (osp/control.ts).
interface IOneStepProverControl {
    function executeControl(StepState memory m, bytes calldata proof, uint256 op, uint256 a, uint256 b, uint256 c)
        external
        pure
        returns (StepState memory, uint256 trap);

    /// @notice A pending unstash step: up to K values move back from the aux chain (osp/control.ts `unstash`).
    function executeUnstash(StepState memory m, bytes calldata proof) external pure returns (StepState memory);
}

/// @notice Loads, stores, memory.size, memory.grow (osp/memory.ts).
interface IOneStepProverMemory {
    function executeMemory(StepState memory m, bytes calldata proof, uint256 op, uint256 a)
        external
        pure
        returns (StepState memory, uint256 trap);
}

/// @notice i32 and i64 arithmetic, comparisons and conversions (osp/numeric.ts).
interface IOneStepProverNumeric {
    function executeNumeric(StepState memory m, bytes calldata proof, uint256 op)
        external
        pure
        returns (StepState memory, uint256 trap);
}

/// @notice The task host API and the micro-stepped bulk instructions (osp/host.ts).
interface IOneStepProverHost {
    function executeBulk(StepState memory m, bytes calldata proof, uint256 op, uint256 seg)
        external
        pure
        returns (StepState memory, uint256 trap);

    function executeHost(StepState memory m, bytes calldata proof, uint256 op)
        external
        pure
        returns (StepState memory, uint256 trap);
}
