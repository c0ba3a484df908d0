//! Governance and validator-set rules, on the real runtime (`cargo test -p tracepass-runtime`).

use crate::*;
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::Get};
use pallet_session::SessionManager;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{traits::Dispatchable, BuildStorage, DispatchError};

fn acc(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

/// Alice validates; Bob, Charlie and Dave are the council with M = 2 (the dev chain's genesis).
fn ext(multiple_blocks_per_slot: bool) -> sp_io::TestExternalities {
	use Sr25519Keyring::*;
	let keys = SessionKeys {
		aura: AuraId::from(Alice.public()),
		grandpa: GrandpaId::from(Ed25519Keyring::Alice.public()),
	};
	let storage = RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig {
			balances: [Alice, Bob, Charlie, Dave, Eve].iter().map(|k| (acc(*k), 1u128 << 60)).collect(),
		},
		validator_set: validator_set::GenesisConfig {
			validators: vec![acc(Alice)],
			multiple_blocks_per_slot,
		},
		session: pallet_session::GenesisConfig {
			keys: vec![(acc(Alice), acc(Alice), keys)],
			..Default::default()
		},
		council_membership: pallet_membership::GenesisConfig {
			members: vec![acc(Bob), acc(Charlie), acc(Dave)].try_into().unwrap(),
			..Default::default()
		},
		governance: governance::GenesisConfig { threshold: 2, ..Default::default() },
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

fn council(ayes: u32) -> RuntimeOrigin {
	pallet_collective::RawOrigin::<AccountId, CouncilInstance>::Members(ayes, 3).into()
}

/// Proposes `call` as Bob with collective threshold `threshold`; with a threshold above 1, the
/// first `ayes` of Bob, Charlie and Dave vote aye (the proposer does not vote by proposing) and
/// Bob closes it. The dispatch result the collective recorded, or `None` if it never executed.
fn motion(call: RuntimeCall, threshold: u32, ayes: u32) -> Option<Result<(), DispatchError>> {
	use Sr25519Keyring::*;
	let len = codec::Encode::encoded_size(&call) as u32;
	let weight = call.get_dispatch_info().weight;
	let hash = BlakeTwo256::hash_of(&call);
	System::reset_events();
	assert_ok!(Council::propose(RuntimeOrigin::signed(acc(Bob)), threshold, Box::new(call), len));
	if threshold > 1 {
		let index = pallet_collective::ProposalCount::<Runtime, CouncilInstance>::get() - 1;
		for voter in [Bob, Charlie, Dave].iter().take(ayes as usize) {
			assert_ok!(Council::vote(RuntimeOrigin::signed(acc(*voter)), hash, index, true));
		}
		// too early to close without enough ayes: then nothing executes
		let _ = Council::close(RuntimeOrigin::signed(acc(Bob)), hash, index, weight, len);
	}
	System::events().into_iter().find_map(|r| match r.event {
		RuntimeEvent::Council(pallet_collective::Event::Executed { result, .. }) => Some(result),
		_ => None,
	})
}

fn as_root(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Governance(governance::Call::dispatch_as_root { call: Box::new(call) })
}

fn inner_root_result() -> Option<frame_support::dispatch::DispatchResult> {
	System::events().into_iter().find_map(|r| match r.event {
		RuntimeEvent::Governance(governance::Event::DispatchedAsRoot { result }) => Some(result),
		_ => None,
	})
}

use sp_runtime::traits::Hash as _;

#[test]
fn a_root_call_from_one_account_fails() {
	ext(true).execute_with(|| {
		let call = RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 100 });
		for who in [Sr25519Keyring::Alice, Sr25519Keyring::Bob] {
			assert_noop!(
				call.clone().dispatch(RuntimeOrigin::signed(acc(who))),
				DispatchError::BadOrigin
			);
			// the governance pallet wants the council, not a member
			assert_noop!(
				as_root(call.clone()).dispatch(RuntimeOrigin::signed(acc(who))),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn dispatch_as_root_needs_m_ayes() {
	ext(true).execute_with(|| {
		let lower = as_root(RuntimeCall::Governance(governance::Call::set_threshold { threshold: 1 }));
		// M - 1 ayes, proposed with collective threshold 1: it executes at once, with 1 aye, and
		// the governance pallet refuses it
		assert_eq!(motion(lower.clone(), 1, 1), Some(Err(DispatchError::BadOrigin)));
		// M - 1 ayes of a threshold-M motion: it cannot close (and stays open)
		assert_eq!(motion(lower, 2, 1), None);
		assert_eq!(governance::Threshold::<Runtime>::get(), 2);
		// M ayes
		let raise = as_root(RuntimeCall::Governance(governance::Call::set_threshold { threshold: 3 }));
		assert_eq!(motion(raise, 2, 2), Some(Ok(())));
		assert_eq!(inner_root_result(), Some(Ok(())));
		assert_eq!(governance::Threshold::<Runtime>::get(), 3);
	});
}

#[test]
fn validators_change_by_council_only() {
	ext(true).execute_with(|| {
		let eve = acc(Sr25519Keyring::Eve);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(eve.clone()), eve.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(ValidatorSet::add_validator(council(1), eve.clone()), DispatchError::BadOrigin);
		assert_ok!(ValidatorSet::add_validator(council(2), eve.clone()));
		assert_eq!(
			<ValidatorSet as SessionManager<AccountId>>::new_session(2),
			Some(vec![acc(Sr25519Keyring::Alice), eve.clone()])
		);
		assert_eq!(<ValidatorSet as SessionManager<AccountId>>::new_session(3), None);
		assert_ok!(ValidatorSet::remove_validator(council(2), eve));
		assert_noop!(
			ValidatorSet::remove_validator(council(3), acc(Sr25519Keyring::Alice)),
			validator_set::Error::<Runtime>::TooFewValidators
		);
	});
}

#[test]
fn one_block_per_slot_unless_genesis_says_otherwise() {
	ext(false).execute_with(|| {
		assert!(!<Runtime as pallet_aura::Config>::AllowMultipleBlocksPerSlot::get());
	});
	ext(true).execute_with(|| {
		assert!(<Runtime as pallet_aura::Config>::AllowMultipleBlocksPerSlot::get());
	});
}

#[test]
fn genesis_session_fills_aura_and_grandpa() {
	ext(false).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(Grandpa::grandpa_authorities().len(), 1);
		assert_eq!(pallet_collective::Members::<Runtime, CouncilInstance>::get().len(), 3);
	});
}
