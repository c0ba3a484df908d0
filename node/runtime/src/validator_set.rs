//! The consortium's validator set, changed only by the council.
//!
//! No maintained validator-set pallet exists on crates.io for this release, and
//! pallet-collator-selection is built around candidacy bonds and cumulus-style collators; the
//! consortium needs much less: a list of member accounts that validate, changed by a council
//! vote. This pallet is that list, and it is pallet-session's `SessionManager`.
//!
//! - `add_validator` / `remove_validator`: `UpdateOrigin` only (the council's M-of-N origin, or
//!   Root, which is itself reachable only through the council; see `governance`).
//! - A change is handed to pallet-session at the next session rotation and, as pallet-session
//!   queues one session ahead, takes effect as Aura/GRANDPA authorities one session later: at most
//!   two sessions after the vote. A validator also needs session keys (`Session::set_keys`, signed
//!   by its account, or given at genesis); pallet-session leaves out validators without keys.
//! - At least `MinValidators` stay in the set (an empty Aura set stops the chain).
//!
//! It also holds one chain parameter set at genesis, `MultipleBlocksPerSlot`, read by pallet-aura
//! through [`AllowMultipleBlocksPerSlot`]: see the comment on the Aura config in `lib.rs`.

pub use pallet::*;

#[frame_support::pallet]
pub mod pallet {
	use alloc::vec::Vec;
	use frame_support::{pallet_prelude::*, traits::EnsureOrigin};
	use frame_system::pallet_prelude::*;
	use sp_staking::SessionIndex;

	#[pallet::config]
	pub trait Config: frame_system::Config {
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// Who may add or remove a validator.
		type UpdateOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Upper bound of the set (also bounds Aura's and GRANDPA's authority lists).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// `remove_validator` refuses to go below this many validators.
		#[pallet::constant]
		type MinValidators: Get<u32>;
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The validators, in the order they were added.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Set when `Validators` changed since the last session rotation.
	#[pallet::storage]
	pub type Changed<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Whether pallet-aura accepts several blocks in one slot. Only a single-authority
	/// instant-seal development chain sets it (at genesis); a validator chain keeps `false`, one
	/// block per slot. There is no call to change it: only a runtime upgrade or a council-approved
	/// `System::set_storage` could.
	#[pallet::storage]
	pub type MultipleBlocksPerSlot<T: Config> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		pub validators: Vec<T::AccountId>,
		pub multiple_blocks_per_slot: bool,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut seen = alloc::collections::BTreeSet::new();
			for v in &self.validators {
				assert!(seen.insert(v.clone()), "validatorSet.validators: duplicate validator");
			}
			assert!(
				self.validators.len() as u32 >= T::MinValidators::get(),
				"validatorSet.validators: fewer than MinValidators"
			);
			let bounded: BoundedVec<_, T::MaxValidators> = self
				.validators
				.clone()
				.try_into()
				.expect("validatorSet.validators: more than MaxValidators");
			Validators::<T>::put(bounded);
			MultipleBlocksPerSlot::<T>::put(self.multiple_blocks_per_slot);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Added; an authority from the session after next (if it has session keys).
		ValidatorAdded { who: T::AccountId },
		/// Removed; leaves the authorities from the session after next.
		ValidatorRemoved { who: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		AlreadyValidator,
		NotValidator,
		TooManyValidators,
		TooFewValidators,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		#[pallet::call_index(0)]
		#[pallet::weight(T::DbWeight::get().reads_writes(1, 2).saturating_add(Weight::from_parts(20_000_000, 0)))]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::UpdateOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|set| -> DispatchResult {
				ensure!(!set.contains(&who), Error::<T>::AlreadyValidator);
				set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
				Ok(())
			})?;
			Changed::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		#[pallet::call_index(1)]
		#[pallet::weight(T::DbWeight::get().reads_writes(1, 2).saturating_add(Weight::from_parts(20_000_000, 0)))]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::UpdateOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|set| -> DispatchResult {
				let at = set.iter().position(|v| v == &who).ok_or(Error::<T>::NotValidator)?;
				ensure!(set.len() as u32 > T::MinValidators::get(), Error::<T>::TooFewValidators);
				set.remove(at);
				Ok(())
			})?;
			Changed::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		fn new_session(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
			if Changed::<T>::take() {
				Some(Validators::<T>::get().into_inner())
			} else {
				None
			}
		}

		fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
			Some(Validators::<T>::get().into_inner())
		}

		fn end_session(_end_index: SessionIndex) {}
		fn start_session(_start_index: SessionIndex) {}
	}

	/// `Get<bool>` for `pallet_aura::Config::AllowMultipleBlocksPerSlot`.
	pub struct AllowMultipleBlocksPerSlot<T>(core::marker::PhantomData<T>);
	impl<T: Config> Get<bool> for AllowMultipleBlocksPerSlot<T> {
		fn get() -> bool {
			MultipleBlocksPerSlot::<T>::get()
		}
	}
}
