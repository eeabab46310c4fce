-- The fact notification now carries the highest serial its statement inserted. An instance whose
-- live tail has already read that far — it reads its own commits at once — skips the read the
-- notification would otherwise cost. Notifications of different statements are no longer folded,
-- which changes nothing: each statement is its own transaction in the store.
CREATE OR REPLACE FUNCTION fact_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  newest bigint;
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
