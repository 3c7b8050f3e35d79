-- Platform events (SPEC JOB-2), append-only, and the in-app notifications made from them.
CREATE TABLE platform_events (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  INTEGER  NOT NULL
);
CREATE INDEX platform_events_name_idx ON platform_events (name, id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id    INTEGER  REFERENCES platform_events (id),
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    link        TEXT,
    read_at     INTEGER,
    created_at  INTEGER  NOT NULL,
    deleted_at  INTEGER
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
-- One notification per event and recipient, however often delivery runs.
CREATE UNIQUE INDEX notifications_event_user_key ON notifications (event_id, user_id) WHERE event_id IS NOT NULL;
