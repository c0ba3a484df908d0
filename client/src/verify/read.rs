//! One batched reader of everything a lot's verdict rests on, at one pinned block: used by
//! `verify`, the resolver's cache, `lot show` and the EPCIS export.

use crate::chain::{AccountId, Read, ReadOut};
use crate::contracts::{answer, Message, Tracepass};
use crate::error::{ClientError, Result};
use parity_scale_codec::Decode;
use tracepass_shared::*;

/// The facts of one lot at one block: the input of [`super::verdict::verdict`].
#[derive(Debug, Clone)]
pub struct LotFacts {
    /// The product's GTIN.
    pub gtin: Gtin,
    /// The lot number.
    pub lot_number: String,
    /// The block's timestamp (ms).
    pub block_time: Timestamp,
    /// The product and lot with what hangs on them; `None` if either is not registered.
    pub registered: Option<RegisteredLot>,
}

/// A registered lot and what hangs on it.
#[derive(Debug, Clone)]
pub struct RegisteredLot {
    /// The product.
    pub product: Product,
    /// The lot.
    pub lot: Lot,
    /// The product's merchant, its status as of the block (`None` if the whitelist has no record).
    pub merchant: Option<Merchant>,
    /// What the whitelist keeps beside the merchant: brands, suspension, revocation block.
    pub standing: MerchantStanding,
    /// The lot's attestations (inspections, clearances), oldest first.
    pub attestations: Vec<(AttestationId, Attestation)>,
    /// The lot's latest dispute of a failed inspection, open or decided.
    pub dispute: Option<Dispute>,
    /// The factory's certifications, oldest first.
    pub factory_attestations: Vec<(AttestationId, Attestation)>,
    /// Whether sampling selected the lot.
    pub selection: Selection,
    /// The lot's sampling record.
    pub sample: Option<LotSample>,
    /// The trace, oldest first.
    pub trace: Vec<TraceEvent>,
    /// The display names of the accounts and the factory above, where they have one.
    pub names: Names,
}

/// Display names on chain (whitelist and registry) of what a lot's page names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// Accounts (merchant, issuers, trace actors) with a display name.
    pub accounts: Vec<(AccountId, String)>,
    /// The factory's display name.
    pub factory: Option<String>,
}

impl Names {
    /// The display name of `account`, if it has one.
    pub fn of(&self, account: &AccountId) -> Option<String> {
        self.accounts.iter().find(|(a, _)| a == account).map(|(_, n)| n.clone())
    }

    /// Reads the names of `accounts` (repeats read once) and of `factory`, side by side, with
    /// the contracts' own name reads ([`Tracepass::display_names`], [`Tracepass::factory_name`]).
    pub async fn read(tp: &Tracepass, accounts: impl IntoIterator<Item = AccountId>, factory: Option<FactoryId>) -> Result<Names> {
        let mut unique: Vec<AccountId> = Vec::new();
        for a in accounts {
            if !unique.contains(&a) {
                unique.push(a);
            }
        }
        let factory_name = async {
            match factory {
                Some(f) => tp.factory_name(f).await,
                None => Ok(None),
            }
        };
        let (names, factory) = tokio::try_join!(tp.display_names(unique.clone()), factory_name)?;
        let accounts = unique.into_iter().zip(names).filter_map(|(a, n)| n.map(|n| (a, n))).collect();
        Ok(Names { accounts, factory })
    }
}

/// Reads the facts of (`gtin`, `lot_number`) at `tp`'s block (pin it first), in three JSON-RPC
/// batches: product, lot and block time; then, if both exist, merchant, the lot's and the
/// factory's attestations, selection, sampling record and trace; then the display names of the
/// merchant, the issuers, the trace's actors and the factory.
pub async fn read_lot_facts(tp: &Tracepass, gtin: Gtin, lot_number: &str) -> Result<LotFacts> {
    let lot_id = lot_id(&gtin, lot_number.as_bytes());
    let first = vec![tp.read(Message::Product, gtin), tp.read(Message::Lot, lot_id), Read::Storage(tp.chain.now_key()?)];
    let mut out = tp.chain.read_many(first).await?.into_iter();
    let mut next = || out.next().ok_or_else(|| ClientError::Chain("a batch answer is missing".into()));
    let product: Option<Product> = answer(next()?)?;
    let lot: Option<Lot> = answer(next()?)?;
    let block_time = match next()? {
        ReadOut::Storage(Some(b)) => Timestamp::decode(&mut &b[..]).unwrap_or(0),
        _ => 0,
    };
    let mut facts = LotFacts { gtin, lot_number: lot_number.to_string(), block_time, registered: None };
    let (Some(product), Some(lot)) = (product, lot) else {
        return Ok(facts);
    };
    let second = vec![
        tp.read(Message::MerchantStanding, product.merchant),
        tp.read(Message::OfLot, lot_id),
        tp.read(Message::OfFactory, product.info.factory),
        tp.read(Message::Selection, lot_id),
        tp.read(Message::LotSample, lot_id),
        tp.read(Message::Events, lot_id),
        tp.read(Message::Dispute, lot_id),
    ];
    let mut out = tp.chain.read_many(second).await?.into_iter();
    let mut next = || out.next().ok_or_else(|| ClientError::Chain("a batch answer is missing".into()));
    let merchant: Option<(Merchant, MerchantStanding)> = answer(next()?)?;
    let (merchant, standing) = match merchant {
        Some((m, s)) => (Some(m), s),
        None => (None, MerchantStanding::default()),
    };
    let mut reg = RegisteredLot {
        product,
        lot,
        merchant,
        standing,
        attestations: answer(next()?)?,
        factory_attestations: answer(next()?)?,
        selection: answer(next()?)?,
        sample: answer(next()?)?,
        trace: answer(next()?)?,
        dispute: answer(next()?)?,
        names: Names::default(),
    };
    let accounts = std::iter::once(reg.product.merchant)
        .chain(reg.attestations.iter().chain(&reg.factory_attestations).map(|(_, a)| a.issuer))
        .chain(reg.trace.iter().map(|e| e.actor));
    reg.names = Names::read(tp, accounts.collect::<Vec<_>>(), Some(reg.product.info.factory)).await?;
    facts.registered = Some(reg);
    Ok(facts)
}
