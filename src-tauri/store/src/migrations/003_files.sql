-- Schema 3: resume files in the data folder.
-- Why the last download of a file failed (too large, gone from the ATS). A failed file is not
-- retried until the ATS reports a new version of it; the recruiter sees the reason.
ALTER TABLE attachments ADD COLUMN download_error TEXT;
-- Providers that list files per application (Lever: per opportunity) are asked lazily; this is
-- when the application's file list was last read (NULL: never), so a changed one is re-read.
ALTER TABLE applications ADD COLUMN files_checked_at TEXT;
-- The background step fetches files for the most recently updated talents first.
CREATE INDEX attachments_pending ON attachments (connection_id) WHERE local_path IS NULL AND download_error IS NULL;
