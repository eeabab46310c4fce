"use client";
/**
 * The last resort when the root layout itself fails: it replaces the whole document, so it
 * brings its own <html> and plain styles, and still speaks in words, not stack traces.
 */
import { describeError } from "@/lib/browser/errors";

export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const words = describeError(error);
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: "4rem auto", maxWidth: "36rem", padding: "0 1rem" }}>
        <h1 style={{ fontSize: "1.25rem" }}>The console could not be shown</h1>
        <p>{words.title}.</p>
        <p style={{ color: "#555" }}>{words.detail}</p>
        <button type="button" onClick={reset} style={{ marginTop: "1rem", padding: "0.4rem 0.9rem" }}>
          Try again
        </button>
      </body>
    </html>
  );
}
