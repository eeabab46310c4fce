import { describe, expect, it } from "vitest";
import { loginUrlFor, safeNextPath } from "./next-path";

describe("the page a sign-in returns to (next=)", () => {
  it("keeps a path of this console with its query and hash", () => {
    expect(safeNextPath("/facts?ns=shop&type=OrderPlaced#row-3")).toBe("/facts?ns=shop&type=OrderPlaced#row-3");
    expect(safeNextPath("/namespaces/shop%2Fodd")).toBe("/namespaces/shop%2Fodd");
    expect(safeNextPath("/")).toBe("/");
  });

  it.each([
    ["protocol-relative", "//evil.example"],
    ["protocol-relative with path", "//evil.example/facts"],
    ["absolute https", "https://evil.example/"],
    ["absolute http to the console's own name", "http://127.0.0.1:3000/facts"],
    ["javascript:", "javascript:alert(1)"],
    ["javascript: with a slash", "/javascript:alert(1)//"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["backslash (read as a slash)", "/\\evil.example"],
    ["tab inside (dropped by browsers)", "/\t/evil.example"],
    ["newline inside", "/\n/evil.example"],
    ["relative without slash", "facts"],
    ["empty", ""],
    ["huge", "/" + "a".repeat(5000)],
    ["back to the sign-in page", "/login?next=/facts"],
    ["to the sign-out page", "/logout"],
  ])("refuses %s", (_what, raw) => {
    const out = safeNextPath(raw);
    // Whatever came in, what goes out is a path on this origin, never one a browser reads as another.
    expect(out.startsWith("/")).toBe(true);
    expect(out.startsWith("//")).toBe(false);
    expect(new URL(out, "http://console.test").origin).toBe("http://console.test");
    if (raw !== "/javascript:alert(1)//") expect(out).toBe("/");
  });

  it("keeps a path that merely contains javascript: as a path on this origin", () => {
    expect(safeNextPath("/javascript:alert(1)//")).toBe("/javascript:alert(1)//");
  });

  it("builds the sign-in URL that comes back", () => {
    expect(loginUrlFor("/facts?ns=shop")).toBe("/login?next=%2Ffacts%3Fns%3Dshop");
    expect(loginUrlFor("/")).toBe("/login");
    expect(loginUrlFor("//evil.example")).toBe("/login");
  });
});
