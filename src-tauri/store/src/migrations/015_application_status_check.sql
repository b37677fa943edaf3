-- Schema 15: an application's status is checked with = instead of IN, as the match keys' kind
-- since schema 13: for an IN list of three or more constants SQLite builds a temporary B-tree
-- each time the statement runs, so every application written opened and closed one: 2.5 G of
-- the 50 G instructions of a 100,000-talent full sync, counted with callgrind (schema 13 had
-- measured CPU time, whose noise on this machine hid it). Same columns, ids, rows and indexes.
CREATE TABLE applications_new (
    id               INTEGER PRIMARY KEY,
    connection_id    INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id        TEXT NOT NULL,
    talent_remote_id TEXT NOT NULL,
    job_remote_id    TEXT,                    -- NULL: a prospect
    stage_remote_id  TEXT,
    stage_name       TEXT,
    status           TEXT NOT NULL CHECK (status = 'active' OR status = 'rejected' OR status = 'hired'),
    updated_at       TEXT NOT NULL,
    extra            TEXT NOT NULL DEFAULT '{}',
    synced_at        TEXT NOT NULL,
    remote_deleted_at TEXT,
    files_checked_at TEXT,
    UNIQUE (connection_id, remote_id)
);
INSERT INTO applications_new (id, connection_id, remote_id, talent_remote_id, job_remote_id, stage_remote_id,
                              stage_name, status, updated_at, extra, synced_at, remote_deleted_at, files_checked_at)
    SELECT id, connection_id, remote_id, talent_remote_id, job_remote_id, stage_remote_id,
           stage_name, status, updated_at, extra, synced_at, remote_deleted_at, files_checked_at
    FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_talent ON applications (connection_id, talent_remote_id);
CREATE INDEX applications_job ON applications (connection_id, job_remote_id, stage_remote_id);
CREATE INDEX applications_active_by_job ON applications (connection_id, job_remote_id, status) WHERE status = 'active';
