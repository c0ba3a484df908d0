//! # registry: the archive of factories, products, lots and trace events
//!
//! ## Overview
//! - **Factories**: registered by active merchants; sequential IDs. A factory's merchant (while
//!   active) may give it a display name (`set_factory_name`, `check_display_name`), kept beside
//!   the `Factory` record, whose layout is unchanged.
//! - **Products** (SKU classes) keyed by GTIN-14: the registering merchant must be allowed to
//!   register the GTIN (active, GTIN under one of its GS1 company prefixes), be authorised for
//!   the product's brand (`WhitelistApi::check_product`) and own the factory.
//! - **Lots**: one transaction per lot, whatever its size: the lot commits to all its items by
//!   the Merkle root over their digital IDs (`tracepass_shared::merkle`). The registry records the
//!   lot with the sampling contract at registration, which fixes its sampling epoch and rate.
//! - **Items**: an item's digital ID is `salted_item_id(GTIN, lot, serial, salt)`, the salt a
//!   secret 64 bits known to the merchant and carried by the item's code (lots registered before
//!   salts use `item_id(GTIN, lot, serial)`); [`Registry::verify_item`] checks its proof against
//!   the stored root, so a verifier trusting no server can check it.
//! - **Trace events**: append-only, at most `MAX_EVENTS_PER_LOT` per lot, each by a role entitled
//!   to its business step (`BusinessStep::allowed_for`), at a location that passes
//!   `Location::check`; shipping, arrival, customs clearance and holding move the lot's status.
//! - **Status**: Registered -> InTransit -> AtCustoms -> Cleared, Held -> Released, Recalled from any
//!   state (final), by the lot's merchant (`recall`) or by governance's vote through the
//!   whitelist (`RegistryGovernance::recall_by_governance`), never by one governor alone. Only legal transitions (`LotStatus::can_become`), each by its entitled role;
//!   the attestation contract applies inspection and clearance effects through `apply_status`.
//!
//! ## Invariants
//! - A lot's root, item count, GTIN and lot number never change after registration.
//! - Re-registering an identical product or lot is a no-op (same ID, no event); a different one
//!   under the same key is an error. A client may therefore retry any registration safely.
//! - `event_count` of a lot equals the number of stored events of that lot.
//!
//! ## Error policy
//! Every caller error is an [`Error`] variant returned as `Err` (the call's changes are reverted);
//! no caller input makes a message panic (running out of factory IDs is `TooManyFactories`);
//! `apply_status` checks its caller with `calls::ensure_caller_is`. Events are emitted only on
//! state change.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod registry {
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;
    use tracepass_shared::bounds::*;
    use tracepass_shared::merkle::{self, Node};
    use tracepass_shared::traits::*;
    use tracepass_shared::*;
    use tracepass_shared::calls as ext;

    /// The archive.
    #[ink(storage)]
    pub struct Registry {
        /// The whitelist, asked who callers are.
        whitelist: AccountId,
        /// The sampling contract, told of every new lot.
        sampling: AccountId,
        /// Factories by ID.
        factories: Mapping<FactoryId, Factory>,
        /// Number of factories; the last ID issued.
        factory_count: u32,
        /// Products by GTIN-14.
        products: Mapping<Gtin, Product>,
        /// Number of products.
        product_count: u32,
        /// Lots by lot ID.
        lots: Mapping<LotId, Lot>,
        /// Number of lots.
        lot_count: u64,
        /// Trace events by (lot, index from 0).
        events: Mapping<(LotId, u32), TraceEvent>,
        /// Display names of factories, set by their merchants (never empty: an empty name
        /// removes the entry). Beside `factories` so the `Factory` layout is unchanged.
        factory_names: Mapping<FactoryId, Vec<u8>>,
    }

    /// A factory was registered.
    #[ink(event)]
    pub struct FactoryRegistered {
        #[ink(topic)]
        pub id: FactoryId,
        #[ink(topic)]
        pub merchant: AccountId,
        pub country: CountryCode,
    }

    /// A factory's display name changed (an empty `name`: removed).
    #[ink(event)]
    pub struct FactoryNamed {
        #[ink(topic)]
        pub factory: FactoryId,
        pub name: Vec<u8>,
    }

    /// A product was registered: with everything the merchant gave, so an indexer needs no
    /// state read (a pruned node keeps blocks and events, not old state).
    #[ink(event)]
    pub struct ProductRegistered {
        #[ink(topic)]
        pub gtin: Gtin,
        #[ink(topic)]
        pub merchant: AccountId,
        pub info: ProductInput,
    }

    /// A lot was registered, with everything the merchant gave.
    #[ink(event)]
    pub struct LotRegistered {
        #[ink(topic)]
        pub lot: LotId,
        #[ink(topic)]
        pub gtin: Gtin,
        #[ink(topic)]
        pub merchant: AccountId,
        pub info: LotInput,
    }

    /// A trace event was appended: the whole record (time, place, document).
    #[ink(event)]
    pub struct TraceEventAdded {
        #[ink(topic)]
        pub lot: LotId,
        #[ink(topic)]
        pub actor: AccountId,
        pub index: u32,
        pub event: TraceEvent,
    }

    /// A lot's status changed.
    #[ink(event)]
    pub struct LotStatusChanged {
        #[ink(topic)]
        pub lot: LotId,
        pub from: LotStatus,
        pub to: LotStatus,
    }

    /// A lot was recalled.
    #[ink(event)]
    pub struct LotRecalled {
        #[ink(topic)]
        pub lot: LotId,
        #[ink(topic)]
        pub by: AccountId,
        pub reason_hash: Hash32,
    }

    impl Registry {
        /// Creates the registry over a whitelist and a sampling contract.
        #[ink(constructor)]
        pub fn new(whitelist: AccountId, sampling: AccountId) -> Self {
            Self {
                whitelist,
                sampling,
                factories: Mapping::default(),
                factory_count: 0,
                products: Mapping::default(),
                product_count: 0,
                lots: Mapping::default(),
                lot_count: 0,
                events: Mapping::default(),
                factory_names: Mapping::default(),
            }
        }

        /// Registers a factory (active merchants); returns its ID.
        #[ink(message)]
        pub fn register_factory(&mut self, country: CountryCode, name_hash: Hash32) -> Result<FactoryId> {
            let caller = self.env().caller();
            self.ensure_merchant(caller)?;
            if !country.is_valid() {
                return Err(Error::Invalid(Field::Country));
            }
            let id = self.factory_count.checked_add(1).ok_or(Error::TooManyFactories)?;
            self.factories.insert(id, &Factory { merchant: caller, country, name_hash });
            self.factory_count = id;
            self.env().emit_event(FactoryRegistered { id, merchant: caller, country });
            Ok(id)
        }

        /// Sets the display name of `factory` (its merchant only, while active; an empty name
        /// removes it). Emits `FactoryNamed` only when the name changes.
        #[ink(message)]
        pub fn set_factory_name(&mut self, factory: FactoryId, name: Vec<u8>) -> Result<()> {
            let caller = self.env().caller();
            self.ensure_merchant(caller)?;
            check_display_name(&name)?;
            let f = self.factories.get(factory).ok_or(Error::FactoryNotFound)?;
            if f.merchant != caller {
                return Err(Error::NotOwner { account: caller });
            }
            if self.factory_names.get(factory).unwrap_or_default() == name {
                return Ok(());
            }
            if name.is_empty() {
                self.factory_names.remove(factory);
            } else {
                self.factory_names.insert(factory, &name);
            }
            self.env().emit_event(FactoryNamed { factory, name });
            Ok(())
        }

        /// Registers a product (active merchants, for GTINs under their prefixes, at their own
        /// factories). Re-registering the identical product is a no-op.
        #[ink(message)]
        pub fn register_product(&mut self, info: ProductInput) -> Result<()> {
            let caller = self.env().caller();
            self.ensure_merchant(caller)?;
            Self::check_product(&info)?;
            if let Some(existing) = self.products.get(info.gtin) {
                return if existing.merchant == caller && existing.info == info {
                    Ok(())
                } else {
                    Err(Error::ProductExists)
                };
            }
            ext::check_product(self.whitelist, caller, info.gtin, info.brand.clone())?;
            let factory = self.factories.get(info.factory).ok_or(Error::FactoryNotFound)?;
            if factory.merchant != caller {
                return Err(Error::NotOwner { account: caller });
            }
            let gtin = info.gtin;
            self.products.insert(
                gtin,
                &Product { info: info.clone(), merchant: caller, registered_at: self.env().block_number() },
            );
            self.product_count = self.product_count.saturating_add(1);
            self.env().emit_event(ProductRegistered { gtin, merchant: caller, info });
            Ok(())
        }

        /// Registers a lot of the caller's product, committing to its items by their Merkle
        /// root, and records it for sampling. Returns the lot ID. Re-registering the identical lot
        /// returns the same ID and changes nothing.
        #[ink(message)]
        pub fn register_lot(&mut self, info: LotInput) -> Result<LotId> {
            let caller = self.env().caller();
            let merchant = self.ensure_merchant(caller)?;
            Self::check_lot_input(&info)?;
            let product = self.products.get(info.gtin).ok_or(Error::ProductNotFound)?;
            let new = self.admit_lot(caller, &merchant, &info, &product)?;
            let id = lot_id(&info.gtin, &info.lot_number);
            if !new {
                return Ok(id); // registered identically before
            }
            let event = LotRegistered { lot: id, gtin: info.gtin, merchant: caller, info: info.clone() };
            self.store_lot(caller, id, info);
            ext::record_lot(self.sampling, id, caller, product.info.category, product.info.origin, merchant.tier)?;
            self.env().emit_event(event);
            Ok(id)
        }

        /// Registers up to `MAX_LOTS_PER_BATCH` lots of the caller's products in one call: for
        /// each lot the checks and effects of [`Self::register_lot`], with one merchant check,
        /// one read per distinct product and one call to the sampling contract for the batch.
        /// All or nothing: the first lot `register_lot` would refuse fails the batch with that
        /// lot's error before anything is stored. Returns the IDs in input order; a lot already
        /// registered identically, or repeated identically in the batch, keeps its ID and
        /// changes nothing.
        #[ink(message)]
        pub fn register_lots(&mut self, lots: Vec<LotInput>) -> Result<Vec<LotId>> {
            let caller = self.env().caller();
            let merchant = self.ensure_merchant(caller)?;
            if lots.is_empty() || lots.len() > MAX_LOTS_PER_BATCH as usize {
                return Err(Error::Invalid(Field::BatchSize));
            }
            // every lot is checked before anything is stored, so an error leaves no trace even
            // where a failed call is not reverted (ink!'s off-chain tests)
            let mut products: Vec<Product> = Vec::new();
            let mut ids: Vec<LotId> = Vec::with_capacity(lots.len());
            // per lot: Some((category, origin)) if this call stores it
            let mut fresh: Vec<Option<(Category, CountryCode)>> = Vec::with_capacity(lots.len());
            for info in &lots {
                Self::check_lot_input(info)?;
                let id = lot_id(&info.gtin, &info.lot_number);
                // the same lot again in this batch: identical is a no-op, different a conflict
                if let Some(j) = ids.iter().position(|earlier| *earlier == id) {
                    if lots.get(j) != Some(info) {
                        return Err(Error::LotConflict);
                    }
                    ids.push(id);
                    fresh.push(None);
                    continue;
                }
                if !products.iter().any(|p| p.info.gtin == info.gtin) {
                    products.push(self.products.get(info.gtin).ok_or(Error::ProductNotFound)?);
                }
                let product = products.iter().find(|p| p.info.gtin == info.gtin).ok_or(Error::ProductNotFound)?;
                let new = self.admit_lot(caller, &merchant, info, product)?;
                fresh.push(new.then_some((product.info.category, product.info.origin)));
                ids.push(id);
            }
            let mut records = Vec::new();
            let mut registered = Vec::new();
            for ((info, id), new) in lots.into_iter().zip(ids.iter().copied()).zip(fresh) {
                let Some((category, origin)) = new else { continue };
                registered.push(LotRegistered { lot: id, gtin: info.gtin, merchant: caller, info: info.clone() });
                self.store_lot(caller, id, info);
                records.push((id, category, origin));
            }
            if records.is_empty() {
                return Ok(ids); // every lot was already registered identically
            }
            ext::record_lots(self.sampling, caller, merchant.tier, records)?;
            for ev in registered {
                self.env().emit_event(ev);
            }
            Ok(ids)
        }

        /// Appends a trace event to a lot. The caller's role must be entitled to the step
        /// (`BusinessStep::allowed_for`); a status-moving step must be a legal transition.
        /// Returns the event's index.
        #[ink(message)]
        pub fn add_event(
            &mut self,
            lot: LotId,
            step: BusinessStep,
            event_time: Timestamp,
            location: Location,
            document_hash: Hash32,
        ) -> Result<u32> {
            let caller = self.env().caller();
            let mut l = self.lots.get(lot).ok_or(Error::LotNotFound)?;
            let role = ext::role_of(self.whitelist, caller);
            let is_owner = l.merchant == caller && self.ensure_merchant(caller).is_ok();
            if role.is_none() {
                return Err(Error::Unauthorized { account: caller, role: step.required_role() });
            }
            if !step.allowed_for(role, is_owner) {
                return Err(Error::StepNotAllowed(step));
            }
            location.check()?;
            let now = self.env().block_timestamp();
            if event_time > now {
                return Err(Error::Invalid(Field::EventTime));
            }
            if l.event_count >= MAX_EVENTS_PER_LOT {
                return Err(Error::TooManyEvents);
            }
            let from = l.status;
            if let Some(to) = step.moves_to() {
                if !from.can_become(to) {
                    return Err(Error::IllegalTransition { from, to });
                }
                l.status = to;
            }
            let index = self.append(&mut l, lot, TraceEvent {
                step,
                actor: caller,
                event_time,
                recorded_at: now,
                location,
                document_hash,
            });
            self.lots.insert(lot, &l);
            if l.status != from {
                self.env().emit_event(LotStatusChanged { lot, from, to: l.status });
            }
            Ok(index)
        }

        /// Recalls a lot (its merchant; governors recall by proposal, `Action::RecallLot`),
        /// with the hash of the recall notice.
        #[ink(message)]
        pub fn recall(&mut self, lot: LotId, reason_hash: Hash32) -> Result<()> {
            let caller = self.env().caller();
            let l = self.lots.get(lot).ok_or(Error::LotNotFound)?;
            if l.merchant != caller {
                return Err(Error::NotOwner { account: caller });
            }
            self.recall_as(caller, lot, l, reason_hash)
        }

        /// Recalls lot `l` on `caller`'s authority (checked by the message).
        fn recall_as(&mut self, caller: AccountId, lot: LotId, mut l: Lot, reason_hash: Hash32) -> Result<()> {
            let from = l.status;
            if !from.can_become(LotStatus::Recalled) {
                return Err(Error::IllegalTransition { from, to: LotStatus::Recalled });
            }
            l.status = LotStatus::Recalled;
            l.recall_reason = Some(reason_hash);
            // The recall is recorded in the trace when there is room; the status change and
            // its reason are recorded whatever the trace's length.
            if l.event_count < MAX_EVENTS_PER_LOT {
                let now = self.env().block_timestamp();
                let country = self.products.get(l.info.gtin).map(|p| p.info.origin).unwrap_or(CountryCode(*b"ZZ"));
                self.append(&mut l, lot, TraceEvent {
                    step: BusinessStep::Recalling,
                    actor: caller,
                    event_time: now,
                    recorded_at: now,
                    location: Location { country, code: Vec::new() },
                    document_hash: reason_hash,
                });
            }
            self.lots.insert(lot, &l);
            self.env().emit_event(LotStatusChanged { lot, from, to: LotStatus::Recalled });
            self.env().emit_event(LotRecalled { lot, by: caller, reason_hash });
            Ok(())
        }

        // ---- queries --------------------------------------------------------------------

        /// Checks an item's proof against its lot's root: `Ok(true)` iff the serial, with its
        /// secret `salt` (`None` for lots registered before salts), is in the registered lot at
        /// `index`. `Err(LotNotFound)` if no such lot exists.
        #[ink(message)]
        pub fn verify_item(
            &self,
            gtin: Gtin,
            lot_number: Vec<u8>,
            serial: Vec<u8>,
            salt: Option<Salt>,
            index: u32,
            proof: Vec<Node>,
        ) -> Result<bool> {
            if proof.len() > MAX_PROOF_LEN {
                return Err(Error::Invalid(Field::Proof));
            }
            check_serial(&serial).map_err(Error::BadGs1String)?;
            let l = self.lots.get(lot_id(&gtin, &lot_number)).ok_or(Error::LotNotFound)?;
            let item = item_id_of(&gtin, &lot_number, &serial, salt.as_ref());
            Ok(merkle::verify(&l.info.root, l.info.item_count, index, &item, &proof))
        }

        /// A lot's trace, oldest first (at most `MAX_EVENTS_PER_LOT`).
        #[ink(message)]
        pub fn events(&self, lot: LotId) -> Vec<TraceEvent> {
            let n = self.lots.get(lot).map(|l| l.event_count).unwrap_or(0);
            (0..n).filter_map(|i| self.events.get((lot, i))).collect()
        }

        /// The display name of a factory, if its merchant gave it one.
        #[ink(message)]
        pub fn factory_name(&self, factory: FactoryId) -> Option<Vec<u8>> {
            self.factory_names.get(factory)
        }

        /// Numbers of factories, products and lots.
        #[ink(message)]
        pub fn counts(&self) -> (u32, u32, u64) {
            (self.factory_count, self.product_count, self.lot_count)
        }

        /// The whitelist and sampling contracts this registry calls.
        #[ink(message)]
        pub fn dependencies(&self) -> (AccountId, AccountId) {
            (self.whitelist, self.sampling)
        }

        // ---- internals ------------------------------------------------------------------

        /// The merchant check: `who` is a merchant, and active.
        fn ensure_merchant(&self, who: AccountId) -> Result<Merchant> {
            let m = ext::merchant(self.whitelist, who)
                .ok_or(Error::Unauthorized { account: who, role: Role::Merchant })?;
            if m.status != MerchantStatus::Active {
                return Err(Error::MerchantNotActive);
            }
            Ok(m)
        }

        /// The checks of a lot registration by `caller` (whose merchant record is `merchant`) of
        /// `product`'s lot, after `check_lot_input`, in `register_lot`'s order; answers whether
        /// the lot is new. `Ok` for a new lot and for the identical lot already registered;
        /// `LotConflict` for a different one under its key.
        fn admit_lot(&self, caller: AccountId, merchant: &Merchant, info: &LotInput, product: &Product) -> Result<bool> {
            if product.merchant != caller {
                return Err(Error::NotOwner { account: caller });
            }
            if let Some(existing) = self.lots.get(lot_id(&info.gtin, &info.lot_number)) {
                return if existing.info == *info && existing.merchant == caller {
                    Ok(false)
                } else {
                    Err(Error::LotConflict)
                };
            }
            if !merchant.may_register(&info.gtin) {
                return Err(Error::GtinNotAllowed);
            }
            Ok(true)
        }

        /// The checks of a lot's own fields: lot number, item count, dates.
        fn check_lot_input(info: &LotInput) -> Result<()> {
            check_lot_number(&info.lot_number).map_err(Error::BadGs1String)?;
            if info.item_count == 0 || info.item_count > MAX_LOT_ITEMS {
                return Err(Error::Invalid(Field::ItemCount));
            }
            if !check_date(info.produced_on) || !check_date(info.expires_on) || info.expires_on < info.produced_on {
                return Err(Error::Invalid(Field::Date));
            }
            Ok(())
        }

        /// Stores a new lot of `merchant` (checked by `admit_lot`) and counts it.
        fn store_lot(&mut self, merchant: AccountId, id: LotId, info: LotInput) {
            self.lots.insert(
                id,
                &Lot {
                    info,
                    merchant,
                    registered_at: self.env().block_number(),
                    status: LotStatus::Registered,
                    event_count: 0,
                    recall_reason: None,
                },
            );
            self.lot_count = self.lot_count.saturating_add(1);
        }

        fn check_product(info: &ProductInput) -> Result<()> {
            if !info.gtin.is_valid() {
                return Err(Error::Invalid(Field::Gtin));
            }
            check_brand(&info.brand)?;
            if !info.origin.is_valid() {
                return Err(Error::Invalid(Field::Country));
            }
            if !check_hs_code(&info.hs_code) {
                return Err(Error::Invalid(Field::HsCode));
            }
            if info.uri.len() > MAX_URI_LEN || !info.uri.iter().all(|c| c.is_ascii_graphic()) {
                return Err(Error::Invalid(Field::Uri));
            }
            Ok(())
        }

        /// Test only: as if `n` factories had been registered (IDs run out at `u32::MAX`).
        #[cfg(test)]
        pub(crate) fn set_factory_count(&mut self, n: u32) {
            self.factory_count = n;
        }

        /// Stores `event` as the lot's next and emits it; the caller stores the lot.
        fn append(&mut self, l: &mut Lot, lot: LotId, event: TraceEvent) -> u32 {
            let index = l.event_count;
            self.events.insert((lot, index), &event);
            l.event_count = index.saturating_add(1);
            self.env().emit_event(TraceEventAdded { lot, actor: event.actor, index, event });
            index
        }
    }

    impl RegistryApi for Registry {
        /// A lot.
        #[ink(message)]
        fn lot(&self, id: LotId) -> Option<Lot> {
            self.lots.get(id)
        }

        /// A product.
        #[ink(message)]
        fn product(&self, gtin: Gtin) -> Option<Product> {
            self.products.get(gtin)
        }

        /// A factory.
        #[ink(message)]
        fn factory(&self, id: FactoryId) -> Option<Factory> {
            self.factories.get(id)
        }

        /// Attestation contract only: applies an attestation's effect on a lot's status.
        #[ink(message)]
        fn apply_status(&mut self, lot: LotId, to: LotStatus) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Attestation)?;
            let mut l = self.lots.get(lot).ok_or(Error::LotNotFound)?;
            let from = l.status;
            if from == to {
                return Ok(());
            }
            if !matches!(to, LotStatus::Held | LotStatus::Released | LotStatus::Cleared) || !from.can_become(to) {
                return Err(Error::IllegalTransition { from, to });
            }
            l.status = to;
            self.lots.insert(lot, &l);
            self.env().emit_event(LotStatusChanged { lot, from, to });
            Ok(())
        }
    }

    impl RegistryGovernance for Registry {
        /// Recalls a lot on the consortium's authority: only the whitelist, executing an
        /// approved `Action::RecallLot`.
        #[ink(message)]
        fn recall_by_governance(&mut self, lot: LotId, reason_hash: Hash32) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Whitelist)?;
            let l = self.lots.get(lot).ok_or(Error::LotNotFound)?;
            self.recall_as(self.env().caller(), lot, l, reason_hash)
        }

        /// Moves a held lot to `Released` on the consortium's authority: only the whitelist,
        /// executing an approved `ReleaseHold`, or a `ResolveDispute` that released the lot.
        /// `IllegalTransition` if the lot is not held.
        #[ink(message)]
        fn release_by_governance(&mut self, lot: LotId) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Whitelist)?;
            let mut l = self.lots.get(lot).ok_or(Error::LotNotFound)?;
            if l.status != LotStatus::Held {
                return Err(Error::IllegalTransition { from: l.status, to: LotStatus::Released });
            }
            l.status = LotStatus::Released;
            self.lots.insert(lot, &l);
            self.env().emit_event(LotStatusChanged { lot, from: LotStatus::Held, to: LotStatus::Released });
            Ok(())
        }
    }

    impl Upgradeable for Registry {
        /// Whitelist (governance) only: replaces the code, keeping storage.
        #[ink(message)]
        fn set_code(&mut self, code_hash: Hash) -> Result<()> {
            ext::upgrade(self.whitelist, code_hash)
        }
    }

}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod props;
