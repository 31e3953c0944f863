// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Family, Status, TrapCode} from "../generated/Constants.sol";
import {Header, HeaderLib} from "../state/Header.sol";
import {ProofReader} from "../state/ProofReader.sol";
import {ProofErrors} from "../state/ProofErrors.sol";
import {
    IOneStepProverControl,
    IOneStepProverMemory,
    IOneStepProverNumeric,
    IOneStepProverHost
} from "./IOneStepProver.sol";
import {IOneStepProofEntry} from "./IOneStepProofEntry.sol";
import {StepState, StepStateLib} from "./StepState.sol";

/// @title OneStepProofEntry
/// @notice Proves one step of the Wasm machine: from the pre-state hash and the step's witness,
/// computes the post-state hash (spec/STATE.md section 4, spec/EXECUTION.md section 5). Twin of
/// wasm-stepper/src/state/verify.ts (`verifyStep`: proveOneStep) and src/state/osp/entry.ts
/// (`executeStep`). It reads the header, fetches the instruction with its code proof, and routes
/// by opcode family to the prover contracts; each family contract mirrors its TypeScript file.
/// @dev Stateless apart from the prover addresses; every function is a view. A proof that the
/// TypeScript verifier rejects reverts here with the ProofErrors error of the same name.
contract OneStepProofEntry is IOneStepProofEntry, ProofErrors {
    using StepStateLib for StepState;

    /// @dev Families routed to each prover (osp/entry.ts): control takes control, parametric,
    /// variable and const; numeric takes i32 and i64.
    uint256 private constant CONTROL_OPS = Family.CONTROL_OPS | Family.PARAMETRIC_OPS | Family.VARIABLE_OPS | Family.CONST_OPS;
    uint256 private constant NUMERIC_OPS = Family.I32_OPS | Family.I64_OPS;

    IOneStepProverControl public immutable proverControl;
    IOneStepProverMemory public immutable proverMemory;
    IOneStepProverNumeric public immutable proverNumeric;
    IOneStepProverHost public immutable proverHost;

    constructor(
        IOneStepProverControl control,
        IOneStepProverMemory memory_,
        IOneStepProverNumeric numeric,
        IOneStepProverHost host
    ) {
        proverControl = control;
        proverMemory = memory_;
        proverNumeric = numeric;
        proverHost = host;
    }

    /// @inheritdoc IOneStepProofEntry
    /// @notice The post-state hash of the step from `before` that `proof` witnesses.
    /// @param before the pre-state hash (both parties agree on it).
    /// @param proof the witness: the header (the pre-state's hash preimage), then the instruction
    /// with its code proof, then the items the instruction reads, in order, as 32-byte words.
    /// @return afterHash the post-state hash (`before` itself for a terminal state).
    /// @dev Reverts with a ProofErrors error on any malformed or inconsistent proof.
    function proveOneStep(bytes32 before, bytes calldata proof) external view returns (bytes32 afterHash) {
        (Header memory pre, uint256 cursor) = ProofReader.header(proof);
        if (HeaderLib.headerHash(pre) != before) revert BadHeader();
        // A terminal state steps to itself: its post-state hash is `before`.
        bool terminal = pre.status != Status.RUNNING;
        Header memory post;
        (post, cursor) = executeStep(pre, proof, cursor);
        if (cursor != proof.length) revert TrailingData();
        return terminal ? before : HeaderLib.headerHash(post);
    }

    /// @notice Executes one step on `pre` with witness items from `cursor` on; returns the post-state
    /// header and the position after the last item read.
    function executeStep(Header memory pre, bytes calldata proof, uint256 cursor)
        internal
        view
        returns (Header memory, uint256)
    {
        if (pre.status != Status.RUNNING) return (pre, cursor);
        // m.h is `pre` until a prover returns its own (ABI-decoded) copy: nothing below writes to it
        // before that, so `pre` stays the pre-state for the trap rule.
        StepState memory m = StepStateLib.init(pre, cursor);
        if (pre.mp == 0 && pre.auxLen > 0) {
            // A pending unstash (spec/EXECUTION.md section 5, "Moves of many values"): no instruction runs.
            m = proverControl.executeUnstash(m, proof);
            return finishStep(m, pre, proof);
        }
        (uint256 op, uint256 a, uint256 b, uint256 c) = m.readInstruction(proof, pre.pc);
        uint256 trap;
        uint256 bit = op < 256 ? uint256(1) << op : 0;
        if (bit & NUMERIC_OPS != 0) {
            (m, trap) = proverNumeric.executeNumeric(m, proof, op);
        } else if (bit & CONTROL_OPS != 0) {
            (m, trap) = proverControl.executeControl(m, proof, op, a, b, c);
        } else if (bit & Family.MEMORY_OPS != 0) {
            (m, trap) = proverMemory.executeMemory(m, proof, op, a);
        } else if (bit & Family.BULK_OPS != 0) {
            (m, trap) = proverHost.executeBulk(m, proof, op, a);
        } else if (bit & Family.HOST_OPS != 0) {
            (m, trap) = proverHost.executeHost(m, proof, op);
        } else {
            revert UnknownOpcode();
        }
        if (trap != TrapCode.NONE) {
            // A trap changes nothing but the status, the trap code and the step count. (`pre` is
            // reused in place: nothing reads the pre-state after this.)
            Header memory t = pre;
            t.status = Status.TRAPPED;
            t.trap = trap;
            t.steps = pre.steps + 1;
            return (t, m.cursor);
        }
        return finishStep(m, pre, proof);
    }

    /// @notice Settles the top operand and counts the step (entry.ts `finishStep`).
    function finishStep(StepState memory m, Header memory pre, bytes calldata proof) private pure returns (Header memory, uint256) {
        m.settle(proof);
        Header memory h = m.h;
        h.steps = pre.steps + 1;
        if (h.status == Status.RUNNING && h.steps == h.maxSteps) h.status = Status.OUT_OF_STEPS;
        return (h, m.cursor);
    }
}
