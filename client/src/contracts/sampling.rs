//! Typed messages of the sampling contract: commit-reveal epochs, selection, rules.

use super::{Message, Outcome, Tracepass};
use crate::chain::Signer;
use crate::error::Result;
use tracepass_shared::*;

impl Tracepass {
    /// Commits to a secret for an epoch.
    pub async fn commit(&self, signer: &Signer, epoch: u32, hash: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, Message::Commit, (epoch, hash)).await
    }
    /// Reveals a secret.
    pub async fn reveal(&self, signer: &Signer, epoch: u32, secret: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, Message::Reveal, (epoch, secret)).await
    }
    /// Finalises an epoch.
    pub async fn finalize(&self, signer: &Signer, epoch: u32) -> Result<Outcome<Option<Hash32>>> {
        self.exec(signer, Message::Finalize, epoch).await
    }
    /// Selection status of a lot.
    pub async fn selection(&self, lot: LotId) -> Result<Selection> {
        self.query(Message::Selection, lot).await
    }
    /// What sampling fixed for a lot.
    pub async fn lot_sample(&self, lot: LotId) -> Result<Option<LotSample>> {
        self.query(Message::LotSample, lot).await
    }
    /// The current epoch.
    pub async fn current_epoch(&self) -> Result<u32> {
        self.query(Message::CurrentEpoch, ()).await
    }
    /// When epoch 0 opened, the epoch length and the reveal window (ms of chain time).
    pub async fn timing(&self) -> Result<(u64, u64, u64)> {
        self.query(Message::Timing, ()).await
    }
    /// An epoch's status.
    pub async fn epoch_status(&self, epoch: u32) -> Result<EpochView> {
        self.query(Message::EpochStatus, epoch).await
    }
    /// The sampling rules.
    pub async fn rules(&self) -> Result<Vec<(RuleKey, u16)>> {
        self.query(Message::Rules, ()).await
    }
}
