//! The product page's facts (`GET /01/{gtin}`): what it shows, read at one pinned block. The
//! JSON of the page is this type; its HTML is [`super::render_product`].

use crate::contracts::Tracepass;
use crate::error::Result;
use crate::verify::{Evidence, MerchantReport, Names, ProductReport};
use tracepass_shared::{BlockNumber, Claim, Gtin};

/// What the product page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProductView {
    /// GTIN-14.
    pub gtin: String,
    /// Whether the product is registered.
    pub registered: bool,
    /// The product, if registered.
    pub product: Option<ProductPageReport>,
    /// The factory's country, if known.
    pub factory_country: Option<String>,
    /// The merchant.
    pub merchant: Option<MerchantReport>,
    /// The factory's certifications.
    pub factory_certifications: Vec<Evidence>,
}

/// A product as its page shows it: the report's product and its registration block.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProductPageReport {
    /// What every report says of the product.
    #[serde(flatten)]
    pub product: ProductReport,
    /// Block of registration.
    pub registered_at_block: BlockNumber,
}

/// Reads a product and what the page says about its factory and merchant.
pub async fn product_view(tp: &Tracepass, gtin: Gtin) -> Result<ProductView> {
    let tp = &tp.pinned().await?;
    let mut v = ProductView { gtin: gtin.to_string(), registered: false, product: None, factory_country: None, merchant: None, factory_certifications: vec![] };
    let Some(p) = tp.product(gtin).await? else { return Ok(v) };
    let (merchant, factory, certs, now) =
        tokio::try_join!(tp.merchant(p.merchant), tp.factory(p.info.factory), tp.attestations_of_factory(p.info.factory), tp.chain.now_ms())?;
    let certs: Vec<_> = certs.into_iter().filter(|(_, a)| matches!(a.claim, Claim::FactoryCertification { .. })).collect();
    let names = Names::read(tp, std::iter::once(p.merchant).chain(certs.iter().map(|(_, a)| a.issuer)).collect::<Vec<_>>(), Some(p.info.factory)).await?;
    v.registered = true;
    v.product = Some(ProductPageReport { product: ProductReport { factory_name: names.factory.clone(), ..(&p.info).into() }, registered_at_block: p.registered_at });
    v.factory_country = factory.map(|f| f.country.to_string());
    v.merchant = merchant.map(|m| MerchantReport::new(&p.merchant, &m, &names));
    v.factory_certifications = certs.iter().map(|(id, a)| Evidence::new(*id, a, now, &names)).collect();
    Ok(v)
}
