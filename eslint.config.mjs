// The lint part of `npm test`'s first stage (scripts/test.ts: tsc, then ESLint, then Prettier).
// Rules: typescript-eslint's recommended set, React's hooks rules, Next.js' rules, and the import
// boundaries the repository layout promises (README "Repository layout").
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/** Code that runs in the browser: it must never pull in the backend, the store or the CLI. */
const BROWSER = ["components/**", "lib/browser/**", "lib/view/**", "lib/*.ts", "lib/*.tsx"];
/** The console and the CLI talk to the store over gRPC only; they never import its internals. */
const NOT_STORE = ["app/**", "components/**", "lib/**", "cli/**", "factcast/**", "scripts/demo.ts", "scripts/demo/**"];

const storePattern = {
  group: ["**/store/**"],
  message: "the store is reached over gRPC; import factcast/ or gen/ instead",
};
/** Links go through components/ui/Link.tsx, which says why they do not prefetch by default. */
const nextLink = {
  name: "next/link",
  message: "use @/components/ui/Link: console links do not prefetch unless asked (each prefetch is a server render)",
};
/** What browser code must not import (besides next/link, which only components/ui/Link.tsx wraps). */
const browserPatterns = [
  storePattern,
  {
    group: ["**/lib/backend/**", "**/backend/**"],
    message: "browser code cannot import the console backend (it holds credentials); call it over Connect",
  },
  { group: ["**/cli/**"], message: "browser code cannot import the CLI" },
];

export default tseslint.config(
  {
    ignores: [
      "gen/**",
      "node_modules/**",
      ".next/**",
      ".next-*/**",
      ".factline/**",
      "bench/results/**",
      "tests/java-client/**",
      "next-env.d.ts",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // Unused names are errors, except the `_`-prefixed ones kept for a signature's sake.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "lib/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, "@next/next": nextPlugin },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      // Only says the React Compiler would skip a component (TanStack Virtual's hooks); we do not
      // run the compiler, so there is nothing to act on.
      "react-hooks/incompatible-library": "off",
    },
  },
  {
    files: NOT_STORE,
    rules: { "no-restricted-imports": ["error", { paths: [nextLink], patterns: [storePattern] }] },
  },
  {
    files: BROWSER,
    rules: {
      "no-restricted-imports": ["error", { paths: [nextLink], patterns: browserPatterns }],
    },
  },
  {
    files: ["factcast/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            storePattern,
            {
              group: ["**/lib/**", "**/cli/**", "**/components/**", "**/app/**", "**/scripts/**", "**/tests/**"],
              message: "factcast/ is the shared wire module: it imports only gen/ and libraries",
            },
            { group: ["react", "react-dom", "next", "next/*"], message: "factcast/ knows no framework" },
          ],
        },
      ],
    },
  },
  {
    files: ["components/ui/Link.tsx"],
    rules: { "no-restricted-imports": ["error", { patterns: browserPatterns }] },
  },
  {
    files: ["scripts/demo.ts", "scripts/demo/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            storePattern,
            {
              group: ["**/cli/**"],
              message: "the demo is a FactCast client of its own: use factcast/, not the CLI's internals",
            },
          ],
        },
      ],
    },
  },
);
