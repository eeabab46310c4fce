// Sends facts in batches and finds their serials. Each batch is one `publish` call, which a
// FactCast store commits atomically: all facts of a batch are stored, or none.
import { create } from "@bufbuild/protobuf";
import { MSG_FactsSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { mapLimit } from "../concurrency";
import type { StoreClient } from "../../factcast/client";
import { BATCH_MAX_BYTES, BATCH_MAX_FACTS } from "../../factcast/publish-limits";
import { toMsgUuid } from "../../factcast/uuid";
import type { WireFact } from "./fact-input";

/** serialOf lookups in flight when a batch's serials turn out not to be consecutive. */
const LOOKUP_CONCURRENCY = 16;

export interface PendingFact extends WireFact {
  /** The input line, for messages. */
  line: number;
}

export interface PublishedFact {
  line: number;
  id: string;
  serial: bigint;
}

/** A batch the store refused; facts of earlier batches are published. */
export class BatchFailed extends Error {
  override name = "BatchFailed";
  constructor(
    readonly firstLine: number,
    readonly lastLine: number,
    override readonly cause: unknown,
  ) {
    super(`publishing lines ${firstLine}-${lastLine} failed`);
  }
}

export class BatchPublisher {
  #batch: PendingFact[] = [];
  #bytes = 0;
  published = 0;

  constructor(
    private readonly store: StoreClient,
    private readonly onPublished: (facts: PublishedFact[]) => Promise<void>,
  ) {}

  async add(fact: PendingFact): Promise<void> {
    const bytes = Buffer.byteLength(fact.header) + Buffer.byteLength(fact.payload);
    if (this.#batch.length > 0 && (this.#batch.length >= BATCH_MAX_FACTS || this.#bytes + bytes > BATCH_MAX_BYTES))
      await this.flush();
    this.#batch.push(fact);
    this.#bytes += bytes;
  }

  async flush(): Promise<void> {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    this.#bytes = 0;
    // No abort signal: once sent, a publish must finish so we can say whether it was stored.
    try {
      await this.store.facts.publish(
        create(MSG_FactsSchema, { fact: batch.map(({ header, payload }) => ({ header, payload })) }),
      );
    } catch (err) {
      throw new BatchFailed(batch[0].line, batch[batch.length - 1].line, err);
    }
    this.published += batch.length;
    const serials = await this.serialsOf(batch);
    await this.onPublished(batch.map((f, i) => ({ line: f.line, id: f.id, serial: serials[i] })));
  }

  /**
   * FactCast's publish returns nothing, so serials are looked up by id. A store assigns a batch
   * increasing serials in list order; when first and last are n-1 apart they are consecutive and
   * two lookups suffice. Otherwise (another writer interleaved) every fact is looked up.
   */
  private async serialsOf(batch: PendingFact[]): Promise<bigint[]> {
    const serialOf = async (id: string) => (await this.store.facts.serialOf(toMsgUuid(id))).serial;
    const first = await serialOf(batch[0].id);
    if (batch.length === 1) return [first];
    const last = await serialOf(batch[batch.length - 1].id);
    if (last - first === BigInt(batch.length - 1)) return batch.map((_, i) => first + BigInt(i));
    return mapLimit(batch, LOOKUP_CONCURRENCY, (f) => serialOf(f.id));
  }
}
