// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ProofErrors
/// @notice Why a one-step proof was rejected. Twin of wasm-stepper/src/state/errors.ts: each
/// error is named as a `ProofErrorCode` there and is raised by the same check, in the same order,
/// as the TypeScript verifier (src/state/verify.ts, src/state/osp/*). A trap is not an error: it
/// is a machine state (spec/EXECUTION.md section 5) and the step proves it.
/// @dev Every prover contract inherits this interface so that its ABI (and the entry's) lists all
/// of them; libraries revert with `ProofErrors.X()`.
interface ProofErrors {
    /// @notice Thrown when the proof's first word is not the layout version (spec/state.json `version`).
    error BadVersion();
    /// @notice Thrown when the proof's header does not hash to the claimed pre-state, its control
    /// word padding is not zero, its top operand is wider than 64 bits, or one of its numbers (the step
    /// count included) exceeds 2^53 - 1.
    error BadHeader();
    /// @notice Thrown when the proof is not a whole number of 32-byte words or ends before an item the step reads.
    error Truncated();
    /// @notice Thrown when words are left over after the step has read every item it needs.
    error TrailingData();
    /// @notice Thrown when the instruction index (pc, or a br_table entry) is not below the code length.
    error InstructionOutOfRange();
    /// @notice Thrown when the instruction word and its siblings do not hash to the code root.
    error BadCodeProof();
    /// @notice Thrown when the instruction a br_table reads as its entry is not a br_table_entry.
    error BadInstruction();
    /// @notice Thrown when an instruction pops from an empty operand stack (sp at the frame's base).
    error StackUnderflow();
    /// @notice Thrown when a revealed operand and the hash beneath it do not hash to the operand chain.
    error BadOperandProof();
    /// @notice Thrown when a Merkle leaf and its siblings do not hash to the tree's root.
    error BadMerkleProof();
    /// @notice Thrown when a data or element segment record does not match its leaf, a dropped one does
    /// not open as zero, or its length exceeds 2^53 - 1.
    error BadSegmentProof();
    /// @notice Thrown when the revealed frame record does not hash to the frames hash or one of its
    /// numbers (return pc, caller fp, caller local count) exceeds 2^53 - 1.
    error BadFrameProof();
    /// @notice Thrown when a return is executed in the bottom (bootstrap) frame.
    error NoFrame();
    /// @notice Thrown when a call names a function index not below the module's function count.
    error FunctionOutOfRange();
    /// @notice Thrown when `call` or `call_indirect` reaches a host import (host calls are their own instructions).
    error HostFunctionCalled();
    /// @notice Thrown when local.get/set/tee names a local not below the frame's local count.
    error LocalOutOfRange();
    /// @notice Thrown when global.get/set names a global not below the module's global count.
    error GlobalOutOfRange();
    /// @notice Thrown when the opcode is not in the opcode table or not in the family it was routed to.
    error UnknownOpcode();
    /// @notice Thrown when the micro-step register cannot belong to the instruction at pc: its progress
    /// `mp` is not below the number of values the branch, return or call moves (spec/EXECUTION.md
    /// section 5, "Moves of many values").
    error BadMicroState();
    /// @notice Thrown when data.drop, memory.init, elem.drop or table.init names a segment index not
    /// below the module's data or element segment count (nData / nElem).
    error SegmentOutOfRange();
}
