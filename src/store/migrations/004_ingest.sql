-- quotewire schema, version 4: indexes a bulk load has set aside.
--
-- A first load into an empty archive drops the indexes whose keys arrive in random order
-- and builds each at its end in one sort (see `DEFERRED_INDEXES` in src/store/write.rs).
-- Meanwhile their definitions wait here, so that a load killed part-way gets them back
-- the next time the database is opened.
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    sql  TEXT NOT NULL
) WITHOUT ROWID;
