-- Schema 14: what writing a talent costs beyond its own row.
--
-- A talent's e-mails and phones are keyed by (talent_id, position) alone. As rowid tables with
-- that primary key, each row went into two B-trees (the table and the key's own index), one of
-- them holding the same columns again; WITHOUT ROWID it is one. Same rows, same order, same
-- lookups (every read is by talent_id, in position order).
CREATE TABLE talent_emails_new (
    talent_id     INTEGER NOT NULL REFERENCES talents(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    email         TEXT NOT NULL,
    PRIMARY KEY (talent_id, position)
) WITHOUT ROWID;
INSERT INTO talent_emails_new (talent_id, position, email) SELECT talent_id, position, email FROM talent_emails;
DROP TABLE talent_emails;
ALTER TABLE talent_emails_new RENAME TO talent_emails;

CREATE TABLE talent_phones_new (
    talent_id     INTEGER NOT NULL REFERENCES talents(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    phone         TEXT NOT NULL,
    PRIMARY KEY (talent_id, position)
) WITHOUT ROWID;
INSERT INTO talent_phones_new (talent_id, position, phone) SELECT talent_id, position, phone FROM talent_phones;
DROP TABLE talent_phones;
ALTER TABLE talent_phones_new RENAME TO talent_phones;

-- The search index merges its segments 16 at a time instead of 4. Each commit that writes talents
-- adds a segment, and FTS5 merges a level's segments into one once the level holds `automerge`
-- of them: with 4 it rewrote the same trigrams level after level, and those merges were a tenth
-- of a 100,000-talent full sync's instructions (callgrind; half of that with 16). A
-- search looks a trigram up in each segment: that sync left 13 segments with 4, 8 with 16.
INSERT INTO talent_search (talent_search, rank) VALUES ('automerge', 16);
