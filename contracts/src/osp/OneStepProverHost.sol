// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Op, TrapCode, Width} from "../generated/Constants.sol";
import {Header, HeaderLib} from "../state/Header.sol";
import {ProofErrors} from "../state/ProofErrors.sol";
import {IOneStepProverHost} from "./IOneStepProver.sol";
import {MerkleItem, SegmentItem, StepState, StepStateLib} from "./StepState.sol";

/// @title OneStepProverHost
/// @notice The task host API and the micro-stepped bulk instructions (spec/EXECUTION.md sections 2
/// and 5). Twin of wasm-stepper/src/state/osp/host.ts: executeBulk, executeHost.
/// @dev A chunk never crosses a 32-byte leaf of its destination or its source, so each step moves
/// bytes between at most two leaves; the byte helpers below do that on whole words.
contract OneStepProverHost is IOneStepProverHost, ProofErrors {
    using StepStateLib for StepState;

    /// @dev Bytes [i, i + cnt) of a word (big-endian byte order: byte 0 is the most significant).
    function byteMask(uint256 i, uint256 cnt) private pure returns (uint256) {
        return (type(uint256).max >> (8 * i)) & ~(type(uint256).max >> (8 * (i + cnt)));
    }

    /// @notice `dst` with bytes [dOff, dOff + cnt) replaced by bytes [sOff, sOff + cnt) of `src`
    /// (host.ts: `leaf.set(src.slice(sOff, sOff + cnt), dOff)`).
    function copyBytes(bytes32 dst, uint256 dOff, bytes32 src, uint256 sOff, uint256 cnt) internal pure returns (bytes32) {
        uint256 mask = byteMask(dOff, cnt);
        uint256 moved = (uint256(src) << (8 * sOff)) >> (8 * dOff);
        return bytes32((uint256(dst) & ~mask) | (moved & mask));
    }

    /// @notice `leaf` with bytes [off, off + cnt) set to `value` (host.ts: `leaf.fill(value, off, off + cnt)`).
    function fillBytes(bytes32 leaf, uint256 off, uint256 cnt, uint256 value) internal pure returns (bytes32) {
        uint256 mask = byteMask(off, cnt);
        uint256 pattern = (value & 0xff) * (type(uint256).max / 0xff); // value in every byte
        return bytes32((uint256(leaf) & ~mask) | (pattern & mask));
    }

    function min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev Leaves the remaining operands for the next micro-step (pc unchanged).
    function pushBack3(StepState memory m, uint256 d, uint256 s, uint256 n) private pure {
        m.push(d);
        m.push(s);
        m.push(n);
    }

    /// @inheritdoc IOneStepProverHost
    function executeBulk(StepState memory m, bytes calldata proof, uint256 op, uint256 seg)
        external
        pure
        returns (StepState memory, uint256 trap)
    {
        trap = bulk(m, proof, op, seg);
        return (m, trap);
    }

    /// @dev executeBulk's body (host.ts `executeBulk`); returns the trap code.
    function bulk(StepState memory m, bytes calldata proof, uint256 op, uint256 seg) private pure returns (uint256) {
        Header memory h = m.h;
        if (op == Op.DATA_DROP || op == Op.ELEM_DROP) {
            bool isData = op == Op.DATA_DROP;
            SegmentItem memory sg = m.readSegment(proof, isData, seg);
            MerkleItem memory it = MerkleItem(sg.leaf, sg.siblings, sg.depth);
            bytes32 root = StepStateLib.writeLeaf(proof, seg, it, bytes32(0));
            if (isData) h.dataRoot = root;
            else h.elemRoot = root;
            h.pc++;
            return TrapCode.NONE;
        }
        uint256 n = m.pop(proof);
        uint256 s = m.pop(proof);
        uint256 d = m.pop(proof);
        if (op == Op.MEMORY_FILL) {
            // Operands: d, s = fill value, n.
            if (d + n > m.memBytes()) return TrapCode.OUT_OF_BOUNDS_MEMORY;
            if (n == 0) return done(h);
            uint256 cnt = min(n, 32 - (d % 32));
            MerkleItem memory it = m.readMemLeaf(proof, d / 32);
            m.writeMemLeaf(proof, d / 32, it, fillBytes(it.leaf, d % 32, cnt, s));
            if (n == cnt) return done(h);
            pushBack3(m, d + cnt, s, n - cnt);
            return TrapCode.NONE;
        }
        if (op == Op.MEMORY_COPY) {
            uint256 len = m.memBytes();
            if (s + n > len || d + n > len) return TrapCode.OUT_OF_BOUNDS_MEMORY;
            if (n == 0) return done(h);
            bool fwd = d <= s;
            // Forward: the first chunk; backward (dst > src): the last one (EXECUTION.md section 5).
            uint256 cnt = fwd
                ? min(n, min(32 - (d % 32), 32 - (s % 32)))
                : min(n, min(((d + n - 1) % 32) + 1, ((s + n - 1) % 32) + 1));
            uint256 src = fwd ? s : s + n - cnt;
            uint256 dst = fwd ? d : d + n - cnt;
            bytes32 from = m.readMemLeaf(proof, src / 32).leaf;
            MerkleItem memory it = m.readMemLeaf(proof, dst / 32);
            m.writeMemLeaf(proof, dst / 32, it, copyBytes(it.leaf, dst % 32, from, src % 32, cnt));
            if (n == cnt) return done(h);
            pushBack3(m, fwd ? d + cnt : d, fwd ? s + cnt : s, n - cnt);
            return TrapCode.NONE;
        }
        if (op == Op.MEMORY_INIT) {
            SegmentItem memory sg = m.readSegment(proof, true, seg);
            if (s + n > sg.len || d + n > m.memBytes()) return TrapCode.OUT_OF_BOUNDS_MEMORY;
            if (n == 0) return done(h);
            uint256 cnt = min(n, min(32 - (d % 32), 32 - (s % 32)));
            MerkleItem memory dl = m.readLeaf(proof, s / 32, HeaderLib.depthFor((sg.len + 31) / 32), sg.root);
            MerkleItem memory it = m.readMemLeaf(proof, d / 32);
            m.writeMemLeaf(proof, d / 32, it, copyBytes(it.leaf, d % 32, dl.leaf, s % 32, cnt));
            if (n == cnt) return done(h);
            pushBack3(m, d + cnt, s + cnt, n - cnt);
            return TrapCode.NONE;
        }
        uint256 tdepth = HeaderLib.depthFor(h.tableSize);
        if (op == Op.TABLE_COPY) {
            if (s + n > h.tableSize || d + n > h.tableSize) return TrapCode.OUT_OF_BOUNDS_TABLE;
            if (n == 0) return done(h);
            bool fwd = d <= s;
            uint256 src = fwd ? s : s + n - 1;
            uint256 dst = fwd ? d : d + n - 1;
            bytes32 v = m.readLeaf(proof, src, tdepth, h.tableRoot).leaf;
            MerkleItem memory it = m.readLeaf(proof, dst, tdepth, h.tableRoot);
            h.tableRoot = StepStateLib.writeLeaf(proof, dst, it, v);
            if (n == 1) return done(h);
            pushBack3(m, fwd ? d + 1 : d, fwd ? s + 1 : s, n - 1);
            return TrapCode.NONE;
        }
        if (op == Op.TABLE_INIT) {
            SegmentItem memory sg = m.readSegment(proof, false, seg);
            if (s + n > sg.len || d + n > h.tableSize) return TrapCode.OUT_OF_BOUNDS_TABLE;
            if (n == 0) return done(h);
            bytes32 v = m.readLeaf(proof, s, HeaderLib.depthFor(sg.len), sg.root).leaf;
            MerkleItem memory it = m.readLeaf(proof, d, tdepth, h.tableRoot);
            h.tableRoot = StepStateLib.writeLeaf(proof, d, it, v);
            if (n == 1) return done(h);
            pushBack3(m, d + 1, s + 1, n - 1);
            return TrapCode.NONE;
        }
        revert UnknownOpcode();
    }

    function done(Header memory h) private pure returns (uint256) {
        h.pc++;
        return TrapCode.NONE;
    }

    /// @inheritdoc IOneStepProverHost
    function executeHost(StepState memory m, bytes calldata proof, uint256 op)
        external
        pure
        returns (StepState memory, uint256 trap)
    {
        trap = host(m, proof, op);
        return (m, trap);
    }

    /// @dev executeHost's body (host.ts `executeHost`); returns the trap code.
    function host(StepState memory m, bytes calldata proof, uint256 op) private pure returns (uint256) {
        Header memory h = m.h;
        if (op == Op.HOST_INPUT_SIZE) {
            m.push(h.inputLength);
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.HOST_INPUT_READ) {
            uint256 n = m.pop(proof);
            uint256 off = m.pop(proof);
            uint256 d = m.pop(proof);
            if (off + n > h.inputLength) return TrapCode.INPUT_OUT_OF_BOUNDS;
            if (d + n > m.memBytes()) return TrapCode.OUT_OF_BOUNDS_MEMORY;
            if (n == 0) return done(h);
            uint256 cnt = min(n, min(32 - (d % 32), 32 - (off % 32)));
            MerkleItem memory il = m.readLeaf(proof, off / 32, HeaderLib.depthFor((h.inputLength + 31) / 32), h.inputRoot);
            MerkleItem memory it = m.readMemLeaf(proof, d / 32);
            m.writeMemLeaf(proof, d / 32, it, copyBytes(it.leaf, d % 32, il.leaf, off % 32, cnt));
            if (n == cnt) return done(h);
            pushBack3(m, d + cnt, off + cnt, n - cnt);
            return TrapCode.NONE;
        }
        if (op == Op.HOST_OUTPUT_WRITE) {
            uint256 n = m.pop(proof);
            uint256 src = m.pop(proof);
            if (src + n > m.memBytes()) return TrapCode.OUT_OF_BOUNDS_MEMORY;
            if (h.outputLength + n > h.maxOutputBytes) return TrapCode.OUTPUT_LIMIT;
            if (n == 0) return done(h);
            uint256 o = h.outputLength;
            uint256 cnt = min(n, min(32 - (src % 32), 32 - (o % 32)));
            bytes32 from = m.readMemLeaf(proof, src / 32).leaf;
            bytes32 outPartial = copyBytes(h.outputPartial, o % 32, from, src % 32, cnt);
            h.outputLength = o + cnt;
            if (h.outputLength % 32 == 0) {
                h.outputAcc = HeaderLib.H(h.outputAcc, outPartial);
                h.outputPartial = bytes32(0);
            } else {
                h.outputPartial = outPartial;
            }
            if (n == cnt) return done(h);
            m.push(src + cnt);
            m.push(n - cnt);
            return TrapCode.NONE;
        }
        revert UnknownOpcode();
    }
}
