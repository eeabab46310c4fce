import type { Db } from "./db";

// The instance registry's SQL (tables store_instance and store_subscription, migration 070): one
// statement per heartbeat, the removal at a clean stop, the listings any instance answers with,
// and an operator's request to end a subscription. What goes into a beat is decided in
// store/instances/heartbeat.ts.

/** Notified with {id, by, reason, reconnect} when an operator asks to end a subscription. */
export const SUBSCRIPTION_END_CHANNEL = "factline_subscription_end";

/** An instance is gone once its heartbeat is this many of its own beats old. */
export const LAPSE_BEATS = 5;

export interface InstanceRow {
  id: string;
  host: string;
  pid: number;
  version: string;
  grpcAddress: string;
  httpAddress: string;
  startedMs: number;
  heartbeatMs: number;
  ready: boolean;
  tailSerial: bigint;
}

/** A subscription's figures at one beat. */
export interface SubscriptionProgress {
  id: string;
  delivered: number;
  lastSerial: bigint;
  position: bigint;
  caughtUp: boolean;
  rate: number;
}

/** A subscription the database does not have yet: everything about it. */
export interface NewSubscription extends SubscriptionProgress {
  clientId: string;
  clientAddress: string;
  account: string;
  debugInfo: string;
  specs: unknown[];
  mode: string;
  startedMs: number;
}

export interface EndRequest {
  id: string;
  by: string;
  reason: string;
  reconnect: boolean;
}

export interface BeatResult {
  /** The instance's row was (re)created: it is new, or others swept it while it could not beat. */
  created: boolean;
  /** The known subscriptions whose rows were updated (the others were swept with the instance). */
  updated: Set<string>;
  /** Subscriptions of this instance an operator asked to end. */
  ends: EndRequest[];
}

const FRESH = `heartbeat_at >= now() - heartbeat_ms * ${LAPSE_BEATS} * interval '1 millisecond'`;

/**
 * One heartbeat in one statement: the instance's row, its new subscriptions in full, the figures
 * of the known ones, the rows of ended ones deleted, lapsed instances swept; returns what an
 * operator asked of it.
 */
export async function beat(
  db: Db,
  instance: InstanceRow,
  added: NewSubscription[],
  known: SubscriptionProgress[],
): Promise<BeatResult> {
  const { rows } = await db.query<{ created: boolean; updated: string[] | null; ends: EndRequest[] }>(
    `WITH me AS (
       INSERT INTO store_instance AS i
         (id, host, pid, version, grpc_address, http_address, started_at, heartbeat_at, heartbeat_ms, ready, tail_serial)
       VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::double precision / 1000), now(), $8, $9, $10)
       ON CONFLICT (id) DO UPDATE
         SET heartbeat_at = now(), ready = excluded.ready, tail_serial = excluded.tail_serial,
             grpc_address = excluded.grpc_address, http_address = excluded.http_address
       RETURNING (xmax = 0) AS created
     ),
     added AS (
       INSERT INTO store_subscription
         (id, instance_id, client_id, client_address, account, debug_info, specs, namespaces, mode, started_at,
          facts_delivered, last_serial, position, caught_up, rate, updated_at)
       SELECT n.id, $1, n.client_id, n.client_address, n.account, n.debug_info, n.specs,
              ARRAY(SELECT DISTINCT e ->> 'ns' FROM jsonb_array_elements(n.specs) e),
              n.mode, to_timestamp(n.started_ms / 1000), n.delivered, n.last_serial, n.position, n.caught_up, n.rate, now()
         FROM unnest($11::uuid[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[], $17::text[],
                     $18::double precision[], $19::bigint[], $20::bigint[], $21::bigint[], $22::boolean[],
                     $23::double precision[])
              AS n(id, client_id, client_address, account, debug_info, specs, mode, started_ms, delivered,
                   last_serial, position, caught_up, rate)
       ON CONFLICT (id) DO NOTHING
     ),
     updated AS (
       UPDATE store_subscription s
          SET facts_delivered = k.delivered, last_serial = k.last_serial, position = k.position,
              caught_up = k.caught_up, rate = k.rate, updated_at = now()
         FROM unnest($24::uuid[], $25::bigint[], $26::bigint[], $27::bigint[], $28::boolean[], $29::double precision[])
              AS k(id, delivered, last_serial, position, caught_up, rate)
        WHERE s.id = k.id AND s.instance_id = $1
       RETURNING s.id
     ),
     ended AS (
       DELETE FROM store_subscription
        WHERE instance_id = $1 AND NOT (id = ANY($11::uuid[])) AND NOT (id = ANY($24::uuid[]))
     ),
     swept AS (
       DELETE FROM store_instance WHERE id <> $1 AND NOT (${FRESH})
     )
     SELECT (SELECT created FROM me) AS created,
            (SELECT array_agg(id::text) FROM updated) AS updated,
            (SELECT coalesce(json_agg(json_build_object('id', id, 'by', end_requested_by, 'reason', end_reason,
                                                        'reconnect', end_reconnect)), '[]'::json)
               FROM store_subscription WHERE instance_id = $1 AND end_requested_by IS NOT NULL) AS ends`,
    [
      instance.id,
      instance.host,
      instance.pid,
      instance.version,
      instance.grpcAddress,
      instance.httpAddress,
      instance.startedMs,
      instance.heartbeatMs,
      instance.ready,
      instance.tailSerial,
      added.map((s) => s.id),
      added.map((s) => s.clientId),
      added.map((s) => s.clientAddress),
      added.map((s) => s.account),
      added.map((s) => s.debugInfo),
      added.map((s) => JSON.stringify(s.specs)),
      added.map((s) => s.mode),
      added.map((s) => s.startedMs),
      added.map((s) => s.delivered),
      added.map((s) => s.lastSerial),
      added.map((s) => s.position),
      added.map((s) => s.caughtUp),
      added.map((s) => s.rate),
      known.map((s) => s.id),
      known.map((s) => s.delivered),
      known.map((s) => s.lastSerial),
      known.map((s) => s.position),
      known.map((s) => s.caughtUp),
      known.map((s) => s.rate),
    ],
  );
  const row = rows[0];
  return { created: row.created, updated: new Set(row.updated ?? []), ends: row.ends };
}

/** A clean stop: the instance and its subscriptions leave the registry at once. */
export async function removeInstance(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM store_instance WHERE id = $1`, [id]);
}

export interface ListedInstance extends InstanceRow {
  lastSeenMs: number;
}

/** The instances whose heartbeat has not lapsed, oldest first. */
export async function listInstances(db: Db): Promise<ListedInstance[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, host, pid, version, grpc_address, http_address, heartbeat_ms, ready, tail_serial,
            (extract(epoch FROM started_at) * 1000)::float8 AS started_ms,
            (extract(epoch FROM heartbeat_at) * 1000)::float8 AS last_seen_ms
       FROM store_instance WHERE ${FRESH} ORDER BY started_at, id`,
  );
  return rows.map((r) => ({
    id: r.id as string,
    host: r.host as string,
    pid: r.pid as number,
    version: r.version as string,
    grpcAddress: r.grpc_address as string,
    httpAddress: r.http_address as string,
    heartbeatMs: r.heartbeat_ms as number,
    ready: r.ready as boolean,
    tailSerial: r.tail_serial as bigint,
    startedMs: Math.round(r.started_ms as number),
    lastSeenMs: Math.round(r.last_seen_ms as number),
  }));
}

export interface ListedSubscription {
  id: string;
  instanceId: string;
  clientId: string;
  clientAddress: string;
  account: string;
  debugInfo: string;
  specs: Array<Record<string, unknown>>;
  namespaces: string[];
  mode: string;
  startedMs: number;
  delivered: bigint;
  lastSerial: bigint;
  /** The publish time (meta._ts) of the last delivered fact; 0 when none. */
  lastDeliveredMs: number;
  position: bigint;
  caughtUp: boolean;
  /** Its instance's tail serial at the same beat: lag = tailSerial - position. */
  tailSerial: bigint;
  /** The publish time of the first fact after its position (the longest-waiting one); 0 when none. */
  nextWaitingMs: number;
  rate: number;
  updatedMs: number;
  endRequestedBy: string | undefined;
}

/** Every subscription of every live instance, with the timestamps its lag needs. */
export async function listSubscriptions(db: Db): Promise<ListedSubscription[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT s.id, s.instance_id, s.client_id, s.client_address, s.account, s.debug_info, s.specs, s.namespaces,
            s.mode, s.facts_delivered, s.last_serial, s.position, s.caught_up, s.rate, s.end_requested_by,
            i.tail_serial,
            (extract(epoch FROM s.started_at) * 1000)::float8 AS started_ms,
            (extract(epoch FROM s.updated_at) * 1000)::float8 AS updated_ms,
            CASE WHEN s.last_serial > 0 THEN
              (SELECT (f.header -> 'meta' ->> '_ts')::float8 FROM fact f WHERE f.ser = s.last_serial) END AS last_ts,
            CASE WHEN s.position < i.tail_serial THEN
              (SELECT (f.header -> 'meta' ->> '_ts')::float8 FROM fact f WHERE f.ser > s.position ORDER BY f.ser LIMIT 1)
            END AS next_ts
       FROM store_subscription s JOIN store_instance i ON i.id = s.instance_id
      WHERE ${FRESH.replace(/heartbeat/g, "i.heartbeat")}`,
  );
  return rows.map((r) => ({
    id: r.id as string,
    instanceId: r.instance_id as string,
    clientId: r.client_id as string,
    clientAddress: r.client_address as string,
    account: r.account as string,
    debugInfo: r.debug_info as string,
    specs: r.specs as Array<Record<string, unknown>>,
    namespaces: r.namespaces as string[],
    mode: r.mode as string,
    startedMs: Math.round(r.started_ms as number),
    delivered: r.facts_delivered as bigint,
    lastSerial: r.last_serial as bigint,
    lastDeliveredMs: Math.round((r.last_ts as number | null) ?? 0),
    position: r.position as bigint,
    caughtUp: r.caught_up as boolean,
    tailSerial: r.tail_serial as bigint,
    nextWaitingMs: Math.round((r.next_ts as number | null) ?? 0),
    rate: r.rate as number,
    updatedMs: Math.round(r.updated_ms as number),
    endRequestedBy: (r.end_requested_by as string | null) ?? undefined,
  }));
}

/** Records an operator's request to end a subscription of a live instance and notifies its owner. */
export async function requestEnd(
  db: Db,
  request: EndRequest,
): Promise<{ instanceId: string; namespaces: string[]; clientId: string; account: string } | undefined> {
  const { rows } = await db.query<{ instance_id: string; namespaces: string[]; client_id: string; account: string }>(
    `UPDATE store_subscription s
        SET end_requested_by = $2, end_reason = $3, end_reconnect = $4
       FROM store_instance i
      WHERE s.id = $1 AND i.id = s.instance_id AND ${FRESH.replace(/heartbeat/g, "i.heartbeat")}
      RETURNING s.instance_id, s.namespaces, s.client_id, s.account,
                pg_notify('${SUBSCRIPTION_END_CHANNEL}', json_build_object('id', s.id, 'by', $2::text,
                          'reason', $3::text, 'reconnect', $4::boolean)::text)`,
    [request.id, request.by, request.reason, request.reconnect],
  );
  const row = rows[0];
  return row
    ? { instanceId: row.instance_id, namespaces: row.namespaces, clientId: row.client_id, account: row.account }
    : undefined;
}
