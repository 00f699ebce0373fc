//! Stable ids: the GUID of each business unit, user and team (Dataverse's `businessunitid`, `systemuserid`,
//! `teamid`), and the external ids users may carry (an Entra ID object id), with the indexes that find them.
//!
//! An id not given is derived from the name (a version 5 UUID under [`NAMESPACE`]), so that two processes building
//! from the same file agree on it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};

use uuid::Uuid;

use super::problem::{Problems, problem};

/// The namespace of derived ids: `Uuid::new_v5(NAMESPACE, "<section>/<name>")`, section being `business_unit`,
/// `user` or `team`.
pub(crate) const NAMESPACE: Uuid = Uuid::from_u128(0x7c1f_52a4_6e0b_4d8e_9a3c_1b5d_2e4f_6a70);

/// The id derived from a name, for an entry given none.
pub(crate) fn derived(section: &str, name: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{section}/{name}").as_bytes())
}

/// The ids of one kind of entry (business units, users or teams), by compiled index, and the index by id.
#[derive(Debug, Default)]
pub(crate) struct IdTable {
    pub(crate) ids: Vec<Uuid>,
    pub(crate) index: HashMap<Uuid, u32, BuildHasherDefault<GuidHasher>>,
}

/// The hasher of the GUID index: a request resolves its caller by GUID, so the lookup is on the hot path, and SipHash
/// of 16 bytes costs more than the rest of it. The keys are the organisation's own ids, written by its administrators
/// (not by whoever sends a request), and most are random (v4) or hashed (v5); sequential ones are mixed by a
/// multiplication, so that every bit of the id reaches the high bits the table probes with.
#[derive(Debug, Default)]
pub(crate) struct GuidHasher(u64);

impl Hasher for GuidHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(29) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 31)
    }
}

impl IdTable {
    /// The id of entry `index`.
    pub(crate) fn get(&self, index: u32) -> Option<Uuid> {
        self.ids.get(index as usize).copied()
    }

    /// The entry with id `id`.
    pub(crate) fn find(&self, id: Uuid) -> Option<u32> {
        self.index.get(&id).copied()
    }
}

/// One compiled entry's id as given: its place among its section's entries (for the problem's place), its name, and
/// the id given, if any.
pub(crate) struct Given<'a> {
    pub(crate) place: Option<usize>,
    pub(crate) name: &'a str,
    pub(crate) id: Option<Uuid>,
}

/// The ids of `entries` (one per compiled index, in index order), derived where none is given; two entries with one id
/// are a problem reported at the second.
pub(super) fn assign<'a>(
    section: &'static str,
    entries: impl IntoIterator<Item = Given<'a>>,
    problems: &mut Problems,
) -> IdTable {
    let mut table = IdTable::default();
    let mut names: Vec<&str> = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        let id = entry.id.unwrap_or_else(|| derived(section, entry.name));
        if let Some(&first) = table.index.get(&id) {
            let first = names[first as usize];
            problems.add(entry.place, || {
                let kind = section.replace('_', " ");
                problem(
                    section,
                    entry.name,
                    Some(&id.to_string()),
                    format!(
                        "{kind} `{}` has id `{id}`, which is {kind} `{first}`'s",
                        entry.name
                    ),
                    Some("every business unit, user and team has an id of its own".into()),
                )
            });
        } else {
            table.index.insert(id, index as u32);
        }
        table.ids.push(id);
        names.push(entry.name);
    }
    table
}

/// Users' external ids, compared without regard to case.
#[derive(Debug, Default)]
pub(crate) struct ExternalIds {
    /// By user index: as given.
    pub(crate) ids: Vec<Option<Box<str>>>,
    /// Lower case -> user index.
    pub(crate) index: HashMap<String, u32>,
}

impl ExternalIds {
    /// Records the external ids of the users, in index order (`None`: the user has none).
    pub(super) fn assign<'a>(
        users: impl IntoIterator<Item = (Option<usize>, &'a str, Option<&'a str>)>,
        problems: &mut Problems,
    ) -> Self {
        let mut out = Self::default();
        for (index, (place, name, external)) in users.into_iter().enumerate() {
            let Some(external) = external else {
                out.ids.push(None);
                continue;
            };
            if external.trim().is_empty() {
                problems.add(place, || {
                    problem(
                        "user",
                        name,
                        Some(external),
                        format!("user `{name}` has an empty external id"),
                        Some("leave `external_id` out, or give the id the other system knows the user by".into()),
                    )
                });
            } else if let Entry::Vacant(slot) = out.index.entry(external.to_lowercase()) {
                slot.insert(index as u32);
            } else {
                problems.add(place, || {
                    problem(
                        "user",
                        name,
                        Some(external),
                        format!(
                            "user `{name}` has external id `{external}`, which another user has"
                        ),
                        Some("an external id names one user".into()),
                    )
                });
            }
            out.ids.push(Some(external.into()));
        }
        out
    }
}

/// All the stable ids of an organisation.
#[derive(Debug, Default)]
pub(crate) struct StableIds {
    pub(crate) business_units: IdTable,
    pub(crate) users: IdTable,
    pub(crate) teams: IdTable,
    pub(crate) external: ExternalIds,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_guids_spread_over_the_high_bits() {
        use std::hash::BuildHasher;
        let hasher = BuildHasherDefault::<GuidHasher>::default();
        let tops: std::collections::HashSet<u64> = (0..1024u128)
            .map(|n| hasher.hash_one(Uuid::from_u128(n)) >> 57)
            .collect();
        assert!(tops.len() > 100, "{} distinct top-7-bit values", tops.len());
    }

    #[test]
    fn derived_ids_depend_on_section_and_name_alone() {
        assert_eq!(derived("user", "ada"), derived("user", "ada"));
        assert_ne!(derived("user", "ada"), derived("team", "ada"));
        assert_ne!(derived("user", "ada"), derived("user", "Ada"));
        assert_eq!(derived("user", "ada").get_version_num(), 5);
    }
}
