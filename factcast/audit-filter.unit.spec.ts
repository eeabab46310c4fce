import { describe, expect, it } from "vitest";
import { parseAuditFilter, timeBound } from "./audit-filter";
import { auditCsvRow, auditEntryJson, csvField, AUDIT_CSV_HEADER } from "./audit-entry";
import { create } from "@bufbuild/protobuf";
import { AuditEntrySchema } from "../gen/factline/admin/v1/audit_pb";

const DAY_MS = 86_400_000;

describe("audit filter", () => {
  it("reads days as whole UTC days and instants with their zone", () => {
    expect(timeBound("2025-03-31", "from")).toBe(Date.UTC(2025, 2, 31));
    // `to` a day includes that whole day
    expect(timeBound("2025-03-31", "to")).toBe(Date.UTC(2025, 2, 31) + DAY_MS);
    expect(timeBound("2025-03-31T14:30:00Z", "to")).toBe(Date.UTC(2025, 2, 31, 14, 30));
    expect(timeBound("2025-03-31T16:30+02:00", "from")).toBe(Date.UTC(2025, 2, 31, 14, 30));
    expect(timeBound("2025-03-31t14:30:00.250z", "from")).toBe(Date.UTC(2025, 2, 31, 14, 30, 0, 250));
  });

  it("refuses what is not a day or a zoned instant, saying what to write", () => {
    for (const [raw, message] of [
      ["2025-02-30", /not a calendar day/],
      ["2025-13-01", /not a calendar day/],
      ["2025-02-28T24:00:00Z", /not a real time/],
      ["2025-02-30T10:00:00Z", /not a real time/],
      ["2025-03-31T14:30", /no time zone/],
      ["2025-03-31 14:30:00", /no time zone/],
      ["yesterday", /neither a day/],
      ["1700000000000", /neither a day/],
      ["1969-12-31", /outside the years/],
      ["", /neither a day/],
    ] as const) {
      expect(timeBound(raw, "from"), raw).toMatch(message);
    }
  });

  it("checks the whole filter and names each field as the user wrote it", () => {
    const ok = parseAuditFilter({ account: " admin ", action: "schema.*", from: "2025-01-01", to: "2025-01-31" });
    expect(ok).toEqual({
      ok: true,
      filter: {
        account: "admin",
        action: "schema.*",
        ns: "",
        fromMs: BigInt(Date.UTC(2025, 0, 1)),
        toMs: BigInt(Date.UTC(2025, 1, 1)),
      },
    });
    const bad = parseAuditFilter(
      { account: "a*b", ns: "x".repeat(201), action: "bad\u0007", from: "2025-02-01", to: "2025-01-01" },
      (f) => `--${f}`,
    );
    expect(bad.ok).toBe(false);
    const messages = !bad.ok ? bad.problems.map((p) => `${p.field}: ${p.message}`) : [];
    expect(messages).toEqual([
      expect.stringMatching(/^account: --account "a\*b" has a \* before its end/),
      expect.stringMatching(/^action: --action contains control characters/),
      expect.stringMatching(/^ns: --ns is 201 characters long; at most 200/),
      "to: --to (2025-01-01) is not after --from (2025-02-01): swap them",
    ]);
    // the same instant twice is an empty range, and said so
    expect(parseAuditFilter({ from: "2025-01-01T00:00:00Z", to: "2025-01-01T00:00:00Z" }).ok).toBe(false);
  });
});

describe("audit entry files", () => {
  const entry = create(AuditEntrySchema, {
    id: 42n,
    atMs: BigInt(Date.UTC(2025, 0, 2, 3, 4, 5)),
    account: '=HYPERLINK("http://evil")',
    via: "basic",
    action: "schema.replace",
    outcome: "ok",
    ns: "shop",
    subject: "OrderPlaced v2",
    reason: 'fix "enum", again\nsecond line',
    detail: "-1+1",
    address: "127.0.0.1",
    client: "factline-console",
  });

  it("writes every field as JSON with the time as ISO text", () => {
    expect(auditEntryJson(entry)).toMatchObject({ id: 42, at: "2025-01-02T03:04:05.000Z", ns: "shop" });
  });

  it("quotes CSV fields and keeps spreadsheets from running what callers chose as formulas", () => {
    expect(AUDIT_CSV_HEADER.startsWith("id,at,account,")).toBe(true);
    const row = auditCsvRow(entry);
    expect(row.endsWith("\r\n")).toBe(true);
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(row).toContain(`"fix ""enum"", again\nsecond line"`);
    expect(row).toContain(",'-1+1,");
    expect(csvField("plain")).toBe("plain");
    expect(csvField("@cmd")).toBe("'@cmd");
  });
});
