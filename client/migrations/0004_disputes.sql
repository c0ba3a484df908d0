-- Disputes of failed inspections (attestation's DisputeOpened, DisputeResolved) in the order
-- opened: `outcome` is `open` until governance decides (`released` or `hold_confirmed`). A lot
-- may be disputed again after a decision, so a dispute is keyed by where it was opened.
CREATE TABLE disputes (
    lot TEXT NOT NULL,
    failed BIGINT NOT NULL,
    opened_by TEXT NOT NULL,
    block BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    time_ms BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    retest BIGINT,
    resolved_block BIGINT,
    resolved_ms BIGINT,
    PRIMARY KEY (block, idx)
);
CREATE INDEX disputes_by_lot ON disputes (lot, outcome);

-- A merchant's suspension: when it was applied (chain time) and whether a vote confirmed it.
-- An unconfirmed one lapses SUSPENSION_CONFIRM_MS later with no event (the whitelist reads the
-- status as of the block); the indexer marks it active again at the first block of the suite's
-- events at or after the lapse.
ALTER TABLE merchants ADD COLUMN suspended_ms BIGINT;
ALTER TABLE merchants ADD COLUMN suspension_confirmed BIGINT;
