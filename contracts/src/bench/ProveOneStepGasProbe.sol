// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOneStepProofEntry} from "../osp/IOneStepProofEntry.sol";

/// @title ProveOneStepGasProbe
/// @notice Benchmark helper (bench/gas.mts), not part of the deployed prover set: the gas a
/// contract (a dispute game) spends calling proveOneStep, excluding the transaction's own
/// intrinsic and calldata gas.
contract ProveOneStepGasProbe {
    function measure(IOneStepProofEntry entry, bytes32 before, bytes calldata proof)
        external
        view
        returns (bytes32 afterHash, uint256 gasUsed)
    {
        uint256 start = gasleft();
        afterHash = entry.proveOneStep(before, proof);
        gasUsed = start - gasleft();
    }
}
