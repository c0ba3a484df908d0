//! `tracepass member propose|approve|execute|list`: consortium membership (and display names)
//! by M-of-N proposals.

use super::{hash_text, Ctx};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use tracepass::chain::parse_account;
use tracepass::fmt::ss58;
use tracepass::contracts::Tracepass;
use tracepass::error::{ClientError, Result};
use tracepass::shared::{check_display_name, Action, AgencyScope, ContractKind, Role};

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum RoleArg {
    Governor,
    Agency,
    Customs,
    Logistics,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Governor => Role::Governor,
            RoleArg::Agency => Role::Agency,
            RoleArg::Customs => Role::Customs,
            RoleArg::Logistics => Role::Logistics,
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum ContractArg {
    Whitelist,
    Registry,
    Sampling,
    Attestation,
}

#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// Propose a governance action (governors); your approval is counted.
    #[command(subcommand)]
    Propose(ProposeCmd),
    /// Approve a proposal (governors).
    Approve {
        /// Proposal ID.
        id: u64,
    },
    /// Execute a proposal that has M approvals (governors).
    Execute {
        /// Proposal ID.
        id: u64,
    },
    /// Governors, threshold and proposals.
    List,
}

#[derive(Subcommand, Debug)]
pub enum ProposeCmd {
    /// Admit a governor, agency, customs or logistics member.
    Add {
        /// The account (SS58 or 0x-hex).
        account: String,
        /// Its role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Organisation name (hashed on chain).
        #[arg(long, default_value = "")]
        name: String,
        /// Agencies: accredited product categories, comma separated.
        #[arg(long, value_delimiter = ',')]
        categories: Vec<u32>,
        /// Agencies: accreditation validity in days from now.
        #[arg(long, default_value_t = 365)]
        valid_days: u64,
    },
    /// Remove a member.
    Remove {
        /// The account.
        account: String,
    },
    /// Replace an agency's accreditation.
    Scope {
        /// The agency.
        account: String,
        /// Accredited product categories, comma separated.
        #[arg(long, value_delimiter = ',', required = true)]
        categories: Vec<u32>,
        /// Validity in days from now.
        #[arg(long, default_value_t = 365)]
        valid_days: u64,
    },
    /// Change M.
    Threshold {
        /// The new threshold.
        value: u8,
    },
    /// Upgrade a contract's code (already uploaded).
    Upgrade {
        /// Which contract.
        #[arg(value_enum)]
        contract: ContractArg,
        /// 0x code hash.
        #[arg(long)]
        code_hash: String,
    },
    /// Revoke an attestation on the consortium's authority.
    RevokeAttestation {
        /// Attestation ID.
        id: u64,
        /// Reason (hashed on chain).
        #[arg(long)]
        reason: String,
    },
    /// Decide a lot's dispute of a failed inspection: release it (needs a valid passing re-test
    /// by another agency) or confirm its hold.
    ResolveDispute {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
        /// Release the lot (else: confirm the hold).
        #[arg(long)]
        release: bool,
    },
    /// Release a held lot that no failed inspection holds (a customs hold, or one whose fail
    /// was revoked).
    ReleaseHold {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
    },
    /// Set the display name consumers see for a merchant or member (stored on chain as text).
    SetName {
        /// The merchant or member (SS58 or 0x-hex).
        account: String,
        /// The name: at most 64 bytes of UTF-8, no control characters; "" removes the name.
        #[arg(long)]
        name: String,
    },
}

const DAY_MS: u64 = 86_400_000;

/// Builds the action of a `propose` command.
pub async fn action(tp: &Tracepass, c: ProposeCmd) -> Result<Action> {
    Ok(match c {
        ProposeCmd::Add { account, role, name, categories, valid_days } => {
            let role: Role = role.into();
            let scope = if role == Role::Agency {
                if categories.is_empty() {
                    return Err(ClientError::Input("an agency needs --categories".into()));
                }
                Some(AgencyScope { categories, valid_until: tp.chain.now_ms().await? + valid_days * DAY_MS })
            } else {
                None
            };
            Action::AddMember { account: parse_account(&account)?, role, name_hash: hash_text(&name), scope }
        }
        ProposeCmd::Remove { account } => Action::RemoveMember { account: parse_account(&account)? },
        ProposeCmd::Scope { account, categories, valid_days } => Action::SetAgencyScope {
            account: parse_account(&account)?,
            scope: AgencyScope { categories, valid_until: tp.chain.now_ms().await? + valid_days * DAY_MS },
        },
        ProposeCmd::Threshold { value } => Action::SetThreshold { threshold: value },
        ProposeCmd::Upgrade { contract, code_hash } => {
            let h: [u8; 32] = hex::decode(code_hash.trim_start_matches("0x"))
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| ClientError::Input(format!("{code_hash}: not a 32-byte hex hash")))?;
            let target = match contract {
                ContractArg::Whitelist => ContractKind::Whitelist,
                ContractArg::Registry => ContractKind::Registry,
                ContractArg::Sampling => ContractKind::Sampling,
                ContractArg::Attestation => ContractKind::Attestation,
            };
            Action::SetCodeHash { target, code_hash: h.into() }
        }
        ProposeCmd::RevokeAttestation { id, reason } => Action::RevokeAttestation { id, reason_hash: hash_text(&reason) },
        ProposeCmd::ResolveDispute { gtin, lot, release } => Action::ResolveDispute {
            lot: super::lot_arg(&gtin, &lot)?,
            release,
        },
        ProposeCmd::ReleaseHold { gtin, lot } => Action::ReleaseHold {
            lot: super::lot_arg(&gtin, &lot)?,
        },
        ProposeCmd::SetName { account, name } => {
            // the contract's own rule, before anything is sent (the dry run checks it again)
            check_display_name(name.as_bytes()).map_err(ClientError::Contract)?;
            Action::SetDisplayName { account: parse_account(&account)?, name: name.into_bytes() }
        }
    })
}

/// Submits a proposal and prints its ID.
pub async fn propose(ctx: &Ctx, tp: &Tracepass, action: Action) -> Result<i32> {
    let signer = ctx.signer()?;
    let text_action = tracepass::fmt::describe_action(&action);
    let out = tp.propose(&signer, action).await?;
    let id = out.value;
    ctx.print_write(
        &format!("proposal {id} created (1 approval): {text_action}\nother governors: tracepass member approve {id}; then tracepass member execute {id}"),
        json!({ "proposal": id, "action": text_action }),
        &out,
    );
    Ok(0)
}

pub async fn run(ctx: &Ctx, c: MemberCmd) -> Result<i32> {
    let tp = ctx.tracepass().await?;
    match c {
        MemberCmd::Propose(p) => {
            let a = action(&tp, p).await?;
            propose(ctx, &tp, a).await
        }
        MemberCmd::Approve { id } => {
            let out = tp.approve(&ctx.signer()?, id).await?;
            let (_, threshold) = tp.governance().await?;
            ctx.print_write(
                &format!("proposal {id}: {} approvals, {threshold} needed", out.value),
                json!({ "proposal": id, "approvals": out.value, "threshold": threshold }),
                &out,
            );
            Ok(0)
        }
        MemberCmd::Execute { id } => {
            let out = tp.execute(&ctx.signer()?, id).await?;
            ctx.print_write(&format!("proposal {id} executed"), json!({ "proposal": id, "executed": true }), &out);
            Ok(0)
        }
        MemberCmd::List => {
            let (governors, threshold) = tp.governance().await?;
            let n = tp.proposal_count().await?;
            let mut lines = vec![format!("governors ({threshold} of {} must approve):", governors.len())];
            lines.extend(governors.iter().map(|g| format!("  {}", ss58(g))));
            let mut props = vec![];
            for id in 1..=n {
                if let Some(p) = tp.proposal(id).await? {
                    let state = if p.executed { "executed" } else { "open" };
                    let what = tracepass::fmt::describe_action(&p.action);
                    lines.push(format!("proposal {id} [{state}, {} approvals, expires at block {}]: {what}", p.approvals.len(), p.expires_at));
                    props.push(json!({ "id": id, "executed": p.executed, "approvals": p.approvals.iter().map(ss58).collect::<Vec<_>>(), "expires_at": p.expires_at, "action": what }));
                }
            }
            ctx.print(
                &lines.join("\n"),
                json!({ "governors": governors.iter().map(ss58).collect::<Vec<_>>(), "threshold": threshold, "proposals": props }),
            );
            Ok(0)
        }
    }
}
