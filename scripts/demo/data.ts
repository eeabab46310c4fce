// Word lists the demo builds its people, addresses and products from.

export const FIRST_NAMES = [
  "Anna",
  "Ben",
  "Chloé",
  "David",
  "Elif",
  "Farid",
  "Greta",
  "Hiro",
  "Ingrid",
  "Jonas",
  "Kateřina",
  "Liam",
  "Mia",
  "Noah",
  "Olga",
  "Pablo",
  "Quinn",
  "Rosa",
  "Søren",
  "Tomás",
  "Uma",
  "Viktor",
  "Wen",
  "Ximena",
  "Yusuf",
  "Zoë",
  "Amelie",
  "Bjørn",
  "Carla",
  "Dmitri",
  "Emma",
  "François",
  "Gül",
  "Hannah",
  "Ivo",
  "Julia",
];

export const LAST_NAMES = [
  "Müller",
  "Schmidt",
  "García",
  "Rossi",
  "Dubois",
  "Nowak",
  "Jensen",
  "Silva",
  "Kowalski",
  "Novák",
  "Andersson",
  "O'Brien",
  "Tanaka",
  "Yılmaz",
  "Fischer",
  "Weber",
  "López",
  "Bianchi",
  "Lefèvre",
  "Hansen",
  "Virtanen",
  "Papadopoulos",
  "Smith",
  "Nguyen",
  "Kim",
  "Svensson",
  "Horváth",
  "Costa",
  "de Vries",
  "Ivanova",
];

/** Postal codes are drawn with as many digits as the country uses. */
export const CITIES: Array<{ city: string; country: string; postalDigits: number }> = [
  { city: "Hamburg", country: "DE", postalDigits: 5 },
  { city: "München", country: "DE", postalDigits: 5 },
  { city: "Berlin", country: "DE", postalDigits: 5 },
  { city: "Wien", country: "AT", postalDigits: 4 },
  { city: "Zürich", country: "CH", postalDigits: 4 },
  { city: "Lyon", country: "FR", postalDigits: 5 },
  { city: "Madrid", country: "ES", postalDigits: 5 },
  { city: "Milano", country: "IT", postalDigits: 5 },
  { city: "Kraków", country: "PL", postalDigits: 5 },
  { city: "Rotterdam", country: "NL", postalDigits: 4 },
  { city: "Leeds", country: "GB", postalDigits: 4 },
  { city: "Austin", country: "US", postalDigits: 5 },
  { city: "Toronto", country: "CA", postalDigits: 5 },
];

export const STREETS = [
  "Hauptstraße",
  "Bahnhofstraße",
  "Rue de la Paix",
  "Calle Mayor",
  "Via Roma",
  "Kerkstraat",
  "High Street",
  "Main Street",
  "Lindenallee",
  "Ringstraße",
  "Gartenweg",
  "Marktplatz",
  "Elm Avenue",
  "Queen Street",
];

export const EMAIL_DOMAINS = ["example.com", "example.org", "mail.example.net", "post.example.de"];

/** Tenants of the demo shop platform, each selling in its own currency and locale. */
export const TENANTS = [
  { id: "acme", currency: "EUR", rate: 1, locale: "de-DE", taxRate: 0.19 },
  { id: "globex", currency: "USD", rate: 1.08, locale: "en-US", taxRate: 0.0825 },
  { id: "initech", currency: "GBP", rate: 0.86, locale: "en-GB", taxRate: 0.2 },
] as const;

export type Tenant = (typeof TENANTS)[number];

export const WAREHOUSES = ["HAM-1", "MUC-2", "RTM-1"];

export const CARRIERS = ["DHL", "UPS", "DPD", "GLS", "PostNL"];

export const PAYMENT_METHODS = [
  ["card", 50],
  ["paypal", 25],
  ["sepa_debit", 15],
  ["invoice", 10],
] as const;

export const CANCEL_REASONS = ["customer_request", "payment_failed", "out_of_stock", "fraud_suspected"];
export const REFUND_REASONS = ["damaged_in_transit", "wrong_item", "not_as_described", "changed_mind"];
export const DEACTIVATION_REASONS = ["customer_request", "inactivity", "fraud", "gdpr_erasure_request"];

/** Base prices in EUR; tenants convert with their rate. */
export const PRODUCTS: Array<{ name: string; category: string; price: number; weightGrams: number }> = [
  { name: "Espresso Machine Barista Pro", category: "kitchen", price: 449.0, weightGrams: 9800 },
  { name: "Burr Coffee Grinder", category: "kitchen", price: 129.9, weightGrams: 2900 },
  { name: "Cast Iron Skillet 28 cm", category: "kitchen", price: 54.5, weightGrams: 3100 },
  { name: "Chef's Knife Damascus 20 cm", category: "kitchen", price: 189.0, weightGrams: 420 },
  { name: "Linen Tea Towels (3 pack)", category: "kitchen", price: 19.95, weightGrams: 300 },
  { name: "Merino Wool Sweater", category: "apparel", price: 89.0, weightGrams: 450 },
  { name: "Rain Jacket Packable", category: "apparel", price: 119.0, weightGrams: 380 },
  { name: "Trail Running Shoes", category: "apparel", price: 139.95, weightGrams: 640 },
  { name: "Organic Cotton T-Shirt", category: "apparel", price: 24.9, weightGrams: 180 },
  { name: "Wool Socks (2 pairs)", category: "apparel", price: 16.5, weightGrams: 120 },
  { name: "Noise-Cancelling Headphones", category: "electronics", price: 279.0, weightGrams: 310 },
  { name: "USB-C Charger 65 W", category: "electronics", price: 39.99, weightGrams: 140 },
  { name: "Mechanical Keyboard TKL", category: "electronics", price: 109.0, weightGrams: 900 },
  { name: '4K Monitor 27"', category: "electronics", price: 349.0, weightGrams: 6200 },
  { name: 'E-Reader 7"', category: "electronics", price: 149.99, weightGrams: 210 },
  { name: "Hardcover Notebook A5", category: "stationery", price: 14.9, weightGrams: 350 },
  { name: "Fountain Pen Steel Nib", category: "stationery", price: 32.0, weightGrams: 40 },
  { name: "Desk Lamp LED", category: "home", price: 69.0, weightGrams: 1400 },
  { name: "Ceramic Plant Pot Large", category: "home", price: 44.0, weightGrams: 2600 },
  { name: "Wool Blanket Herringbone", category: "home", price: 99.0, weightGrams: 1500 },
  { name: "Yoga Mat Natural Rubber", category: "sports", price: 64.9, weightGrams: 2300 },
  { name: "Adjustable Dumbbells 2×20 kg", category: "sports", price: 229.0, weightGrams: 40000 },
  { name: "Bike Light Set", category: "sports", price: 34.95, weightGrams: 210 },
  { name: "Insulated Bottle 750 ml", category: "sports", price: 29.9, weightGrams: 390 },
];

/** Sentence parts for product descriptions, which make the demo's bigger payloads. */
export const DESCRIPTION_PARTS = [
  "Designed for everyday use and built to last for years.",
  "Every unit is inspected by hand before it leaves our workshop.",
  "Materials are sourced from certified suppliers within the EU.",
  "The packaging is fully recyclable and free of single-use plastics.",
  "Backed by a two-year warranty and free repairs during that time.",
  "Customers love its thoughtful details — “worth every cent”, writes one reviewer.",
  "Care: wipe clean with a damp cloth; avoid harsh detergents.",
  "Ships within one to two business days from our warehouse.",
  "Compatible with all standard accessories in this range.",
  "Limited edition colours are available while stocks last.",
];

export const COLOURS = ["black", "white", "sand", "forest green", "navy", "terracotta", "slate grey"];
export const SIZES = ["XS", "S", "M", "L", "XL"];
