//! The only module that speaks SQL. Schema and migrations live in `schema.sql`; reads and writes for
//! each layer live in the submodules.

pub mod changes;
pub mod insights;
mod migrate;
pub mod pages;
pub mod query;
pub mod raw;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

pub use migrate::SCHEMA_VERSION;

/// How many issues each product carries in lists (the detail has them all).
pub const TOP_ISSUES_IN_LIST: usize = 3;

/// How long a connection waits for another one's write lock before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open database: one connection, migrated to the current schema.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    counts: std::cell::RefCell<pages::CountCache>,
}

impl Store {
    /// Opens (creating if needed) the database for writing and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|source| Error::Db {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            counts: Default::default(),
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
        roll_back_interrupted_load(path);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| Error::Db {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            counts: Default::default(),
        };
        store
            .configure(true)
            .and_then(|()| migrate::check_readable(&store.conn, path))
            .map_err(|e| named(e, path))?;
        Ok(store)
    }

    fn configure(&self, readonly: bool) -> Result<()> {
        let c = &self.conn;
        c.busy_timeout(BUSY_TIMEOUT)?;
        if !readonly {
            // Takes effect only on a new, empty database. 16 KiB pages make bulk ingest about 20 %
            // faster than the default 4 KiB (fewer splits, shallower trees; bench/ingest.sh).
            c.pragma_update(None, "page_size", 16384)?;
            // WAL lets `serve` and `report` read while `ingest` and `analyze` write.
            c.pragma_update(None, "journal_mode", "WAL")?;
            c.pragma_update(None, "synchronous", "NORMAL")?;
        }
        c.pragma_update(None, "foreign_keys", "ON")?;
        c.pragma_update(None, "cache_size", -65536)?; // 64 MiB
        c.pragma_update(None, "temp_store", "MEMORY")?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// An SQLite error on opening says "file is not a database" or "unable to open": name the file.
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
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    if !Path::new(&journal).exists() {
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

/// Current UTC time as RFC 3339, the form every timestamp in the database takes.
pub fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
