-- The schema registry: a JSON Schema per (namespace, type, version), enforced on publish.

CREATE TABLE schema_version (
  ns            text        NOT NULL,
  type          text        NOT NULL,
  version       integer     NOT NULL CHECK (version > 0),
  -- The schema text as registered, so exports and hashes reproduce it exactly.
  schema        text        NOT NULL,
  description   text        NOT NULL DEFAULT '',
  registered_by text        NOT NULL DEFAULT '',
  registered_at timestamptz NOT NULL DEFAULT now(),
  examples      jsonb       NOT NULL DEFAULT '[]',
  -- 1 when first registered; each forced replacement increments it and leaves a schema_replacement row.
  revision      integer     NOT NULL DEFAULT 1,
  -- MD5 of `schema`, as FactCast's index.json carries it.
  hash          text        NOT NULL,
  PRIMARY KEY (ns, type, version)
);

-- Versions are immutable; a forced replacement keeps what was replaced, and why.
CREATE TABLE schema_replacement (
  ns            text        NOT NULL,
  type          text        NOT NULL,
  version       integer     NOT NULL,
  revision      integer     NOT NULL,
  schema        text        NOT NULL,
  registered_by text        NOT NULL,
  registered_at timestamptz NOT NULL,
  replaced_by   text        NOT NULL,
  replaced_at   timestamptz NOT NULL DEFAULT now(),
  reason        text        NOT NULL,
  PRIMARY KEY (ns, type, version, revision)
);

-- Counts registry changes. Every store instance caches the registry and validates publishes
-- against its copy; the append statement compares the generation that copy had with this one
-- (under the writers' lock), so no publish commits validated against an outdated registry.
CREATE TABLE schema_registry_generation (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  generation bigint  NOT NULL
);
INSERT INTO schema_registry_generation (generation) VALUES (0);

-- Any change bumps the generation and tells every instance to reload.
CREATE FUNCTION schema_version_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE schema_registry_generation SET generation = generation + 1;
  PERFORM pg_notify('factline_schema', '');
  RETURN NULL;
END $$;

CREATE TRIGGER tr_schema_version_changed
  AFTER INSERT OR UPDATE OR DELETE ON schema_version FOR EACH STATEMENT EXECUTE FUNCTION schema_version_changed();

-- factline_append (migration 002) learns the registry check: given the generation the facts were
-- validated against, it inserts nothing and answers stale = true when the registry has changed since.
DROP FUNCTION factline_append(uuid[], jsonb[], text[]);

CREATE FUNCTION factline_append(ids uuid[], headers jsonb[], payloads text[], registry_generation bigint)
RETURNS TABLE (serial bigint, existing_id text, stale boolean)
LANGUAGE plpgsql AS $$
DECLARE
  existing text[];
  serials bigint[];
  ts bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(128);
  IF registry_generation IS NOT NULL
     AND registry_generation <> (SELECT g.generation FROM schema_registry_generation g) THEN
    RETURN QUERY SELECT NULL::bigint, NULL::text, true;
    RETURN;
  END IF;
  SELECT array_agg(f.header ->> 'id') INTO existing FROM fact f WHERE (f.header ->> 'id')::uuid = ANY(ids);
  IF existing IS NOT NULL THEN
    RETURN QUERY SELECT NULL::bigint, e, false FROM unnest(existing) AS e;
    RETURN;
  END IF;
  serials := ARRAY(SELECT nextval('fact_ser_seq') FROM generate_series(1, cardinality(ids)) ORDER BY 1);
  ts := floor(extract(epoch FROM now()) * 1000);
  INSERT INTO fact (ser, header, payload)
  SELECT serials[i.ord],
         jsonb_set(i.h, '{meta}', coalesce(i.h -> 'meta', '{}'::jsonb) || jsonb_build_object('_ser', serials[i.ord], '_ts', ts)),
         i.p::json
    FROM unnest(headers, payloads) WITH ORDINALITY AS i(h, p, ord);
  RETURN QUERY SELECT s, NULL::text, false FROM unnest(serials) AS s;
END $$;
