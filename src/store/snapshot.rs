//! Snapshots (`ingest --snapshot`): the files of one command are the complete current reviews of
//! the products they contain. The command is one transaction. Its files load as usual (each in a
//! savepoint, noting every review they hold); then, product by product, reviews this command added
//! without a source id are matched with the product's reviews it no longer holds (an edit becomes
//! a version of the old review), and what is still missing is retired.
//!
//! Matching, within one product, among id-less reviews only (source ids match by id as always):
//! 1. a new review equal to an earlier version of a stored one is that old version re-delivered
//!    (an older export): dropped, and the product's snapshot is stale;
//! 2. then pairs of (new, missing) reviews, best first: the same title (ignoring case and
//!    punctuation); else the same text; else texts whose word sets overlap by at least
//!    `SIMILAR` (Jaccard). Ties go to the oldest stored review, then to the first new one, so the
//!    result is deterministic; each review is matched at most once.
//!
//! A product with a rejected record retires nothing (its snapshot may lack that review); a
//! rejected record that names no product (no readable ASIN) retires nothing of any product.
//! A stale product (its snapshot holds an old version of a review, or a review a later snapshot
//! retired) retires nothing: it is an older export, and a retired review is never resurrected.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, OptionalExtension};

use super::Store;
use crate::error::Result;
use crate::model::IngestCounts;

/// Word-set overlap (Jaccard) from which two texts are one review edited.
const SIMILAR: f64 = 0.5;

/// Pairs compared for a close edit per product, at most: beyond it only equal titles and texts
/// match (a product with thousands of reviews replaced at once is not an edit).
const MAX_FUZZY_PAIRS: usize = 1_000_000;

/// What the snapshot step changed, to be added to the files' counts.
#[derive(Debug, Default, Clone, Copy)]
pub struct SnapshotCounts {
    /// New reviews that were in fact edits (counted as changed) or old versions (unchanged).
    pub edits: u64,
    pub old_versions: u64,
    pub retired: u64,
    /// Products in the snapshot, and those that retired nothing because they are stale.
    pub products: u64,
    pub stale_products: u64,
    /// Products that retired nothing because a record of theirs was rejected.
    pub incomplete_products: u64,
    /// A rejected record named no product: no product retired anything.
    pub unknown_rejected: bool,
}

impl SnapshotCounts {
    /// The files' counts with this step's corrections.
    pub fn apply(&self, t: &mut IngestCounts) {
        t.new = t.new.saturating_sub(self.edits + self.old_versions);
        t.updated += self.edits;
        t.unchanged += self.old_versions;
    }
}

/// A review of the product being matched.
struct Row {
    id: i64,
    key: String,
    from_source: bool,
    title: String,
    body: String,
    content_hash: Vec<u8>,
    first_run: i64,
    retired: bool,
    seen: bool,
}

impl Store {
    /// Opens a snapshot command: one transaction for all its files, and the notes of what they hold.
    pub fn begin_snapshot(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TEMP TABLE IF NOT EXISTS snapshot_seen (review_id INTEGER PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS snapshot_products (asin TEXT PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS snapshot_incomplete (asin TEXT PRIMARY KEY);
             DELETE FROM temp.snapshot_seen;
             DELETE FROM temp.snapshot_products;
             DELETE FROM temp.snapshot_incomplete;",
        )?;
        let base: i64 =
            self.conn
                .query_row("SELECT coalesce(max(id), 0) FROM ingest_runs", [], |r| {
                    r.get(0)
                })?;
        self.snapshot_base = Some(base);
        Ok(())
    }

    /// Matches edits, retires what the snapshot no longer holds (only when `retire`: every file
    /// loaded completely), corrects the files' counts, and commits the command.
    pub fn finish_snapshot(&mut self, retire: bool) -> Result<SnapshotCounts> {
        let result = self.snapshot_step(retire);
        self.snapshot_base = None;
        match result {
            Ok(c) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(c),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn snapshot_step(&mut self, retire: bool) -> Result<SnapshotCounts> {
        let base = self.snapshot_base.unwrap_or(i64::MAX);
        let last_run: Option<i64> = self.conn.query_row(
            "SELECT max(id) FROM ingest_runs WHERE id > ?1 AND status = 'ok'",
            [base],
            |r| r.get(0),
        )?;
        let asins: Vec<String> = self
            .conn
            .prepare("SELECT asin FROM temp.snapshot_products ORDER BY asin")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let incomplete: HashSet<String> = self
            .conn
            .prepare("SELECT asin FROM temp.snapshot_incomplete")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut counts = SnapshotCounts {
            products: asins.len() as u64,
            unknown_rejected: incomplete.contains(""),
            ..Default::default()
        };
        let retire = retire && !counts.unknown_rejected;
        let mut per_run: HashMap<i64, (i64, i64)> = HashMap::new();
        for asin in &asins {
            let complete = !incomplete.contains(asin);
            if retire && !complete {
                counts.incomplete_products += 1;
            }
            let retire_in = last_run.filter(|_| retire && complete);
            self.snapshot_product(asin, base, retire_in, &mut counts, &mut per_run)?;
        }
        for (run, (edits, old)) in per_run {
            self.conn.execute(
                "UPDATE ingest_runs SET new_reviews = new_reviews - ?2 - ?3,
                     updated = updated + ?2, unchanged = unchanged + ?3 WHERE id = ?1",
                params![run, edits, old],
            )?;
        }
        self.conn
            .execute("UPDATE ingest_runs SET snapshot = 1 WHERE id > ?1", [base])?;
        if let Some(run) = last_run {
            self.conn.execute(
                "UPDATE ingest_runs SET retired = ?2 WHERE id = ?1",
                params![run, counts.retired as i64],
            )?;
        }
        Ok(counts)
    }

    /// One product: old versions, edits, then (with `retire_in`, the run to retire in) removals.
    fn snapshot_product(
        &mut self,
        asin: &str,
        base: i64,
        retire_in: Option<i64>,
        counts: &mut SnapshotCounts,
        per_run: &mut HashMap<i64, (i64, i64)>,
    ) -> Result<()> {
        let mut rows = self.snapshot_rows(asin)?;
        // Added by this command, without a source id: possibly an edit or an old version.
        let fresh: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].seen && rows[i].first_run > base && !rows[i].from_source)
            .collect();
        let mut stale = rows.iter().any(|r| r.seen && r.retired);
        let mut unmatched = Vec::new();
        for i in fresh {
            match self.older_version_of(asin, &rows[i].content_hash)? {
                Some(old) => {
                    self.drop_review(rows[i].id, old)?;
                    per_run.entry(rows[i].first_run).or_default().1 += 1;
                    counts.old_versions += 1;
                    if let Some(r) = rows.iter_mut().find(|r| r.id == old) {
                        r.seen = true;
                    }
                    stale = true;
                }
                None => unmatched.push(i),
            }
        }
        let missing: Vec<usize> = (0..rows.len())
            .filter(|&i| !rows[i].seen && !rows[i].retired && rows[i].first_run <= base)
            .collect();
        let candidates: Vec<usize> = missing
            .iter()
            .copied()
            .filter(|&i| !rows[i].from_source)
            .collect();
        for (n, u) in match_edits(&rows, &unmatched, &candidates) {
            self.apply_edit(&rows[n], rows[u].id)?;
            per_run.entry(rows[n].first_run).or_default().0 += 1;
            counts.edits += 1;
            rows[u].seen = true;
        }
        if stale {
            counts.stale_products += 1;
            return Ok(());
        }
        if let Some(run) = retire_in {
            for i in missing.into_iter().filter(|&i| !rows[i].seen) {
                self.conn.execute(
                    "UPDATE reviews SET retired_run = ?2 WHERE id = ?1",
                    params![rows[i].id, run],
                )?;
                counts.retired += 1;
            }
        }
        Ok(())
    }

    /// Every stored review of a product, current and retired, oldest first.
    fn snapshot_rows(&self, asin: &str) -> Result<Vec<Row>> {
        let mut st = self.conn.prepare_cached(
            "SELECT r.id, r.review_key, r.source_review_id IS NOT NULL, coalesce(r.title, ''),
                    coalesce(r.body, ''), r.content_hash, r.first_run, r.retired_run IS NOT NULL,
                    EXISTS (SELECT 1 FROM temp.snapshot_seen s WHERE s.review_id = r.id)
             FROM reviews r WHERE r.asin = ?1 ORDER BY r.id",
        )?;
        let rows = st
            .query_map([asin], |r| {
                Ok(Row {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    from_source: r.get(2)?,
                    title: r.get(3)?,
                    body: r.get(4)?,
                    content_hash: r.get(5)?,
                    first_run: r.get(6)?,
                    retired: r.get(7)?,
                    seen: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The stored review of this product (current or retired) that once had this content.
    fn older_version_of(&self, asin: &str, content_hash: &[u8]) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT v.review_id FROM review_versions v JOIN reviews r ON r.id = v.review_id
                 WHERE r.asin = ?1 AND v.content_hash = ?2 ORDER BY v.review_id LIMIT 1",
            )?
            .query_row(params![asin, content_hash], |r| r.get(0))
            .optional()?)
    }

    /// Removes a review this command added that turned out to be another one's older version.
    fn drop_review(&self, id: i64, old: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM reviews WHERE id = ?1", [id])?;
        self.conn.execute(
            "INSERT OR IGNORE INTO temp.snapshot_seen (review_id) VALUES (?1)",
            [old],
        )?;
        Ok(())
    }

    /// The stored review `old` becomes the new review's content (and key); its previous content
    /// is kept as a version, replaced by the run that brought the new one.
    fn apply_edit(&self, new: &Row, old: i64) -> Result<()> {
        let c = &self.conn;
        c.execute(
            "INSERT INTO review_versions (review_id, rating, title, body, review_date, extra,
                 content_hash, from_run, replaced_by_run, asin)
             SELECT id, rating, title, body, review_date, extra, content_hash, last_changed_run, ?2,
                 asin
             FROM reviews WHERE id = ?1",
            params![old, new.first_run],
        )?;
        c.execute(
            "UPDATE reviews SET (brand, rating, title, body, review_date, marketplace, extra,
                 content_hash, text_hash, last_changed_run) =
                (SELECT brand, rating, title, body, review_date, marketplace, extra, content_hash,
                        text_hash, first_run FROM reviews WHERE id = ?2)
             WHERE id = ?1",
            params![old, new.id],
        )?;
        c.execute("DELETE FROM reviews WHERE id = ?1", [new.id])?;
        c.execute(
            "UPDATE reviews SET review_key = ?2 WHERE id = ?1",
            params![old, new.key],
        )?;
        c.execute(
            "INSERT OR IGNORE INTO temp.snapshot_seen (review_id) VALUES (?1)",
            [old],
        )?;
        Ok(())
    }
}

/// Lower-case words of letters and digits, joined by one space: what "the same title" compares.
fn normalize(s: &str) -> String {
    words(s).collect::<Vec<_>>().join(" ")
}

fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Jaccard overlap of two sorted, deduplicated word-id lists; 0 when either is empty. A merge of
/// integers: with hashed strings a product of 300 edited 3,000-word reviews took 105 s (debug).
fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    // |A ∩ B| ≤ min, |A ∪ B| ≥ max: below SIMILAR whatever the words.
    let (short, long) = (a.len().min(b.len()), a.len().max(b.len()));
    if (short as f64) < SIMILAR * long as f64 {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Each text's words (title and body) as sorted ids, one id per distinct word across all texts.
fn word_ids(texts: &[&(String, String)]) -> Vec<Vec<u32>> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    texts
        .iter()
        .map(|(t, b)| {
            let mut v: Vec<u32> = words(t)
                .chain(words(b))
                .map(|w| {
                    let next = ids.len() as u32;
                    *ids.entry(w).or_insert(next)
                })
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect()
}

/// Pairs (new, old) of row indexes, each row at most once: by rank (same title, same text, close
/// edit), then closeness, then the oldest stored review and the first new one.
fn match_edits(rows: &[Row], fresh: &[usize], old: &[usize]) -> Vec<(usize, usize)> {
    if fresh.is_empty() || old.is_empty() {
        return Vec::new();
    }
    let norm = |i: usize| (normalize(&rows[i].title), normalize(&rows[i].body));
    let fresh_n: Vec<_> = fresh.iter().map(|&i| norm(i)).collect();
    let old_n: Vec<_> = old.iter().map(|&i| norm(i)).collect();
    let fuzzy = fresh.len().saturating_mul(old.len()) <= MAX_FUZZY_PAIRS;
    let all: Vec<&(String, String)> = match fuzzy {
        true => fresh_n.iter().chain(&old_n).collect(),
        false => Vec::new(),
    };
    let ids = word_ids(&all);
    let (fresh_w, old_w) = ids.split_at(ids.len().min(fresh_n.len()));
    // (rank, -closeness in millionths, old id, new id, new index, old index)
    let mut pairs = Vec::new();
    for (a, (ft, fb)) in fresh_n.iter().enumerate() {
        for (b, (ot, ob)) in old_n.iter().enumerate() {
            let rank_score = if !ft.is_empty() && ft == ot {
                Some((0, 0))
            } else if !fb.is_empty() && fb == ob {
                Some((1, 0))
            } else if fuzzy {
                let j = jaccard(&fresh_w[a], &old_w[b]);
                (j >= SIMILAR).then(|| (2, -((j * 1e6) as i64)))
            } else {
                None
            };
            if let Some((rank, score)) = rank_score {
                let (n, u) = (fresh[a], old[b]);
                pairs.push((rank, score, rows[u].id, rows[n].id, n, u));
            }
        }
    }
    pairs.sort_unstable();
    let (mut used_new, mut used_old) = (HashSet::new(), HashSet::new());
    let mut out = Vec::new();
    for (_, _, _, _, n, u) in pairs {
        if used_new.contains(&n) || used_old.contains(&u) {
            continue;
        }
        used_new.insert(n);
        used_old.insert(u);
        out.push((n, u));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, title: &str, body: &str) -> Row {
        Row {
            id,
            key: format!("h:{id}"),
            from_source: false,
            title: title.into(),
            body: body.into(),
            content_hash: Vec::new(),
            first_run: 1,
            retired: false,
            seen: false,
        }
    }

    #[test]
    fn titles_then_texts_then_close_edits_each_matched_once() {
        let rows = vec![
            row(1, "Great lid", "It fits well."),
            row(2, "", "The hinge broke after one week of use"),
            row(3, "Meh", "Nothing special about it"),
            row(4, "great LID!", "It fits well, until it cracked."),
            row(5, "", "the hinge broke after two weeks of use"),
            row(6, "Other", "Completely different words here"),
        ];
        let m = match_edits(&rows, &[3, 4, 5], &[0, 1, 2]);
        assert_eq!(m, vec![(3, 0), (4, 1)]);
    }

    #[test]
    fn the_same_text_matches_the_oldest_review_first() {
        let rows = vec![
            row(1, "a", "same words"),
            row(2, "b", "same words"),
            row(3, "c", "same words"),
        ];
        assert_eq!(match_edits(&rows, &[2], &[1, 0]), vec![(2, 0)]);
    }
}
