//! Requirements (`Write` on `msdyn_liveworkstream` at `Global`), resolved and checked against a catalog.
//!
//! The macro and the command-line tool resolve requirements here, so both say the same thing about the same mistake.

use std::borrow::Cow;
use std::fmt;

use crate::depth::Depth;
use crate::file::Ownership;
use crate::model::{Catalog, Role, Table};
use crate::privilege::{TablePrivilege, list_privileges};
use crate::suggest::did_you_mean;

/// A resolved requirement: names are the catalog's own spellings.
// repr(u8): the tag is a byte the compiler can test, so the drop glue of a `Result<(), Denied>` that holds a
// requirement is one byte compare when the result is `Ok` (measured on the allowed #[requires] call). A variant of a
// repr(u8) enum is laid out in the order its fields are declared, so the two one-byte fields come before the table:
// beside the tag, in the padding before the name (32 bytes, not 40).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Requirement {
    /// A table privilege at a minimum depth (`None`: at any depth).
    Table {
        /// The privilege.
        privilege: TablePrivilege,
        /// The minimum depth, or any.
        depth: Option<Depth>,
        /// The table's logical name (borrowed for the `'static` names of `#[requires]` call sites, so a denial there
        /// allocates nothing).
        table: Cow<'static, str>,
    },
    /// A miscellaneous privilege.
    Misc {
        /// Its `prv...` name.
        name: Cow<'static, str>,
    },
    /// A capability.
    Capability {
        /// Its id.
        id: Cow<'static, str>,
    },
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Table {
                privilege,
                table,
                depth: Some(d),
            } => write!(f, "{privilege} on {table} at {d}"),
            Self::Table {
                privilege,
                table,
                depth: None,
            } => write!(f, "{privilege} on {table}"),
            Self::Misc { name } => write!(f, "{name}"),
            Self::Capability { id } => write!(f, "capability {id}"),
        }
    }
}

/// Which part of a requirement a problem is about (the macro spans its error there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The privilege.
    Privilege,
    /// The table.
    Table,
    /// The depth.
    Depth,
    /// The capability.
    Capability,
    /// The secured column.
    Column,
}

/// A mistake in a requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the mistake is.
    pub field: Field,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The mistake is something left out (a table privilege without a table), not something written wrong.
    pub missing: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

fn problem(field: Field, message: String, help: Option<String>) -> Problem {
    Problem {
        field,
        message,
        help,
        missing: false,
    }
}

/// A depth to require, or the problem (with the nearest spelling) pushed.
fn parse_depth(text: &str, problems: &mut Vec<Problem>) -> Option<Depth> {
    if text.trim().eq_ignore_ascii_case("none") {
        problems.push(problem(
            Field::Depth,
            "`None` is not a depth to require".to_owned(),
            Some("leave `depth` out to require the privilege at any depth".to_owned()),
        ));
        return None;
    }
    let parsed = Depth::parse(text);
    if parsed.is_none() {
        let help = did_you_mean(text, Depth::spellings()).or_else(|| {
            Some(
                "depths are Basic, Local, Deep, Global (or User, Business Unit, Parent: Child Business Units, \
                 Organization)"
                    .to_owned(),
            )
        });
        problems.push(problem(
            Field::Depth,
            format!("unknown depth `{text}`"),
            help,
        ));
    }
    parsed
}

/// Whether a privilege name is a table privilege, a miscellaneous one, or neither.
enum PrivilegeKind<'a> {
    Table(TablePrivilege),
    Misc(&'a str),
}

impl Catalog {
    /// Resolves a requirement given as text, reporting every mistake at once.
    ///
    /// `privilege` is a table privilege (`Update` is `Write`) or a miscellaneous privilege (`prvPublishCustomization`);
    /// a table privilege needs `table`, a miscellaneous one takes neither table nor depth.
    pub fn resolve(
        &self,
        privilege: &str,
        table: Option<&str>,
        depth: Option<&str>,
    ) -> Result<Requirement, Vec<Problem>> {
        let mut problems = Vec::new();
        let kind = if let Some(p) = TablePrivilege::parse(privilege) {
            Some(PrivilegeKind::Table(p))
        } else if let Some(m) = self.misc(privilege) {
            Some(PrivilegeKind::Misc(&m.name))
        } else {
            let mut candidates: Vec<&str> = TablePrivilege::spellings().collect();
            candidates.extend(self.misc_privileges().iter().map(|m| m.name.as_str()));
            let help = did_you_mean(privilege, candidates).or_else(|| {
                Some(
                    "table privileges are Create, Read, Write (or Update), Delete, Append, AppendTo, Assign, Share; \
                     miscellaneous privileges start with `prv`"
                        .to_owned(),
                )
            });
            problems.push(problem(
                Field::Privilege,
                format!("unknown privilege `{privilege}`"),
                help,
            ));
            None
        };
        let parsed_depth = depth.and_then(|text| parse_depth(text, &mut problems));
        let resolved_table = table.and_then(|name| self.resolve_table(name, &mut problems));
        match kind {
            Some(PrivilegeKind::Misc(name)) => {
                if table.is_some() {
                    problems.push(problem(
                        Field::Table,
                        format!("`{name}` is a miscellaneous privilege and takes no table"),
                        Some("remove `table = ...`".to_owned()),
                    ));
                }
                if depth.is_some() {
                    problems.push(problem(
                        Field::Depth,
                        format!(
                            "`{name}` is a miscellaneous privilege, held or not, and takes no depth"
                        ),
                        Some("remove `depth = ...`".to_owned()),
                    ));
                }
                if problems.is_empty() {
                    return Ok(Requirement::Misc {
                        name: name.to_owned().into(),
                    });
                }
            }
            Some(PrivilegeKind::Table(privilege)) => {
                if table.is_none() {
                    problems.push(Problem {
                        missing: true,
                        ..problem(
                            Field::Privilege,
                            format!("{privilege} is a table privilege and needs a table"),
                            Some("add `table = \"<logical name>\"`".to_owned()),
                        )
                    });
                }
                if let Some(t) = resolved_table {
                    let allowed = t.allowed_depths(privilege);
                    if allowed.is_empty() {
                        let why = match t.ownership {
                            Ownership::Organization => "is organization-owned and ".to_owned(),
                            Ownership::Business => "is business-owned and ".to_owned(),
                            Ownership::UserOrTeam => String::new(),
                        };
                        problems.push(problem(
                            Field::Privilege,
                            format!("`{}` {why}has no {privilege} privilege", t.name),
                            Some(format!(
                                "the privileges of `{}` are {}",
                                t.name,
                                list_privileges(t.privileges)
                            )),
                        ));
                    } else if let Some(d) = parsed_depth
                        && !allowed.contains(d)
                    {
                        let why = match t.ownership {
                            Ownership::Organization => {
                                format!("`{}` is organization-owned: ", t.name)
                            }
                            Ownership::Business => format!("`{}` is business-owned: ", t.name),
                            Ownership::UserOrTeam => format!("on `{}`, ", t.name),
                        };
                        let fix = match allowed.at_least(d) {
                            Some(up) => format!("require `depth = \"{up}\"`, or leave `depth` out"),
                            None => format!("{privilege} on `{}` can be {allowed}", t.name),
                        };
                        problems.push(problem(
                            Field::Depth,
                            format!("{why}{privilege} can only be {allowed}, never {d}"),
                            Some(fix),
                        ));
                    }
                    if problems.is_empty() {
                        return Ok(Requirement::Table {
                            privilege,
                            table: t.name.clone().into(),
                            depth: parsed_depth,
                        });
                    }
                }
            }
            None => {}
        }
        Err(problems)
    }

    /// Resolves a capability by id or text.
    pub fn resolve_capability(&self, name: &str) -> Result<Requirement, Problem> {
        match self.capability(name) {
            Some(c) => Ok(Requirement::Capability {
                id: c.id.clone().into(),
            }),
            None => {
                let candidates = self
                    .capabilities()
                    .iter()
                    .flat_map(|c| [c.id.as_str(), c.text.as_str()]);
                Err(problem(
                    Field::Capability,
                    format!("unknown capability `{name}`"),
                    did_you_mean(name, candidates),
                ))
            }
        }
    }

    /// The mistakes in a table and a depth on their own, for a requirement whose privilege is unknown or was not
    /// given: every mistake [`resolve`](Self::resolve) reports about either of them alone.
    pub fn check_parts(&self, table: Option<&str>, depth: Option<&str>) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(text) = depth {
            parse_depth(text, &mut problems);
        }
        if let Some(name) = table {
            self.resolve_table(name, &mut problems);
        }
        problems
    }

    /// A table by any of its names, or the problem (with the nearest name) pushed.
    fn resolve_table(&self, name: &str, problems: &mut Vec<Problem>) -> Option<&Table> {
        let found = self.table(name);
        if found.is_none() {
            problems.push(problem(
                Field::Table,
                format!("unknown table `{name}`"),
                did_you_mean(name, self.all_table_names()),
            ));
        }
        found
    }

    /// What `role` holds towards `requirement`: for a table privilege, the depth granted (`Some` even when too low);
    /// for a switch (misc, capability), `Some(Depth::Global)` when held.
    pub fn held_by(&self, role: &Role, requirement: &Requirement) -> Option<Depth> {
        match requirement {
            Requirement::Table {
                privilege, table, ..
            } => self.role_depth(role, table, *privilege),
            Requirement::Misc { name } => self.role_holds_misc(role, name).then_some(Depth::Global),
            Requirement::Capability { id } => self
                .role_holds_capability(role, id)
                .then_some(Depth::Global),
        }
    }

    /// Whether `role` alone satisfies `requirement`.
    pub fn satisfies(&self, role: &Role, requirement: &Requirement) -> bool {
        let min = match requirement {
            Requirement::Table { depth, .. } => depth.unwrap_or(Depth::Basic),
            _ => Depth::Basic,
        };
        self.held_by(role, requirement).is_some_and(|d| d >= min)
    }

    /// The roles that satisfy `requirement`, with what each holds.
    pub fn roles_satisfying<'a>(
        &'a self,
        requirement: &'a Requirement,
    ) -> impl Iterator<Item = (&'a Role, Depth)> {
        self.roles()
            .iter()
            .filter(move |r| self.satisfies(r, requirement))
            .map(move |r| (r, self.held_by(r, requirement).unwrap_or(Depth::Global)))
    }

    /// The role that comes closest to `requirement` without meeting it: the highest depth held below the one required.
    pub fn closest_role<'a>(&'a self, requirement: &Requirement) -> Option<(&'a Role, Depth)> {
        self.roles()
            .iter()
            .filter_map(|r| self.held_by(r, requirement).map(|d| (r, d)))
            .max_by_key(|(_, d)| *d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::Syntax;

    fn small() -> Catalog {
        let text = r#"
            [[misc]]
            name = "prvPublishCustomization"

            [[table]]
            name = "msdyn_liveworkstream"
            display = "Workstream"
            ownership = "user-or-team"

            [[table]]
            name = "msdyn_presence"
            display = "Presence"
            ownership = "organization"

            [[capability]]
            id = "view-quick-replies"
            text = "Can view quick replies"

            [[role]]
            name = "Supervisor"
            capabilities = ["view-quick-replies"]
            [role.grants]
            msdyn_liveworkstream = { Write = "Local" }
        "#;
        Catalog::from_str_named(text, "small.toml", Syntax::Toml).unwrap()
    }

    #[test]
    fn a_requirement_is_its_name_and_one_word() {
        assert_eq!(
            std::mem::size_of::<Requirement>(),
            std::mem::size_of::<Cow<'static, str>>() + 8
        );
    }

    #[test]
    fn a_table_and_a_depth_are_checked_on_their_own_as_resolve_checks_them() {
        let c = small();
        let alone = c.check_parts(Some("msdyn_livworkstream"), Some("Globl"));
        let with_privilege = c
            .resolve("Write", Some("msdyn_livworkstream"), Some("Globl"))
            .unwrap_err();
        assert_eq!(alone, with_privilege);
        assert_eq!(
            alone.iter().map(|p| p.field).collect::<Vec<_>>(),
            [Field::Depth, Field::Table]
        );
        assert!(c.check_parts(Some("Workstream"), Some("Local")).is_empty());
        assert!(c.check_parts(None, None).is_empty());
    }

    #[test]
    fn resolves_update_by_display_name() {
        let c = small();
        let r = c
            .resolve("Update", Some("Workstream"), Some("Organization"))
            .unwrap();
        assert_eq!(
            r,
            Requirement::Table {
                privilege: TablePrivilege::Write,
                table: "msdyn_liveworkstream".into(),
                depth: Some(Depth::Global)
            }
        );
        assert_eq!(r.to_string(), "Write on msdyn_liveworkstream at Global");
    }

    #[test]
    fn reports_every_mistake_with_suggestions() {
        let c = small();
        let problems = c
            .resolve("Updte", Some("msdyn_livworkstream"), Some("Globl"))
            .unwrap_err();
        let fields: Vec<Field> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, [Field::Privilege, Field::Depth, Field::Table]);
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `Update`?"));
        assert_eq!(problems[1].help.as_deref(), Some("did you mean `Global`?"));
        assert_eq!(
            problems[2].help.as_deref(),
            Some("did you mean `msdyn_liveworkstream`?")
        );
    }

    #[test]
    fn organization_owned_tables_refuse_assign_and_local() {
        let c = small();
        let assign = c
            .resolve("Assign", Some("msdyn_presence"), None)
            .unwrap_err();
        assert_eq!(assign[0].field, Field::Privilege);
        assert!(
            assign[0].message.contains("organization-owned"),
            "{}",
            assign[0].message
        );
        let local = c
            .resolve("Read", Some("msdyn_presence"), Some("Local"))
            .unwrap_err();
        assert_eq!(local[0].field, Field::Depth);
        assert_eq!(
            local[0].help.as_deref(),
            Some("require `depth = \"Global\"`, or leave `depth` out")
        );
    }

    #[test]
    fn misc_privileges_take_no_table_and_table_privileges_need_one() {
        let c = small();
        assert_eq!(
            c.resolve("prvpublishcustomization", None, None).unwrap(),
            Requirement::Misc {
                name: "prvPublishCustomization".into()
            }
        );
        let with_table = c
            .resolve("prvPublishCustomization", Some("msdyn_presence"), None)
            .unwrap_err();
        assert_eq!(with_table[0].field, Field::Table);
        let no_table = c.resolve("Read", None, None).unwrap_err();
        assert_eq!(no_table[0].field, Field::Privilege);
    }

    #[test]
    fn closest_role_is_the_best_depth_below_the_requirement() {
        let c = small();
        let r = c
            .resolve("Write", Some("msdyn_liveworkstream"), Some("Global"))
            .unwrap();
        assert_eq!(c.roles_satisfying(&r).count(), 0);
        let (role, depth) = c.closest_role(&r).unwrap();
        assert_eq!((role.name.as_str(), depth), ("Supervisor", Depth::Local));
        let cap = c.resolve_capability("view quick replies").unwrap();
        assert_eq!(c.roles_satisfying(&cap).count(), 1);
    }
}
