// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Width, ZeroHash, Tag} from "../generated/Constants.sol";
import {Header, HeaderLib} from "../state/Header.sol";
import {ProofReader} from "../state/ProofReader.sol";
import {ProofErrors} from "../state/ProofErrors.sol";

/// @notice The state of one step in progress: the post-state header being built and the witness
/// cursor. Twin of `StepState` in wasm-stepper/src/state/osp/step-state.ts.
/// @dev Passed between the entry and the prover contracts ABI-encoded (42 words); each external
/// call works on its own copy, so the entry's pre-state header is never written.
struct StepState {
    /// @dev The post-state header being built (starts as a copy of the pre-state).
    Header h;
    /// @dev Depth of the memory tree: memoryDepth(maxMemoryPages).
    uint256 memDepth;
    /// @dev Whether h.top holds the current frame's top operand (see pop).
    bool topValid;
    /// @dev The position in the proof of the next unread word (a multiple of 32).
    uint256 cursor;
}

/// @notice A Merkle item the step has read and checked: the leaf and where its siblings are in the
/// proof, so that a write reuses them without copying (spec/STATE.md section 4).
struct MerkleItem {
    bytes32 leaf;
    /// @dev Position of the first sibling in the proof.
    uint256 siblings;
    uint256 depth;
}

/// @notice A data or element segment record with its leaf (readSegment).
struct SegmentItem {
    bytes32 root;
    uint256 len;
    bytes32 leaf;
    uint256 siblings;
    uint256 depth;
}

/// @notice A function record (spec/STATE.md section 1, "functions").
struct FuncRecord {
    uint256 entry;
    uint256 nparams;
    uint256 nlocals;
    uint256 maxHeight;
    uint256 typeId;
    uint256 nresults;
}

/// @title StepStateLib
/// @notice Witness-backed accessors of a step: each function is the twin of the method or function
/// of the same name in wasm-stepper/src/state/osp/step-state.ts, with the same checks in the same order.
library StepStateLib {
    uint256 internal constant PAGE = Width.PAGE_BYTES;
    uint256 internal constant MASK32 = 0xffffffff;
    uint256 internal constant MASK64 = 0xffffffffffffffff;

    /// @notice A step from `pre`, reading witness items from `cursor` on.
    function init(Header memory pre, uint256 cursor) internal pure returns (StepState memory m) {
        m.h = pre;
        m.memDepth = HeaderLib.memoryDepth(pre.maxMemoryPages);
        m.topValid = true;
        m.cursor = cursor;
    }

    /// @notice w(v & (2^64 - 1)): a value slot's word.
    function valueWord(uint256 v) internal pure returns (bytes32) {
        return bytes32(v & MASK64);
    }

    /// @notice Root from a leaf and its siblings (bottom-up), the siblings read from the proof at `siblings`.
    function rootOf(bytes calldata proof, uint256 index, bytes32 leaf, uint256 siblings, uint256 depth) internal pure returns (bytes32 cur) {
        cur = leaf;
        assembly ("memory-safe") {
            let p := add(proof.offset, siblings)
            for { let k := 0 } lt(k, depth) { k := add(k, 1) } {
                let s := calldataload(add(p, shl(5, k)))
                // (index >> k) & 1 == 0: the node is a left child
                switch and(shr(k, index), 1)
                case 0 {
                    mstore(0x00, cur)
                    mstore(0x20, s)
                }
                default {
                    mstore(0x00, s)
                    mstore(0x20, cur)
                }
                cur := keccak256(0x00, 0x40)
            }
        }
    }

    /// @notice The instruction at `pc`: `[op, a, b, c]` from its code leaf `u32(op) u32(a) u32(b) u32(c) 0^16`.
    /// @dev The immediates are returned as unsigned u32; state.ts returns them as signed int32 and its
    /// callers convert where it matters (branch keep/drop counts, the br_table return marker).
    function readInstruction(StepState memory m, bytes calldata proof, uint256 pc)
        internal
        pure
        returns (uint256 op, uint256 a, uint256 b, uint256 c)
    {
        Header memory h = m.h;
        if (pc >= h.codeLength) revert ProofErrors.InstructionOutOfRange();
        uint256 depth = HeaderLib.depthFor(h.codeLength);
        (bytes32 leaf, uint256 siblings, uint256 next) = ProofReader.merkle(proof, m.cursor, depth);
        m.cursor = next;
        if (rootOf(proof, pc, leaf, siblings, depth) != h.codeRoot) revert ProofErrors.BadCodeProof();
        uint256 w = uint256(leaf);
        op = w >> 224;
        a = (w >> 192) & MASK32;
        b = (w >> 160) & MASK32;
        c = (w >> 128) & MASK32;
    }

    /// @notice Whether the current frame has operands above its locals (state.ts `height() > 0`).
    function hasOperands(StepState memory m) internal pure returns (bool) {
        Header memory h = m.h;
        return h.sp > h.fp + h.nlocals;
    }

    /// @notice Operands above the frame's locals (may be negative in a malformed state, as in state.ts).
    function height(StepState memory m) internal pure returns (int256) {
        Header memory h = m.h;
        return int256(h.sp) - int256(h.fp) - int256(h.nlocals);
    }

    /// @dev Reveals the value on top of the hash chain `head`: (value, beneath) with H(beneath || value) == head.
    function reveal(StepState memory m, bytes calldata proof, bytes32 head) private pure returns (uint256, bytes32) {
        (bytes32 value, bytes32 beneath, uint256 next) = ProofReader.operand(proof, m.cursor);
        m.cursor = next;
        if (HeaderLib.H(beneath, value) != head) revert ProofErrors.BadOperandProof();
        return (uint256(value), beneath);
    }

    /// @dev Reveals the operand below the operand chain's head and pops it from the chain.
    function revealOperand(StepState memory m, bytes calldata proof) private pure returns (uint256 v) {
        Header memory h = m.h;
        (v, h.operands) = reveal(m, proof, h.operands);
    }

    /// @notice Pops a value. The top operand is in the header (h.top) while `topValid`; deeper ones
    /// come from the witness as (value, hash beneath), checked against the chain (spec/STATE.md section 2).
    function pop(StepState memory m, bytes calldata proof) internal pure returns (uint256) {
        Header memory h = m.h;
        if (!hasOperands(m)) revert ProofErrors.StackUnderflow();
        h.sp--;
        // A value slot is 64 bits: a wider word (only in a crafted chain) is used as its low 64 bits.
        if (m.topValid) {
            m.topValid = false;
            return h.top & MASK64;
        }
        return revealOperand(m, proof) & MASK64;
    }

    /// @notice Pushes a value (kept as its 64-bit slot).
    function push(StepState memory m, uint256 v) internal pure {
        Header memory h = m.h;
        // The old top joins the chain; with !topValid the chain already holds every operand.
        if (m.topValid && hasOperands(m)) h.operands = HeaderLib.H(h.operands, valueWord(h.top));
        h.top = v & MASK64;
        m.topValid = true;
        h.sp++;
    }

    /// @notice Makes h.top the real top again after pops: reveals it from the witness if needed.
    function settle(StepState memory m, bytes calldata proof) internal pure {
        Header memory h = m.h;
        if (m.topValid) return;
        m.topValid = true;
        if (!hasOperands(m)) {
            h.top = 0;
            return;
        }
        h.top = revealOperand(m, proof);
    }

    /// @notice Pops a value from the aux chain: (value, hash beneath) from the witness, checked against h.aux.
    function auxPop(StepState memory m, bytes calldata proof) internal pure returns (uint256 v) {
        Header memory h = m.h;
        (v, h.aux) = reveal(m, proof, h.aux);
        return v & MASK64;
    }

    /// @notice Pushes a value on the aux chain.
    function auxPush(StepState memory m, uint256 v) internal pure {
        m.h.aux = HeaderLib.H(m.h.aux, valueWord(v));
    }

    /// @notice Reads a leaf of a tree and checks it against `root`; returns the item for a later write.
    function readLeaf(StepState memory m, bytes calldata proof, uint256 index, uint256 depth, bytes32 root)
        internal
        pure
        returns (MerkleItem memory it)
    {
        (bytes32 leaf, uint256 siblings, uint256 next) = ProofReader.merkle(proof, m.cursor, depth);
        m.cursor = next;
        if (rootOf(proof, index, leaf, siblings, depth) != root) revert ProofErrors.BadMerkleProof();
        it.leaf = leaf;
        it.siblings = siblings;
        it.depth = depth;
    }

    /// @notice The new root after writing `leaf` at the place `it` proved.
    function writeLeaf(bytes calldata proof, uint256 index, MerkleItem memory it, bytes32 leaf) internal pure returns (bytes32) {
        return rootOf(proof, index, leaf, it.siblings, it.depth);
    }

    /// @notice Reads data (`isData`) or element segment `index`'s record and checks it against dataRoot/elemRoot.
    function readSegment(StepState memory m, bytes calldata proof, bool isData, uint256 index)
        internal
        pure
        returns (SegmentItem memory it)
    {
        Header memory h = m.h;
        uint256 n = isData ? h.nData : h.nElem;
        if (index >= n) revert ProofErrors.SegmentOutOfRange();
        bytes32 root = isData ? h.dataRoot : h.elemRoot;
        uint256 depth = HeaderLib.depthFor(n);
        uint256 next;
        (it.root, it.len, it.leaf, it.siblings, next) = ProofReader.segment(proof, m.cursor, depth);
        it.depth = depth;
        m.cursor = next;
        if (rootOf(proof, index, it.leaf, it.siblings, depth) != root) revert ProofErrors.BadMerkleProof();
        if (it.leaf == bytes32(0)) {
            // Dropped: length 0, nothing to open.
            if (it.len != 0 || it.root != bytes32(0)) revert ProofErrors.BadSegmentProof();
        } else if (
            HeaderLib.segmentLeaf(isData ? bytes32(Tag.DATA) : bytes32(Tag.ELEM), isData ? Tag.DATA_LENGTH : Tag.ELEM_LENGTH, it.root, it.len)
                != it.leaf
        ) {
            revert ProofErrors.BadSegmentProof();
        }
    }

    /// @notice Reads memory leaf `leafIndex` (bytes [32i, 32i+32)) against the memory root as it is now.
    function readMemLeaf(StepState memory m, bytes calldata proof, uint256 leafIndex) internal pure returns (MerkleItem memory) {
        return readLeaf(m, proof, leafIndex, m.memDepth, m.h.memoryRoot);
    }

    function writeMemLeaf(StepState memory m, bytes calldata proof, uint256 leafIndex, MerkleItem memory it, bytes32 leaf) internal pure {
        m.h.memoryRoot = writeLeaf(proof, leafIndex, it, leaf);
    }

    /// @notice Function `f`'s record `u32(entry) u32(nparams) u32(nlocals) u32(maxHeight) u32(typeId) u32(nresults) 0^8`.
    /// @dev `f` is signed as in state.ts (a `call` immediate is an int32 there): a negative index
    /// passes the range check and is proven at the tree position of its low bits.
    function readFunc(StepState memory m, bytes calldata proof, int256 f) internal pure returns (FuncRecord memory fn) {
        Header memory h = m.h;
        if (f >= int256(h.nFuncs)) revert ProofErrors.FunctionOutOfRange();
        MerkleItem memory it = readLeaf(m, proof, uint256(f), HeaderLib.depthFor(h.nFuncs), h.funcsRoot);
        uint256 l = uint256(it.leaf);
        fn.entry = l >> 224;
        fn.nparams = (l >> 192) & MASK32;
        fn.nlocals = (l >> 160) & MASK32;
        fn.maxHeight = (l >> 128) & MASK32;
        fn.typeId = (l >> 96) & MASK32;
        fn.nresults = (l >> 64) & MASK32;
    }

    /// @notice Linear memory size in bytes.
    function memBytes(StepState memory m) internal pure returns (uint256) {
        return m.h.memoryPages * PAGE;
    }

    /// @notice Root of a locals tree: the params (first) then zeros, at depth depthFor(nlocals).
    /// @dev Hashes level by level in place over `params`; an odd last node pairs with Z[k].
    function localsRootOf(uint256[] memory params, uint256 nlocals) internal pure returns (bytes32) {
        uint256 depth = HeaderLib.depthFor(nlocals);
        uint256 len = params.length;
        if (len == 0) return ZeroHash.at(depth);
        bytes32[] memory level = new bytes32[](len);
        for (uint256 i = 0; i < len; i++) level[i] = valueWord(params[i]);
        for (uint256 k = 0; k < depth; k++) {
            uint256 next = (len + 1) / 2;
            for (uint256 i = 0; i < next; i++) {
                bytes32 right = 2 * i + 1 < len ? level[2 * i + 1] : ZeroHash.at(k);
                level[i] = HeaderLib.H(level[2 * i], right);
            }
            len = next;
        }
        return level[0];
    }
}
