//! The words people read, in English and Simplified Chinese: one Fluent file per language
//! (`client/locales/{en,zh}/tracepass.ftl`, compiled in), dates written the reader's way, and
//! the choice of language for a request (`?lang=`, then `Accept-Language`, then a default).
//!
//! English is also what the CLI prints and what the JSON answers carry (`reason`, `summary`), so
//! a verdict's words have one home: the `.ftl` files. A message missing from a file is a defect:
//! tests (debug builds) panic on it; a release build shows the message's ID rather than fail.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

/// Most `Accept-Language` entries looked at (the header is the client's, and may be long).
pub const MAX_ACCEPT_LANGUAGE_ENTRIES: usize = 32;

impl Lang {
    /// Every language, in the order the pages offer them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The BCP 47 tag of the page (`lang=` and `Content-Language`): `zh-CN` so that browsers
    /// pick Simplified Chinese glyphs.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The value of `?lang=` that selects it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Its name in itself, as a language switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    /// The language of a BCP 47 tag by its primary subtag (`zh`, `zh-CN`, `zh-Hant-TW`, `EN-gb`):
    /// every Chinese tag reads the Simplified pages, which a Traditional reader reads far better
    /// than English.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::Zh)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of a request: `?lang=` if it names one, else the `Accept-Language` entry with
    /// the highest q-value that names one (the first of equals), else `default`. Neither input can
    /// fail the request: an unknown or malformed value is passed over.
    pub fn negotiate(query_lang: Option<&str>, accept_language: Option<&str>, default: Lang) -> Lang {
        if let Some(l) = query_lang.and_then(Lang::from_tag) {
            return l;
        }
        let mut best: Option<(f32, Lang)> = None;
        for entry in accept_language.unwrap_or("").split(',').take(MAX_ACCEPT_LANGUAGE_ENTRIES) {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else { continue };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .map(|q| q.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)).unwrap_or(0.0))
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(default)
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        static EN: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
        static ZH: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
        match self {
            Lang::En => EN.get_or_init(|| load("en", include_str!("../locales/en/tracepass.ftl"))),
            Lang::Zh => ZH.get_or_init(|| load("zh-CN", include_str!("../locales/zh/tracepass.ftl"))),
        }
    }

    /// The message `id` with no arguments.
    pub fn t(self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with `args` (name, value).
    pub fn t_args<'a>(self, id: &str, args: impl IntoIterator<Item = (&'a str, FluentValue<'a>)>) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(k, v);
        }
        self.format(id, Some(&a))
    }

    fn format(self, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            debug_assert!(false, "message {id} missing from the {self:?} locale");
            return id.to_string();
        };
        let mut errors = vec![];
        let text = bundle.format_pattern(pattern, args, &mut errors);
        debug_assert!(errors.is_empty(), "message {id} ({self:?}): {errors:?}");
        text.into_owned()
    }

    /// A chain time (ms since 1970) to the minute, in UTC, the reader's way:
    /// `22 Nov 2026, 02:53 UTC` or `2026年11月22日 02:53 (UTC)`.
    pub fn date_time(self, ms: u64) -> String {
        let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
        let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs) else { return format!("{ms} ms after 1970") };
        let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
        match self {
            Lang::En => format!("{d} {} {y}, {:02}:{:02} UTC", MONTHS[usize::from(m) - 1], t.hour(), t.minute()),
            Lang::Zh => format!("{y}年{m}月{d}日 {:02}:{:02}（UTC）", t.hour(), t.minute()),
        }
    }

    /// A chain date (`YYYYMMDD` as a number) the reader's way, digit by digit, not through a
    /// calendar (the page shows what the chain holds); anything else as the number it is.
    pub fn date(self, d: u32) -> String {
        if !(10_000_000..100_000_000).contains(&d) {
            return d.to_string();
        }
        let (y, m, day) = (d / 10_000, d / 100 % 100, d % 100);
        match (self, MONTHS.get((m as usize).wrapping_sub(1))) {
            (Lang::En, Some(month)) => format!("{day} {month} {y}"),
            (Lang::Zh, _) if (1..=12).contains(&m) => format!("{y}年{m}月{day}日"),
            _ => format!("{y:04}-{m:02}-{day:02}"),
        }
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A bundle of one compiled-in file. The files are the program's own, so a syntax error in one
/// is a build defect the tests catch (`locales_parse_works`), not a run-time condition.
fn load(tag: &str, source: &'static str) -> FluentBundle<FluentResource> {
    let res = FluentResource::try_new(source.to_string()).unwrap_or_else(|(res, errors)| {
        debug_assert!(false, "locale {tag}: {errors:?}");
        res
    });
    let mut bundle = FluentBundle::new_concurrent(vec![tag.parse().unwrap_or_default()]);
    // the pages are left-to-right only: no Unicode isolation marks around values
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(res) {
        debug_assert!(false, "locale {tag}: {errors:?}");
    }
    bundle
}

/// A sampling rule in `lang`'s words (none: the default rate).
pub fn rule_text(rule: Option<&tracepass_shared::RuleKey>, lang: Lang) -> String {
    let Some(k) = rule else { return lang.t("sampling-rule-default") };
    let any = || lang.t("rule-any");
    lang.t_args(
        "sampling-rule",
        [
            ("category", s(&k.category.map(|c| c.to_string()).unwrap_or_else(any))),
            ("origin", s(&k.origin.map(|o| o.to_string()).unwrap_or_else(any))),
            ("tier", s(&k.tier.map(|t| enum_text(lang, "tier", &t)).unwrap_or_else(any))),
        ],
    )
}

/// The record state `v` (a variant of a chain enum) in `lang`: message `{kind}-{variant}`, the
/// variant's name in lower case (`lot-status-intransit`).
pub fn enum_text<T: std::fmt::Debug>(lang: Lang, kind: &str, v: &T) -> String {
    lang.t(&format!("{kind}-{}", format!("{v:?}").to_ascii_lowercase()))
}

/// A string argument.
pub fn s(v: &str) -> FluentValue<'_> {
    FluentValue::from(v)
}

/// A number argument (plural selection applies to it).
pub fn n(v: impl Into<u64>) -> FluentValue<'static> {
    FluentValue::from(v.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::FluentResource;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        let res = FluentResource::try_new(source.to_string()).expect("parses");
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn locales_parse_works() {
        let en = ids(include_str!("../locales/en/tracepass.ftl"));
        let zh = ids(include_str!("../locales/zh/tracepass.ftl"));
        assert!(en.len() > 50, "{en:?}");
        assert_eq!(en, zh, "both languages have the same messages");
    }

    #[test]
    fn negotiation_works() {
        use Lang::*;
        assert_eq!(Lang::negotiate(None, None, En), En);
        assert_eq!(Lang::negotiate(None, None, Zh), Zh);
        assert_eq!(Lang::negotiate(None, Some("zh-CN,zh;q=0.9,en;q=0.8"), En), Zh);
        assert_eq!(Lang::negotiate(None, Some("en-US,en;q=0.9,zh-CN;q=0.8"), Zh), En);
        assert_eq!(Lang::negotiate(None, Some("fr-FR, zh-Hant-TW;q=0.5, en;q=0.4"), En), Zh);
        assert_eq!(Lang::negotiate(None, Some("en;q=0.5, zh;q=0.6"), En), Zh, "the higher q, not the first");
        assert_eq!(Lang::negotiate(None, Some("zh;q=0, en;q=0.1"), Zh), En, "q=0 refuses");
        assert_eq!(Lang::negotiate(None, Some("de, fr"), Zh), Zh, "neither: the default");
        // ?lang= overrides the header; an unknown value is passed over
        assert_eq!(Lang::negotiate(Some("zh"), Some("en"), En), Zh);
        assert_eq!(Lang::negotiate(Some("EN"), Some("zh"), Zh), En);
        assert_eq!(Lang::negotiate(Some("fr"), Some("zh"), En), Zh);
        // malformed headers never fail
        for junk in ["", ",,,", ";q=1", "zh;q=abc", "zh;q=2", "zh;q=-1", "\u{7f}\u{0}"] {
            let _ = Lang::negotiate(None, Some(junk), En);
        }
        assert_eq!(Lang::negotiate(None, Some("zh;q=abc, en;q=0.1"), Zh), En, "a bad q counts as 0");
        let long = format!("{}zh", "de,".repeat(100));
        assert_eq!(Lang::negotiate(None, Some(&long), En), En, "entries past the bound are not read");
    }

    #[test]
    fn messages_format_with_plurals_works() {
        let line = |l: Lang, c: u32| l.t_args("scans-line", [("date", s("D")), ("count", n(c))]);
        assert_eq!(line(Lang::En, 1), "First verified on D; verified once.");
        assert_eq!(line(Lang::En, 3), "First verified on D; verified 3 times.");
        assert_eq!(line(Lang::Zh, 3), "已查询过 3 次，首次查询时间为 D。");
        assert_eq!(Lang::Zh.t("verdict-genuine"), "正品");
    }

    #[test]
    fn dates_read_the_readers_way_works() {
        assert_eq!(Lang::En.date_time(1_795_316_030_569), "22 Nov 2026, 02:53 UTC");
        assert_eq!(Lang::Zh.date_time(1_795_316_030_569), "2026年11月22日 02:53（UTC）");
        assert_eq!(Lang::En.date(20281031), "31 Oct 2028");
        assert_eq!(Lang::Zh.date(20281031), "2028年10月31日");
        assert_eq!(Lang::Zh.date(20281399), "2028-13-99", "not a month: the digits as they are");
        assert_eq!(Lang::En.date(0), "0");
    }
}
