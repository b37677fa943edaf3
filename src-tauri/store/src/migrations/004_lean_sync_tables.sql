-- Schema 4: leaner tables for what a full sync writes most.
-- No query looks a talent up by e-mail address (search goes through talent_search), so this
-- index only cost a B-tree insert per address.
DROP INDEX talent_emails_email;

-- Stage history is keyed by its natural key: one B-tree per row instead of a table plus a
-- unique index holding the same columns again.
CREATE TABLE stage_history_new (
    connection_id         INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    application_remote_id TEXT NOT NULL,
    stage_remote_id       TEXT NOT NULL,
    stage_name            TEXT,
    entered_at            TEXT NOT NULL,
    exited_at             TEXT,
    PRIMARY KEY (connection_id, application_remote_id, stage_remote_id, entered_at)
) WITHOUT ROWID;
INSERT INTO stage_history_new (connection_id, application_remote_id, stage_remote_id, stage_name, entered_at, exited_at)
SELECT connection_id, application_remote_id, stage_remote_id, stage_name, entered_at, exited_at FROM stage_history;
DROP TABLE stage_history;
ALTER TABLE stage_history_new RENAME TO stage_history;
