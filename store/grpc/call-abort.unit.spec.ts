// A call's cancellation tells its listeners once, without an AbortSignal unless one is asked for.
import { describe, expect, it } from "vitest";
import { CallAbort } from "./call-abort";

describe("CallAbort", () => {
  it("calls each listener once with the reason, and not a removed one", () => {
    const call = new CallAbort();
    const heard: unknown[] = [];
    call.onCancel((r) => heard.push(["first", r]));
    const stop = call.onCancel((r) => heard.push(["removed", r]));
    call.onCancel((r) => heard.push(["third", r]));
    stop();
    const reason = new Error("deadline passed");
    call.abort(reason);
    call.abort(new Error("again"));
    expect(heard).toEqual([
      ["first", reason],
      ["third", reason],
    ]);
    expect(call.aborted).toBe(true);
    expect(call.reason).toBe(reason);
  });

  it("aborts a signal made before or after, and tells listeners beside it", () => {
    const before = new CallAbort();
    const signal = before.signal;
    const heard: unknown[] = [];
    before.onCancel((r) => heard.push(r));
    before.abort("gone");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("gone");
    expect(heard).toEqual(["gone"]);

    const after = new CallAbort();
    after.abort("gone");
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe("gone");
  });
});
