// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {NumericKind as K, TrapCode} from "../generated/Constants.sol";
import {Header} from "../state/Header.sol";
import {ProofErrors} from "../state/ProofErrors.sol";
import {IOneStepProverNumeric} from "./IOneStepProver.sol";
import {StepState, StepStateLib} from "./StepState.sol";

/// @title OneStepProverNumeric
/// @notice i32 and i64 arithmetic, comparisons and conversions. Twin of
/// wasm-stepper/src/state/osp/numeric.ts: executeNumeric and the operator table (`intOps(bits)`,
/// keyed by the opcode name without its `i32.`/`i64.` prefix, generated here as NumericKind).
/// @dev Operands are 64-bit slots (an i32 zero-extended). Each operator computes on them exactly as
/// the BigInt expression in numeric.ts does: u(bits, x) = x mod 2^bits, s(bits, x) = the low `bits`
/// bits as two's complement.
contract OneStepProverNumeric is IOneStepProverNumeric, ProofErrors {
    using StepStateLib for StepState;

    /// @dev BigInt.asUintN(bits, x) for bits in {8, 16, 32, 64}.
    function u(uint256 bits, uint256 x) private pure returns (uint256) {
        return x & ((uint256(1) << bits) - 1);
    }

    /// @dev BigInt.asIntN(bits, x).
    function s(uint256 bits, uint256 x) private pure returns (int256) {
        if (bits == 32) return int256(int32(uint32(x)));
        if (bits == 64) return int256(int64(uint64(x)));
        if (bits == 8) return int256(int8(uint8(x)));
        return int256(int16(uint16(x)));
    }

    /// @dev Two's complement of a signed result, mod 2^bits.
    function us(uint256 bits, int256 x) private pure returns (uint256) {
        return u(bits, uint256(x));
    }

    function b2u(bool c) private pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := c
        }
    }

    /// @notice Leading zero bits of the low `bits` bits of v (numeric.ts counts from bit bits-1 down).
    function clz(uint256 bits, uint256 v) internal pure returns (uint256) {
        uint256 x = v & ((uint256(1) << bits) - 1);
        // bits - bitLength(x), the bit length by binary search
        uint256 len = 0;
        if (x >> 32 != 0) { x >>= 32; len += 32; }
        if (x >> 16 != 0) { x >>= 16; len += 16; }
        if (x >> 8 != 0) { x >>= 8; len += 8; }
        if (x >> 4 != 0) { x >>= 4; len += 4; }
        if (x >> 2 != 0) { x >>= 2; len += 2; }
        if (x >> 1 != 0) { x >>= 1; len += 1; }
        return bits - (len + x);
    }

    /// @notice Trailing zero bits of v, at most `bits` (numeric.ts counts from bit 0 up to bits-1).
    function ctz(uint256 bits, uint256 v) internal pure returns (uint256 n) {
        uint256 x = v & ((uint256(1) << bits) - 1);
        if (x == 0) return bits;
        if (x & 0xffffffff == 0) { x >>= 32; n += 32; }
        if (x & 0xffff == 0) { x >>= 16; n += 16; }
        if (x & 0xff == 0) { x >>= 8; n += 8; }
        if (x & 0xf == 0) { x >>= 4; n += 4; }
        if (x & 0x3 == 0) { x >>= 2; n += 2; }
        if (x & 0x1 == 0) n += 1;
    }

    /// @notice Set bits of v (all of it, as numeric.ts counts them).
    function popcnt(uint256 v) internal pure returns (uint256 n) {
        while (v != 0) {
            uint256 x = v & 0xffffffffffffffff;
            v >>= 64;
            x = x - ((x >> 1) & 0x5555555555555555);
            x = (x & 0x3333333333333333) + ((x >> 2) & 0x3333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f;
            n += ((x * 0x0101010101010101) & 0xffffffffffffffff) >> 56;
        }
    }

    /// @notice Rotates the low `bits` bits of v left by k mod bits.
    function rotl(uint256 bits, uint256 v, uint256 k) internal pure returns (uint256) {
        uint256 r = k % bits;
        return u(bits, (v << r) | (v >> ((bits - r) % bits)));
    }

    /// @notice Applies operator `kind` at width `bits` to its operands (x deeper, y on top).
    /// @return r the result; @return trap NONE or int_divide_by_zero / int_overflow.
    function apply_(uint256 kind, uint256 bits, uint256 x, uint256 y) internal pure returns (uint256 r, uint256 trap) {
        unchecked {
            if (kind <= K.GE_U) {
                if (kind == K.EQZ) return (b2u(x == 0), 0);
                if (kind == K.EQ) return (b2u(x == y), 0);
                if (kind == K.NE) return (b2u(x != y), 0);
                if (kind == K.LT_S) return (b2u(s(bits, x) < s(bits, y)), 0);
                if (kind == K.LT_U) return (b2u(x < y), 0);
                if (kind == K.GT_S) return (b2u(s(bits, x) > s(bits, y)), 0);
                if (kind == K.GT_U) return (b2u(x > y), 0);
                if (kind == K.LE_S) return (b2u(s(bits, x) <= s(bits, y)), 0);
                if (kind == K.LE_U) return (b2u(x <= y), 0);
                if (kind == K.GE_S) return (b2u(s(bits, x) >= s(bits, y)), 0);
                return (b2u(x >= y), 0); // GE_U
            }
            if (kind == K.ADD) return (u(bits, x + y), 0);
            if (kind == K.SUB) return (u(bits, x - y), 0);
            if (kind == K.MUL) return (u(bits, x * y), 0);
            if (kind == K.AND) return (x & y, 0);
            if (kind == K.OR) return (x | y, 0);
            if (kind == K.XOR) return (x ^ y, 0);
            if (kind == K.SHL) return (u(bits, x << (y % bits)), 0);
            if (kind == K.SHR_S) return (us(bits, s(bits, x) >> (y % bits)), 0);
            if (kind == K.SHR_U) return (x >> (y % bits), 0);
            if (kind == K.ROTL) return (rotl(bits, x, y), 0);
            if (kind == K.ROTR) return (rotl(bits, x, bits - (y % bits)), 0);
            if (kind == K.DIV_S) {
                if (y == 0) return (0, TrapCode.INT_DIVIDE_BY_ZERO);
                int256 sx = s(bits, x);
                int256 sy = s(bits, y);
                if (sx == -int256(uint256(1) << (bits - 1)) && sy == -1) return (0, TrapCode.INT_OVERFLOW);
                return (us(bits, sx / sy), 0);
            }
            if (kind == K.DIV_U) {
                if (y == 0) return (0, TrapCode.INT_DIVIDE_BY_ZERO);
                return (x / y, 0);
            }
            if (kind == K.REM_S) {
                if (y == 0) return (0, TrapCode.INT_DIVIDE_BY_ZERO);
                return (us(bits, s(bits, x) % s(bits, y)), 0);
            }
            if (kind == K.REM_U) {
                if (y == 0) return (0, TrapCode.INT_DIVIDE_BY_ZERO);
                return (x % y, 0);
            }
            if (kind == K.CLZ) return (clz(bits, x), 0);
            if (kind == K.CTZ) return (ctz(bits, x), 0);
            if (kind == K.POPCNT) return (popcnt(x), 0);
            if (kind == K.EXTEND8_S) return (us(bits, s(8, x)), 0);
            if (kind == K.EXTEND16_S) return (us(bits, s(16, x)), 0);
            if (kind == K.EXTEND32_S) return (us(bits, s(32, x)), 0);
            if (kind == K.WRAP_I64) return (u(32, x), 0);
            if (kind == K.EXTEND_I32_S) return (us(64, s(32, x)), 0);
            return (x, 0); // EXTEND_I32_U
        }
    }

    /// @notice Whether operator `kind` takes one operand (numeric.ts: the arity of its table entry).
    function unary(uint256 kind) internal pure returns (bool) {
        return kind == K.EQZ || kind == K.CLZ || kind == K.CTZ || kind == K.POPCNT || kind == K.EXTEND8_S
            || kind == K.EXTEND16_S || kind == K.EXTEND32_S || kind == K.WRAP_I64 || kind == K.EXTEND_I32_S
            || kind == K.EXTEND_I32_U;
    }

    /// @inheritdoc IOneStepProverNumeric
    function executeNumeric(StepState memory m, bytes calldata proof, uint256 op)
        external
        pure
        returns (StepState memory, uint256 trap)
    {
        Header memory h = m.h;
        (uint256 kind, uint256 bits) = K.kindOf(op);
        if (kind == K.NONE) revert UnknownOpcode();
        uint256 x;
        uint256 y;
        if (unary(kind)) {
            x = m.pop(proof);
        } else {
            y = m.pop(proof);
            x = m.pop(proof);
        }
        uint256 r;
        (r, trap) = apply_(kind, bits, x, y);
        if (trap != TrapCode.NONE) return (m, trap);
        m.push(r);
        h.pc++;
        return (m, TrapCode.NONE);
    }
}
