//! Names: privilege names (`prvWritemsdyn_liveworkstream`), table tokens to logical names, ownership inference.

use std::collections::BTreeMap;

use rolegate_catalog::{
    Catalog, Depth, MiscEntry, Ownership, OwnershipBasis, TableEntry, TablePrivilege, misc_entry,
    same_name,
};

/// The verbs of table privilege names, longest first where one is a prefix of another.
const VERBS: [(&str, TablePrivilege); 8] = [
    ("AppendTo", TablePrivilege::AppendTo),
    ("Append", TablePrivilege::Append),
    ("Create", TablePrivilege::Create),
    ("Read", TablePrivilege::Read),
    ("Write", TablePrivilege::Write),
    ("Delete", TablePrivilege::Delete),
    ("Assign", TablePrivilege::Assign),
    ("Share", TablePrivilege::Share),
];

/// Privilege-name tokens that are not the table's logical name.
const SPECIAL_TOKENS: [(&str, &str); 3] = [
    ("activity", "activitypointer"),
    ("user", "systemuser"),
    ("query", "savedquery"),
];

/// The `[[misc]]` entries of the named miscellaneous privileges, as the built-in catalog has them (names it does not
/// know are left out; the importers report those).
pub(crate) fn builtin_misc_entries<'a>(
    builtin: &Catalog,
    names: impl IntoIterator<Item = &'a String>,
) -> Vec<MiscEntry> {
    names
        .into_iter()
        .filter_map(|m| builtin.misc(m))
        .map(misc_entry)
        .collect()
}

/// Every way a `prv` name splits into a table-privilege verb and a table token (at most two: `AppendTo`/`Append`).
pub(crate) fn split_privilege_name(name: &str) -> Vec<(TablePrivilege, &str)> {
    let Some(rest) = name.strip_prefix("prv") else {
        return Vec::new();
    };
    VERBS
        .iter()
        .filter_map(|(verb, p)| {
            rest.strip_prefix(verb)
                .filter(|t| !t.is_empty())
                .map(|t| (*p, t))
        })
        .collect()
}

/// Whether `name` is written as a logical name: lower-case ASCII letters, digits and `_`.
pub(crate) fn is_logical(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// How a table token was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mapping {
    /// Already a logical name.
    Logical,
    /// A schema name: the logical name is its lower case.
    Schema,
    /// A privilege-name token of another table (`User` is systemuser).
    Special,
    /// A schema name or alias of a table in the built-in catalog.
    Builtin,
}

/// A table token mapped to a logical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapped {
    pub logical: String,
    /// The token, when it is a schema-cased spelling of the logical name.
    pub schema: Option<String>,
    pub how: Mapping,
}

/// Maps a table token (schema name, logical name, privilege-name token) to a logical name; `None` if it cannot be one.
pub(crate) fn map_token(token: &str, builtin: Option<&Catalog>) -> Option<Mapped> {
    let lower = token.to_ascii_lowercase();
    if let Some((_, logical)) = SPECIAL_TOKENS.iter().find(|(t, _)| *t == lower) {
        return Some(Mapped {
            logical: (*logical).to_owned(),
            schema: None,
            how: Mapping::Special,
        });
    }
    if let Some(table) = builtin.and_then(|c| builtin_table(c, token)) {
        let how = if table.name == lower {
            if token == lower {
                Mapping::Logical
            } else {
                Mapping::Schema
            }
        } else {
            Mapping::Builtin
        };
        let schema = (how == Mapping::Schema).then(|| token.to_owned());
        return Some(Mapped {
            logical: table.name.clone(),
            schema,
            how,
        });
    }
    if !is_logical(&lower) {
        return None;
    }
    let how = if token == lower {
        Mapping::Logical
    } else {
        Mapping::Schema
    };
    let schema = (how == Mapping::Schema).then(|| token.to_owned());
    Some(Mapped {
        logical: lower,
        schema,
        how,
    })
}

/// A table of the built-in catalog by logical name, schema name or alias (never by display name, which is prose).
pub(crate) fn builtin_table<'c>(
    catalog: &'c Catalog,
    token: &str,
) -> Option<&'c rolegate_catalog::Table> {
    catalog.table(token).filter(|t| {
        same_name(&t.name, token)
            || t.schema.as_deref().is_some_and(|s| same_name(s, token))
            || t.aliases.iter().any(|a| same_name(a, token))
    })
}

/// The ownership a table gets from the grants a role file gives it: user-or-team if Assign or Share appears or any
/// depth is below Global, organization otherwise.
pub(crate) fn infer_ownership<'a>(
    grants: impl IntoIterator<Item = (&'a TablePrivilege, &'a Depth)>,
) -> Ownership {
    let owned = grants.into_iter().any(|(p, d)| {
        matches!(p, TablePrivilege::Assign | TablePrivilege::Share) || *d < Depth::Global
    });
    if owned {
        Ownership::UserOrTeam
    } else {
        Ownership::Organization
    }
}

/// A `[[table]]` entry whose ownership is inferred from grants.
pub(crate) fn inferred_table(
    name: &str,
    schema: Option<String>,
    grants: &BTreeMap<TablePrivilege, Depth>,
    source: String,
) -> TableEntry {
    TableEntry {
        schema,
        ownership_basis: OwnershipBasis::Inferred,
        source: Some(source),
        ..TableEntry::new(name, infer_ownership(grants))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_to_is_tried_before_append() {
        let split = split_privilege_name("prvAppendTomsdyn_dataflow");
        assert_eq!(split[0], (TablePrivilege::AppendTo, "msdyn_dataflow"));
        assert_eq!(split[1], (TablePrivilege::Append, "Tomsdyn_dataflow"));
        assert_eq!(
            split_privilege_name("prvAppendflowsession"),
            vec![(TablePrivilege::Append, "flowsession")]
        );
        assert!(split_privilege_name("prvFlow").is_empty());
        assert!(split_privilege_name("prvRead").is_empty());
    }

    #[test]
    fn tokens_map_to_logical_names() {
        let b = Catalog::builtin();
        assert_eq!(map_token("User", Some(b)).unwrap().logical, "systemuser");
        assert_eq!(
            map_token("Activity", None).unwrap().logical,
            "activitypointer"
        );
        let m = map_token("SavedQueryVisualizations", Some(b)).unwrap();
        assert_eq!(
            (m.logical.as_str(), m.how),
            ("savedqueryvisualization", Mapping::Builtin)
        );
        let m = map_token("autocoe_AutomationProject", Some(b)).unwrap();
        assert_eq!(m.logical, "autocoe_automationproject");
        assert_eq!(m.schema.as_deref(), Some("autocoe_AutomationProject"));
        // A display name is not a privilege token: "channel" is msdyn_channel's display name, not its logical name.
        assert_eq!(map_token("Channel", Some(b)).unwrap().logical, "channel");
        assert!(map_token("Not a name", Some(b)).is_none());
    }
}
