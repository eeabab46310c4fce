// Customers come, change their details, and sometimes leave.
import { EMAIL_CHANGED, USER_DEACTIVATED, USER_REGISTERED_V1, USER_REGISTERED_V2 } from "../fact-types";
import type { Customer, DemoWorld } from "../world";

export function registerCustomer(world: DemoWorld): Customer {
  const { rng } = world;
  const customer = world.newCustomer();
  world.customers.push(customer);
  const options = { aggIds: [customer.id], tenant: customer.tenant.id, correlationId: world.id() };
  if (world.useV2) {
    world.emit(
      USER_REGISTERED_V2,
      {
        userId: customer.id,
        email: customer.email,
        name: { first: customer.first, last: customer.last },
        locale: customer.tenant.locale,
        address: customer.address,
        consents: { marketing: rng.chance(0.35), newsletter: rng.chance(0.5) },
        registeredAt: world.iso(),
      },
      options,
    );
  } else {
    world.emit(
      USER_REGISTERED_V1,
      {
        userId: customer.id,
        email: customer.email,
        displayName: `${customer.first} ${customer.last}`,
        locale: customer.tenant.locale,
        marketingOptIn: rng.chance(0.35),
        registeredAt: world.iso(),
      },
      options,
    );
  }
  return customer;
}

export function activeCustomer(world: DemoWorld): Customer | undefined {
  const active = world.customers.filter((c) => c.active);
  return active.length > 0 ? world.rng.pick(active) : undefined;
}

export function changeEmail(world: DemoWorld): void {
  const customer = activeCustomer(world);
  if (!customer) return;
  const previousEmail = customer.email;
  customer.email = world.email(customer.first, customer.last);
  if (customer.email === previousEmail) customer.email = `new.${previousEmail}`;
  world.emit(
    EMAIL_CHANGED,
    {
      userId: customer.id,
      previousEmail,
      email: customer.email,
      verified: world.rng.chance(0.8),
      changedAt: world.iso(),
    },
    { aggIds: [customer.id], tenant: customer.tenant.id, correlationId: world.id() },
  );
}

export function deactivate(world: DemoWorld): void {
  const { rng } = world;
  // Keep most customers: a demo shop with no buyers left would stop producing orders.
  if (world.customers.filter((c) => c.active).length < 10) return;
  const customer = activeCustomer(world)!;
  customer.active = false;
  const reason = rng.weighted([
    ["customer_request", 6],
    ["inactivity", 3],
    ["fraud", 1],
    ["gdpr_erasure_request", 2],
  ] as const);
  world.emit(
    USER_DEACTIVATED,
    {
      userId: customer.id,
      reason,
      requestedBy: reason === "inactivity" ? "system" : reason === "fraud" ? "support" : "customer",
      deactivatedAt: world.iso(),
    },
    { aggIds: [customer.id], tenant: customer.tenant.id, correlationId: world.id() },
  );
}
