//! Names: privilege names (`prvWritemsdyn_liveworkstream`), table tokens to logical names, ownership inference.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rolegate_catalog::{
    Catalog, Depth, MiscEntry, Ownership, OwnershipBasis, TableEntry, TablePrivilege, misc_entry,
    same_name,
};
use serde::Deserialize;

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

/// The privilege-name tokens that are not their table's logical name, each with the page that documents it.
const PRIVILEGE_TOKENS_TOML: &str = include_str!("../data/privilege-tokens.toml");

/// `data/privilege-tokens.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivilegeTokens {
    token: Vec<IrregularToken>,
}

/// A privilege-name token that is not its table's logical name (`Note` names `annotation`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IrregularToken {
    /// The token as privilege names spell it.
    pub token: String,
    /// The table's logical name.
    pub table: String,
    /// The documentation page that lists the table's privileges by this token.
    pub source: String,
}

/// The irregular privilege-name tokens, read once from the data file compiled into the crate.
pub(crate) fn irregular_tokens() -> &'static [IrregularToken] {
    static TOKENS: OnceLock<Vec<IrregularToken>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        toml::from_str::<PrivilegeTokens>(PRIVILEGE_TOKENS_TOML)
            .map(|file| file.token)
            // The file is part of the crate, and a unit test reads it: not input that can be bad at run time.
            .unwrap_or_else(|e| panic!("data/privilege-tokens.toml: {e}"))
    })
}

/// The irregular token `token` (case-insensitively), if it is one.
pub(crate) fn irregular_token(token: &str) -> Option<&'static IrregularToken> {
    irregular_tokens()
        .iter()
        .find(|t| t.token.eq_ignore_ascii_case(token))
}

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

/// Every way a `prv` name splits into a table-privilege verb (in any case: `prvAppendtoCategory`) and a table token,
/// `AppendTo` before `Append` (at most two).
pub(crate) fn split_privilege_name(name: &str) -> Vec<(TablePrivilege, &str)> {
    let Some(rest) = name.strip_prefix("prv") else {
        return Vec::new();
    };
    VERBS
        .iter()
        .filter_map(|(verb, p)| {
            let head = rest.get(..verb.len())?;
            let token = &rest[verb.len()..];
            (head.eq_ignore_ascii_case(verb) && !token.is_empty()).then_some((*p, token))
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
    /// For an irregular token, the page that documents it.
    pub source: Option<&'static str>,
}

/// Maps a table token (schema name, logical name, privilege-name token) to a logical name; `None` if it cannot be one.
pub(crate) fn map_token(token: &str, builtin: Option<&Catalog>) -> Option<Mapped> {
    let lower = token.to_ascii_lowercase();
    if let Some(irregular) = irregular_token(token) {
        return Some(Mapped {
            logical: irregular.table.clone(),
            schema: None,
            how: Mapping::Special,
            source: Some(irregular.source.as_str()),
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
            source: None,
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
        source: None,
    })
}

/// The table the token of a privilege name names: an irregular token, a table of the built-in catalog (by logical name,
/// schema name or alias), or a custom table (see [`looks_custom`]); `None` for any other token, which is no table.
pub(crate) fn privilege_table(token: &str, builtin: &Catalog) -> Option<Mapped> {
    let names_table = irregular_token(token).is_some()
        || builtin_table(builtin, token).is_some()
        || looks_custom(token);
    if names_table {
        map_token(token, Some(builtin))
    } else {
        None
    }
}

/// Whether a token is written as a custom table's name: a publisher prefix, `_`, then the name (`contoso_Invoice`).
pub(crate) fn looks_custom(token: &str) -> bool {
    is_logical(&token.to_ascii_lowercase())
        && token
            .split_once('_')
            .is_some_and(|(prefix, name)| !prefix.is_empty() && !name.is_empty())
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
        assert_eq!(
            split_privilege_name("prvAppendtoCategory"),
            vec![
                (TablePrivilege::AppendTo, "Category"),
                (TablePrivilege::Append, "toCategory")
            ],
            "verbs in any case"
        );
        assert_eq!(
            split_privilege_name("prvREADaccount"),
            vec![(TablePrivilege::Read, "account")]
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
            ("savedqueryvisualization", Mapping::Special)
        );
        let m = map_token("autocoe_AutomationProject", Some(b)).unwrap();
        assert_eq!(m.logical, "autocoe_automationproject");
        assert_eq!(m.schema.as_deref(), Some("autocoe_AutomationProject"));
        // A display name is not a privilege token: "channel" is msdyn_channel's display name, not its logical name.
        assert_eq!(map_token("Channel", Some(b)).unwrap().logical, "channel");
        assert!(map_token("Not a name", Some(b)).is_none());
    }

    #[test]
    fn every_irregular_token_has_a_documentation_page_and_a_logical_name() {
        let tokens = irregular_tokens();
        assert!(tokens.len() >= 10);
        for t in tokens {
            assert!(
                t.source.starts_with("https://learn.microsoft.com/"),
                "{}: {}",
                t.token,
                t.source
            );
            assert!(is_logical(&t.table), "{}", t.table);
            assert_ne!(
                t.token.to_ascii_lowercase(),
                t.table,
                "{} is regular",
                t.token
            );
        }
    }

    #[test]
    fn privilege_tokens_name_tables_only_when_known_irregular_or_custom() {
        let b = Catalog::builtin();
        let logical = |token: &str| privilege_table(token, b).map(|m| m.logical);
        assert_eq!(logical("Note").as_deref(), Some("annotation"));
        assert_eq!(logical("EmailTemplate").as_deref(), Some("template"));
        assert_eq!(logical("Article").as_deref(), Some("kbarticle"));
        assert_eq!(
            logical("ArticleTemplate").as_deref(),
            Some("kbarticletemplate")
        );
        assert_eq!(
            logical("UserQueryVisualizations").as_deref(),
            Some("userqueryvisualization")
        );
        assert_eq!(logical("savedquery").as_deref(), Some("savedquery"));
        assert_eq!(
            logical("contoso_Invoice").as_deref(),
            Some("contoso_invoice")
        );
        for misc in [
            "OwnCalendar",
            "BusinessClosureCalendar",
            "AnyPost",
            "OrgEmailTemplates",
            "SqlEncryptionKey",
            "_Invoice",
            "contoso_",
        ] {
            assert_eq!(logical(misc), None, "{misc}");
        }
    }
}
