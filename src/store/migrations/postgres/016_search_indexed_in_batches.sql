-- 016: with SQLite, new requests enter the full-text index in batches after their commit
-- (store_search_catch_up), not in the creating transaction: FTS5 wrote a new index segment
-- for every request there, inside the one writer's turn. This counter is the highest request
-- id the index holds; every request so far was indexed when it was created. PostgreSQL keeps
-- indexing in the creating transaction and never reads the counter.
INSERT INTO counters (name, value)
    SELECT 'search_indexed', COALESCE(MAX(id), 0) FROM requests;
