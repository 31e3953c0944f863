// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Tag, Width} from "../generated/Constants.sol";

/// @notice Every field of the state commitment (spec/STATE.md section 3). Twin of `Header` in
/// wasm-stepper/src/state/header.ts, field for field.
/// @dev Memory layout (relied on by HeaderLib and ProofReader): a memory struct is one 32-byte word
/// per field, in declaration order. Fields 8..39 are, in order, proof header words 2..33 (spec/STATE.md
/// section 4), so ProofReader copies them with one calldatacopy; fields 13..20 are the heapHash
/// preimage and fields 21..36 the staticHash preimage, hashed in place; fields 37..39 the micro-step
/// register. 40 words = HEADER_FIELDS.
/// Numbers are kept as read (unmasked); the hashes narrow them exactly where header.ts does
/// (DataView setUint8/32/BigUint64 for the control bytes, u64() for the top operand).
struct Header {
    // ---- control: u8 status, u8 trap, u32 nlocals, u32 pc, u64 steps, u32 sp, u32 fp, u32 depth (30 bytes)
    uint256 status; // 0
    uint256 trap; // 1
    uint256 nlocals; // 2
    uint256 pc; // 3
    uint256 steps; // 4
    uint256 sp; // 5
    uint256 fp; // 6
    uint256 depth; // 7
    // ---- the current frame's operands and locals
    uint256 top; // 8: the top operand (0 when the operand stack is empty)
    bytes32 operands; // 9: hash chain of the operands below the top
    bytes32 localsRoot; // 10
    // ---- restHash preimage
    bytes32 framesHash; // 11
    bytes32 globalsRoot; // 12
    // ---- heapHash preimage (fields 13..20)
    bytes32 memoryRoot; // 13
    uint256 memoryPages; // 14
    bytes32 tableRoot; // 15
    bytes32 dataRoot; // 16
    bytes32 elemRoot; // 17
    bytes32 outputAcc; // 18
    bytes32 outputPartial; // 19
    uint256 outputLength; // 20
    // ---- staticHash preimage (fields 21..36)
    bytes32 codeRoot; // 21
    uint256 codeLength; // 22
    bytes32 funcsRoot; // 23
    uint256 nFuncs; // 24
    uint256 nGlobals; // 25
    uint256 tableSize; // 26
    uint256 nData; // 27
    uint256 nElem; // 28
    bytes32 inputRoot; // 29
    uint256 inputLength; // 30
    uint256 maxSteps; // 31
    uint256 maxMemoryPages; // 32
    uint256 maxCallDepth; // 33
    uint256 maxValueStack; // 34
    uint256 maxOutputBytes; // 35
    uint256 maxTableEntries; // 36
    // ---- the micro-step register (restHash preimage tail, fields 37..39)
    uint256 mp; // 37: progress of the instruction at pc when it takes several steps
    uint256 auxLen; // 38: values in the aux chain
    bytes32 aux; // 39: the aux chain, or a call's pending locals root
}

/// @title HeaderLib
/// @notice The state header's hashes (spec/STATE.md sections 2-3). Twin of
/// wasm-stepper/src/state/header.ts: same function names, same bytes hashed.
/// @dev Hashes are built in scratch memory above the free memory pointer (never allocated), or in
/// place over the struct's own words (heapHash, staticHash), so hashing allocates nothing.
library HeaderLib {
    /// @dev Number of 32-byte fields of `Header` (its memory size in words).
    uint256 internal constant HEADER_FIELDS = 40;
    /// @dev Field index of the first heapHash word (memoryRoot) and of the first staticHash word (codeRoot).
    uint256 internal constant HEAP_FIELD = 13;
    uint256 internal constant HEAP_WORDS = Width.HEAP_WORDS;
    uint256 internal constant STATIC_FIELD = 21;
    uint256 internal constant STATIC_WORDS = Width.STATIC_WORDS;

    uint256 internal constant MASK32 = 0xffffffff;
    uint256 internal constant MASK64 = 0xffffffffffffffff;

    /// @notice ceil(log2(max(n, 1))): the depth of a tree of n leaves (0 for n <= 1).
    function depthFor(uint256 n) internal pure returns (uint256 d) {
        if (n <= 1) return 0;
        // bit length of n - 1
        uint256 x = n - 1;
        if (x >> 128 != 0) { x >>= 128; d += 128; }
        if (x >> 64 != 0) { x >>= 64; d += 64; }
        if (x >> 32 != 0) { x >>= 32; d += 32; }
        if (x >> 16 != 0) { x >>= 16; d += 16; }
        if (x >> 8 != 0) { x >>= 8; d += 8; }
        if (x >> 4 != 0) { x >>= 4; d += 4; }
        if (x >> 2 != 0) { x >>= 2; d += 2; }
        if (x >> 1 != 0) { x >>= 1; d += 1; }
        return d + x;
    }

    /// @notice Depth of the memory tree for an effective maximum of `maxPages` pages: log2(maxPages) + log2(leaves a page), at least 11.
    function memoryDepth(uint256 maxPages) internal pure returns (uint256) {
        uint256 d = depthFor(maxPages) + Width.PAGE_LEAVES_LOG2;
        return d < Width.MIN_MEMORY_TREE_DEPTH ? Width.MIN_MEMORY_TREE_DEPTH : d;
    }

    /// @notice The 30 control bytes, left-aligned in a word, then two zero bytes (the proof's control word).
    function controlWord(Header memory h) internal pure returns (uint256 c) {
        c = ((h.status & 0xff) << 248) | ((h.trap & 0xff) << 240) | ((h.nlocals & MASK32) << 208)
            | ((h.pc & MASK32) << 176) | ((h.steps & MASK64) << 112) | ((h.sp & MASK32) << 80)
            | ((h.fp & MASK32) << 48) | ((h.depth & MASK32) << 16);
    }

    /// @notice Sets the control fields from the proof's control word (its padding is checked by the reader).
    function parseControl(uint256 c, Header memory h) internal pure {
        h.status = c >> 248;
        h.trap = (c >> 240) & 0xff;
        h.nlocals = (c >> 208) & MASK32;
        h.pc = (c >> 176) & MASK32;
        h.steps = (c >> 112) & MASK64;
        h.sp = (c >> 80) & MASK32;
        h.fp = (c >> 48) & MASK32;
        h.depth = (c >> 16) & MASK32;
    }

    /// @notice H(a || b): an internal Merkle node, a chain link.
    function H(bytes32 a, bytes32 b) internal pure returns (bytes32 r) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            r := keccak256(0x00, 0x40)
        }
    }

    /// @notice heapHash = H("Heap:" || memoryRoot || w(memoryPages) || tableRoot || dataRoot || elemRoot
    /// || outputAcc || outputPartial || w(outputLength)), hashed in place over fields 13..20.
    function heapHash(Header memory h) internal pure returns (bytes32 r) {
        uint256 tag = uint256(uint40(Tag.HEAP));
        uint256 tagLength = Tag.HEAP_LENGTH;
        uint256 len = tagLength + HEAP_WORDS * 32;
        assembly ("memory-safe") {
            let p := add(h, mul(HEAP_FIELD, 32))
            let before := sub(p, 32)
            let saved := mload(before)
            mstore(before, tag) // the tag's bytes end where the preimage's words begin
            r := keccak256(sub(p, tagLength), len)
            mstore(before, saved)
        }
    }

    /// @notice staticHash = H("Static:" || codeRoot || w(codeLength) || funcsRoot || ... || w(maxOutputBytes)
    /// || w(maxTableEntries)), hashed in place over fields 21..36.
    function staticHash(Header memory h) internal pure returns (bytes32 r) {
        uint256 tag = uint256(uint56(Tag.STATIC));
        uint256 tagLength = Tag.STATIC_LENGTH;
        uint256 len = tagLength + STATIC_WORDS * 32;
        assembly ("memory-safe") {
            let p := add(h, mul(STATIC_FIELD, 32))
            let before := sub(p, 32)
            let saved := mload(before)
            mstore(before, tag)
            r := keccak256(sub(p, tagLength), len)
            mstore(before, saved)
        }
    }

    /// @notice restHash = H("Rest:" || framesHash || globalsRoot || heapHash || staticHash || w(mp) || w(auxLen) || aux).
    function restHashOf(Header memory h, bytes32 heap, bytes32 stat) internal pure returns (bytes32 r) {
        bytes32 tag = bytes32(Tag.REST);
        uint256 t = Tag.REST_LENGTH;
        bytes32 framesHash = h.framesHash;
        bytes32 globalsRoot = h.globalsRoot;
        uint256 mp = h.mp;
        uint256 auxLen = h.auxLen;
        bytes32 aux = h.aux;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, tag)
            let q := add(p, t)
            mstore(q, framesHash)
            mstore(add(q, 32), globalsRoot)
            mstore(add(q, 64), heap)
            mstore(add(q, 96), stat)
            mstore(add(q, 128), mp)
            mstore(add(q, 160), auxLen)
            mstore(add(q, 192), aux)
            r := keccak256(p, add(t, 224))
        }
    }

    /// @notice stateHash = H("M" || control(30) || u64(top) || operands || localsRoot || restHash): 135 bytes.
    function stateHashOf(uint256 control, uint256 top, bytes32 operands, bytes32 localsRoot, bytes32 rest) internal pure returns (bytes32 r) {
        // "M" then the 30 control bytes in the first word (the control word's zero padding falls off its end)
        uint256 first = (uint256(uint8(Tag.MACHINE)) << 248) | (control >> (8 * Tag.MACHINE_LENGTH));
        uint256 topAt = Tag.MACHINE_LENGTH + Width.CONTROL;
        uint256 operandsAt = topAt + Width.TOP_BYTES;
        uint256 topBits = (top & MASK64) << (256 - 8 * Width.TOP_BYTES); // u64(top), big-endian
        uint256 len = Width.STATE_HASH_PREIMAGE;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, first)
            mstore(add(p, topAt), topBits)
            let q := add(p, operandsAt)
            mstore(q, operands)
            mstore(add(q, 32), localsRoot)
            mstore(add(q, 64), rest)
            r := keccak256(p, len)
        }
    }

    /// @notice The state hash of a header.
    function headerHash(Header memory h) internal pure returns (bytes32) {
        return stateHashOf(controlWord(h), h.top, h.operands, h.localsRoot, restHashOf(h, heapHash(h), staticHash(h)));
    }

    /// @notice The frame record hash pushed on call: H("Frame:" || prev || w(returnPc) || w(callerFp)
    /// || w(callerNlocals) || callerLocalsRoot || w(callerTop) || callerOperands) (spec/STATE.md section 2).
    function frameHash(
        bytes32 prev,
        uint256 returnPc,
        uint256 callerFp,
        uint256 callerNlocals,
        bytes32 callerLocalsRoot,
        uint256 callerTop,
        bytes32 callerOperands
    ) internal pure returns (bytes32 r) {
        bytes32 tag = bytes32(Tag.FRAME);
        uint256 t = Tag.FRAME_LENGTH;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, tag)
            let q := add(p, t)
            mstore(q, prev)
            mstore(add(q, 32), returnPc)
            mstore(add(q, 64), callerFp)
            mstore(add(q, 96), callerNlocals)
            mstore(add(q, 128), callerLocalsRoot)
            mstore(add(q, 160), callerTop)
            mstore(add(q, 192), callerOperands)
            r := keccak256(p, add(t, 224))
        }
    }

    /// @notice A data or element segment's leaf: H(tag || root || w(len)), tag "Data:" or "Elem:".
    function segmentLeaf(bytes32 tag, uint256 tagLength, bytes32 root, uint256 len) internal pure returns (bytes32 r) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, tag)
            mstore(add(p, tagLength), root)
            mstore(add(p, add(tagLength, 32)), len)
            r := keccak256(p, add(tagLength, 64))
        }
    }

    /// @notice The output commitment the chain checks a claimed output against:
    /// H("Output:" || outputAcc || outputPartial || w(outputLength)).
    function outputHash(bytes32 acc, bytes32 outputPartial, uint256 length) internal pure returns (bytes32 r) {
        bytes32 tag = bytes32(Tag.OUTPUT);
        uint256 t = Tag.OUTPUT_LENGTH;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, tag)
            let q := add(p, t)
            mstore(q, acc)
            mstore(add(q, 32), outputPartial)
            mstore(add(q, 64), length)
            r := keccak256(p, add(t, 96))
        }
    }
}
