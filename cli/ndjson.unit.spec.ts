import { describe, expect, it } from "vitest";
import { readLines } from "./ndjson";

async function lines(chunks: Array<string | Buffer>) {
  const out: Array<[number, string]> = [];
  for await (const line of readLines(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push([line.number, line.text]);
  return out;
}

describe("readLines", () => {
  it("numbers lines as an editor does, skipping blank ones", async () => {
    expect(await lines(["a\n\n  \nb\r\nc"])).toEqual([
      [1, "a"],
      [4, "b"],
      [5, "c"],
    ]);
  });

  it("joins lines and multi-byte characters split across chunks", async () => {
    const bytes = Buffer.from('{"x":"😀"}\n{"y":1}\n');
    const parts = [bytes.subarray(0, 8), bytes.subarray(8, 9), bytes.subarray(9)];
    expect(await lines(parts)).toEqual([
      [1, '{"x":"😀"}'],
      [2, '{"y":1}'],
    ]);
  });

  it("drops a UTF-8 byte-order mark", async () => {
    expect(await lines([Buffer.from("\uFEFF{}\n")])).toEqual([[1, "{}"]]);
  });

  it("yields nothing for empty input", async () => {
    expect(await lines([])).toEqual([]);
  });
});
