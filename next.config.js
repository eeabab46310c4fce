/**
 * The console's Next.js configuration. The console runs offline next to a store, so nothing here
 * may reach the network at build or run time (no next/font/google, no telemetry).
 */
import { fileURLToPath } from "node:url";

// Belt and braces: scripts/console.ts and scripts/start.ts set it too, but a bare `npx next build`
// must not phone home either.
process.env.NEXT_TELEMETRY_DISABLED = "1";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The end-to-end tests build their own copy (tests/e2e) so a test run never replaces the build
  // a developer's `npm start` is serving from; both `next build` and `next start` read this.
  distDir: process.env.FACTLINE_CONSOLE_DIST_DIR || ".next",
  poweredByHeader: false,
  // `npm run typecheck` (tsc over the whole repository) is the type gate. `next build` runs on a
  // fresh `npm start`; re-checking the store and the tests there would only slow the first start
  // and let an unrelated type error keep the console from starting at all.
  typescript: { ignoreBuildErrors: true },
  // One package root for store and console; say so, so Turbopack does not look above the clone.
  turbopack: { root: fileURLToPath(new URL(".", import.meta.url)) },
};

export default nextConfig;
