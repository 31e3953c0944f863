// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IOneStepProofEntry
/// @notice The one-step prover as the dispute game (and anyone else) calls it.
interface IOneStepProofEntry {
    /// @notice The post-state hash of the step from `before` that `proof` witnesses (spec/STATE.md
    /// section 4); reverts with a ProofErrors error if the proof is malformed or inconsistent.
    function proveOneStep(bytes32 before, bytes calldata proof) external view returns (bytes32 afterHash);
}
