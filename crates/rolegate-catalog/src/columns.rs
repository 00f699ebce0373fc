//! Column security: the rights a field security profile grants on a secured column, and the lookups of secured
//! columns that `#[requires(..., column = "...")]` and the runtime make.
//!
//! Dataverse's rules ("Column-level security to control access",
//! <https://learn.microsoft.com/en-us/power-platform/admin/field-level-security>): a secured column can be read,
//! set on create and updated only by the users and teams a field security profile grants it to; System
//! Administrator sees every column.

use std::fmt;

use crate::model::Catalog;
use crate::privilege::TablePrivilege;
use crate::requirement::{Field, Problem};
use crate::suggest::did_you_mean;

/// What a field security profile allows on a secured column: Read, Create (set it on a new record) or Update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ColumnRight {
    /// Read the column's value.
    Read,
    /// Set the column when the record is created.
    Create,
    /// Change the column on an existing record.
    Update,
}

impl ColumnRight {
    /// The three rights, in the order Dataverse lists them.
    pub const ALL: [Self; 3] = [Self::Read, Self::Create, Self::Update];

    /// The right's name: `Read`, `Create`, `Update`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Read => "Read",
            Self::Create => "Create",
            Self::Update => "Update",
        }
    }

    /// The right's bit in a mask of rights: Read 1, Create 2, Update 4.
    pub const fn bit(self) -> u8 {
        match self {
            Self::Read => 1,
            Self::Create => 2,
            Self::Update => 4,
        }
    }

    /// The table privilege a request using this right also needs: Read, Create, Write.
    pub const fn table_privilege(self) -> TablePrivilege {
        match self {
            Self::Read => TablePrivilege::Read,
            Self::Create => TablePrivilege::Create,
            Self::Update => TablePrivilege::Write,
        }
    }

    /// The right a table privilege asks of a column: Read, Create, and Write (Update); `None` for the others, which
    /// are not about a column's value.
    pub const fn of_privilege(privilege: TablePrivilege) -> Option<Self> {
        match privilege {
            TablePrivilege::Read => Some(Self::Read),
            TablePrivilege::Create => Some(Self::Create),
            TablePrivilege::Write => Some(Self::Update),
            _ => None,
        }
    }
}

impl fmt::Display for ColumnRight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Catalog {
    /// The number of secured columns over all tables: the length of a mask indexed by
    /// [`secured_column_index`](Self::secured_column_index).
    pub fn secured_column_count(&self) -> usize {
        self.column_offsets.last().copied().unwrap_or(0) as usize
    }

    /// A secured column's position among all the catalog's secured columns (tables in order, each table's columns
    /// in order); `None` for an unknown table or a column that is not secured.
    pub fn secured_column_index(&self, table: &str, column: &str) -> Option<usize> {
        let id = self.table_id(table)?;
        let at = self.table_by_id(id).secured_column(column)?;
        Some(self.column_offsets[id.index()] as usize + at)
    }

    /// Where the secured columns of a table (by position in [`tables`](Self::tables)) start among all of them.
    pub fn secured_column_offset(&self, table: usize) -> usize {
        self.column_offsets.get(table).copied().unwrap_or(0) as usize
    }

    /// Checks a column named in a requirement: the table must exist and the column be one of its secured columns.
    /// Returns the column's logical name.
    pub fn resolve_secured_column(&self, table: &str, column: &str) -> Result<&str, Problem> {
        let problem = |message: String, help: Option<String>| Problem {
            field: Field::Column,
            message,
            help,
            missing: false,
        };
        let Some(t) = self.table(table) else {
            return Err(problem(format!("unknown table `{table}`"), None));
        };
        if let Some(at) = t.secured_column(column) {
            return Ok(&t.secured_columns[at]);
        }
        if t.secured_columns.is_empty() {
            return Err(problem(
                format!(
                    "table `{}` has no secured column, so `{column}` is not one",
                    t.name
                ),
                Some(format!(
                    "an unsecured column follows the table privilege alone: remove `column = ...`, or add \
                     `secured_columns = [\"{column}\"]` to the `{}` table in the catalog",
                    t.name
                )),
            ));
        }
        let list = t
            .secured_columns
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let help = did_you_mean(column, t.secured_columns.iter().map(String::as_str))
            .unwrap_or_else(|| {
                format!(
                    "its secured columns are {list}; an unsecured column follows the table privilege alone: remove \
                     `column = ...`"
                )
            });
        Err(problem(
            format!("`{column}` is not a secured column of table `{}`", t.name),
            Some(help),
        ))
    }
}
