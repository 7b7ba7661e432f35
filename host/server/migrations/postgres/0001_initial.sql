-- Worklink schema, PostgreSQL dialect. migrations/sqlite/ holds the same schema; the two differ
-- only where the dialects do (identity columns, BLOB vs BYTEA). Timestamps are Unix
-- milliseconds (BIGINT) in both, so queries compare plain integers on either backend.

CREATE TABLE connections (
    name        TEXT PRIMARY KEY,
    provider    TEXT NOT NULL CHECK (provider IN ('wecom', 'dingtalk')),
    corp_id     TEXT NOT NULL,
    agent_id    BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Access tokens shared by replicas; value is AES-256-GCM ciphertext.
CREATE TABLE tokens (
    key         TEXT PRIMARY KEY,
    value       BYTEA NOT NULL,
    expires_at  BIGINT NOT NULL,
    refresh_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE departments (
    connection  TEXT NOT NULL REFERENCES connections (name) ON DELETE CASCADE,
    dept_id     TEXT NOT NULL,
    parent_id   TEXT,
    name        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (connection, dept_id)
);

CREATE TABLE users (
    connection  TEXT NOT NULL REFERENCES connections (name) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    mobile      TEXT,
    email       TEXT,
    title       TEXT,
    active      BIGINT NOT NULL DEFAULT 1,
    profile     TEXT NOT NULL DEFAULT '{}',
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (connection, user_id)
);

CREATE TABLE tags (
    connection  TEXT NOT NULL REFERENCES connections (name) ON DELETE CASCADE,
    tag_id      TEXT NOT NULL,
    name        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (connection, tag_id)
);

CREATE TABLE user_departments (
    connection  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    dept_id     TEXT NOT NULL,
    PRIMARY KEY (connection, user_id, dept_id),
    FOREIGN KEY (connection, user_id) REFERENCES users (connection, user_id) ON DELETE CASCADE
);
CREATE INDEX user_departments_by_dept ON user_departments (connection, dept_id);

CREATE TABLE user_tags (
    connection  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    tag_id      TEXT NOT NULL,
    PRIMARY KEY (connection, user_id, tag_id),
    FOREIGN KEY (connection, user_id) REFERENCES users (connection, user_id) ON DELETE CASCADE
);
CREATE INDEX user_tags_by_tag ON user_tags (connection, tag_id);

-- ERP employee <-> provider user, one to one within a connection.
CREATE TABLE bindings (
    connection       TEXT NOT NULL REFERENCES connections (name) ON DELETE CASCADE,
    erp_employee_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    matched_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (connection, erp_employee_id),
    UNIQUE (connection, user_id)
);

CREATE TABLE inbox_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       TEXT NOT NULL,
    dedup_key    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    payload      TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    matched_at   BIGINT,
    UNIQUE (source, dedup_key)
);
CREATE INDEX inbox_events_unmatched ON inbox_events (received_at) WHERE matched_at IS NULL;

CREATE TABLE rules (
    id                  TEXT PRIMARY KEY,
    enabled             BIGINT NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    current_version_id  BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

-- Immutable snapshots: rows are inserted, never updated; executions point at one.
CREATE TABLE rule_versions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id       TEXT NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    version       BIGINT NOT NULL,
    content_hash  TEXT NOT NULL,
    content       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (rule_id, version),
    UNIQUE (rule_id, content_hash)
);

CREATE TABLE executions (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_version_id    BIGINT NOT NULL REFERENCES rule_versions (id),
    event_id           BIGINT NOT NULL REFERENCES inbox_events (id),
    status             TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'skipped')),
    attempts           BIGINT NOT NULL DEFAULT 0,
    next_attempt_at    BIGINT NOT NULL,
    claimed_by         TEXT,
    claimed_until      BIGINT,
    replay_of          BIGINT REFERENCES executions (id),
    started_at         BIGINT,
    finished_at        BIGINT,
    duration_ms        BIGINT,
    fuel_used          BIGINT,
    memory_peak_bytes  BIGINT,
    logs               TEXT NOT NULL DEFAULT '',
    effects            TEXT NOT NULL DEFAULT '[]',
    error              TEXT,
    created_at         BIGINT NOT NULL
);
-- One execution per rule version and event, except replays.
CREATE UNIQUE INDEX executions_once ON executions (rule_version_id, event_id) WHERE replay_of IS NULL;
CREATE INDEX executions_claimable ON executions (status, next_attempt_at);

-- Staged effects committed with their execution; delivered by the outbox relay.
-- status 'dead' is the dead letter.
CREATE TABLE outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id     BIGINT NOT NULL REFERENCES executions (id),
    idempotency_key  TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    claimed_by       TEXT,
    claimed_until    BIGINT,
    last_errcode     TEXT,
    last_error       TEXT,
    result           TEXT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT
);
CREATE INDEX outbox_claimable ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_execution ON outbox (execution_id);

CREATE TABLE kv (
    scope       TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       BYTEA NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Only the SHA-256 of each key is kept; the key itself is shown once at creation.
CREATE TABLE api_keys (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'integrator')),
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
