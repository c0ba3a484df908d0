-- The index of the four tracepass contracts' events (`tracepass index`), one schema for SQLite
-- and PostgreSQL: TEXT and BIGINT only. Accounts are SS58, hashes and IDs 0x-hex, enums
-- snake_case; `block` and `idx` are where the event was (block number, index in the block's
-- events), so any history orders by (block, idx). Rows are written one transaction per block,
-- together with `index_cursor`.

-- Where the index is: the last block whose events are all in, on which chain, of which suite.
CREATE TABLE index_cursor (
    id BIGINT PRIMARY KEY,
    genesis_hash TEXT NOT NULL,
    contracts TEXT NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash TEXT NOT NULL
);

-- Blocks with at least one event of the suite.
CREATE TABLE blocks (
    number BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    time_ms BIGINT NOT NULL,
    events BIGINT NOT NULL
);

-- Every event of the four contracts as emitted, decoded or not (the audit log).
CREATE TABLE events (
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    contract TEXT NOT NULL,
    name TEXT NOT NULL,
    topics TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (block, idx)
);
CREATE INDEX events_by_name ON events (name, block);

CREATE TABLE members (
    account TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    scope_categories TEXT,
    scope_valid_until BIGINT,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    removed_block BIGINT
);

CREATE TABLE merchants (
    account TEXT PRIMARY KEY,
    tier TEXT NOT NULL,
    status TEXT NOT NULL,
    added_by TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    changed_block BIGINT NOT NULL
);

CREATE TABLE factories (
    id BIGINT PRIMARY KEY,
    merchant TEXT NOT NULL,
    country TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL
);
CREATE INDEX factories_by_merchant ON factories (merchant);

CREATE TABLE products (
    gtin TEXT PRIMARY KEY,
    merchant TEXT NOT NULL,
    factory BIGINT NOT NULL,
    brand TEXT NOT NULL,
    category BIGINT NOT NULL,
    origin TEXT NOT NULL,
    hs_code TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX products_by_merchant ON products (merchant);
CREATE INDEX products_by_factory ON products (factory);

-- Lots; epoch, rate and rule from sampling's LotRecorded; selected (1/0) once the epoch is final.
-- `record` columns hold the SCALE encoding (0x-hex) of what the event carried, decoded with the
-- shared types where a whole record is rebuilt (EPCIS answers).
CREATE TABLE lots (
    lot TEXT PRIMARY KEY,
    gtin TEXT NOT NULL,
    merchant TEXT NOT NULL,
    lot_number TEXT NOT NULL,
    item_count BIGINT NOT NULL,
    root TEXT NOT NULL,
    produced_on BIGINT NOT NULL,
    expires_on BIGINT NOT NULL,
    status TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    time_ms BIGINT NOT NULL,
    epoch BIGINT,
    rate_bps BIGINT,
    rule TEXT,
    selected BIGINT,
    record TEXT NOT NULL
);
CREATE INDEX lots_by_merchant ON lots (merchant, block, idx);
CREATE INDEX lots_by_gtin ON lots (gtin, block, idx);
CREATE INDEX lots_by_epoch ON lots (epoch);

CREATE TABLE trace_events (
    lot TEXT NOT NULL,
    idx_in_lot BIGINT NOT NULL,
    actor TEXT NOT NULL,
    step TEXT NOT NULL,
    event_time BIGINT NOT NULL,
    country TEXT NOT NULL,
    location TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (lot, idx_in_lot)
);
CREATE INDEX trace_events_by_position ON trace_events (block, idx);

CREATE TABLE status_changes (
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    lot TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    PRIMARY KEY (block, idx)
);
CREATE INDEX status_changes_by_lot ON status_changes (lot);

CREATE TABLE recalls (
    lot TEXT PRIMARY KEY,
    recalled_by TEXT NOT NULL,
    reason_hash TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    time_ms BIGINT NOT NULL
);

-- Attestations: kind inspection | certification | customs; lot or factory; result for inspections.
CREATE TABLE attestations (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    lot TEXT,
    factory BIGINT,
    result TEXT,
    standard TEXT,
    selected BIGINT,
    answers BIGINT,
    valid_until BIGINT,
    issued_at BIGINT NOT NULL,
    event_time BIGINT NOT NULL,
    month TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    record TEXT NOT NULL,
    revoked_by TEXT,
    revoked_reason TEXT,
    revoked_block BIGINT
);
CREATE INDEX attestations_by_issuer ON attestations (issuer, block, idx);
CREATE INDEX attestations_by_lot ON attestations (lot);

CREATE TABLE epochs (
    epoch BIGINT PRIMARY KEY,
    seed TEXT,
    skipped BIGINT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL
);

CREATE TABLE proposals (
    id BIGINT PRIMARY KEY,
    proposer TEXT NOT NULL,
    action TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    approvals BIGINT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    executed_by TEXT,
    executed_block BIGINT
);

CREATE TABLE votes (
    proposal BIGINT NOT NULL,
    governor TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    PRIMARY KEY (proposal, governor)
);

-- Sampling configuration changes: a rule set (rate) or removed (no rate), or the policy.
CREATE TABLE sampling_changes (
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    change TEXT NOT NULL,
    rule TEXT,
    rate_bps BIGINT,
    PRIMARY KEY (block, idx)
);
