//! An access filter as a SQL condition: the text, with every value a bind parameter.

use rolegate::Uuid;
use rolegate::record::{AccessFilter, Conditions, FilterDecision};

use crate::mapping::{Dialect, IdKind, SharesColumns, TableMapping};

/// The owner or grantee type code of a user: Dataverse's object type code of `systemuser`.
pub const USER_TYPE: i64 = 8;
/// The owner or grantee type code of a team: Dataverse's object type code of `team`.
pub const TEAM_TYPE: i64 = 9;
/// The grantee type code of a share to the whole organisation: Dataverse's object type code of `organization`.
pub const ORGANIZATION_TYPE: i64 = 1019;

/// A value bound to a parameter of a [`SqlFilter`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SqlValue {
    /// An integer (a type code, a rights bit, an integer id): `bigint` in PostgreSQL.
    Int(i64),
    /// Text: a table's logical name; in SQLite also a GUID (lower-case, hyphenated) and a list, as a JSON array.
    Text(String),
    /// A GUID (PostgreSQL: `uuid`).
    Uuid(Uuid),
    /// GUIDs (PostgreSQL: `uuid[]`).
    UuidList(Vec<Uuid>),
    /// Integers (PostgreSQL: `bigint[]`).
    IntList(Vec<i64>),
}

/// A SQL condition and its parameters: `sql` goes after `WHERE` (or `AND`), `params` are bound in order to the
/// placeholders it numbers (`$1`... for PostgreSQL, `?1`... for SQLite, from the first number asked for).
///
/// `TRUE` when every record passes, `FALSE` when none does, else a parenthesised disjunction over the table's
/// columns, qualified by its name or alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFilter {
    /// The condition.
    pub sql: String,
    /// The values of its placeholders, in order.
    pub params: Vec<SqlValue>,
}

impl SqlFilter {
    /// The filter as SQL for the mapped table, its placeholders numbered from 1.
    pub fn render(filter: &AccessFilter, mapping: &TableMapping) -> Self {
        Self::render_from(filter, mapping, 1)
    }

    /// The filter as SQL for the mapped table, its placeholders numbered from `first` (for a query whose own
    /// parameters come before it).
    pub fn render_from(filter: &AccessFilter, mapping: &TableMapping, first: usize) -> Self {
        let mut out = Numbered {
            dialect: mapping.dialect,
            next: first,
            filter: SqlFilter {
                sql: String::new(),
                params: Vec::new(),
            },
        };
        render(filter, mapping, &mut out);
        out.filter
    }
}

/// Where rendered SQL goes: text as it is, values as parameters.
pub(crate) trait Sink {
    /// SQL text.
    fn sql(&mut self, text: &str);
    /// A parameter for the value.
    fn param(&mut self, value: SqlValue);
}

/// A [`SqlFilter`] being written, numbering its placeholders.
struct Numbered {
    dialect: Dialect,
    next: usize,
    filter: SqlFilter,
}

impl Sink for Numbered {
    fn sql(&mut self, text: &str) {
        self.filter.sql.push_str(text);
    }

    fn param(&mut self, value: SqlValue) {
        let sigil = match self.dialect {
            Dialect::Postgres => '$',
            Dialect::Sqlite => '?',
        };
        self.filter.sql.push(sigil);
        self.filter.sql.push_str(&self.next.to_string());
        self.next += 1;
        self.filter.params.push(value);
    }
}

/// Writes the filter's condition for the mapped table into `out`.
pub(crate) fn render(filter: &AccessFilter, mapping: &TableMapping, out: &mut impl Sink) {
    match filter.decision() {
        FilterDecision::Always => out.sql("TRUE"),
        FilterDecision::Conditional(c) => conditional(filter, c, mapping, out),
        // Never, and anything a later rolegate adds that this crate does not know: denied by default.
        _ => out.sql("FALSE"),
    }
}

/// Ids of users, teams, units or records, as the database stores them.
pub(crate) enum Ids {
    Uuids(Vec<Uuid>),
    Ints(Vec<i64>),
}

impl Ids {
    fn is_empty(&self) -> bool {
        match self {
            Self::Uuids(ids) => ids.is_empty(),
            Self::Ints(ids) => ids.is_empty(),
        }
    }
}

/// The disjunction of the conditions that apply, or `FALSE` when none does.
fn conditional(filter: &AccessFilter, c: &Conditions, mapping: &TableMapping, out: &mut impl Sink) {
    let Some(org) = filter.organization() else {
        out.sql("FALSE");
        return;
    };
    let w = Writer {
        dialect: mapping.dialect,
    };
    let column = |name: &crate::mapping::Ident| format!("{}.{name}", mapping.qualifier);
    let mut terms = Terms { any: false };

    if !filter.is_business_owned() {
        let owners = [
            (
                Ids::Uuids(c.owner_users().filter_map(|u| org.user_guid(u)).collect()),
                USER_TYPE,
            ),
            (
                Ids::Uuids(c.owner_teams().filter_map(|t| org.team_guid(t)).collect()),
                TEAM_TYPE,
            ),
        ];
        for (ids, code) in owners {
            if ids.is_empty() {
                continue;
            }
            terms.next(out);
            out.sql("(");
            w.in_list(out, &column(&mapping.owner_id), ids);
            out.sql(" AND ");
            out.sql(&column(&mapping.owner_type));
            out.sql(" = ");
            w.int(out, code);
            out.sql(")");
        }
    }

    let units = Ids::Uuids(
        c.business_units()
            .filter_map(|b| org.business_unit_guid(b))
            .collect(),
    );
    if !units.is_empty() {
        terms.next(out);
        w.in_list(out, &column(&mapping.owning_business_unit), units);
    }

    let records = record_ids(c, mapping.id_kind);
    if !records.is_empty() {
        terms.next(out);
        w.in_list(out, &column(&mapping.id), records);
    }

    if let Some(shares) = &mapping.shares {
        let users = Ids::Uuids(c.share_users().filter_map(|u| org.user_guid(u)).collect());
        let teams = Ids::Uuids(c.share_teams().filter_map(|t| org.team_guid(t)).collect());
        if c.shared_with_organization() || !users.is_empty() || !teams.is_empty() {
            terms.next(out);
            let grantees = Grantees {
                organization: c.shared_with_organization(),
                users,
                teams,
            };
            w.shared(out, &column(&mapping.id), shares, filter, c, grantees);
        }
    }

    if terms.any {
        out.sql(")");
    } else {
        out.sql("FALSE");
    }
}

/// The record ids of the conditions, as the id column stores them. An id too large for an integer column names no
/// row of it.
fn record_ids(c: &Conditions, kind: IdKind) -> Ids {
    match kind {
        IdKind::Uuid => Ids::Uuids(c.record_ids().map(|id| Uuid::from_u128(id.0)).collect()),
        IdKind::Integer => Ids::Ints(
            c.record_ids()
                .filter_map(|id| i64::try_from(id.0).ok())
                .collect(),
        ),
    }
}

/// Writes `(` before the first term and ` OR ` between terms.
struct Terms {
    any: bool,
}

impl Terms {
    fn next(&mut self, out: &mut impl Sink) {
        out.sql(if self.any { " OR " } else { "(" });
        self.any = true;
    }
}

/// Whom a share must name.
struct Grantees {
    organization: bool,
    users: Ids,
    teams: Ids,
}

/// The dialect's ways of writing values, lists and subqueries.
struct Writer {
    dialect: Dialect,
}

impl Writer {
    fn int(&self, out: &mut impl Sink, value: i64) {
        out.param(SqlValue::Int(value));
        self.cast(out, "::bigint");
    }

    fn text(&self, out: &mut impl Sink, value: &str) {
        out.param(SqlValue::Text(value.to_owned()));
        self.cast(out, "::text");
    }

    fn cast(&self, out: &mut impl Sink, cast: &str) {
        if self.dialect == Dialect::Postgres {
            out.sql(cast);
        }
    }

    /// `column = value` for one id; for more, `column = ANY($n::uuid[])` (PostgreSQL) or
    /// `column IN (SELECT value FROM json_each(?n))` (SQLite).
    fn in_list(&self, out: &mut impl Sink, column: &str, ids: Ids) {
        out.sql(column);
        match (self.dialect, ids) {
            (Dialect::Postgres, Ids::Uuids(mut ids)) if ids.len() == 1 => {
                out.sql(" = ");
                out.param(SqlValue::Uuid(ids.remove(0)));
                out.sql("::uuid");
            }
            (Dialect::Postgres, Ids::Uuids(ids)) => {
                out.sql(" = ANY(");
                out.param(SqlValue::UuidList(ids));
                out.sql("::uuid[])");
            }
            (Dialect::Postgres, Ids::Ints(ids)) if ids.len() == 1 => {
                out.sql(" = ");
                self.int(out, ids[0]);
            }
            (Dialect::Postgres, Ids::Ints(ids)) => {
                out.sql(" = ANY(");
                out.param(SqlValue::IntList(ids));
                out.sql("::bigint[])");
            }
            (Dialect::Sqlite, Ids::Uuids(ids)) if ids.len() == 1 => {
                out.sql(" = ");
                out.param(SqlValue::Text(ids[0].hyphenated().to_string()));
            }
            (Dialect::Sqlite, Ids::Ints(ids)) if ids.len() == 1 => {
                out.sql(" = ");
                out.param(SqlValue::Int(ids[0]));
            }
            (Dialect::Sqlite, ids) => {
                out.sql(" IN (SELECT value FROM json_each(");
                out.param(SqlValue::Text(json_array(&ids)));
                out.sql("))");
            }
        }
    }

    /// `id IN (the ids of the records shared for the privilege with a grantee)`: a subquery over the shares table
    /// that does not depend on the row, so that the database runs it once (PostgreSQL: as an array, which its indexes
    /// can use).
    fn shared(
        &self,
        out: &mut impl Sink,
        id: &str,
        shares: &SharesColumns,
        filter: &AccessFilter,
        c: &Conditions,
        grantees: Grantees,
    ) {
        let s = |name: &crate::mapping::Ident| format!("{SHARE}.{name}");
        out.sql(id);
        out.sql(match self.dialect {
            Dialect::Postgres => " = ANY(ARRAY(SELECT ",
            Dialect::Sqlite => " IN (SELECT ",
        });
        out.sql(&s(&shares.record_id));
        out.sql(" FROM ");
        out.sql(&shares.table);
        out.sql(" AS ");
        out.sql(SHARE);
        out.sql(" WHERE ");
        if let Some(table) = &shares.table_column {
            out.sql(&s(table));
            out.sql(" = ");
            self.text(out, filter.table().unwrap_or_default());
            out.sql(" AND ");
        }
        out.sql("(");
        out.sql(&s(&shares.rights));
        out.sql(" & ");
        self.int(out, i64::from(c.privilege().access_right()));
        out.sql(") <> 0 AND (");
        let mut first = true;
        if grantees.organization {
            first = false;
            out.sql(&s(&shares.grantee_type));
            out.sql(" = ");
            self.int(out, ORGANIZATION_TYPE);
        }
        for (ids, code) in [(grantees.users, USER_TYPE), (grantees.teams, TEAM_TYPE)] {
            if ids.is_empty() {
                continue;
            }
            if !first {
                out.sql(" OR ");
            }
            first = false;
            out.sql("(");
            out.sql(&s(&shares.grantee_type));
            out.sql(" = ");
            self.int(out, code);
            out.sql(" AND ");
            self.in_list(out, &s(&shares.grantee_id), ids);
            out.sql(")");
        }
        out.sql(match self.dialect {
            Dialect::Postgres => ")))",
            Dialect::Sqlite => "))",
        });
    }
}

/// The shares table's alias inside the filter's subquery: unlikely to be a name of the query around it.
const SHARE: &str = "\"rolegate_share\"";

/// A JSON array of ids: GUIDs as lower-case hyphenated strings (they need no escaping), integers as numbers.
pub(crate) fn json_array(ids: &Ids) -> String {
    let items: Vec<String> = match ids {
        Ids::Uuids(ids) => ids
            .iter()
            .map(|u| format!("\"{}\"", u.hyphenated()))
            .collect(),
        Ids::Ints(ids) => ids.iter().map(i64::to_string).collect(),
    };
    format!("[{}]", items.join(","))
}
