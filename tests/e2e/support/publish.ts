/** Publishing facts to a store over gRPC, exactly as a FactCast client does, and finding their serials. */
import { createFactStoreClient, type FactStoreClient } from "../../support/client.js";
import { fact, idOf, publish, serialOf, uniqueName, type FactInput } from "../../support/facts.js";

export interface Published {
  id: string;
  serial: number;
  input: FactInput;
}

const clients = new Map<string, FactStoreClient>();

function client(storeUrl: string): FactStoreClient {
  let c = clients.get(storeUrl);
  if (!c) clients.set(storeUrl, (c = createFactStoreClient(storeUrl)));
  return c;
}

/** Publishes `inputs` in one call (one transaction, consecutive serials) and returns them with serials. */
export async function publishFacts(storeUrl: string, inputs: FactInput[]): Promise<Published[]> {
  const msgs = inputs.map(fact);
  await publish(client(storeUrl), msgs);
  return Promise.all(
    msgs.map(async (m, i) => {
      const serial = await serialOf(client(storeUrl), idOf(m));
      if (serial === undefined) throw new Error(`published fact ${idOf(m)} has no serial`);
      return { id: idOf(m), serial, input: inputs[i] };
    }),
  );
}

/**
 * Publishes `perSecond` facts a second into `ns` (ten batches a second) until the returned stop()
 * is called; for pages that show rates.
 */
export function keepPublishing(storeUrl: string, ns: string, perSecond: number): { stop(): Promise<void> } {
  let running = true;
  const batch = Math.max(1, Math.round(perSecond / 10));
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      await publish(
        client(storeUrl),
        Array.from({ length: batch }, () => fact({ ns, type: "Ticked", payload: {} })),
      );
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

export { uniqueName };
