-- Two-way sync: the ATS's stage types and rejection reasons, stage mappings keyed by ATS stage
-- name (set once per connection, overridable per job) with their edit history, and the outbox
-- rows as typed columns instead of an opaque payload.

ALTER TABLE job_stages ADD COLUMN ats_type TEXT;

CREATE TABLE rejection_reasons (
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    synced_at     TEXT NOT NULL,
    PRIMARY KEY (connection_id, remote_id)
) WITHOUT ROWID;

-- The schema-1 table keyed mappings by stage id, which differs per job in Greenhouse and
-- Ashby even where the names are the same; nothing ever wrote to it.
DROP TABLE stage_mappings;
CREATE TABLE stage_mappings (
    connection_id     INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    -- '' for the connection-wide mapping of this stage name, else an override for one job.
    job_remote_id     TEXT NOT NULL DEFAULT '',
    stage_name        TEXT NOT NULL COLLATE NOCASE,
    pipeline_stage_id INTEGER NOT NULL REFERENCES pipeline_stages(id),
    -- 1 while the mapping is Talentdeck's suggestion that no recruiter has confirmed or edited.
    suggested         INTEGER NOT NULL DEFAULT 0,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (connection_id, job_remote_id, stage_name)
) WITHOUT ROWID;

-- Every change to a mapping (who, when, before and after), newest last; undo replays `before`.
CREATE TABLE mapping_edits (
    id                INTEGER PRIMARY KEY,
    connection_id     INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    job_remote_id     TEXT NOT NULL,
    stage_name        TEXT NOT NULL,
    before_stage_id   INTEGER,          -- NULL: was unmapped
    before_suggested  INTEGER NOT NULL DEFAULT 0,
    after_stage_id    INTEGER,          -- NULL: unmapped
    after_suggested   INTEGER NOT NULL DEFAULT 0,
    by                TEXT NOT NULL,
    at                TEXT NOT NULL,
    undone            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mapping_edits_connection ON mapping_edits (connection_id, id);

-- The outbox: `kind` move | reject | note. `from_stage` is the stage the recruiter saw (the
-- stale-view guard), `ats_stage` what the ATS held when a conflict was found.
ALTER TABLE outbox ADD COLUMN talent_remote_id TEXT;
ALTER TABLE outbox ADD COLUMN from_stage TEXT;
ALTER TABLE outbox ADD COLUMN to_stage TEXT;
ALTER TABLE outbox ADD COLUMN reason TEXT;
ALTER TABLE outbox ADD COLUMN body TEXT;
ALTER TABLE outbox ADD COLUMN ats_stage TEXT;
ALTER TABLE outbox ADD COLUMN sent_at TEXT;
-- While a push is sending a row (another process must not send it too); a crashed push's lease
-- simply runs out, and the next push re-reads before writing because attempts > 0.
ALTER TABLE outbox ADD COLUMN lease_until TEXT;
CREATE INDEX outbox_application ON outbox (connection_id, application_remote_id, id);
