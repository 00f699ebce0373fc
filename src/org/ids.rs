//! Stable ids: the GUID of each business unit, user and team (Dataverse's `businessunitid`, `systemuserid`,
//! `teamid`), and the external ids users may carry (an Entra ID object id), with the indexes that find them.
//!
//! An id not given is derived from the name (a version 5 UUID under [`NAMESPACE`]), so that two processes building
//! from the same file agree on it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

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
    pub(crate) index: HashMap<Uuid, u32>,
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
    fn derived_ids_depend_on_section_and_name_alone() {
        assert_eq!(derived("user", "ada"), derived("user", "ada"));
        assert_ne!(derived("user", "ada"), derived("team", "ada"));
        assert_ne!(derived("user", "ada"), derived("user", "Ada"));
        assert_eq!(derived("user", "ada").get_version_num(), 5);
    }
}
