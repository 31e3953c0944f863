// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Width} from "../generated/Constants.sol";
import {IModuleRegistry} from "../interfaces/IModuleRegistry.sol";
import {ModuleFields} from "../interfaces/ProtocolTypes.sol";
import {TaskSpec} from "../task/TaskSpec.sol";

/// @title ModuleRegistry
/// @notice Stores a module's fields (wasm-stepper/spec/STATE.md section 5) under its moduleId and publishes the
/// Wasm bytes in `ModuleRegistered`, so solvers and challengers fetch the code from the chain. The contract cannot
/// check that the bytes produce the fields: every client recomputes the fields from the bytes and refuses a
/// mismatch; what a task commits to is the moduleId (the fields), never the bytes.
/// @dev Storage: the 7 roots in 7 slots and the 9 numbers packed with the registration block in 3 more.
contract ModuleRegistry is IModuleRegistry {
    /// @notice Thrown when `register` is given no Wasm bytes.
    error EmptyWasm();
    /// @notice Thrown when the Wasm bytes exceed MAX_WASM_BYTES (a transaction must fit a node's size limit).
    error WasmTooLarge(uint256 length, uint256 max);
    /// @notice Thrown when field number `index` (in `ModuleFields` order) is out of range: a count above 2^53 - 1
    /// (no proof could carry it), pages above 65536, or initial pages above the module's maximum.
    error FieldOutOfRange(uint256 index, uint256 value);
    /// @notice Thrown by getModule for an id nobody registered.
    error UnknownModule(bytes32 moduleId);

    /// @notice The largest Wasm binary accepted: 120 KiB, below geth's 128 KiB transaction size limit.
    uint256 public constant MAX_WASM_BYTES = 120 * 1024;

    struct Stored {
        bytes32 codeRoot;
        bytes32 funcsRoot;
        bytes32 globalsRoot;
        bytes32 tableRoot;
        bytes32 dataRoot;
        bytes32 elemRoot;
        bytes32 memoryRoot;
        uint64 codeLength;
        uint64 nFuncs;
        uint64 nGlobals;
        uint64 tableSize;
        uint64 nData;
        uint64 nElem;
        uint64 memoryPages;
        uint64 moduleMaxPages;
        uint64 entryPc;
        uint64 registeredBlock;
    }

    mapping(bytes32 => Stored) private modules;

    /// @inheritdoc IModuleRegistry
    function register(ModuleFields calldata fields, bytes calldata wasm) external returns (bytes32 id) {
        id = TaskSpec.moduleId(fields);
        if (modules[id].registeredBlock != 0) return id;
        checkWasm(wasm);
        checkFields(fields);
        modules[id] = Stored({
            codeRoot: fields.codeRoot,
            funcsRoot: fields.funcsRoot,
            globalsRoot: fields.globalsRoot,
            tableRoot: fields.tableRoot,
            dataRoot: fields.dataRoot,
            elemRoot: fields.elemRoot,
            memoryRoot: fields.memoryRoot,
            codeLength: fields.codeLength,
            nFuncs: fields.nFuncs,
            nGlobals: fields.nGlobals,
            tableSize: fields.tableSize,
            nData: fields.nData,
            nElem: fields.nElem,
            memoryPages: fields.memoryPages,
            moduleMaxPages: fields.moduleMaxPages,
            entryPc: fields.entryPc,
            registeredBlock: uint64(block.number)
        });
        emit ModuleRegistered(id, msg.sender, fields, wasm);
    }

    /// @inheritdoc IModuleRegistry
    function publish(bytes32 moduleId, bytes calldata wasm) external {
        if (modules[moduleId].registeredBlock == 0) revert UnknownModule(moduleId);
        checkWasm(wasm);
        emit ModuleBytesPublished(moduleId, msg.sender, wasm);
    }

    function checkWasm(bytes calldata wasm) private pure {
        if (wasm.length == 0) revert EmptyWasm();
        if (wasm.length > MAX_WASM_BYTES) revert WasmTooLarge(wasm.length, MAX_WASM_BYTES);
    }

    /// @dev Counts within what a proof may carry; pages within Wasm's 65536 and initial <= maximum.
    function checkFields(ModuleFields calldata f) private pure {
        uint256 max = Width.MAX_NUMBER;
        if (f.codeLength > max) revert FieldOutOfRange(1, f.codeLength);
        if (f.nFuncs > max) revert FieldOutOfRange(3, f.nFuncs);
        if (f.nGlobals > max) revert FieldOutOfRange(5, f.nGlobals);
        if (f.tableSize > max) revert FieldOutOfRange(7, f.tableSize);
        if (f.nData > max) revert FieldOutOfRange(9, f.nData);
        if (f.nElem > max) revert FieldOutOfRange(11, f.nElem);
        if (f.moduleMaxPages > TaskSpec.MAX_PAGES) revert FieldOutOfRange(14, f.moduleMaxPages);
        if (f.memoryPages > f.moduleMaxPages) revert FieldOutOfRange(13, f.memoryPages);
        if (f.entryPc >= f.codeLength) revert FieldOutOfRange(15, f.entryPc);
    }

    /// @inheritdoc IModuleRegistry
    function moduleIdOf(ModuleFields calldata fields) external pure returns (bytes32) {
        return TaskSpec.moduleId(fields);
    }

    /// @inheritdoc IModuleRegistry
    function isRegistered(bytes32 moduleId) external view returns (bool) {
        return modules[moduleId].registeredBlock != 0;
    }

    /// @inheritdoc IModuleRegistry
    function getModule(bytes32 moduleId) external view returns (ModuleFields memory f) {
        Stored storage s = modules[moduleId];
        if (s.registeredBlock == 0) revert UnknownModule(moduleId);
        f = ModuleFields({
            codeRoot: s.codeRoot,
            codeLength: s.codeLength,
            funcsRoot: s.funcsRoot,
            nFuncs: s.nFuncs,
            globalsRoot: s.globalsRoot,
            nGlobals: s.nGlobals,
            tableRoot: s.tableRoot,
            tableSize: s.tableSize,
            dataRoot: s.dataRoot,
            nData: s.nData,
            elemRoot: s.elemRoot,
            nElem: s.nElem,
            memoryRoot: s.memoryRoot,
            memoryPages: s.memoryPages,
            moduleMaxPages: s.moduleMaxPages,
            entryPc: s.entryPc
        });
    }

    /// @inheritdoc IModuleRegistry
    function registeredAt(bytes32 moduleId) external view returns (uint256) {
        return modules[moduleId].registeredBlock;
    }
}
