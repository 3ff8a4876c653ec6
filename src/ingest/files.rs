//! Articles from the file system for `quotewire ingest`: `.txt` and `.html` files hold one
//! article each, `.json` one article object (the `POST /v1/articles` body), `.ndjson` one
//! object per line. Folders are walked recursively; symbolic links to folders are not
//! followed, so a link loop cannot trap the walk.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::ArticleInput;

/// One article read from disk, or why it could not be read.
#[derive(Debug)]
pub struct FileArticle {
    /// The file, with `:LINE` for an NDJSON line.
    pub origin: String,
    pub input: Result<ArticleInput, String>,
}

/// The files under `paths` that hold articles, in a stable order, and the paths that
/// could not be used (missing, unreadable, or of an unknown kind when named directly).
pub fn find_article_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => problems.push((path.display().to_string(), e.to_string())),
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut problems),
            Ok(_) if kind_of(path).is_some() => files.push(path.clone()),
            Ok(_) => problems.push((
                path.display().to_string(),
                "not a .txt, .html, .json or .ndjson file".into(),
            )),
        }
    }
    (files, problems)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<(String, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return problems.push((dir.display().to_string(), e.to_string())),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, files, problems);
        } else if kind_of(&path).is_some() && (meta.is_file() || path.is_file()) {
            files.push(path);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Text,
    Html,
    Json,
    Ndjson,
}

fn kind_of(path: &Path) -> Option<FileKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "txt" => Some(FileKind::Text),
        "html" | "htm" => Some(FileKind::Html),
        "json" => Some(FileKind::Json),
        "ndjson" | "jsonl" => Some(FileKind::Ndjson),
        _ => None,
    }
}

/// The articles in one file, read as they are consumed: an NDJSON file is streamed line
/// by line, so a file of any size takes the memory of one line. Invalid UTF-8 is read
/// lossily (a news page with one bad byte is still worth keeping); a JSON line that does
/// not parse is reported by itself.
pub fn read_articles(path: &Path) -> Box<dyn Iterator<Item = FileArticle>> {
    let origin = path.display().to_string();
    let failed = |origin: String, reason: String| {
        Box::new(std::iter::once(FileArticle {
            origin,
            input: Err(reason),
        })) as Box<dyn Iterator<Item = FileArticle>>
    };
    let Some(kind) = kind_of(path) else {
        return failed(origin, "not a .txt, .html, .json or .ndjson file".into());
    };
    if kind == FileKind::Ndjson {
        return match std::fs::File::open(path) {
            Ok(file) => Box::new(ndjson_lines(origin, BufReader::new(file))),
            Err(e) => failed(origin, e.to_string()),
        };
    }
    let content = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => return failed(origin, e.to_string()),
    };
    let input = match kind {
        FileKind::Text => Ok(ArticleInput {
            text: Some(content),
            ..Default::default()
        }),
        FileKind::Html => Ok(ArticleInput {
            html: Some(content),
            ..Default::default()
        }),
        FileKind::Json | FileKind::Ndjson => parse_json(&content),
    };
    Box::new(std::iter::once(FileArticle { origin, input }))
}

/// One article per non-blank line, `origin:LINE` each; a read error ends the file with
/// one last item saying why.
fn ndjson_lines(origin: String, mut reader: impl BufRead) -> impl Iterator<Item = FileArticle> {
    let mut line = Vec::new();
    let mut number = 0;
    let mut done = false;
    std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        line.clear();
        number += 1;
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return None,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                if text.trim().is_empty() {
                    continue;
                }
                return Some(FileArticle {
                    origin: format!("{origin}:{number}"),
                    input: parse_json(&text),
                });
            }
            Err(e) => {
                done = true;
                return Some(FileArticle {
                    origin: format!("{origin}:{number}"),
                    input: Err(e.to_string()),
                });
            }
        }
    })
}

fn parse_json(text: &str) -> Result<ArticleInput, String> {
    serde_json::from_str(text).map_err(|e| format!("not an article object: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_and_unknown_files_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/one.txt"), "One").unwrap();
        std::fs::write(
            dir.path().join("a/b/two.ndjson"),
            "{\"text\":\"x\"}\n\nnot json\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("a/notes.md"), "skip").unwrap();
        let (files, problems) =
            find_article_files(&[dir.path().to_path_buf(), dir.path().join("missing")]);
        assert_eq!(files.len(), 2);
        assert_eq!(problems.len(), 1);
        let lines: Vec<FileArticle> = read_articles(&dir.path().join("a/b/two.ndjson")).collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].input.is_ok());
        assert!(lines[1].origin.ends_with(":3") && lines[1].input.is_err());
    }
}
