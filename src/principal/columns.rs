//! Column security: which secured columns a principal may read, set on create or update, decided apart from the
//! table-privilege check, which it never slows down.
//!
//! Dataverse's rules ("Column-level security to control access",
//! <https://learn.microsoft.com/en-us/power-platform/admin/field-level-security>): a secured column is readable,
//! creatable and updatable only by the principals a field security profile grants it to (through the users and
//! teams it is assigned to); System Administrator gets every column. A column the catalog does not list as secured
//! follows the table privilege alone.

use std::borrow::Cow;

use rolegate_catalog::{ColumnRight, Requirement, Table};

use crate::audit;
use crate::compiled::site::CallSite;
use crate::denied::{ColumnDenial, DenialReason, Denied};
use crate::principal::Principal;

/// Which columns of one table a principal may read, create or update: for redacting a record before it is returned,
/// or refusing the columns of a write. Built by [`Principal::columns`].
#[derive(Debug, Clone)]
pub struct ColumnAccess<'a> {
    table: Option<&'a Table>,
    right: ColumnRight,
    table_privilege: bool,
    /// Per secured column of the table, in catalog order: whether the right is granted.
    granted: Vec<bool>,
}

impl<'a> ColumnAccess<'a> {
    /// The right the columns were decided for.
    pub fn right(&self) -> ColumnRight {
        self.right
    }

    /// Whether the principal holds the table privilege the right needs (Read, Create or Write) at any depth; without
    /// it no column is allowed.
    pub fn table_privilege(&self) -> bool {
        self.table_privilege
    }

    /// Whether the principal may use the right on `column`: a secured column needs a grant, any other column
    /// only the table privilege.
    pub fn allows(&self, column: &str) -> bool {
        match self.table.and_then(|t| t.secured_column(column)) {
            Some(at) => self.table_privilege && self.granted[at],
            None => self.table_privilege,
        }
    }

    /// The table's secured columns the principal may use the right on.
    pub fn allowed(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.secured()
            .filter(|&(_, granted)| granted)
            .map(|(c, _)| c)
    }

    /// The table's secured columns the principal may not use the right on: the ones to redact. Every secured
    /// column when the table privilege is not held.
    pub fn denied(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.secured()
            .filter(|&(_, granted)| !granted)
            .map(|(c, _)| c)
    }

    fn secured(&self) -> impl Iterator<Item = (&'a str, bool)> + '_ {
        let columns = self.table.map_or(&[][..], |t| &t.secured_columns[..]);
        columns
            .iter()
            .zip(&self.granted)
            .map(|(c, &g)| (c.as_str(), g && self.table_privilege))
    }
}

impl Principal {
    /// Which secured columns of `table` the principal may use `right` on; every column is denied for a table the
    /// catalog does not know or whose table privilege (Read, Create or Write) the principal does not hold.
    ///
    /// ```
    /// use rolegate::{Authority, Catalog, ColumnRight};
    /// let catalog = Catalog::from_str_named(
    ///     "[[table]]\nname = \"account\"\nownership = \"user-or-team\"\nsecured_columns = [\"creditlimit\"]\n\
    ///      [[role]]\nname = \"Sales\"\n[role.grants]\naccount = { Read = \"Global\" }\n",
    ///     "catalog.toml",
    ///     rolegate::catalog::Syntax::Toml,
    /// )
    /// .unwrap();
    /// let authority = Authority::new(catalog);
    /// let seller = authority.principal("sam", ["Sales"]).unwrap();
    /// let read = seller.columns("account", ColumnRight::Read);
    /// assert!(read.allows("name"), "an unsecured column follows the table privilege");
    /// assert_eq!(read.denied().collect::<Vec<_>>(), ["creditlimit"], "no profile grants it");
    /// ```
    pub fn columns(&self, table: &str, right: ColumnRight) -> ColumnAccess<'_> {
        let catalog = self.authority.catalog();
        let id = catalog.table_id(table);
        let t = id.map(|id| catalog.table_by_id(id));
        let granted = match (id, t) {
            (Some(id), Some(t)) => {
                let offset = catalog.secured_column_offset(id.index());
                (0..t.secured_columns.len())
                    .map(|at| self.granted(offset + at, right))
                    .collect()
            }
            _ => Vec::new(),
        };
        ColumnAccess {
            table: t,
            right,
            table_privilege: t.is_some() && self.holds_table_privilege(table, right),
            granted,
        }
    }

    /// Whether the principal may use `right` on `column` of `table`: it holds the table privilege the right needs
    /// (Read, Create or Write) at any depth, and, for a secured column, a field security profile grants the right
    /// (or it holds a role that holds everything). Unsecured columns need the table privilege alone.
    pub fn can_column(&self, table: &str, column: &str, right: ColumnRight) -> bool {
        self.check_column(table, column, right).is_ok()
    }

    /// As [`can_column`](Self::can_column), with a denial saying what was missing: the table privilege, or the
    /// column right.
    pub fn check_column(
        &self,
        table: &str,
        column: &str,
        right: ColumnRight,
    ) -> Result<(), Denied> {
        let requirement = Requirement::Table {
            privilege: right.table_privilege(),
            table: Cow::Owned(table.to_owned()),
            depth: None,
        };
        self.check(&requirement)?;
        let catalog = self.authority.catalog();
        match catalog.secured_column_index(table, column) {
            Some(index) if !self.granted(index, right) => {
                let column = catalog
                    .table(table)
                    .and_then(|t| {
                        t.secured_column(column)
                            .map(|at| t.secured_columns[at].clone())
                    })
                    .unwrap_or_else(|| column.to_owned());
                Err(self.column_denial(
                    requirement,
                    None,
                    Cow::Owned(column),
                    right,
                    DenialReason::NoColumnGrant,
                ))
            }
            _ => Ok(()),
        }
    }

    /// The column check of a `#[requires(..., column = "...")]` call site, once its table check passed. A column
    /// the runtime catalog does not secure is denied: the site was checked against a catalog that did.
    pub(crate) fn check_column_site(
        &self,
        site: &'static CallSite,
        column: &'static str,
        right: ColumnRight,
    ) -> Result<(), Denied> {
        let requirement = site.requirement();
        let Requirement::Table { table, .. } = &requirement else {
            return Ok(());
        };
        let reason = match self.authority.catalog().secured_column_index(table, column) {
            Some(index) if self.granted(index, right) => return Ok(()),
            Some(_) => DenialReason::NoColumnGrant,
            None => DenialReason::Unknown,
        };
        Err(audit::denial(&self.id, true, || {
            self.column_denial(
                requirement.clone(),
                Some(site),
                Cow::Borrowed(column),
                right,
                reason,
            )
        }))
    }

    /// Whether the secured column at `index` (among the catalog's) is granted `right`.
    fn granted(&self, index: usize, right: ColumnRight) -> bool {
        self.holds_everything
            || self
                .columns
                .as_ref()
                .and_then(|c| c.get(index))
                .is_some_and(|&m| m & right.bit() != 0)
    }

    fn holds_table_privilege(&self, table: &str, right: ColumnRight) -> bool {
        self.authority
            .table_slot_index(right.table_privilege(), table)
            .is_some_and(|index| self.held_through(index).0.is_some())
    }

    fn column_denial(
        &self,
        requirement: Requirement,
        site: Option<&'static CallSite>,
        column: Cow<'static, str>,
        right: ColumnRight,
        reason: DenialReason,
    ) -> Denied {
        let (held, through) = self
            .authority
            .slot_index(&requirement)
            .map_or((None, None), |index| self.held_through(index));
        Denied {
            requirement,
            held,
            through,
            reason,
            site,
            record: None,
            column: Some(ColumnDenial { column, right }),
            any_of: None,
            version: self.version,
        }
    }
}
