import { BaseError, ContractFunctionRevertedError, encodeErrorResult, parseAbi } from "viem";
import { describe, expect, it } from "vitest";
import { ContractRevertError, decodeRevert, TaskExpiredError, TaskNotFoundError, toModuleFields } from "../src/index.js";

const abi = parseAbi(["error UnknownTask(uint256 taskId)", "error Custom(uint8 code)"]);

function reverted(errorName: "UnknownTask" | "Custom", arg: bigint | number): BaseError {
  const data = encodeErrorResult({ abi, errorName, args: [arg] as never });
  const inner = new ContractFunctionRevertedError({ abi, data, functionName: "getTask" });
  return new BaseError("call failed", { cause: inner });
}

describe("errors", () => {
  it("test_decodeRevert_knownError_hasActionableMessage", () => {
    const e = decodeRevert(reverted("UnknownTask", 7n), "TaskMarket", "getTask");
    expect(e).toBeInstanceOf(ContractRevertError);
    const c = e as ContractRevertError;
    expect(c.errorName).toBe("UnknownTask");
    expect(c.args).toEqual([7n]);
    expect(c.shortMessage).toBe("TaskMarket.getTask reverted with UnknownTask(7): no task has this id on this market: check the task id and the market address");
    expect(c.cause).toBeInstanceOf(BaseError);
  });
  it("test_decodeRevert_unknownErrorName_namesIt", () => {
    const c = decodeRevert(reverted("Custom", 3), "DisputeGame", "pick") as ContractRevertError;
    expect(c.shortMessage).toBe("DisputeGame.pick reverted with Custom(3)");
  });
  it("test_decodeRevert_transportError_passesThrough", () => {
    const e = new BaseError("HTTP request failed");
    expect(decodeRevert(e, "TaskMarket", "getTask")).toBe(e);
  });
  it("test_typedErrors_nameAndMessage", () => {
    expect(new TaskNotFoundError(5n).name).toBe("TaskNotFoundError");
    const x = new TaskExpiredError(2n, 0n);
    expect(x.shortMessage).toBe("task 2 expired: its deadline (1970-01-01T00:00:00.000Z) passed with no result; cancelTask refunds the reward");
  });
  it("test_toModuleFields_convertsEveryFieldGenerically", () => {
    const root = new Uint8Array(32).fill(0xab);
    const f = toModuleFields({ codeRoot: root, codeLength: 12, extra: 5n }) as unknown as Record<string, unknown>;
    expect(f).toEqual({ codeRoot: `0x${"ab".repeat(32)}`, codeLength: 12n, extra: 5n });
    expect(() => toModuleFields({ bad: "x" })).toThrow(/module field bad is neither bytes nor a number/);
  });
});
