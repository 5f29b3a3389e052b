//! The only module that speaks SQL. Schema and migrations live in `schema.sql`; reads and writes for
//! each layer live in the submodules.

pub mod brand_detail;
pub mod breakdowns;
pub mod changes;
mod day_deltas;
pub mod insights;
pub mod liked;
pub mod maintenance;
mod migrate;
pub mod pages;
pub mod portfolio;
pub mod query;
pub mod raw;
pub mod rollups;
pub mod snapshot;
pub mod summaries;
#[cfg(test)]
pub(crate) mod test_support;
pub mod views;
pub mod window_days;
pub mod window_evidence;
pub mod window_figures;
pub mod window_issue;
pub mod window_liked;
mod window_lists;
mod window_undated;
pub mod windows;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

pub use migrate::SCHEMA_VERSION;

/// How many issues each product carries in lists (the detail has them all).
pub const TOP_ISSUES_IN_LIST: usize = 3;

/// How long a reading connection waits for another one's write lock before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a writing command (ingest, analyze) waits for another writer: a first bulk load of ten
/// million reviews holds its one transaction for minutes, and a nightly ingest that starts during it
/// must wait its turn, not fail after seconds with "database is locked" on a loaded box.
pub(crate) const WRITE_BUSY_TIMEOUT: Duration = Duration::from_secs(600);

/// SQLite's page cache per connection, in KiB when negative: 64 MiB. A sort (an index built,
/// an ORDER BY without one) may hold as much again in memory before it spills to a file.
const CACHE_SIZE: i64 = -65536;

/// An open database: one connection, migrated to the current schema.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    counts: std::cell::RefCell<pages::CountCache>,
    /// While a snapshot command is open (`begin_snapshot`): the highest ingest run before it.
    snapshot_base: Option<i64>,
}

/// Turns SQLite's memory statistics off before its first connection: with them on, every
/// allocation and free takes a global mutex to count bytes that nothing here reads (2.7 % of a
/// full analyze's CPU in `perf`). SQLite accepts this only before it initializes, so each way this
/// module opens a connection calls it first; later calls do nothing.
pub fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` must not run concurrently with other SQLite calls or after
        // initialization; every connection of this crate is opened after this `Once` completed, and
        // if SQLite was initialized already it returns SQLITE_MISUSE and changes nothing.
        unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::os::raw::c_int,
            );
        }
    });
}

impl Store {
    /// Opens (creating if needed) the database for writing and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        configure_sqlite();
        not_a_directory(path)?;
        let conn = Connection::open(path).map_err(|source| Error::Db {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            counts: Default::default(),
            snapshot_base: None,
        };
        store
            .configure(false)
            .and_then(|()| migrate::migrate(&mut store.conn, path))
            .map_err(|e| named(e, path))?;
        Ok(store)
    }

    /// Opens an existing database for reading only (reports, the API): never creates or migrates.
    pub fn open_readonly(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::NotFound(format!(
                "database {} does not exist; run `prodinsight analyze PATH…` first",
                path.display()
            )));
        }
        configure_sqlite();
        roll_back_interrupted_load(path);
        let conn = open_read_connection(path)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            counts: Default::default(),
            snapshot_base: None,
        };
        store
            .configure(true)
            .and_then(|()| migrate::check_readable(&store.conn, path))
            .map_err(|e| named(e, path))?;
        Ok(store)
    }

    fn configure(&self, readonly: bool) -> Result<()> {
        let c = &self.conn;
        c.busy_timeout(if readonly {
            BUSY_TIMEOUT
        } else {
            WRITE_BUSY_TIMEOUT
        })?;
        if !readonly {
            // Takes effect only on a new, empty database. 16 KiB pages make bulk ingest about 20 %
            // faster than the default 4 KiB (fewer splits, shallower trees; bench/ingest.sh).
            c.pragma_update(None, "page_size", 16384)?;
            set_wal(c)?;
            c.pragma_update(None, "synchronous", "NORMAL")?;
        } else {
            // With ANALYZE's samples (product tables), SQLite re-plans a statement whenever a
            // bound value changes, so every API page was parsed and planned anew (11-17 % of the
            // server's CPU for a filtered list); the page queries force their plans anyway.
            c.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        }
        c.pragma_update(None, "foreign_keys", "ON")?;
        c.pragma_update(None, "cache_size", CACHE_SIZE)?;
        // Temporary tables and sorts go to a file behind a bounded cache: in memory, ingest's
        // table of reviews seen in a snapshot export and the sorts of big GROUP BYs grew with the
        // data (bench/scale.sh).
        c.pragma_update(None, "temp_store", "FILE")?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// One `analyze` at a time per database: an advisory lock (flock) on `<db>.analyze.lock`, held for
/// as long as this value lives. The kernel releases it when the holder exits, however it exits
/// (`kill -9` too), so a dead holder never leaves a stale lock. The file holds the holder's pid,
/// for the waiting message; it stays beside the database, empty or with the last holder's pid.
/// Readers (`report`, `serve`) and `ingest` do not take it.
pub struct AnalyzeLock {
    _file: std::fs::File,
}

/// Another process holds the analyze lock: its pid when it wrote one.
pub struct LockBusy {
    pub pid: Option<u32>,
    file: std::fs::File,
}

impl LockBusy {
    /// Blocks until the holder releases the lock (or dies).
    pub fn wait(self) -> Result<AnalyzeLock> {
        let LockBusy { file, .. } = self;
        file.lock()
            .map_err(|e| Error::io("waiting for the analyze lock", e))?;
        AnalyzeLock::hold(file)
    }
}

impl AnalyzeLock {
    /// Takes the lock if it is free; otherwise says who holds it, to wait for or report.
    pub fn try_acquire(db: &Path) -> Result<std::result::Result<AnalyzeLock, LockBusy>> {
        let path = Self::path(db);
        let mut file = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => Ok(Ok(AnalyzeLock::hold(file)?)),
            Err(std::fs::TryLockError::WouldBlock) => {
                use std::io::{Read, Seek};
                let mut read_pid = || {
                    let mut pid = String::new();
                    let _ = file.rewind().and_then(|()| file.read_to_string(&mut pid));
                    pid.trim().parse().ok()
                };
                // A holder that has just taken the lock writes its pid a moment later.
                let pid = read_pid().or_else(|| {
                    std::thread::sleep(Duration::from_millis(50));
                    read_pid()
                });
                Ok(Err(LockBusy { pid, file }))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                Err(Error::io(format!("cannot lock {}", path.display()), e))
            }
        }
    }

    /// Whether a live process holds the lock: probed with a shared lock, taken and let go at
    /// once, on the file opened read-only (so a reader in a read-only directory can ask). No file:
    /// no analyze ever ran here, none holds it.
    pub fn is_held(db: &Path) -> bool {
        std::fs::File::open(Self::path(db))
            .is_ok_and(|f| matches!(f.try_lock_shared(), Err(std::fs::TryLockError::WouldBlock)))
    }

    /// `<db>.analyze.lock`
    pub fn path(db: &Path) -> PathBuf {
        beside(db, ".analyze.lock")
    }

    /// How a run recorded as `status` is shown: one still marked running that no process holds
    /// the lock for was cut short (killed, or stopped by an error such as a full disk before it
    /// could record its end), so it is 'interrupted', which is what the next analyze marks it.
    pub fn shown_status(db: &Path, status: String) -> String {
        match status == "running" && !Self::is_held(db) {
            true => "interrupted".into(),
            false => status,
        }
    }

    fn hold(mut file: std::fs::File) -> Result<AnalyzeLock> {
        use std::io::{Seek, Write};
        // Only for the message of whoever waits: failing to write it does not matter.
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| write!(file, "{}", std::process::id()))
            .and_then(|()| file.flush());
        Ok(AnalyzeLock { _file: file })
    }
}

/// WAL lets `serve` and `report` read while `ingest` and `analyze` write. Entering it writes the
/// database header, and while another process writes in rollback-journal mode (a first bulk load,
/// `raw::BulkJournal`) SQLite refuses that at once instead of waiting: this connection already
/// reads, and waiting could deadlock. So it is retried until the writers' busy timeout, as a lock
/// would be.
fn set_wal(c: &Connection) -> Result<()> {
    let start = std::time::Instant::now();
    loop {
        match c.pragma_update(None, "journal_mode", "WAL") {
            Ok(()) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < WRITE_BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// An SQLite error on opening says "file is not a database" or "unable to open": name the file.
/// The database file or journal (`-wal`, `-shm`, `-journal`) that `path` names, through symlinks
/// and relative paths: writing there would destroy the database.
pub fn database_file(path: &Path, db: &Path) -> Option<PathBuf> {
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = p.canonicalize() {
            return Some(c);
        }
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(dir.canonicalize().ok()?.join(p.file_name()?))
    };
    let out_abs = resolve(path)?;
    let db_abs = resolve(db).unwrap_or_else(|| db.to_path_buf());
    let same_file = |a: &Path, b: &Path| {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    };
    ["", "-wal", "-shm", "-journal"]
        .into_iter()
        .find_map(|suffix| {
            let protected = beside(&db_abs, suffix);
            (out_abs == protected || same_file(&out_abs, &protected)).then_some(protected)
        })
}

fn named(e: Error, path: &Path) -> Error {
    match e {
        Error::Sql(source) => Error::Db {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    }
}

/// A bulk load that was killed leaves a rollback journal (see `raw::BulkJournal`) that only a
/// connection that may write can undo; a read-only one would fail with "attempt to write a
/// readonly database". So a reader first lets a writing connection roll it back, if it may.
fn roll_back_interrupted_load(path: &Path) {
    if !beside(path, "-journal").exists() {
        return;
    }
    if let Ok(c) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        let _ = c.busy_timeout(BUSY_TIMEOUT);
        // Any read rolls a hot journal back; a load still running keeps its lock, and the
        // reader then waits for it like any other.
        let _ = c.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        });
    }
}

/// A read-only connection that can read. A WAL database is read through its `-shm` index, which
/// SQLite creates beside it: in a directory this process cannot write (a read-only mount, another
/// account's directory) with no `-shm` left (the last writer removes it on close), every read
/// failed with "attempt to write a readonly database". When no `-wal` holds changes either, the
/// file alone is the whole database and is opened immutable (changes made later by another
/// account are not seen by this connection). A `-wal` with changes and no index cannot be read
/// here at all: that is said plainly.
pub(crate) fn open_read_connection(path: &Path) -> Result<Connection> {
    configure_sqlite();
    not_a_directory(path)?;
    let db_err = |source| Error::Db {
        path: path.to_path_buf(),
        source,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(db_err)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let probe = |c: &Connection| {
        c.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
    };
    let code = match probe(&conn) {
        Ok(_) => return Ok(conn),
        Err(e) => match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => e,
            _ => return Err(db_err(e)),
        },
    };
    if beside(path, "-shm").exists() {
        return Err(db_err(code));
    }
    if std::fs::metadata(beside(path, "-wal")).is_ok_and(|m| m.len() > 0) {
        return Err(Error::Input {
            path: path.display().to_string(),
            message: "a WAL database whose -wal file holds changes, in a directory this user cannot write: SQLite cannot create its -shm index to read them. Open it once as a user who can write there (`prodinsight analyze` folds the log into the database), or copy both files where this user can write".into(),
        });
    }
    let conn = Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
        .map_err(db_err)?;
    probe(&conn).map_err(db_err)?;
    Ok(conn)
}

/// The file SQLite or prodinsight keeps beside the database: `<db>-wal`, `<db>.analyze.lock`.
fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

/// `--db` names a file in a directory that exists: a directory, or a missing parent, failed as
/// "disk I/O error" or "unable to open database file".
fn not_a_directory(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "--db {} is a directory; give the database file (for example {}/prodinsight.db)",
            path.display(),
            path.display()
        )));
    }
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(Error::Usage(format!(
            "--db {}: directory {} does not exist (create it first; prodinsight creates only the database file)",
            path.display(),
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// `file:PATH?immutable=1`, every byte of the path outside a safe set percent-encoded (a `?` or
/// `#` in a file name would otherwise end it).
fn immutable_uri(path: &Path) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    let bytes = path.as_os_str().as_encoded_bytes();
    let encoded: String = percent_encoding::percent_encode(bytes, KEEP).collect();
    format!("file:{encoded}?immutable=1")
}

/// Current UTC time as RFC 3339, the form every timestamp in the database takes.
pub fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::test_support::TestDb;

    #[test]
    fn temporary_tables_and_sorts_spill_to_a_file_on_every_connection() {
        // 1 = FILE. In memory (2), ingest's temporary tables and big sorts grew with the data.
        let db = TestDb::new();
        for c in [&db.store.conn, &db.reader().conn] {
            let mode: i64 = c.query_row("PRAGMA temp_store", [], |r| r.get(0)).unwrap();
            assert_eq!(mode, 1);
        }
    }

    #[test]
    fn a_readers_statements_are_not_planned_again_for_new_values() {
        // ANALYZE's samples of product_insights (as analyze leaves them) let SQLite plan by the
        // bound values, and then re-plan on every new binding: the API's pages bind new values
        // on every request.
        let mut db = TestDb::new();
        let products: Vec<_> = (0..64)
            .map(|i| super::test_support::product(&format!("B{i:09}"), "Acme", i, None, 0.0, &[]))
            .collect();
        db.run(products);
        db.store
            .conn
            .execute_batch("ANALYZE product_insights")
            .unwrap();
        let reader = db.reader();
        let sql = "SELECT count(*) FROM product_insights WHERE review_count >= ?1";
        for min in [1, 60, 2, 50] {
            let n: i64 = reader
                .conn
                .prepare_cached(sql)
                .unwrap()
                .query_row([min], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 64 - min);
        }
        let st = reader.conn.prepare_cached(sql).unwrap();
        assert_eq!(st.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }
}
