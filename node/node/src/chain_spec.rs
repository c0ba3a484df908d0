//! Built-in chain specs: `dev` (what `--dev` runs) and `local` (four validators with the dev
//! keys, for a loopback network without a generated spec). A real consortium's spec is a JSON
//! file generated from `chain-spec/consortium.json` (see chain-spec/README.md); no spec here or
//! there has a sudo key.

use sc_service::ChainType;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use tracepass_runtime::{AccountId, SessionKeys};
#[cfg(feature = "runtime-wasm")]
use tracepass_runtime_wasm::WASM_BINARY;
/// Built without the `runtime-wasm` feature (type checks only): no runtime to put in a spec.
#[cfg(not(feature = "runtime-wasm"))]
const WASM_BINARY: Option<&[u8]> = None;

/// The chain spec type: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

const NO_WASM: &str =
	"this tracepass-node was built without its runtime wasm (SKIP_WASM_BUILD or no runtime-wasm feature)";

/// Balance of each pre-funded development account (substrate-contracts-node's dev value).
const DEV_ENDOWMENT: u128 = 1u128 << 60;

/// One validator of a built-in spec: its account and session keys.
struct Validator {
	account: AccountId,
	aura: AuraId,
	grandpa: GrandpaId,
}

fn dev_validator(who: Sr25519Keyring, gran: Ed25519Keyring) -> Validator {
	Validator {
		account: who.to_account_id(),
		aura: AuraId::from(who.public()),
		grandpa: GrandpaId::from(gran.public()),
	}
}

/// substrate-contracts-node's dev accounts: Alice..Ferdie and their `//stash` accounts.
fn dev_accounts() -> Vec<AccountId> {
	use Sr25519Keyring::*;
	[
		Alice, AliceStash, Bob, BobStash, Charlie, CharlieStash, Dave, DaveStash, Eve, EveStash,
		Ferdie, FerdieStash,
	]
	.into_iter()
	.map(|k| k.to_account_id())
	.collect()
}

/// The genesis patch shared by the built-in specs.
///
/// - `validatorSet`: the validators; `multipleBlocksPerSlot` only for the instant-seal dev chain
///   (see the "time" comment in the runtime).
/// - `session.keys`: each validator's Aura and GRANDPA keys; Aura's and GRANDPA's own genesis
///   authorities stay empty (Session fills them).
/// - `councilMembership.members` + `governance.threshold`: the council and its M.
/// - `nodeAuthorization.nodes`: `[peer id bytes, owner]` pairs (none for the built-in specs:
///   their node keys are not fixed).
fn genesis(
	validators: &[Validator],
	endowed: &[AccountId],
	council: &[AccountId],
	threshold: u32,
	multiple_blocks_per_slot: bool,
) -> serde_json::Value {
	let keys: Vec<_> = validators
		.iter()
		.map(|v| {
			(
				v.account.clone(),
				v.account.clone(),
				SessionKeys { aura: v.aura.clone(), grandpa: v.grandpa.clone() },
			)
		})
		.collect();
	serde_json::json!({
		"balances": {
			"balances": endowed.iter().map(|a| (a.clone(), DEV_ENDOWMENT)).collect::<Vec<_>>(),
		},
		"validatorSet": {
			"validators": validators.iter().map(|v| v.account.clone()).collect::<Vec<_>>(),
			"multipleBlocksPerSlot": multiple_blocks_per_slot,
		},
		"session": { "keys": keys },
		"councilMembership": { "members": council },
		"governance": { "threshold": threshold },
		"nodeAuthorization": { "nodes": [] },
	})
}

fn properties() -> sc_service::Properties {
	let mut p = sc_service::Properties::new();
	p.insert("tokenSymbol".into(), "TRACE".into());
	p.insert("tokenDecimals".into(), 12.into());
	p.insert("ss58Format".into(), 42.into());
	p
}

/// `--dev`: Alice alone seals (instant seal), the dev accounts are funded, and the council is
/// Bob, Charlie and Dave with M = 2 (the demo's whitelist governors).
pub fn development_config() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(
		WASM_BINARY.ok_or(NO_WASM)?,
		Default::default(),
	)
	.with_name("Development")
	.with_id("dev")
	.with_chain_type(ChainType::Development)
	.with_properties(properties())
	.with_genesis_config_patch(genesis(
		&[dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		&dev_accounts(),
		&[
			Sr25519Keyring::Bob.to_account_id(),
			Sr25519Keyring::Charlie.to_account_id(),
			Sr25519Keyring::Dave.to_account_id(),
		],
		2,
		true,
	))
	.build())
}

/// `--chain local`: Alice, Bob, Charlie and Dave validate with Aura + GRANDPA (one block per
/// slot); the council is the same four, M = 3. Node authorization is empty, so this spec is for
/// trying the consensus service only; the permissioned consortium spec is generated.
pub fn local_config() -> Result<ChainSpec, String> {
	use Ed25519Keyring as E;
	use Sr25519Keyring as S;
	let validators = [
		dev_validator(S::Alice, E::Alice),
		dev_validator(S::Bob, E::Bob),
		dev_validator(S::Charlie, E::Charlie),
		dev_validator(S::Dave, E::Dave),
	];
	let council: Vec<_> = validators.iter().map(|v| v.account.clone()).collect();
	Ok(ChainSpec::builder(
		WASM_BINARY.ok_or(NO_WASM)?,
		Default::default(),
	)
	.with_name("tracepass local")
	.with_id("tracepass_local")
	.with_chain_type(ChainType::Local)
	.with_properties(properties())
	.with_genesis_config_patch(genesis(&validators, &dev_accounts(), &council, 3, false))
	.build())
}
