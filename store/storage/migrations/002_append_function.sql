-- One round trip per publish group: the writer lock, the duplicate check, serial allocation, the
-- _ser/_ts stamps and the insert happen in one function call. Called on its own (autocommit) it
-- is also its own transaction, so a group of publishes costs a single statement.
--
-- Returns one row per serial allocated, in input order, or — when any id already exists — nothing
-- is inserted and the existing ids come back instead (serial NULL), so the caller can drop the
-- publishes they belong to and try again.
CREATE FUNCTION factline_append(ids uuid[], headers jsonb[], payloads text[])
RETURNS TABLE (serial bigint, existing_id text)
LANGUAGE plpgsql AS $$
DECLARE
  existing text[];
  serials bigint[];
  ts bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(128);
  SELECT array_agg(f.header ->> 'id') INTO existing FROM fact f WHERE (f.header ->> 'id')::uuid = ANY(ids);
  IF existing IS NOT NULL THEN
    RETURN QUERY SELECT NULL::bigint, e FROM unnest(existing) AS e;
    RETURN;
  END IF;
  -- Allocated while holding the lock, in input order, so a publish's facts get increasing serials.
  serials := ARRAY(SELECT nextval('fact_ser_seq') FROM generate_series(1, cardinality(ids)) ORDER BY 1);
  ts := floor(extract(epoch FROM now()) * 1000);
  INSERT INTO fact (ser, header, payload)
  SELECT serials[i.ord],
         jsonb_set(i.h, '{meta}', coalesce(i.h -> 'meta', '{}'::jsonb) || jsonb_build_object('_ser', serials[i.ord], '_ts', ts)),
         i.p::json
    FROM unnest(headers, payloads) WITH ORDINALITY AS i(h, p, ord);
  RETURN QUERY SELECT s, NULL::text FROM unnest(serials) AS s;
END $$;
