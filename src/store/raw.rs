//! The raw layer: what ingest writes. One `RawWriter` is one file's transaction.

use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::{now_utc, Store};
use crate::error::Result;
use crate::model::{IngestCounts, Keyed, ReviewRecord};

/// What happened to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    New,
    Updated,
    Unchanged,
    Duplicate,
}

/// Writes one file's records inside one transaction. Dropped without `finish`, it rolls back.
pub struct RawWriter<'c> {
    /// The two statements every record runs, prepared once (the statement cache hashes and
    /// compares the SQL text on every call). Declared before `tx`, so finalized before it ends.
    lookup: rusqlite::Statement<'c>,
    insert: rusqlite::Statement<'c>,
    tx: FileTx<'c>,
    run_id: i64,
    /// The row that recorded the start of this file (`Store::begin_attempt`), deleted at commit.
    attempt: Option<i64>,
    /// Part of a snapshot: every review the file holds, and its product, is noted (see `snapshot`).
    snapshot: bool,
    now: String,
    /// Products already written in this file, and whether their title is known.
    /// foldhash: fast, and seeded per process, so a file of crafted ASINs cannot collide them.
    products: ProductsSeen,
    brands: BrandSpellings,
    /// Recent records that were already stored, out of the last 64: when most are (a re-ingested
    /// or overlapping export), look up before inserting; otherwise insert first. Either way one
    /// index probe per record in the common case instead of two.
    known_recent: u32,
    seen_recent: u32,
    /// Reviews stored before this file (the highest id), and reviews this file added so far.
    rows_before: i64,
    new_rows: i64,
    /// Secondary indexes of `reviews` dropped for this load, to be built again before commit.
    deferred: Option<Vec<String>>,
    /// Last fields: dropped after `tx` has committed or rolled back.
    _checks_off: ForeignKeysOff<'c>,
    _journal: Option<BulkJournal<'c>>,
}

/// Foreign-key checks cost three B-tree probes per review, and the writer guarantees what they
/// check (it writes the product and the run before any review of them), so ingest switches them
/// off for its transaction. SQLite only honours the pragma outside a transaction, hence a guard
/// that turns them back on once the transaction is over.
struct ForeignKeysOff<'c>(&'c rusqlite::Connection);

impl<'c> ForeignKeysOff<'c> {
    fn new(conn: &'c rusqlite::Connection) -> Result<Self> {
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        Ok(ForeignKeysOff(conn))
    }
}

impl Drop for ForeignKeysOff<'_> {
    fn drop(&mut self) {
        // Fails only if a transaction is still open, which the field order rules out.
        let _ = self.0.pragma_update(None, "foreign_keys", "ON");
    }
}

/// A large first load into an empty database writes its pages once, straight into the database
/// file, instead of into the write-ahead log and then again from there at the checkpoint (about
/// 0.3 s of a million-review load). The rollback journal keeps the file's one transaction just as
/// safe against a crash. SQLite only leaves WAL mode when no other connection has the database
/// open, so a running `serve` simply keeps the usual path. Readers that open the database during
/// such a load wait for it to commit; an empty database has nothing for them yet.
struct BulkJournal<'c>(&'c rusqlite::Connection);

/// Files at least this large (on disk) take the bulk path into an empty database.
const BULK_MIN_BYTES: u64 = 16 << 20;

impl<'c> BulkJournal<'c> {
    fn try_new(conn: &'c rusqlite::Connection) -> Result<Option<Self>> {
        // Fail at once rather than wait out the busy timeout when another connection is open.
        conn.busy_timeout(std::time::Duration::ZERO)?;
        let mode =
            conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0));
        conn.busy_timeout(super::WRITE_BUSY_TIMEOUT)?;
        match mode {
            Ok(m) if m.eq_ignore_ascii_case("delete") => {
                // As durable as the WAL path: the journal and the file are synced at commit.
                conn.pragma_update(None, "synchronous", "FULL")?;
                Ok(Some(BulkJournal(conn)))
            }
            _ => Ok(None),
        }
    }
}

impl Drop for BulkJournal<'_> {
    fn drop(&mut self) {
        // Runs after the transaction ended; if it cannot, the next open switches back anyway.
        let _ = self.0.pragma_update(None, "journal_mode", "WAL");
        let _ = self.0.pragma_update(None, "synchronous", "NORMAL");
    }
}

/// One file's transaction: its own, or a savepoint inside a snapshot command's transaction (the
/// command is one decision, so its files commit together; a failed file still rolls back alone).
enum FileTx<'c> {
    Own(Transaction<'c>),
    Nested(Savepoint<'c>),
}

struct Savepoint<'c> {
    conn: &'c rusqlite::Connection,
    released: bool,
}

impl<'c> FileTx<'c> {
    fn begin(conn: &'c rusqlite::Connection, nested: bool) -> Result<Self> {
        if nested {
            conn.execute_batch("SAVEPOINT ingest_file")?;
            return Ok(FileTx::Nested(Savepoint {
                conn,
                released: false,
            }));
        }
        // IMMEDIATE takes the write lock now (waiting up to the busy timeout), not mid-file.
        Ok(FileTx::Own(Transaction::new_unchecked(
            conn,
            TransactionBehavior::Immediate,
        )?))
    }

    fn commit(self) -> Result<()> {
        match self {
            FileTx::Own(tx) => tx.commit()?,
            FileTx::Nested(mut sp) => {
                sp.conn.execute_batch("RELEASE ingest_file")?;
                sp.released = true;
            }
        }
        Ok(())
    }
}

impl std::ops::Deref for FileTx<'_> {
    type Target = rusqlite::Connection;
    fn deref(&self) -> &rusqlite::Connection {
        match self {
            FileTx::Own(tx) => tx,
            FileTx::Nested(sp) => sp.conn,
        }
    }
}

impl Drop for Savepoint<'_> {
    fn drop(&mut self) {
        if !self.released {
            // Undoes this file only; the snapshot's transaction goes on.
            let _ = self
                .conn
                .execute_batch("ROLLBACK TO ingest_file; RELEASE ingest_file");
        }
    }
}

const RAW_CAP: usize = 1 << 20;

/// What an ingest's attempt says until its file's transaction replaces it: true of it if its
/// process dies first (the transaction rolls back, so nothing of the file is kept).
pub const INTERRUPTED: &str = "interrupted: the ingest's process ended before it finished (killed, or stopped by an error such as a full disk); nothing of this file was kept";

/// Every live ingest holds `<db>.ingest.lock` shared (flock), so a reader can tell an attempt
/// still under way from one whose process died: the kernel lets go of the lock however the
/// process ends. It says only whether some ingest lives, not which: a killed attempt shows as
/// running while another ingest of the database runs. Taken on a best effort: without it (a
/// directory that cannot hold the file) attempts show as interrupted while they run.
pub struct IngestLock {
    _file: Option<std::fs::File>,
}

impl IngestLock {
    pub fn take(db: &Path) -> IngestLock {
        let file = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(Self::path(db))
            .ok()
            .filter(|f| f.lock_shared().is_ok());
        IngestLock { _file: file }
    }

    /// Whether a live ingest holds it: probed with an exclusive lock taken and let go at once, on
    /// the file opened read-only (a reader in a read-only directory can ask).
    pub fn is_held(db: &Path) -> bool {
        std::fs::File::open(Self::path(db))
            .is_ok_and(|f| matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)))
    }

    /// How an ingest run recorded as `status` is shown: an attempt (failed, with no end) is
    /// 'running' while an ingest lives, else 'interrupted'.
    pub fn shown_status(db: &Path, status: String, finished: bool) -> String {
        match (status.as_str(), finished) {
            ("failed", false) if Self::is_held(db) => "running".into(),
            ("failed", false) => "interrupted".into(),
            _ => status,
        }
    }

    /// `<db>.ingest.lock`
    pub fn path(db: &Path) -> std::path::PathBuf {
        super::beside(db, ".ingest.lock")
    }
}

/// A file that adds at least this many reviews, and more than the table held before it, builds
/// the secondary review indexes once at the end: one sorted pass instead of a random B-tree insert
/// per review (about 25 % of a million-review first load).
const DEFER_INDEXES_AFTER: i64 = 50_000;

/// An earlier successful read of a file: its run, the SHA-256 of its bytes, and its counts.
pub struct PriorRead {
    pub run_id: i64,
    pub sha256: String,
    pub counts: IngestCounts,
}

/// The products this file has written so far, and whether with a title (then later records of
/// the product are skipped). A file of ten million reviews names about a million products: a
/// `String` key cost about 85 MB and twice that while the table grew (ingest's peak RSS rose from
/// 189 MB at 4M reviews to 251 MB at 10M); an ASIN of up to 15 bytes is kept inline in 16 bytes.
#[derive(Default)]
struct ProductsSeen {
    short: foldhash::HashMap<[u8; 16], bool>,
    long: foldhash::HashMap<String, bool>,
}

impl ProductsSeen {
    /// The ASIN's length then its bytes, when it fits.
    fn inline(asin: &str) -> Option<[u8; 16]> {
        let b = asin.as_bytes();
        let mut k = [0u8; 16];
        k[0] = u8::try_from(b.len()).ok().filter(|&n| n < 16)?;
        k[1..=b.len()].copy_from_slice(b);
        Some(k)
    }

    fn get(&self, asin: &str) -> Option<bool> {
        match Self::inline(asin) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(asin).copied(),
        }
    }

    fn insert(&mut self, asin: &str, titled: bool) {
        match Self::inline(asin) {
            Some(k) => self.short.insert(k, titled),
            None => self.long.insert(asin.to_string(), titled),
        };
    }

    fn is_empty(&self) -> bool {
        self.short.is_empty() && self.long.is_empty()
    }
}

/// One spelling per brand, whatever the letter case of an export: "acme, inc." is stored as the
/// "Acme, Inc." already stored (the earliest seen), so reports list one brand, as `--brand`
/// filters one (ignoring case). Full Unicode lower case, as the filter compares.
#[derive(Default)]
struct BrandSpellings {
    /// A spelling as given → the stored one (most records repeat a spelling: no allocation).
    given: foldhash::HashMap<String, String>,
    /// Lower case → the stored spelling.
    lower: foldhash::HashMap<String, String>,
}

impl BrandSpellings {
    /// The stored products' brands, earliest seen first (an older database may hold several
    /// spellings of one brand: the first becomes the one new records take).
    fn load(conn: &rusqlite::Connection) -> Result<Self> {
        let mut st = conn.prepare(
            "SELECT brand FROM products WHERE brand IS NOT NULL
             GROUP BY brand ORDER BY min(first_seen), brand",
        )?;
        let mut out = BrandSpellings::default();
        for b in st.query_map([], |r| r.get::<_, String>(0))? {
            out.stored(&b?);
        }
        Ok(out)
    }

    /// The spelling `brand` is stored as (the first spelling of its lower case).
    fn stored<'a>(&'a mut self, brand: &'a str) -> &'a str {
        if !self.given.contains_key(brand) {
            let canon = self
                .lower
                .entry(brand.to_lowercase())
                .or_insert_with(|| brand.to_string())
                .clone();
            self.given.insert(brand.to_string(), canon);
        }
        self.given.get(brand).map_or(brand, |s| s.as_str())
    }

    /// Merges the spellings of one brand that a database written before spellings were merged
    /// holds ("Rhino USA", "RHINO USA": two brands in every report): products and reviews take
    /// the first spelling, as new records do. Each product respelled is changed by `run_id`, so
    /// the next analyze rolls it and its brands up again. Not an edit: no version is kept.
    fn merge_stored(&self, conn: &rusqlite::Connection, run_id: i64) -> Result<()> {
        for (given, stored) in self.given.iter().filter(|(g, s)| g != s) {
            conn.prepare_cached(
                "UPDATE products SET brand = ?2, changed_run = ?3 WHERE brand = ?1",
            )?
            .execute(params![given, stored, run_id])?;
            conn.prepare_cached("UPDATE reviews SET brand = ?2 WHERE brand = ?1")?
                .execute(params![given, stored])?;
        }
        Ok(())
    }

    /// Another spelling for the record's brand, when the stored one differs.
    fn respelled(&mut self, brand: Option<&str>) -> Option<String> {
        let b = brand?;
        let s = self.stored(b);
        (s != b).then(|| s.to_string())
    }
}

/// A stored review as `put` compares with: id, content hash, first run, last changed run, and
/// where the record puts it compared with the stored row.
type Stored = (i64, Vec<u8>, i64, i64, Place);

/// Where a record puts a stored review: the same product, brand and marketplace; the same product
/// under another brand or marketplace; another product (a move).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Same,
    Relabelled,
    Moved,
}

impl Store {
    /// Records that a file's ingest starts, committed at once, so that an ingest killed before its
    /// file commits leaves a trace (its transaction, run row included, rolls back). The row is
    /// 'failed' with the reason `INTERRUPTED` and no end: what it stays if the process dies. The
    /// file's transaction deletes it as it commits its own run row (whose id, taken under the
    /// write lock, keeps runs in commit order, as analyze's watermark needs), and a failure
    /// records its reason in it. None inside a snapshot: its command is one transaction.
    pub fn begin_attempt(
        &mut self,
        source: &str,
        format: &str,
        started_at: &str,
    ) -> Result<Option<i64>> {
        if self.snapshot_base.is_some() {
            return Ok(None);
        }
        self.conn.execute(
            "INSERT INTO ingest_runs (source, format, started_at, status, error)
             VALUES (?1, ?2, ?3, 'failed', ?4)",
            params![source, format, started_at, INTERRUPTED],
        )?;
        Ok(Some(self.conn.last_insert_rowid()))
    }

    /// Deletes an attempt's row: in the transaction whose commit records the run itself.
    pub fn end_attempt(&mut self, id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM ingest_runs WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Starts one file's transaction. `size` is the file's size when known: a large file into an
    /// empty database takes the bulk path (see `BulkJournal`). `attempt` is deleted as the file
    /// commits (see `begin_attempt`).
    pub fn begin_ingest(
        &mut self,
        source: &str,
        format: &str,
        size: Option<u64>,
        attempt: Option<i64>,
    ) -> Result<RawWriter<'_>> {
        let now = now_utc();
        let conn = &self.conn;
        let empty = || -> Result<bool> {
            Ok(
                conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM reviews)", [], |r| {
                    r.get(0)
                })?,
            )
        };
        let snapshot = self.snapshot_base.is_some();
        // The journal mode cannot change inside the snapshot's transaction.
        let journal = if !snapshot && size.is_some_and(|s| s >= BULK_MIN_BYTES) && empty()? {
            BulkJournal::try_new(conn)?
        } else {
            None
        };
        let checks_off = ForeignKeysOff::new(conn)?;
        let tx = FileTx::begin(conn, snapshot)?;
        tx.execute(
            "INSERT INTO ingest_runs (source, format, started_at, status) VALUES (?1, ?2, ?3, 'ok')",
            params![source, format, now],
        )?;
        let run_id = tx.last_insert_rowid();
        let rows_before: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM reviews", [], |r| r.get(0))?;
        let brands = BrandSpellings::load(conn)?;
        brands.merge_stored(&tx, run_id)?;
        Ok(RawWriter {
            lookup: conn.prepare(
                // A review exported under another product is an edit too (it moves), though its
                // content hash, which has no product in it, is the same. Another letter case of
                // its product is no move (an export that lowercased ids changed nothing before).
                // Another brand or marketplace is an edit of where the review counts (breakdowns),
                // not of its text; an export without the field changes nothing.
                "SELECT id, content_hash, first_run, last_changed_run,
                     CASE WHEN asin = ?2 COLLATE NOCASE THEN
                         CASE WHEN (?3 IS NULL OR brand IS ?3) AND (?4 IS NULL OR marketplace IS ?4)
                         THEN 0 ELSE 1 END
                     ELSE 2 END
                 FROM reviews WHERE review_key = ?1",
            )?,
            insert: conn.prepare(
                "INSERT INTO reviews (review_key, source_review_id, asin, brand, rating, title, body,
                     review_date, marketplace, extra, content_hash, text_hash, first_run, last_changed_run)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
                 ON CONFLICT (review_key) DO NOTHING",
            )?,
            tx,
            run_id,
            attempt,
            snapshot,
            now,
            products: ProductsSeen::default(),
            brands,
            known_recent: 0,
            seen_recent: 0,
            rows_before,
            new_rows: 0,
            deferred: None,
            _checks_off: checks_off,
            _journal: journal,
        })
    }

    /// Records a file that failed: nothing of it was kept, but the attempt and its reason are
    /// (in the attempt's row when it has one).
    pub fn record_failed_ingest(
        &mut self,
        source: &str,
        format: &str,
        started_at: &str,
        error: &str,
        attempt: Option<i64>,
    ) -> Result<()> {
        if let Some(id) = attempt {
            let n = self.conn.execute(
                "UPDATE ingest_runs SET format = ?2, finished_at = ?3, error = ?4 WHERE id = ?1",
                params![id, format, now_utc(), error],
            )?;
            if n == 1 {
                return Ok(());
            }
        }
        self.conn.execute(
            "INSERT INTO ingest_runs (source, format, started_at, finished_at, status, error)
             VALUES (?1, ?2, ?3, ?4, 'failed', ?5)",
            params![source, format, started_at, now_utc(), error],
        )?;
        Ok(())
    }

    /// Earlier successful reads of a file of exactly `size` bytes: candidates for "the same file".
    pub fn reads_of_size(&self, size: u64) -> Result<Vec<PriorRead>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, sha256, records_read, duplicates, rejected FROM ingest_runs
             WHERE status = 'ok' AND same_as_run IS NULL AND size_bytes = ?1 AND sha256 IS NOT NULL
             ORDER BY id DESC",
        )?;
        let rows = st.query_map([size as i64], |r| {
            Ok(PriorRead {
                run_id: r.get(0)?,
                sha256: r.get(1)?,
                counts: IngestCounts {
                    read: r.get::<_, i64>(2)? as u64,
                    duplicates: r.get::<_, i64>(3)? as u64,
                    rejected: r.get::<_, i64>(4)? as u64,
                    ..Default::default()
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a file not read again because its bytes equal `prior`'s: every record it holds is
    /// unchanged (or a duplicate, or rejected, as then). Returns the counts.
    pub fn record_same_file(
        &mut self,
        source: &str,
        format: &str,
        started_at: &str,
        size: u64,
        prior: &PriorRead,
    ) -> Result<IngestCounts> {
        let p = &prior.counts;
        let counts = IngestCounts {
            read: p.read,
            unchanged: p.read.saturating_sub(p.duplicates + p.rejected),
            duplicates: p.duplicates,
            rejected: p.rejected,
            ..Default::default()
        };
        self.conn.execute(
            "INSERT INTO ingest_runs (source, format, started_at, finished_at, status, size_bytes,
                 sha256, same_as_run, records_read, unchanged, duplicates, rejected)
             VALUES (?1, ?2, ?3, ?4, 'ok', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                source,
                format,
                started_at,
                now_utc(),
                size as i64,
                prior.sha256,
                prior.run_id,
                counts.read as i64,
                counts.unchanged as i64,
                counts.duplicates as i64,
                counts.rejected as i64
            ],
        )?;
        Ok(counts)
    }

    /// Counts of the raw layer, for summaries and tests.
    pub fn raw_counts(&self) -> Result<(i64, i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM reviews), (SELECT count(*) FROM products),
                    (SELECT count(*) FROM review_versions)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }
}

impl RawWriter<'_> {
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    pub fn put(&mut self, keyed: &Keyed) -> Result<Outcome> {
        match self.brands.respelled(keyed.record.brand.as_deref()) {
            Some(brand) => {
                let mut k = keyed.clone();
                k.record.brand = Some(brand);
                self.put_spelled(&k)
            }
            None => self.put_spelled(keyed),
        }
    }

    /// `put`, the record's brand spelled as stored.
    fn put_spelled(&mut self, keyed: &Keyed) -> Result<Outcome> {
        let rec = &keyed.record;
        self.put_product(rec)?;
        let key = &keyed.key;
        if self.seen_recent == 64 {
            self.known_recent /= 2;
            self.seen_recent = 32;
        }
        self.seen_recent += 1;
        let existing = if self.known_recent * 2 > self.seen_recent {
            self.lookup(key, rec)?
        } else {
            None
        };
        let existing = match existing {
            Some(row) => Some(row),
            None => {
                if self.insert(keyed)? {
                    self.new_rows += 1;
                    if self.snapshot {
                        self.mark_seen(self.tx.last_insert_rowid())?;
                    }
                    if self.deferred.is_none()
                        && self.new_rows >= DEFER_INDEXES_AFTER
                        && self.new_rows > self.rows_before
                    {
                        self.defer_indexes()?;
                    }
                    return Ok(Outcome::New);
                }
                self.lookup(key, rec)?
            }
        };
        self.known_recent += 1;
        let Some(stored) = existing else {
            return Err(crate::error::Error::ConflictUnreadable {
                key: key.to_string(),
            });
        };
        if self.snapshot {
            self.mark_seen(stored.0)?;
        }
        self.existing(keyed, stored)
    }

    /// Notes a review the snapshot holds: it is not retired (see `Store::finish_snapshot`).
    fn mark_seen(&mut self, id: i64) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO temp.snapshot_seen (review_id) VALUES (?1)")?
            .execute([id])?;
        Ok(())
    }

    /// A snapshot lacks a record of this product (None: of an unknown one), so it is incomplete:
    /// nothing of that product (None: of any) is retired.
    pub fn note_rejected(&mut self, asin: Option<&str>) -> Result<()> {
        if self.snapshot {
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO temp.snapshot_incomplete (asin) VALUES (coalesce(?1, ''))",
                )?
                .execute([asin])?;
        }
        Ok(())
    }

    /// Drops the secondary indexes of `reviews` (not the unique key, which finds known reviews)
    /// inside this transaction; `finish` builds them again from their stored definitions, so a
    /// crash or a rollback leaves them as they were.
    fn defer_indexes(&mut self) -> Result<()> {
        let defs: Vec<(String, String)> = self
            .tx
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                 WHERE type = 'index' AND tbl_name = 'reviews' AND sql IS NOT NULL",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &defs {
            self.tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        self.deferred = Some(defs.into_iter().map(|(_, sql)| sql).collect());
        Ok(())
    }

    /// The stored review with this key, compared with the record's product, brand and marketplace.
    fn lookup(&mut self, key: &str, rec: &ReviewRecord) -> Result<Option<Stored>> {
        Ok(self
            .lookup
            .query_row(params![key, rec.asin, rec.brand, rec.marketplace], |r| {
                let place = match r.get::<_, i64>(4)? {
                    0 => Place::Same,
                    1 => Place::Relabelled,
                    _ => Place::Moved,
                };
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, place))
            })
            .optional()?)
    }

    /// Inserts a review whose key is new; false when the key exists.
    fn insert(&mut self, keyed: &Keyed) -> Result<bool> {
        let rec = &keyed.record;
        let inserted = self.insert.execute(params![
            keyed.key,
            rec.source_review_id,
            rec.asin,
            rec.brand,
            rec.rating,
            rec.title,
            rec.body,
            rec.review_date,
            rec.marketplace,
            rec.extra,
            &keyed.content_hash[..],
            &keyed.text_hash[..],
            self.run_id
        ])?;
        Ok(inserted == 1)
    }

    /// A review whose key was already stored: unchanged, a duplicate in this file, or an edit.
    fn existing(&mut self, keyed: &Keyed, stored: Stored) -> Result<Outcome> {
        let (id, old_hash, first_run, last_run, place) = stored;
        let (rec, content) = (&keyed.record, &keyed.content_hash);
        let same_content = old_hash == content[..];
        if same_content && place == Place::Same {
            return Ok(if last_run == self.run_id {
                Outcome::Duplicate
            } else {
                Outcome::Unchanged
            });
        }
        // An older export that repeats a version we already replaced is not an edit: don't revert.
        // Versions keep no brand or marketplace, so a relabelling with the same content is always
        // an edit (the latest export wins, as for a product's brand and marketplace).
        let seen_before = !(same_content && place == Place::Relabelled)
            && self
                .tx
                .prepare_cached(
                    "SELECT 1 FROM review_versions WHERE review_id = ?1 AND content_hash = ?2 LIMIT 1",
                )?
                .exists(params![id, &content[..]])?;
        if seen_before {
            return Ok(Outcome::Unchanged);
        }
        // Changed content: keep the previous version, then update in place.
        self.tx
            .prepare_cached(
                "INSERT INTO review_versions (review_id, rating, title, body, review_date, extra,
                     content_hash, from_run, replaced_by_run, asin)
                 SELECT id, rating, title, body, review_date, extra, content_hash, last_changed_run, ?2,
                     asin
                 FROM reviews WHERE id = ?1",
            )?
            .execute(params![id, self.run_id])?;
        self.tx
            .prepare_cached(
                "UPDATE reviews SET asin = ?2, brand = coalesce(?3, brand), rating = ?4, title = ?5,
                     body = ?6, review_date = ?7, marketplace = coalesce(?8, marketplace), extra = ?9,
                     content_hash = ?10,
                     text_hash = ?11, last_changed_run = ?12
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                rec.asin,
                rec.brand,
                rec.rating,
                rec.title,
                rec.body,
                rec.review_date,
                rec.marketplace,
                rec.extra,
                &content[..],
                &keyed.text_hash[..],
                self.run_id
            ])?;
        Ok(if first_run == self.run_id {
            Outcome::Duplicate
        } else {
            Outcome::Updated
        })
    }

    fn put_product(&mut self, rec: &ReviewRecord) -> Result<()> {
        let has_title = rec.product_title.is_some();
        match self.products.get(&rec.asin) {
            Some(known) if known || !has_title => return Ok(()),
            _ => {}
        }
        self.tx
            .prepare_cached(
                "INSERT INTO products (asin, brand, title, marketplace, first_seen, last_seen,
                     changed_run)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
                 ON CONFLICT (asin) DO UPDATE SET
                     brand = coalesce(excluded.brand, brand),
                     title = coalesce(excluded.title, title),
                     marketplace = coalesce(excluded.marketplace, marketplace),
                     last_seen = excluded.last_seen,
                     changed_run = CASE
                         WHEN coalesce(excluded.brand, brand) IS NOT brand
                           OR coalesce(excluded.marketplace, marketplace) IS NOT marketplace
                         THEN excluded.changed_run ELSE changed_run END",
            )?
            .execute(params![
                rec.asin,
                rec.brand,
                rec.product_title,
                rec.marketplace,
                self.now,
                self.run_id
            ])?;
        self.products.insert(&rec.asin, has_title);
        if self.snapshot {
            self.tx
                .prepare_cached("INSERT OR IGNORE INTO temp.snapshot_products (asin) VALUES (?1)")?
                .execute([&rec.asin])?;
        }
        Ok(())
    }

    pub fn reject(&mut self, record_no: u64, line: u64, reason: &str, raw: &str) -> Result<()> {
        let raw = if raw.len() > RAW_CAP {
            let mut end = RAW_CAP;
            while !raw.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…[truncated from {} bytes]", &raw[..end], raw.len())
        } else {
            raw.to_string()
        };
        self.tx
            .prepare_cached(
                "INSERT INTO rejected_records (ingest_run_id, record_no, line, reason, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                self.run_id,
                record_no as i64,
                line as i64,
                reason,
                raw
            ])?;
        Ok(())
    }

    /// Ends a file from which no record loaded: the run is committed as failed, with the reason
    /// and counts, and keeps its rejected records (for diagnosis). When the file wrote anything
    /// else (a product whose review the database then refused), it is all rolled back instead
    /// and false is returned: the caller records the failure on its own.
    pub fn fail(
        self,
        counts: &IngestCounts,
        size: u64,
        sha256: &str,
        reason: &str,
    ) -> Result<bool> {
        if !self.products.is_empty() || self.new_rows > 0 {
            return Ok(false);
        }
        self.tx.execute(
            "UPDATE ingest_runs SET finished_at = ?2, status = 'failed', error = ?3, size_bytes = ?4,
                 sha256 = ?5, records_read = ?6, rejected = ?7
             WHERE id = ?1",
            params![
                self.run_id,
                now_utc(),
                reason,
                size as i64,
                sha256,
                counts.read as i64,
                counts.rejected as i64
            ],
        )?;
        self.end_attempt()?;
        let RawWriter {
            lookup, insert, tx, ..
        } = self;
        drop((lookup, insert));
        tx.commit()?;
        Ok(true)
    }

    /// The attempt's row goes with the transaction that records the run itself.
    fn end_attempt(&self) -> Result<()> {
        if let Some(id) = self.attempt {
            self.tx
                .execute("DELETE FROM ingest_runs WHERE id = ?1", [id])?;
        }
        Ok(())
    }

    /// Records the run's counts and commits everything from this file at once.
    pub fn finish(self, counts: &IngestCounts, size: u64, sha256: &str) -> Result<i64> {
        self.tx.execute(
            "UPDATE ingest_runs SET finished_at = ?2, size_bytes = ?3, sha256 = ?4, records_read = ?5,
                 new_reviews = ?6, updated = ?7, unchanged = ?8, duplicates = ?9, rejected = ?10
             WHERE id = ?1",
            params![
                self.run_id,
                now_utc(),
                size as i64,
                sha256,
                counts.read as i64,
                counts.new as i64,
                counts.updated as i64,
                counts.unchanged as i64,
                counts.duplicates as i64,
                counts.rejected as i64
            ],
        )?;
        self.end_attempt()?;
        let RawWriter {
            lookup,
            insert,
            tx,
            run_id,
            deferred,
            products,
            ..
        } = self;
        // The set of products is no longer needed (about 40 MB at a million products).
        drop((lookup, insert, products));
        if let Some(sqls) = deferred {
            // SQLite's sorter holds up to the cache size in memory on top of the page cache:
            // halving both for the rebuild keeps ingest's peak where the load itself is (at ten
            // million reviews RSS stepped from 162 to 213 MB in this phase).
            tx.pragma_update(None, "cache_size", super::CACHE_SIZE / 2)?;
            for sql in sqls {
                tx.execute_batch(&sql)?;
            }
            tx.pragma_update(None, "cache_size", super::CACHE_SIZE)?;
        }
        tx.commit()?;
        Ok(run_id)
    }
}

impl Store {
    /// Id of the newest ingest run that read its file (a repeat of an earlier one changes
    /// nothing), 0 when there is none.
    pub fn last_ingest_run(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row(
                "SELECT max(id) FROM ingest_runs WHERE status = 'ok' AND same_as_run IS NULL",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten()
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReviewRecord;

    fn fk_on(store: &Store) -> bool {
        store
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get::<_, i64>(0))
            .unwrap()
            == 1
    }

    #[test]
    fn products_seen_tells_every_asin_apart_inline_or_not() {
        let mut seen = ProductsSeen::default();
        let fifteen = "B0123456789ABCD";
        let sixteen = "B0123456789ABCDE";
        for (a, titled) in [
            ("B0A", true),
            ("B0A0", false),
            (fifteen, true),
            (sixteen, false),
        ] {
            assert_eq!(seen.get(a), None, "{a}");
            seen.insert(a, titled);
        }
        assert_eq!(seen.get("B0A"), Some(true));
        assert_eq!(seen.get("B0A0"), Some(false));
        assert_eq!(seen.get(fifteen), Some(true));
        assert_eq!(seen.get(sixteen), Some(false));
        assert_eq!(seen.get("b0a"), None, "letter case is kept");
        assert_eq!((seen.short.len(), seen.long.len()), (3, 1));
        seen.insert("B0A0", true);
        assert_eq!(seen.get("B0A0"), Some(true));
    }

    #[test]
    fn foreign_keys_come_back_after_commit_and_rollback() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        assert!(fk_on(&store));
        let rec = ReviewRecord {
            asin: "B0TEST0001".into(),
            body: Some("fine".into()),
            ..Default::default()
        };
        let rec = Keyed::from(rec);
        let mut w = store.begin_ingest("a.jsonl", "jsonl", None, None).unwrap();
        assert_eq!(w.put(&rec).unwrap(), Outcome::New);
        drop(w); // rolled back
        assert!(fk_on(&store));
        assert_eq!(store.raw_counts().unwrap(), (0, 0, 0));
        let mut w = store.begin_ingest("a.jsonl", "jsonl", None, None).unwrap();
        w.put(&rec).unwrap();
        w.finish(&IngestCounts::default(), 0, "").unwrap();
        assert!(fk_on(&store));
        let broken: i64 = store
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(broken, 0);
    }
}
