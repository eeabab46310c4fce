// Where a sign-in sends the user back to (`/login?next=…`). Only a path of this console may come
// out: anything that a browser would read as another origin (`//evil.example`, `/\evil.example`,
// `https://…`, `javascript:…`) becomes "/", so the sign-in page cannot be used to send a freshly
// signed-in user to an attacker's page.

/** A bookmarkable console URL is far shorter; a longer one is not one of ours. */
const MAX_NEXT_LENGTH = 2048;
/** Pages that make no sense to come back to after signing in. */
const NOT_A_DESTINATION = /^\/(login|logout)(\/|$)/;

/** `raw` as a same-origin path with query and hash, or "/" when it is not one. */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw || raw.length > MAX_NEXT_LENGTH) return "/";
  // Browsers drop tabs and newlines inside URLs and read "\" as "/", so "/\t/evil" and "/\evil" are
  // "//evil": refuse every control character and backslash rather than guess how each is read.
  if (!raw.startsWith("/") || raw.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, "http://console.invalid");
  } catch {
    return "/";
  }
  if (url.origin !== "http://console.invalid") return "/";
  if (NOT_A_DESTINATION.test(url.pathname)) return "/";
  return url.pathname + url.search + url.hash;
}

/** The sign-in page that brings the user back to `path` (a page of this console) afterwards. */
export function loginUrlFor(path: string): string {
  const next = safeNextPath(path);
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}
