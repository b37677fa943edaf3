-- Schema 16: the talent search index keeps no copy of the text it indexes, and holds more
-- before it writes a segment.
--
-- Search only ever asks the index for rowids (the talents are read from their own tables), so
-- the copy of every talent's name, e-mails, company, title, tags and resume that FTS5 kept in
-- its content table was written and never read: a B-tree insert per talent, 1.3 % of a
-- 100,000-talent full sync's instructions (callgrind). Contentless with deletes: a changed
-- talent's old row is dropped by rowid, as before. Same tokenizer, same index, same matches.
DROP TABLE talent_search;
CREATE VIRTUAL TABLE talent_search USING fts5 (
    name, emails, company, title, tags, resume,
    tokenize = 'trigram remove_diacritics 1',
    content = '', contentless_delete = 1
);
-- As schema 14 set it: segments are merged 16 at a time.
INSERT INTO talent_search (talent_search, rank) VALUES ('automerge', 16);
-- FTS5 writes what it holds in memory to a new segment at each commit and whenever it holds more
-- than `hashsize` bytes (1 MiB by default). A sync then committed up to 16 pages at once (64
-- since), a few MiB of terms: with the default, a 100,000-talent full sync wrote 68 segments in 43
-- commits, and merging them was 7 % of its instructions. With 8 MiB a commit makes one segment
-- (still so with 64 pages: 12 commits of talents, 12 segments); merges and flushes fell by 0.8 G
-- of 44 G instructions.
INSERT INTO talent_search (talent_search, rank) VALUES ('hashsize', 8388608);

-- A contentless index cannot change one column of a row (it does not know the others): a talent
-- whose resume text changes has its whole row written again.
DROP TRIGGER talent_resume_text_changed;
CREATE TRIGGER talent_resume_text_changed AFTER UPDATE OF resume_text ON talents
WHEN new.resume_text IS NOT old.resume_text BEGIN
    DELETE FROM talent_search WHERE rowid = new.id;
    INSERT INTO talent_search (rowid, name, emails, company, title, tags, resume)
    SELECT new.id, new.name,
           COALESCE((SELECT group_concat(email, ' ') FROM talent_emails e WHERE e.talent_id = new.id), ''),
           COALESCE(new.company, ''), COALESCE(new.title, ''),
           COALESCE((SELECT group_concat(value, ' ') FROM json_each(new.tags)), ''),
           COALESCE(new.resume_text, '');
END;

INSERT INTO talent_search (rowid, name, emails, company, title, tags, resume)
SELECT t.id, t.name,
       COALESCE((SELECT group_concat(email, ' ') FROM talent_emails e WHERE e.talent_id = t.id), ''),
       COALESCE(t.company, ''), COALESCE(t.title, ''),
       COALESCE((SELECT group_concat(value, ' ') FROM json_each(t.tags)), ''),
       COALESCE(t.resume_text, '')
FROM talents t ORDER BY t.id;
