//! Council governance: the council's M-of-N vote is the chain's only root-like authority.
//!
//! There is no pallet-sudo. pallet-collective (instance `Council`, members seeded and managed by
//! pallet-membership) runs the votes; a motion that reached its threshold is dispatched with
//! origin `pallet_collective::RawOrigin::Members(ayes, seats)`. This pallet turns that into what
//! the rest of the runtime accepts:
//!
//! - [`EnsureCouncil`]: an `EnsureOrigin` that passes a collective origin with at least
//!   `Threshold` ayes. `Threshold` is the M of the consortium's M-of-N, set at genesis (the same M
//!   as the whitelist contract's governors). Checking the number of ayes in the runtime, rather
//!   than trusting the threshold the proposer chose, means a member proposing with threshold 1
//!   (which executes at once with one aye) gets nothing.
//! - `dispatch_as_root(call)`: `EnsureCouncil` only; dispatches `call` as Root. This is the one
//!   way to Root on this chain: `System::authorize_upgrade` (then anyone may
//!   `apply_authorized_upgrade` with the code), `Grandpa::note_stalled`, `Balances::force_*`
//!   (funding a new member), `set_threshold`.
//! - `set_threshold(m)`: Root only (so: a council vote wrapped in `dispatch_as_root`).
//!
//! Votes abstained count as nays ([`NayDefaultVote`]): no prime member's default vote can add
//! ayes.

pub use pallet::*;

#[frame_support::pallet]
pub mod pallet {
	use alloc::boxed::Box;
	use frame_support::{
		dispatch::{GetDispatchInfo, PostDispatchInfo},
		pallet_prelude::*,
		traits::{EnsureOrigin, UnfilteredDispatchable},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Dispatchable;

	#[pallet::config]
	pub trait Config: frame_system::Config {
		type RuntimeEvent: From<Event> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		type RuntimeCall: Parameter
			+ Dispatchable<RuntimeOrigin = Self::RuntimeOrigin, PostInfo = PostDispatchInfo>
			+ UnfilteredDispatchable<RuntimeOrigin = Self::RuntimeOrigin>
			+ GetDispatchInfo;
		/// The council's M-of-N origin (normally [`EnsureCouncil`]).
		type CouncilOrigin: EnsureOrigin<Self::RuntimeOrigin>;
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// M: the number of council ayes a motion needs to act for the chain.
	#[pallet::storage]
	pub type Threshold<T: Config> = StorageValue<_, u32, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		pub threshold: u32,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(self.threshold >= 1, "governance.threshold: must be at least 1");
			Threshold::<T>::put(self.threshold);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event {
		/// A council motion was dispatched as Root.
		DispatchedAsRoot { result: DispatchResult },
		ThresholdSet { threshold: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A threshold must be at least 1.
		ZeroThreshold,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		#[pallet::call_index(0)]
		#[pallet::weight({
			let info = call.get_dispatch_info();
			(info.weight.saturating_add(Weight::from_parts(10_000_000, 0)), info.class)
		})]
		pub fn dispatch_as_root(
			origin: OriginFor<T>,
			call: Box<<T as Config>::RuntimeCall>,
		) -> DispatchResultWithPostInfo {
			T::CouncilOrigin::ensure_origin(origin)?;
			let result = call.dispatch_bypass_filter(frame_system::RawOrigin::Root.into());
			Self::deposit_event(Event::DispatchedAsRoot {
				result: result.map(|_| ()).map_err(|e| e.error),
			});
			Ok(Pays::No.into())
		}

		#[pallet::call_index(1)]
		#[pallet::weight(T::DbWeight::get().writes(1).saturating_add(Weight::from_parts(10_000_000, 0)))]
		pub fn set_threshold(origin: OriginFor<T>, threshold: u32) -> DispatchResult {
			ensure_root(origin)?;
			ensure!(threshold >= 1, Error::<T>::ZeroThreshold);
			Threshold::<T>::put(threshold);
			Self::deposit_event(Event::ThresholdSet { threshold });
			Ok(())
		}
	}

	/// Passes a `pallet_collective` origin of instance `I` with at least `Threshold` ayes.
	pub struct EnsureCouncil<T, AccountId, I>(core::marker::PhantomData<(T, AccountId, I)>);

	impl<O, T, AccountId, I> EnsureOrigin<O> for EnsureCouncil<T, AccountId, I>
	where
		O: Into<Result<pallet_collective::RawOrigin<AccountId, I>, O>>
			+ From<pallet_collective::RawOrigin<AccountId, I>>,
		T: Config,
		I: 'static,
	{
		type Success = ();

		fn try_origin(o: O) -> Result<Self::Success, O> {
			o.into().and_then(|o| match o {
				pallet_collective::RawOrigin::Members(ayes, _seats)
					if ayes >= Threshold::<T>::get().max(1) =>
					Ok(()),
				other => Err(O::from(other)),
			})
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn try_successful_origin() -> Result<O, ()> {
			let m = Threshold::<T>::get().max(1);
			Ok(O::from(pallet_collective::RawOrigin::Members(m, m)))
		}
	}

	/// Abstentions count as nays.
	pub struct NayDefaultVote;
	impl pallet_collective::DefaultVote for NayDefaultVote {
		fn default_vote(
			_prime_vote: Option<bool>,
			_yes_votes: u32,
			_no_votes: u32,
			_len: u32,
		) -> bool {
			false
		}
	}
}
