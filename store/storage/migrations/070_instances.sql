-- The store instances that share this database, and the subscriptions each serves, so that any
-- instance can answer for all (README "Operating"). Each instance rewrites its own rows once per
-- heartbeat (store/instances/heartbeat.ts) and deletes them when it stops; an instance whose
-- heartbeat is five beats late counts as gone, and the next beat of any other deletes it with its
-- subscriptions.

CREATE TABLE store_instance (
  id            uuid        PRIMARY KEY,
  host          text        NOT NULL,
  pid           integer     NOT NULL,
  version       text        NOT NULL,
  grpc_address  text        NOT NULL,
  http_address  text        NOT NULL,
  started_at    timestamptz NOT NULL,
  -- The database's clock, never the instance's: lapses are judged on one clock.
  heartbeat_at  timestamptz NOT NULL,
  -- The instance's own beat (FACTLINE_HEARTBEAT_MS): it is gone once heartbeat_at is 5 beats old.
  heartbeat_ms  integer     NOT NULL CHECK (heartbeat_ms > 0),
  -- At its last beat: PostgreSQL reachable and the live tail reading.
  ready         boolean     NOT NULL,
  -- At its last beat: the newest serial its live tail had read (what its subscriptions' lag is against).
  tail_serial   bigint      NOT NULL
);

CREATE TABLE store_subscription (
  id              uuid             PRIMARY KEY,
  instance_id     uuid             NOT NULL REFERENCES store_instance (id) ON DELETE CASCADE,
  -- fc-id, the connection's address, the authenticated account, the client's debugInfo.
  client_id       text             NOT NULL,
  client_address  text             NOT NULL,
  account         text             NOT NULL,
  debug_info      text             NOT NULL,
  -- The FactSpecs as the store parsed them (store/facts/spec.ts), and their namespaces ('*': all).
  specs           jsonb            NOT NULL,
  namespaces      text[]           NOT NULL,
  mode            text             NOT NULL CHECK (mode IN ('catchup', 'follow', 'ephemeral')),
  started_at      timestamptz      NOT NULL,
  facts_delivered bigint           NOT NULL,
  -- The serial of the last fact handed to the client (0: none yet).
  last_serial     bigint           NOT NULL,
  -- Everything up to here has been examined (>= last_serial: facts that do not match are passed by).
  position        bigint           NOT NULL,
  caught_up       boolean          NOT NULL,
  -- Facts per second handed to the client over the last beat.
  rate            double precision NOT NULL,
  updated_at      timestamptz      NOT NULL,
  -- Set by EndSubscription on any instance; the owner ends the stream on NOTIFY or at its next beat.
  end_requested_by text,
  end_reason       text,
  end_reconnect    boolean         NOT NULL DEFAULT false
);

CREATE INDEX idx_store_subscription_instance ON store_subscription (instance_id);
