//! Typed messages of the registry: factories, products, lots, trace events, recalls.

use super::{Message, Outcome, Refusal, Tracepass};
use crate::chain::Signer;
use crate::error::{ClientError, Result};
use parity_scale_codec::Decode;
use tracepass_shared::merkle::Node;
use tracepass_shared::*;

impl Tracepass {
    /// Registers a factory; returns its ID.
    pub async fn register_factory(&self, signer: &Signer, country: CountryCode, name_hash: Hash32) -> Result<Outcome<FactoryId>> {
        let mut out: Outcome<FactoryId> = self.exec(signer, Message::RegisterFactory, (country, name_hash)).await?;
        // the dry run's ID can be overtaken by a concurrent registration: take the event's
        if let Some(ev) = out.included.events.iter().find(|e| e.contract == self.registry) {
            if let Ok(id) = FactoryId::decode(&mut &ev.data[..]) {
                out.value = id;
            }
        }
        Ok(out)
    }
    /// Sets the display name of `factory` (its merchant, while active; an empty name removes
    /// it). The dry run refuses a name `check_display_name` refuses, another merchant's factory
    /// or an unknown one before anything is signed.
    pub async fn set_factory_name(&self, signer: &Signer, factory: FactoryId, name: &str) -> Result<Outcome<()>> {
        self.exec(signer, Message::SetFactoryName, (factory, name.as_bytes().to_vec())).await
    }
    /// The display name of a factory, if its merchant gave it one.
    pub async fn factory_name(&self, factory: FactoryId) -> Result<Option<String>> {
        let name: Option<Vec<u8>> = self.query(Message::FactoryName, factory).await?;
        Ok(name.map(|n| crate::fmt::text(&n)))
    }
    /// Registers a product.
    pub async fn register_product(&self, signer: &Signer, info: ProductInput) -> Result<Outcome<()>> {
        self.exec(signer, Message::RegisterProduct, info).await
    }
    /// Registers a lot; returns its ID.
    pub async fn register_lot(&self, signer: &Signer, info: LotInput) -> Result<Outcome<LotId>> {
        self.exec(signer, Message::RegisterLot, info).await
    }
    /// Registers up to `MAX_LOTS_PER_BATCH` lots in one transaction, all or nothing; returns
    /// their IDs in order. A refused batch names its first refused lot as "lot N of the batch
    /// (LOT)" ([`Tracepass::register_lots_naming`]).
    pub async fn register_lots(&self, signer: &Signer, lots: Vec<LotInput>) -> Result<Outcome<Vec<LotId>>> {
        self.register_lots_naming(signer, &lots, |i, lot| format!("lot {} of the batch ({})", i + 1, String::from_utf8_lossy(&lot.lot_number)))
            .await
    }
    /// [`Tracepass::register_lots`], where a refused batch's error is `name(i, lot)` of its first
    /// refused lot and why (found by [`Tracepass::first_refused_lot`]); when every lot alone
    /// would pass (they conflict among themselves), the contract's error.
    pub async fn register_lots_naming(
        &self,
        signer: &Signer,
        lots: &[LotInput],
        name: impl Fn(usize, &LotInput) -> String,
    ) -> Result<Outcome<Vec<LotId>>> {
        match self.exec(signer, Message::RegisterLots, lots).await {
            Err(ClientError::Contract(batch_error)) if lots.len() > 1 => match self.first_refused_lot(signer, lots).await? {
                Some((i, refusal)) => Err(ClientError::Input(format!("{}: {refusal}", name(i, &lots[i])))),
                None => Err(ClientError::Contract(batch_error)),
            },
            other => other,
        }
    }
    /// The first of `lots` that `register_lot` would refuse from `signer`, and why: each is
    /// dry-run alone, nothing signed (how a refused batch names its culprit).
    pub async fn first_refused_lot(&self, signer: &Signer, lots: &[LotInput]) -> Result<Option<(usize, Refusal)>> {
        for (i, lot) in lots.iter().enumerate() {
            let call = self.call::<LotId>(Message::RegisterLot, lot);
            if let Err(refusal) = self.dry_run(signer.account(), &call).await? {
                return Ok(Some((i, refusal)));
            }
        }
        Ok(None)
    }
    /// Appends a trace event.
    pub async fn add_event(
        &self,
        signer: &Signer,
        lot: LotId,
        step: BusinessStep,
        event_time: Timestamp,
        location: Location,
        document_hash: Hash32,
    ) -> Result<Outcome<u32>> {
        self.exec(signer, Message::AddEvent, (lot, step, event_time, location, document_hash)).await
    }
    /// Recalls a lot.
    pub async fn recall(&self, signer: &Signer, lot: LotId, reason: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, Message::Recall, (lot, reason)).await
    }
    /// A lot.
    pub async fn lot(&self, id: LotId) -> Result<Option<Lot>> {
        self.query(Message::Lot, id).await
    }
    /// A product.
    pub async fn product(&self, gtin: Gtin) -> Result<Option<Product>> {
        self.query(Message::Product, gtin).await
    }
    /// A factory.
    pub async fn factory(&self, id: FactoryId) -> Result<Option<Factory>> {
        self.query(Message::Factory, id).await
    }
    /// A lot's trace.
    pub async fn events(&self, lot: LotId) -> Result<Vec<TraceEvent>> {
        self.query(Message::Events, lot).await
    }
    /// Numbers of factories, products, lots.
    pub async fn counts(&self) -> Result<(u32, u32, u64)> {
        self.query(Message::Counts, ()).await
    }
    /// On-chain proof check of an item (`salt`: `None` for lots registered before salts).
    pub async fn verify_item(&self, gtin: Gtin, lot: &[u8], serial: &[u8], salt: Option<Salt>, index: u32, proof: Vec<Node>) -> Result<bool> {
        let r: std::result::Result<bool, Error> =
            self.query(Message::VerifyItem, (gtin, lot.to_vec(), serial.to_vec(), salt, index, proof)).await?;
        r.map_err(ClientError::Contract)
    }
}
