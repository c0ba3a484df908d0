//! `tracepass factory|product|lot|event ...`: the registry's writes and reads.

use super::merchant::country;
use super::{hash_file, hash_text, now_ms, Ctx};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use std::path::PathBuf;
use tracepass::fmt::ss58;
use tracepass::error::{ClientError, Result};
use tracepass::gs1::{parse_gtin, parse_lot, parse_serials, DEFAULT_RESOLVER};

/// Where `lot register` keeps the merchant's salt key unless told.
const DEFAULT_SALT_KEY: &str = ".tracepass/salt.key";
use tracepass::lots;
use tracepass::shared::{check_date, check_display_name, lot_id, BusinessStep, Location, LotInput, ProductInput};

#[derive(Subcommand, Debug)]
pub enum FactoryCmd {
    /// Register a factory (merchants); prints its ID.
    Register {
        /// Factory name and address (hashed on chain).
        #[arg(long)]
        name: String,
        /// Country (ISO 3166-1 alpha-2).
        #[arg(long)]
        country: String,
    },
    /// Set the display name consumers see for one of your factories (merchants; stored on chain as text).
    Name {
        /// Factory ID.
        #[arg(long)]
        factory: u32,
        /// The name: at most 64 bytes of UTF-8, no control characters; "" removes the name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProductCmd {
    /// Register a product under one of your GS1 prefixes (merchants).
    Register {
        /// GTIN-8/12/13/14.
        #[arg(long)]
        gtin: String,
        /// Brand.
        #[arg(long)]
        brand: String,
        /// Product category code.
        #[arg(long)]
        category: u32,
        /// Country of origin.
        #[arg(long)]
        origin: String,
        /// Factory ID.
        #[arg(long)]
        factory: u32,
        /// HS tariff code (6-10 digits).
        #[arg(long, default_value = "000000")]
        hs_code: String,
        /// Product metadata document (hashed on chain).
        #[arg(long)]
        metadata: Option<PathBuf>,
        /// Where the metadata document is published.
        #[arg(long, default_value = "")]
        uri: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum LotCmd {
    /// Register a lot from a serials file (one serial per line) in one transaction.
    Register {
        /// GTIN.
        #[arg(long)]
        gtin: String,
        /// Lot number (GS1 AI 10).
        #[arg(long)]
        lot: String,
        /// Serials file.
        #[arg(long)]
        serials: PathBuf,
        /// Proofs file to write (JSON lines: serial, item_id, proof, uri).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Production date YYYYMMDD.
        #[arg(long, default_value_t = 20260101)]
        produced: u32,
        /// Expiry date YYYYMMDD.
        #[arg(long, default_value_t = 20281231)]
        expires: u32,
        /// Host of the Digital Link URIs.
        #[arg(long, default_value = DEFAULT_RESOLVER)]
        resolver: String,
        /// The merchant's secret salt key (created, owner-only, if missing): every item's salt
        /// is derived from it, so keep it with your signing key.
        #[arg(long, env = "TRACEPASS_SALT_KEY", default_value = DEFAULT_SALT_KEY)]
        salt_key: PathBuf,
    },
    /// Register many lots from a manifest (CSV: gtin,lot,serials,produced,expires), pipelined.
    /// Safe to rerun after a crash: lots already registered are skipped.
    RegisterMany {
        /// The manifest; serials paths are relative to its folder.
        #[arg(long)]
        manifest: PathBuf,
        /// Folder for the proofs files (one per lot; default: next to the manifest).
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Host of the Digital Link URIs.
        #[arg(long, default_value = DEFAULT_RESOLVER)]
        resolver: String,
        /// Transactions in flight at once.
        #[arg(long, default_value_t = tracepass::batch::DEFAULT_WINDOW)]
        window: usize,
        /// Lots per transaction (1 to 100; 1 sends one register_lot per lot).
        #[arg(long, default_value_t = tracepass::batch::DEFAULT_LOTS_PER_TX)]
        lots_per_tx: usize,
        /// The merchant's secret salt key (as for `lot register`).
        #[arg(long, env = "TRACEPASS_SALT_KEY", default_value = DEFAULT_SALT_KEY)]
        salt_key: PathBuf,
    },
    /// Recall a lot (its merchant; a governor proposes a recall with --by-vote).
    Recall {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
        /// Reason (hashed on chain).
        #[arg(long)]
        reason: String,
        /// Propose the recall to governance instead (governors; M must approve).
        #[arg(long)]
        by_vote: bool,
    },
    /// Show a lot, its sampling and its trace.
    Show {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum StepArg {
    Commissioning,
    Packing,
    Shipping,
    Arriving,
    Receiving,
    Storing,
    CustomsClearance,
    Inspecting,
    Holding,
}

impl From<StepArg> for BusinessStep {
    fn from(s: StepArg) -> Self {
        match s {
            StepArg::Commissioning => BusinessStep::Commissioning,
            StepArg::Packing => BusinessStep::Packing,
            StepArg::Shipping => BusinessStep::Shipping,
            StepArg::Arriving => BusinessStep::Arriving,
            StepArg::Receiving => BusinessStep::Receiving,
            StepArg::Storing => BusinessStep::Storing,
            StepArg::CustomsClearance => BusinessStep::CustomsClearance,
            StepArg::Inspecting => BusinessStep::Inspecting,
            StepArg::Holding => BusinessStep::Holding,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum EventCmd {
    /// Append a trace event to a lot (the step must be one your role may record).
    Add {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
        /// Business step.
        #[arg(long, value_enum)]
        step: StepArg,
        /// Country where it happened.
        #[arg(long)]
        country: String,
        /// UN/LOCODE or GLN of the place.
        #[arg(long, default_value = "")]
        location: String,
        /// When it happened (ms since epoch; default now).
        #[arg(long)]
        time: Option<u64>,
        /// Supporting document (hashed on chain).
        #[arg(long)]
        document: Option<PathBuf>,
    },
    /// Record a partner's EPCIS 2.0 ObjectEvents as trace events of the lots they name: all or
    /// nothing (one Utility.batch_all), after schema validation, checks and dry runs.
    Import {
        /// EPCIS 2.0 document (JSON-LD).
        #[arg(long)]
        epcis: PathBuf,
    },
}

pub async fn factory(ctx: &Ctx, c: FactoryCmd) -> Result<i32> {
    match c {
        FactoryCmd::Register { name, country: cc } => {
            let cc = country(&cc)?;
            let tp = ctx.tracepass().await?;
            let out = tp.register_factory(&ctx.signer()?, cc, hash_text(&name)).await?;
            ctx.print_write(&format!("factory {} registered ({name}, {cc})", out.value), json!({ "factory": out.value }), &out);
        }
        FactoryCmd::Name { factory, name } => {
            // the contract's own rule, before connecting (the dry run checks it again)
            check_display_name(name.as_bytes()).map_err(ClientError::Contract)?;
            let tp = ctx.tracepass().await?;
            let out = tp.set_factory_name(&ctx.signer()?, factory, &name).await?;
            let (text, shown) = if name.is_empty() {
                (format!("factory {factory}: display name removed"), None)
            } else {
                (format!("factory {factory} is now named {name:?}"), Some(&name))
            };
            ctx.print_write(&text, json!({ "factory": factory, "name": shown }), &out);
        }
    }
    Ok(0)
}

pub async fn product(ctx: &Ctx, c: ProductCmd) -> Result<i32> {
    let ProductCmd::Register { gtin, brand, category, origin, factory, hs_code, metadata, uri } = c;
    let info = ProductInput {
        gtin: parse_gtin(&gtin)?,
        brand: brand.as_bytes().to_vec(),
        category,
        origin: country(&origin)?,
        factory,
        hs_code: hs_code.as_bytes().to_vec(),
        metadata_hash: match &metadata {
            Some(p) => hash_file(p)?,
            None => [0; 32],
        },
        uri: uri.as_bytes().to_vec(),
    };
    let tp = ctx.tracepass().await?;
    let g = info.gtin;
    let out = tp.register_product(&ctx.signer()?, info).await?;
    ctx.print_write(&format!("product {g} ({brand}) registered"), json!({ "gtin": g.to_string() }), &out);
    Ok(0)
}

pub async fn lot(ctx: &Ctx, c: LotCmd) -> Result<i32> {
    match c {
        LotCmd::Register { gtin, lot, serials, out, produced, expires, resolver, salt_key } => {
            let gtin = parse_gtin(&gtin)?;
            parse_lot(&lot)?;
            if !check_date(produced) || !check_date(expires) || expires < produced {
                return Err(ClientError::Input("dates are YYYYMMDD, expiry not before production".into()));
            }
            let text = std::fs::read_to_string(&serials)
                .map_err(|e| ClientError::Io { path: serials.display().to_string(), reason: e.to_string() })?;
            let list = parse_serials(&text).map_err(|e| ClientError::Input(format!("{}: {e}", serials.display())))?;
            let signer = ctx.signer()?;
            let t0 = std::time::Instant::now();
            let n = list.len();
            let bar = ctx.bar(4);
            bar.set_message(format!("{n} serials valid; hashing items and building the Merkle tree"));
            let built = lots::build_with_key(gtin, &lot, list, &lots::SaltKey::load_or_create(&salt_key)?)?;
            bar.inc(1);
            let out_path = out.unwrap_or_else(|| PathBuf::from(lots::proofs_file_name(&gtin, &lot)));
            bar.set_message(format!("writing proofs beside {}", out_path.display()));
            // in place only once the chain holds this lot: a refused registration leaves the file as it was
            let staged = built.stage_proofs(&out_path, &resolver)?;
            bar.inc(1);
            let info = LotInput {
                gtin,
                lot_number: lot.as_bytes().to_vec(),
                item_count: n as u32,
                root: built.tree.root(),
                produced_on: produced,
                expires_on: expires,
            };
            bar.set_message("checking the chain");
            let tp = ctx.tracepass().await?;
            let id = lot_id(&gtin, lot.as_bytes());
            // a retry after a crash: the identical lot is already there, nothing to send
            if let Some(existing) = tp.lot(id).await? {
                if existing.info == info {
                    staged.commit()?;
                    bar.finish_and_clear();
                    ctx.print(
                        &format!("lot {lot} ({n} items) was already registered; proofs in {}", out_path.display()),
                        json!({ "lot_id": format!("0x{}", hex::encode(id)), "items": n, "already_registered": true, "proofs": out_path }),
                    );
                    return Ok(0);
                }
            }
            bar.inc(1);
            bar.set_message("registering the lot (one transaction)");
            let o = tp.register_lot(&signer, info).await?;
            staged.commit()?;
            bar.finish_and_clear();
            let secs = t0.elapsed().as_secs_f64();
            ctx.print_write(
                &format!("lot {lot} registered: {n} items in one transaction ({secs:.2} s)\n  lot id 0x{}\n  root   0x{}\n  proofs {}", hex::encode(o.value), hex::encode(built.tree.root()), out_path.display()),
                json!({ "lot_id": format!("0x{}", hex::encode(o.value)), "items": n, "root": format!("0x{}", hex::encode(built.tree.root())), "proofs": out_path, "seconds": secs }),
                &o,
            );
            Ok(0)
        }
        LotCmd::RegisterMany { manifest, out_dir, resolver, window, lots_per_tx, salt_key } => {
            use tracepass::batch;
            let text = std::fs::read_to_string(&manifest)
                .map_err(|e| ClientError::Io { path: manifest.display().to_string(), reason: e.to_string() })?;
            let base = manifest.parent().unwrap_or(std::path::Path::new(".")).to_path_buf();
            let rows = batch::parse_manifest(&text, &base)?;
            let signer = ctx.signer()?;
            let t0 = std::time::Instant::now();
            let planned = batch::plan(rows, &lots::SaltKey::load_or_create(&salt_key)?)?;
            let tp = ctx.tracepass().await?;
            let bar = ctx.bar(planned.len() as u64);
            bar.set_message("lots confirmed");
            let out_dir = out_dir.unwrap_or(base);
            let s = batch::register(&tp, &signer, &planned, &out_dir, &resolver, window, lots_per_tx, |done, _| bar.set_position(done as u64)).await;
            bar.finish_and_clear();
            let s = s?;
            let secs = t0.elapsed().as_secs_f64();
            ctx.print(
                &format!(
                    "{} lots ({} items): {} registered now, {} already registered; proofs in {} ({secs:.2} s)",
                    s.lots,
                    s.items,
                    s.registered,
                    s.already_registered,
                    out_dir.display()
                ),
                json!({ "summary": s, "proofs_dir": out_dir, "seconds": secs }),
            );
            Ok(0)
        }
        LotCmd::Recall { gtin, lot, reason, by_vote } => {
            let id = super::lot_arg(&gtin, &lot)?;
            let tp = ctx.tracepass().await?;
            if by_vote {
                let action = tracepass::shared::Action::RecallLot { lot: id, reason_hash: hash_text(&reason) };
                return super::member::propose(ctx, &tp, action).await;
            }
            let o = tp.recall(&ctx.signer()?, id, hash_text(&reason)).await?;
            ctx.print_write(&format!("lot {lot} recalled"), json!({ "lot_id": format!("0x{}", hex::encode(id)), "status": "Recalled" }), &o);
            Ok(0)
        }
        LotCmd::Show { gtin, lot } => {
            let g = parse_gtin(&gtin)?;
            let id = lot_id(&g, parse_lot(&lot)?.as_slice());
            let tp = ctx.tracepass().await?;
            let facts = tracepass::verify::read_lot_facts(&tp.pinned().await?, g, &lot).await?;
            let Some(reg) = facts.registered else {
                ctx.print(&format!("lot {lot} of {gtin} is not registered"), json!({ "lot": null }));
                return Ok(1);
            };
            let (l, sel, sample, trace) = (reg.lot, reg.selection, reg.sample, reg.trace);
            let mut lines = vec![
                format!("lot {lot} (0x{})", hex::encode(id)),
                format!("  status {:?}, {} items, merchant {}", l.status, l.info.item_count, ss58(&l.merchant)),
                format!("  produced {} expires {}, registered at block {}", l.info.produced_on, l.info.expires_on, l.registered_at),
                format!("  sampling {sel:?}{}", sample.as_ref().map(|s| format!(" (rate {} bps, epoch {})", s.rate_bps, s.epoch)).unwrap_or_default()),
            ];
            for e in &trace {
                lines.push(format!("  {} {:?} at {} {} by {}", e.event_time, e.step, e.location.country, tracepass::fmt::text(&e.location.code), ss58(&e.actor)));
            }
            ctx.print(
                &lines.join("\n"),
                json!({
                    "lot_id": format!("0x{}", hex::encode(id)), "status": format!("{:?}", l.status), "items": l.info.item_count,
                    "merchant": ss58(&l.merchant), "selection": format!("{sel:?}"),
                    "rate_bps": sample.as_ref().map(|s| s.rate_bps), "epoch": sample.as_ref().map(|s| s.epoch),
                    "events": trace.iter().map(|e| json!({ "step": format!("{:?}", e.step), "time": e.event_time, "actor": ss58(&e.actor) })).collect::<Vec<_>>(),
                }),
            );
            Ok(0)
        }
    }
}

pub async fn event(ctx: &Ctx, c: EventCmd) -> Result<i32> {
    let (gtin, lot, step, cc, location, time, document) = match c {
        EventCmd::Add { gtin, lot, step, country, location, time, document } => (gtin, lot, step, country, location, time, document),
        EventCmd::Import { epcis } => return import_epcis(ctx, &epcis).await,
    };
    let id = super::lot_arg(&gtin, &lot)?;
    let loc = Location { country: country(&cc)?, code: location.as_bytes().to_vec() };
    let doc = match &document {
        Some(p) => hash_file(p)?,
        None => [0; 32],
    };
    let tp = ctx.tracepass().await?;
    // event times may not be ahead of the chain's clock
    let t = time.unwrap_or_else(now_ms).min(tp.chain.now_ms().await?);
    let o = tp.add_event(&ctx.signer()?, id, step.into(), t, loc, doc).await?;
    ctx.print_write(&format!("event {} ({step:?}) recorded on lot {lot}", o.value), json!({ "index": o.value, "step": format!("{step:?}") }), &o);
    Ok(0)
}

/// `event import --epcis FILE`: parse and validate, check and dry-run every event, then record
/// them all in one transaction (or none).
async fn import_epcis(ctx: &Ctx, path: &std::path::Path) -> Result<i32> {
    let io = |e: std::io::Error| ClientError::Io { path: path.display().to_string(), reason: e.to_string() };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > tracepass::epcis::MAX_DOCUMENT_BYTES as u64 {
        return Err(ClientError::Input(format!("{}: larger than {} bytes", path.display(), tracepass::epcis::MAX_DOCUMENT_BYTES)));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let events = tracepass::epcis::parse_document(&text).map_err(|e| match e {
        ClientError::Input(why) => ClientError::Input(format!("{}: {why}", path.display())),
        other => other,
    })?;
    let signer = ctx.signer()?;
    let tp = ctx.tracepass().await?;
    let r = tracepass::epcis::import(&tp, &signer, &events).await?;
    let mut lines = vec![match &r.block {
        Some(block) => format!(
            "{} events recorded on {} lot(s) ({}, block {block})",
            r.recorded,
            r.lots.len(),
            if r.batched { "one Utility.batch_all transaction" } else { "one transaction per event" },
        ),
        None => format!("all {} events of the document were recorded already: nothing sent", r.already_recorded),
    }];
    for l in &r.lots {
        lines.push(format!("  lot {} of {}: {} recorded, {} events now, status {}", l.lot, l.gtin, l.recorded, l.events_now, l.status));
    }
    ctx.print(&lines.join("\n"), serde_json::to_value(&r).unwrap_or_default());
    Ok(0)
}
