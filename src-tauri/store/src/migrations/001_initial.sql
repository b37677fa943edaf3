-- Talentdeck's local store, schema 1: connections, the normalized ATS model, Talentdeck's own
-- pipeline, and the bookkeeping of sync (runs, cursors, log) and of pushes (outbox).
-- Remote records are keyed by (connection_id, remote_id); references between them use remote
-- ids, because resources arrive in any order and a page must never wait for its parent.

CREATE TABLE connections (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    provider      TEXT NOT NULL CHECK (provider IN ('greenhouse', 'lever', 'ashby')),
    base_url      TEXT NOT NULL,
    auth_url      TEXT,
    settings      TEXT NOT NULL DEFAULT '{}',   -- non-secret settings only (client id, user id)
    state         TEXT NOT NULL DEFAULT 'connected',
    state_reason  TEXT,
    sandbox       INTEGER NOT NULL DEFAULT 0,
    sync_interval_minutes INTEGER NOT NULL DEFAULT 15,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     TEXT NOT NULL,
    title         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'closed', 'draft', 'archived')),
    department    TEXT,
    location      TEXT,
    updated_at    TEXT NOT NULL,
    extra         TEXT NOT NULL DEFAULT '{}',
    synced_at     TEXT NOT NULL,
    UNIQUE (connection_id, remote_id)
);

CREATE TABLE job_stages (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     TEXT NOT NULL,
    job_remote_id TEXT,                       -- NULL: an account-wide pipeline (Lever)
    name          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    synced_at     TEXT NOT NULL,
    UNIQUE (connection_id, remote_id)
);
CREATE INDEX job_stages_job ON job_stages (connection_id, job_remote_id, position);

CREATE TABLE talents (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    first_name    TEXT,
    last_name     TEXT,
    company       TEXT,
    title         TEXT,
    tags          TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    resume_text   TEXT,
    updated_at    TEXT NOT NULL,
    extra         TEXT NOT NULL DEFAULT '{}',
    synced_at     TEXT NOT NULL,
    remote_deleted_at TEXT,                   -- deleted in the ATS while local changes were pending
    UNIQUE (connection_id, remote_id)
);
CREATE INDEX talents_name ON talents (connection_id, name COLLATE NOCASE);

CREATE TABLE talent_emails (
    talent_id     INTEGER NOT NULL REFERENCES talents(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    email         TEXT NOT NULL,
    PRIMARY KEY (talent_id, position)
);
CREATE INDEX talent_emails_email ON talent_emails (email COLLATE NOCASE);

CREATE TABLE talent_phones (
    talent_id     INTEGER NOT NULL REFERENCES talents(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    phone         TEXT NOT NULL,
    PRIMARY KEY (talent_id, position)
);

CREATE TABLE applications (
    id               INTEGER PRIMARY KEY,
    connection_id    INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id        TEXT NOT NULL,
    talent_remote_id TEXT NOT NULL,
    job_remote_id    TEXT,                    -- NULL: a prospect
    stage_remote_id  TEXT,
    stage_name       TEXT,
    status           TEXT NOT NULL CHECK (status IN ('active', 'rejected', 'hired')),
    updated_at       TEXT NOT NULL,
    extra            TEXT NOT NULL DEFAULT '{}',
    synced_at        TEXT NOT NULL,
    remote_deleted_at TEXT,
    UNIQUE (connection_id, remote_id)
);
CREATE INDEX applications_talent ON applications (connection_id, talent_remote_id);
CREATE INDEX applications_job ON applications (connection_id, job_remote_id, stage_remote_id);

CREATE TABLE stage_history (
    id                    INTEGER PRIMARY KEY,
    connection_id         INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    application_remote_id TEXT NOT NULL,
    stage_remote_id       TEXT NOT NULL,
    stage_name            TEXT,
    entered_at            TEXT NOT NULL,
    exited_at             TEXT,
    UNIQUE (connection_id, application_remote_id, stage_remote_id, entered_at)
);

CREATE TABLE attachments (
    id                    INTEGER PRIMARY KEY,
    connection_id         INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id             TEXT NOT NULL,
    talent_remote_id      TEXT NOT NULL,
    application_remote_id TEXT,
    filename              TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    url                   TEXT,
    updated_at            TEXT,
    local_path            TEXT,             -- set once the bytes are downloaded into the data folder
    size_bytes            INTEGER,
    downloaded_at         TEXT,
    synced_at             TEXT NOT NULL,
    UNIQUE (connection_id, remote_id)
);
CREATE INDEX attachments_talent ON attachments (connection_id, talent_remote_id);

-- Talentdeck's own pipeline, and how each ATS stage maps onto it (the mapping editor).
CREATE TABLE pipeline_stages (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    position  INTEGER NOT NULL,
    kind      TEXT NOT NULL DEFAULT 'active' CHECK (kind IN ('active', 'rejected', 'hired'))
);
INSERT INTO pipeline_stages (name, position, kind) VALUES
    ('Sourced', 0, 'active'), ('Screen', 1, 'active'), ('Interview', 2, 'active'),
    ('Offer', 3, 'active'), ('Hired', 4, 'hired'), ('Rejected', 5, 'rejected');

CREATE TABLE stage_mappings (
    id                INTEGER PRIMARY KEY,
    connection_id     INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    stage_remote_id   TEXT NOT NULL,
    pipeline_stage_id INTEGER NOT NULL REFERENCES pipeline_stages(id) ON DELETE CASCADE,
    updated_at        TEXT NOT NULL,
    UNIQUE (connection_id, stage_remote_id)
);

-- Sync bookkeeping.
CREATE TABLE sync_runs (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
    trigger        TEXT NOT NULL DEFAULT 'manual',
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    state          TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'warnings', 'failed', 'interrupted')),
    requests       INTEGER NOT NULL DEFAULT 0,
    rate_limited   INTEGER NOT NULL DEFAULT 0,
    error_code     TEXT,
    error          TEXT
);
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, started_at);

CREATE TABLE sync_run_resources (
    run_id    INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    resource  TEXT NOT NULL,
    state     TEXT NOT NULL DEFAULT 'running',
    pages     INTEGER NOT NULL DEFAULT 0,
    created   INTEGER NOT NULL DEFAULT 0,
    updated   INTEGER NOT NULL DEFAULT 0,
    deleted   INTEGER NOT NULL DEFAULT 0,
    skipped   INTEGER NOT NULL DEFAULT 0,
    error     TEXT,
    PRIMARY KEY (run_id, resource)
);

CREATE TABLE sync_cursors (
    connection_id  INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    resource       TEXT NOT NULL,
    cursor         TEXT,          -- incremental cursor after the last complete pass (time or token)
    page_cursor    TEXT,          -- where an interrupted pass resumes (next page), NULL when complete
    pass_started_at TEXT,         -- start of the pass page_cursor belongs to
    last_full_at   TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (connection_id, resource)
);

CREATE TABLE sync_log (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER REFERENCES connections(id) ON DELETE CASCADE,
    run_id         INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL,
    at             TEXT NOT NULL,
    level          TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
    message        TEXT NOT NULL,
    detail         TEXT
);
CREATE INDEX sync_log_connection ON sync_log (connection_id, id);

-- Local changes waiting to be pushed to the ATS, as intents ("move X from A to B").
CREATE TABLE outbox (
    id                    INTEGER PRIMARY KEY,
    connection_id         INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    kind                  TEXT NOT NULL,
    application_remote_id TEXT,
    payload               TEXT NOT NULL,
    state                 TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'conflict', 'failed')),
    attempts              INTEGER NOT NULL DEFAULT 0,
    last_error            TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (connection_id, state);
