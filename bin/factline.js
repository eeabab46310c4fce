#!/usr/bin/env node
// The `factline` executable. The CLI is TypeScript run through tsx (a runtime dependency), so there
// is no build step; the project's tsconfig is named explicitly because the user's working directory
// may be anywhere (or contain another tsconfig).
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../cli/main.ts");
await main();
