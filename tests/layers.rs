//! The files of the runtime, the macro crate and the catalog crate depend on each other one way: no circle.
//!
//! A file depends on another when it names an item defined there, through `crate::`, `super::` or a child module,
//! whether directly or through a re-export (`pub use`), which is followed to the file that defines the item. Modules
//! declared with `mod` are not dependencies; the tests module at the end of a file is left out. Run with
//! `cargo test --test layers -- --nocapture` to print each crate's files in dependency order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One crate's files: module path ("" for the root, "org::model") -> its source without comments and tests.
struct Crate {
    files: BTreeMap<String, String>,
    /// Modules declared with `#[path]` under another name than their file: declared name -> file module.
    aliases: BTreeMap<String, String>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comment lines and without the tests module.
fn code(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn load(src: &Path) -> Crate {
    let mut paths = Vec::new();
    rust_files(src, &mut paths);
    let mut files = BTreeMap::new();
    let mut aliases = BTreeMap::new();
    for path in paths {
        let rel = path
            .strip_prefix(src)
            .expect("under src")
            .with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
            parts.pop();
        }
        let text = std::fs::read_to_string(&path).expect("read");
        // `#[path = "file.rs"] mod name;`: the module is `name`.
        let mut lines = text.lines().map(str::trim).peekable();
        while let Some(line) = lines.next() {
            if let Some(file) = line
                .strip_prefix("#[path = \"")
                .and_then(|r| r.strip_suffix(".rs\"]"))
            {
                let declared = lines
                    .find(|l| l.contains("mod "))
                    .and_then(|l| l.split("mod ").nth(1))
                    .map(|n| n.trim_end_matches(';').trim().to_owned());
                if let Some(declared) = declared {
                    aliases.insert(declared, file.to_owned());
                }
            }
        }
        files.insert(parts.join("::"), code(&text));
    }
    Crate { files, aliases }
}

/// The paths a source names from its own crate, each as segments from the crate root.
fn named_paths(module: &str, code: &str, krate: &Crate) -> Vec<Vec<String>> {
    let here: Vec<String> = module
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let starts_word = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b':';
        let rest = &code[i..];
        let base: Option<(Vec<String>, usize)> = if !starts_word {
            None
        } else if rest.starts_with("crate::") {
            Some((Vec::new(), "crate::".len()))
        } else if rest.starts_with("super::") {
            let mut base = here.clone();
            let mut len = 0;
            while code[i + len..].starts_with("super::") {
                base.pop();
                len += "super::".len();
            }
            Some((base, len))
        } else {
            // `child::item` (a path relative to this module) names a child module's item.
            let first: String = rest
                .bytes()
                .take_while(|&b| is_ident(b))
                .map(char::from)
                .collect();
            let mut child = here.clone();
            child.push(first.clone());
            (!first.is_empty()
                && rest[first.len()..].starts_with("::")
                && krate.files.contains_key(&child.join("::")))
            .then(|| (here.clone(), 0))
        };
        match base {
            Some((base, len)) => {
                let consumed = parse_tree(&code[i + len..], base, &mut out);
                i += len + consumed.max(1);
            }
            None => i += 1,
        }
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Parses `a::b::{c, d::e}` into full paths, each prefixed by `base`; returns the bytes consumed.
fn parse_tree(text: &str, base: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let bytes = text.as_bytes();
    let mut path = base;
    let mut i = 0;
    loop {
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        if i > start {
            let segment = &text[start..i];
            if segment != "self" {
                path.push(segment.to_owned());
            }
        }
        let group = if text[i..].starts_with("::{") {
            Some(3)
        } else if i == start && text[i..].starts_with('{') {
            Some(1)
        } else {
            None
        };
        if let Some(open) = group {
            i += open;
            loop {
                while i < bytes.len() && (bytes[i] as char).is_whitespace() {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return i + 1;
                }
                i += parse_tree(&text[i..], path.clone(), out);
                while i < bytes.len() && bytes[i] != b',' && bytes[i] != b'}' {
                    i += 1;
                }
                if i < bytes.len() && bytes[i] == b',' {
                    i += 1;
                }
            }
        } else if text[i..].starts_with("::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

impl Crate {
    /// The file module an item path lands in: the longest prefix that is a file, following re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> String {
        let path: Vec<String> = path
            .iter()
            .map(|s| self.aliases.get(s).cloned().unwrap_or_else(|| s.clone()))
            .collect();
        let mut module = 0;
        for n in 1..=path.len() {
            if self.files.contains_key(&path[..n].join("::")) {
                module = n;
            }
        }
        let file = path[..module].join("::");
        if depth > 8 || module == path.len() {
            return file;
        }
        // An item of `file`: follow its re-export, if the file re-exports it.
        for rest in module..path.len() {
            if let Some(target) = self.reexport(&file, &path[rest]) {
                let mut full = target;
                full.extend_from_slice(&path[rest + 1..]);
                return self.resolve(&full, depth + 1);
            }
        }
        file
    }

    /// Where `file` re-exports `name` from (`pub use path::name` or `pub use path::{name}`), as a crate path.
    fn reexport(&self, file: &str, name: &str) -> Option<Vec<String>> {
        let code = self.files.get(file)?;
        let mut paths = Vec::new();
        for statement in code.split(';') {
            let statement = statement.trim();
            let Some(at) = statement.find("use ") else {
                continue;
            };
            if !statement[..at].trim_start().starts_with("pub") {
                continue;
            }
            paths.extend(named_paths(file, &statement[at..], self));
        }
        paths
            .into_iter()
            .find(|p| p.last().is_some_and(|l| l == name))
    }

    /// Each file's dependencies on the crate's other files.
    fn edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.named_edges()
            .into_iter()
            .map(|(module, deps)| (module, deps.into_keys().collect()))
            .collect()
    }

    /// Each file's dependencies, each with a path that makes it (for the message when there is a circle).
    fn named_edges(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        self.files
            .iter()
            .map(|(module, code)| {
                let deps = named_paths(module, code, self)
                    .iter()
                    .map(|p| (self.resolve(p, 0), p.join("::")))
                    .filter(|(target, _)| target != module)
                    .collect();
                (module.clone(), deps)
            })
            .collect()
    }
}

/// A circle among the files, if there is one.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut circle = stack[from..].to_vec();
                    circle.push(next.clone());
                    return Some(circle);
                }
                0 => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if state.get(node).copied().unwrap_or(0) == 0
            && let Some(c) = visit(node, edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

/// The files in dependency order: each after everything it depends on.
fn order(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut done: Vec<String> = Vec::new();
    while done.len() < edges.len() {
        let before = done.len();
        for (node, deps) in edges {
            if !done.contains(node)
                && deps
                    .iter()
                    .all(|d| done.contains(d) || !edges.contains_key(d))
            {
                done.push(node.clone());
            }
        }
        if done.len() == before {
            break;
        }
    }
    done
}

fn check(relative: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let krate = load(&src);
    let edges = krate.edges();
    let name = |m: &str| {
        if m.is_empty() {
            "(root)".to_owned()
        } else {
            m.to_owned()
        }
    };
    if let Some(circle) = circle(&edges) {
        let named = krate.named_edges();
        let shown: Vec<String> = circle
            .windows(2)
            .map(|w| {
                format!(
                    "{} -> {} (names `{}`)",
                    name(&w[0]),
                    name(&w[1]),
                    named[&w[0]][&w[1]]
                )
            })
            .collect();
        panic!("{relative}: a circle of files:\n  {}", shown.join("\n  "));
    }
    println!("{relative}, each file after those it depends on:");
    for module in order(&edges) {
        let deps: Vec<String> = edges[&module].iter().map(|m| name(m)).collect();
        println!("  {:<28} uses {}", name(&module), deps.join(", "));
    }
}

#[test]
fn the_runtimes_files_form_no_circle() {
    check("src");
}

#[test]
fn the_macro_crates_files_form_no_circle() {
    check("crates/rolegate-macros/src");
}

#[test]
fn the_catalog_crates_files_form_no_circle() {
    check("crates/rolegate-catalog/src");
}

#[test]
fn a_circle_is_found() {
    let krate = Crate {
        files: BTreeMap::from([
            ("a".to_owned(), "use crate::b::B;".to_owned()),
            ("b".to_owned(), "pub use c::C; use super::a::A;".to_owned()),
            ("b::c".to_owned(), "pub struct C;".to_owned()),
            ("d".to_owned(), "use crate::b::C;".to_owned()),
        ]),
        aliases: BTreeMap::new(),
    };
    let edges = krate.edges();
    assert_eq!(
        edges["d"],
        BTreeSet::from(["b::c".to_owned()]),
        "re-exports are followed"
    );
    assert!(circle(&edges).is_some(), "a -> b -> a");
}
