//! Reliability on a real node: crash and restart without loss, concurrent load, secret hygiene,
//! upgrades that keep state.

use tracepass_e2e::fixture::Consortium;
use tracepass_e2e::Node;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_works() {
    let node = Node::start().await;
    let c = Consortium::setup(&node.url(), node.base.path()).await;
    let (lot, _) = c.register_lot("F1", "F", 100).await;
    let r = tracepass::verify::verify(&c.tp, &Consortium::link(&lot, 7)).await.unwrap();
    assert!(r.verdict.is_genuine(), "{r:?}");
    assert_eq!(c.tp.role_of(c.keys.logistics.account()).await.unwrap(), Some(tracepass::shared::Role::Logistics));
}
