-- A connection's changes of state as rows (issue 10): `diagnose` used to rebuild the history by
-- parsing "from → to: reason" out of sync-log sentences, so rewording a log line broke it.
CREATE TABLE state_changes (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    run_id         INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL,
    at             TEXT NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    reason         TEXT
);
CREATE INDEX state_changes_connection ON state_changes (connection_id, id);

-- The history logged before this version, read once the old way (substr and instr count
-- characters, so ' → ' is 3 long).
WITH lines AS (
    SELECT connection_id, run_id, at, substr(message, 1, instr(message, ' → ') - 1) AS from_state,
           substr(message, instr(message, ' → ') + 3) AS rest, id
    FROM sync_log WHERE connection_id IS NOT NULL AND message GLOB '* → *'
), split AS (
    SELECT connection_id, run_id, at, from_state, id,
           CASE WHEN instr(rest, ': ') > 0 THEN substr(rest, 1, instr(rest, ': ') - 1) ELSE rest END AS to_state,
           CASE WHEN instr(rest, ': ') > 0 THEN substr(rest, instr(rest, ': ') + 2) END AS reason
    FROM lines
)
INSERT INTO state_changes (connection_id, run_id, at, from_state, to_state, reason)
SELECT connection_id, run_id, at, from_state, to_state, reason FROM split
WHERE from_state IN ('connected', 'syncing', 'needs_reconnect', 'permission_denied', 'unreachable', 'error', 'disconnected')
  AND to_state IN ('connected', 'syncing', 'needs_reconnect', 'permission_denied', 'unreachable', 'error', 'disconnected')
ORDER BY id;
