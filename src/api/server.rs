//! Starting and stopping the HTTP server: bind, serve, and drain in-flight requests on
//! SIGTERM or SIGINT.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use actix_web::HttpServer;

use super::Guards;
use crate::config::Settings;
use crate::store::Store;

/// A bound, not yet running server and the port it got (useful with port 0 in tests).
pub struct Application {
    server: Server,
    port: u16,
}

/// Threads for blocking work in each worker: every reader, and one more for the writer.
fn blocking_threads(settings: &Settings) -> usize {
    settings.database.pool_size.max(1) as usize + 1
}

impl Application {
    /// Binds `settings.server.addr` and builds the server over `store`.
    pub fn build(settings: &Settings, store: Store) -> std::io::Result<Application> {
        let listener = TcpListener::bind(&settings.server.addr)?;
        let port = listener.local_addr()?.port();
        let guards = Guards::from_settings(settings)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        if guards.is_open() {
            tracing::warn!(
                "no API key configured (auth.key_hashes): anyone who can reach this server \
                 can add and delete articles; see `quotewire hash-key`"
            );
        }
        let batch = actix_web::web::Data::new(settings.batch);
        let mut server =
            HttpServer::new(move || super::app(store.clone(), &guards).app_data(batch.clone()))
                // Compressed answers go out in several writes; without TCP_NODELAY, Nagle's
                // algorithm and the client's delayed ACK hold each one back ~40 ms.
                .on_connect(|connection, _| {
                    if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
                        if let Err(e) = tcp.set_nodelay(true) {
                            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
                        }
                    }
                })
                .listen(listener)?
                // We handle the signals ourselves (below), to log them and drain in order.
                .disable_signals()
                .shutdown_timeout(settings.server.shutdown_timeout_secs)
                // Blocking work (searches, exports, writes) waits for one of `pool_size`
                // readers or the one writer: threads past that many only wait, and each
                // kept its allocator's memory (64 searching connections grew the server to
                // 270 MB on actix's default of 512 threads per core).
                .worker_max_blocking_threads(blocking_threads(settings));
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        Ok(Application {
            server: server.run(),
            port,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped through [`Application::handle`]; no signal handling (tests).
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Serves until a shutdown signal, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        actix_web::rt::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutdown signal received; draining in-flight requests");
            handle.stop(true).await;
        });
        self.server.await
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(term) => term,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only SIGINT stops the server");
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
