// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOneStepProofEntry} from "../osp/IOneStepProofEntry.sol";

/// @title ProveBatch
/// @notice Test helper (never deployed by the deploy scripts): calls `OneStepProofEntry.proveOneStep` on many
/// (pre-state, proof) pairs in one call, so a fuzzer proves hundreds of steps per `eth_call` instead of one. The
/// prover is the deployed entry itself, called exactly as a game calls it; this contract only loops.
contract ProveBatch {
    /// @notice Thrown when `befores` and `proofs` differ in length.
    /// @param befores The number of pre-states.
    /// @param proofs The number of proofs.
    error LengthMismatch(uint256 befores, uint256 proofs);

    /// @notice Thrown when the packed steps of `provePacked` end inside a step.
    /// @param offset Where the cut step starts in `steps`.
    error TruncatedSteps(uint256 offset);

    /// @notice Proves each step i: `entry.proveOneStep(befores[i], proofs[i])`.
    /// @param entry The OneStepProofEntry.
    /// @param befores The pre-state hashes.
    /// @param proofs The proofs, in the order of `befores`.
    /// @return ok Whether step i was accepted.
    /// @return results Step i's return data: the abi-encoded post-state hash if accepted, else the revert data
    /// (a custom error of the prover).
    function proveMany(address entry, bytes32[] calldata befores, bytes[] calldata proofs)
        external
        view
        returns (bool[] memory ok, bytes[] memory results)
    {
        uint256 n = proofs.length;
        if (befores.length != n) revert LengthMismatch(befores.length, n);
        ok = new bool[](n);
        results = new bytes[](n);
        uint256 longest;
        for (uint256 i; i < n; ++i) {
            if (proofs[i].length > longest) longest = proofs[i].length;
        }
        // One call buffer for every step (selector, before, offset, length, proof): memory stays small.
        bytes memory buf = new bytes(100 + longest);
        bytes4 selector = IOneStepProofEntry.proveOneStep.selector;
        for (uint256 i; i < n; ++i) {
            bytes calldata p = proofs[i];
            bytes32 before = befores[i];
            bool success;
            bytes memory ret;
            assembly ("memory-safe") {
                let d := add(buf, 32)
                mstore(d, selector)
                mstore(add(d, 4), before)
                mstore(add(d, 36), 0x40)
                mstore(add(d, 68), p.length)
                calldatacopy(add(d, 100), p.offset, p.length)
                success := staticcall(gas(), entry, d, add(100, p.length), 0, 0)
                ret := mload(0x40)
                mstore(ret, returndatasize())
                returndatacopy(add(ret, 32), 0, returndatasize())
                mstore(0x40, add(add(ret, 32), and(add(returndatasize(), 31), not(31))))
            }
            ok[i] = success;
            results[i] = ret;
        }
    }

    /// @notice The same as `proveMany` for steps packed by hand, so a caller builds the call data by concatenation
    /// and reads the answer without an ABI decoder: `steps` is, for each step, its pre-state hash (32 bytes), its
    /// proof's length (4 bytes, big-endian) and the proof. Memory grows linearly with the steps: one call buffer
    /// for every step, and the answer.
    /// @param entry The OneStepProofEntry.
    /// @param steps The packed steps.
    /// @return out For each step in order: 4 bytes big-endian, the top bit set if the step was accepted and the
    /// other bits the length of its return data, then that return data (the abi-encoded post-state hash if accepted,
    /// else the revert data).
    function provePacked(address entry, bytes calldata steps) external view returns (bytes memory out) {
        uint256 end = steps.length;
        uint256 longest;
        for (uint256 o; o < end;) {
            if (end - o < 36) revert TruncatedSteps(o);
            uint256 len = uint32(bytes4(steps[o + 32:o + 36]));
            if (end - o - 36 < len) revert TruncatedSteps(o);
            if (len > longest) longest = len;
            o += 36 + len;
        }
        bytes memory buf = new bytes(100 + longest);
        bytes4 selector = IOneStepProofEntry.proveOneStep.selector;
        assembly ("memory-safe") {
            let d := add(buf, 32)
            mstore(d, selector)
            mstore(add(d, 36), 0x40)
            out := mload(0x40)
            let w := add(out, 32)
            let base := steps.offset
            for { let o := 0 } lt(o, end) {} {
                let at := add(base, o)
                let len := shr(224, calldataload(add(at, 32)))
                mstore(add(d, 4), calldataload(at))
                mstore(add(d, 68), len)
                calldatacopy(add(d, 100), add(at, 36), len)
                let success := staticcall(gas(), entry, d, add(100, len), 0, 0)
                let rs := returndatasize()
                mstore(w, or(shl(224, rs), shl(255, success)))
                returndatacopy(add(w, 4), 0, rs)
                w := add(w, add(4, rs))
                o := add(o, add(36, len))
            }
            mstore(out, sub(w, add(out, 32)))
            mstore(0x40, and(add(w, 31), not(31)))
        }
    }
}
