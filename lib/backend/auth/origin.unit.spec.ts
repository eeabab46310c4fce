import { describe, expect, it } from "vitest";
import { checkRequest, originPolicy, type RequestFacts } from "./origin";

const local = originPolicy({ host: "127.0.0.1", port: "3000" });
const proxied = originPolicy({ host: "127.0.0.1", port: "3000", publicOrigin: new URL("https://console.example.com") });
const wildcard = originPolicy({ host: "0.0.0.0", port: "3000" });

function req(facts: Partial<RequestFacts>): RequestFacts {
  return {
    method: "GET",
    path: "/",
    host: "127.0.0.1:3000",
    origin: null,
    secFetchSite: null,
    contentType: null,
    ...facts,
  };
}
const apiPost = (facts: Partial<RequestFacts> = {}) =>
  req({
    method: "POST",
    path: "/api/factline.console.v1.ConsoleService/GetCatalog",
    origin: "http://127.0.0.1:3000",
    contentType: "application/proto",
    ...facts,
  });

describe("Host check", () => {
  it("answers the console's own address and its loopback names on its port", () => {
    for (const host of ["127.0.0.1:3000", "localhost:3000", "[::1]:3000", "LOCALHOST:3000"]) {
      expect(checkRequest(req({ host }), local)).toBeUndefined();
    }
  });

  it.each([
    ["a rebinding name", "evil.example:3000"],
    ["another port", "127.0.0.1:3001"],
    ["no port", "127.0.0.1"],
    ["none", null],
    ["garbage", "127.0.0.1:3000/@evil"],
    ["huge", "a".repeat(1000) + ":3000"],
  ])("refuses %s with 421", (_what, host) => {
    const refusal = checkRequest(req({ host }), local);
    expect(refusal?.status).toBe(421);
    expect(refusal?.reason).toMatch(/does not answer for host/);
  });

  it("behind a proxy answers FACTLINE_CONSOLE_URL's host", () => {
    expect(checkRequest(req({ host: "console.example.com" }), proxied)).toBeUndefined();
    expect(checkRequest(req({ host: "console.example.com:8443" }), proxied)?.status).toBe(421);
    expect(checkRequest(req({ host: "other.example.com" }), proxied)?.reason).toContain("https://console.example.com");
  });

  it("on a wildcard address without a public URL, any name on its port", () => {
    expect(checkRequest(req({ host: "myhost.lan:3000" }), wildcard)).toBeUndefined();
    expect(checkRequest(req({ host: "myhost.lan:3001" }), wildcard)?.status).toBe(421);
  });
});

describe("Origin check", () => {
  it("lets the console's own pages post", () => {
    expect(checkRequest(apiPost(), local)).toBeUndefined();
    expect(checkRequest(apiPost({ host: "localhost:3000", origin: "http://localhost:3000" }), local)).toBeUndefined();
    expect(
      checkRequest(apiPost({ host: "console.example.com", origin: "https://console.example.com" }), proxied),
    ).toBeUndefined();
    // A proxy that passes Host as 127.0.0.1:3000: the page's origin is still the public one.
    expect(checkRequest(apiPost({ origin: "https://console.example.com" }), proxied)).toBeUndefined();
  });

  it.each([
    ["a foreign origin", "https://evil.example"],
    ["the opaque origin null (sandboxed frames, file:)", "null"],
    ["the console's name on another port", "http://127.0.0.1:3001"],
    ["another loopback name than the Host", "http://localhost:3000"],
    ["an origin with a path", "http://127.0.0.1:3000/x"],
    ["a non-http scheme", "chrome-extension://abc"],
  ])("refuses %s with 403", (_what, origin) => {
    expect(checkRequest(apiPost({ origin }), local)?.status).toBe(403);
  });

  it("refuses a POST without Origin, allows a GET without one (links from elsewhere open pages)", () => {
    expect(checkRequest(apiPost({ origin: null }), local)).toMatchObject({ status: 403, reason: /Origin/ });
    expect(checkRequest(req({ method: "POST", path: "/login" }), local)?.status).toBe(403);
    expect(checkRequest(req({ path: "/facts", secFetchSite: "cross-site" }), local)).toBeUndefined();
  });

  it("refuses cross-site calls of the API, even GETs", () => {
    expect(checkRequest(req({ path: "/api/export", secFetchSite: "cross-site" }), local)?.status).toBe(403);
    expect(checkRequest(req({ path: "/api/export", secFetchSite: "same-origin" }), local)).toBeUndefined();
  });
});

describe("API calls", () => {
  it("take only the Connect content types on POST", () => {
    for (const contentType of [
      "application/proto",
      "application/json",
      "application/connect+proto",
      "application/json; charset=utf-8",
    ]) {
      expect(checkRequest(apiPost({ contentType }), local)).toBeUndefined();
    }
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      null,
    ]) {
      expect(checkRequest(apiPost({ contentType }), local)?.status).toBe(415);
    }
  });

  it("take POST and GET only", () => {
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      expect(checkRequest(apiPost({ method }), local)?.status).toBe(405);
    }
  });
});
