//! Loading: the built-in catalog, catalog files and source text, parsed and handed to validation.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Diagnostic, LoadError, decode_utf8, line_column, locate};
use crate::file::{CatalogFile, Header, Syntax};
use crate::model::Catalog;
use crate::validate::{Layer, Origins};

/// The built-in catalog's source text (derived from the seed documents; see `data/SOURCES.md`).
pub const BUILTIN_TOML: &str = include_str!("../data/builtin.toml");

/// The built-in catalog as [`BUILTIN_TOML`] reads, written as JSON: what [`Catalog::builtin`] parses, since JSON parses
/// several times faster than TOML and the built-in catalog is loaded on every process's first check or macro
/// expansion. Generated from `builtin.toml`, the source of truth, and kept identical to it by the `builtin_json` test
/// (`ROLEGATE_BLESS=1` rewrites it).
const BUILTIN_JSON: &str = include_str!("../data/builtin.json");

impl Catalog {
    /// The built-in catalog: the Omnichannel for Customer Service roles and tables of the seed documents.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The shipped data is validated by this crate's tests; failing here means the package is corrupt.
            Self::load_builtin()
                .unwrap_or_else(|e| panic!("rolegate's built-in catalog is invalid:\n{e}"))
        })
    }

    /// Parses and validates the built-in catalog afresh: what [`Catalog::builtin`] does once per process, measured by
    /// the benchmarks. Use [`Catalog::builtin`].
    #[doc(hidden)]
    pub fn load_builtin() -> Result<Self, LoadError> {
        let file = parse_file(BUILTIN_JSON, "<builtin>", Syntax::Json)?;
        // Diagnostics point into the TOML the JSON is generated from.
        let layer = Layer::new("<builtin>", BUILTIN_TOML);
        Self::validate(file, &[layer], Origins::ONE_LAYER)
    }

    /// The built-in catalog as a file, for extending or re-serialising.
    pub fn builtin_file() -> CatalogFile {
        serde_json::from_str(BUILTIN_JSON).unwrap_or_default()
    }

    /// The largest input file rolegate reads: 64 MiB.
    ///
    /// Catalog and organisation files are far smaller (the built-in catalog is under 1 MiB); the limit stops a
    /// mistaken or hostile path, such as `/dev/zero` or a runaway log, from exhausting memory.
    pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

    /// Reads an input file whole: only a regular file (a FIFO would block, a device may never end), and at most
    /// [`Catalog::MAX_FILE_BYTES`], even when the file grows while it is read.
    pub fn read_input(path: &Path) -> Result<Vec<u8>, LoadError> {
        read_bounded(path, Self::MAX_FILE_BYTES)
    }

    /// Loads a catalog file (TOML, or JSON when the path ends in `.json`).
    ///
    /// A file whose header says `extends = "builtin"` adds to the built-in catalog; a table it defines replaces the
    /// built-in table of that name. The file must be a regular file of at most [`Catalog::MAX_FILE_BYTES`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let bytes = Self::read_input(path)?;
        Self::from_bytes_named(&bytes, &path.display().to_string(), Syntax::of_path(path))
    }

    /// Loads a catalog from a file's bytes: UTF-8, with or without a byte-order mark; any other encoding is a
    /// diagnostic that names it, at the first byte that is not UTF-8.
    pub fn from_bytes_named(bytes: &[u8], origin: &str, syntax: Syntax) -> Result<Self, LoadError> {
        let text = decode_utf8(bytes, origin).map_err(|d| LoadError::Invalid(vec![d]))?;
        Self::from_str_named(text, origin, syntax)
    }

    /// Loads a catalog from source text; `origin` names it in diagnostics.
    pub fn from_str_named(text: &str, origin: &str, syntax: Syntax) -> Result<Self, LoadError> {
        // A byte-order mark is no part of the text (JSON takes it as TOML does): columns count as an editor shows them.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file = parse_file(text, origin, syntax)?;
        let layer = Layer::new(origin, text);
        match file.catalog.extends.as_deref() {
            None => Self::validate(file, &[layer], Origins::ONE_LAYER),
            Some(base) if base.eq_ignore_ascii_case("builtin") => {
                let builtin = Layer::new("<builtin>", BUILTIN_TOML);
                let mut merged = Self::builtin_file();
                // A table the file defines replaces the built-in entry of that name: the file describes the
                // user's own environment. (Roles, capabilities and the rest must have names of their own.)
                let own: std::collections::HashSet<String> = file
                    .tables
                    .iter()
                    .map(|t| crate::names::name_key(&t.name).into_owned())
                    .collect();
                merged
                    .tables
                    .retain(|t| !own.contains(crate::names::name_key(&t.name).as_ref()));
                let origins = Origins::extending(&merged);
                merged.catalog = Header {
                    extends: None,
                    ..file.catalog.clone()
                };
                merged.misc.extend(file.misc);
                merged.tables.extend(file.tables);
                merged.capabilities.extend(file.capabilities);
                merged.roles.extend(file.roles);
                merged.personas.extend(file.personas);
                Self::validate(merged, &[builtin, layer], origins)
            }
            Some(other) => {
                let (line, column) = locate(text, &["extends", other]);
                Err(LoadError::Invalid(vec![Diagnostic {
                    origin: origin.to_owned(),
                    line,
                    column,
                    message: format!("unknown base catalog `{other}`"),
                    help: Some("the only base is \"builtin\"; remove `extends` for a catalog that stands alone".into()),
                }]))
            }
        }
    }

    /// Validates a catalog file already parsed or built in memory (by an importer, say); diagnostics locate entries
    /// in its TOML rendering.
    pub fn from_parsed(file: CatalogFile, origin: &str) -> Result<Self, LoadError> {
        let text = file.to_toml_string();
        let layer = Layer::new(origin, &text);
        Self::validate(file, &[layer], Origins::ONE_LAYER)
    }
}

/// Reads `path` whole if it is a regular file of at most `limit` bytes.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    // Looked at before opening, so that a path naming a device or a FIFO is refused without touching it.
    let metadata = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    check_regular(path, &metadata, limit)?;
    let (file, metadata) = open_regular(path, limit)?;
    read_at_most(file, limit, metadata.len())
        .map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?
        .ok_or_else(|| LoadError::TooLarge {
            path: path.to_owned(),
            size: None,
            limit,
        })
}

/// Opens a path that must be a regular file of at most `limit` bytes, judged on what was opened, with its metadata.
///
/// On Unix the open does not block: it is non-blocking, so a FIFO put in the path's place after any earlier check
/// opens at once (with no writer) and is then refused by its metadata. Reads from a regular file ignore the flag.
fn open_regular(path: &Path, limit: u64) -> Result<(File, std::fs::Metadata), LoadError> {
    let io_error = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io_error)?;
    let metadata = file.metadata().map_err(io_error)?;
    check_regular(path, &metadata, limit)?;
    Ok((file, metadata))
}

/// Refuses anything but a regular file of at most `limit` bytes.
fn check_regular(path: &Path, metadata: &std::fs::Metadata, limit: u64) -> Result<(), LoadError> {
    match special_file(&metadata.file_type()) {
        Some(kind) => Err(LoadError::NotAFile {
            path: path.to_owned(),
            kind,
        }),
        None if metadata.len() > limit => Err(LoadError::TooLarge {
            path: path.to_owned(),
            size: Some(metadata.len()),
            limit,
        }),
        None => Ok(()),
    }
}

/// Reads to the end, or `None` once more than `limit` bytes come.
fn read_at_most(reader: impl Read, limit: u64, expected: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(limit)).unwrap_or(0));
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// What a file type is when it is not a regular file.
fn special_file(file_type: &std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

/// Parses catalog text into its file form, with the syntax error's line and column.
pub fn parse_file(text: &str, origin: &str, syntax: Syntax) -> Result<CatalogFile, LoadError> {
    parse_syntax(text, origin, syntax)
}

/// Parses TOML or JSON text into any serde type (a catalog file, an organisation file), turning a syntax or shape
/// error into a [`Diagnostic`] with the line and column it points at.
pub fn parse_syntax<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
    syntax: Syntax,
) -> Result<T, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (message, (line, column)) = match syntax {
        Syntax::Toml => match toml::from_str::<T>(text) {
            Ok(value) => return Ok(value),
            Err(e) => (
                e.message().to_owned(),
                line_column(text, e.span().map_or(0, |s| s.start)),
            ),
        },
        Syntax::Json => match serde_json::from_str::<T>(text) {
            Ok(value) => return Ok(value),
            Err(e) => (
                strip_json_position(&e.to_string()),
                (e.line().max(1), e.column().max(1)),
            ),
        },
    };
    Err(LoadError::Invalid(vec![Diagnostic {
        origin: origin.to_owned(),
        line,
        column,
        message,
        help: None,
    }]))
}

fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::path::PathBuf;
    use std::sync::mpsc;
    use std::time::Duration;

    /// A fresh directory for one test's files.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rolegate-catalog-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_in_utf16_is_named_as_such_with_its_path() {
        let dir = scratch("utf16");
        let path = dir.join("roles.toml");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("[[table]]\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        std::fs::write(&path, utf16).unwrap();
        let e = Catalog::from_path(&path).unwrap_err().to_string();
        assert!(
            e.contains("roles.toml:1:1: not UTF-8 (looks like UTF-16 LE)"),
            "{e}"
        );
    }

    /// Loads `path` on another thread, failing instead of hanging when the load blocks.
    fn load_within_seconds(path: PathBuf) -> Result<Catalog, LoadError> {
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(Catalog::from_path(path));
        });
        receive
            .recv_timeout(Duration::from_secs(20))
            .expect("loading returns instead of blocking or reading forever")
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_unread() {
        let err = load_within_seconds("/dev/zero".into()).unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::NotAFile {
                    kind: "a character device",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "cannot read /dev/zero: it is a character device, not a regular file"
        );
    }

    /// Makes a FIFO at `path`; `false` (and a line saying the test is skipped) where `mkfifo` does not exist.
    fn mkfifo(path: &std::path::Path) -> bool {
        match std::process::Command::new("mkfifo").arg(path).status() {
            Ok(status) => {
                assert!(status.success(), "mkfifo {}", path.display());
                true
            }
            Err(e) => {
                eprintln!("skipped: mkfifo is not available ({e})");
                false
            }
        }
    }

    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = scratch("fifo");
        let fifo = dir.join("roles.toml");
        if !mkfifo(&fifo) {
            return;
        }
        let err = load_within_seconds(fifo.clone()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read {}: it is a FIFO (named pipe), not a regular file",
                fifo.display()
            )
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// The race the check before opening cannot close: the path became a FIFO after it was looked at. Opening it is
    /// what would block, so the open itself is tried on a FIFO.
    #[test]
    fn a_fifo_swapped_in_after_the_check_is_refused_by_the_open() {
        let dir = scratch("fifo-race");
        let fifo = dir.join("roles.toml");
        if !mkfifo(&fifo) {
            return;
        }
        let (send, receive) = mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let _ = send.send(open_regular(&path, Catalog::MAX_FILE_BYTES).map(|_| ()));
        });
        let err = receive
            .recv_timeout(Duration::from_secs(20))
            .expect("opening a FIFO returns instead of waiting for a writer")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read {}: it is a FIFO (named pipe), not a regular file",
                fifo.display()
            )
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = scratch("directory");
        let err = Catalog::from_path(&dir).unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::NotAFile {
                    kind: "a directory",
                    ..
                }
            ),
            "{err:?}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_its_size_and_the_limit() {
        let dir = scratch("large");
        let path = dir.join("huge.toml");
        // Sparse: costs no disk.
        File::create(&path)
            .unwrap()
            .set_len(Catalog::MAX_FILE_BYTES + 1)
            .unwrap();
        let err = load_within_seconds(path.clone()).unwrap_err();
        assert!(
            matches!(err, LoadError::TooLarge { size: Some(n), limit, .. }
                if n == Catalog::MAX_FILE_BYTES + 1 && limit == Catalog::MAX_FILE_BYTES),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read {}: the file is 67108865 bytes (64.0 MiB), over the limit of 67108864 bytes (64.0 MiB)",
                path.display()
            )
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_at_the_limit_is_read() {
        let dir = scratch("limit");
        let path = dir.join("exact.toml");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_bounded(&path, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_bounded(&path, 9),
            Err(LoadError::TooLarge {
                size: Some(10),
                limit: 9,
                ..
            })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn reading_stops_once_past_the_limit_whatever_the_size_said() {
        // A file that grows while it is read looks like this: more bytes than its size promised.
        assert_eq!(read_at_most(io::repeat(0), 1000, 10).unwrap(), None);
        assert_eq!(
            read_at_most(&b"ten bytes!"[..], 10, 0).unwrap().as_deref(),
            Some(&b"ten bytes!"[..])
        );
    }

    #[test]
    fn the_grown_file_error_says_so() {
        let err = LoadError::TooLarge {
            path: "roles.toml".into(),
            size: None,
            limit: Catalog::MAX_FILE_BYTES,
        };
        assert_eq!(
            err.to_string(),
            "cannot read roles.toml: the file grew past the limit of 67108864 bytes (64.0 MiB) while being read"
        );
    }
}
