-- Schema 2: full-text search over talents. Trigram tokens match any fragment of three or more
-- characters (a piece of a name or of an email), with diacritics folded so "Müller" is found
-- by "muller". The store rewrites a talent's row whenever it writes the talent.
CREATE VIRTUAL TABLE talent_search USING fts5 (
    name, emails, company, title, tags, resume,
    tokenize = 'trigram remove_diacritics 1'
);

-- Backfill talents stored under schema 1.
INSERT INTO talent_search (rowid, name, emails, company, title, tags, resume)
SELECT t.id, t.name,
       COALESCE((SELECT group_concat(email, ' ') FROM talent_emails e WHERE e.talent_id = t.id), ''),
       COALESCE(t.company, ''), COALESCE(t.title, ''),
       COALESCE((SELECT group_concat(value, ' ') FROM json_each(t.tags)), ''),
       COALESCE(t.resume_text, '')
FROM talents t;

CREATE TRIGGER talent_search_delete AFTER DELETE ON talents BEGIN
    DELETE FROM talent_search WHERE rowid = old.id;
END;
