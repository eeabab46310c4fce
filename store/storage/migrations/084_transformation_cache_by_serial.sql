-- The transformation cache keyed by the fact's serial and the chain, holding the rewritten header
-- beside the payload (docs/performance.md "Transformed catch-up (issue 15)"). Keyed by fact id, a
-- warm catch-up probed the primary key once per fact with a uuid parsed out of the header and set
-- the header's version with jsonb_set: PostgreSQL spent about twice a plain read's time per fact.
-- Keyed by serial, the read merge-joins the cache in serial order beside the facts and sends the
-- cached header as it is; a cold write appends to the right edge of the primary key instead of
-- inserting random uuids. A chain id (store/transformations/registry.ts) hashes the type, the
-- path, the code and the target schema, so it names the target version too; facts are immutable,
-- so a serial names one fact for good. The old entries are dropped: it is a cache, and they lack
-- the header; every instance transforms afresh what it asks for next.
DROP TABLE transformation_cache;

CREATE TABLE transformation_cache (
  ser         bigint      NOT NULL,
  chain       text        NOT NULL,
  -- The chain's target version (what the header says).
  version     integer     NOT NULL,
  ns          text        NOT NULL,
  type        text        NOT NULL,
  -- The fact's header with `version` set to the target, as sent to consumers.
  header      text        NOT NULL,
  payload     text        NOT NULL,
  -- octet_length(header) + octet_length(payload): what the size bound counts.
  bytes       integer     NOT NULL,
  -- Refreshed at most every few minutes per entry (store/storage/transformation-cache/lookup.ts);
  -- the least recently used entries go first when the cache outgrows its bound.
  accessed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ser, chain)
);
-- A change to a type's transformations deletes its entries (transformation_type_changed, 060).
CREATE INDEX idx_transformation_cache_type ON transformation_cache (ns, type);
CREATE INDEX idx_transformation_cache_accessed ON transformation_cache (accessed_at);

-- The size row counts the new, empty table; the triggers of 060 and 082 keep it from here.
UPDATE transformation_cache_size SET bytes = 0, entries = 0;

CREATE TRIGGER tr_transformation_cache_added
  AFTER INSERT ON transformation_cache REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_added();
CREATE TRIGGER tr_transformation_cache_removed
  AFTER DELETE ON transformation_cache REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_removed();
CREATE TRIGGER tr_transformation_cache_truncated
  AFTER TRUNCATE ON transformation_cache
  FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_truncated();
