-- Artist profiles: the single source of truth every pillar hangs off (SPEC ONB-3).
CREATE TABLE artist_profiles (
    user_id              INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    stage_name           TEXT    NOT NULL,
    bio                  TEXT    NOT NULL DEFAULT '',
    location             TEXT    NOT NULL DEFAULT '',
    genres               TEXT    NOT NULL DEFAULT '[]',
    photo_url            TEXT,
    onboarding_completed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    deleted_at           INTEGER
);
CREATE INDEX artist_profiles_listing_idx ON artist_profiles (onboarding_completed, created_at);
