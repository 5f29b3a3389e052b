//! `prodinsight serve`: the insights over HTTP (tiny_http). The loop only moves requests and replies;
//! `api::handle` answers them. A fixed pool of workers, each with its own read-only connection, so
//! requests never wait on each other's SQLite statements and keep going while analyze writes (WAL).
//!
//! Clients do not reach tiny_http directly: `front` accepts them on the TCP socket (a connection
//! cap, timeouts, checked heads) and relays each request over `backend`, a small pool of
//! connections to tiny_http on a unix socket in a private directory.

mod access_log;
pub mod api;
mod auth;
mod backend;
pub mod dashboard;
mod front;
mod head;
mod metrics;
pub mod openapi;
pub mod params;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tiny_http::{Header, Request, Response, Server};

pub use access_log::LogFormat;
use metrics::Metrics;

use crate::error::{Error, Result};
use crate::store::Store;
use crate::textsafe::escape_control;

pub struct Options {
    pub addr: SocketAddr,
    pub threads: usize,
    pub quiet: bool,
    /// Client connections open at once, before the open-file limit lowers it.
    pub max_connections: usize,
    pub idle_timeout: Duration,
    pub request_timeout: Duration,
    /// Serve the dashboard at `/` (otherwise the API alone).
    pub dashboard: bool,
    /// On Ctrl-C or SIGTERM, how long requests under way may take to finish.
    pub shutdown_grace: Duration,
    /// Listening beyond loopback is allowed (then `token` is required).
    pub allow_remote: bool,
    /// The text of the token every request but /healthz must carry.
    pub token: Option<String>,
    pub cors_origin: Option<String>,
    pub log_format: LogFormat,
}

/// Loopback only, unless asked; beyond it, never without a token.
fn check_exposure(opts: &Options) -> Result<Option<auth::Token>> {
    let token = match &opts.token {
        Some(t) => Some(auth::Token::new(t).map_err(Error::Usage)?),
        None => None,
    };
    if !opts.addr.ip().is_loopback() {
        if !opts.allow_remote {
            return Err(Error::Usage(format!(
                "refusing to listen on {} (beyond this machine) without --allow-remote",
                opts.addr
            )));
        }
        if token.is_none() {
            return Err(Error::Usage(
                "--allow-remote needs a token: set PRODINSIGHT_API_TOKEN or --token-file FILE"
                    .into(),
            ));
        }
    }
    Ok(token)
}

pub fn run(db: &Path, opts: &Options) -> Result<()> {
    let token = check_exposure(opts)?;
    // Fail before listening if the database cannot be read.
    Store::open_readonly(db)?;
    let threads = opts.threads.max(1);
    // Enough connections to tiny_http to keep every worker busy while the front relays.
    let backend_conns = (2 * threads).max(4);
    let open_files = front::raise_open_file_limit();
    let max_connections =
        front::connection_cap(opts.max_connections, open_files, threads, backend_conns)
            .map_err(Error::Usage)?;
    let cannot =
        |e: &dyn std::fmt::Display| Error::Usage(format!("cannot listen on {}: {e}", opts.addr));
    let listener = listen(opts.addr).map_err(|e| cannot(&e))?;
    let local = listener
        .local_addr()
        .map_or_else(|_| opts.addr.to_string(), |a| a.to_string());
    let (stop_tx, stop_rx) = mpsc::channel();
    on_signal(stop_tx.clone())?;
    let (private, socket, server) = start_backend()?;
    let limits = front::Limits {
        max_connections,
        idle_timeout: opts.idle_timeout,
        request_timeout: opts.request_timeout,
    };
    let backend = Arc::new(backend::Backend::new(socket, backend_conns));
    let front = front::start(listener, backend, limits, opts.quiet)
        .map_err(|e| Error::io("cannot start the accept thread", e))?;
    let metrics = Metrics::new(front.connection_counter()).map_err(|e| Error::Server {
        what: "cannot set up the metrics",
        source: Box::new(e),
    })?;
    let shared = Arc::new(Shared {
        quiet: opts.quiet,
        dashboard: opts.dashboard,
        token,
        cors_origin: opts.cors_origin.clone(),
        log_format: opts.log_format,
        metrics,
    });
    // The address goes to stdout so scripts (and tests) can read the chosen port.
    println!("listening on http://{local}");
    if !opts.quiet {
        eprintln!(
            "prodinsight serve: {} with {threads} workers, at most {max_connections} connections \
             (open-file limit {open_files}); Ctrl-C or SIGTERM stops",
            db.display()
        );
    }
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (server, db, stop) = (Arc::clone(&server), db.to_path_buf(), stop_tx.clone());
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let r = worker(&server, &db, &shared);
                // A worker that ended on its own (tiny_http failed) stops the server.
                let _ = stop.send(());
                r
            })
        })
        .collect();
    // Ctrl-C, SIGTERM, or a worker that failed.
    let _ = stop_rx.recv();
    if !opts.quiet {
        eprintln!("prodinsight serve: stopping: finishing the requests under way");
    }
    let left = front.drain(opts.shutdown_grace);
    if left > 0 && !opts.quiet {
        eprintln!("prodinsight serve: {left} connections still busy after the grace period");
    }
    for _ in 0..threads {
        server.unblock();
    }
    let first_error = join(workers);
    drop(private);
    if !opts.quiet {
        eprintln!("prodinsight serve: stopped");
    }
    first_error.map_or(Ok(()), Err)
}

/// The first error of the workers, once all have ended.
fn join(workers: Vec<std::thread::JoinHandle<Result<()>>>) -> Option<Error> {
    let mut first_error = None;
    for w in workers {
        match w.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(_) => {
                first_error.get_or_insert(Error::WorkerPanicked);
            }
        }
    }
    first_error
}

/// Ctrl-C and SIGTERM ask the server to stop gracefully; a second one stops it at once.
fn on_signal(stop: mpsc::Sender<()>) -> Result<()> {
    let asked = AtomicBool::new(false);
    ctrlc::set_handler(move || {
        if asked.swap(true, Ordering::SeqCst) {
            std::process::exit(crate::error::EXIT_FAILURE);
        }
        let _ = stop.send(());
    })
    .map_err(|e| Error::Server {
        what: "cannot install the Ctrl-C handler",
        source: Box::new(e),
    })
}

/// tiny_http on a unix socket in a private directory (the directory goes when it is dropped).
fn start_backend() -> Result<(backend::PrivateDir, PathBuf, Arc<Server>)> {
    let private = backend::PrivateDir::create()
        .map_err(|e| Error::io("cannot create a private directory", e))?;
    let socket = private.path().join("api.sock");
    let unix = std::os::unix::net::UnixListener::bind(&socket)
        .map_err(|e| Error::io(format!("cannot listen on {}", socket.display()), e))?;
    let server = Server::from_listener(unix, None).map_err(|source| Error::Server {
        what: "cannot start the API",
        source,
    })?;
    Ok((private, socket, Arc::new(server)))
}

/// A listening socket whose accepted connections inherit TCP_NODELAY (Linux does). tiny_http writes
/// a reply in several pieces; with Nagle's algorithm the last piece waits for the client's delayed
/// ACK, which costs a keep-alive client 40 ms per reply.
fn listen(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// What every worker shares: how to answer, log and count.
pub(crate) struct Shared {
    pub quiet: bool,
    pub dashboard: bool,
    pub token: Option<auth::Token>,
    pub cors_origin: Option<String>,
    pub log_format: LogFormat,
    pub metrics: Metrics,
}

fn worker(server: &Server, db: &Path, shared: &Shared) -> Result<()> {
    let store = Store::open_readonly(db)?;
    loop {
        let rq = match server.recv() {
            Ok(rq) => rq,
            // tiny_http's accept loop failed and stopped: no request will come again. The server
            // stops (see `run`) so a supervisor can start it again.
            Err(e) if e.raw_os_error().is_some() => {
                return Err(Error::io("the API stopped accepting", e));
            }
            // Stopping.
            Err(_) => return Ok(()),
        };
        let started = Instant::now();
        let method = rq.method().as_str().to_string();
        let url = origin_form(rq.url());
        let (status, bytes) = answer(&store, shared, rq, &method, &url);
        let took = started.elapsed();
        let path = url.split('?').next().unwrap_or("");
        shared.metrics.observe(api::route_name(path), status, took);
        if !shared.quiet {
            let line = access_log::line(shared.log_format, &method, &url, status, bytes, took);
            eprintln!("{line}");
        }
    }
}

/// The path and query of a request target. A client may send the absolute form
/// (`GET http://host/healthz`, which HTTP/1.1 servers must accept, RFC 9112 3.2.2): its scheme
/// and authority are dropped, so it reaches the route its path names, not the dashboard.
fn origin_form(target: &str) -> String {
    let lower = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    let Some(rest) = ["http://", "https://"]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map(|p| &target[p.len()..])
    else {
        return target.to_string();
    };
    match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => rest[i..].to_string(),
        Some(i) => format!("/{}", &rest[i..]),
        None => "/".to_string(),
    }
}

/// Answers one request; the status and body size, for the log and the metrics.
fn answer(store: &Store, shared: &Shared, rq: Request, method: &str, url: &str) -> (u16, usize) {
    let path = url.split('?').next().unwrap_or("");
    let cors = shared.cors_origin.as_deref();
    if method == "OPTIONS" && cors.is_some() {
        return send(rq, 204, String::new(), "text/plain", &preflight(cors));
    }
    if let Some(token) = &shared.token {
        if path != "/healthz" {
            if let Some(sent) = auth_failure(&rq, token, shared.dashboard, url) {
                return sent(rq);
            }
        }
    }
    if path == "/metrics" && (method == "GET" || method == "HEAD") {
        let body = shared.metrics.render(store);
        return send(rq, 200, body, metrics::CONTENT_TYPE, &[]);
    }
    if shared.dashboard {
        if let Some(asset) = page(method, url) {
            let bytes = asset.body.len();
            respond_asset(rq, &asset);
            return (200, bytes);
        }
    }
    // A bug in a handler costs that request a 500, not the worker.
    let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        api::handle(store, method, url)
    }))
    .unwrap_or_else(|_| api::Reply::internal("the handler panicked".into()));
    // An internal error's text goes here, never to the client; logged even when quiet. What
    // clients sent is escaped, so it cannot drive the terminal.
    let logged_url = auth::redact(url);
    let (m, u) = (escape_control(method), escape_control(&logged_url));
    if let Some(why) = &reply.internal {
        eprintln!("error: {m} {u}: {}", escape_control(why));
    } else if reply.status >= 500 && !shared.quiet {
        eprintln!("error: {m} {u}: {}", reply.body);
    }
    let mut extra = cors_headers(cors);
    if let Some(allow) = reply.allow {
        extra.push(("Allow", allow.to_string()));
    }
    send(rq, reply.status, reply.body, "application/json", &extra)
}

type Sent = Box<dyn FnOnce(Request) -> (u16, usize)>;

/// Without the token: a 401 (JSON for the API, a short page for a browser). A dashboard URL with
/// the right `?token=` sets the cookie and sends the browser on without it in the address bar.
fn auth_failure(rq: &Request, token: &auth::Token, dashboard: bool, url: &str) -> Option<Sent> {
    let headers = rq
        .headers()
        .iter()
        .map(|h| (h.field.as_str().as_str(), h.value.as_str()));
    if auth::authorized(token, headers) {
        return None;
    }
    let path = url.split('?').next().unwrap_or("/").to_string();
    let api = path.starts_with("/api/") || path == "/metrics";
    if dashboard && !api {
        if let Some(given) = auth::token_in_query(url).filter(|t| token.matches(t)) {
            let cookie = format!(
                "{}={given}; Path=/; HttpOnly; SameSite=Strict",
                auth::COOKIE
            );
            return Some(Box::new(move |rq| {
                send(
                    rq,
                    303,
                    String::new(),
                    "text/plain",
                    &[("Location", path), ("Set-Cookie", cookie)],
                )
            }));
        }
        let body = "<!doctype html><title>prodinsight</title><p>This server needs its token: open                     <code>/?token=TOKEN</code> once in this browser.</p>"
            .to_string();
        return Some(Box::new(move |rq| {
            send(rq, 401, body, "text/html; charset=utf-8", &[])
        }));
    }
    let body = api::Reply::error(
        401,
        "unauthorized",
        None,
        "send Authorization: Bearer TOKEN",
    )
    .body;
    Some(Box::new(move |rq| {
        send(
            rq,
            401,
            body,
            "application/json",
            &[("WWW-Authenticate", "Bearer".into())],
        )
    }))
}

fn cors_headers(origin: Option<&str>) -> Vec<(&'static str, String)> {
    match origin {
        Some(o) => vec![
            ("Access-Control-Allow-Origin", o.to_string()),
            ("Vary", "Origin".into()),
        ],
        None => Vec::new(),
    }
}

fn preflight(origin: Option<&str>) -> Vec<(&'static str, String)> {
    let mut h = cors_headers(origin);
    h.push(("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS".into()));
    h.push(("Access-Control-Allow-Headers", "Authorization".into()));
    h.push(("Access-Control-Max-Age", "600".into()));
    h
}

/// Sends a complete answer (a Content-Length, never chunks); its status and body size.
fn send(
    rq: Request,
    status: u16,
    body: String,
    content_type: &str,
    extra: &[(&'static str, String)],
) -> (u16, usize) {
    let bytes = body.len();
    let mut resp = Response::from_string(body)
        .with_status_code(status)
        .with_chunked_threshold(usize::MAX);
    let headers = std::iter::once(("Content-Type", content_type))
        .chain(extra.iter().map(|(n, v)| (*n, v.as_str())));
    for (name, value) in headers {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            resp = resp.with_header(h);
        }
    }
    // The client may have gone; nothing to do about it but move on.
    let _ = rq.respond(resp);
    (status, bytes)
}

/// The dashboard's page or asset for a GET or HEAD outside the API's paths.
fn page(method: &str, url: &str) -> Option<dashboard::Asset> {
    if method != "GET" && method != "HEAD" {
        return None;
    }
    dashboard::asset(url.split('?').next().unwrap_or(""))
}

fn respond_asset(rq: Request, asset: &dashboard::Asset) {
    let mut resp = Response::from_string(asset.body).with_chunked_threshold(usize::MAX);
    for (name, value) in [
        ("Content-Type", asset.content_type),
        ("Content-Security-Policy", dashboard::CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-cache"),
    ] {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            resp = resp.with_header(h);
        }
    }
    let _ = rq.respond(resp);
}

#[cfg(test)]
mod tests {
    use super::origin_form;

    #[test]
    fn an_absolute_target_is_its_path_and_query() {
        assert_eq!(origin_form("http://host:8080/healthz"), "/healthz");
        assert_eq!(
            origin_form("HTTP://h/api/v1/products?limit=1"),
            "/api/v1/products?limit=1"
        );
        assert_eq!(origin_form("https://h?x=1"), "/?x=1");
        assert_eq!(origin_form("http://h"), "/");
        assert_eq!(origin_form("/healthz?a=http://x/"), "/healthz?a=http://x/");
    }

    proptest::proptest! {
        #[test]
        fn any_target_gives_a_path_without_panicking(
            t in "(http://|HTTPS://|/)?(\\PC|[ßé/?:])*",
        ) {
            let out = origin_form(&t);
            if t.to_ascii_lowercase().starts_with("http://") || t.to_ascii_lowercase().starts_with("https://") {
                proptest::prop_assert!(out.starts_with('/'));
            } else {
                proptest::prop_assert_eq!(out, t);
            }
        }
    }
}
