-- The fact log and the tables maintained beside it on insert.
-- Applied once by store/storage/migrate.ts; never edit an applied migration, add a new one.

CREATE TABLE fact (
  -- The global position of a fact. Assigned from fact_ser_seq while the writer holds
  -- advisory lock 128 (see fact_serialize_writers below), so commit order equals serial order.
  ser     bigserial PRIMARY KEY,
  -- Header as JSON with meta._ser and meta._ts merged in by the store.
  header  jsonb NOT NULL,
  -- Payload kept as the exact text the client sent (json validates but does not normalise),
  -- so a reader gets back byte-identical payloads.
  payload json  NOT NULL,
  CONSTRAINT mandatory_ns CHECK (header ? 'ns'),
  CONSTRAINT mandatory_id CHECK (header ? 'id')
);

CREATE UNIQUE INDEX idx_fact_unique_uuid ON fact (((header ->> 'id')::uuid));
-- Serves every FactSpec containment predicate (ns, type, aggIds, meta). fastupdate is off because
-- pending-list flushes cause latency spikes on insert (FactCast #3755).
CREATE INDEX idx_fact_header ON fact USING gin (header jsonb_path_ops) WITH (fastupdate = off);

-- Every statement that inserts facts first takes the exclusive transaction-level advisory lock 128,
-- before any row gets its serial. Writers are therefore serialized across every store instance and
-- every other client of the database, and a transaction holding a smaller serial has always
-- committed (or rolled back) before one holding a larger serial starts inserting. That is what lets
-- readers trust "all serials <= max visible serial are final" (see store/subscriptions/tail.ts).
-- The store takes the same lock explicitly before allocating serials; taking it again is re-entrant.
CREATE FUNCTION fact_serialize_writers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(128);
  RETURN NULL;
END $$;

CREATE TRIGGER tr_fact_serialize_writers
  BEFORE INSERT ON fact FOR EACH STATEMENT EXECUTE FUNCTION fact_serialize_writers();

-- Facts per (namespace, type, version): feeds enumerateNamespaces/Types/Versions and the console's
-- catalog without ever scanning the fact table. type '' stands for "no type".
CREATE TABLE catalog (
  ns         text        NOT NULL,
  type       text        NOT NULL,
  version    integer     NOT NULL,
  fact_count bigint      NOT NULL,
  first_ser  bigint      NOT NULL,
  last_ser   bigint      NOT NULL,
  first_at   timestamptz NOT NULL,
  last_at    timestamptz NOT NULL,
  PRIMARY KEY (ns, type, version)
);

-- First and last serial per UTC day: resolves lastSerialBefore / firstSerialAfter.
CREATE TABLE date2serial (
  fact_date date   PRIMARY KEY,
  first_ser bigint NOT NULL,
  last_ser  bigint NOT NULL
);

-- One function per insert statement (not per row): per-row maintenance capped FactCast at ~500
-- inserts/s (#3910). The NOTIFY carries no payload, so PostgreSQL folds all notifications of one
-- transaction into one; listeners re-read from their own position.
CREATE FUNCTION fact_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog AS c (ns, type, version, fact_count, first_ser, last_ser, first_at, last_at)
    SELECT header ->> 'ns', coalesce(header ->> 'type', ''), coalesce((header ->> 'version')::integer, 0),
           count(*), min(ser), max(ser), now(), now()
      FROM inserted
     GROUP BY 1, 2, 3
  ON CONFLICT (ns, type, version) DO UPDATE
    SET fact_count = c.fact_count + excluded.fact_count,
        last_ser = greatest(c.last_ser, excluded.last_ser),
        last_at = excluded.last_at;

  INSERT INTO date2serial AS d (fact_date, first_ser, last_ser)
    SELECT (now() AT TIME ZONE 'UTC')::date, min(ser), max(ser) FROM inserted HAVING count(*) > 0
  ON CONFLICT (fact_date) DO UPDATE
    SET first_ser = least(d.first_ser, excluded.first_ser),
        last_ser = greatest(d.last_ser, excluded.last_ser);

  PERFORM pg_notify('factline_fact', '');
  RETURN NULL;
END $$;

CREATE TRIGGER tr_fact_after_insert
  AFTER INSERT ON fact REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION fact_after_insert();

-- Facts are immutable: the store never updates or deletes them, and neither may anyone else by accident.
CREATE FUNCTION fact_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'facts are immutable: % on fact is not allowed', TG_OP;
END $$;

CREATE TRIGGER tr_fact_immutable
  BEFORE UPDATE OR DELETE ON fact FOR EACH STATEMENT EXECUTE FUNCTION fact_is_immutable();

-- Optimistic-locking state tokens: {specs, serialOfLastMatchingFact}, single use.
CREATE TABLE tokenstore (
  token      uuid        PRIMARY KEY,
  state      jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_tokenstore_created_at ON tokenstore (created_at);
