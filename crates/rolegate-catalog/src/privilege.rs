//! Table privileges (the eight access rights) and sets of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One of the eight privileges a role grants on a table.
///
/// "Update", the name Microsoft's documentation and the seeds often use, is accepted for [`TablePrivilege::Write`]
/// (AccessRights.WriteAccess is "the right to update"); rolegate always prints `Write`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum TablePrivilege {
    /// Create a record.
    Create = 0,
    /// Read a record.
    Read = 1,
    /// Update a record ("Update" in the docs).
    Write = 2,
    /// Delete a record.
    Delete = 3,
    /// Attach other records to this record (this record is the child).
    Append = 4,
    /// Have other records attached to this record (this record is the parent).
    AppendTo = 5,
    /// Give ownership of a record to another user or team.
    Assign = 6,
    /// Grant another principal access to a record.
    Share = 7,
}

impl TablePrivilege {
    /// All eight, in rolegate's canonical order.
    pub const ALL: [TablePrivilege; 8] = [
        Self::Create,
        Self::Read,
        Self::Write,
        Self::Delete,
        Self::Append,
        Self::AppendTo,
        Self::Assign,
        Self::Share,
    ];

    /// How many table privileges there are.
    pub const COUNT: usize = 8;

    /// Dense index, 0..8, in canonical order.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The privilege at a dense index.
    pub const fn from_index(index: usize) -> Option<Self> {
        if index < Self::COUNT {
            Some(Self::ALL[index])
        } else {
            None
        }
    }

    /// The canonical name (`"Write"`, never `"Update"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Create => "Create",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::Delete => "Delete",
            Self::Append => "Append",
            Self::AppendTo => "AppendTo",
            Self::Assign => "Assign",
            Self::Share => "Share",
        }
    }

    /// The Dataverse `AccessRights` bit of this privilege.
    pub const fn access_right(self) -> u32 {
        match self {
            Self::Read => 1,
            Self::Write => 2,
            Self::Append => 4,
            Self::AppendTo => 16,
            Self::Create => 32,
            Self::Delete => 65536,
            Self::Share => 262_144,
            Self::Assign => 524_288,
        }
    }

    /// The Dataverse `AccessRights` member name (`"WriteAccess"`).
    pub const fn access_right_name(self) -> &'static str {
        match self {
            Self::Create => "CreateAccess",
            Self::Read => "ReadAccess",
            Self::Write => "WriteAccess",
            Self::Delete => "DeleteAccess",
            Self::Append => "AppendAccess",
            Self::AppendTo => "AppendToAccess",
            Self::Assign => "AssignAccess",
            Self::Share => "ShareAccess",
        }
    }

    /// Parses a privilege name, case-insensitively; `Update` means `Write`.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
            .or_else(|| name.eq_ignore_ascii_case("update").then_some(Self::Write))
    }

    /// Parses a Dataverse `AccessRights` member name (`"WriteAccess"`).
    pub fn from_access_right_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.access_right_name().eq_ignore_ascii_case(name.trim()))
    }

    /// Every spelling [`TablePrivilege::parse`] accepts, for suggestions.
    pub fn spellings() -> impl Iterator<Item = &'static str> {
        Self::ALL.into_iter().map(Self::name).chain(["Update"])
    }
}

impl fmt::Display for TablePrivilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a [`TablePrivilege`] or a [`crate::Depth`] from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{found}`; expected one of {expected}")]
pub struct ParseNameError {
    /// What was being parsed ("privilege", "depth").
    pub kind: &'static str,
    /// The text that did not parse.
    pub found: String,
    /// The accepted names, comma-separated.
    pub expected: String,
}

impl FromStr for TablePrivilege {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| ParseNameError {
            kind: "privilege",
            found: s.to_owned(),
            expected: Self::spellings().collect::<Vec<_>>().join(", "),
        })
    }
}

impl Serialize for TablePrivilege {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TablePrivilege {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(FromStrVisitor::new())
    }
}

/// Deserializes a name through its [`FromStr`] without copying the text first: a catalog file holds a privilege name
/// and a depth name per grant.
pub(crate) struct FromStrVisitor<T>(std::marker::PhantomData<T>);

impl<T> FromStrVisitor<T> {
    pub(crate) const fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T> serde::de::Visitor<'_> for FromStrVisitor<T>
where
    T: FromStr<Err = ParseNameError>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What `String::deserialize` says, which these impls used before.
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        text.parse().map_err(E::custom)
    }
}

/// A set of table privileges, as a bit mask indexed by [`TablePrivilege::index`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PrivilegeSet(u8);

impl PrivilegeSet {
    /// No privileges.
    pub const EMPTY: Self = Self(0);
    /// All eight privileges.
    pub const ALL: Self = Self(0xff);
    /// Create, Read, Write, Delete, Append and AppendTo: the privileges of a table without owners (no Assign, no Share).
    pub const WITHOUT_OWNER: Self = Self(0b0011_1111);

    /// Whether the set holds `privilege`.
    #[inline]
    pub const fn contains(self, privilege: TablePrivilege) -> bool {
        self.0 & (1 << privilege as u8) != 0
    }

    /// The set with `privilege` added.
    #[must_use]
    pub const fn with(self, privilege: TablePrivilege) -> Self {
        Self(self.0 | (1 << privilege as u8))
    }

    /// The privileges in either set.
    #[must_use]
    #[inline]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The privileges in the set, in canonical order.
    pub fn iter(self) -> impl Iterator<Item = TablePrivilege> {
        TablePrivilege::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<TablePrivilege> for PrivilegeSet {
    fn from_iter<I: IntoIterator<Item = TablePrivilege>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

/// Comma-separated privilege names.
pub fn list_privileges(set: PrivilegeSet) -> String {
    let names: Vec<&str> = set.iter().map(TablePrivilege::name).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_is_write_and_prints_as_write() {
        assert_eq!(TablePrivilege::parse("Update"), Some(TablePrivilege::Write));
        assert_eq!(TablePrivilege::parse("update"), Some(TablePrivilege::Write));
        assert_eq!(TablePrivilege::Write.to_string(), "Write");
    }

    #[test]
    fn access_rights_match_the_sdk_enum() {
        let bits: Vec<u32> = TablePrivilege::ALL
            .iter()
            .map(|p| p.access_right())
            .collect();
        assert_eq!(bits, [32, 1, 2, 65536, 4, 16, 524_288, 262_144]);
        assert_eq!(
            TablePrivilege::from_access_right_name("AppendToAccess"),
            Some(TablePrivilege::AppendTo)
        );
    }

    #[test]
    fn unknown_names_do_not_parse() {
        assert_eq!(TablePrivilege::parse("ApAppend"), None);
        let err = "Updatepend".parse::<TablePrivilege>().unwrap_err();
        assert!(err.to_string().contains("Updatepend"));
    }

    #[test]
    fn sets_without_owner_lack_assign_and_share() {
        let s = PrivilegeSet::WITHOUT_OWNER;
        assert!(s.contains(TablePrivilege::Read) && s.contains(TablePrivilege::AppendTo));
        assert!(!s.contains(TablePrivilege::Assign) && !s.contains(TablePrivilege::Share));
        assert_eq!(s.iter().count(), 6);
    }

    #[test]
    fn a_union_holds_the_privileges_of_both_sets() {
        let read: PrivilegeSet = [TablePrivilege::Read].into_iter().collect();
        let write: PrivilegeSet = [TablePrivilege::Write].into_iter().collect();
        let both = read.union(write);
        assert!(both.contains(TablePrivilege::Read) && both.contains(TablePrivilege::Write));
        assert_eq!(both.iter().count(), 2);
        assert_eq!(both.union(PrivilegeSet::EMPTY), both);
        assert_eq!(read.union(read), read);
    }
}
