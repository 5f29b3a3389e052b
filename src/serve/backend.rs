//! The private side of `serve`: tiny_http listening on a unix socket in a directory only this user
//! can enter, reached over a small pool of kept-alive connections. The pool holds at most a few
//! connections per worker, so tiny_http (a thread per connection) runs a fixed number of threads
//! however many clients the front holds.

use std::io::{self, Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// How long the API may take over one request before the client gets a 500.
const TIMEOUT: Duration = Duration::from_secs(120);
/// tiny_http's heads are a few hundred bytes.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;

/// A directory in the temporary directory, mode 0700, removed (with what is in it) on drop.
pub struct PrivateDir(PathBuf);

impl PrivateDir {
    pub fn create() -> io::Result<PrivateDir> {
        let base = std::env::temp_dir();
        sweep_stale(&base);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut last = None;
        for attempt in 0..100u32 {
            let p = base.join(format!(
                "prodinsight-serve-{}-{nanos:x}-{attempt}",
                std::process::id()
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&p) {
                Ok(()) => return Ok(PrivateDir(p)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free name")))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// Removes the directories of servers that are gone: a server that is killed (SIGKILL) cannot
/// remove its own, and this keeps them from piling up.
fn sweep_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("prodinsight-serve-"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
            .filter(|&pid| pid > 0)
        else {
            continue;
        };
        // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One answer of tiny_http, ready for the client: its head with `connection` added, and its body.
pub struct Answer {
    pub bytes: Vec<u8>,
}

pub struct Backend {
    path: PathBuf,
    max: usize,
    pool: Mutex<Pool>,
    freed: Condvar,
}

struct Pool {
    idle: Vec<UnixStream>,
    open: usize,
}

/// A failure before any byte of the answer came may be a kept-alive connection that went stale:
/// worth one more try on a new one.
enum Failure {
    Before(io::Error),
    After(io::Error),
}

impl Backend {
    /// At most `max` connections to the socket at `path`.
    pub fn new(path: PathBuf, max: usize) -> Backend {
        Backend {
            path,
            max: max.max(1),
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        }
    }

    /// Sends `request` (a head without body) and returns the answer, with `connection` (a header
    /// line, or nothing) added to its head. `head_request`: the answer has no body whatever its
    /// Content-Length says.
    pub fn exchange(
        &self,
        request: &[u8],
        head_request: bool,
        connection: &[u8],
    ) -> io::Result<Answer> {
        let (mut conn, reused) = self.checkout()?;
        let mut result = roundtrip(&mut conn, request, head_request, connection);
        if reused && matches!(result, Err(Failure::Before(_))) {
            match self.connect() {
                Ok(fresh) => {
                    conn = fresh;
                    result = roundtrip(&mut conn, request, head_request, connection);
                }
                Err(e) => result = Err(Failure::Before(e)),
            }
        }
        match result {
            Ok(answer) => {
                self.checkin(Some(conn));
                Ok(answer)
            }
            Err(Failure::Before(e) | Failure::After(e)) => {
                self.checkin(None);
                Err(e)
            }
        }
    }

    fn connect(&self) -> io::Result<UnixStream> {
        let s = UnixStream::connect(&self.path)?;
        s.set_read_timeout(Some(TIMEOUT))?;
        s.set_write_timeout(Some(TIMEOUT))?;
        Ok(s)
    }

    /// A pooled connection (true) or a new one (false); waits while `max` are in use.
    fn checkout(&self) -> io::Result<(UnixStream, bool)> {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(c) = pool.idle.pop() {
                return Ok((c, true));
            }
            if pool.open < self.max {
                pool.open += 1;
                drop(pool);
                return self.connect().map(|c| (c, false)).inspect_err(|_| {
                    self.checkin(None);
                });
            }
            pool = self
                .freed
                .wait(pool)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Returns a connection to the pool, or (None) gives up its place.
    fn checkin(&self, conn: Option<UnixStream>) {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        match conn {
            Some(c) => pool.idle.push(c),
            None => pool.open -= 1,
        }
        drop(pool);
        self.freed.notify_one();
    }
}

fn roundtrip(
    conn: &mut UnixStream,
    request: &[u8],
    head_request: bool,
    connection: &[u8],
) -> Result<Answer, Failure> {
    conn.write_all(request).map_err(Failure::Before)?;
    let mut raw = Vec::with_capacity(1024);
    let mut chunk = [0u8; 8192];
    let head_len = loop {
        let n = match conn.read(&mut chunk) {
            Ok(0) if raw.is_empty() => {
                return Err(Failure::Before(io::ErrorKind::UnexpectedEof.into()))
            }
            Ok(0) => return Err(Failure::After(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if raw.is_empty()
                    && matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
                    ) =>
            {
                return Err(Failure::Before(e))
            }
            Err(e) => return Err(Failure::After(e)),
        };
        // The end may straddle two reads.
        let from = raw.len().saturating_sub(3);
        raw.extend_from_slice(&chunk[..n]);
        if let Some(i) = memchr::memmem::find(&raw[from..], b"\r\n\r\n") {
            break from + i + 4;
        }
        if raw.len() > MAX_RESPONSE_HEAD {
            return Err(Failure::After(io::Error::other(
                "the API's answer has no end of head",
            )));
        }
    };
    let (status, length) = status_and_length(&raw[..head_len]).ok_or_else(|| {
        Failure::After(io::Error::other(
            "the API's answer has no status or Content-Length",
        ))
    })?;
    let body_len = if head_request || matches!(status, 100..=199 | 204 | 304) {
        0
    } else {
        length
    };
    let have = raw.len() - head_len;
    if have > body_len {
        return Err(Failure::After(io::Error::other(
            "the API sent more than its answer",
        )));
    }
    let mut bytes = Vec::with_capacity(head_len + connection.len() + body_len);
    bytes.extend_from_slice(&raw[..head_len - 2]);
    bytes.extend_from_slice(connection);
    bytes.extend_from_slice(&raw[head_len - 2..]);
    let filled = bytes.len();
    bytes.resize(filled + body_len - have, 0);
    conn.read_exact(&mut bytes[filled..])
        .map_err(Failure::After)?;
    Ok(Answer { bytes })
}

fn status_and_length(head: &[u8]) -> Option<(u16, usize)> {
    let head = std::str::from_utf8(head).ok()?;
    let status = head.get(9..12)?.parse().ok()?;
    let length = head.split("\r\n").skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())
            .flatten()
    });
    // Without a body there need not be a length.
    let length = match status {
        100..=199 | 204 | 304 => length.unwrap_or(0),
        _ => length?,
    };
    Some((status, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_length_of_tiny_http_heads() {
        let h = b"HTTP/1.1 200 OK\r\nServer: tiny-http (Rust)\r\nContent-Type: application/json\r\nContent-Length: 81\r\n\r\n";
        assert_eq!(status_and_length(h), Some((200, 81)));
        assert_eq!(
            status_and_length(b"HTTP/1.1 404 Not Found\r\ncontent-length:  3\r\n\r\n"),
            Some((404, 3))
        );
        assert_eq!(
            status_and_length(b"HTTP/1.1 204 No Content\r\n\r\n"),
            Some((204, 0))
        );
        assert_eq!(status_and_length(b"HTTP/1.1 200 OK\r\n\r\n"), None);
        assert_eq!(status_and_length(b"HTTP/1.1"), None);
    }

    /// A fake API on a socket pair: the answer gets the connection header, a HEAD answer no body,
    /// and a pooled connection the server closed is retried once on a new one.
    #[test]
    fn exchange_over_a_socket() {
        let dir = PrivateDir::create().unwrap();
        let path = dir.path().join("s");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            // First connection: two answers, then closed.
            let (mut c, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let n = c.read(&mut buf).unwrap();
            assert!(buf[..n].starts_with(b"GET /a HTTP/1.1\r\n"));
            c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe")
                .unwrap();
            c.write_all(b"llo").unwrap();
            let n = c.read(&mut buf).unwrap();
            assert!(buf[..n].starts_with(b"HEAD /a"));
            c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
                .unwrap();
            drop(c);
            // Second: after the retry.
            let (mut c, _) = listener.accept().unwrap();
            let n = c.read(&mut buf).unwrap();
            assert!(buf[..n].starts_with(b"GET /b"));
            c.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}")
                .unwrap();
        });
        let b = Backend::new(path, 2);
        let a = b
            .exchange(b"GET /a HTTP/1.1\r\n\r\n", false, b"Connection: close\r\n")
            .unwrap();
        assert!(a.bytes.starts_with(b"HTTP/1.1 200"));
        assert_eq!(
            a.bytes,
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
        );
        let a = b.exchange(b"HEAD /a HTTP/1.1\r\n\r\n", true, b"").unwrap();
        assert_eq!(a.bytes, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        let a = b.exchange(b"GET /b HTTP/1.1\r\n\r\n", false, b"").unwrap();
        assert!(a.bytes.starts_with(b"HTTP/1.1 404"));
        assert!(a.bytes.ends_with(b"\r\n\r\n{}"));
        server.join().unwrap();
    }
}
