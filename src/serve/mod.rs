//! `prodinsight serve`: the insights over HTTP (tiny_http). The loop only moves requests and replies;
//! `api::handle` answers them. A fixed pool of workers, each with its own read-only connection, so
//! requests never wait on each other's SQLite statements and keep going while analyze writes (WAL).
//!
//! Clients do not reach tiny_http directly: `front` accepts them on the TCP socket (a connection
//! cap, timeouts, checked heads) and relays each request over `backend`, a small pool of
//! connections to tiny_http on a unix socket in a private directory.

pub mod api;
mod backend;
pub mod dashboard;
mod front;
mod head;
pub mod openapi;
pub mod params;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tiny_http::{Header, Request, Response, Server};

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
}

pub fn run(db: &Path, opts: &Options) -> Result<()> {
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
    let (private, socket, server) = start_backend(threads)?;
    let limits = front::Limits {
        max_connections,
        idle_timeout: opts.idle_timeout,
        request_timeout: opts.request_timeout,
    };
    let backend = Arc::new(backend::Backend::new(socket, backend_conns));
    let quiet = opts.quiet;
    let dashboard = opts.dashboard;
    std::thread::Builder::new()
        .name("serve-accept".into())
        .spawn(move || front::run(listener, backend, limits, quiet))
        .map_err(|e| Error::io("cannot start the accept thread", e))?;
    // The address goes to stdout so scripts (and tests) can read the chosen port.
    println!("listening on http://{local}");
    if !opts.quiet {
        eprintln!(
            "prodinsight serve: {} with {threads} workers, at most {max_connections} connections \
             (open-file limit {open_files}); Ctrl-C stops",
            db.display()
        );
    }
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let server = Arc::clone(&server);
            let db = db.to_path_buf();
            std::thread::spawn(move || worker(&server, &db, quiet, threads, dashboard))
        })
        .collect();
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
    drop(private);
    if !opts.quiet {
        eprintln!("prodinsight serve: stopped");
    }
    first_error.map_or(Ok(()), Err)
}

/// tiny_http on a unix socket in a private directory (the directory goes when it is dropped), and
/// Ctrl-C wired to stop its `threads` workers.
fn start_backend(threads: usize) -> Result<(backend::PrivateDir, PathBuf, Arc<Server>)> {
    let private = backend::PrivateDir::create()
        .map_err(|e| Error::io("cannot create a private directory", e))?;
    let socket = private.path().join("api.sock");
    let unix = std::os::unix::net::UnixListener::bind(&socket)
        .map_err(|e| Error::io(format!("cannot listen on {}", socket.display()), e))?;
    let server = Server::from_listener(unix, None).map_err(|source| Error::Server {
        what: "cannot start the API",
        source,
    })?;
    let server = Arc::new(server);
    let stop = Arc::clone(&server);
    ctrlc::set_handler(move || {
        // Each unblock wakes one worker blocked in recv().
        for _ in 0..threads {
            stop.unblock();
        }
    })
    .map_err(|e| Error::Server {
        what: "cannot install the Ctrl-C handler",
        source: Box::new(e),
    })?;
    Ok((private, socket, server))
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

fn worker(server: &Server, db: &Path, quiet: bool, workers: usize, dashboard: bool) -> Result<()> {
    let store = Store::open_readonly(db)?;
    // A constant header: valid ASCII, so it cannot fail.
    let json =
        Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]).expect("a valid header");
    loop {
        let rq = match server.recv() {
            Ok(rq) => rq,
            // tiny_http's accept loop failed and stopped: no request will come again. Stop every
            // worker so the process ends (and a supervisor can start it again).
            Err(e) if e.raw_os_error().is_some() => {
                for _ in 0..workers {
                    server.unblock();
                }
                return Err(Error::io("the API stopped accepting", e));
            }
            // Ctrl-C.
            Err(_) => return Ok(()),
        };
        let started = Instant::now();
        let method = rq.method().as_str().to_string();
        let url = rq.url().to_string();
        if dashboard {
            if let Some(asset) = page(&method, &url) {
                let bytes = asset.body.len();
                respond_asset(rq, &asset);
                access_log(quiet, &method, &url, 200, bytes, started);
                continue;
            }
        }
        // A bug in a handler costs that request a 500, not the worker.
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            api::handle(&store, &method, &url)
        }))
        .unwrap_or_else(|_| api::Reply::internal("the handler panicked".into()));
        // An internal error's text goes here, never to the client; logged even when quiet. What
        // clients sent is escaped, so it cannot drive the terminal.
        let (m, u) = (escape_control(&method), escape_control(&url));
        if let Some(why) = &reply.internal {
            eprintln!("error: {m} {u}: {}", escape_control(why));
        } else if reply.status >= 500 && !quiet {
            eprintln!("error: {m} {u}: {}", reply.body);
        }
        let status = reply.status;
        let bytes = reply.body.len();
        respond(rq, reply, &json);
        access_log(quiet, &method, &url, status, bytes, started);
    }
}

/// One line per request on stderr; what the client sent is escaped (it cannot drive the terminal).
fn access_log(quiet: bool, method: &str, url: &str, status: u16, bytes: usize, started: Instant) {
    if !quiet {
        eprintln!(
            "{} {} {status} {bytes}B {:.2}ms",
            escape_control(method),
            escape_control(url),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
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

fn respond(rq: Request, reply: api::Reply, json: &Header) {
    let mut resp = Response::from_string(reply.body)
        .with_status_code(reply.status)
        .with_header(json.clone())
        // Bodies are complete strings: a Content-Length is simpler for every client than chunks.
        .with_chunked_threshold(usize::MAX);
    if let Some(allow) = reply.allow {
        if let Ok(h) = Header::from_bytes(&b"Allow"[..], allow.as_bytes()) {
            resp = resp.with_header(h);
        }
    }
    // The client may have gone; nothing to do about it but move on.
    let _ = rq.respond(resp);
}
