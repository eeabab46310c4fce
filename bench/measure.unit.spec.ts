import { expect, it } from "vitest";
import { forDuration } from "./measure";

it("counts every operation of concurrent lanes (none lost to interleaved updates)", async () => {
  let calls = 0;
  const step = async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 1));
    return 2;
  };
  const { ops } = await forDuration(0.2, 8, step);
  expect(calls).toBeGreaterThan(8);
  expect(ops).toBe(calls * 2);
});
