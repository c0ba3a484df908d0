//! Every bound on input and storage, named once. Contracts and client both check against these.

/// Most governors the whitelist holds (the list is read whole when counting approvals).
pub const MAX_GOVERNORS: u32 = 16;
/// Most approvals a proposal can carry (one per governor).
pub const MAX_APPROVALS: u32 = MAX_GOVERNORS;
/// Shortest life of a governance proposal, in blocks.
pub const MIN_PROPOSAL_TTL: u32 = 2;
/// Longest life of a governance proposal, in blocks.
pub const MAX_PROPOSAL_TTL: u32 = 1_000_000;
/// Most GS1 company prefixes one merchant may register GTINs under.
pub const MAX_GS1_PREFIXES: u32 = 8;
/// Shortest GS1 company prefix, in digits. GS1 allows 4- and 5-digit prefixes only for GTIN-8
/// number ranges; for GTIN-13/14 company prefixes are 6 to 12 digits, and a shorter one would
/// cover whole national ranges ("0000" covers every GTIN-8).
pub const MIN_GS1_PREFIX_LEN: usize = 6;
/// Longest GS1 company prefix, in digits.
pub const MAX_GS1_PREFIX_LEN: usize = 12;
/// Most product categories in one agency's accreditation scope.
pub const MAX_SCOPE_CATEGORIES: u32 = 32;
/// Longest brand name, in bytes.
pub const MAX_BRAND_LEN: usize = 64;
/// Longest URI stored on chain (product metadata, inspection report), in bytes.
pub const MAX_URI_LEN: usize = 128;
/// Longest validity of an inspection or a factory certification, in ms from its issue: three
/// years (366-day years), a food-safety certificate's usual cycle.
pub const MAX_VALIDITY_MS: u64 = 3 * 366 * 86_400_000;
/// Longest lot number: GS1 AI (10) allows up to 20 characters.
pub const MAX_LOT_LEN: usize = 20;
/// Longest serial number: GS1 AI (21) allows up to 20 characters.
pub const MAX_SERIAL_LEN: usize = 20;
/// Shortest HS code (the international 6-digit subheading).
pub const MIN_HS_CODE_LEN: usize = 6;
/// Longest HS code (national tariff lines go to 10 digits).
pub const MAX_HS_CODE_LEN: usize = 10;
/// Most items one lot may commit to (2^32 - 1 fits the item count; a million-item lot is typical).
pub const MAX_LOT_ITEMS: u32 = 100_000_000;
/// Most lots one `register_lots` call registers. Its input (at most 74 bytes a lot) and answer
/// (32 bytes a lot) stay far inside ink!'s 16 KiB static buffer, and its weight (measured in
/// BENCHMARKS.md, about 3 G ref_time a lot) inside a third of a block's normal class.
pub const MAX_LOTS_PER_BATCH: u32 = 100;
/// Most trace events one lot may carry.
pub const MAX_EVENTS_PER_LOT: u32 = 64;
/// Longest location code: a UN/LOCODE is 5 characters, a GLN 13 digits.
pub const MAX_LOCATION_LEN: usize = 13;
/// Longest standard code of an inspection or certification (e.g. "GB 2763-2021", "ISO 22000").
pub const MAX_STANDARD_LEN: usize = 32;
/// Basis points in 100 %.
pub const BPS_DENOMINATOR: u32 = 10_000;
/// Most sampling rules the sampling contract holds.
pub const MAX_SAMPLING_RULES: u32 = 256;
/// Most members that may commit to one sampling epoch's seed.
pub const MAX_EPOCH_COMMITTERS: u32 = 32;
/// Shortest sampling epoch, in milliseconds of chain time (1 s: dev chains and tests; a
/// consortium runs hours or days).
pub const MIN_EPOCH_MS: u64 = 1_000;
/// Longest sampling epoch, in milliseconds (366 days).
pub const MAX_EPOCH_MS: u64 = 366 * 24 * 3_600_000;
/// Shortest reveal window after an epoch closes, in milliseconds.
pub const MIN_REVEAL_WINDOW_MS: u64 = 1_000;
/// Longest reveal window after an epoch closes, in milliseconds (30 days).
pub const MAX_REVEAL_WINDOW_MS: u64 = 30 * 24 * 3_600_000;
/// Reveal windows shorter than this are accepted but warned about at deploy: on a validator
/// chain a block author may set its timestamp up to 30 s ahead of the others' clocks
/// (pallet-timestamp's drift bound), so a window should be many times that.
pub const ADVISED_MIN_REVEAL_WINDOW_MS: u64 = 10 * 60_000;
/// Most consecutive passes governance may require before a watched merchant's risk is lowered.
pub const MAX_PASS_STREAK: u32 = 1_000;
/// Longest length of a Merkle proof (a tree over `MAX_LOT_ITEMS` leaves is 27 levels deep).
pub const MAX_PROOF_LEN: usize = 32;
/// Most attestations one lot or one factory can carry (the index is read whole by verifiers).
pub const MAX_ATTESTATIONS_PER_SUBJECT: u32 = 32;
/// Length of a UN/LOCODE (two-letter country + three-character location).
pub const UN_LOCODE_LEN: usize = 5;
/// Longest display name of a merchant, member or factory, in bytes of UTF-8 (64 Latin letters,
/// 21 CJK characters). Checked, with the name's other rules, by `types::check_display_name`.
pub const MAX_DISPLAY_NAME_LEN: usize = 64;
/// Most accounts one whitelist `display_names` read answers for: every name a verification
/// page shows (a lot's merchant, its trace's actors, its attestations' issuers) in one dry run.
pub const MAX_NAMES_PER_READ: u32 = 64;
/// Most brands one merchant is authorised for.
pub const MAX_BRANDS_PER_MERCHANT: u32 = 16;
/// How long one governor's suspension of a merchant holds unless M governors confirm it: three
/// days of chain time, long enough to convene a vote, short enough that a rogue governor's brake
/// does not stick.
pub const SUSPENSION_CONFIRM_MS: u64 = 3 * 86_400_000;
/// After a suspension lapsed unconfirmed, how long one governor may not suspend that merchant
/// again: thirty days, so a single key cannot keep a merchant down by renewing its brake.
pub const SUSPENSION_COOLDOWN_MS: u64 = 30 * 86_400_000;
/// Most quality inspections one agency may record of one lot (each supersedes its own earlier
/// one): a hostile agency cannot fill a lot's `MAX_ATTESTATIONS_PER_SUBJECT` slots with fails.
pub const MAX_INSPECTIONS_PER_AGENCY_PER_LOT: u32 = 3;
