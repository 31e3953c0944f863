// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LimitMax, Status, Tag, Width, ZeroHash} from "../generated/Constants.sol";
import {Header, HeaderLib} from "../state/Header.sol";
import {ProofReader} from "../state/ProofReader.sol";
import {ModuleFields, Limits, ResultClaim} from "../interfaces/ProtocolTypes.sol";

/// @title TaskSpec
/// @notice Tasks in the state layout (wasm-stepper/spec/STATE.md section 5): the module id, the input root, the
/// initial state hash of "module on input under limits" derived from the module's fields, the output hash and the
/// result check. Twin of wasm-stepper/src/state/task.ts (same names, same bytes). Used by the task market (post,
/// submit) and the dispute game.
library TaskSpec {
    /// @notice Thrown when limit number `index` (in `Limits` field order) is above the largest value the
    /// stepper accepts (spec/state.json `limits`): no machine could run the task.
    error LimitOutOfRange(uint256 index, uint256 value, uint256 max);
    /// @notice Thrown when the module's initial memory (`pages`) does not fit the task's `maxMemoryPages`.
    error ModuleNeedsMorePages(uint256 pages, uint256 maxMemoryPages);
    /// @notice Thrown when a result's header is not exactly HEADER_WORDS words.
    error BadHeaderLength(uint256 length, uint256 expected);
    /// @notice Thrown when a result's header words do not hash to the claimed final state hash.
    error ResultHashMismatch(bytes32 headerHash, bytes32 finalStateHash);
    /// @notice Thrown when a result's final state is still running.
    error ResultNotTerminal();
    /// @notice Thrown when the output bytes are not the ones the final state commits to.
    error OutputMismatch(uint256 outputLength, uint256 committedLength);

    uint256 internal constant MAX_PAGES = 65536;
    /// @dev Header field index of the first limit (maxSteps): staticHash fields 21..35, limits last.
    uint256 private constant LIMITS_FIELD = HeaderLib.STATIC_FIELD + Width.STATIC_WORDS - LimitMax.COUNT;

    /// @notice moduleId = H("Module:" || abi.encode(fields)): the 16 field words in declaration order.
    function moduleId(ModuleFields memory f) internal pure returns (bytes32 r) {
        bytes memory enc = abi.encodePacked(Tag.MODULE, abi.encode(f));
        r = keccak256(enc);
    }

    /// @notice Reverts unless every limit is within the stepper's bounds and the module's memory fits.
    function checkLimits(ModuleFields memory f, Limits memory l) internal pure {
        for (uint256 i = 0; i < LimitMax.COUNT; i++) {
            uint256 v;
            assembly ("memory-safe") {
                v := mload(add(l, mul(i, 32)))
            }
            uint256 max = LimitMax.at(i);
            if (v > max) revert LimitOutOfRange(i, v, max);
        }
        if (f.memoryPages > l.maxMemoryPages) revert ModuleNeedsMorePages(f.memoryPages, l.maxMemoryPages);
    }

    /// @notice The input tree's root (spec/STATE.md section 1): 32-byte leaves, the last zero-padded, depth
    /// depthFor(ceil(len / 32)); 0^32 for the empty input. Hashes in place in fresh memory (ceil(len/32) - 1 hashes).
    function inputRoot(bytes calldata input) internal pure returns (bytes32 r) {
        uint256 len = input.length;
        if (len == 0) return bytes32(0);
        uint256 n = (len + 31) >> 5;
        uint256 depth = HeaderLib.depthFor(n);
        uint256 p;
        assembly ("memory-safe") {
            p := mload(0x40)
            calldatacopy(p, input.offset, len)
            mstore(add(p, len), 0) // zero the last leaf's tail
            mstore(0x40, add(p, add(mul(n, 32), 64)))
        }
        for (uint256 d = 0; d < depth; d++) {
            if (n & 1 == 1) {
                bytes32 z = ZeroHash.at(d);
                assembly ("memory-safe") {
                    mstore(add(p, mul(n, 32)), z)
                }
                n++;
            }
            n >>= 1;
            assembly ("memory-safe") {
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    mstore(add(p, mul(i, 32)), keccak256(add(p, mul(i, 64)), 64))
                }
            }
        }
        assembly ("memory-safe") {
            r := mload(p)
        }
    }

    /// @notice Folds output bytes as the machine does: acc over the full 32-byte leaves, the rest left-aligned.
    function foldOutput(bytes calldata output) internal pure returns (bytes32 acc, bytes32 partialLeaf) {
        uint256 full = output.length >> 5;
        uint256 rem = output.length & 31;
        assembly ("memory-safe") {
            let o := output.offset
            for { let i := 0 } lt(i, full) { i := add(i, 1) } {
                mstore(0x00, acc)
                mstore(0x20, calldataload(add(o, mul(i, 32))))
                acc := keccak256(0x00, 0x40)
            }
            if rem {
                let w := calldataload(add(o, mul(full, 32)))
                partialLeaf := and(w, not(sub(shl(sub(256, mul(rem, 8)), 1), 1)))
            }
        }
    }

    /// @notice outputHash(bytes) = H("Output:" || outputAcc || outputPartial || w(length)) of these bytes.
    function outputHash(bytes calldata output) internal pure returns (bytes32) {
        (bytes32 acc, bytes32 part) = foldOutput(output);
        return HeaderLib.outputHash(acc, part, output.length);
    }

    /// @notice Lifts the root of a tree of depth `from` to depth `to` (the old tree is the leftmost subtree).
    function liftRoot(bytes32 root, uint256 from, uint256 to) internal pure returns (bytes32 r) {
        r = root;
        for (uint256 d = from; d < to; d++) r = HeaderLib.H(r, ZeroHash.at(d));
    }

    /// @notice The initial state hash of a task (spec/STATE.md section 5). Reverts as checkLimits does.
    function initialStateHash(ModuleFields memory f, bytes32 inRoot, uint256 inLength, Limits memory l)
        internal
        pure
        returns (bytes32)
    {
        checkLimits(f, l);
        uint256 maxPages = f.moduleMaxPages;
        if (l.maxMemoryPages < maxPages) maxPages = l.maxMemoryPages;
        if (MAX_PAGES < maxPages) maxPages = MAX_PAGES;
        Header memory h;
        h.status = l.maxSteps == 0 ? Status.OUT_OF_STEPS : Status.RUNNING;
        h.pc = f.entryPc;
        h.localsRoot = ZeroHash.Z_0;
        h.globalsRoot = f.globalsRoot;
        h.memoryRoot = liftRoot(f.memoryRoot, HeaderLib.memoryDepth(f.memoryPages), HeaderLib.memoryDepth(maxPages));
        h.memoryPages = f.memoryPages;
        h.tableRoot = f.tableRoot;
        h.dataRoot = f.dataRoot;
        h.elemRoot = f.elemRoot;
        h.codeRoot = f.codeRoot;
        h.codeLength = f.codeLength;
        h.funcsRoot = f.funcsRoot;
        h.nFuncs = f.nFuncs;
        h.nGlobals = f.nGlobals;
        h.tableSize = f.tableSize;
        h.nData = f.nData;
        h.nElem = f.nElem;
        h.inputRoot = inRoot;
        h.inputLength = inLength;
        // The limits in `Limits` field order are the last static words (a limit added to both adapts here).
        uint256 at = LIMITS_FIELD;
        uint256 count = LimitMax.COUNT;
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                mstore(add(h, mul(add(at, i), 32)), mload(add(l, mul(i, 32))))
            }
        }
        h.maxMemoryPages = maxPages;
        return HeaderLib.headerHash(h);
    }

    /// @notice The result check: `headerWords` (the final state's header as a proof starts: version word first)
    /// read as a proof header, hash to `finalStateHash`, are terminal, and commit to exactly `output`.
    /// @return c the claim to record (status, trap code and step count from the header).
    function checkResult(bytes32 finalStateHash, bytes calldata headerWords, bytes calldata output)
        internal
        pure
        returns (ResultClaim memory c)
    {
        if (headerWords.length != Width.HEADER_BYTES) revert BadHeaderLength(headerWords.length, Width.HEADER_BYTES);
        (Header memory h,) = ProofReader.header(headerWords);
        bytes32 got = HeaderLib.headerHash(h);
        if (got != finalStateHash) revert ResultHashMismatch(got, finalStateHash);
        if (h.status == Status.RUNNING) revert ResultNotTerminal();
        (bytes32 acc, bytes32 part) = foldOutput(output);
        if (output.length != h.outputLength || acc != h.outputAcc || part != h.outputPartial) {
            revert OutputMismatch(output.length, h.outputLength);
        }
        c.finalStateHash = finalStateHash;
        c.outputHash = HeaderLib.outputHash(acc, part, output.length);
        c.steps = uint64(h.steps);
        c.status = uint8(h.status);
        c.trapCode = uint8(h.trap);
    }
}
