// Products and stock: what the shop sells and how many are on the shelves.
import { COLOURS, DESCRIPTION_PARTS, PRODUCTS, SIZES, WAREHOUSES } from "../data";
import { PRICE_CHANGED, PRODUCT_PUBLISHED, STOCK_ADJUSTED } from "../fact-types";
import { round2, type DemoWorld, type Product } from "../world";

/** Catalog and stock facts belong to the platform, not to one tenant. */
const PLATFORM = "platform";

export function publishProduct(world: DemoWorld, base: (typeof PRODUCTS)[number]): Product {
  const { rng } = world;
  const product: Product = {
    id: world.id(),
    sku: `${base.category.slice(0, 3).toUpperCase()}-${rng.code(6)}`,
    name: base.name,
    category: base.category,
    price: base.price,
    weightGrams: base.weightGrams,
    stock: new Map(),
  };
  world.products.push(product);
  const correlationId = world.id();
  const colours = Array.from(new Set(Array.from({ length: rng.int(1, 4) }, () => rng.pick(COLOURS))));
  const sizes = base.category === "apparel" ? SIZES.slice(rng.int(0, 1), rng.int(3, 5)) : undefined;
  const variants = colours.flatMap((colour) =>
    (sizes ?? [undefined]).map((size) => ({
      sku: `${product.sku}-${colour.replace(/\s/g, "").slice(0, 3).toUpperCase()}${size ? `-${size}` : ""}`,
      colour,
      ...(size ? { size } : {}),
      ean: `40${rng.code(11, "0123456789")}`,
    })),
  );
  // Several paragraphs: the demo's bigger payloads, as real product texts are.
  const description = Array.from({ length: rng.int(3, 6) }, () =>
    Array.from({ length: rng.int(2, 4) }, () => rng.pick(DESCRIPTION_PARTS)).join(" "),
  ).join("\n\n");
  world.emit(
    PRODUCT_PUBLISHED,
    {
      productId: product.id,
      sku: product.sku,
      name: product.name,
      category: product.category,
      description,
      price: { amount: product.price, currency: "EUR" },
      attributes: { weightGrams: product.weightGrams, colours, ...(sizes ? { sizes } : {}) },
      images: Array.from({ length: rng.int(1, 4) }, (_, i) => ({
        url: `https://images.example.com/products/${product.sku.toLowerCase()}/${i + 1}.jpg`,
        alt: `${product.name}, view ${i + 1}`,
        width: 1600,
        height: 1200,
      })),
      variants,
      publishedAt: world.iso(),
    },
    { aggIds: [product.id], tenant: PLATFORM, correlationId },
  );
  for (const warehouse of WAREHOUSES)
    adjustStock(world, product, warehouse, rng.int(20, 120), "initial_count", correlationId);
  return product;
}

export function adjustStock(
  world: DemoWorld,
  product: Product,
  warehouse: string,
  delta: number,
  reason: "initial_count" | "delivery" | "stocktake_correction" | "damaged",
  correlationId = world.id(),
): void {
  const onHand = Math.max(0, (product.stock.get(warehouse) ?? 0) + delta);
  product.stock.set(warehouse, onHand);
  world.emit(
    STOCK_ADJUSTED,
    { productId: product.id, sku: product.sku, warehouse, delta, onHand, reason, adjustedAt: world.iso() },
    { aggIds: [product.id], tenant: PLATFORM, correlationId },
  );
}

/** A delivery for the product with the least stock somewhere. */
export function restock(world: DemoWorld): void {
  const { rng } = world;
  let lowest: [Product, string, number] | undefined;
  for (const product of world.products) {
    for (const [warehouse, onHand] of product.stock)
      if (!lowest || onHand < lowest[2]) lowest = [product, warehouse, onHand];
  }
  if (lowest) adjustStock(world, lowest[0], lowest[1], rng.int(30, 150), "delivery");
}

/** Counting the shelves rarely matches the books exactly. */
export function stocktake(world: DemoWorld): void {
  const { rng } = world;
  const product = rng.pick(world.products);
  const warehouse = rng.pick([...product.stock.keys()]);
  if (rng.chance(0.3)) adjustStock(world, product, warehouse, -rng.int(1, 3), "damaged");
  else adjustStock(world, product, warehouse, rng.pick([-2, -1, 1, 2]), "stocktake_correction");
}

export function changePrice(world: DemoWorld): void {
  const { rng } = world;
  const product = rng.pick(world.products);
  const previous = product.price;
  product.price = round2(previous * (1 + rng.pick([-0.15, -0.1, -0.05, 0.05, 0.08, 0.12])));
  world.emit(
    PRICE_CHANGED,
    {
      productId: product.id,
      sku: product.sku,
      previousPrice: { amount: previous, currency: "EUR" },
      price: { amount: product.price, currency: "EUR" },
      changedAt: world.iso(),
    },
    { aggIds: [product.id], tenant: PLATFORM, correlationId: world.id() },
  );
}
