-- Buyers' claims (`tracepass serve --scan-log`: "I bought this"), at most one per item: the
-- first claim stands and every later page of the item says when it was made. Written by the
-- resolver, never by the indexer (`index --from-scratch` keeps it). No address is stored.
CREATE TABLE claims (
    item TEXT PRIMARY KEY,
    lot TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    region TEXT NOT NULL
);
CREATE INDEX claims_by_lot ON claims (lot, at_ms);
