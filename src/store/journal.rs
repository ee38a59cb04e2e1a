//! The embedded store's files: its records and its change log in one redb
//! database (`<data dir>/actorgraph.redb`). A write's records and log entries go
//! in one redb transaction, committed with an fsync before the write is answered;
//! the in-memory graph ([`super::memory`]) is what reads use, and is loaded from
//! here at start-up.
//!
//! An ephemeral store keeps the log in an in-memory redb database and no records
//! (they are in the graph, and go with the process).

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::records::{change_props, record_from_json, record_json, ChangeRecord};
use super::{Change, ChangeKind, ChangeQuery, LogEntry, Page, Record, RecordKind};
use crate::domain::{Actor, Claim, Relation, Source};

/// Records by id, as [`record_json`] writes them.
const ACTORS: TableDefinition<&str, &[u8]> = TableDefinition::new("actors");
const RELATIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("relations");
const SOURCES: TableDefinition<&str, &[u8]> = TableDefinition::new("sources");
/// Intake's candidate claims (a file written before they were kept gets the
/// table, empty, when it is next opened).
const CLAIMS: TableDefinition<&str, &[u8]> = TableDefinition::new("claims");
/// The change log by number.
const LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("log");
/// The log's entries of each record: (`kind:id`, number).
const LOG_BY_RECORD: TableDefinition<(&str, u64), ()> = TableDefinition::new("log_by_record");
/// Facts about the files: `format` (the layout's version).
const INFO: TableDefinition<&str, u64> = TableDefinition::new("info");

/// The layout written by this version.
const FORMAT: u64 = 1;

/// redb's page cache. Reads come from the in-memory graph; the file is read
/// whole once at start-up and then only for the log's pages, so the default
/// (1 GiB) would only hold pages nobody reads again.
const CACHE_BYTES: usize = 64 << 20;

/// The file in the data directory.
pub const FILE: &str = "actorgraph.redb";

/// Why the files could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the data directory {dir} is in use by another actorgraph process (one store per directory: stop the other, or give this one another --data-dir)")]
    InUse { dir: PathBuf },
    #[error("could not create the data directory {dir}: {source}")]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("{file} was written by a newer actorgraph (layout {found}, this one reads {FORMAT})")]
    NewerFormat { file: PathBuf, found: u64 },
    #[error("the data files: {0}")]
    Storage(#[from] redb::Error),
    #[error("a stored record does not read back: {0}")]
    Invalid(String),
}

impl From<redb::TransactionError> for JournalError {
    fn from(e: redb::TransactionError) -> Self {
        JournalError::Storage(e.into())
    }
}
impl From<redb::TableError> for JournalError {
    fn from(e: redb::TableError) -> Self {
        JournalError::Storage(e.into())
    }
}
impl From<redb::StorageError> for JournalError {
    fn from(e: redb::StorageError) -> Self {
        JournalError::Storage(e.into())
    }
}
impl From<redb::CommitError> for JournalError {
    fn from(e: redb::CommitError) -> Self {
        JournalError::Storage(e.into())
    }
}

type Result<T> = std::result::Result<T, JournalError>;

/// The records a store holds, as loaded.
#[derive(Debug, Default)]
pub struct Loaded {
    pub actors: Vec<Actor>,
    pub relations: Vec<Relation>,
    pub sources: Vec<Source>,
    pub claims: Vec<Claim>,
}

/// The embedded store's files (or, ephemeral, its log in memory).
pub struct Journal {
    db: Database,
    /// Whether records are kept (false: ephemeral).
    records: bool,
    /// Where the files are (None: in memory).
    path: Option<PathBuf>,
}

fn record_key(kind: RecordKind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

impl Journal {
    /// Opens (or creates) the files in `dir`; only one process may hold them.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| JournalError::CreateDir {
            dir: dir.to_path_buf(),
            source,
        })?;
        let file = dir.join(FILE);
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(&file)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => JournalError::InUse {
                    dir: dir.to_path_buf(),
                },
                e => JournalError::Storage(e.into()),
            })?;
        let journal = Journal {
            db,
            records: true,
            path: Some(file),
        };
        journal.check_format()?;
        Ok(journal)
    }

    /// A log in memory, without records: the ephemeral store's.
    pub fn ephemeral() -> Self {
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .expect("an in-memory database opens");
        let journal = Journal {
            db,
            records: false,
            path: None,
        };
        journal
            .check_format()
            .expect("an in-memory database takes its tables");
        journal
    }

    /// Where the files are, when on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Creates the tables of a new file and checks the layout of an old one.
    fn check_format(&self) -> Result<()> {
        let txn = self.db.begin_write()?;
        {
            let mut info = txn.open_table(INFO)?;
            let found = info.get("format")?.map(|v| v.value());
            match found {
                Some(found) if found > FORMAT => {
                    return Err(JournalError::NewerFormat {
                        file: self.path.clone().unwrap_or_default(),
                        found,
                    })
                }
                Some(_) => {}
                None => {
                    info.insert("format", FORMAT)?;
                }
            }
            txn.open_table(ACTORS)?;
            txn.open_table(RELATIONS)?;
            txn.open_table(SOURCES)?;
            txn.open_table(CLAIMS)?;
            txn.open_table(LOG)?;
            txn.open_table(LOG_BY_RECORD)?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Whether the store holds nothing yet: no record and no change (a new data
    /// directory, to be seeded).
    pub fn is_empty(&self) -> Result<bool> {
        use redb::ReadableTableMetadata;
        let txn = self.db.begin_read()?;
        Ok(txn.open_table(ACTORS)?.is_empty()?
            && txn.open_table(SOURCES)?.is_empty()?
            && txn.open_table(LOG)?.is_empty()?)
    }

    /// Every record, to build the graph from.
    pub fn load(&self) -> Result<Loaded> {
        let txn = self.db.begin_read()?;
        fn all(table: redb::ReadOnlyTable<&str, &[u8]>, kind: RecordKind) -> Result<Vec<Record>> {
            let mut out = Vec::with_capacity(redb::ReadableTableMetadata::len(&table)? as usize);
            for row in table.iter()? {
                let (_, value) = row?;
                out.push(record_from_json(kind, value.value()).map_err(JournalError::Invalid)?);
            }
            Ok(out)
        }
        let mut loaded = Loaded::default();
        for r in all(txn.open_table(ACTORS)?, RecordKind::Actor)? {
            if let Record::Actor(a) = r {
                loaded.actors.push(a);
            }
        }
        for r in all(txn.open_table(RELATIONS)?, RecordKind::Relation)? {
            if let Record::Relation(x) = r {
                loaded.relations.push(x);
            }
        }
        for r in all(txn.open_table(SOURCES)?, RecordKind::Source)? {
            if let Record::Source(s) = r {
                loaded.sources.push(s);
            }
        }
        for r in all(txn.open_table(CLAIMS)?, RecordKind::Claim)? {
            if let Record::Claim(c) = r {
                loaded.claims.push(c);
            }
        }
        Ok(loaded)
    }

    /// Writes the records `changes` leave (or remove) and appends one log entry
    /// per change, numbered on from the last, in one transaction that is on disk
    /// when this returns.
    pub fn commit(
        &self,
        changes: &[Change],
        by: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write()?;
        {
            if self.records {
                let mut actors = txn.open_table(ACTORS)?;
                let mut relations = txn.open_table(RELATIONS)?;
                let mut sources = txn.open_table(SOURCES)?;
                let mut claims = txn.open_table(CLAIMS)?;
                for c in changes {
                    let table = match c.record.kind() {
                        RecordKind::Actor => &mut actors,
                        RecordKind::Relation => &mut relations,
                        RecordKind::Source => &mut sources,
                        RecordKind::Claim => &mut claims,
                    };
                    match c.kind {
                        ChangeKind::Deleted => {
                            table.remove(c.record.id())?;
                        }
                        ChangeKind::Created | ChangeKind::Updated => {
                            let bytes = record_json(&c.record).to_string();
                            table.insert(c.record.id(), bytes.as_bytes())?;
                        }
                    }
                }
            }
            let mut entries = txn.open_table(LOG)?;
            let mut by_record = txn.open_table(LOG_BY_RECORD)?;
            let mut seq = entries.last()?.map_or(0, |(k, _)| k.value());
            for c in changes {
                seq += 1;
                let entry = LogEntry::of(seq, c, by, at);
                let mut json = change_props(&entry);
                json["seq"] = seq.into();
                entries.insert(seq, json.to_string().as_bytes())?;
                let key = record_key(entry.kind, &entry.id);
                by_record.insert((key.as_str(), seq), ())?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// The bytes the file holds (stored data and its metadata; the file itself
    /// may be larger: redb allocates ahead and reuses freed pages).
    pub fn stored_bytes(&self) -> Result<u64> {
        let txn = self.db.begin_write()?;
        let stats = txn.stats()?;
        let bytes = stats.stored_bytes() + stats.metadata_bytes();
        txn.abort()?;
        Ok(bytes)
    }

    /// The number of the last entry (0: none yet).
    pub fn last_seq(&self) -> Result<u64> {
        let txn = self.db.begin_read()?;
        let log = txn.open_table(LOG)?;
        let last = log.last()?.map_or(0, |(k, _)| k.value());
        Ok(last)
    }

    fn entry(bytes: &[u8]) -> Result<LogEntry> {
        serde_json::from_slice::<ChangeRecord>(bytes)
            .map_err(|e| JournalError::Invalid(format!("change: {e}")))?
            .into_domain()
            .map_err(JournalError::Invalid)
    }

    /// Entries after `q.after`, oldest first, at most `q.first` (and whether more
    /// follow). A scan that filters checks the request's deadline as it goes.
    pub fn changes(
        &self,
        q: &ChangeQuery,
    ) -> std::result::Result<Page<LogEntry>, super::StoreError> {
        let txn = self.db.begin_read().map_err(storage)?;
        let log = txn.open_table(LOG).map_err(storage)?;
        let mut items = Vec::new();
        let mut has_next_page = false;
        let start = q.after.saturating_add(1);
        if let Some(id) = &q.id {
            // One record's entries, through the index: merge the kinds asked.
            let by_record = txn.open_table(LOG_BY_RECORD).map_err(storage)?;
            let kinds = if q.kinds.is_empty() {
                vec![
                    RecordKind::Actor,
                    RecordKind::Relation,
                    RecordKind::Source,
                    RecordKind::Claim,
                ]
            } else {
                q.kinds.clone()
            };
            let mut seqs = Vec::new();
            for kind in kinds {
                let key = record_key(kind, id);
                let range = (key.as_str(), start)..=(key.as_str(), u64::MAX);
                for row in by_record.range(range).map_err(storage)?.take(q.first + 1) {
                    seqs.push(row.map_err(storage)?.0.value().1);
                }
            }
            seqs.sort_unstable();
            has_next_page = seqs.len() > q.first;
            for seq in seqs.into_iter().take(q.first) {
                if let Some(v) = log.get(seq).map_err(storage)? {
                    items.push(Self::entry(v.value()).map_err(super::StoreError::from)?);
                }
            }
        } else {
            let mut step = 0u32;
            for row in log.range(start..).map_err(storage)? {
                step += 1;
                if step.is_multiple_of(1_024) {
                    crate::deadline::check()?;
                }
                let (_, v) = row.map_err(storage)?;
                let e = Self::entry(v.value()).map_err(super::StoreError::from)?;
                if !q.admits(&e) {
                    continue;
                }
                if items.len() == q.first {
                    has_next_page = true;
                    break;
                }
                items.push(e);
            }
        }
        Ok(Page {
            keys: Vec::new(),
            items,
            has_next_page,
            total_count: 0,
        })
    }

    /// The last `max` entries of each record, oldest first.
    pub fn histories(
        &self,
        records: &[(RecordKind, String)],
        max: usize,
    ) -> std::result::Result<Vec<Vec<LogEntry>>, super::StoreError> {
        let txn = self.db.begin_read().map_err(storage)?;
        let log = txn.open_table(LOG).map_err(storage)?;
        let by_record = txn.open_table(LOG_BY_RECORD).map_err(storage)?;
        records
            .iter()
            .map(|(kind, id)| {
                let key = record_key(*kind, id);
                let range = (key.as_str(), 0)..=(key.as_str(), u64::MAX);
                let mut seqs = Vec::new();
                for row in by_record.range(range).map_err(storage)?.rev().take(max) {
                    seqs.push(row.map_err(storage)?.0.value().1);
                }
                seqs.reverse();
                let mut entries = Vec::with_capacity(seqs.len());
                for seq in seqs {
                    if let Some(v) = log.get(seq).map_err(storage)? {
                        entries.push(Self::entry(v.value()).map_err(super::StoreError::from)?);
                    }
                }
                Ok(entries)
            })
            .collect()
    }
}

fn storage(e: impl Into<redb::Error>) -> super::StoreError {
    super::StoreError::Unavailable {
        backend: "memory",
        source: anyhow::Error::new(e.into()),
    }
}

/// A failure of the files as a store error: a record that does not read back is
/// invalid, anything else makes the store unavailable.
impl From<JournalError> for super::StoreError {
    fn from(e: JournalError) -> Self {
        match e {
            JournalError::Invalid(detail) => super::StoreError::InvalidRecord {
                backend: "memory",
                detail,
            },
            other => super::StoreError::Unavailable {
                backend: "memory",
                source: anyhow::Error::new(other),
            },
        }
    }
}
