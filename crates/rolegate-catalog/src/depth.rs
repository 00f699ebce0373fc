//! Access levels (depths) and sets of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::privilege::ParseNameError;

/// How far a privilege reaches: Basic < Local < Deep < Global. Each level includes those below it.
///
/// "None" is not a depth: a privilege that is not held is `Option::<Depth>::None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Depth {
    /// User: records the principal owns, or that are shared with it ("User" in the UI).
    Basic = 1,
    /// Business unit: records in the principal's business unit ("Business Unit").
    Local = 2,
    /// Parent: child business units: the principal's business unit and every one below it.
    Deep = 3,
    /// Organization: every record.
    Global = 4,
}

impl Depth {
    /// All four, from lowest to highest.
    pub const ALL: [Depth; 4] = [Self::Basic, Self::Local, Self::Deep, Self::Global];

    /// The canonical name (`"Global"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Basic => "Basic",
            Self::Local => "Local",
            Self::Deep => "Deep",
            Self::Global => "Global",
        }
    }

    /// The name the security-role editor shows (`"Organization"`).
    pub const fn ui_name(self) -> &'static str {
        match self {
            Self::Basic => "User",
            Self::Local => "Business Unit",
            Self::Deep => "Parent: Child Business Units",
            Self::Global => "Organization",
        }
    }

    /// The rank stored in dense tables: 1 (Basic) to 4 (Global); 0 stands for "not held".
    #[inline]
    pub const fn rank(self) -> u8 {
        self as u8
    }

    /// The depth of a rank from [`Depth::rank`]; 0 and anything above 4 are `None`.
    #[inline]
    pub const fn from_rank(rank: u8) -> Option<Self> {
        match rank {
            1 => Some(Self::Basic),
            2 => Some(Self::Local),
            3 => Some(Self::Deep),
            4 => Some(Self::Global),
            _ => None,
        }
    }

    /// The stored privilege-depth mask (Basic 1, Local 2, Deep 4, Global 8).
    pub const fn mask(self) -> u8 {
        1 << (self as u8 - 1)
    }

    /// Parses a depth by its name or its UI alias, case-insensitively.
    ///
    /// Accepted: Basic/User, Local/Business Unit, Deep/Parent: Child Business Units, Global/Organization.
    pub fn parse(text: &str) -> Option<Self> {
        // The letters and digits, lower case; compared in place, so that parsing allocates nothing.
        let folded = text
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase());
        const SPELLINGS: [(&str, Depth); 10] = [
            ("basic", Depth::Basic),
            ("user", Depth::Basic),
            ("local", Depth::Local),
            ("businessunit", Depth::Local),
            ("deep", Depth::Deep),
            ("parentchildbusinessunits", Depth::Deep),
            ("parentchildbusinessunit", Depth::Deep),
            ("global", Depth::Global),
            ("organization", Depth::Global),
            ("organisation", Depth::Global),
        ];
        SPELLINGS
            .iter()
            .find(|(spelling, _)| folded.clone().eq(spelling.bytes()))
            .map(|&(_, depth)| depth)
    }

    /// Every spelling [`Depth::parse`] accepts, for suggestions.
    pub fn spellings() -> impl Iterator<Item = &'static str> {
        Self::ALL.into_iter().flat_map(|d| [d.name(), d.ui_name()])
    }
}

impl fmt::Display for Depth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Depth {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| ParseNameError {
            kind: "depth",
            found: s.to_owned(),
            expected: "Basic (User), Local (Business Unit), Deep (Parent: Child Business Units), Global (Organization)"
                .to_owned(),
        })
    }
}

impl Serialize for Depth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Depth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(crate::privilege::FromStrVisitor::new())
    }
}

/// A set of depths a privilege can take (the CanBeBasic/Local/Deep/Global flags), as a mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DepthSet(u8);

impl DepthSet {
    /// No depth: the privilege does not exist on the table.
    pub const EMPTY: Self = Self(0);
    /// Every depth: user-or-team-owned tables.
    pub const ALL: Self = Self(0b1111);
    /// Global only: organization-owned tables.
    pub const GLOBAL: Self = Self(0b1000);
    /// Local, Deep and Global: business-owned tables.
    pub const BUSINESS: Self = Self(0b1110);
    /// Basic only: personal tables such as saved personal views.
    pub const BASIC: Self = Self(0b0001);

    /// Whether `depth` is in the set.
    #[inline]
    pub const fn contains(self, depth: Depth) -> bool {
        self.0 & depth.mask() != 0
    }

    /// The set with `depth` added.
    #[must_use]
    pub const fn with(self, depth: Depth) -> Self {
        Self(self.0 | depth.mask())
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The depths in the set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = Depth> {
        Depth::ALL.into_iter().filter(move |d| self.contains(*d))
    }

    /// The highest depth in the set.
    pub fn max(self) -> Option<Depth> {
        self.iter().last()
    }

    /// The lowest depth in the set that is at least `depth`.
    pub fn at_least(self, depth: Depth) -> Option<Depth> {
        self.iter().find(|d| *d >= depth)
    }

    /// The raw mask (Basic 1, Local 2, Deep 4, Global 8).
    pub const fn bits(self) -> u8 {
        self.0
    }
}

impl FromIterator<Depth> for DepthSet {
    fn from_iter<I: IntoIterator<Item = Depth>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

impl fmt::Display for DepthSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Depth::name).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depths_are_ordered_and_include_those_below() {
        assert!(
            Depth::Basic < Depth::Local
                && Depth::Local < Depth::Deep
                && Depth::Deep < Depth::Global
        );
        assert_eq!(Depth::ALL.map(Depth::mask), [1, 2, 4, 8]);
    }

    #[test]
    fn ui_names_are_aliases() {
        assert_eq!(Depth::parse("Organization"), Some(Depth::Global));
        assert_eq!(Depth::parse("Business Unit"), Some(Depth::Local));
        assert_eq!(
            Depth::parse("Parent: Child Business Units"),
            Some(Depth::Deep)
        );
        assert_eq!(Depth::parse("user"), Some(Depth::Basic));
        assert_eq!(Depth::parse("None"), None);
        assert_eq!(Depth::parse("Globl"), None);
    }

    #[test]
    fn depth_sets_answer_the_lowest_allowed_depth() {
        assert_eq!(DepthSet::GLOBAL.at_least(Depth::Local), Some(Depth::Global));
        assert_eq!(
            DepthSet::BUSINESS.at_least(Depth::Basic),
            Some(Depth::Local)
        );
        assert!(!DepthSet::BUSINESS.contains(Depth::Basic));
        assert_eq!(DepthSet::ALL.to_string(), "Basic, Local, Deep, Global");
    }
}
