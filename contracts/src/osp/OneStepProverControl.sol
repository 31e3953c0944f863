// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Op, Status, TrapCode, Width, ZeroHash} from "../generated/Constants.sol";
import {Header, HeaderLib} from "../state/Header.sol";
import {FrameItem, ProofReader} from "../state/ProofReader.sol";
import {ProofErrors} from "../state/ProofErrors.sol";
import {IOneStepProverControl} from "./IOneStepProver.sol";
import {FuncRecord, MerkleItem, StepState, StepStateLib} from "./StepState.sol";

/// @title OneStepProverControl
/// @notice Control flow, calls and returns, parametric and variable instructions, constants.
/// Twin of wasm-stepper/src/state/osp/control.ts: branchTo, doReturn, doCall, executeControl.
contract OneStepProverControl is IOneStepProverControl, ProofErrors {
    using StepStateLib for StepState;

    uint256 private constant NULL_FUNC = Width.NULL_FUNC;
    /// @dev A br_table entry whose target is -1 (as int32) returns from the function (EXECUTION.md section 3).
    uint256 private constant RETURN_TARGET = 0xffffffff;

    /// @dev An int32 immediate (control.ts reads immediates as `u32 | 0`).
    function i32(uint256 x) private pure returns (int256) {
        return int256(int32(uint32(x)));
    }

    /// @dev At most `want` slots, and no more than the frame's operand count: a pop beyond it reverts.
    function popCapacity(StepState memory m, int256 want) private pure returns (uint256) {
        int256 avail = m.height();
        if (avail < 0) avail = 0;
        return uint256(want < avail ? want : avail);
    }

    /// @dev K: the most values a step moves (spec/state.json `valuesPerStep`), and log2(K).
    int256 private constant K = int256(Width.VALUES_PER_STEP);
    uint256 private constant K_LOG2 = Width.VALUES_PER_STEP_LOG2;

    function min(int256 x, int256 y) private pure returns (int256) {
        return x < y ? x : y;
    }

    /// @notice A taken branch: the top `keep` values move down over `drop` values; pc = target. One
    /// step when drop <= 0 or keep, drop <= K; otherwise micro-stepped (control.ts `branchTo`): while
    /// mp < keep, up to K kept values move to the aux chain; then up to K values are dropped a step;
    /// the step that drops the last one jumps (the kept values come back by unstash steps).
    /// @param repush the popped condition or br_table index, pushed back while the branch repeats
    /// (`hasRepush` false for br).
    function branchTo(
        StepState memory m,
        bytes calldata proof,
        uint256 target,
        int256 keep,
        int256 drop,
        bool hasRepush,
        uint256 repush
    ) internal pure {
        Header memory h = m.h;
        if (drop <= 0 || (keep <= K && drop <= K)) {
            if (drop > 0) {
                uint256[] memory kept = new uint256[](keep > 0 ? popCapacity(m, keep) : 0);
                for (int256 k = 0; k < keep; k++) kept[uint256(k)] = m.pop(proof);
                for (int256 k = 0; k < drop; k++) m.pop(proof);
                for (int256 k = keep - 1; k >= 0; k--) m.push(kept[uint256(k)]);
            }
            h.pc = target;
            return;
        }
        int256 total = keep + drop;
        int256 mp = int256(h.mp);
        if (mp >= total) revert BadMicroState();
        if (mp < keep) {
            int256 n = min(K, keep - mp);
            for (int256 k = 0; k < n; k++) m.auxPush(m.pop(proof));
            h.mp += uint256(n);
            h.auxLen += uint256(n);
        } else {
            int256 n = min(K, total - mp);
            for (int256 k = 0; k < n; k++) m.pop(proof);
            h.mp += uint256(n);
            if (int256(h.mp) == total) {
                h.mp = 0;
                h.pc = target;
                return;
            }
        }
        if (hasRepush) m.push(repush);
    }

    /// @notice A pending unstash step (mp = 0, auxLen > 0): up to K values move back from the aux
    /// chain to the operand stack (control.ts `unstash`).
    function executeUnstash(StepState memory m, bytes calldata proof) external pure returns (StepState memory) {
        Header memory h = m.h;
        uint256 n = h.auxLen < uint256(K) ? h.auxLen : uint256(K);
        for (uint256 k = 0; k < n; k++) m.push(m.auxPop(proof));
        h.auxLen -= n;
        return m;
    }

    /// @notice Pops the current frame: the caller's state comes back from the revealed frame record.
    function popFrame(StepState memory m, bytes calldata proof) internal pure {
        Header memory h = m.h;
        if (h.depth == 0) revert NoFrame();
        (FrameItem memory f, uint256 next) = ProofReader.frame(proof, m.cursor);
        m.cursor = next;
        if (
            HeaderLib.frameHash(f.prev, f.returnPc, f.callerFp, f.callerNlocals, f.callerLocalsRoot, f.callerTop, f.callerOperands)
                != h.framesHash
        ) revert BadFrameProof();
        uint256 calleeFp = h.fp;
        h.framesHash = f.prev;
        h.fp = f.callerFp;
        h.nlocals = f.callerNlocals;
        h.localsRoot = f.callerLocalsRoot;
        h.top = f.callerTop;
        h.operands = f.callerOperands;
        m.topValid = true;
        h.sp = calleeFp;
        h.depth--;
        h.pc = f.returnPc;
    }

    /// @notice Returns `keep` values to the caller. One step when keep <= K: pops them, pops the frame
    /// and pushes them there; otherwise up to K results move to the aux chain a step and the step that
    /// moves the last one pops the frame (control.ts `doReturn`).
    function doReturn(StepState memory m, bytes calldata proof, int256 keep, bool hasRepush, uint256 repush) internal pure {
        Header memory h = m.h;
        if (keep <= K) {
            uint256[] memory kept = new uint256[](keep > 0 ? popCapacity(m, keep) : 0);
            for (int256 k = 0; k < keep; k++) kept[uint256(k)] = m.pop(proof);
            popFrame(m, proof);
            for (int256 k = keep - 1; k >= 0; k--) m.push(kept[uint256(k)]);
            return;
        }
        int256 mp = int256(h.mp);
        if (mp >= keep) revert BadMicroState();
        int256 n = min(K, keep - mp);
        for (int256 k = 0; k < n; k++) m.auxPush(m.pop(proof));
        h.mp += uint256(n);
        h.auxLen += uint256(n);
        if (int256(h.mp) < keep) {
            if (hasRepush) m.push(repush);
            return;
        }
        h.mp = 0;
        popFrame(m, proof);
    }

    /// @notice Calls function `fn`: checks the limits, moves the params into the new frame's locals,
    /// pushes the caller's frame record. With more than K params, each step moves one aligned group of
    /// K params (the highest first) into the pending locals tree kept in `aux` and the step that moves
    /// group 0 enters the callee (control.ts `doCall`).
    /// @return trap NONE, or call_stack_exhausted / value_stack_exhausted.
    function doCall(StepState memory m, bytes calldata proof, FuncRecord memory fn, bool hasRepush, uint256 repush)
        internal
        pure
        returns (uint256 trap)
    {
        Header memory h = m.h;
        if (fn.entry == NULL_FUNC) revert HostFunctionCalled();
        bool single = fn.nparams <= uint256(K);
        if (!single && (h.mp >= fn.nparams || fn.nlocals < fn.nparams)) revert BadMicroState();
        int256 nfp = int256(h.sp) + (single ? int256(0) : int256(h.mp)) - int256(fn.nparams);
        if (h.depth >= h.maxCallDepth) return TrapCode.CALL_STACK_EXHAUSTED;
        if (nfp + int256(fn.nlocals) + int256(fn.maxHeight) > int256(h.maxValueStack)) return TrapCode.VALUE_STACK_EXHAUSTED;
        bytes32 locals;
        if (single) {
            uint256 n = popCapacity(m, int256(fn.nparams));
            uint256[] memory params = new uint256[](n);
            // Popped top first; params[0] is the first (deepest) parameter.
            for (uint256 k = 0; k < fn.nparams; k++) params[n - 1 - k] = m.pop(proof);
            locals = StepStateLib.localsRootOf(params, fn.nlocals);
        } else {
            uint256 depth = HeaderLib.depthFor(fn.nlocals);
            uint256 hi = fn.nparams - h.mp;
            uint256 g = (hi - 1) >> K_LOG2;
            uint256 lo = g << K_LOG2;
            uint256[] memory vals = new uint256[](hi - lo);
            for (uint256 k = hi - lo; k > 0; k--) vals[k - 1] = m.pop(proof);
            bytes32 pending = h.mp == 0 ? ZeroHash.at(depth) : h.aux;
            MerkleItem memory it = m.readLeaf(proof, g, depth - K_LOG2, pending);
            locals = StepStateLib.writeLeaf(proof, g, it, StepStateLib.localsRootOf(vals, uint256(K)));
            h.mp += hi - lo;
            if (h.mp < fn.nparams) {
                h.aux = locals;
                if (hasRepush) m.push(repush);
                return TrapCode.NONE;
            }
            h.mp = 0;
            h.aux = bytes32(0);
        }
        // The caller is suspended with its top operand known (spec/STATE.md section 2).
        m.settle(proof);
        h.framesHash = HeaderLib.frameHash(h.framesHash, h.pc + 1, h.fp, h.nlocals, h.localsRoot, h.top, h.operands);
        h.localsRoot = locals;
        h.fp = uint256(nfp);
        h.nlocals = fn.nlocals;
        h.top = 0;
        h.operands = bytes32(0);
        m.topValid = true;
        h.sp = uint256(nfp) + fn.nlocals;
        h.depth++;
        h.pc = fn.entry;
        return TrapCode.NONE;
    }

    /// @inheritdoc IOneStepProverControl
    function executeControl(StepState memory m, bytes calldata proof, uint256 op, uint256 a, uint256 b, uint256 c)
        external
        pure
        returns (StepState memory, uint256 trap)
    {
        trap = execute(m, proof, op, a, b, c);
        return (m, trap);
    }

    /// @dev executeControl's body (control.ts `executeControl`); returns the trap code.
    function execute(StepState memory m, bytes calldata proof, uint256 op, uint256 a, uint256 b, uint256 c)
        private
        pure
        returns (uint256)
    {
        Header memory h = m.h;
        // ---- variables, constants and parametric first: the most frequent
        if (op == Op.LOCAL_GET) {
            if (a >= h.nlocals) revert LocalOutOfRange();
            MerkleItem memory it = m.readLeaf(proof, a, HeaderLib.depthFor(h.nlocals), h.localsRoot);
            m.push(uint256(it.leaf));
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.LOCAL_SET || op == Op.LOCAL_TEE) {
            uint256 v = m.pop(proof);
            if (a >= h.nlocals) revert LocalOutOfRange();
            MerkleItem memory it = m.readLeaf(proof, a, HeaderLib.depthFor(h.nlocals), h.localsRoot);
            h.localsRoot = StepStateLib.writeLeaf(proof, a, it, StepStateLib.valueWord(v));
            if (op == Op.LOCAL_TEE) m.push(v);
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.I32_CONST) {
            m.push(a);
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.I64_CONST) {
            m.push((b << 32) | a);
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.GLOBAL_GET) {
            if (a >= h.nGlobals) revert GlobalOutOfRange();
            MerkleItem memory it = m.readLeaf(proof, a, HeaderLib.depthFor(h.nGlobals), h.globalsRoot);
            m.push(uint256(it.leaf));
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.GLOBAL_SET) {
            uint256 v = m.pop(proof);
            if (a >= h.nGlobals) revert GlobalOutOfRange();
            MerkleItem memory it = m.readLeaf(proof, a, HeaderLib.depthFor(h.nGlobals), h.globalsRoot);
            h.globalsRoot = StepStateLib.writeLeaf(proof, a, it, StepStateLib.valueWord(v));
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.DROP) {
            m.pop(proof);
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.SELECT) {
            uint256 cond = m.pop(proof);
            uint256 y = m.pop(proof);
            uint256 x = m.pop(proof);
            m.push(cond != 0 ? x : y);
            h.pc++;
            return TrapCode.NONE;
        }
        // ---- control
        if (op == Op.BR) {
            branchTo(m, proof, a, i32(b), i32(c), false, 0);
            return TrapCode.NONE;
        }
        if (op == Op.BR_IF) {
            uint256 cond = m.pop(proof);
            if (cond != 0) branchTo(m, proof, a, i32(b), i32(c), true, cond);
            else h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.BR_UNLESS) {
            h.pc = m.pop(proof) == 0 ? a : h.pc + 1;
            return TrapCode.NONE;
        }
        if (op == Op.BR_TABLE) {
            uint256 k = m.pop(proof);
            uint256 n = a;
            (uint256 eop, uint256 ea, uint256 eb, uint256 ec) = m.readInstruction(proof, h.pc + 1 + (k < n ? k : n));
            if (eop != Op.BR_TABLE_ENTRY) revert BadInstruction();
            if (ea == RETURN_TARGET) doReturn(m, proof, i32(eb), true, k);
            else branchTo(m, proof, ea, i32(eb), i32(ec), true, k);
            return TrapCode.NONE;
        }
        if (op == Op.RETURN) {
            doReturn(m, proof, i32(a), false, 0);
            return TrapCode.NONE;
        }
        if (op == Op.RETURN_IF) {
            uint256 cond = m.pop(proof);
            if (cond != 0) doReturn(m, proof, i32(a), true, cond);
            else h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.CALL) {
            return doCall(m, proof, m.readFunc(proof, i32(a)), false, 0);
        }
        if (op == Op.CALL_INDIRECT) {
            uint256 k = m.pop(proof);
            if (k >= h.tableSize) return TrapCode.OUT_OF_BOUNDS_TABLE;
            MerkleItem memory e = m.readLeaf(proof, k, HeaderLib.depthFor(h.tableSize), h.tableRoot);
            uint256 f = uint256(e.leaf);
            if (f == NULL_FUNC) return TrapCode.INDIRECT_CALL_NULL;
            // A table word too large for int256 is out of range either way.
            FuncRecord memory fn = m.readFunc(proof, f > uint256(type(int256).max) ? type(int256).max : int256(f));
            if (fn.typeId != b) return TrapCode.INDIRECT_CALL_TYPE_MISMATCH;
            return doCall(m, proof, fn, true, k);
        }
        if (op == Op.UNREACHABLE) return TrapCode.UNREACHABLE;
        if (op == Op.FINISH) {
            h.status = Status.FINISHED;
            return TrapCode.NONE;
        }
        revert UnknownOpcode();
    }
}
