-- Duplicate detection (issue 13). Each talent's match keys (normalised e-mail, E.164 phone, and
-- the weak name+company), rewritten by the store whenever it writes the talent; the recruiter's
-- decisions about pairs; and records linked locally as one person (never merged in the ATS).

CREATE TABLE talent_match_keys (
    talent_id  INTEGER NOT NULL REFERENCES talents(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'name_company')),
    key        TEXT NOT NULL,
    PRIMARY KEY (talent_id, kind, key)
) WITHOUT ROWID;
-- Finding the other talents with a key is one index range.
CREATE INDEX talent_match_keys_key ON talent_match_keys (kind, key, talent_id);

-- "Not a duplicate", remembered per pair (talent_a < talent_b).
CREATE TABLE duplicate_dismissals (
    talent_a   INTEGER NOT NULL REFERENCES talents(id) ON DELETE CASCADE,
    talent_b   INTEGER NOT NULL REFERENCES talents(id) ON DELETE CASCADE,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (talent_a, talent_b),
    CHECK (talent_a < talent_b)
) WITHOUT ROWID;
CREATE INDEX duplicate_dismissals_b ON duplicate_dismissals (talent_b);

-- "Same person": records sharing a person_id are shown as one person (a label, not a talent).
CREATE TABLE talent_links (
    talent_id  INTEGER PRIMARY KEY REFERENCES talents(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL,
    linked_at  TEXT NOT NULL
);
CREATE INDEX talent_links_person ON talent_links (person_id);

-- Talents stored before this schema get their keys when the store next opens (phone numbers are
-- parsed in Rust, not in SQL): this queue says which.
CREATE TABLE talent_match_backfill (talent_id INTEGER PRIMARY KEY);
INSERT INTO talent_match_backfill (talent_id) SELECT id FROM talents;
