-- quotewire schema, version 2: indexes for search and filters at archive scale.

-- Every normalised name and alias of an entity from each word start to its end
-- ("jens stoltenberg" and "stoltenberg"): a prefix search is one index range here,
-- where `LIKE '% x%'` over names scanned the whole table.
CREATE TABLE entity_words (
    entity_pk INTEGER NOT NULL REFERENCES entities (pk) ON DELETE CASCADE,
    word_key  TEXT NOT NULL,
    PRIMARY KEY (entity_pk, word_key)
) WITHOUT ROWID;
CREATE INDEX entity_words_by_key ON entity_words (word_key, entity_pk);

WITH RECURSIVE suffixes (entity_pk, rest) AS (
    SELECT pk, name_key FROM entities
    UNION
    SELECT entity_pk, alias_key FROM entity_aliases
    UNION
    SELECT entity_pk, substr(rest, instr(rest, ' ') + 1) FROM suffixes WHERE instr(rest, ' ') > 0
)
INSERT OR IGNORE INTO entity_words (entity_pk, word_key)
SELECT entity_pk, rest FROM suffixes WHERE rest <> '';

-- Quotes whose speaker is named but is no stored entity, by that name, in list order.
CREATE INDEX quotes_by_unresolved_speaker
    ON quotes (lower(speaker_name), published_key DESC, id) WHERE speaker_pk IS NULL;

-- The full-text indexes are filled once per batch by the writer (`index_new_rows`),
-- not by a trigger per row: FTS5 flushes its pending terms at every statement
-- savepoint, and a trigger made every insert one.
DROP TRIGGER articles_fts_insert;
DROP TRIGGER quotes_fts_insert;
