//! What building an organisation reports: each problem with where it was found, and all of them together.

use std::fmt;

use rolegate_catalog::{MAX_DIAGNOSTICS, and_more};

/// A problem found while building an organisation, with where it was found (for files: the entry and the word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgProblem {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The entry it is about: its key (`name`, `id`) and value, then the offending word, for locating it in a file.
    pub(crate) at: Locator,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Locator {
    pub(crate) section: &'static str,
    pub(crate) entry: String,
    pub(crate) word: Option<String>,
}

impl fmt::Display for OrgProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Building an organisation in code failed; every problem found is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct BuildError {
    /// The problems.
    pub problems: Vec<OrgProblem>,
}

/// A problem of an entry of `section`, found by its key `entry` and, within it, the offending `word`.
pub(crate) fn problem(
    section: &'static str,
    entry: &str,
    word: Option<&str>,
    message: String,
    help: Option<String>,
) -> OrgProblem {
    OrgProblem {
        message,
        help,
        at: Locator {
            section,
            entry: entry.to_owned(),
            word: word.map(str::to_owned),
        },
    }
}

/// The problems found: the first [`MAX_DIAGNOSTICS`] made in full, the rest counted (and the first of them kept for
/// where the count is reported), so a file with many mistakes costs no more than one with a hundred.
#[derive(Default)]
pub(super) struct Problems {
    shown: Vec<Indexed>,
    more: usize,
    first_more: Option<(Locator, Option<usize>)>,
}

/// A problem, and the place of its entry among its section's entries when known (a file's entry is then searched for
/// from its own start).
pub(crate) type Indexed = (OrgProblem, Option<usize>);

impl Problems {
    /// A problem of the `index`-th entry of its section; `make` (and the did-you-mean in it) runs only for one shown.
    pub(super) fn add(&mut self, index: Option<usize>, make: impl FnOnce() -> OrgProblem) {
        if self.shown.len() < MAX_DIAGNOSTICS {
            self.shown.push((make(), index));
        } else {
            if self.first_more.is_none() {
                self.first_more = Some((make().at, index));
            }
            self.more += 1;
        }
    }

    /// Whether no problem was found.
    pub(super) fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    pub(super) fn finish(mut self) -> Vec<Indexed> {
        if let Some((at, index)) = self.first_more.take() {
            let rest = OrgProblem {
                message: and_more(self.more),
                help: None,
                at,
            };
            self.shown.push((rest, index));
        }
        self.shown
    }
}

/// The cycles of a forest given by parent links (`parent[i]`, none pointing at itself), each named by its smallest
/// index, in ascending order. Linear: each node is walked once.
pub(super) fn cycles(parent: &[Option<u32>]) -> Vec<usize> {
    // 0: not seen; walk + 1: on the walk that started there; usize::MAX: done.
    let mut seen = vec![0usize; parent.len()];
    let mut found = Vec::new();
    for start in 0..parent.len() {
        let walk = start + 1;
        let mut at = Some(start);
        while let Some(node) = at.filter(|&n| n < parent.len() && seen[n] == 0) {
            seen[node] = walk;
            at = parent[node].map(|p| p as usize);
        }
        // A walk that meets itself has found a cycle: the nodes from where it met.
        if let Some(meet) = at.filter(|&n| n < parent.len() && seen[n] == walk) {
            let mut min = meet;
            let mut node = parent[meet].map_or(meet, |p| p as usize);
            while node != meet {
                min = min.min(node);
                node = parent[node].map_or(meet, |p| p as usize);
            }
            found.push(min);
        }
        let mut at = Some(start);
        while let Some(node) = at.filter(|&n| n < parent.len() && seen[n] == walk) {
            seen[node] = usize::MAX;
            at = parent[node].map(|p| p as usize);
        }
    }
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::cycles;

    #[test]
    fn cycles_are_named_by_their_smallest_index_once_each() {
        // 0 -> 1 -> 2 -> 0 (a cycle), 3 -> 0 (into it), 4 -> 5 -> 4 (another), 6 (a root), 7 -> 6.
        let parent = [
            Some(1),
            Some(2),
            Some(0),
            Some(0),
            Some(5),
            Some(4),
            None,
            Some(6),
        ];
        assert_eq!(cycles(&parent), [0, 4]);
        assert_eq!(cycles(&[None, Some(0), Some(1)]), Vec::<usize>::new());
        assert_eq!(
            cycles(&[Some(7)]),
            Vec::<usize>::new(),
            "a link out of range ends the walk"
        );
    }

    #[test]
    fn a_chain_of_a_hundred_thousand_is_walked_once() {
        let n = 100_000u32;
        let mut parent: Vec<Option<u32>> = (0..n).map(|i| i.checked_sub(1)).collect();
        assert!(cycles(&parent).is_empty());
        parent[0] = Some(n - 1);
        assert_eq!(cycles(&parent), [0]);
    }
}
