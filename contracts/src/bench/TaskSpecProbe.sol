// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TaskSpec} from "../task/TaskSpec.sol";
import {ModuleFields, Limits, ResultClaim} from "../interfaces/ProtocolTypes.sol";

/// @title TaskSpecProbe
/// @notice Test and benchmark helper (never deployed by the deploy scripts): TaskSpec's functions as external
/// calls, so the lockstep tests compare them with wasm-stepper/src/state/task.ts.
contract TaskSpecProbe {
    function moduleId(ModuleFields calldata f) external pure returns (bytes32) {
        return TaskSpec.moduleId(f);
    }

    function inputRoot(bytes calldata input) external pure returns (bytes32) {
        return TaskSpec.inputRoot(input);
    }

    function outputHash(bytes calldata output) external pure returns (bytes32) {
        return TaskSpec.outputHash(output);
    }

    function initialStateHash(ModuleFields calldata f, bytes calldata input, Limits calldata l)
        external
        pure
        returns (bytes32)
    {
        return TaskSpec.initialStateHash(f, TaskSpec.inputRoot(input), input.length, l);
    }

    function checkResult(bytes32 finalStateHash, bytes calldata headerWords, bytes calldata output)
        external
        pure
        returns (ResultClaim memory)
    {
        return TaskSpec.checkResult(finalStateHash, headerWords, output);
    }
}
