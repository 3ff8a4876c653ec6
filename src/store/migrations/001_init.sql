-- quotewire schema, version 1: articles, quotes, entities and their links.
-- Public ids are opaque strings; integer `pk`s never leave the store.

CREATE TABLE articles (
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    url           TEXT,
    url_key       TEXT UNIQUE,               -- normalised URL, for the duplicate rule
    body_hash     TEXT NOT NULL,             -- hash of the whitespace-normalised body
    source        TEXT,
    title         TEXT,
    byline        TEXT,
    published     TEXT,                      -- as stated: ISO date or RFC 3339
    published_key TEXT NOT NULL DEFAULT '',  -- sortable UTC form; '' when unknown (sorts last)
    provenance    TEXT NOT NULL DEFAULT '{}',-- JSON: where each metadata field came from
    body          TEXT NOT NULL,
    ingested_at   TEXT NOT NULL,
    quote_count   INTEGER NOT NULL DEFAULT 0,
    entity_count  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_by_published ON articles (published_key DESC, id DESC);
CREATE INDEX articles_by_body_hash ON articles (body_hash);
CREATE INDEX articles_by_source ON articles (source, published_key DESC, id DESC);
CREATE INDEX articles_by_byline ON articles (byline, published_key DESC, id DESC);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content = 'articles', content_rowid = 'pk', tokenize = 'porter unicode61'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.pk, coalesce(new.title, ''), new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', old.pk, coalesce(old.title, ''), old.body);
END;

CREATE TABLE entities (
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,      -- 'e_' + hash of (type, name_key): stable across databases
    type          TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,             -- normalised canonical name
    article_count INTEGER NOT NULL DEFAULT 0,
    mention_count INTEGER NOT NULL DEFAULT 0,
    quote_count   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type, name_key)
);
CREATE INDEX entities_by_name ON entities (name_key, id);
CREATE INDEX entities_by_mentions ON entities (mention_count DESC, id);

CREATE TABLE entity_aliases (
    entity_pk INTEGER NOT NULL REFERENCES entities (pk) ON DELETE CASCADE,
    alias_key TEXT NOT NULL,
    alias     TEXT NOT NULL,
    PRIMARY KEY (entity_pk, alias_key)
) WITHOUT ROWID;
CREATE INDEX entity_aliases_by_key ON entity_aliases (alias_key);

CREATE TABLE entity_roles (
    entity_pk INTEGER NOT NULL REFERENCES entities (pk) ON DELETE CASCADE,
    role_key  TEXT NOT NULL,
    role      TEXT NOT NULL,
    PRIMARY KEY (entity_pk, role_key)
) WITHOUT ROWID;

-- One row per (article, entity): the entity's mention count in that article.
CREATE TABLE article_entities (
    article_pk    INTEGER NOT NULL REFERENCES articles (pk) ON DELETE CASCADE,
    entity_pk     INTEGER NOT NULL REFERENCES entities (pk) ON DELETE CASCADE,
    mention_count INTEGER NOT NULL,
    published_key TEXT NOT NULL,             -- copied from the article for keyset pages
    PRIMARY KEY (article_pk, entity_pk)
) WITHOUT ROWID;
CREATE INDEX article_entities_by_entity ON article_entities (entity_pk, published_key DESC, article_pk);

CREATE TABLE mentions (
    article_pk INTEGER NOT NULL REFERENCES articles (pk) ON DELETE CASCADE,
    entity_pk  INTEGER NOT NULL REFERENCES entities (pk) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    PRIMARY KEY (article_pk, start, end, entity_pk)
) WITHOUT ROWID;
CREATE INDEX mentions_by_entity ON mentions (entity_pk, article_pk);

CREATE TABLE quotes (
    pk                INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    article_pk        INTEGER NOT NULL REFERENCES articles (pk) ON DELETE CASCADE,
    ordinal           INTEGER NOT NULL,      -- position in the article
    published_key     TEXT NOT NULL,         -- copied from the article for keyset pages
    text              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('direct', 'partial', 'term')),
    speaker_pk        INTEGER REFERENCES entities (pk) ON DELETE SET NULL,
    speaker_name      TEXT,
    speaker_start     INTEGER,
    speaker_end       INTEGER,
    cue               TEXT,
    cue_start         INTEGER,
    cue_end           INTEGER,
    span_start        INTEGER NOT NULL,
    span_end          INTEGER NOT NULL,
    sentence_start    INTEGER NOT NULL,
    sentence_end      INTEGER NOT NULL
);
CREATE INDEX quotes_by_article ON quotes (article_pk, ordinal);
-- Quotes list newest article first, then in id order (ids rise through an article).
CREATE INDEX quotes_by_published ON quotes (published_key DESC, id);
CREATE INDEX quotes_by_speaker ON quotes (speaker_pk, published_key DESC, id);

CREATE VIRTUAL TABLE quotes_fts USING fts5(
    text, content = 'quotes', content_rowid = 'pk', tokenize = 'porter unicode61'
);
CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_fts (rowid, text) VALUES (new.pk, new.text);
END;
CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_fts (quotes_fts, rowid, text) VALUES ('delete', old.pk, old.text);
END;
