//! The public side of `serve`: our own accept loop on the TCP socket, in front of tiny_http.
//!
//! tiny_http's accept loop stops for good on the first accept error (EMFILE), starts a thread per
//! connection without bound, keeps idle connections forever and reads a head of any size. So the
//! front accepts instead: at most `max_connections` at once (sized below the open-file limit), the
//! longest-idle one closed to make room for a new one and, when none is idle, new ones left in the
//! kernel's backlog until one ends; idle and read deadlines; each head read with a byte cap and
//! checked (`head`). A request that passes goes to tiny_http on a private socket (`backend`) and its
//! answer back to the client; one that does not gets the API's JSON error and the connection closes.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::backend::Backend;
use super::head::{self, Reject};
use crate::textsafe::escape_control;

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_connections: usize,
    /// A connection with no request under way is closed after this.
    pub idle_timeout: Duration,
    /// From a request's first byte to its last.
    pub request_timeout: Duration,
}

/// A client that does not read its answer gives up its connection after this.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// After an error answer, how long the rest of what the client sends is read and dropped, so the
/// close does not reset the connection before the client has read the answer.
const LINGER: Duration = Duration::from_secs(2);
/// A connection thread needs little: its buffers are on the heap.
const CONN_STACK: usize = 256 * 1024;

/// Raises the soft open-file limit to the hard one; returns the soft limit now in force.
pub fn raise_open_file_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read or write the struct they are given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            // An unlimited hard limit is more than the kernel allows one process (fs.nr_open).
            for want in [lim.rlim_max, lim.rlim_max.min(1 << 20)] {
                let new = libc::rlimit {
                    rlim_cur: want,
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &new) == 0 {
                    return want;
                }
            }
        }
    }
    lim.rlim_cur
}

/// The connection cap: `wanted`, lowered so that clients, SQLite's files (a few per worker), the
/// pool to tiny_http (both ends in this process) and some spare fit in `open_files`.
pub fn connection_cap(
    wanted: usize,
    open_files: u64,
    workers: usize,
    backend_conns: usize,
) -> Result<usize, String> {
    let reserve = 64 + 4 * workers as u64 + 2 * backend_conns as u64;
    let room = open_files.saturating_sub(reserve);
    if room < 4 {
        return Err(format!(
            "the open-file limit ({open_files}) leaves no room for connections; raise it (ulimit -n) \
             or use fewer --threads"
        ));
    }
    Ok(wanted
        .max(1)
        .min(usize::try_from(room).unwrap_or(usize::MAX)))
}

/// The running front, to stop it: `drain` stops accepting, closes idle connections and waits for
/// the requests under way.
pub struct Front {
    gate: Arc<Gate>,
    stopping: Arc<AtomicBool>,
    listener: RawFd,
}

/// Starts the accept loop on its own thread.
pub fn start(
    listener: TcpListener,
    backend: Arc<Backend>,
    limits: Limits,
    quiet: bool,
) -> io::Result<Front> {
    let gate = Arc::new(Gate::new(limits.max_connections));
    let stopping = Arc::new(AtomicBool::new(false));
    let front = Front {
        gate: Arc::clone(&gate),
        stopping: Arc::clone(&stopping),
        listener: listener.as_raw_fd(),
    };
    std::thread::Builder::new()
        .name("serve-accept".into())
        .spawn(move || accept_loop(&listener, &backend, limits, quiet, &gate, &stopping))?;
    Ok(front)
}

impl Front {
    /// Stops accepting, closes every idle connection at once and each busy one when its request
    /// is answered, and waits at most `grace` for them; how many were still open then.
    pub fn drain(&self, grace: Duration) -> usize {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop: accept() on a shut-down listening socket fails at once (Linux).
        // SAFETY: the listener lives as long as the accept loop, which never returns before
        // `stopping` is set, and shutdown does not close the descriptor.
        unsafe {
            libc::shutdown(self.listener, libc::SHUT_RDWR);
        }
        self.gate.drain(Instant::now() + grace)
    }

    /// Counts the connections open at any moment (for /metrics).
    pub fn connection_counter(&self) -> Box<dyn Fn() -> usize + Send + Sync> {
        let gate = Arc::clone(&self.gate);
        Box::new(move || gate.open())
    }
}

/// Accepts connections until `stopping`. Accept errors are waited out.
fn accept_loop(
    listener: &TcpListener,
    backend: &Arc<Backend>,
    limits: Limits,
    quiet: bool,
    gate: &Arc<Gate>,
    stopping: &AtomicBool,
) {
    let limits = Arc::new(limits);
    let mut last_complaint: Option<Instant> = None;
    loop {
        let accepted = listener.accept();
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let client = match accepted {
            Ok((client, _)) => client,
            Err(e) => {
                let out_of_files = matches!(
                    e.raw_os_error(),
                    Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
                );
                if !quiet && last_complaint.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                    eprintln!("prodinsight serve: cannot accept a connection: {e}");
                    last_complaint = Some(Instant::now());
                }
                if out_of_files {
                    // Something other than connections holds descriptors: make room and wait.
                    gate.evict_one();
                    std::thread::sleep(Duration::from_millis(50));
                }
                continue;
            }
        };
        let slot = gate.admit();
        let (gate2, backend, limits2) =
            (Arc::clone(gate), Arc::clone(backend), Arc::clone(&limits));
        let spawned = std::thread::Builder::new()
            .name("serve-conn".into())
            .stack_size(CONN_STACK)
            .spawn(move || {
                connection(client, slot, &gate2, &backend, &limits2, quiet);
                gate2.leave(slot);
            });
        if let Err(e) = spawned {
            // The client was dropped with the closure.
            gate.leave(slot);
            if !quiet {
                eprintln!("prodinsight serve: cannot start a connection thread: {e}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Counts the open connections and knows the idle ones, to close the longest-idle one when a new
/// connection needs its place. Its memory is all allocated up front: a connection thread that
/// only waits allocates nothing (so the allocator sets up no heap for it).
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
}

struct GateState {
    /// One per possible connection; `free` lists the unused ones.
    slots: Vec<Slot>,
    free: Vec<usize>,
    /// Stamps when a connection becomes idle, so the oldest can be found.
    clock: u64,
    /// The server is stopping: a connection that becomes idle is closed at once.
    draining: bool,
}

#[derive(Clone, Copy)]
struct Slot {
    /// Set while the connection waits for a request. The connection clears it before it closes
    /// its socket, so a descriptor here is always open.
    idle: Option<(u64, RawFd)>,
    /// Set while a request's head or body arrives (the same guarantee for the descriptor): when
    /// none is idle, the longest-arriving one makes room, or a slowloris holds every place.
    arriving: Option<(u64, RawFd)>,
    /// The connection was closed to make room.
    evicted: bool,
}

impl Gate {
    fn new(cap: usize) -> Gate {
        let cap = cap.max(1);
        Gate {
            state: Mutex::new(GateState {
                slots: vec![
                    Slot {
                        idle: None,
                        arriving: None,
                        evicted: false
                    };
                    cap
                ],
                free: (0..cap).rev().collect(),
                clock: 0,
                draining: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a place for a new connection: a free one, or the longest-idle connection's, or
    /// waits for one to end or become idle.
    fn admit(&self) -> usize {
        let mut st = self.lock();
        loop {
            if let Some(slot) = st.free.pop() {
                st.slots[slot] = Slot {
                    idle: None,
                    arriving: None,
                    evicted: false,
                };
                return slot;
            }
            st.make_room();
            // The evicted connection ends at once; a busy one when its request is done.
            st = self
                .changed
                .wait_timeout(st, Duration::from_millis(500))
                .map_or_else(|e| e.into_inner().0, |(g, _)| g);
        }
    }

    fn evict_one(&self) {
        self.lock().make_room();
    }

    /// A request has begun and the rest of it is awaited.
    fn enter_arriving(&self, slot: usize, fd: RawFd) {
        let mut st = self.lock();
        st.clock += 1;
        let now = st.clock;
        st.slots[slot].arriving = Some((now, fd));
        drop(st);
        // The accept loop may be waiting for a place.
        self.changed.notify_one();
    }

    /// False if the connection was closed to make room while its request arrived.
    fn leave_arriving(&self, slot: usize) -> bool {
        let mut st = self.lock();
        st.slots[slot].arriving = None;
        !st.slots[slot].evicted
    }

    fn leave(&self, slot: usize) {
        self.lock().free.push(slot);
        // The accept loop (a place is free) or `drain` (one fewer to wait for).
        self.changed.notify_all();
    }

    fn enter_idle(&self, slot: usize, fd: RawFd) {
        let mut st = self.lock();
        if st.draining {
            st.slots[slot].evicted = true;
            shutdown(fd);
            return;
        }
        st.clock += 1;
        let now = st.clock;
        st.slots[slot].idle = Some((now, fd));
        drop(st);
        // The accept loop may be waiting for an idle connection to close.
        self.changed.notify_one();
    }

    fn open(&self) -> usize {
        let st = self.lock();
        st.slots.len() - st.free.len()
    }

    /// Closes the idle connections, and the others as they become idle; waits until none is
    /// open or `deadline`. How many are still open.
    fn drain(&self, deadline: Instant) -> usize {
        let mut st = self.lock();
        st.draining = true;
        while st.slots.iter().any(|s| s.idle.is_some()) {
            st.evict_oldest();
        }
        loop {
            let open = st.slots.len() - st.free.len();
            let now = Instant::now();
            if open == 0 || now >= deadline {
                return open;
            }
            st = self
                .changed
                .wait_timeout(st, deadline - now)
                .map_or_else(|e| e.into_inner().0, |(g, _)| g);
        }
    }

    /// False if the connection was closed to make room meanwhile.
    fn leave_idle(&self, slot: usize) -> bool {
        let mut st = self.lock();
        st.slots[slot].idle = None;
        !st.slots[slot].evicted
    }
}

impl GateState {
    /// Closes the longest-idle connection, or if none is idle the one whose request has been
    /// arriving longest. A request being answered is never closed.
    fn make_room(&mut self) {
        if self.slots.iter().any(|s| s.idle.is_some()) {
            return self.evict_oldest();
        }
        let oldest = self
            .slots
            .iter_mut()
            .filter(|s| s.arriving.is_some())
            .min_by_key(|s| s.arriving.map(|(since, _)| since));
        if let Some(slot) = oldest {
            if let Some((_, fd)) = slot.arriving.take() {
                slot.evicted = true;
                shutdown(fd);
            }
        }
    }

    fn evict_oldest(&mut self) {
        let oldest = self
            .slots
            .iter_mut()
            .filter(|s| s.idle.is_some())
            .min_by_key(|s| s.idle.map(|(since, _)| since));
        if let Some(slot) = oldest {
            if let Some((_, fd)) = slot.idle.take() {
                slot.evicted = true;
                shutdown(fd);
            }
        }
    }
}

fn shutdown(fd: RawFd) {
    // SAFETY: the descriptor is open (see Slot::idle); shutdown does not close it, it only
    // ends the connection, which wakes its thread's read with an end of file.
    unsafe {
        libc::shutdown(fd, libc::SHUT_RDWR);
    }
}

/// Serves one client connection: requests one after the other until it closes, idles out, errs
/// or is closed to make room.
fn connection(
    client: TcpStream,
    slot: usize,
    gate: &Gate,
    backend: &Backend,
    limits: &Limits,
    quiet: bool,
) {
    if client.set_write_timeout(Some(WRITE_TIMEOUT)).is_err() {
        return;
    }
    let mut conn = Conn {
        client,
        buf: Vec::new(),
        forward: Vec::new(),
        limits,
    };
    loop {
        if !conn.await_request(gate, slot) {
            return;
        }
        let started = Instant::now();
        match conn.serve(backend, (gate, slot), started, quiet) {
            Ok(true) => {}
            Ok(false) => return linger(conn.client),
            Err(End::Close) => return,
            Err(End::Refuse(reject)) => {
                return refuse(conn.client, &conn.buf, &reject, started, quiet)
            }
            Err(End::NoAnswer) => {
                let reject = Reject::new(500, "internal", "internal error");
                return refuse(conn.client, &conn.forward, &reject, started, quiet);
            }
        }
    }
}

/// A client connection with its buffers.
struct Conn<'a> {
    client: TcpStream,
    /// Bytes read and not yet used: a head coming in, or the next request of a pipelining client.
    buf: Vec<u8>,
    /// The head of the current request as tiny_http gets it.
    forward: Vec<u8>,
    limits: &'a Limits,
}

/// Why a connection ends before its request is answered.
enum End {
    /// At once, with nothing to answer: the client gave up or a socket call failed.
    Close,
    /// After answering this error, logged with what came in `buf`.
    Refuse(Reject),
    /// tiny_http did not answer: a 500, logged with the request as forwarded.
    NoAnswer,
}

impl Conn<'_> {
    /// Idle: waits for the first byte of the next request (it may be here already). False when
    /// the connection is to close: closed by the client, idle too long, broken, or closed to
    /// make room.
    fn await_request(&mut self, gate: &Gate, slot: usize) -> bool {
        loop {
            while self.buf.starts_with(b"\r\n") {
                // Empty lines before a request are allowed.
                self.buf.drain(..2);
            }
            if !self.buf.is_empty() {
                return true;
            }
            if self
                .client
                .set_read_timeout(Some(self.limits.idle_timeout))
                .is_err()
            {
                return false;
            }
            gate.enter_idle(slot, self.client.as_raw_fd());
            // Into the stack: a thread that never allocates costs the allocator nothing, and most
            // connections past the cap are idle ones.
            let mut first = [0u8; 2048];
            let got = read_retrying(&mut self.client, &mut first);
            if let Ok(n) = got {
                self.buf.extend_from_slice(&first[..n]);
            }
            if !gate.leave_idle(slot) {
                return false; // closed to make room
            }
            match got {
                Ok(n) if n > 0 => {} // strip any empty lines again
                _ => return false,   // closed, idle too long, or broken: nothing to answer
            }
        }
    }

    /// Reads, checks and answers the request that has begun in `buf`; whether the connection
    /// stays open for another.
    fn serve(
        &mut self,
        backend: &Backend,
        (gate, slot): (&Gate, usize),
        started: Instant,
        quiet: bool,
    ) -> Result<bool, End> {
        let deadline = started + self.limits.request_timeout;
        gate.enter_arriving(slot, self.client.as_raw_fd());
        let arrived = self.read_request(deadline);
        if !gate.leave_arriving(slot) {
            return Err(End::Close); // closed to make room
        }
        let (head_request, http10, keep_alive) = arrived?;
        let connection: &[u8] = match (keep_alive, http10) {
            (false, _) => b"Connection: close\r\n",
            (true, true) => b"Connection: keep-alive\r\n",
            (true, false) => b"",
        };
        match backend.exchange(&self.forward, head_request, connection) {
            Ok(answer) => {
                if self.client.write_all(&answer.bytes).is_err() {
                    return Err(End::Close);
                }
            }
            Err(e) => {
                if !quiet {
                    eprintln!("error: the API did not answer: {e}");
                }
                return Err(End::NoAnswer);
            }
        }
        Ok(keep_alive)
    }

    /// Reads and checks the head, then reads and drops the body, if any (the API takes none; the
    /// handler says so): whether it is a HEAD request, HTTP/1.0, keep-alive.
    fn read_request(&mut self, deadline: Instant) -> Result<(bool, bool, bool), End> {
        let head_end = self.read_head(deadline)?;
        let h = head::parse(&self.buf[..head_end]).map_err(End::Refuse)?;
        h.forward(&mut self.forward);
        let kind = (h.method == "HEAD", h.http10, h.keep_alive);
        let (end, expect_continue) = (head_end + h.content_length as usize, h.expect_continue);
        self.read_body(end, expect_continue, deadline)?;
        self.buf.drain(..end);
        Ok(kind)
    }

    /// Reads until `buf` holds a whole head; where it ends.
    fn read_head(&mut self, deadline: Instant) -> Result<usize, End> {
        loop {
            match head::find_end(&self.buf) {
                Ok(Some(end)) => return Ok(end),
                Ok(None) => {}
                Err(reject) => return Err(End::Refuse(reject)),
            }
            let timeout = self.limits.request_timeout;
            self.read(head::MAX_HEAD + 1, deadline, || {
                let secs = timeout.as_secs_f64();
                format!("the request did not arrive within {secs:.1} s")
            })?;
        }
    }

    /// Reads until `buf` holds `end` bytes: the head and the body.
    fn read_body(
        &mut self,
        end: usize,
        expect_continue: bool,
        deadline: Instant,
    ) -> Result<(), End> {
        if expect_continue
            && self.buf.len() < end
            && self
                .client
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .is_err()
        {
            return Err(End::Close);
        }
        while self.buf.len() < end {
            self.read(end, deadline, || {
                "the request body did not arrive in time".to_string()
            })?;
        }
        Ok(())
    }

    /// One read into `buf` (up to `max` bytes in all) before `deadline`, which, when it passes,
    /// is a 408 saying `late`.
    fn read(
        &mut self,
        max: usize,
        deadline: Instant,
        late: impl FnOnce() -> String,
    ) -> Result<(), End> {
        match read_until(&mut self.client, &mut self.buf, max, deadline) {
            Ok(0) => Err(End::Close), // the client gave up
            Ok(_) => Ok(()),
            Err(e) if is_timeout(&e) => {
                Err(End::Refuse(Reject::new(408, "request_timeout", late())))
            }
            Err(_) => Err(End::Close),
        }
    }
}

/// Answers `reject` as the API's JSON error, logs it, and closes the connection.
fn refuse(mut client: TcpStream, request: &[u8], reject: &Reject, started: Instant, quiet: bool) {
    let body = serde_json::json!({"error": {
        "status": reject.status,
        "code": reject.code,
        "parameter": null,
        "message": reject.message,
    }})
    .to_string();
    let reason = match reject.status {
        400 => "Bad Request",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "Internal Server Error",
    };
    let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT");
    let answer = format!(
        "HTTP/1.1 {} {reason}\r\nDate: {date}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        reject.status,
        body.len()
    );
    let _ = client.write_all(answer.as_bytes());
    if !quiet {
        let (method, target) = head::log_fields(request);
        eprintln!(
            "{} {} {} {}B {:.2}ms",
            shorten(&escape_control(&method), 32),
            shorten(&escape_control(&target), 200),
            reject.status,
            body.len(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    linger(client);
}

/// Closes after the answer is out: stops sending, then reads (and drops) what the client still
/// sends for a moment, so the close does not reset the connection under the client's read.
fn linger(mut client: TcpStream) {
    if client.shutdown(Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || client.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match client.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// At most `max` chars of `s`, with an ellipsis if cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// One read appended to `buf`, which grows to at most `max` bytes.
fn read_more(client: &mut TcpStream, buf: &mut Vec<u8>, max: usize) -> io::Result<usize> {
    let old = buf.len();
    let room = max.saturating_sub(old).clamp(1, 16 * 1024);
    buf.resize(old + room, 0);
    let got = read_retrying(client, &mut buf[old..]);
    buf.truncate(old + *got.as_ref().unwrap_or(&0));
    got
}

fn read_retrying(client: &mut TcpStream, into: &mut [u8]) -> io::Result<usize> {
    loop {
        match client.read(into) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// `read_more`, failing with TimedOut once `deadline` has passed.
fn read_until(
    client: &mut TcpStream,
    buf: &mut Vec<u8>,
    max: usize,
    deadline: Instant,
) -> io::Result<usize> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::ErrorKind::TimedOut.into());
    }
    client.set_read_timeout(Some(left))?;
    read_more(client, buf, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_fits_the_open_file_limit() {
        assert_eq!(connection_cap(512, 1 << 20, 2, 4), Ok(512));
        // 256 files, 3 workers, 6 pooled connections: 64 + 12 + 12 kept back.
        assert_eq!(connection_cap(512, 256, 3, 6), Ok(168));
        assert_eq!(connection_cap(0, 256, 3, 6), Ok(1));
        assert!(connection_cap(512, 80, 3, 6).is_err());
        assert_eq!(connection_cap(512, u64::MAX, 3, 6), Ok(512));
    }

    #[test]
    fn raising_the_limit_never_lowers_it() {
        let mut before = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes the struct it is given.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut before) },
            0
        );
        let now = raise_open_file_limit();
        assert!(now >= before.rlim_cur);
    }

    #[test]
    fn shorten_cuts_on_characters() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "abc…");
        assert_eq!(shorten("ééé", 2), "éé…");
    }
}
