-- Schema 6: the talent profile. Notes are read from the ATS when a profile opens and kept
-- here, so a profile opened offline still shows what was read last time.
CREATE TABLE talent_notes (
    connection_id    INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    talent_remote_id TEXT NOT NULL,
    remote_id        TEXT NOT NULL,
    body             TEXT NOT NULL,
    author           TEXT,
    created_at       TEXT,
    PRIMARY KEY (connection_id, talent_remote_id, remote_id)
) WITHOUT ROWID;

-- When a talent's notes were last read from the ATS (a talent with no notes has a row here
-- and none above: "read, none" differs from "never read").
CREATE TABLE talent_notes_read (
    connection_id    INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    talent_remote_id TEXT NOT NULL,
    read_at          TEXT NOT NULL,
    PRIMARY KEY (connection_id, talent_remote_id)
) WITHOUT ROWID;

-- A talent deleted by a sync takes its cached notes with it (they are keyed by remote id).
CREATE TRIGGER talent_notes_delete AFTER DELETE ON talents BEGIN
    DELETE FROM talent_notes WHERE connection_id = old.connection_id AND talent_remote_id = old.remote_id;
    DELETE FROM talent_notes_read WHERE connection_id = old.connection_id AND talent_remote_id = old.remote_id;
END;
