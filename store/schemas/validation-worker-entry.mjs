// A worker thread starts without its parent's TypeScript loader (`node --import tsx` registers it
// for the main thread only), so the validation worker registers tsx itself before loading its code.
import { register } from "tsx/esm/api";

register();
await import("./validation-worker.ts");
