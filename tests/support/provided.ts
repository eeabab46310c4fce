/** What the int projects' global setups hand to every test file through `inject`. */
declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser URL; use createTestDatabase(pgAdminUrl) rather than writing to its database. */
    pgAdminUrl: string;
    /** Where that server came from, for messages: "embedded PostgreSQL 18.4", "DATABASE_URL …". */
    pgLabel: string;
  }
}
export {};
