// How much one `publish` call should carry. A FactCast store commits each call atomically, in one
// transaction under its writer lock, so every publisher here (CLI, demo) batches the same way.

/**
 * Facts per publish call: other publishers and followers wait while a batch commits, so it should
 * stay short; 500 facts take tens of milliseconds, while per-call overhead (round trip, commit) is
 * already amortized at that size.
 */
export const BATCH_MAX_FACTS = 500;

/**
 * Bytes of header + payload per publish call. grpc-java, and so a stock FactCast server, refuses
 * inbound messages over 4 MiB by default; 1 MiB stays well clear of it. A single bigger fact is
 * sent alone.
 */
export const BATCH_MAX_BYTES = 1024 * 1024;
