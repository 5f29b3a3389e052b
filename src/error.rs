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
    #[error("{0}")]
    Other(String),
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
            Error::Usage(_) => EXIT_USAGE,
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
