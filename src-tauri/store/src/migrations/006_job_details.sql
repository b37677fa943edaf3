-- Job details (issue 13): the description as sanitised HTML (cleaned in Rust on ingest, see
-- store::write::sanitize_html) and the compensation as text, where the ATS has them.
ALTER TABLE jobs ADD COLUMN description_html TEXT;
ALTER TABLE jobs ADD COLUMN compensation TEXT;
