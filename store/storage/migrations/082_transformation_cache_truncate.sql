-- TRUNCATE fires no row or statement DELETE triggers, so emptying the transformation cache that
-- way (an operator's quickest way to drop it, the benchmark's cold start) left
-- transformation_cache_size counting the entries it removed; eviction then believed the cache
-- over its bound and deleted live entries to make room that was already free.
CREATE FUNCTION transformation_cache_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE transformation_cache_size SET bytes = 0, entries = 0;
  RETURN NULL;
END $$;

CREATE TRIGGER tr_transformation_cache_truncated
  AFTER TRUNCATE ON transformation_cache
  FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_truncated();
