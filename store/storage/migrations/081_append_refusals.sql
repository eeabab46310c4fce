-- factline_append_joined (migration 080) answers a payload PostgreSQL refuses instead of raising:
-- the store passes payloads on as the bytes it received and lets the insert's json input check them
-- (store/facts/fact.ts), so an invalid payload is an expected answer, not an error. Raising would
-- abort a conditional publish's transaction and fail a whole group commit; answering lets the store
-- name the fact and commit the rest of the group.

DROP FUNCTION factline_append_joined(text, text, integer, json, bigint);

-- Returns one row: the first serial (the call's facts have first_serial .. first_serial + count - 1
-- in input order), or — when an id already exists — existing_ids and nothing inserted, or — when
-- the registry changed since the facts were validated — stale = true and nothing inserted, or — when
-- PostgreSQL refuses a payload (not JSON) — refused = its complaint and nothing inserted.
CREATE FUNCTION factline_append_joined(
  header_prefixes text,
  payloads text,
  facts_in_call integer,
  -- [{"ns", "type" ('' for none), "version" (0 for none), "count", "first", "last"}]: the call's
  -- facts per catalog row, first/last as 0-based positions among them.
  kinds json,
  registry_generation bigint)
RETURNS TABLE (first_serial bigint, existing_ids text[], stale boolean, refused text)
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
    RETURN QUERY SELECT NULL::bigint, NULL::text[], true, NULL::text;
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
    RETURN QUERY SELECT NULL::bigint, existing, false, NULL::text;
    RETURN;
  -- A payload that is not JSON (the store no longer parses every payload itself): the call stores
  -- nothing and says why, without aborting the caller's transaction; the store finds the culprit.
  WHEN data_exception THEN
    RETURN QUERY SELECT NULL::bigint, NULL::text[], false, SQLERRM;
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
  RETURN QUERY SELECT base, NULL::text[], false, NULL::text;
END $$;
