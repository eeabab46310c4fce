-- The store's append in one statement that costs what a plain multi-row INSERT costs (issue 17):
--
-- * Facts arrive as two text parameters, each fact's text joined by U+001E, instead of jsonb[] and
--   text[] arrays: array literals make the client escape every quote and PostgreSQL unescape it
--   again, and the header's jsonb was parsed once as sent and rebuilt once more by jsonb_set for the
--   stamps. U+001E never occurs in JSON text (control characters are escaped inside strings and are
--   not whitespace), so splitting on it is exact; a payload containing one is not JSON and never
--   gets here (store/facts/fact.ts).
-- * Each header arrives as its JSON text up to and including `"_ser":` inside `meta`, which the
--   store writes last (store/storage/append.ts); the statement appends the serial, `_ts` and the
--   closing braces and parses the result once.
-- * Serials are drawn with one nextval and one setval while holding lock 128 (every inserter takes
--   it before drawing, see fact_serialize_writers), instead of one nextval per fact.
-- * No duplicate-id probe before the insert: the unique index finds duplicates anyway; only when it
--   does does the statement look up which ids exist (and nothing of the call is kept).
-- * The catalog, date2serial and the notification are kept here, once per call, from the counts per
--   (ns, type, version) the store passes in — instead of by the AFTER INSERT trigger re-reading every
--   inserted header. The trigger still does it for every other writer (FactCast, a hand-written
--   INSERT, an older store instance): the function tells it, for its own insert only, that the work
--   is done, by a transaction-local setting that a rolled-back call takes back with it.

CREATE OR REPLACE FUNCTION fact_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  newest bigint;
BEGIN
  IF current_setting('factline.catalog_kept', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO catalog AS c (ns, type, version, fact_count, first_ser, last_ser, first_at, last_at)
    SELECT header ->> 'ns', coalesce(header ->> 'type', ''), coalesce((header ->> 'version')::integer, 0),
           count(*), min(ser), max(ser), now(), now()
      FROM inserted
     GROUP BY 1, 2, 3
  ON CONFLICT (ns, type, version) DO UPDATE
    SET fact_count = c.fact_count + excluded.fact_count,
        last_ser = greatest(c.last_ser, excluded.last_ser),
        last_at = excluded.last_at;

  SELECT max(ser) INTO newest FROM inserted;
  INSERT INTO date2serial AS d (fact_date, first_ser, last_ser)
    SELECT (now() AT TIME ZONE 'UTC')::date, min(ser), newest FROM inserted HAVING count(*) > 0
  ON CONFLICT (fact_date) DO UPDATE
    SET first_ser = least(d.first_ser, excluded.first_ser),
        last_ser = greatest(d.last_ser, excluded.last_ser);

  IF newest IS NOT NULL THEN
    PERFORM pg_notify('factline_fact', newest::text);
  END IF;
  RETURN NULL;
END $$;

-- Returns one row: the first serial (the call's facts have first_serial .. first_serial + count - 1
-- in input order), or — when an id already exists — existing_ids and nothing inserted, or — when
-- the registry changed since the facts were validated — stale = true and nothing inserted.
CREATE FUNCTION factline_append_joined(
  header_prefixes text,
  payloads text,
  facts_in_call integer,
  -- [{"ns", "type" ('' for none), "version" (0 for none), "count", "first", "last"}]: the call's
  -- facts per catalog row, first/last as 0-based positions among them.
  kinds json,
  registry_generation bigint)
RETURNS TABLE (first_serial bigint, existing_ids text[], stale boolean)
LANGUAGE plpgsql AS $$
DECLARE
  base bigint;
  counted bigint;
  stamp text;
  inserted bigint;
  existing text[];
BEGIN
  PERFORM pg_advisory_xact_lock(128);
  IF registry_generation IS NOT NULL
     AND registry_generation <> (SELECT g.generation FROM schema_registry_generation g) THEN
    RETURN QUERY SELECT NULL::bigint, NULL::text[], true;
    RETURN;
  END IF;
  -- The catalog counts must add up to the facts inserted, or the catalog would drift.
  SELECT sum(k.count) INTO counted FROM json_to_recordset(kinds) AS k(count bigint);
  IF facts_in_call < 1 OR counted IS DISTINCT FROM facts_in_call THEN
    RAISE EXCEPTION 'factline_append_joined: the kinds count % facts, the call has %', counted, facts_in_call;
  END IF;
  base := nextval('fact_ser_seq');
  IF facts_in_call > 1 THEN
    PERFORM setval('fact_ser_seq', base + facts_in_call - 1);
  END IF;
  stamp := ',"_ts":' || floor(extract(epoch FROM now()) * 1000)::bigint || '}}';
  BEGIN
    PERFORM set_config('factline.catalog_kept', 'on', true);
    INSERT INTO fact (ser, header, payload)
    SELECT base + f.ord - 1, (f.h || (base + f.ord - 1) || stamp)::jsonb, f.p::json
      FROM ROWS FROM (string_to_table(header_prefixes, E'\x1e'), string_to_table(payloads, E'\x1e'))
           WITH ORDINALITY AS f(h, p, ord);
    GET DIAGNOSTICS inserted = ROW_COUNT;
    PERFORM set_config('factline.catalog_kept', '', true);
    IF inserted <> facts_in_call THEN
      RAISE EXCEPTION USING ERRCODE = '22P02',
        MESSAGE = format('the append received %s facts where %s were announced', inserted, facts_in_call);
    END IF;
  EXCEPTION
  -- A separator inside a text would pair headers and payloads wrongly: the texts then split into
  -- different counts (ROWS FROM pads the shorter with NULL), and nothing is stored.
  WHEN not_null_violation THEN
    RAISE EXCEPTION USING ERRCODE = '22P02',
      MESSAGE = 'the append''s header and payload texts do not split into the same number of facts';
  WHEN unique_violation THEN
    SELECT array_agg(f.header ->> 'id') INTO existing
      FROM fact f
     WHERE (f.header ->> 'id')::uuid IN (
             SELECT ((h || '0}}')::jsonb ->> 'id')::uuid FROM string_to_table(header_prefixes, E'\x1e') AS h);
    IF existing IS NULL THEN
      RAISE;
    END IF;
    RETURN QUERY SELECT NULL::bigint, existing, false;
    RETURN;
  END;

  INSERT INTO catalog AS c (ns, type, version, fact_count, first_ser, last_ser, first_at, last_at)
  SELECT k.ns, k.type, k.version, k.count, base + k.first, base + k.last, now(), now()
    FROM json_to_recordset(kinds) AS k(ns text, type text, version integer, count bigint, first bigint, last bigint)
  ON CONFLICT (ns, type, version) DO UPDATE
    SET fact_count = c.fact_count + excluded.fact_count,
        last_ser = greatest(c.last_ser, excluded.last_ser),
        last_at = excluded.last_at;
  INSERT INTO date2serial AS d (fact_date, first_ser, last_ser)
  VALUES ((now() AT TIME ZONE 'UTC')::date, base, base + facts_in_call - 1)
  ON CONFLICT (fact_date) DO UPDATE
    SET first_ser = least(d.first_ser, excluded.first_ser),
        last_ser = greatest(d.last_ser, excluded.last_ser);
  PERFORM pg_notify('factline_fact', (base + facts_in_call - 1)::text);
  RETURN QUERY SELECT base, NULL::text[], false;
END $$;
