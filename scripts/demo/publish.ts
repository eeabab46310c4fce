// Sends demo facts to the store in batches sized like `factline publish` does (same limits, same
// reasons: short writer-lock transactions, well under a stock FactCast server's 4 MiB message cap).
import { create } from "@bufbuild/protobuf";
import { MSG_FactsSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { BATCH_MAX_BYTES, BATCH_MAX_FACTS } from "../../cli/publish/batch-publisher";
import type { StoreConnection } from "../../cli/store-client";
import type { DemoFact } from "./world";

export class DemoPublisher {
  #batch: Array<{ header: string; payload: string }> = [];
  #bytes = 0;
  published = 0;

  constructor(private readonly store: StoreConnection) {}

  async add(facts: DemoFact[]): Promise<void> {
    for (const fact of facts) {
      const header = JSON.stringify(fact.header);
      const payload = JSON.stringify(fact.payload);
      const bytes = Buffer.byteLength(header) + Buffer.byteLength(payload);
      if (this.#batch.length >= BATCH_MAX_FACTS || (this.#batch.length > 0 && this.#bytes + bytes > BATCH_MAX_BYTES))
        await this.flush();
      this.#batch.push({ header, payload });
      this.#bytes += bytes;
    }
  }

  async flush(): Promise<void> {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#bytes = 0;
    await this.store.facts.publish(create(MSG_FactsSchema, { fact: batch }));
    this.published += batch.length;
  }
}
