//! A TCP proxy that can cut the network: while offline it refuses new connections and drops the
//! open ones, as a laptop losing Wi-Fi would.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    online: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Forwards a fresh loopback port to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let online = Arc::new(AtomicBool::new(true));
        let (cut, cuts) = watch::channel(0);
        let task = tokio::spawn(accept(listener, upstream, online.clone(), cuts));
        Ok(Self { addr, online, cut, task })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Cuts every open connection and refuses new ones until [`Proxy::go_online`].
    pub fn go_offline(&self) {
        self.online.store(false, Ordering::SeqCst);
        self.cut.send_modify(|generation| *generation += 1);
    }

    pub fn go_online(&self) {
        self.online.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept(
    listener: TcpListener,
    upstream: SocketAddr,
    online: Arc<AtomicBool>,
    cuts: watch::Receiver<u64>,
) {
    while let Ok((inbound, _)) = listener.accept().await {
        if !online.load(Ordering::SeqCst) {
            drop(inbound);
            continue;
        }
        let mut cuts = cuts.clone();
        cuts.mark_unchanged();
        tokio::spawn(async move {
            let Ok(outbound) = TcpStream::connect(upstream).await else { return };
            let (mut inbound, mut outbound) = (inbound, outbound);
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                _ = cuts.changed() => {}
            }
        });
    }
}
