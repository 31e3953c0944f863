// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModuleFields} from "./ProtocolTypes.sol";

/// @title IModuleRegistry
/// @notice Stores a module's fields under its moduleId and publishes its Wasm bytes in an event, so solvers and
/// challengers fetch the code from the chain itself and recompute the fields (refusing a mismatch).
interface IModuleRegistry {
    /// @notice Emitted once per module, with the bytes that solvers fetch.
    event ModuleRegistered(bytes32 indexed moduleId, address indexed registrant, ModuleFields fields, bytes wasm);

    /// @notice More Wasm bytes offered for a registered module (see `publish`): clients try every copy in
    /// ModuleRegistered and ModuleBytesPublished until one recomputes to the module's fields.
    event ModuleBytesPublished(bytes32 indexed moduleId, address indexed publisher, bytes wasm);

    /// @notice Registers a module; registering an already registered module is a no-op returning its id.
    function register(ModuleFields calldata fields, bytes calldata wasm) external returns (bytes32 moduleId);

    /// @notice Publishes (again) Wasm bytes for a registered module: the registry cannot check bytes against the
    /// fields, so if the first registrant emitted bytes that do not produce them, anyone holding the right bytes
    /// makes them available on-chain this way. Changes nothing stored.
    function publish(bytes32 moduleId, bytes calldata wasm) external;

    /// @notice The moduleId that `fields` hash to (pure: the same function the registry stores under).
    function moduleIdOf(ModuleFields calldata fields) external pure returns (bytes32);

    function isRegistered(bytes32 moduleId) external view returns (bool);

    /// @notice The stored fields; reverts with UnknownModule for an unregistered id.
    function getModule(bytes32 moduleId) external view returns (ModuleFields memory);

    /// @notice The block in which the module was registered (where its ModuleRegistered event is), 0 if unknown.
    function registeredAt(bytes32 moduleId) external view returns (uint256);
}
