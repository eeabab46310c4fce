import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../errors";
import { canAsk, confirm, type Terminal } from "./confirm";

function terminal(isTTY = false): Terminal & { input: PassThrough; shown: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = Object.assign(new PassThrough(), { isTTY });
  let shown = "";
  output.setEncoding("utf8").on("data", (c: string) => (shown += c));
  return { input, output, shown: () => shown };
}

describe("confirm", () => {
  it("only asks where both ends are a terminal", () => {
    expect(canAsk(terminal(true))).toBe(true);
    expect(canAsk(terminal(false))).toBe(false);
  });

  it.each([
    ["y\n", true],
    ["YES\n", true],
    ["\n", false],
    ["n\n", false],
    ["yep\n", false],
  ])("answer %j → %s", async (answer, expected) => {
    const t = terminal();
    const asked = confirm("Register shop/OrderPlaced version 3?", t);
    t.input.end(answer);
    expect(await asked).toBe(expected);
    expect(t.shown()).toContain("Register shop/OrderPlaced version 3? [y/N] ");
  });

  it("Ctrl-D (end of input) means no", async () => {
    const t = terminal();
    const asked = confirm("Go?", t);
    t.input.end();
    expect(await asked).toBe(false);
  });

  it("Ctrl-C is an interruption, not an answer", async () => {
    const t = terminal(true);
    const asked = confirm("Go?", t);
    t.input.write("\x03");
    await expect(asked).rejects.toMatchObject({ exitCode: ExitCode.interrupted });
  });
});
