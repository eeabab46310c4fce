/** What the e2e global setup hands to every test file through `inject`. */
declare module "vitest" {
  export interface ProvidedContext {
    /** Empty when the browser tests are skipped (see e2eSkipReason). */
    chromiumPath: string;
    /** Why the browser tests are skipped here; empty when they run. */
    e2eSkipReason: string;
    /** The console against a factline store with its admin services. */
    consoleUrl: string;
    storeUrl: string;
    /** The console against a store with FACTLINE_ADMIN_SERVICES=off: a plain FactCast server. */
    plainConsoleUrl: string;
    plainStoreUrl: string;
  }
}
export {};
