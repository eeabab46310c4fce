// The demo's simulated business: what exists (products, customers, orders, stock), a clock, an
// agenda of things that will happen later (an order gets paid, then shipped …), and the facts all
// of that produces. Scenarios (scenarios/*.ts) change the world and emit facts; generator.ts
// decides when they run.
import { randomUUID } from "node:crypto";
import { CITIES, FIRST_NAMES, LAST_NAMES, STREETS, TENANTS, type Tenant } from "./data";
import type { FactType } from "./fact-types";
import { Random } from "./random";

/** A fact as the demo publishes it (payload serialized at publish time). */
export interface DemoFact {
  header: {
    id: string;
    ns: string;
    type: string;
    version: number;
    aggIds: string[];
    meta: Record<string, string | string[]>;
  };
  payload: Record<string, unknown>;
}

export interface Address {
  street: string;
  houseNumber: string;
  postalCode: string;
  city: string;
  country: string;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  category: string;
  /** EUR list price; tenants convert. */
  price: number;
  weightGrams: number;
  /** Units on hand per warehouse. */
  stock: Map<string, number>;
}

export interface Customer {
  id: string;
  tenant: Tenant;
  first: string;
  last: string;
  email: string;
  address: Address;
  active: boolean;
  orders: number;
}

export interface OrderLine {
  product: Product;
  quantity: number;
  unitPrice: number;
  warehouse: string;
  reservationId: string;
}

export interface Order {
  id: string;
  customer: Customer;
  correlationId: string;
  lines: OrderLine[];
  net: number;
  tax: number;
  gross: number;
  invoiceId?: string;
  paymentMethod?: string;
}

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

export interface EmitOptions {
  aggIds: string[];
  tenant: string;
  correlationId: string;
  /** Multi-valued meta (FactCast allows arrays of strings), to give filters something to chew on. */
  tags?: string[];
}

export class DemoWorld {
  readonly rng: Random;
  readonly products: Product[] = [];
  readonly customers: Customer[] = [];
  /** Ids of entities: reproducible while seeding; random in live mode so reruns never collide. */
  private idSource: () => string;
  private readonly agenda: Scheduled[] = [];
  private seq = 0;
  private outbox: DemoFact[] = [];
  private invoiceCounter = 0;
  /** Simulated time, epoch ms. */
  now: number;

  constructor(
    seed: number,
    start: number,
    /** From this time on the world publishes the v2 shapes of OrderPlaced and UserRegistered. */
    readonly v2From: number,
  ) {
    this.rng = new Random(seed);
    this.idSource = () => this.rng.uuid();
    this.now = start;
  }

  id(): string {
    return this.idSource();
  }

  useRandomIds(): void {
    this.idSource = randomUUID;
  }

  get useV2(): boolean {
    return this.now >= this.v2From;
  }

  iso(at = this.now): string {
    return new Date(at).toISOString();
  }

  emit(type: FactType, payload: Record<string, unknown>, options: EmitOptions): void {
    const meta: Record<string, string | string[]> = { tenant: options.tenant, correlationId: options.correlationId };
    if (options.tags && options.tags.length > 0) meta.tags = options.tags;
    this.outbox.push({
      header: { id: this.id(), ns: type.ns, type: type.type, version: type.version, aggIds: options.aggIds, meta },
      payload,
    });
  }

  /** The facts emitted since the last call. */
  take(): DemoFact[] {
    const facts = this.outbox;
    this.outbox = [];
    return facts;
  }

  /** Runs `run` `delayMs` after the current simulated time. */
  schedule(delayMs: number, run: () => void): void {
    this.agenda.push({ at: this.now + Math.max(1_000, delayMs), seq: this.seq++, run });
    this.agenda.sort((a, b) => b.at - a.at || b.seq - a.seq); // soonest last: pop() is O(1)
  }

  get nextDue(): number | undefined {
    return this.agenda[this.agenda.length - 1]?.at;
  }

  get pending(): number {
    return this.agenda.length;
  }

  /**
   * Runs the soonest scheduled action. The clock moves to its time unless `at` is given (live mode
   * runs follow-ups now, compressing days of business into seconds).
   */
  runNext(at?: number): void {
    const next = this.agenda.pop();
    if (!next) return;
    this.now = at ?? Math.max(this.now, next.at);
    next.run();
  }

  // -- people and places --------------------------------------------------------------------------

  newCustomer(): Customer {
    const first = this.rng.pick(FIRST_NAMES);
    const last = this.rng.pick(LAST_NAMES);
    const tenant = this.rng.weighted(TENANTS.map((t, i) => [t, [5, 3, 2][i]] as const));
    return {
      id: this.id(),
      tenant,
      first,
      last,
      email: this.email(first, last),
      address: this.address(),
      active: true,
      orders: 0,
    };
  }

  email(first: string, last: string): string {
    const local = `${first}.${last}`
      .normalize("NFKD")
      .replace(/[^\w.]/g, "")
      .toLowerCase();
    return `${local}${this.rng.chance(0.4) ? this.rng.int(1, 99) : ""}@${this.rng.pick(["example.com", "example.org", "mail.example.net"])}`;
  }

  address(): Address {
    const place = this.rng.pick(CITIES);
    return {
      street: this.rng.pick(STREETS),
      houseNumber: String(this.rng.int(1, 180)) + (this.rng.chance(0.15) ? this.rng.pick(["a", "b", "c"]) : ""),
      postalCode: String(this.rng.int(1, 10 ** place.postalDigits - 1)).padStart(place.postalDigits, "0"),
      city: place.city,
      country: place.country,
    };
  }

  nextInvoiceNumber(): string {
    this.invoiceCounter++;
    return `INV-${new Date(this.now).getUTCFullYear()}-${String(this.invoiceCounter).padStart(6, "0")}`;
  }
}

/** Money with two decimals, computed without float drift accumulating across lines. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
