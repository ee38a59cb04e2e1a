//! Reads a data set from disk: one `.json` document, or every `.json` document of a
//! folder (in name order), with source texts kept in files beside them
//! (`"textFile": "sources/…"`). The documents are validated together; see
//! [`crate::domain::dataset`].

use std::path::{Component, Path, PathBuf};

use crate::domain::{self, Dataset, Problem, RawDocument};

/// Why a data set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The path names nothing.
    #[error(
        "the data set `{0}` does not exist: give a .json file or a folder of them (e.g. `seed/`)"
    )]
    NotFound(PathBuf),
    /// A folder without any `.json` document.
    #[error("the folder `{0}` holds no .json data-set document")]
    Empty(PathBuf),
    /// A file could not be read.
    #[error("could not read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A document is not JSON of the data-set format.
    #[error("`{path}` is not a valid data-set document: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// The documents parse but break the domain's rules.
    #[error("the data set has {} problem(s):\n{}", .0.len(), list(.0))]
    Invalid(Vec<Problem>),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads and validates the data set at `path` (a file or a folder).
pub fn load(path: &Path) -> Result<Dataset, SeedError> {
    let files = document_files(path)?;
    let mut documents = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).map_err(|source| SeedError::Read {
            path: file.clone(),
            source,
        })?;
        let mut doc: RawDocument =
            serde_json::from_slice(&bytes).map_err(|source| SeedError::Parse {
                path: file.clone(),
                source,
            })?;
        let label = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let base = file.parent().unwrap_or(Path::new("."));
        resolve_text_files(&mut doc, base, &label, &mut problems);
        documents.push((label, doc));
    }
    if !problems.is_empty() {
        return Err(SeedError::Invalid(problems));
    }
    let refs: Vec<(&str, &RawDocument)> = documents.iter().map(|(l, d)| (l.as_str(), d)).collect();
    domain::validate(&refs).map_err(SeedError::Invalid)
}

fn document_files(path: &Path) -> Result<Vec<PathBuf>, SeedError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(SeedError::NotFound(path.to_path_buf()));
    }
    let entries = std::fs::read_dir(path).map_err(|source| SeedError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| SeedError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let p = entry.path();
        if p.is_file() && p.extension().is_some_and(|e| e == "json") {
            files.push(p);
        }
    }
    if files.is_empty() {
        return Err(SeedError::Empty(path.to_path_buf()));
    }
    files.sort();
    Ok(files)
}

/// Reads each `textFile` into `text`. Text files must lie below the document's
/// folder, so a data set cannot pull in arbitrary files of the machine.
fn resolve_text_files(
    doc: &mut RawDocument,
    base: &Path,
    label: &str,
    problems: &mut Vec<Problem>,
) {
    for (i, source) in doc.sources.iter_mut().enumerate() {
        let Some(rel) = source.text_file.clone() else {
            continue;
        };
        let path = format!("/sources/{i}/textFile");
        let rel_path = Path::new(&rel);
        if source.text.is_some() {
            problems.push(problem(
                label,
                &path,
                "give either `text` or `textFile`, not both",
            ));
            continue;
        }
        if rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            problems.push(problem(
                label,
                &path,
                "must be a relative path below the document's folder, without `..`",
            ));
            continue;
        }
        let full = base.join(rel_path);
        match std::fs::read(&full) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => source.text = Some(text),
                Err(_) => problems.push(problem(
                    label,
                    &path,
                    &format!("`{}` is not UTF-8 text", full.display()),
                )),
            },
            Err(e) => problems.push(problem(
                label,
                &path,
                &format!("could not read `{}`: {e}", full.display()),
            )),
        }
    }
}

fn problem(document: &str, path: &str, message: &str) -> Problem {
    Problem {
        document: document.to_string(),
        path: path.to_string(),
        message: message.to_string(),
    }
}
