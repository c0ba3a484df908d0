-- The resolver's scan log (`tracepass serve --database`): one row per scan of a real item (its
-- proof checks), written by the resolver, never by the indexer (`index --from-scratch` keeps it).
-- No address is stored: `client` is a keyed hash of the scanner's address under a secret that
-- lives in the resolver's memory and changes every UTC day, and `region` is a coarse place
-- (an operator-mapped region, or the address's network: IPv4 /16, IPv6 /32).
CREATE TABLE scans (
    item TEXT NOT NULL,
    lot TEXT NOT NULL,
    gtin TEXT NOT NULL,
    lot_number TEXT NOT NULL,
    serial TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    region TEXT NOT NULL,
    client TEXT NOT NULL
);
CREATE INDEX scans_by_item ON scans (item, at_ms);
CREATE INDEX scans_by_lot ON scans (lot, at_ms);
CREATE INDEX scans_by_time ON scans (at_ms);
