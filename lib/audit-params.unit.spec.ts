import { describe, expect, it } from "vitest";
import { auditExportHref, auditHref, parseAuditSearchParams, toAuditSearchParams } from "./audit-params";

const errorsOf = (qs: string) => {
  const r = parseAuditSearchParams(qs);
  return r.ok ? [] : r.errors.map((e) => `${e.param}: ${e.message}`);
};

describe("/audit URL parameters", () => {
  it("round-trip filters and a page position in canonical order", () => {
    const r = parseAuditSearchParams("to=2025-02-01&account=admin&action=schema.*&before=17&limit=50");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.params.before).toBe(17n);
    expect(r.params.limit).toBe(50);
    expect(r.params.filter.toMs).toBe(BigInt(Date.UTC(2025, 1, 2)));
    expect(toAuditSearchParams(r.params.input, { before: r.params.before, limit: r.params.limit }).toString()).toBe(
      "account=admin&action=schema.*&to=2025-02-01&before=17",
    );
    expect(auditHref({})).toBe("/audit");
    expect(auditExportHref({ ns: "shop/eu & more" }, "csv")).toBe("/api/export/audit?ns=shop%2Feu+%26+more&format=csv");
  });

  it("names each bad parameter and says what to write", () => {
    expect(errorsOf("from=2025-13-01")).toEqual([
      expect.stringMatching(/^from: from "2025-13-01" is not a calendar day/),
    ]);
    expect(errorsOf("from=2025-03-01&to=2025-02-01")).toEqual([
      "to: to (2025-02-01) is not after from (2025-03-01): swap them",
    ]);
    expect(errorsOf("before=-1")).toEqual([expect.stringMatching(/^before: before "-1" is not an entry id/)]);
    expect(errorsOf("before=0")).toEqual([expect.stringMatching(/^before: before 0 is out of range/)]);
    expect(errorsOf("after=99999999999999999999")).toEqual([expect.stringMatching(/^after: .*not an entry id/)]);
    expect(errorsOf("before=5&after=3")).toEqual([expect.stringMatching(/^after: before and after are both given/)]);
    expect(errorsOf("limit=0")).toEqual([
      expect.stringMatching(/^limit: limit "0" is out of range: a page holds 1 to 1000/),
    ]);
    expect(errorsOf("limit=1001")).toHaveLength(1);
    expect(errorsOf("limit=ten")).toHaveLength(1);
    expect(errorsOf("account=a&account=b")).toEqual(["account: account is given 2 times: keep one"]);
    expect(errorsOf("format=xlsx")).toEqual([expect.stringMatching(/format "xlsx" is unknown: use ndjson or csv/)]);
  });

  it("ignores blank values, as a submitted empty form field sends them", () => {
    const r = parseAuditSearchParams("account=&action=+&from=");
    expect(r.ok && r.params.filter).toEqual({ account: "", action: "", ns: "", fromMs: 0n, toMs: 0n });
  });
});
