-- Music (SPEC MUS-1): tracks and the releases that gather them. Owned by
-- src/music/service.rs. A track is uploaded, then processed by a job (probe, the AAC
-- stream, waveform peaks); it is heard once its release is published and its release
-- day has come. Deleting is soft: what a track earned stays in the ledger.
CREATE TABLE releases (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id     BIGINT NOT NULL REFERENCES users (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('single', 'ep', 'album')),
    title         TEXT    NOT NULL,
    -- In the release's address, /@handle/releases/{slug}; unique per artist.
    slug          TEXT    NOT NULL,
    genre         TEXT    NOT NULL DEFAULT '',
    -- UPC-A or EAN-13 digits, check digit verified.
    upc           TEXT,
    artwork_key   TEXT,
    -- The day it comes out (UTC midnight, unix ms); published before it, a pre-release.
    release_at    BIGINT  NOT NULL,
    -- Set when the artist publishes; until then only they see it.
    published_at  BIGINT,
    created_at    BIGINT  NOT NULL,
    deleted_at    BIGINT
);
CREATE UNIQUE INDEX releases_artist_slug ON releases (artist_id, slug) WHERE deleted_at IS NULL;
CREATE INDEX releases_out ON releases (release_at DESC, id DESC)
    WHERE published_at IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE tracks (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id       BIGINT NOT NULL REFERENCES users (id),
    -- The release it is on (NULL until the artist puts it on one), and where.
    release_id      BIGINT REFERENCES releases (id),
    position        BIGINT NOT NULL DEFAULT 0,
    title           TEXT    NOT NULL,
    -- 12 characters, upper case, no hyphens.
    isrc            TEXT,
    state           TEXT    NOT NULL CHECK (state IN ('processing', 'ready', 'failed')),
    progress        BIGINT NOT NULL DEFAULT 0,
    failure         TEXT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    original_key    TEXT    NOT NULL,
    original_bytes  BIGINT NOT NULL,
    -- What ffprobe read from the original.
    codec           TEXT,
    sample_rate     BIGINT,
    channels        BIGINT,
    duration_ms     BIGINT,
    -- The streaming rendition: AAC-LC in an .m4a, index first, under /media.
    stream_key      TEXT,
    -- The waveform: a JSON array of about 1,000 peaks, 0 to 255.
    peaks           TEXT,
    created_at      BIGINT NOT NULL,
    deleted_at      BIGINT
);
CREATE INDEX tracks_artist ON tracks (artist_id, created_at);
CREATE INDEX tracks_release ON tracks (release_id, position);

-- Who did what on a track (role and name, in order).
CREATE TABLE track_credits (
    track_id  BIGINT NOT NULL REFERENCES tracks (id),
    position  BIGINT NOT NULL,
    role      TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    PRIMARY KEY (track_id, position)
);
