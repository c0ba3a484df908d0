//! Typed messages of the whitelist: governance, members, merchants, display names.

use super::{answer, Message, Outcome, Tracepass};
use crate::chain::{AccountId, Signer};
use crate::error::{ClientError, Result};
use tracepass_shared::bounds::MAX_NAMES_PER_READ;
use tracepass_shared::*;

impl Tracepass {
    /// Proposes a governance action; returns the proposal ID.
    pub async fn propose(&self, signer: &Signer, action: Action) -> Result<Outcome<ProposalId>> {
        self.exec(signer, Message::Propose, action).await
    }
    /// Approves a proposal; returns its approvals.
    pub async fn approve(&self, signer: &Signer, id: ProposalId) -> Result<Outcome<u32>> {
        self.exec(signer, Message::Approve, id).await
    }
    /// Executes a proposal.
    pub async fn execute(&self, signer: &Signer, id: ProposalId) -> Result<Outcome<()>> {
        self.exec(signer, Message::Execute, id).await
    }
    /// Runs `action` through governance: the first signer proposes, the others approve, the
    /// last executes; returns the execution's outcome. For scripts and tests where one process
    /// holds M governors' keys; governors otherwise vote from their own machines.
    pub async fn pass(&self, governors: &[&Signer], action: Action) -> Result<Outcome<()>> {
        let (first, rest) = governors.split_first().ok_or_else(|| ClientError::Input("pass: no governor".into()))?;
        let id = self.propose(first, action).await?.value;
        for g in rest {
            self.approve(g, id).await?;
        }
        self.execute(governors[governors.len() - 1], id).await
    }
    /// Suspends a merchant (any one governor): it lapses unless governance confirms it.
    pub async fn suspend_merchant(&self, signer: &Signer, account: AccountId, reason: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, Message::SuspendMerchant, (account, reason)).await
    }
    /// A merchant's record.
    pub async fn merchant(&self, who: AccountId) -> Result<Option<Merchant>> {
        self.query(Message::Merchant, who).await
    }
    /// A merchant's record (its status as of now) with its brands, suspension and revocation
    /// block, in one dry run.
    pub async fn merchant_standing(&self, who: AccountId) -> Result<Option<(Merchant, MerchantStanding)>> {
        self.query(Message::MerchantStanding, who).await
    }
    /// A member's record.
    pub async fn member(&self, who: AccountId) -> Result<Option<Member>> {
        self.query(Message::Member, who).await
    }
    /// Role of an account.
    pub async fn role_of(&self, who: AccountId) -> Result<Option<Role>> {
        self.query(Message::RoleOf, who).await
    }
    /// The governors and the threshold.
    pub async fn governance(&self) -> Result<(Vec<AccountId>, u8)> {
        Ok((self.query(Message::Governors, ()).await?, self.query(Message::Threshold, ()).await?))
    }
    /// A proposal.
    pub async fn proposal(&self, id: ProposalId) -> Result<Option<Proposal>> {
        self.query(Message::Proposal, id).await
    }
    /// Number of proposals.
    pub async fn proposal_count(&self) -> Result<ProposalId> {
        self.query(Message::ProposalCount, ()).await
    }
    /// The display name of a merchant or member, if governance gave it one (set by a
    /// proposal of `Action::SetDisplayName`).
    pub async fn display_name(&self, account: AccountId) -> Result<Option<String>> {
        let name: Option<Vec<u8>> = self.query(Message::DisplayName, account).await?;
        Ok(name.map(|n| crate::fmt::text(&n)))
    }
    /// The display names of `accounts`, in order (`None`: no name), read at one block: one dry
    /// run per `MAX_NAMES_PER_READ` accounts, all in one JSON-RPC batch (one dry run for a
    /// page's names). Nothing is sent for an empty list.
    pub async fn display_names(&self, accounts: Vec<AccountId>) -> Result<Vec<Option<String>>> {
        if accounts.is_empty() {
            return Ok(vec![]);
        }
        let reads = accounts.chunks(MAX_NAMES_PER_READ as usize).map(|c| self.read(Message::DisplayNames, c)).collect();
        let mut names = Vec::with_capacity(accounts.len());
        for out in self.chain.read_many(reads).await? {
            let chunk: std::result::Result<Vec<Option<Vec<u8>>>, Error> = answer(out)?;
            names.extend(chunk.map_err(ClientError::Contract)?.into_iter().map(|n| n.map(|n| crate::fmt::text(&n))));
        }
        if names.len() != accounts.len() {
            return Err(ClientError::Chain(format!("{} display names for {} accounts", names.len(), accounts.len())));
        }
        Ok(names)
    }
}
