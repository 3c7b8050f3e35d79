-- Bops: artists' short vertical videos (SPEC BOP-1, BOP-2). A Bop is uploaded, then
-- processed by a job (probe, HLS renditions, poster) and is shown only once ready.
-- Deleting is soft: the Bop disappears everywhere, what it earned stays in the ledger.
CREATE TABLE bops (
    id                INTEGER PRIMARY KEY,
    artist_id         INTEGER NOT NULL REFERENCES users (id),
    caption           TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL CHECK (state IN ('processing', 'ready', 'failed')),
    -- Percent of the transcode done, while processing.
    progress          INTEGER NOT NULL DEFAULT 0,
    -- For the artist, when processing failed.
    failure           TEXT,
    -- Processing attempts started (the job retries; the last failure is told).
    attempts          INTEGER NOT NULL DEFAULT 0,
    original_key      TEXT    NOT NULL,
    original_bytes    INTEGER NOT NULL,
    duration_ms       INTEGER,
    width             INTEGER,
    height            INTEGER,
    -- The HLS master playlist and the poster (WebP), under /media.
    playlist_key      TEXT,
    poster_key        TEXT,
    created_at        INTEGER NOT NULL,
    published_at      INTEGER,
    deleted_at        INTEGER
);
CREATE INDEX bops_artist_idx ON bops (artist_id, created_at);
CREATE INDEX bops_feed_idx ON bops (published_at, id) WHERE state = 'ready' AND deleted_at IS NULL;
