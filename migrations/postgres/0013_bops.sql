-- Bops: artists' short vertical videos (SPEC BOP-1, BOP-2). A Bop is uploaded, then
-- processed by a job (probe, HLS renditions, poster) and is shown only once ready.
-- Deleting is soft: the Bop disappears everywhere, what it earned stays in the ledger.
CREATE TABLE bops (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id         BIGINT  NOT NULL REFERENCES users (id),
    caption           TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL CHECK (state IN ('processing', 'ready', 'failed')),
    -- Percent of the transcode done, while processing.
    progress          BIGINT  NOT NULL DEFAULT 0,
    -- For the artist, when processing failed.
    failure           TEXT,
    -- Processing attempts started (the job retries; the last failure is told).
    attempts          BIGINT  NOT NULL DEFAULT 0,
    original_key      TEXT    NOT NULL,
    original_bytes    BIGINT  NOT NULL,
    duration_ms       BIGINT,
    width             BIGINT,
    height            BIGINT,
    -- The HLS master playlist and the poster (WebP), under /media.
    playlist_key      TEXT,
    poster_key        TEXT,
    created_at        BIGINT  NOT NULL,
    published_at      BIGINT,
    deleted_at        BIGINT
);
CREATE INDEX bops_artist_idx ON bops (artist_id, created_at);
CREATE INDEX bops_feed_idx ON bops (published_at, id) WHERE state = 'ready' AND deleted_at IS NULL;
