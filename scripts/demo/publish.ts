// Sends demo facts to the store in batches sized as `factline publish` does (factcast/publish-limits.ts).
import { create } from "@bufbuild/protobuf";
import { MSG_FactsSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { StoreClient } from "../../factcast/client";
import { BATCH_MAX_BYTES, BATCH_MAX_FACTS } from "../../factcast/publish-limits";
import type { DemoFact } from "./world";

export class DemoPublisher {
  #batch: Array<{ header: string; payload: string }> = [];
  #bytes = 0;
  published = 0;

  constructor(private readonly store: StoreClient) {}

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
