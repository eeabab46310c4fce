-- Before 082 a TRUNCATE of the transformation cache left transformation_cache_size counting the
-- removed entries, and nothing corrected it: a database emptied that way kept a size above the
-- truth until eviction deleted live entries for room that was free. Count once from the table.
-- SHARE mode holds off other instances' cache writes for this one statement, so the count and the
-- triggers that keep it afterwards agree.
LOCK TABLE transformation_cache IN SHARE MODE;

UPDATE transformation_cache_size
   SET (bytes, entries) = (SELECT coalesce(sum(bytes), 0), count(*) FROM transformation_cache);
