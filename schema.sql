-- prodinsight schema: the one readable source of truth for the database.
--
-- Applied on open by src/store/migrate.rs. Each `-- migration: N` section runs once, in order, inside
-- one transaction, and PRAGMA user_version records the last one applied. Never edit or remove a
-- section that has shipped: add a new one at the end.
--
-- Two layers, kept apart:
--   raw       what was ingested, as it was. Only `ingest` writes it; nothing ever rewrites it.
--   insights  what `analyze` derives from raw. It can always be rebuilt from raw.

-- migration: 1

---------------------------------------------------------------------------------------------------
-- raw layer
---------------------------------------------------------------------------------------------------

-- One row per file (or stdin) that `ingest` read, whether it succeeded or not.
CREATE TABLE ingest_runs (
    id            INTEGER PRIMARY KEY,
    source        TEXT    NOT NULL,               -- path as given, or '-' for stdin
    size_bytes    INTEGER,                        -- bytes read from the source (compressed size for .gz)
    sha256        TEXT,                           -- of those bytes
    format        TEXT    NOT NULL,               -- json | jsonl | csv, with '+gzip' when compressed
    started_at    TEXT    NOT NULL,               -- UTC, RFC 3339
    finished_at   TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('ok', 'failed')),
    error         TEXT,                           -- why a failed run failed; nothing of it was kept
    records_read  INTEGER NOT NULL DEFAULT 0,
    new_reviews   INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    duplicates    INTEGER NOT NULL DEFAULT 0,     -- repeated within the same file
    rejected      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE products (
    asin          TEXT PRIMARY KEY,
    brand         TEXT,
    title         TEXT,
    marketplace   TEXT,
    first_seen    TEXT NOT NULL,                  -- UTC time of the ingest that first saw it
    last_seen     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX products_brand ON products (brand);

-- The current version of every review. `review_key` is the source's REVIEW_ID ('id:…') or, without
-- one, a hash of product and content ('h:…'), so re-ingesting the same export changes nothing.
CREATE TABLE reviews (
    id               INTEGER PRIMARY KEY,
    review_key       TEXT    NOT NULL UNIQUE,
    source_review_id TEXT,
    asin             TEXT    NOT NULL REFERENCES products (asin),
    brand            TEXT,
    rating           INTEGER CHECK (rating BETWEEN 1 AND 5),   -- NULL: unknown
    title            TEXT,
    body             TEXT,
    review_date      TEXT,                        -- ISO 8601 date or UTC date-time
    marketplace      TEXT,
    extra            TEXT,                        -- JSON object of the source's other fields
    content_hash     BLOB    NOT NULL,            -- rating, title, body, date: detects an edited review
    text_hash        BLOB    NOT NULL,            -- title and body: what analysis results are keyed on
    first_run        INTEGER NOT NULL REFERENCES ingest_runs (id),
    last_changed_run INTEGER NOT NULL REFERENCES ingest_runs (id)
);
CREATE INDEX reviews_asin ON reviews (asin);
CREATE INDEX reviews_date ON reviews (review_date);

-- Earlier versions of reviews that a later export changed (same REVIEW_ID, other content).
CREATE TABLE review_versions (
    id            INTEGER PRIMARY KEY,
    review_id     INTEGER NOT NULL REFERENCES reviews (id),
    rating        INTEGER,
    title         TEXT,
    body          TEXT,
    review_date   TEXT,
    extra         TEXT,
    content_hash  BLOB    NOT NULL,               -- an older export repeating it is not an edit
    from_run      INTEGER NOT NULL,               -- the ingest run that brought this version
    replaced_by_run INTEGER NOT NULL REFERENCES ingest_runs (id)
);
CREATE INDEX review_versions_review ON review_versions (review_id, content_hash);

-- Records ingest could not accept, with the reason and the text as it was (capped at 1 MiB).
CREATE TABLE rejected_records (
    id            INTEGER PRIMARY KEY,
    ingest_run_id INTEGER NOT NULL REFERENCES ingest_runs (id),
    record_no     INTEGER NOT NULL,               -- 1-based position in the file
    line          INTEGER,                        -- line where the record starts
    reason        TEXT    NOT NULL,
    raw           TEXT
);
CREATE INDEX rejected_records_run ON rejected_records (ingest_run_id);

---------------------------------------------------------------------------------------------------
-- insights layer
---------------------------------------------------------------------------------------------------

-- One row per `analyze` run.
CREATE TABLE analysis_runs (
    id                INTEGER PRIMARY KEY,
    started_at        TEXT    NOT NULL,
    finished_at       TEXT,
    status            TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'unchanged')),
    analyzer          TEXT    NOT NULL,           -- e.g. 'offline'
    analyzer_version  TEXT    NOT NULL,
    taxonomy_version  INTEGER NOT NULL,
    ingest_watermark  INTEGER NOT NULL DEFAULT 0, -- highest ingest run seen: nothing newer, nothing to do
    reviews_total     INTEGER NOT NULL DEFAULT 0,
    reviews_analyzed  INTEGER NOT NULL DEFAULT 0, -- computed in this run
    reviews_reused    INTEGER NOT NULL DEFAULT 0, -- taken from earlier results with the same text
    reviews_fallback  INTEGER NOT NULL DEFAULT 0, -- LLM failed, offline analyzer used
    products_updated  INTEGER NOT NULL DEFAULT 0,
    duration_ms       INTEGER,
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    cached_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd          REAL    NOT NULL DEFAULT 0
);

-- Per-text results, keyed by text hash and analyzer: the cache that makes re-analysis incremental
-- and means the same text is never analyzed (or paid for) twice.
CREATE TABLE text_results (
    text_hash       BLOB    NOT NULL,
    analyzer        TEXT    NOT NULL,             -- name/version/taxonomy, e.g. 'offline/1.0/t1'
    language        TEXT,                         -- ISO 639-1, NULL when undecidable
    text_sentiment  TEXT    NOT NULL CHECK (text_sentiment IN ('positive', 'neutral', 'negative')),
    text_score      REAL    NOT NULL CHECK (text_score BETWEEN -1 AND 1),
    issues          TEXT    NOT NULL,             -- JSON [{"code","evidence"}]
    aspects         TEXT    NOT NULL,             -- JSON ["lid", …]
    run_id          INTEGER NOT NULL REFERENCES analysis_runs (id),
    PRIMARY KEY (text_hash, analyzer)
) WITHOUT ROWID;

-- Which result is current for each review, and the sentiment that combines stars and text.
CREATE TABLE review_analysis (
    review_id       INTEGER PRIMARY KEY REFERENCES reviews (id),
    analyzer        TEXT    NOT NULL,
    sentiment       TEXT    NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    disagreement    INTEGER NOT NULL DEFAULT 0,   -- stars and text point opposite ways
    run_id          INTEGER NOT NULL REFERENCES analysis_runs (id)
);

-- Current insights per product. The scalar columns serve the list's filters and sorts; `detail` holds
-- the full JSON document (histogram, issues with examples, aspects, languages).
CREATE TABLE product_insights (
    asin              TEXT PRIMARY KEY,
    brand             TEXT,
    run_id            INTEGER NOT NULL REFERENCES analysis_runs (id),
    review_count      INTEGER NOT NULL,
    rated_count       INTEGER NOT NULL,
    avg_rating        REAL,
    pct_positive      REAL    NOT NULL,
    pct_neutral       REAL    NOT NULL,
    pct_negative      REAL    NOT NULL,
    neg_delta         REAL,                       -- change in pct_negative since the previous run
    last_review_date  TEXT,
    detail            TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX product_insights_brand ON product_insights (brand);
CREATE INDEX product_insights_reviews ON product_insights (review_count, asin);
CREATE INDEX product_insights_rating ON product_insights (avg_rating, asin);
CREATE INDEX product_insights_negative ON product_insights (pct_negative, asin);
CREATE INDEX product_insights_trend ON product_insights (neg_delta, asin);

-- Issue counts per product, for "products with issue X" and portfolio-wide issue rankings.
CREATE TABLE product_issues (
    asin        TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    count       INTEGER NOT NULL,
    share       REAL    NOT NULL,                 -- of the product's reviews
    PRIMARY KEY (code, asin)
) WITHOUT ROWID;

-- History: every product's insights as of each run, never rewritten.
CREATE TABLE product_snapshots (
    asin          TEXT    NOT NULL,
    run_id        INTEGER NOT NULL REFERENCES analysis_runs (id),
    review_count  INTEGER NOT NULL,
    avg_rating    REAL,
    pct_positive  REAL    NOT NULL,
    pct_negative  REAL    NOT NULL,
    detail        TEXT    NOT NULL,
    PRIMARY KEY (asin, run_id)
) WITHOUT ROWID;

-- Trend by review date: one row per product and calendar month.
CREATE TABLE product_months (
    asin          TEXT    NOT NULL,
    month         TEXT    NOT NULL,               -- 'YYYY-MM'
    reviews       INTEGER NOT NULL,
    avg_rating    REAL,
    pct_negative  REAL    NOT NULL,
    issues        TEXT    NOT NULL,               -- JSON {"code": count}
    PRIMARY KEY (asin, month)
) WITHOUT ROWID;

-- The same roll-up per brand, current and per run.
CREATE TABLE brand_insights (
    brand         TEXT PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES analysis_runs (id),
    products      INTEGER NOT NULL,
    review_count  INTEGER NOT NULL,
    avg_rating    REAL,
    pct_positive  REAL    NOT NULL,
    pct_negative  REAL    NOT NULL,
    detail        TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE brand_snapshots (
    brand         TEXT    NOT NULL,
    run_id        INTEGER NOT NULL REFERENCES analysis_runs (id),
    review_count  INTEGER NOT NULL,
    avg_rating    REAL,
    pct_negative  REAL    NOT NULL,
    detail        TEXT    NOT NULL,
    PRIMARY KEY (brand, run_id)
) WITHOUT ROWID;

-- migration: 2

-- The product list (API and `report products`) reads a page of products by a sort index. With the
-- full `detail` document in the same row, every listed product dragged its overflow pages (quotes,
-- aspects) through the cache. Details move to their own table; the list row stays small and gains
-- the top issues, so listing a page never reads a quote.
CREATE TABLE product_details (
    asin    TEXT PRIMARY KEY,
    detail  TEXT NOT NULL                          -- JSON: histogram, issues with examples, aspects, languages
);
INSERT INTO product_details (asin, detail) SELECT asin, detail FROM product_insights;

-- A product's issues, for its detail, for what changed per product, and for the backfill below.
CREATE INDEX product_issues_asin ON product_issues (asin);

CREATE TABLE product_insights_v2 (
    asin              TEXT PRIMARY KEY,
    brand             TEXT,
    run_id            INTEGER NOT NULL REFERENCES analysis_runs (id),
    review_count      INTEGER NOT NULL,
    rated_count       INTEGER NOT NULL,
    avg_rating        REAL,
    pct_positive      REAL    NOT NULL,
    pct_neutral       REAL    NOT NULL,
    pct_negative      REAL    NOT NULL,
    neg_delta         REAL,                       -- change in pct_negative since the previous run
    last_review_date  TEXT,
    top_issues        TEXT    NOT NULL DEFAULT '[]' -- JSON [{code, count, share}], the first few
) WITHOUT ROWID;
INSERT INTO product_insights_v2
SELECT asin, brand, run_id, review_count, rated_count, avg_rating, pct_positive, pct_neutral,
       pct_negative, neg_delta, last_review_date,
       coalesce((SELECT json_group_array(json_object('code', code, 'count', count, 'share', share))
                 FROM (SELECT code, count, share FROM product_issues i
                       WHERE i.asin = product_insights.asin ORDER BY count DESC, code LIMIT 3)), '[]')
FROM product_insights;
DROP TABLE product_insights;
ALTER TABLE product_insights_v2 RENAME TO product_insights;
CREATE INDEX product_insights_brand ON product_insights (brand);
CREATE INDEX product_insights_reviews ON product_insights (review_count, asin);
CREATE INDEX product_insights_rating ON product_insights (avg_rating, asin);
CREATE INDEX product_insights_negative ON product_insights (pct_negative, asin);
CREATE INDEX product_insights_trend ON product_insights (neg_delta, asin);

-- migration: 3

-- The LLM analyzer: which results came from the offline fallback (the LLM failed on that text), how
-- many requests a run made, and Batch API jobs waiting to be collected by a later run.
ALTER TABLE text_results ADD COLUMN fallback INTEGER NOT NULL DEFAULT 0;
-- Never written: a review's overall sentiment is derived on read from its rating and text result.
DROP TABLE review_analysis;
ALTER TABLE analysis_runs ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
-- Product pages with a selective filter (few of many products match) pick the matching ASINs from
-- this index alone, sort them, and read only the page's rows.
CREATE INDEX product_insights_cover
    ON product_insights (review_count, brand, avg_rating, pct_positive, pct_negative, neg_delta, asin);
CREATE TABLE llm_batches (
    id             INTEGER PRIMARY KEY,
    batch_id       TEXT    NOT NULL UNIQUE,      -- the provider's id
    analyzer       TEXT    NOT NULL,             -- results are stored under this key
    input_file_id  TEXT    NOT NULL,
    submitted_at   TEXT    NOT NULL,
    status         TEXT    NOT NULL,             -- the provider's last known status, or 'collected'
    collected_at   TEXT,
    requests       INTEGER NOT NULL,
    reviews        INTEGER NOT NULL,
    items          TEXT    NOT NULL              -- JSON {custom_id: [text hash hex, …]}
);

-- migration: 4

-- One index serves both "a product's reviews" and "a product's reviews by date"; the separate date
-- index served no query and cost ingest a random B-tree insert per review.
DROP INDEX reviews_asin;
DROP INDEX reviews_date;
CREATE INDEX reviews_asin_date ON reviews (asin, review_date);

-- Dashboards list one brand's products sorted: these walk only that brand's rows, in order. The
-- plain brand index is their prefix (and, the table being WITHOUT ROWID, already in ASIN order).
CREATE INDEX product_insights_brand_reviews ON product_insights (brand, review_count, asin);
CREATE INDEX product_insights_brand_rating ON product_insights (brand, avg_rating, asin);
CREATE INDEX product_insights_brand_negative ON product_insights (brand, pct_negative, asin);
CREATE INDEX product_insights_brand_trend ON product_insights (brand, neg_delta, asin);

-- "Products with issue X, sorted": each issue's rows carry their product's sort keys, so a page walks
-- that issue's products in order instead of all products.
ALTER TABLE product_issues ADD COLUMN review_count INTEGER;
ALTER TABLE product_issues ADD COLUMN avg_rating REAL;
ALTER TABLE product_issues ADD COLUMN pct_negative REAL;
ALTER TABLE product_issues ADD COLUMN neg_delta REAL;
UPDATE product_issues SET review_count = p.review_count, avg_rating = p.avg_rating,
    pct_negative = p.pct_negative, neg_delta = p.neg_delta
    FROM product_insights p WHERE p.asin = product_issues.asin;
CREATE INDEX product_issues_reviews ON product_issues (code, review_count, asin);
CREATE INDEX product_issues_rating ON product_issues (code, avg_rating, asin);
CREATE INDEX product_issues_negative ON product_issues (code, pct_negative, asin);
CREATE INDEX product_issues_trend ON product_issues (code, neg_delta, asin);

-- A file whose bytes equal those of an earlier successful run is not read again (cron re-runs on
-- the same export): the run records which one it repeats, and its counts are that run's.
ALTER TABLE ingest_runs ADD COLUMN same_as_run INTEGER REFERENCES ingest_runs (id);

-- migration: 5

-- A product's reviews are paged by id, and an index on the ASIN alone holds them in that order (its
-- entries end with the rowid); the date in the key served no query and made every entry longer.
DROP INDEX reviews_asin_date;
CREATE INDEX reviews_asin ON reviews (asin);

-- migration: 6

-- One `analyze` at a time per database (a lock file beside it, see store::AnalyzeLock). A run whose
-- process died (killed, machine down) stays 'running'; the next run marks it 'interrupted' (its
-- finished_at stays NULL: when it died is not known). Its committed text results are kept and
-- counted in reviews_analyzed. Adding a value to the status CHECK needs the table rebuilt; ids are
-- kept, so every reference to a run still holds (foreign keys are off while migrations run).
CREATE TABLE analysis_runs_v6 (
    id                INTEGER PRIMARY KEY,
    started_at        TEXT    NOT NULL,
    finished_at       TEXT,
    status            TEXT    NOT NULL
                      CHECK (status IN ('running', 'ok', 'failed', 'unchanged', 'interrupted')),
    analyzer          TEXT    NOT NULL,
    analyzer_version  TEXT    NOT NULL,
    taxonomy_version  INTEGER NOT NULL,
    ingest_watermark  INTEGER NOT NULL DEFAULT 0,
    reviews_total     INTEGER NOT NULL DEFAULT 0,
    reviews_analyzed  INTEGER NOT NULL DEFAULT 0,
    reviews_reused    INTEGER NOT NULL DEFAULT 0,
    reviews_fallback  INTEGER NOT NULL DEFAULT 0,
    products_updated  INTEGER NOT NULL DEFAULT 0,
    duration_ms       INTEGER,
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    cached_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd          REAL    NOT NULL DEFAULT 0,
    requests          INTEGER NOT NULL DEFAULT 0,
    texts_failed      INTEGER NOT NULL DEFAULT 0  -- the analyzer failed on them (text_failures)
);
INSERT INTO analysis_runs_v6 (id, started_at, finished_at, status, analyzer, analyzer_version,
    taxonomy_version, ingest_watermark, reviews_total, reviews_analyzed, reviews_reused,
    reviews_fallback, products_updated, duration_ms, prompt_tokens, cached_tokens,
    completion_tokens, cost_usd, requests)
SELECT id, started_at, finished_at, status, analyzer, analyzer_version, taxonomy_version,
    ingest_watermark, reviews_total, reviews_analyzed, reviews_reused, reviews_fallback,
    products_updated, duration_ms, prompt_tokens, cached_tokens, completion_tokens, cost_usd,
    requests
FROM analysis_runs;
DROP TABLE analysis_runs;
ALTER TABLE analysis_runs_v6 RENAME TO analysis_runs;

-- Texts the offline analyzer failed on (it panicked): the run records each and goes on with the
-- rest. Such a text has no result, so a later run that analyzes anything tries it again.
CREATE TABLE text_failures (
    run_id     INTEGER NOT NULL REFERENCES analysis_runs (id),
    text_hash  BLOB    NOT NULL,
    analyzer   TEXT    NOT NULL,
    review_id  TEXT,                              -- a review with this text (source id or key)
    error      TEXT    NOT NULL,                  -- what the analyzer said
    PRIMARY KEY (run_id, text_hash)
) WITHOUT ROWID;

-- migration: 7

-- Alerts are decided by `analyze`, once per run, and kept with it: `report changes` shows the
-- latest run's, so a nightly job raises each change once and a night with nothing new raises
-- nothing. The rule (src/alert_rule.rs) compares the run's new reviews with the earlier ones.
CREATE TABLE alerts (
    run_id       INTEGER NOT NULL REFERENCES analysis_runs (id),
    seq          INTEGER NOT NULL,                -- order within the run: largest change first
    base_run_id  INTEGER NOT NULL REFERENCES analysis_runs (id),
    level        TEXT    NOT NULL CHECK (level IN ('product', 'brand', 'issue')),
    scope        TEXT    NOT NULL CHECK (scope IN ('product', 'brand', 'portfolio')),
    kind         TEXT    NOT NULL,                -- negative_rose | issue_rose | new_issue
    asin         TEXT,                            -- product alerts
    brand        TEXT,                            -- product's brand, the brand, or an issue's brand scope
    issue        TEXT,                            -- issue alerts: the code
    before_k     INTEGER NOT NULL,                -- k of n reviews before (at the base run) and after
    before_n     INTEGER NOT NULL,
    after_k      INTEGER NOT NULL,
    after_n      INTEGER NOT NULL,
    p_value      REAL    NOT NULL,                -- one-sided Fisher exact test, new vs earlier reviews
    quotes       TEXT    NOT NULL,                -- JSON [{asin, stars, language, text}] of new reviews
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- The run an analysis run's alerts compare with (NULL: none, e.g. the first run).
ALTER TABLE analysis_runs ADD COLUMN alert_base_run INTEGER REFERENCES analysis_runs (id);

-- migration: 8

-- Every figure is computed from integer counts, never from rounded shares: roll-ups (brands, the
-- portfolio, months) sum these, and changes and impact use the exact ratios. Rows written before
-- this migration get counts recovered from their stored shares (exact up to 1,000 reviews, since a
-- share to 0.1 point then names one count); the next analysis run writes them from the reviews.
ALTER TABLE product_insights ADD COLUMN positive INTEGER;
ALTER TABLE product_insights ADD COLUMN neutral INTEGER;
ALTER TABLE product_insights ADD COLUMN negative INTEGER;
ALTER TABLE product_insights ADD COLUMN rating_sum INTEGER;
-- negative reviews and reviews at the previous run: the exact change and the impact
ALTER TABLE product_insights ADD COLUMN prev_negative INTEGER;
ALTER TABLE product_insights ADD COLUMN prev_review_count INTEGER;
UPDATE product_insights SET
    positive = CAST(round(pct_positive * review_count / 100.0) AS INTEGER),
    neutral = CAST(round(pct_neutral * review_count / 100.0) AS INTEGER),
    negative = CAST(round(pct_negative * review_count / 100.0) AS INTEGER),
    rating_sum = CAST(round(coalesce(avg_rating, 0) * rated_count) AS INTEGER);
ALTER TABLE product_snapshots ADD COLUMN negative INTEGER;
UPDATE product_snapshots SET negative = CAST(round(pct_negative * review_count / 100.0) AS INTEGER);
-- The previous run's counts: the product's snapshot before the run of its current insights.
UPDATE product_insights SET prev_negative = s.negative, prev_review_count = s.review_count
    FROM product_snapshots s
    WHERE s.asin = product_insights.asin
      AND s.run_id = (SELECT max(run_id) FROM product_snapshots o
                      WHERE o.asin = product_insights.asin AND o.run_id < product_insights.run_id);
ALTER TABLE product_months ADD COLUMN rated INTEGER;
ALTER TABLE product_months ADD COLUMN rating_sum INTEGER;
ALTER TABLE product_months ADD COLUMN negative INTEGER;
UPDATE product_months SET
    rated = CASE WHEN avg_rating IS NULL THEN 0 ELSE reviews END,
    rating_sum = CAST(round(coalesce(avg_rating, 0) * reviews) AS INTEGER),
    negative = CAST(round(pct_negative * reviews / 100.0) AS INTEGER);
ALTER TABLE brand_insights ADD COLUMN negative INTEGER;
UPDATE brand_insights SET negative = CAST(round(pct_negative * review_count / 100.0) AS INTEGER);
ALTER TABLE brand_snapshots ADD COLUMN negative INTEGER;
UPDATE brand_snapshots SET negative = CAST(round(pct_negative * review_count / 100.0) AS INTEGER);
-- Top issues are ranked by the negative and neutral reviews that report them (an issue only
-- positive reviews mention is "mentioned in praise"). Rows written before this read as their
-- count until the next analysis run rewrites them.
ALTER TABLE product_issues ADD COLUMN count_negative_neutral INTEGER;

-- migration: 9

-- Snapshots (`ingest --snapshot`): the files of one command are the complete current reviews of the
-- products they contain. A review of such a product that is no longer in it is retired: kept, with
-- the ingest run that retired it, but no longer current, so no insight counts it. NULL: current.
ALTER TABLE reviews ADD COLUMN retired_run INTEGER REFERENCES ingest_runs (id);
-- How many reviews a snapshot retired (counted on the last file of the command, which retires them),
-- and whether the file was read as part of a snapshot.
ALTER TABLE ingest_runs ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_runs ADD COLUMN snapshot INTEGER NOT NULL DEFAULT 0;

-- migration: 10
-- What each text's positive sentences praise: liked aspects with a quote, the mirror of `aspects`.
-- Results of earlier analyzer versions have none; a new analyzer version recomputes them.
ALTER TABLE text_results ADD COLUMN liked TEXT NOT NULL DEFAULT '[]'; -- JSON [{"term","evidence"}]

-- migration: 11
-- What each issue costs in stars: the rated reviews reporting it and their stars summed, so that a
-- brand or the portfolio sums integers (never averages averages). Rows written before this read
-- as unknown (NULL, no impact shown) until the next analysis run rewrites them.
ALTER TABLE product_issues ADD COLUMN rated_with INTEGER;
ALTER TABLE product_issues ADD COLUMN rating_sum_with INTEGER;

-- migration: 12
-- Breakdowns: each brand's reviews per marketplace (the review's, else the product's) and per
-- language (the analysis result's; 'unknown' when none), as counts, so the portfolio (or some
-- brands) sums a few rows per brand. Products without a brand count under '(no brand)', as in
-- brand_insights. Empty until the next analysis run writes them.
CREATE TABLE brand_breakdowns (
    brand       TEXT    NOT NULL,
    dimension   TEXT    NOT NULL,                 -- 'marketplace' or 'language'
    key         TEXT    NOT NULL,
    reviews     INTEGER NOT NULL,
    rated       INTEGER NOT NULL,
    rating_sum  INTEGER NOT NULL,
    negative    INTEGER NOT NULL,
    issues      TEXT    NOT NULL,                 -- JSON {"code": [reviews, negative or neutral reviews]}
    PRIMARY KEY (brand, dimension, key)
) WITHOUT ROWID;

-- migration: 13
-- A team's own topics (`analyze --topics FILE`): the definitions a run used, as canonical JSON
-- ({"topic": [{"code", "label", "kind", "phrases": {"en": [...]}}]}), so its results can be
-- reproduced and custom codes shown with their labels. NULL: the built-in taxonomy only.
ALTER TABLE analysis_runs ADD COLUMN topics TEXT;

-- migration: 14
-- Time windows (`--since/--until`, `from/to`): each product's current reviews per day as counts, so
-- a window is a sum over an indexed range of days (never a pass over the reviews). `day` is the
-- review's date; an undated review counts on the day of the analysis run in which it first
-- appeared (`dated` = 0). Brands are stored as in brand_insights ('(no brand)' when none). Empty
-- until the next analysis run writes them.
CREATE TABLE product_days (
    asin        TEXT    NOT NULL,
    day         TEXT    NOT NULL,                 -- 'YYYY-MM-DD'
    dated       INTEGER NOT NULL,                 -- 1: review dates; 0: undated, by analysis run
    brand       TEXT    NOT NULL,
    reviews     INTEGER NOT NULL,
    rated       INTEGER NOT NULL,
    rating_sum  INTEGER NOT NULL,
    positive    INTEGER NOT NULL,
    neutral     INTEGER NOT NULL,
    negative    INTEGER NOT NULL,
    PRIMARY KEY (asin, day, dated)
) WITHOUT ROWID;
-- Covering: a window over the portfolio or some brands reads only these index entries.
CREATE INDEX product_days_day ON product_days
    (day, brand, asin, reviews, rated, rating_sum, positive, neutral, negative);
CREATE INDEX product_days_brand_day ON product_days
    (brand, day, asin, reviews, rated, rating_sum, positive, neutral, negative);
-- Per issue code: the reviews reporting it, the negative or neutral ones, the rated ones and their
-- stars summed (the star impact in the window).
CREATE TABLE product_day_issues (
    asin             TEXT    NOT NULL,
    day              TEXT    NOT NULL,
    dated            INTEGER NOT NULL,
    code             TEXT    NOT NULL,
    brand            TEXT    NOT NULL,
    reviews          INTEGER NOT NULL,
    negative_neutral INTEGER NOT NULL,
    rated_with       INTEGER NOT NULL,
    rating_sum_with  INTEGER NOT NULL,
    PRIMARY KEY (asin, day, dated, code)
) WITHOUT ROWID;
CREATE INDEX product_day_issues_day ON product_day_issues
    (day, code, brand, asin, reviews, negative_neutral, rated_with, rating_sum_with);
CREATE INDEX product_day_issues_brand_day ON product_day_issues
    (brand, day, code, asin, reviews, negative_neutral, rated_with, rating_sum_with);
-- Each brand's days, summed from its products' (a few rows per brand and day): what a window over
-- the portfolio or some brands sums. Distinct products cannot be summed over days, so those windows
-- give no product counts.
CREATE TABLE brand_days (
    brand       TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    reviews     INTEGER NOT NULL,
    rated       INTEGER NOT NULL,
    rating_sum  INTEGER NOT NULL,
    positive    INTEGER NOT NULL,
    neutral     INTEGER NOT NULL,
    negative    INTEGER NOT NULL,
    PRIMARY KEY (brand, day)
) WITHOUT ROWID;
CREATE TABLE brand_day_issues (
    brand            TEXT    NOT NULL,
    day              TEXT    NOT NULL,
    code             TEXT    NOT NULL,
    reviews          INTEGER NOT NULL,
    negative_neutral INTEGER NOT NULL,
    rated_with       INTEGER NOT NULL,
    rating_sum_with  INTEGER NOT NULL,
    PRIMARY KEY (brand, day, code)
) WITHOUT ROWID;

-- migration: 15
-- What customers like, per brand: every liked aspect of its products with the reviews praising
-- it and one quote (preferring a review whose stars agree), so that the portfolio (or some
-- brands) sums counts per term. Empty until the next analysis run writes it.
CREATE TABLE brand_liked (
    brand          TEXT    NOT NULL,
    term           TEXT    NOT NULL,
    reviews        INTEGER NOT NULL,
    quote          TEXT,
    quote_stars    INTEGER,
    quote_language TEXT,
    PRIMARY KEY (brand, term)
) WITHOUT ROWID;
CREATE INDEX brand_liked_term ON brand_liked (term);

-- migration: 16
-- `analyze --analyzer llm --summaries`: one paragraph per product written by the model from the
-- product's counts and a few quotes (its evidence), kept with the hash of that evidence so that a
-- product whose evidence did not change is not sent again.
CREATE TABLE product_summaries (
    asin           TEXT    PRIMARY KEY,
    evidence_hash  TEXT    NOT NULL,                -- blake3 of the evidence sent, hex
    summary        TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    run_id         INTEGER NOT NULL REFERENCES analysis_runs (id)
) WITHOUT ROWID;

-- migration: 17
-- The schema each analysis run wrote its insights under. A run from before a migration is not
-- "current" for `analyze`'s nothing-new check, so the first analyze after an upgrade rolls the
-- insights up again (reusing every stored text result) and fills the tables a migration added.
ALTER TABLE analysis_runs ADD COLUMN schema_version INTEGER;

-- migration: 18
-- Liked aspects in time windows: each product's reviews praising a term per day (as
-- product_day_issues counts issues; names of the brand or makers left out, as in the product's
-- liked aspects), and their per-brand sums that windows over brands or the portfolio read.
-- Empty until the next analysis run writes them.
CREATE TABLE product_day_liked (
    asin     TEXT    NOT NULL,
    day      TEXT    NOT NULL,
    dated    INTEGER NOT NULL,
    term     TEXT    NOT NULL,
    brand    TEXT    NOT NULL,
    reviews  INTEGER NOT NULL,
    PRIMARY KEY (asin, day, dated, term)
) WITHOUT ROWID;
CREATE TABLE brand_day_liked (
    brand    TEXT    NOT NULL,
    day      TEXT    NOT NULL,
    term     TEXT    NOT NULL,
    reviews  INTEGER NOT NULL,
    PRIMARY KEY (brand, day, term)
) WITHOUT ROWID;
CREATE INDEX brand_day_liked_day ON brand_day_liked (day, term, reviews);
-- migration: 19
-- Incremental roll-ups (issue 19): `analyze` re-rolls only the products whose reviews changed since
-- the run of the current insights, so it must find them without reading every review. New and edited
-- reviews by the ingest run that last changed them, retired ones by the run that retired them (both
-- indexes grow at their end: ingest runs only rise). A version keeps the product it belonged to (an
-- edit may move a review to another product), and a product the run that last changed its brand or
-- marketplace (what its reviews are counted under). NULL: before this migration.
CREATE INDEX reviews_changed ON reviews (last_changed_run);
CREATE INDEX reviews_retired ON reviews (retired_run) WHERE retired_run IS NOT NULL;
ALTER TABLE review_versions ADD COLUMN asin TEXT;
ALTER TABLE products ADD COLUMN changed_run INTEGER;
-- Each product's counts as its brand, the portfolio and the alerts sum them (JSON, see
-- store::insights::RollupState): what lets a run sum unchanged products instead of reading their
-- reviews. Empty until the next analysis run writes them (which then rolls up every product).
CREATE TABLE product_rollups (
    asin   TEXT PRIMARY KEY,
    state  TEXT NOT NULL
) WITHOUT ROWID;

-- migration: 20
-- Words each text uses as names of a maker, brand or model (JSON ["acme", …]; NULL from older
-- analyzers): the product's roll-up leaves out aspect terms its reviews name this way.
ALTER TABLE text_results ADD COLUMN names TEXT;

-- migration: 21
-- Complaint aspects in time windows over brands, the portfolio or the issues list: each product's
-- reviews naming a complaint-aspect term per day, the rated ones and their stars summed (the star
-- figures in the window; names of the brand or makers left out, as in the product's aspects), and
-- their per-brand sums. Empty until the next analysis run writes them.
CREATE TABLE product_day_aspects (
    asin        TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    dated       INTEGER NOT NULL,
    term        TEXT    NOT NULL,
    brand       TEXT    NOT NULL,
    reviews     INTEGER NOT NULL,
    rated       INTEGER NOT NULL,
    rating_sum  INTEGER NOT NULL,
    PRIMARY KEY (asin, day, dated, term)
) WITHOUT ROWID;
CREATE TABLE brand_day_aspects (
    brand       TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    term        TEXT    NOT NULL,
    reviews     INTEGER NOT NULL,
    rated       INTEGER NOT NULL,
    rating_sum  INTEGER NOT NULL,
    PRIMARY KEY (brand, day, term)
) WITHOUT ROWID;
CREATE INDEX brand_day_aspects_day ON brand_day_aspects (day, term, reviews, rated, rating_sum);
-- The newest products reporting an issue: by code, day and ASIN (an issue's quotes in a window).
CREATE INDEX product_day_issues_code_day ON product_day_issues
    (code, day, asin, dated, brand, reviews);

-- migration: 22
-- Product snapshots as spans (issue 19): a product's row holds from the run that wrote it until the
-- run that replaced or removed it (exclusive; NULL: still current), over the runs that wrote
-- snapshots. An incremental night writes spans for the products it rolls up only; copying every
-- kept product's row into each night touched every page of the table. `product_snapshots` is a
-- view with the rows the table had: one per product and snapshot run.
CREATE TABLE product_snapshot_runs (run_id INTEGER PRIMARY KEY);
INSERT INTO product_snapshot_runs SELECT DISTINCT run_id FROM product_snapshots;
CREATE TABLE product_snapshot_spans (
    asin          TEXT    NOT NULL,
    from_run      INTEGER NOT NULL,
    until_run     INTEGER,
    review_count  INTEGER NOT NULL,
    avg_rating    REAL,
    pct_positive  REAL    NOT NULL,
    pct_negative  REAL    NOT NULL,
    detail        TEXT    NOT NULL,
    negative      INTEGER,
    PRIMARY KEY (asin, from_run)
) WITHOUT ROWID;
-- Each old row holds for its own run only (the next snapshot run ends it), except the products of
-- the newest run: those are the current insights.
INSERT INTO product_snapshot_spans
    SELECT s.asin, s.run_id,
           (SELECT min(r.run_id) FROM product_snapshot_runs r WHERE r.run_id > s.run_id),
           s.review_count, s.avg_rating, s.pct_positive, s.pct_negative, s.detail, s.negative
    FROM product_snapshots s;
DROP TABLE product_snapshots;
CREATE VIEW product_snapshots AS
    SELECT s.asin AS asin, r.run_id AS run_id, s.review_count AS review_count,
           s.avg_rating AS avg_rating, s.pct_positive AS pct_positive,
           s.pct_negative AS pct_negative, s.detail AS detail, s.negative AS negative
    FROM product_snapshot_spans s JOIN product_snapshot_runs r
      ON r.run_id >= s.from_run AND (s.until_run IS NULL OR r.run_id < s.until_run);

-- migration: 23
-- The run of the current insights is the newest snapshot run (every run that writes insights
-- records one, in the same transaction): a product's row no longer carries it, so a night does
-- not rewrite every kept product's row to say which run it belongs to.
ALTER TABLE product_insights DROP COLUMN run_id;

-- migration: 24
-- Snapshots keep the counts of complaint aspects, as they keep liked aspects' (`aspects`:
-- `counts` and `unlisted_max`, below which count a term not listed may be; 0: all are listed), so
-- a product page says how each moved since the previous run. Analyze writes them from now on; the
-- current snapshots get them here from the product's stored document (its up to 20 shown aspects),
-- so the first run after the upgrade already compares with them. Entries that are not objects
-- or lack a text term (only a damaged document has them) are skipped rather than failing the
-- upgrade.
UPDATE product_snapshot_spans
SET detail = json_set(detail, '$.aspects', json_object(
    'counts', json((SELECT json_group_object(json_extract(a.value, '$.term'),
                                             json_extract(a.value, '$.count'))
                    FROM product_details d, json_each(d.detail, '$.complaint_aspects') a
                    WHERE d.asin = product_snapshot_spans.asin AND a.type = 'object'
                      AND json_type(a.value, '$.term') = 'text')),
    'unlisted_max', (SELECT CASE WHEN count(*) < 20 THEN 0
                                 ELSE min(json_extract(a.value, '$.count')) END
                     FROM product_details d, json_each(d.detail, '$.complaint_aspects') a
                     WHERE d.asin = product_snapshot_spans.asin AND a.type = 'object'
                       AND json_type(a.value, '$.term') = 'text')))
WHERE until_run IS NULL AND json_valid(detail)
  AND EXISTS (SELECT 1 FROM product_details d
              WHERE d.asin = product_snapshot_spans.asin AND json_valid(d.detail));

-- migration: 25
-- The newest products praising a liked term: by term, day and ASIN (a liked aspect's quote in a
-- window over brands or the portfolio), as `product_day_issues_code_day` finds an issue's quotes.
CREATE INDEX product_day_liked_term_day ON product_day_liked (term, day, asin, dated, brand, reviews);

-- migration: 26
-- Breakdowns in time windows over brands or the portfolio: each product's reviews per day by
-- marketplace and by language (`dimension`, `key`, as its all-time breakdowns count them), and
-- their per-brand sums that those windows read (a few rows per brand and day). `code` '' is the
-- slice itself (reviews, rated ones and their stars summed, negative ones); an issue code's row
-- counts the slice's reviews reporting it (`reviews`) and the negative or neutral ones
-- (`negative_neutral`), what ranks a slice's top issues. Empty until the next analysis run writes
-- them (its first run after this migration rolls every product up: migration 17).
CREATE TABLE product_day_slices (
    asin             TEXT    NOT NULL,
    day              TEXT    NOT NULL,
    dated            INTEGER NOT NULL,
    dimension        TEXT    NOT NULL,            -- 'marketplace' or 'language'
    key              TEXT    NOT NULL,
    code             TEXT    NOT NULL,
    brand            TEXT    NOT NULL,
    reviews          INTEGER NOT NULL,
    rated            INTEGER NOT NULL,
    rating_sum       INTEGER NOT NULL,
    negative         INTEGER NOT NULL,
    negative_neutral INTEGER NOT NULL,
    PRIMARY KEY (asin, day, dated, dimension, key, code)
) WITHOUT ROWID;
CREATE TABLE brand_day_slices (
    brand            TEXT    NOT NULL,
    day              TEXT    NOT NULL,
    dimension        TEXT    NOT NULL,
    key              TEXT    NOT NULL,
    code             TEXT    NOT NULL,
    reviews          INTEGER NOT NULL,
    rated            INTEGER NOT NULL,
    rating_sum       INTEGER NOT NULL,
    negative         INTEGER NOT NULL,
    negative_neutral INTEGER NOT NULL,
    PRIMARY KEY (brand, day, dimension, key, code)
) WITHOUT ROWID;
-- Covering: a window over the portfolio reads only these index entries.
CREATE INDEX brand_day_slices_day ON brand_day_slices
    (day, dimension, key, code, reviews, rated, rating_sum, negative, negative_neutral);
-- The same per brand and calendar month ('YYYY-MM'), summed from brand_day_slices: a window reads
-- its whole months here and only the days at its ends above (a year's window read about 100k
-- day rows, 80 ms; its months are a few thousand).
CREATE TABLE brand_month_slices (
    brand            TEXT    NOT NULL,
    month            TEXT    NOT NULL,
    dimension        TEXT    NOT NULL,
    key              TEXT    NOT NULL,
    code             TEXT    NOT NULL,
    reviews          INTEGER NOT NULL,
    rated            INTEGER NOT NULL,
    rating_sum       INTEGER NOT NULL,
    negative         INTEGER NOT NULL,
    negative_neutral INTEGER NOT NULL,
    PRIMARY KEY (brand, month, dimension, key, code)
) WITHOUT ROWID;

-- migration: 27
-- A full roll-up reads every review with the columns below in ASIN order, then id: by the plain
-- ASIN index, each review's row was a random 16 KiB page read (its title and body included), the
-- largest part of the roll-up's read. With those columns in the index, the read walks it in order
-- and never touches the table. It replaces the plain one: every query by ASIN uses its prefix, and
-- its entries end in the same (ASIN, id) order.
DROP INDEX reviews_asin;
CREATE INDEX reviews_asin ON reviews (asin, id, first_run, retired_run, rating, review_date,
    marketplace, brand, source_review_id, review_key, text_hash);

-- migration: 28
-- The products that need attention first (the overview's list, a brand's detail) are walked by
-- negative reviews and the walk stops once no later product can enter: these indexes give that
-- order with every column the ranking reads, for one brand and for the portfolio, so a brand of
-- 25,000 products reads a few hundred index entries and no table row.
CREATE INDEX product_insights_attention_brand
    ON product_insights (brand, negative, review_count, prev_negative, prev_review_count, asin);
CREATE INDEX product_insights_attention
    ON product_insights (negative, review_count, prev_negative, prev_review_count, asin);
