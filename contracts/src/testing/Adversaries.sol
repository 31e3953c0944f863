// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ITaskConsumer} from "../interfaces/ITaskConsumer.sol";
import {ResultClaim} from "../interfaces/ProtocolTypes.sol";

/// @title HookToken
/// @notice Test helper (never deployed by the deploy scripts): an ERC-20 that can misbehave. `feeBps` keeps a fee on
/// every transfer (a fee-on-transfer token); a hook, when set, calls `hookTarget` with `hookData` in the middle of
/// every transfer (a token that re-enters its caller) and records whether that call succeeded.
contract HookToken is ERC20 {
    uint256 public feeBps;
    address public hookTarget;
    bytes public hookData;
    uint256 public hookCalls;
    uint256 public hookSuccesses;
    bool private inHook;

    constructor() ERC20("Hook", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFee(uint256 bps) external {
        feeBps = bps;
    }

    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0) && feeBps != 0) {
            uint256 fee = (value * feeBps) / 10_000;
            super._update(from, address(0xfee), fee);
            value -= fee;
        }
        super._update(from, to, value);
        if (hookTarget != address(0) && !inHook && from != address(0)) {
            inHook = true;
            hookCalls++;
            (bool ok,) = hookTarget.call(hookData);
            if (ok) hookSuccesses++;
            inHook = false;
        }
    }
}

/// @title Actor
/// @notice Test helper: a contract account that calls what it is told (post, claim, withdraw...) and, whenever it is
/// called back (ETH received, consumer callback), runs a configurable hook (a re-entry, a revert, a gas burn, a huge
/// return) and records what happened.
contract Actor is ITaskConsumer {
    enum Mode {
        Accept,
        Revert,
        BurnGas,
        ReturnBomb,
        Reenter
    }

    /// @notice Thrown by the callbacks in Mode.Revert.
    error Refused();

    Mode public mode;
    address public hookTarget;
    bytes public hookData;
    uint256 public callbacks;
    uint256 public reentrySuccesses;
    uint256 public lastTaskId;
    bytes32 public lastOutputHash;

    function setMode(Mode m, address target, bytes calldata data) external {
        mode = m;
        hookTarget = target;
        hookData = data;
    }

    function act(address target, bytes calldata data, uint256 value) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        hook();
    }

    /// @notice The consumer callback.
    function onTaskResult(uint256 taskId, ResultClaim calldata result) external {
        lastTaskId = taskId;
        lastOutputHash = result.outputHash;
        hook();
    }

    function hook() private {
        callbacks++;
        Mode m = mode;
        if (m == Mode.Revert) revert Refused();
        if (m == Mode.BurnGas) {
            uint256 i;
            while (true) i++;
        }
        if (m == Mode.ReturnBomb) {
            assembly {
                return(0, 1000000)
            }
        }
        if (m == Mode.Reenter) {
            (bool ok,) = hookTarget.call(hookData);
            if (ok) reentrySuccesses++;
        }
    }
}
