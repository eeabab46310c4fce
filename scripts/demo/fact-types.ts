// Every fact type the demo publishes, with the JSON Schema its payloads follow. The schemas are
// what the demo will register where the store has a schema registry (see schemas.ts); a test
// checks every generated payload against them, so they cannot drift from the generator.

export interface FactType {
  ns: string;
  type: string;
  version: number;
  /** JSON Schema (draft-07), as FactCast's registry layout stores it in <ns>/<type>/<version>/schema.json. */
  schema: Record<string, unknown>;
}

type Schema = Record<string, unknown>;

const string: Schema = { type: "string", minLength: 1 };
const uuid: Schema = { type: "string", format: "uuid" };
const dateTime: Schema = { type: "string", format: "date-time" };
const amount: Schema = { type: "number", minimum: 0 };
const currency: Schema = { type: "string", pattern: "^[A-Z]{3}$" };
const count: Schema = { type: "integer", minimum: 1 };
const email: Schema = { type: "string", format: "email" };
const oneOf = (...values: string[]): Schema => ({ type: "string", enum: values });
const array = (items: Schema, minItems = 0): Schema => ({ type: "array", items, minItems });

/** An object with exactly these properties; those in `optional` may be absent. */
function object(properties: Record<string, Schema>, optional: string[] = []): Schema {
  return {
    type: "object",
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

const money = object({ amount, currency });
const address = object({
  street: string,
  houseNumber: string,
  postalCode: string,
  city: string,
  country: { type: "string", pattern: "^[A-Z]{2}$" },
});

function factType(
  ns: string,
  type: string,
  version: number,
  title: string,
  properties: Record<string, Schema>,
  optional: string[] = [],
): FactType {
  return {
    ns,
    type,
    version,
    schema: { $schema: "http://json-schema.org/draft-07/schema#", title, ...object(properties, optional) },
  };
}

export const USER_REGISTERED_V1 = factType(
  "users",
  "UserRegistered",
  1,
  "A customer signed up (before the profile had structured names and an address)",
  {
    userId: uuid,
    email,
    displayName: string,
    locale: string,
    marketingOptIn: { type: "boolean" },
    registeredAt: dateTime,
  },
);

export const USER_REGISTERED_V2 = factType("users", "UserRegistered", 2, "A customer signed up", {
  userId: uuid,
  email,
  name: object({ first: string, last: string }),
  locale: string,
  address,
  consents: object({ marketing: { type: "boolean" }, newsletter: { type: "boolean" } }),
  registeredAt: dateTime,
});

export const EMAIL_CHANGED = factType("users", "EmailChanged", 1, "A customer changed their e-mail address", {
  userId: uuid,
  previousEmail: email,
  email,
  verified: { type: "boolean" },
  changedAt: dateTime,
});

export const USER_DEACTIVATED = factType("users", "UserDeactivated", 1, "A customer account was closed", {
  userId: uuid,
  reason: oneOf("customer_request", "inactivity", "fraud", "gdpr_erasure_request"),
  requestedBy: oneOf("customer", "support", "system"),
  deactivatedAt: dateTime,
});

export const ORDER_PLACED_V1 = factType("shop", "OrderPlaced", 1, "An order was placed (flat items, one total)", {
  orderId: uuid,
  customerId: uuid,
  items: array(object({ sku: string, quantity: count, unitPrice: amount }), 1),
  total: amount,
  currency,
  placedAt: dateTime,
});

export const ORDER_PLACED_V2 = factType("shop", "OrderPlaced", 2, "An order was placed", {
  orderId: uuid,
  customer: object({ id: uuid, email }),
  lines: array(
    object({ lineNo: count, productId: uuid, sku: string, name: string, quantity: count, unitPrice: money }),
    1,
  ),
  totals: object({ net: amount, tax: amount, gross: amount, currency }),
  shippingAddress: address,
  channel: oneOf("web", "app", "marketplace"),
  placedAt: dateTime,
});

export const ORDER_PAID = factType("shop", "OrderPaid", 1, "The customer paid for an order", {
  orderId: uuid,
  paymentId: uuid,
  amount,
  currency,
  method: oneOf("card", "paypal", "sepa_debit", "invoice"),
  paidAt: dateTime,
});

export const ORDER_SHIPPED = factType("shop", "OrderShipped", 1, "An order left the warehouse", {
  orderId: uuid,
  carrier: string,
  trackingNumber: string,
  parcels: array(object({ parcelId: uuid, weightGrams: count, skus: array(string, 1) }), 1),
  shippedAt: dateTime,
});

export const ORDER_CANCELLED = factType("shop", "OrderCancelled", 1, "An order was cancelled before shipping", {
  orderId: uuid,
  reason: oneOf("customer_request", "payment_failed", "out_of_stock", "fraud_suspected"),
  refundDue: { type: "boolean" },
  cancelledAt: dateTime,
});

export const INVOICE_ISSUED = factType("billing", "InvoiceIssued", 1, "An invoice was sent for a paid order", {
  invoiceId: uuid,
  invoiceNumber: { type: "string", pattern: "^INV-[0-9]{4}-[0-9]{6}$" },
  orderId: uuid,
  customerId: uuid,
  billingAddress: object({
    name: string,
    street: string,
    houseNumber: string,
    postalCode: string,
    city: string,
    country: string,
  }),
  lines: array(
    object({
      description: string,
      quantity: count,
      unitPrice: amount,
      net: amount,
      taxRate: { type: "number", minimum: 0, maximum: 1 },
    }),
    1,
  ),
  net: amount,
  tax: amount,
  gross: amount,
  currency,
  issuedAt: dateTime,
  dueAt: dateTime,
});

export const PAYMENT_RECEIVED = factType("billing", "PaymentReceived", 1, "Money for an invoice arrived", {
  paymentId: uuid,
  invoiceId: uuid,
  amount,
  currency,
  method: oneOf("card", "paypal", "sepa_debit", "invoice"),
  receivedAt: dateTime,
});

export const REFUNDED = factType("billing", "Refunded", 1, "Money was paid back for a returned order", {
  refundId: uuid,
  invoiceId: uuid,
  orderId: uuid,
  amount,
  currency,
  reason: oneOf("damaged_in_transit", "wrong_item", "not_as_described", "changed_mind"),
  refundedAt: dateTime,
});

export const STOCK_ADJUSTED = factType(
  "inventory",
  "StockAdjusted",
  1,
  "The stock of a product in a warehouse changed outside of orders",
  {
    productId: uuid,
    sku: string,
    warehouse: string,
    delta: { type: "integer" },
    onHand: { type: "integer", minimum: 0 },
    reason: oneOf("initial_count", "delivery", "stocktake_correction", "damaged"),
    adjustedAt: dateTime,
  },
);

const reservation = {
  reservationId: uuid,
  productId: uuid,
  sku: string,
  warehouse: string,
  quantity: count,
  orderId: uuid,
};

export const ITEM_RESERVED = factType("inventory", "ItemReserved", 1, "Stock was set aside for an order", {
  ...reservation,
  reservedAt: dateTime,
});

export const RESERVATION_RELEASED = factType(
  "inventory",
  "ReservationReleased",
  1,
  "Reserved stock went back on the shelf",
  {
    ...reservation,
    reason: oneOf("order_cancelled"),
    releasedAt: dateTime,
  },
);

export const PRODUCT_PUBLISHED = factType("catalog", "ProductPublished", 1, "A product went on sale", {
  productId: uuid,
  sku: string,
  name: string,
  category: string,
  description: string,
  price: money,
  attributes: object({ weightGrams: count, colours: array(string, 1), sizes: array(string) }, ["sizes"]),
  images: array(object({ url: { type: "string", format: "uri" }, alt: string, width: count, height: count }), 1),
  variants: array(
    object({ sku: string, colour: string, size: string, ean: { type: "string", pattern: "^[0-9]{13}$" } }, ["size"]),
    1,
  ),
  publishedAt: dateTime,
});

export const PRICE_CHANGED = factType("catalog", "PriceChanged", 1, "A product's list price changed", {
  productId: uuid,
  sku: string,
  previousPrice: money,
  price: money,
  changedAt: dateTime,
});

export const FACT_TYPES: FactType[] = [
  USER_REGISTERED_V1,
  USER_REGISTERED_V2,
  EMAIL_CHANGED,
  USER_DEACTIVATED,
  ORDER_PLACED_V1,
  ORDER_PLACED_V2,
  ORDER_PAID,
  ORDER_SHIPPED,
  ORDER_CANCELLED,
  INVOICE_ISSUED,
  PAYMENT_RECEIVED,
  REFUNDED,
  STOCK_ADJUSTED,
  ITEM_RESERVED,
  RESERVATION_RELEASED,
  PRODUCT_PUBLISHED,
  PRICE_CHANGED,
];
