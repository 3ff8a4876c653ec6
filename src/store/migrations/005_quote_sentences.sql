-- quotewire schema, version 5: each quote keeps its sentence and its speaker's words.
--
-- Both were cut from the article body at read time, so a page of quotes read up to twenty
-- whole bodies (a fifth of a speaker page's CPU); a quote now costs its own row. Spans are
-- byte offsets, hence the cuts from the body as a blob.
ALTER TABLE quotes ADD COLUMN sentence TEXT;
ALTER TABLE quotes ADD COLUMN speaker_words TEXT;
UPDATE quotes
SET sentence = CAST(substr(CAST(a.body AS BLOB), quotes.sentence_start + 1,
                           quotes.sentence_end - quotes.sentence_start) AS TEXT),
    speaker_words = CASE WHEN quotes.speaker_start IS NOT NULL
        THEN CAST(substr(CAST(a.body AS BLOB), quotes.speaker_start + 1,
                         quotes.speaker_end - quotes.speaker_start) AS TEXT) END
FROM articles AS a
WHERE a.pk = quotes.article_pk;
