//! From one block's decoded events to the rows and updates of the index: pure, no I/O.
//!
//! Every event becomes a row of `events` (the audit log) and, if the indexer knows it, rows
//! of the typed tables. Within a call, sampling's `LotRecorded` comes before the registry's
//! `LotRegistered` of the same lot (the registry records the lot, then emits), so a block's
//! `LotRecorded` are gathered first and written into the lot's row.

use super::db::{self, Step, Table, Val};
use super::events::Event;
use crate::chain::AccountId;
use crate::fmt::ss58;
use parity_scale_codec::Encode;
use std::collections::HashMap;
use tracepass_shared::{Claim, InspectionResult, LotId, MerchantStatus};

/// A row to insert into `table`, its values in the table's column order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The table.
    pub table: &'static Table,
    /// The values.
    pub values: Vec<Val>,
}

/// A change to rows already written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// A statement with its values.
    Sql {
        /// The statement (`$1`... placeholders).
        sql: &'static str,
        /// Its values.
        values: Vec<Val>,
    },
    /// An epoch's seed is final: every lot recorded in it is selected or not
    /// ([`tracepass_shared::Selection::of_final`]).
    FinalizeEpoch {
        /// The epoch.
        epoch: u32,
        /// Its seed; `None`: no reveal, every lot is selected.
        seed: Option<[u8; 32]>,
    },
}

/// One contract event of a block as the indexer received it.
#[derive(Debug, Clone)]
pub struct RawEvent {
    /// Index among the block's events (all pallets').
    pub idx: u32,
    /// Which of the four contracts emitted it (`whitelist`...).
    pub contract: &'static str,
    /// `contract.Label` from the deployment's signature topics; `None`: unknown topic.
    pub name: Option<String>,
    /// Topics.
    pub topics: Vec<[u8; 32]>,
    /// SCALE data.
    pub data: Vec<u8>,
    /// The decoded event, if the indexer knows it.
    pub event: Option<Event>,
}

/// A block with its suite events.
#[derive(Debug, Clone)]
pub struct BlockEvents {
    /// Number.
    pub number: u32,
    /// Hash (0x-hex).
    pub hash: String,
    /// `Timestamp.Now` of the block (ms).
    pub time_ms: u64,
    /// The suite's events, in order.
    pub events: Vec<RawEvent>,
}

fn hex32(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn acc(a: &AccountId) -> String {
    ss58(a)
}

/// A unit enum's snake_case name (its serde form); other values as compact JSON.
pub fn name_of<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `YYYY-MM` (UTC) of a chain time in ms.
pub fn month(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

fn row(table: &'static Table, values: Vec<Val>) -> Step {
    Step::Insert(Row { table, values })
}

fn sql(sql: &'static str, values: Vec<Val>) -> Step {
    Step::Update(Update::Sql { sql, values })
}

/// The rows and updates of one block, in order.
pub fn steps(block: &BlockEvents) -> Vec<Step> {
    let b = Val::from(block.number);
    let mut out = Vec::new();
    if block.events.is_empty() {
        return out;
    }
    // unconfirmed suspensions that lapsed by this block's time (no event marks a lapse: the
    // whitelist reads the status as of the block), before this block's own events; first, so
    // that the block's inserts still go out in one multi-row statement after it
    let lapsed_by = block.time_ms.saturating_sub(tracepass_shared::bounds::SUSPENSION_CONFIRM_MS);
    out.push(sql(
        "UPDATE merchants SET status = 'active', changed_block = $1, suspended_ms = NULL, suspension_confirmed = NULL \
         WHERE status = 'suspended' AND suspension_confirmed = 0 AND suspended_ms <= $2",
        vec![b.clone(), lapsed_by.into()],
    ));
    out.push(row(&db::BLOCKS, vec![b.clone(), block.hash.clone().into(), block.time_ms.into(), (block.events.len() as u64).into()]));
    // sampling's record of each lot registered in this block
    let mut recorded: HashMap<LotId, (u32, u16, Option<String>)> = HashMap::new();
    for e in &block.events {
        if let Some(Event::LotRecorded(r)) = &e.event {
            recorded.insert(r.lot, (r.epoch, r.rate_bps, r.rule.as_ref().map(name_of)));
        }
    }
    for e in &block.events {
        let i = Val::from(e.idx);
        out.push(row(
            &db::EVENTS,
            vec![
                b.clone(),
                i.clone(),
                e.contract.into(),
                e.name.clone().unwrap_or_else(|| "unknown".into()).into(),
                e.topics.iter().map(|t| hex32(t)).collect::<Vec<_>>().join(",").into(),
                hex32(&e.data).into(),
            ],
        ));
        let Some(ev) = &e.event else { continue };
        match ev {
            Event::MemberAdded(m) => out.push(sql(
                "INSERT INTO members (account, role, scope_categories, scope_valid_until, block, idx, removed_block) \
                 VALUES ($1, $2, NULL, NULL, $3, $4, NULL) ON CONFLICT (account) DO UPDATE SET role = excluded.role, \
                 scope_categories = NULL, scope_valid_until = NULL, block = excluded.block, idx = excluded.idx, removed_block = NULL",
                vec![acc(&m.account).into(), name_of(&m.role).into(), b.clone(), i.clone()],
            )),
            Event::MemberRemoved(m) => {
                out.push(sql("UPDATE members SET removed_block = $1 WHERE account = $2", vec![b.clone(), acc(&m.account).into()]))
            }
            Event::AgencyScopeSet(s) => out.push(sql(
                "UPDATE members SET scope_categories = $1, scope_valid_until = $2 WHERE account = $3",
                vec![
                    s.scope.categories.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",").into(),
                    s.scope.valid_until.into(),
                    acc(&s.account).into(),
                ],
            )),
            Event::MerchantAdded(m) => out.push(sql(
                "INSERT INTO merchants (account, tier, status, added_by, block, idx, changed_block) \
                 VALUES ($1, $2, 'active', $3, $4, $5, $4) ON CONFLICT (account) DO UPDATE SET tier = excluded.tier, \
                 status = 'active', added_by = excluded.added_by, changed_block = excluded.changed_block, \
                 suspended_ms = NULL, suspension_confirmed = NULL",
                vec![acc(&m.account).into(), name_of(&m.tier).into(), acc(&m.by).into(), b.clone(), i.clone()],
            )),
            Event::MerchantTierChanged(m) => out.push(sql(
                "UPDATE merchants SET tier = $1, changed_block = $2 WHERE account = $3",
                vec![name_of(&m.tier).into(), b.clone(), acc(&m.account).into()],
            )),
            // a suspension starts its confirmation clock; any other status ends it
            Event::MerchantStatusChanged(m) if m.status == MerchantStatus::Suspended => out.push(sql(
                "UPDATE merchants SET status = $1, changed_block = $2, suspended_ms = $3, suspension_confirmed = 0 WHERE account = $4",
                vec![name_of(&m.status).into(), b.clone(), block.time_ms.into(), acc(&m.account).into()],
            )),
            Event::MerchantStatusChanged(m) => out.push(sql(
                "UPDATE merchants SET status = $1, changed_block = $2, suspended_ms = NULL, suspension_confirmed = NULL WHERE account = $3",
                vec![name_of(&m.status).into(), b.clone(), acc(&m.account).into()],
            )),
            Event::SuspensionConfirmed(c) => out.push(sql(
                "UPDATE merchants SET suspension_confirmed = 1, changed_block = $1 WHERE account = $2",
                vec![b.clone(), acc(&c.account).into()],
            )),
            Event::DisputeOpened(d) => out.push(row(
                &db::DISPUTES,
                vec![
                    hex32(&d.lot).into(),
                    d.failed.into(),
                    acc(&d.by).into(),
                    b.clone(),
                    i.clone(),
                    block.time_ms.into(),
                    "open".into(),
                    Val::NullInt,
                    Val::NullInt,
                    Val::NullInt,
                ],
            )),
            Event::DisputeResolved(d) => out.push(sql(
                "UPDATE disputes SET outcome = $1, retest = $2, resolved_block = $3, resolved_ms = $4 WHERE lot = $5 AND outcome = 'open'",
                vec![
                    name_of(&d.outcome).into(),
                    d.retest.into(),
                    b.clone(),
                    block.time_ms.into(),
                    hex32(&d.lot).into(),
                ],
            )),
            Event::ProposalCreated(p) => out.push(row(
                &db::PROPOSALS,
                vec![
                    p.id.into(),
                    acc(&p.proposer).into(),
                    serde_json::to_string(&p.action).unwrap_or_default().into(),
                    p.expires_at.into(),
                    0u64.into(),
                    b.clone(),
                    i.clone(),
                    Val::NullText,
                    Val::NullInt,
                ],
            )),
            Event::ProposalApproved(p) => {
                out.push(row(&db::VOTES, vec![p.id.into(), acc(&p.governor).into(), b.clone(), i.clone()]));
                out.push(sql("UPDATE proposals SET approvals = $1 WHERE id = $2", vec![p.approvals.into(), p.id.into()]));
            }
            Event::ProposalExecuted(p) => out.push(sql(
                "UPDATE proposals SET executed_by = $1, executed_block = $2 WHERE id = $3",
                vec![acc(&p.executor).into(), b.clone(), p.id.into()],
            )),
            Event::FactoryRegistered(f) => out.push(row(
                &db::FACTORIES,
                vec![f.id.into(), acc(&f.merchant).into(), f.country.to_string().into(), b.clone(), i.clone()],
            )),
            Event::ProductRegistered(p) => out.push(row(
                &db::PRODUCTS,
                vec![
                    p.gtin.to_string().into(),
                    acc(&p.merchant).into(),
                    p.info.factory.into(),
                    text(&p.info.brand).into(),
                    p.info.category.into(),
                    p.info.origin.to_string().into(),
                    text(&p.info.hs_code).into(),
                    b.clone(),
                    i.clone(),
                    hex32(&p.info.encode()).into(),
                ],
            )),
            Event::LotRegistered(l) => {
                let (epoch, rate, rule, selected) = match recorded.remove(&l.lot) {
                    Some((e, r, rule)) => (Val::from(e), Val::from(u32::from(r)), Val::from(rule), decided(&l.lot, r)),
                    None => (Val::NullInt, Val::NullInt, Val::NullText, Val::NullInt),
                };
                out.push(row(
                    &db::LOTS,
                    vec![
                        hex32(&l.lot).into(),
                        l.gtin.to_string().into(),
                        acc(&l.merchant).into(),
                        text(&l.info.lot_number).into(),
                        l.info.item_count.into(),
                        hex32(&l.info.root).into(),
                        l.info.produced_on.into(),
                        l.info.expires_on.into(),
                        "registered".into(),
                        b.clone(),
                        i.clone(),
                        block.time_ms.into(),
                        epoch,
                        rate,
                        rule,
                        selected,
                        hex32(&l.info.encode()).into(),
                    ],
                ));
            }
            Event::TraceEventAdded(t) => out.push(row(
                &db::TRACE_EVENTS,
                vec![
                    hex32(&t.lot).into(),
                    t.index.into(),
                    acc(&t.actor).into(),
                    name_of(&t.event.step).into(),
                    t.event.event_time.into(),
                    t.event.location.country.to_string().into(),
                    text(&t.event.location.code).into(),
                    b.clone(),
                    i.clone(),
                    hex32(&t.event.encode()).into(),
                ],
            )),
            Event::LotStatusChanged(s) => {
                out.push(row(
                    &db::STATUS_CHANGES,
                    vec![b.clone(), i.clone(), hex32(&s.lot).into(), name_of(&s.from).into(), name_of(&s.to).into()],
                ));
                out.push(sql("UPDATE lots SET status = $1 WHERE lot = $2", vec![name_of(&s.to).into(), hex32(&s.lot).into()]));
            }
            Event::LotRecalled(r) => out.push(row(
                &db::RECALLS,
                vec![hex32(&r.lot).into(), acc(&r.by).into(), hex32(&r.reason_hash).into(), b.clone(), i.clone(), block.time_ms.into()],
            )),
            Event::RuleSet(r) => out.push(row(
                &db::SAMPLING_CHANGES,
                vec![b.clone(), i.clone(), "rule_set".into(), name_of(&r.key).into(), u32::from(r.rate_bps).into()],
            )),
            Event::RuleRemoved(r) => out.push(row(
                &db::SAMPLING_CHANGES,
                vec![b.clone(), i.clone(), "rule_removed".into(), name_of(&r.key).into(), Val::NullInt],
            )),
            Event::PolicySet(p) => out.push(row(
                &db::SAMPLING_CHANGES,
                vec![b.clone(), i.clone(), "policy_set".into(), Val::NullText, u32::from(p.default_rate_bps).into()],
            )),
            Event::EpochFinalized(f) => {
                out.push(row(
                    &db::EPOCHS,
                    vec![f.epoch.into(), f.seed.map(|s| hex32(&s)).into(), (f.skipped.len() as u64).into(), b.clone(), i.clone()],
                ));
                out.push(Step::Update(Update::FinalizeEpoch { epoch: f.epoch, seed: f.seed }));
            }
            Event::Attested(a) => {
                let at = &a.attestation;
                let (kind, lot, factory, result, standard, selected, time) = match &at.claim {
                    Claim::QualityInspection { lot, result, standard, selected, inspected_at, .. } => (
                        "inspection",
                        Some(hex32(lot)),
                        None,
                        Some(match result {
                            InspectionResult::Pass => "pass",
                            InspectionResult::Fail => "fail",
                        }),
                        Some(text(standard)),
                        Some(u64::from(*selected)),
                        *inspected_at,
                    ),
                    Claim::FactoryCertification { factory, standard, .. } => {
                        ("certification", None, Some(u64::from(*factory)), None, Some(text(standard)), None, at.issued_at)
                    }
                    Claim::CustomsClearance { lot, cleared_at, .. } => ("customs", Some(hex32(lot)), None, None, None, None, *cleared_at),
                };
                out.push(row(
                    &db::ATTESTATIONS,
                    vec![
                        a.id.into(),
                        kind.into(),
                        hex32(&a.subject).into(),
                        acc(&a.issuer).into(),
                        lot.into(),
                        factory.into(),
                        result.map(String::from).into(),
                        standard.into(),
                        selected.into(),
                        at.answers.into(),
                        at.valid_until.into(),
                        at.issued_at.into(),
                        time.into(),
                        month(at.issued_at).into(),
                        b.clone(),
                        i.clone(),
                        hex32(&at.encode()).into(),
                        Val::NullText,
                        Val::NullText,
                        Val::NullInt,
                    ],
                ));
            }
            Event::Revoked(r) => out.push(sql(
                "UPDATE attestations SET revoked_by = $1, revoked_reason = $2, revoked_block = $3 WHERE id = $4",
                vec![acc(&r.by).into(), hex32(&r.reason_hash).into(), b.clone(), r.id.into()],
            )),
            // in the audit log only
            Event::ThresholdChanged(_)
            | Event::CodeUpgraded(_)
            | Event::ContractsWired(_)
            | Event::LotRecorded(_)
            | Event::RiskChanged(_)
            | Event::Committed(_)
            | Event::Revealed(_)
            // names: read from the contracts (`display_names`, `factory_name`); every change
            // is in the audit log with its name (`whitelist.DisplayNameSet`, `registry.FactoryNamed`)
            | Event::DisplayNameSet(_)
            | Event::FactoryNamed(_)
            // a merchant's brands: read from the whitelist (`merchant_standing`), every change
            // in the audit log
            | Event::MerchantBrandsSet(_) => {}
        }
    }
    // a lot sampling recorded without its registration in the same block (not something the
    // registry does; kept rather than lost)
    let mut rest: Vec<_> = recorded.into_iter().collect();
    rest.sort_by_key(|(lot, _)| *lot);
    for (lot, (epoch, rate, rule)) in rest {
        out.push(sql(
            "UPDATE lots SET epoch = $1, rate_bps = $2, rule = $3, selected = $4 WHERE lot = $5",
            vec![epoch.into(), u32::from(rate).into(), rule.into(), decided(&lot, rate), hex32(&lot).into()],
        ));
    }
    out
}

/// A lot's `selected` column as registered: 1 or 0 when its rate needs no draw (0 or 100 %,
/// `Selection::decide`, as the sampling contract answers from registration), else NULL until
/// its epoch is final.
fn decided(lot: &tracepass_shared::LotId, rate_bps: u16) -> Val {
    match tracepass_shared::Selection::decide(None, lot, rate_bps) {
        tracepass_shared::Selection::Selected => Val::Int(1),
        tracepass_shared::Selection::NotSelected => Val::Int(0),
        _ => Val::NullInt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::events::*;

    fn raw(idx: u32, contract: &'static str, name: &str, event: Event) -> RawEvent {
        RawEvent { idx, contract, name: Some(name.into()), topics: vec![[1; 32]], data: vec![1, 2], event: Some(event) }
    }

    #[test]
    fn steps_works() {
        let lot = [7u8; 32];
        let info = tracepass_shared::LotInput {
            gtin: tracepass_shared::Gtin::parse(b"09421902960055").unwrap(),
            lot_number: b"L1".to_vec(),
            item_count: 3,
            root: [9; 16],
            produced_on: 20260101,
            expires_on: 20270101,
        };
        let who = AccountId::from([5; 32]);
        let block = BlockEvents {
            number: 12,
            hash: "0xab".into(),
            time_ms: 1_790_000_000_000,
            events: vec![
                raw(3, "sampling", "sampling.LotRecorded", Event::LotRecorded(LotRecorded { lot, epoch: 2, rate_bps: 500, rule: None })),
                raw(4, "registry", "registry.LotRegistered", Event::LotRegistered(LotRegistered { lot, gtin: info.gtin, merchant: who, info })),
                RawEvent { idx: 5, contract: "registry", name: None, topics: vec![], data: vec![], event: None },
            ],
        };
        let s = steps(&block);
        // blocks, the suspension lapse check, 3 events, 1 lot: the lot carries sampling's epoch
        // and rate
        assert_eq!(s.len(), 6);
        let Step::Insert(lot_row) = &s[4] else { panic!("{s:?}") };
        assert_eq!(lot_row.table.name, "lots");
        assert_eq!(lot_row.values[12..16], [Val::Int(2), Val::Int(500), Val::NullText, Val::NullInt], "a draw decides: not yet");
        let Step::Insert(unknown) = &s[5] else { panic!() };
        assert_eq!(unknown.values[3], Val::Text("unknown".into()));
        // at 100 % and 0 % no draw decides: selected, or not, from registration
        for (rate, selected) in [(10_000u16, Val::Int(1)), (0, Val::Int(0))] {
            let mut b = block.clone();
            b.events[0] = raw(3, "sampling", "sampling.LotRecorded", Event::LotRecorded(LotRecorded { lot, epoch: 2, rate_bps: rate, rule: None }));
            let Step::Insert(row) = &steps(&b)[4] else { panic!() };
            assert_eq!(row.values[15], selected, "rate {rate}");
        }
        assert!(steps(&BlockEvents { events: vec![], ..block }).is_empty());
        assert_eq!(month(1_790_000_000_000), "2026-09");
    }

    /// A suspension nobody confirmed reads active from the first indexed block at or after its
    /// lapse (no event marks it); a confirmed one stays; disputes are listed open, then decided.
    #[tokio::test]
    async fn suspension_lapse_and_disputes_works() {
        use tracepass_shared::bounds::SUSPENSION_CONFIRM_MS;
        use tracepass_shared::{DisputeOutcome, MerchantTier};
        let dir = tempfile::tempdir().unwrap();
        let db = crate::index::db::Db::open(&format!("sqlite://{}/i.db", dir.path().display())).await.unwrap();
        let (gov, lapsing, confirmed) = (AccountId::from([1; 32]), AccountId::from([2; 32]), AccountId::from([3; 32]));
        let t0 = 1_790_000_000_000u64;
        let mut n = 0u32;
        let mut write = |time_ms: u64, events: Vec<Event>| {
            n += 1;
            let events = events.into_iter().enumerate().map(|(i, e)| raw(i as u32, "whitelist", "x", e)).collect();
            let block = BlockEvents { number: n, hash: format!("0x{n:02x}"), time_ms, events };
            let cursor = crate::index::db::Cursor { genesis_hash: "0x00".into(), contracts: "c".into(), block_number: n, block_hash: block.hash.clone() };
            (cursor, steps(&block))
        };
        let status = |db: &crate::index::db::Db, who: AccountId| {
            let db = db.clone();
            async move {
                let r = db.rows("SELECT status FROM merchants WHERE account = $1", &[Val::Text(acc(&who))]).await.unwrap();
                r[0]["status"].as_str().unwrap().to_string()
            }
        };
        let added = |account| Event::MerchantAdded(MerchantAdded { account, by: gov, tier: MerchantTier::Standard });
        let suspended = |account| Event::MerchantStatusChanged(MerchantStatusChanged { account, by: gov, status: MerchantStatus::Suspended, reason_hash: Some([9; 32]) });
        let lot = [7u8; 32];
        let blocks = [
            write(t0, vec![added(lapsing), added(confirmed), suspended(lapsing), suspended(confirmed)]),
            write(t0 + 1, vec![Event::SuspensionConfirmed(SuspensionConfirmed { account: confirmed }), Event::DisputeOpened(DisputeOpened { lot, failed: 4, by: lapsing })]),
            write(t0 + SUSPENSION_CONFIRM_MS - 1, vec![Event::ThresholdChanged(ThresholdChanged { old: 1, new: 2 })]),
            write(t0 + SUSPENSION_CONFIRM_MS, vec![Event::DisputeResolved(DisputeResolved { lot, outcome: DisputeOutcome::Released, retest: Some(5) })]),
        ];
        let mut seen = vec![];
        for (cursor, s) in &blocks {
            db.write_block(cursor, s).await.unwrap();
            seen.push((status(&db, lapsing).await, status(&db, confirmed).await));
        }
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(seen, vec![s("suspended", "suspended"), s("suspended", "suspended"), s("suspended", "suspended"), s("active", "suspended")]);
        let d = db.rows("SELECT lot, failed, opened_by, outcome, retest, resolved_block FROM disputes", &[]).await.unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!((d[0]["failed"].as_i64(), d[0]["outcome"].as_str(), d[0]["retest"].as_i64(), d[0]["resolved_block"].as_i64()), (Some(4), Some("released"), Some(5), Some(4)));
        assert_eq!(d[0]["opened_by"].as_str(), Some(acc(&lapsing).as_str()));
    }
}
