// An order's life: placed (stock reserved), then paid (invoice, payment) and shipped, or cancelled
// (stock released); now and then a shipped order is refunded. All facts of one order share its
// correlationId, and its orderId is in their aggIds.
import { CANCEL_REASONS, CARRIERS, PAYMENT_METHODS, REFUND_REASONS } from "../data";
import {
  INVOICE_ISSUED,
  ITEM_RESERVED,
  ORDER_CANCELLED,
  ORDER_PAID,
  ORDER_PLACED_V1,
  ORDER_PLACED_V2,
  ORDER_SHIPPED,
  PAYMENT_RECEIVED,
  REFUNDED,
  RESERVATION_RELEASED,
} from "../fact-types";
import { DAY, HOUR, round2, type DemoWorld, type Order, type OrderLine } from "../world";
import { restock } from "./catalog";
import { activeCustomer, registerCustomer } from "./customers";

const TAGS: ReadonlyArray<readonly [string[], number]> = [
  [[], 80],
  [["gift"], 8],
  [["express"], 8],
  [["express", "gift"], 4],
];

export function placeOrder(world: DemoWorld): void {
  const { rng } = world;
  const customer = activeCustomer(world) ?? registerCustomer(world);
  const lines: OrderLine[] = [];
  for (
    let i = rng.weighted([
      [1, 45],
      [2, 30],
      [3, 15],
      [4, 10],
    ] as const);
    i > 0;
    i--
  ) {
    const product = rng.pick(world.products);
    if (lines.some((l) => l.product === product)) continue;
    const quantity = rng.weighted([
      [1, 75],
      [2, 18],
      [3, 7],
    ] as const);
    const warehouse = [...product.stock].find(([, onHand]) => onHand >= quantity)?.[0];
    if (!warehouse) continue;
    product.stock.set(warehouse, product.stock.get(warehouse)! - quantity);
    lines.push({
      product,
      quantity,
      warehouse,
      unitPrice: round2(product.price * customer.tenant.rate),
      reservationId: world.id(),
    });
  }
  if (lines.length === 0) return restock(world); // sold out: the warehouse orders goods instead

  const net = round2(lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0));
  const tax = round2(net * customer.tenant.taxRate);
  const order: Order = {
    id: world.id(),
    customer,
    correlationId: world.id(),
    lines,
    net,
    tax,
    gross: round2(net + tax),
  };
  customer.orders++;
  const currency = customer.tenant.currency;
  const meta = { tenant: customer.tenant.id, correlationId: order.correlationId };

  if (world.useV2) {
    world.emit(
      ORDER_PLACED_V2,
      {
        orderId: order.id,
        customer: { id: customer.id, email: customer.email },
        lines: lines.map((l, i) => ({
          lineNo: i + 1,
          productId: l.product.id,
          sku: l.product.sku,
          name: l.product.name,
          quantity: l.quantity,
          unitPrice: { amount: l.unitPrice, currency },
        })),
        totals: { net, tax, gross: order.gross, currency },
        shippingAddress: rng.chance(0.85) ? customer.address : world.address(),
        channel: rng.weighted([
          ["web", 60],
          ["app", 30],
          ["marketplace", 10],
        ] as const),
        placedAt: world.iso(),
      },
      { ...meta, aggIds: [order.id, customer.id], tags: rng.weighted(TAGS) },
    );
  } else {
    world.emit(
      ORDER_PLACED_V1,
      {
        orderId: order.id,
        customerId: customer.id,
        items: lines.map((l) => ({ sku: l.product.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
        total: order.gross,
        currency,
        placedAt: world.iso(),
      },
      { ...meta, aggIds: [order.id, customer.id], tags: rng.weighted(TAGS) },
    );
  }
  for (const line of lines) {
    world.emit(
      ITEM_RESERVED,
      { ...reservation(order, line), reservedAt: world.iso() },
      { ...meta, aggIds: [line.product.id, order.id] },
    );
  }
  if (rng.chance(0.88)) world.schedule(rng.exponential(3 * HOUR), () => pay(world, order));
  else world.schedule(rng.exponential(8 * HOUR), () => cancel(world, order));
}

function reservation(order: Order, line: OrderLine) {
  return {
    reservationId: line.reservationId,
    productId: line.product.id,
    sku: line.product.sku,
    warehouse: line.warehouse,
    quantity: line.quantity,
    orderId: order.id,
  };
}

function pay(world: DemoWorld, order: Order): void {
  const { rng } = world;
  const { customer } = order;
  const currency = customer.tenant.currency;
  const meta = { tenant: customer.tenant.id, correlationId: order.correlationId };
  const method = rng.weighted(PAYMENT_METHODS);
  const paymentId = world.id();
  order.paymentMethod = method;
  order.invoiceId = world.id();
  world.emit(
    ORDER_PAID,
    { orderId: order.id, paymentId, amount: order.gross, currency, method, paidAt: world.iso() },
    { ...meta, aggIds: [order.id] },
  );
  world.emit(
    INVOICE_ISSUED,
    {
      invoiceId: order.invoiceId,
      invoiceNumber: world.nextInvoiceNumber(),
      orderId: order.id,
      customerId: customer.id,
      billingAddress: { name: `${customer.first} ${customer.last}`, ...customer.address },
      lines: order.lines.map((l) => ({
        description: l.product.name,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        net: round2(l.unitPrice * l.quantity),
        taxRate: customer.tenant.taxRate,
      })),
      net: order.net,
      tax: order.tax,
      gross: order.gross,
      currency,
      issuedAt: world.iso(),
      dueAt: world.iso(world.now + 14 * DAY),
    },
    { ...meta, aggIds: [order.invoiceId, order.id, customer.id] },
  );
  const received = () =>
    world.emit(
      PAYMENT_RECEIVED,
      { paymentId, invoiceId: order.invoiceId!, amount: order.gross, currency, method, receivedAt: world.iso() },
      { ...meta, aggIds: [order.invoiceId!] },
    );
  // Cards and PayPal settle at once; debits and invoices take days.
  if (method === "card" || method === "paypal") received();
  else world.schedule(rng.exponential(2 * DAY), received);
  world.schedule(rng.exponential(20 * HOUR), () => ship(world, order));
}

function ship(world: DemoWorld, order: Order): void {
  const { rng } = world;
  const parcelCount = order.lines.length > 2 && rng.chance(0.4) ? 2 : 1;
  const parcels = Array.from({ length: parcelCount }, () => ({
    parcelId: world.id(),
    weightGrams: 0,
    skus: [] as string[],
  }));
  order.lines.forEach((l, i) => {
    const parcel = parcels[i % parcelCount];
    parcel.skus.push(l.product.sku);
    parcel.weightGrams += l.product.weightGrams * l.quantity + 150; // plus packaging
  });
  const carrier = rng.pick(CARRIERS);
  world.emit(
    ORDER_SHIPPED,
    {
      orderId: order.id,
      carrier,
      trackingNumber: `${carrier.slice(0, 2).toUpperCase()}${rng.code(12, "0123456789")}`,
      parcels,
      shippedAt: world.iso(),
    },
    { aggIds: [order.id], tenant: order.customer.tenant.id, correlationId: order.correlationId },
  );
  if (rng.chance(0.06)) world.schedule(rng.exponential(4 * DAY), () => refund(world, order));
}

function cancel(world: DemoWorld, order: Order): void {
  const { rng } = world;
  const meta = { tenant: order.customer.tenant.id, correlationId: order.correlationId };
  const reason = rng.pick(CANCEL_REASONS);
  world.emit(
    ORDER_CANCELLED,
    { orderId: order.id, reason, refundDue: false, cancelledAt: world.iso() },
    { ...meta, aggIds: [order.id] },
  );
  for (const line of order.lines) {
    line.product.stock.set(line.warehouse, (line.product.stock.get(line.warehouse) ?? 0) + line.quantity);
    world.emit(
      RESERVATION_RELEASED,
      { ...reservation(order, line), reason: "order_cancelled", releasedAt: world.iso() },
      { ...meta, aggIds: [line.product.id, order.id] },
    );
  }
}

function refund(world: DemoWorld, order: Order): void {
  const { rng } = world;
  // Either the whole order or one returned line (with its share of tax).
  const line = order.lines.length > 1 && rng.chance(0.5) ? rng.pick(order.lines) : undefined;
  const amount = line ? round2(line.unitPrice * line.quantity * (1 + order.customer.tenant.taxRate)) : order.gross;
  world.emit(
    REFUNDED,
    {
      refundId: world.id(),
      invoiceId: order.invoiceId!,
      orderId: order.id,
      amount,
      currency: order.customer.tenant.currency,
      reason: rng.pick(REFUND_REASONS),
      refundedAt: world.iso(),
    },
    { aggIds: [order.invoiceId!, order.id], tenant: order.customer.tenant.id, correlationId: order.correlationId },
  );
}
