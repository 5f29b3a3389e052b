//! `prodinsight serve`: the insights over HTTP (tiny_http). The loop only moves requests and replies;
//! `api::handle` answers them. A fixed pool of workers, each with its own read-only connection, so
//! requests never wait on each other's SQLite statements and keep going while analyze writes (WAL).

pub mod api;
pub mod openapi;
pub mod params;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tiny_http::{Header, Request, Response, Server};

use crate::error::{Error, Result};
use crate::store::Store;

pub struct Options {
    pub addr: SocketAddr,
    pub threads: usize,
    pub quiet: bool,
}

pub fn run(db: &Path, opts: &Options) -> Result<()> {
    // Fail before listening if the database cannot be read.
    Store::open_readonly(db)?;
    let cannot =
        |e: &dyn std::fmt::Display| Error::Usage(format!("cannot listen on {}: {e}", opts.addr));
    let server = Server::from_listener(listen(opts.addr).map_err(|e| cannot(&e))?, None)
        .map_err(|e| cannot(&e))?;
    let server = Arc::new(server);
    let threads = opts.threads.max(1);
    {
        let server = Arc::clone(&server);
        ctrlc::set_handler(move || {
            // Each unblock wakes one worker blocked in recv().
            for _ in 0..threads {
                server.unblock();
            }
        })
        .map_err(|e| Error::Other(format!("cannot install the Ctrl-C handler: {e}")))?;
    }
    let local = server
        .server_addr()
        .to_ip()
        .map_or_else(|| opts.addr.to_string(), |a| a.to_string());
    // The address goes to stdout so scripts (and tests) can read the chosen port.
    println!("listening on http://{local}");
    if !opts.quiet {
        eprintln!(
            "prodinsight serve: {} with {threads} workers; Ctrl-C stops",
            db.display()
        );
    }
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let server = Arc::clone(&server);
            let db = db.to_path_buf();
            let quiet = opts.quiet;
            std::thread::spawn(move || worker(&server, &db, quiet))
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
                first_error.get_or_insert(Error::Other("a server worker panicked".into()));
            }
        }
    }
    if !opts.quiet {
        eprintln!("prodinsight serve: stopped");
    }
    first_error.map_or(Ok(()), Err)
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

fn worker(server: &Server, db: &Path, quiet: bool) -> Result<()> {
    let store = Store::open_readonly(db)?;
    let json = Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..])
        .map_err(|_| Error::Other("bad header".into()))?;
    while let Ok(rq) = server.recv() {
        let started = Instant::now();
        let method = rq.method().as_str().to_string();
        let url = rq.url().to_string();
        // A bug in a handler costs that request a 500, not the worker.
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            api::handle(&store, &method, &url)
        }))
        .unwrap_or_else(|_| api::Reply {
            status: 500,
            body: r#"{"error":{"status":500,"code":"internal","parameter":null,"message":"internal error"}}"#.into(),
            allow: None,
        });
        if reply.status >= 500 && !quiet {
            eprintln!("error: {method} {url}: {}", reply.body);
        }
        let status = reply.status;
        let bytes = reply.body.len();
        respond(rq, reply, &json);
        if !quiet {
            eprintln!(
                "{method} {url} {status} {bytes}B {:.2}ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
    Ok(())
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
