//! SQLite's memory statistics are off (`store::configure_sqlite`): counting every allocation took a
//! global mutex. This file is its own process, so no other test has initialized SQLite before the
//! store opens its first connection, as in the binary. It uses the library, not the binary: the
//! setting shows only inside the process.

#[test]
fn a_store_opens_sqlite_without_memory_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // Creating the database runs every migration; both connections hold their schema and caches.
    let store = prodinsight::store::Store::open(&db).unwrap();
    let reader = prodinsight::store::Store::open_readonly(&db).unwrap();
    // SAFETY: a plain read of SQLite's counter.
    let used = unsafe { rusqlite::ffi::sqlite3_memory_used() };
    // With statistics on, SQLite counts the bytes the open connections hold (hundreds of KB);
    // off, the count is never kept and stays 0.
    assert_eq!(used, 0);
    drop((reader, store));
}
