// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Op, TrapCode} from "../generated/Constants.sol";
import {Header} from "../state/Header.sol";
import {ProofErrors} from "../state/ProofErrors.sol";
import {IOneStepProverMemory} from "./IOneStepProver.sol";
import {MerkleItem, StepState, StepStateLib} from "./StepState.sol";

/// @title OneStepProverMemory
/// @notice Loads, stores, memory.size and memory.grow. Twin of wasm-stepper/src/state/osp/memory.ts:
/// loadBytes, storeBytes, executeMemory (and its MEMORY_OPS table, as memoryOp).
contract OneStepProverMemory is IOneStepProverMemory, ProofErrors {
    using StepStateLib for StepState;

    uint256 private constant MASK32 = 0xffffffff;

    /// @notice Reads `size` bytes little-endian at `ea` (within memory: checked by the caller). An
    /// access that crosses a 32-byte leaf boundary reads both leaves, both against the current root.
    function loadBytes(StepState memory m, bytes calldata proof, uint256 ea, uint256 size) internal pure returns (uint256 v) {
        uint256 first = ea / 32;
        uint256 last = (ea + size - 1) / 32;
        bytes32 a = m.readMemLeaf(proof, first).leaf;
        bytes32 b = last != first ? m.readMemLeaf(proof, last).leaf : a;
        for (uint256 k = size; k > 0; k--) {
            uint256 addr = ea + k - 1;
            bytes32 leaf = addr / 32 == first ? a : b;
            v = (v << 8) | uint256(uint8(leaf[addr % 32]));
        }
    }

    /// @notice Writes the low `size` bytes of `v` little-endian at `ea`, leaf by leaf; the second leaf
    /// of a crossing store is proven against the root the first write produced.
    function storeBytes(StepState memory m, bytes calldata proof, uint256 ea, uint256 size, uint256 v) internal pure {
        uint256 first = ea / 32;
        uint256 last = (ea + size - 1) / 32;
        for (uint256 leafIdx = first; leafIdx <= last; leafIdx++) {
            MerkleItem memory it = m.readMemLeaf(proof, leafIdx);
            uint256 leaf = uint256(it.leaf);
            for (uint256 k = 0; k < size; k++) {
                uint256 addr = ea + k;
                if (addr / 32 == leafIdx) {
                    uint256 shift = 8 * (31 - (addr % 32));
                    leaf = (leaf & ~(uint256(0xff) << shift)) | (((v >> (8 * k)) & 0xff) << shift);
                }
            }
            m.writeMemLeaf(proof, leafIdx, it, bytes32(leaf));
        }
    }

    /// @notice The access of a load or store opcode: byte size, sign-extending, i64 result, store
    /// (memory.ts MEMORY_OPS); size 0 if `op` is not a load or store.
    function memoryOp(uint256 op) internal pure returns (uint256 size, bool signed, bool is64, bool store) {
        if (op == Op.I32_LOAD) return (4, false, false, false);
        if (op == Op.I64_LOAD) return (8, false, true, false);
        if (op == Op.I32_LOAD8_S) return (1, true, false, false);
        if (op == Op.I32_LOAD8_U) return (1, false, false, false);
        if (op == Op.I32_LOAD16_S) return (2, true, false, false);
        if (op == Op.I32_LOAD16_U) return (2, false, false, false);
        if (op == Op.I64_LOAD8_S) return (1, true, true, false);
        if (op == Op.I64_LOAD8_U) return (1, false, true, false);
        if (op == Op.I64_LOAD16_S) return (2, true, true, false);
        if (op == Op.I64_LOAD16_U) return (2, false, true, false);
        if (op == Op.I64_LOAD32_S) return (4, true, true, false);
        if (op == Op.I64_LOAD32_U) return (4, false, true, false);
        if (op == Op.I32_STORE) return (4, false, false, true);
        if (op == Op.I64_STORE) return (8, false, true, true);
        if (op == Op.I32_STORE8) return (1, false, false, true);
        if (op == Op.I32_STORE16) return (2, false, false, true);
        if (op == Op.I64_STORE8) return (1, false, true, true);
        if (op == Op.I64_STORE16) return (2, false, true, true);
        if (op == Op.I64_STORE32) return (4, false, true, true);
        return (0, false, false, false);
    }

    /// @inheritdoc IOneStepProverMemory
    function executeMemory(StepState memory m, bytes calldata proof, uint256 op, uint256 a)
        external
        pure
        returns (StepState memory, uint256 trap)
    {
        trap = execute(m, proof, op, a);
        return (m, trap);
    }

    /// @dev executeMemory's body (memory.ts `executeMemory`); returns the trap code.
    function execute(StepState memory m, bytes calldata proof, uint256 op, uint256 a) private pure returns (uint256) {
        Header memory h = m.h;
        if (op == Op.MEMORY_SIZE) {
            m.push(h.memoryPages);
            h.pc++;
            return TrapCode.NONE;
        }
        if (op == Op.MEMORY_GROW) {
            uint256 delta = m.pop(proof);
            uint256 old = h.memoryPages;
            if (old + delta > h.maxMemoryPages) {
                m.push(MASK32);
            } else {
                h.memoryPages = old + delta;
                m.push(old);
            }
            h.pc++;
            return TrapCode.NONE;
        }
        (uint256 size, bool signed, bool is64, bool store) = memoryOp(op);
        if (size == 0) revert UnknownOpcode();
        uint256 v;
        if (store) v = m.pop(proof);
        uint256 ea = m.pop(proof) + a;
        if (ea + size > m.memBytes()) return TrapCode.OUT_OF_BOUNDS_MEMORY;
        if (store) {
            storeBytes(m, proof, ea, size, v);
        } else {
            uint256 x = loadBytes(m, proof, ea, size);
            if (signed) {
                // BigInt.asUintN(is64 ? 64 : 32, BigInt.asIntN(size * 8, x))
                uint256 bits = size * 8;
                if ((x >> (bits - 1)) & 1 != 0) x |= type(uint256).max << bits;
                x &= is64 ? 0xffffffffffffffff : MASK32;
            }
            m.push(x);
        }
        h.pc++;
        return TrapCode.NONE;
    }
}
