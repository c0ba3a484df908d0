//! The node connection: jsonrpsee's WebSocket client over a TCP stream that acknowledges at once.

/// Opens the WebSocket JSON-RPC client (as subxt's `from_insecure_url` does, kept so that
/// batches can go over the same connection). On `ws://` the socket acknowledges every read at
/// once: the node holds an answer back until its previous segment is acknowledged (Nagle), and
/// Linux delays ACKs by up to 40 ms, which stalls requests in flight together (BENCHMARKS.md).
pub(super) async fn ws_client(url: &str) -> std::result::Result<jsonrpsee::core::client::Client, String> {
    use jsonrpsee::client_transport::ws::{Url, WsTransportClientBuilder};
    let client = || jsonrpsee::core::client::ClientBuilder::default().max_buffer_capacity_per_subscription(4096);
    let url = Url::parse(url).map_err(|e| e.to_string())?;
    if url.scheme() != "ws" {
        let (tx, rx) = WsTransportClientBuilder::default().build(url).await.map_err(|e| e.to_string())?;
        return Ok(client().build_with_tokio(tx, rx));
    }
    let addrs = url.socket_addrs(|| None).map_err(|e| e.to_string())?;
    let tcp = tokio::time::timeout(std::time::Duration::from_secs(10), tokio::net::TcpStream::connect(&*addrs))
        .await
        .map_err(|_| "connection timed out".to_string())?
        .map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (tx, rx) = WsTransportClientBuilder::default().build_with_stream(url, QuickAck(tcp)).await.map_err(|e| e.to_string())?;
    Ok(client().build_with_tokio(tx, rx))
}

/// A TCP stream that asks the kernel to acknowledge at once after each read (`TCP_QUICKACK`,
/// which the kernel clears again by itself), so a peer with Nagle's algorithm never waits for a
/// delayed ACK.
struct QuickAck(tokio::net::TcpStream);

impl tokio::io::AsyncRead for QuickAck {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let r = std::pin::Pin::new(&mut self.0).poll_read(cx, buf);
        if r.is_ready() {
            #[cfg(target_os = "linux")]
            let _ = socket2::SockRef::from(&self.0).set_tcp_quickack(true);
        }
        r
    }
}

impl tokio::io::AsyncWrite for QuickAck {
    fn poll_write(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>, buf: &[u8]) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

