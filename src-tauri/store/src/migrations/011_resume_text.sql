-- Resume text for search (issue 13). The text of each downloaded PDF, extracted by a bounded
-- child process (core's sync::text), is kept on its file; a talent's `resume_text` is the text
-- of all their files (resumes first, newest first, at most 200,000 characters) and feeds the
-- `resume` column of the full-text index. Triggers keep both in step with every path that
-- changes or deletes a file (a sync, a file list re-read, a purge), so no writer can forget.
ALTER TABLE attachments ADD COLUMN extracted_text TEXT;
-- When the downloaded copy was read (NULL: still to read); reset when a new copy is saved.
ALTER TABLE attachments ADD COLUMN text_read_at TEXT;
-- Why the copy's text could not be read (not a PDF, too large, timed out); not retried until
-- a new copy is downloaded.
ALTER TABLE attachments ADD COLUMN text_error TEXT;
-- The file step reads the due copies of one connection.
CREATE INDEX attachments_text_due ON attachments (connection_id) WHERE local_path IS NOT NULL AND text_read_at IS NULL;

CREATE TRIGGER attachment_text_changed AFTER UPDATE OF extracted_text ON attachments
WHEN new.extracted_text IS NOT old.extracted_text BEGIN
    UPDATE talents SET resume_text = (
        SELECT substr(group_concat(a.extracted_text, char(10) ORDER BY a.kind <> 'resume', a.updated_at DESC, a.id), 1, 200000)
        FROM attachments a
        WHERE a.connection_id = new.connection_id AND a.talent_remote_id = new.talent_remote_id AND a.extracted_text IS NOT NULL)
    WHERE connection_id = new.connection_id AND remote_id = new.talent_remote_id;
END;

CREATE TRIGGER attachment_text_deleted AFTER DELETE ON attachments
WHEN old.extracted_text IS NOT NULL BEGIN
    UPDATE talents SET resume_text = (
        SELECT substr(group_concat(a.extracted_text, char(10) ORDER BY a.kind <> 'resume', a.updated_at DESC, a.id), 1, 200000)
        FROM attachments a
        WHERE a.connection_id = old.connection_id AND a.talent_remote_id = old.talent_remote_id AND a.extracted_text IS NOT NULL)
    WHERE connection_id = old.connection_id AND remote_id = old.talent_remote_id;
END;

CREATE TRIGGER talent_resume_text_changed AFTER UPDATE OF resume_text ON talents
WHEN new.resume_text IS NOT old.resume_text BEGIN
    UPDATE talent_search SET resume = COALESCE(new.resume_text, '') WHERE rowid = new.id;
END;
