-- Engagement with Bops (SPEC BOP-4, FAN-1, FAN-2, FAN-6): likes, views, comments,
-- follows, loyalty and reports. The counters on `bops` are kept by the writes that
-- change them (the uploader's own never count); tips name the Bop they came from.
ALTER TABLE bops ADD COLUMN view_count BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE bops ADD COLUMN like_count BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE bops ADD COLUMN comment_count BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE bops ADD COLUMN tip_count BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE bops ADD COLUMN tip_cents BIGINT  NOT NULL DEFAULT 0;

CREATE TABLE bop_likes (
    bop_id     BIGINT  NOT NULL REFERENCES bops (id),
    fan_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (bop_id, fan_id)
);
CREATE INDEX bop_likes_fan_idx ON bop_likes (fan_id, created_at);

-- One counted view per viewer (`u:{user}` or `d:{device}`) per Bop per UTC day.
CREATE TABLE bop_views (
    bop_id     BIGINT  NOT NULL REFERENCES bops (id),
    viewer     TEXT    NOT NULL,
    day        BIGINT  NOT NULL,
    PRIMARY KEY (bop_id, viewer, day)
);

CREATE TABLE bop_comments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bop_id     BIGINT  NOT NULL REFERENCES bops (id),
    author_id  BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT    NOT NULL,
    like_count BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX bop_comments_bop_idx ON bop_comments (bop_id, created_at);
CREATE INDEX bop_comments_author_idx ON bop_comments (author_id, created_at);

CREATE TABLE bop_comment_likes (
    comment_id BIGINT  NOT NULL REFERENCES bop_comments (id) ON DELETE CASCADE,
    fan_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (comment_id, fan_id)
);

ALTER TABLE tips ADD COLUMN bop_id BIGINT  REFERENCES bops (id);
CREATE INDEX tips_bop_idx ON tips (bop_id) WHERE bop_id IS NOT NULL;

CREATE TABLE follows (
    fan_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    artist_id  BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (fan_id, artist_id)
);
CREATE INDEX follows_artist_idx ON follows (artist_id, created_at);

-- A fan's bond with an artist, in thousandths of a point, decayed from `updated_at`.
CREATE TABLE fan_loyalty (
    fan_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    artist_id  BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    points     BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (fan_id, artist_id)
);
-- What was already credited, so a retried job credits once: an event
-- (`event:{id}`), or a fact that counts once however often it is undone and done
-- again (`like:{bop}:{fan}`).
CREATE TABLE loyalty_credits (
    credit_key TEXT    PRIMARY KEY,
    created_at BIGINT NOT NULL
);
-- Who ever followed whom: following again after unfollowing tells the artist nothing.
CREATE TABLE followed_before (
    fan_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    artist_id  BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (fan_id, artist_id)
);

-- Reports of Bops and comments, queued for an operator.
CREATE TABLE reports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reporter_id BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject     TEXT    NOT NULL CHECK (subject IN ('bop', 'comment')),
    subject_id  BIGINT  NOT NULL,
    reason      TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('open', 'dismissed', 'removed')),
    created_at  BIGINT  NOT NULL,
    resolved_at BIGINT,
    resolved_by BIGINT  REFERENCES users (id)
);
CREATE UNIQUE INDEX reports_once_key ON reports (reporter_id, subject, subject_id);
CREATE INDEX reports_open_idx ON reports (state, created_at);

-- Notifications that gather several events (new Bops from the artists a fan follows):
-- how many they stand for, and which events each recipient already has.
ALTER TABLE notifications ADD COLUMN group_count BIGINT NOT NULL DEFAULT 1;
CREATE TABLE notification_deliveries (
    event_id   BIGINT  NOT NULL REFERENCES platform_events (id),
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, user_id)
);
