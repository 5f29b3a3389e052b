//! Typed errors and the exit codes cron relies on.

use std::io;
use std::path::PathBuf;

/// Exit codes: 0 success, 1 failure, 2 usage (clap's own code), 3 an alert was raised, 4 the LLM
/// provider refused the work (key, quota, request) or a cost cap stopped it, 5 another `analyze`
/// of the database is running (`analyze --no-wait`): nothing was done, and a later run does it.
pub const EXIT_FAILURE: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_ALERT: i32 = 3;
pub const EXIT_LLM: i32 = 4;
pub const EXIT_BUSY: i32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database {path}: {source}")]
    Db {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(
        "database {path} has schema version {found}, newer than this prodinsight understands ({supported}); upgrade prodinsight"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path}: {message}")]
    Input { path: String, message: String },
    #[error("{0}")]
    Usage(String),
    /// A request's parameter the store found wrong only on reading (a cursor whose row is gone):
    /// a usage error, and the API's 400 naming it.
    #[error("parameter `{param}`: {message}")]
    BadParam { param: String, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error("LLM: {0}")]
    Llm(String),
    /// Another process holds the lock this one needs (`analyze --no-wait`).
    #[error("{0}")]
    Busy(String),
    /// The database exists but its schema is older than this binary reads without writing.
    #[error(
        "database {} is at schema version {found}; run `prodinsight ingest` or `analyze` once to upgrade it",
        path.display()
    )]
    SchemaTooOld { path: PathBuf, found: i64 },
    /// A review's unique key conflicted, yet the row is not there to read.
    #[error("review {key} conflicts but cannot be read back")]
    ConflictUnreadable { key: String },
    #[error("stored insights for {asin} are unreadable")]
    StoredInsights {
        asin: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("csv")]
    Csv(#[source] csv::Error),
    #[error("cannot start worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// The HTTP client (TLS roots, proxy settings) cannot be built.
    #[error("cannot build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
    /// A part of the server that failed to start: what, and why.
    #[error("{what}")]
    Server {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("a server worker panicked")]
    WorkerPanicked,
    /// `analyze PATH…` analyzed what loaded, then reports the ingest's failure.
    #[error("analyzed, but ingest failed")]
    AfterAnalyze(#[source] Box<Error>),
    /// A failure whose causes were already printed where they happened (ingest reports each
    /// failed file as it goes); this is only what is left to say, empty when nothing is.
    #[error("{0}")]
    Reported(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::BadParam { .. } => EXIT_USAGE,
            Error::Llm(_) => EXIT_LLM,
            Error::Busy(_) => EXIT_BUSY,
            _ => EXIT_FAILURE,
        }
    }

    /// A write to a closed pipe (`prodinsight report | head`) is how the reader says "enough".
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<io::Error> for Error {
    fn from(source: io::Error) -> Self {
        Error::Io {
            context: "output".into(),
            source,
        }
    }
}

/// The error and each of its causes, joined by ": ": what `main` prints, once. A cause whose text
/// the message already shows (variants that name their source in their own message) is not
/// repeated.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        // rusqlite's message is SQLite's; its source is the same failure again as a code number.
        if c.is::<rusqlite::ffi::Error>() {
            break;
        }
        let text = c.to_string();
        if !text.is_empty() && !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_names_each_cause_once() {
        let io = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::Server {
            what: "cannot start the API",
            source: Box::new(io),
        };
        assert_eq!(chain(&e), "cannot start the API: refused");
        // The message already names its source: not twice.
        let e = Error::io("reading x", io::Error::other("gone"));
        assert_eq!(chain(&e), "reading x: gone");
        let inner = Error::Csv(csv::Error::from(io::Error::other("disk full")));
        let e = Error::AfterAnalyze(Box::new(inner));
        assert_eq!(chain(&e), "analyzed, but ingest failed: csv: disk full");
    }
}
