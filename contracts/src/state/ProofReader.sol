// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Width} from "../generated/Constants.sol";
import {Header, HeaderLib} from "./Header.sol";
import {ProofErrors} from "./ProofErrors.sol";

/// @notice A frame record as the proof reveals it (spec/STATE.md section 4, "frame record").
struct FrameItem {
    bytes32 prev;
    uint256 returnPc;
    uint256 callerFp;
    uint256 callerNlocals;
    bytes32 callerLocalsRoot;
    uint256 callerTop;
    bytes32 callerOperands;
}

/// @title ProofReader
/// @notice Reads a one-step proof's 32-byte words in order. Twin of `ProofReader` in
/// wasm-stepper/src/state/proof-reader.ts: the same items, the same widths, the same checks in the same
/// order (so a bad proof fails with the same error on both sides).
/// @dev Positions are byte offsets from the start of `proof`, always multiples of 32: every read is
/// one `calldataload` at a word stride (docs/PERFORMANCE.md, "On-chain proof cost"). Each function
/// checks that its whole item is present before reading it (Truncated).
library ProofReader {
    /// @notice The largest number a numeric word may hold: 2^53 - 1. The TypeScript reader keeps
    /// numbers (lengths, counts, limits, frame fields) as JavaScript numbers and rejects larger ones
    /// with BadHeader (proof-reader.ts `num()`); the contract rejects the same words.
    uint256 internal constant MAX_NUMBER = Width.MAX_NUMBER;

    /// @dev Header word indices (spec/STATE.md section 4) that are read as numbers: memoryPages (8),
    /// outputLength (14), codeLength (16), nFuncs..nElem (18-22), inputLength..maxTableEntries (24-30),
    /// mp and auxLen (31, 32).
    uint256 internal constant NUMBER_WORDS =
        (1 << 8) | (1 << 14) | (1 << 16) | (1 << 18) | (1 << 19) | (1 << 20) | (1 << 21) | (1 << 22)
            | (1 << 24) | (1 << 25) | (1 << 26) | (1 << 27) | (1 << 28) | (1 << 29) | (1 << 30) | (1 << 31)
            | (1 << 32);

    /// @notice The word at `pos`.
    function word(bytes calldata proof, uint256 pos) internal pure returns (bytes32 w, uint256 next) {
        next = pos + 32;
        if (next > proof.length) revert ProofErrors.Truncated();
        assembly ("memory-safe") {
            w := calldataload(add(proof.offset, pos))
        }
    }

    /// @notice The word at `pos` as a number; `inRange` is false above 2^53 - 1 (proof-reader.ts `num(code)`:
    /// the caller reverts with the error of its item).
    function num(bytes calldata proof, uint256 pos) internal pure returns (uint256 v, bool inRange, uint256 next) {
        bytes32 w;
        (w, next) = word(proof, pos);
        v = uint256(w);
        inRange = v <= MAX_NUMBER;
    }

    /// @dev The word at `pos` with no bounds check: callers have checked the item's extent.
    function at(bytes calldata proof, uint256 pos) private pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := calldataload(add(proof.offset, pos))
        }
    }

    /// @notice The header: the layout version, then the state-hash preimage words (spec/STATE.md section 4).
    /// @return h the header; @return pos the position after it (HEADER_BYTES).
    function header(bytes calldata proof) internal pure returns (Header memory h, uint256 pos) {
        uint256 n = proof.length;
        // proof-reader.ts: the reader's constructor rejects a partial word before anything is read.
        if (n % 32 != 0) revert ProofErrors.Truncated();
        (bytes32 version,) = word(proof, 0);
        if (uint256(version) != Width.LAYOUT_VERSION) revert ProofErrors.BadVersion();
        (bytes32 control,) = word(proof, 32);
        if (uint256(control) & 0xffff != 0) revert ProofErrors.BadHeader();
        // steps (u64) must be a number too: proof-reader.ts keeps it as a JavaScript number, which is
        // exact only up to 2^53 - 1 (reachable states have steps <= maxSteps <= 2^53 - 1).
        if ((uint256(control) >> 112) & HeaderLib.MASK64 > MAX_NUMBER) revert ProofErrors.BadHeader();
        (bytes32 top,) = word(proof, 64);
        if (uint256(top) >> 64 != 0) revert ProofErrors.BadHeader();
        if (n < Width.HEADER_BYTES) {
            // The proof is short: an error is certain. Find the one the word-by-word reader meets
            // first: an out-of-range number before the end, else Truncated.
            for (uint256 i = 3; i < Width.HEADER_WORDS; i++) {
                (bytes32 w,) = word(proof, 32 * i);
                if ((NUMBER_WORDS >> i) & 1 != 0 && uint256(w) > MAX_NUMBER) revert ProofErrors.BadHeader();
            }
        }
        // Header fields 8..39 are proof words 2..33, in order (see the layout note at `Header`).
        uint256 tail = (Width.HEADER_WORDS - 2) * 32;
        assembly ("memory-safe") {
            calldatacopy(add(h, mul(8, 32)), add(proof.offset, 64), tail)
        }
        HeaderLib.parseControl(uint256(control), h);
        uint256 numbers = h.memoryPages | h.outputLength | h.codeLength | h.nFuncs | h.nGlobals | h.tableSize
            | h.nData | h.nElem | h.inputLength | h.maxSteps | h.maxMemoryPages | h.maxCallDepth | h.maxValueStack
            | h.maxOutputBytes | h.maxTableEntries | h.mp | h.auxLen;
        if (numbers > MAX_NUMBER) revert ProofErrors.BadHeader();
        pos = Width.HEADER_BYTES;
    }

    /// @notice A revealed operand: its value word and the chain hash beneath it.
    function operand(bytes calldata proof, uint256 pos) internal pure returns (bytes32 value, bytes32 beneath, uint256 next) {
        next = pos + 64;
        if (next > proof.length) revert ProofErrors.Truncated();
        value = at(proof, pos);
        beneath = at(proof, pos + 32);
    }

    /// @notice A Merkle item: the leaf, then `depth` siblings bottom-up.
    /// @return leaf the leaf; @return siblings the position of the first sibling; @return next the position after the item.
    function merkle(bytes calldata proof, uint256 pos, uint256 depth) internal pure returns (bytes32 leaf, uint256 siblings, uint256 next) {
        siblings = pos + 32;
        next = siblings + 32 * depth;
        if (next > proof.length) revert ProofErrors.Truncated();
        leaf = at(proof, pos);
    }

    /// @notice A segment record: the segment's root, w(len), then its leaf as a Merkle item. A length
    /// above 2^53 - 1 is BadSegmentProof.
    function segment(bytes calldata proof, uint256 pos, uint256 depth)
        internal
        pure
        returns (bytes32 root, uint256 len, bytes32 leaf, uint256 siblings, uint256 next)
    {
        (root, next) = word(proof, pos);
        bool inRange;
        (len, inRange, next) = num(proof, next);
        if (!inRange) revert ProofErrors.BadSegmentProof();
        (leaf, siblings, next) = merkle(proof, next, depth);
    }

    /// @notice A frame record: prev, w(returnPc), w(callerFp), w(callerNlocals), callerLocalsRoot,
    /// w(callerTop), callerOperands. A number above 2^53 - 1 is BadFrameProof.
    function frame(bytes calldata proof, uint256 pos) internal pure returns (FrameItem memory f, uint256 next) {
        bool inRange;
        (f.prev, next) = word(proof, pos);
        (f.returnPc, inRange, next) = num(proof, next);
        if (!inRange) revert ProofErrors.BadFrameProof();
        (f.callerFp, inRange, next) = num(proof, next);
        if (!inRange) revert ProofErrors.BadFrameProof();
        (f.callerNlocals, inRange, next) = num(proof, next);
        if (!inRange) revert ProofErrors.BadFrameProof();
        (f.callerLocalsRoot, next) = word(proof, next);
        bytes32 callerTop;
        (callerTop, next) = word(proof, next);
        f.callerTop = uint256(callerTop);
        (f.callerOperands, next) = word(proof, next);
    }
}
