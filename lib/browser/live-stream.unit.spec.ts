import { describe, expect, it } from "vitest";
import { resumeRequest } from "./live-stream";

describe("where a live connection resumes", () => {
  it("starts where the URL says until the backend has said where it is", () => {
    const fresh = { serial: 0n, id: "", anchored: false };
    expect(resumeRequest(fresh, { kind: "now" })).toEqual({});
    expect(resumeRequest(fresh, { kind: "beginning" })).toEqual({ fromBeginning: true });
    expect(resumeRequest(fresh, { kind: "serial", fromSerial: 42n })).toEqual({ afterSerial: 41n });
    expect(resumeRequest(fresh, { kind: "date", fromDate: "2025-01-02" })).toEqual({ fromDate: "2025-01-02" });
  });

  it("then resumes after the last fact shown (or caught up to), whatever the URL's start was", () => {
    expect(
      resumeRequest({ serial: 1042n, id: "f-1042", anchored: true }, { kind: "date", fromDate: "2025-01-02" }),
    ).toEqual({ afterSerial: 1042n, afterId: "f-1042" });
    expect(resumeRequest({ serial: 900n, id: "", anchored: true }, { kind: "now" })).toEqual({
      afterSerial: 900n,
      afterId: "",
    });
    // Caught up on an empty store: everything published since is new, so from the beginning.
    expect(resumeRequest({ serial: 0n, id: "", anchored: true }, { kind: "now" })).toEqual({ fromBeginning: true });
  });
});
