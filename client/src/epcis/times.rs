//! Times as EPCIS writes them: RFC 3339 instants (through the `time` crate) and calendar dates.

use std::borrow::Cow;
use time::format_description::well_known::Rfc3339;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;
use tracepass_shared::{Date, Timestamp};

/// UTC with exactly three fraction digits: RFC 3339's form EPCIS documents here use throughout.
const UTC_MILLIS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// 9999-12-31T23:59:59.999Z, the last instant with a four-digit year (RFC 3339 has no others).
const LAST_MS: Timestamp = 253_402_300_799_999;

/// `ms` since the epoch as RFC 3339 UTC with milliseconds: `2026-11-22T03:53:00.123Z`. An
/// instant after year 9999 (a "never expires" validity, say) is written as the last one with a four-digit year.
pub fn rfc3339(ms: Timestamp) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms.min(LAST_MS)) * 1_000_000)
        .expect("1970 to 9999 is within time's range");
    t.format(UTC_MILLIS).expect("a UTC instant with a four-digit year formats")
}

/// Parses an RFC 3339 date-time (`T`, fractions, `Z` or an offset) into ms since the epoch
/// (fractions past the millisecond are cut); `None` if malformed or before 1970.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    // `time` takes any byte between date and time; RFC 3339 (and this reader) only `T` or `t`
    if !matches!(s.as_bytes().get(10), Some(b'T' | b't')) {
        return None;
    }
    // a leap second, wherever it falls, is taken as the second before it (`time` takes only
    // those at a month's end, as 59.999999999)
    let s: Cow<str> = match s.get(17..19) {
        Some("60") => format!("{}59{}", &s[..17], &s[19..]).into(),
        _ => s.into(),
    };
    let t = OffsetDateTime::parse(&s, &Rfc3339).ok()?;
    u64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// A chain date (`YYYYMMDD` as a number) as `YYYY-MM-DD`. Written digit by digit, not through a
/// calendar: the registry accepts any day 1..=31 in any month, and the export shows what it holds.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d / 10_000, (d / 100) % 100, d % 100)
}
