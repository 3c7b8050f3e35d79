-- Durable jobs (SPEC JOB-1). Finished jobs are deleted; dead ones stay for the operator.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT     NOT NULL,
    payload       TEXT     NOT NULL,
    priority      INTEGER NOT NULL DEFAULT 0,
    state         TEXT     NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'dead')),
    run_at        INTEGER   NOT NULL,
    attempts      INTEGER  NOT NULL DEFAULT 0,
    max_attempts  INTEGER  NOT NULL,
    lease_token   TEXT,
    lease_until   INTEGER,
    last_error    TEXT,
    dedupe_key    TEXT,
    created_at    INTEGER   NOT NULL,
    updated_at    INTEGER   NOT NULL
);
-- The claim scans due jobs in this order.
CREATE INDEX jobs_queue_idx ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
-- Expired leases are found here.
CREATE INDEX jobs_lease_idx ON jobs (lease_until) WHERE state = 'running';
-- One unfinished job per dedupe key.
CREATE UNIQUE INDEX jobs_dedupe_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX jobs_dead_idx ON jobs (updated_at) WHERE state = 'dead';

-- Cron schedules: each tick is claimed by compare-and-set on next_run_at, so exactly
-- one node enqueues it.
CREATE TABLE cron_schedules (
    name          TEXT     PRIMARY KEY,
    expression    TEXT     NOT NULL,
    kind          TEXT     NOT NULL,
    payload       TEXT     NOT NULL,
    max_attempts  INTEGER  NOT NULL DEFAULT 5,
    enabled       BOOLEAN  NOT NULL DEFAULT TRUE,
    next_run_at   INTEGER   NOT NULL,
    last_run_at   INTEGER,
    created_at    INTEGER   NOT NULL,
    updated_at    INTEGER   NOT NULL
);
