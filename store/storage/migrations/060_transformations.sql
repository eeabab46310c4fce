-- Transformations beside the schema registry (FactCast's up- and downcasts), and the cache of the
-- payloads they produced. Read by store/transformations/; SQL in store/storage/transformations/ and
-- store/storage/transformation-cache/.

CREATE TABLE transformation (
  ns            text        NOT NULL,
  type          text        NOT NULL,
  from_version  integer     NOT NULL CHECK (from_version > 0),
  to_version    integer     NOT NULL CHECK (to_version > 0),
  -- A JavaScript function changing the payload in place. NULL only for a downcast: the identity
  -- ("downcasts without code count as compatible", as FactCast's synthetic transformations).
  code          text,
  description   text        NOT NULL DEFAULT '',
  registered_by text        NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  -- 1 when first registered; each forced replacement increments it and leaves a transformation_replacement row.
  revision      integer     NOT NULL DEFAULT 1,
  -- MD5 of `code` as FactCast's index.json carries it; '' without code.
  hash          text        NOT NULL,
  PRIMARY KEY (ns, type, from_version, to_version),
  CONSTRAINT transformation_changes_version CHECK (from_version <> to_version),
  CONSTRAINT transformation_upcast_has_code CHECK (code IS NOT NULL OR to_version < from_version)
);

-- Registered code is immutable; a forced replacement keeps what was replaced, and why.
CREATE TABLE transformation_replacement (
  ns            text        NOT NULL,
  type          text        NOT NULL,
  from_version  integer     NOT NULL,
  to_version    integer     NOT NULL,
  revision      integer     NOT NULL,
  code          text,
  registered_by text        NOT NULL,
  registered_at timestamptz NOT NULL,
  replaced_by   text        NOT NULL,
  replaced_at   timestamptz NOT NULL DEFAULT now(),
  reason        text        NOT NULL,
  PRIMARY KEY (ns, type, from_version, to_version, revision)
);

-- Transformed payloads, shared by every store instance of this database. Keyed by the fact, the
-- version it was turned into and the chain that did it: `chain` hashes the chain's versions, its
-- steps' code and the target schema, so a changed transformation or schema never meets an old
-- result (and the triggers below delete those anyway, to free their space).
CREATE TABLE transformation_cache (
  fact_id     uuid        NOT NULL,
  version     integer     NOT NULL,
  chain       text        NOT NULL,
  ns          text        NOT NULL,
  type        text        NOT NULL,
  payload     text        NOT NULL,
  -- octet_length(payload), kept so the size bound is a sum over a column, not over payloads.
  bytes       integer     NOT NULL,
  -- Refreshed at most every few minutes per entry (store/storage/transformation-cache/lookup.ts);
  -- the least recently used entries go first when the cache outgrows its bound.
  accessed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (fact_id, version, chain)
);
CREATE INDEX idx_transformation_cache_type ON transformation_cache (ns, type);
CREATE INDEX idx_transformation_cache_accessed ON transformation_cache (accessed_at);

-- The cache's total size, kept by statement triggers so that checking the bound reads one row.
CREATE TABLE transformation_cache_size (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  bytes     bigint  NOT NULL,
  entries   bigint  NOT NULL
);
INSERT INTO transformation_cache_size (bytes, entries) VALUES (0, 0);

CREATE FUNCTION transformation_cache_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE transformation_cache_size s
     SET bytes = s.bytes + a.bytes, entries = s.entries + a.entries
    FROM (SELECT coalesce(sum(bytes), 0) AS bytes, count(*) AS entries FROM added) a
   WHERE a.entries > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION transformation_cache_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE transformation_cache_size s
     SET bytes = greatest(0, s.bytes - r.bytes), entries = greatest(0, s.entries - r.entries)
    FROM (SELECT coalesce(sum(bytes), 0) AS bytes, count(*) AS entries FROM removed) r
   WHERE r.entries > 0;
  RETURN NULL;
END $$;

CREATE TRIGGER tr_transformation_cache_added
  AFTER INSERT ON transformation_cache REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_added();
CREATE TRIGGER tr_transformation_cache_removed
  AFTER DELETE ON transformation_cache REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_removed();

-- A change to a type's transformations or schemas changes its chains: its cached payloads go in
-- the same transaction, and every instance reloads its chains (store/transformations/registry.ts).
CREATE FUNCTION transformation_type_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed_ns text;
  changed_type text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    changed_ns := OLD.ns;
    changed_type := OLD.type;
  ELSE
    changed_ns := NEW.ns;
    changed_type := NEW.type;
  END IF;
  DELETE FROM transformation_cache WHERE ns = changed_ns AND type = changed_type;
  PERFORM pg_notify('factline_transformation', json_build_object('ns', changed_ns, 'type', changed_type)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER tr_transformation_changed
  AFTER INSERT OR UPDATE OR DELETE ON transformation FOR EACH ROW EXECUTE FUNCTION transformation_type_changed();
CREATE TRIGGER tr_schema_version_changed_transformations
  AFTER INSERT OR UPDATE OR DELETE ON schema_version FOR EACH ROW EXECUTE FUNCTION transformation_type_changed();
