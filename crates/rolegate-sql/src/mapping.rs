//! Where a table's records and their shares live in the database: table and column names, validated and quoted once.

use std::fmt;

/// The database the SQL is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL: parameters `$1`, `$2`, ...; ids bound as `uuid`, lists as arrays (`= ANY($n::uuid[])`).
    Postgres,
    /// SQLite: parameters `?1`, `?2`, ...; ids bound as text (lower-case, hyphenated), lists as a JSON array read
    /// with `json_each`.
    Sqlite,
}

/// How a table's record ids are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IdKind {
    /// A GUID (Dataverse's ids): `uuid` in PostgreSQL, lower-case hyphenated text in SQLite. A record id `n`
    /// ([`RecordId`](rolegate::record::RecordId)) is the GUID whose 128 bits are `n` (`Uuid::from_u128`).
    #[default]
    Uuid,
    /// A 64-bit integer (`bigint`, `integer`): record id `n` is the number `n`.
    Integer,
}

/// A name in a mapping is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// A table or column name is empty.
    #[error("the {what} name is empty")]
    Empty {
        /// Which name (`owner id column`).
        what: &'static str,
    },
    /// A name holds a NUL character, which no identifier of either database may hold.
    #[error("the {what} name {name:?} holds a NUL character")]
    Nul {
        /// Which name.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A name is longer than PostgreSQL's 63 bytes (it would silently cut it and name another column).
    #[error("the {what} name {name:?} is {len} bytes long; PostgreSQL keeps only the first 63")]
    TooLong {
        /// Which name.
        what: &'static str,
        /// The name.
        name: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A mapping built for one database is used with a query for another.
    #[error("the mapping is for {mapping:?}, the query for {query:?}")]
    WrongDialect {
        /// The mapping's.
        mapping: Dialect,
        /// The query's.
        query: Dialect,
    },
}

/// An identifier, checked, and kept quoted for the dialect: `"name"` with any `"` doubled.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Ident {
    quoted: String,
}

impl Ident {
    fn new(what: &'static str, name: &str, dialect: Dialect) -> Result<Self, MappingError> {
        if name.is_empty() {
            return Err(MappingError::Empty { what });
        }
        if name.contains('\0') {
            return Err(MappingError::Nul {
                what,
                name: name.to_owned(),
            });
        }
        if dialect == Dialect::Postgres && name.len() > 63 {
            return Err(MappingError::TooLong {
                what,
                name: name.to_owned(),
                len: name.len(),
            });
        }
        Ok(Self {
            quoted: format!("\"{}\"", name.replace('"', "\"\"")),
        })
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.quoted)
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.quoted)
    }
}

/// The shares table (Dataverse's `PrincipalObjectAccess`): one row per (record, grantee) with the rights granted.
///
/// Its columns, by default Dataverse's names:
///
/// | column | default | holds |
/// | --- | --- | --- |
/// | record id | `objectid` | the shared record's id (of the record table's [`IdKind`]) |
/// | table | `objecttypecode` | the record table's logical name, as text (`account`); set to none for a shares table of one table |
/// | grantee type | `principaltypecode` | 8 for a user, 9 for a team, 1019 for the organisation (Dataverse's object type codes) |
/// | grantee id | `principalid` | the user's or team's GUID ([`Organization::user_guid`](rolegate::Organization::user_guid), [`team_guid`](rolegate::Organization::team_guid)); any value for the organisation |
/// | rights | `accessrightsmask` | the rights granted, an integer of Dataverse's access-right bits: Read 1, Write 2, Append 4, AppendTo 16, Delete 65536, Share 262144, Assign 524288 |
#[derive(Debug, Clone)]
pub struct SharesTable {
    table: String,
    schema: Option<String>,
    record_id: String,
    table_column: Option<String>,
    grantee_type: String,
    grantee_id: String,
    rights: String,
}

impl SharesTable {
    /// The shares table `table`, with Dataverse's column names.
    pub fn new(table: &str) -> Self {
        Self {
            table: table.to_owned(),
            schema: None,
            record_id: "objectid".to_owned(),
            table_column: Some("objecttypecode".to_owned()),
            grantee_type: "principaltypecode".to_owned(),
            grantee_id: "principalid".to_owned(),
            rights: "accessrightsmask".to_owned(),
        }
    }

    /// Dataverse's: `principalobjectaccess`.
    pub fn dataverse() -> Self {
        Self::new("principalobjectaccess")
    }

    /// The schema the table is in (`crm`); none: the connection's search path.
    pub fn schema(mut self, schema: &str) -> Self {
        self.schema = Some(schema.to_owned());
        self
    }

    /// The column holding the shared record's id.
    pub fn record_id_column(mut self, column: &str) -> Self {
        column.clone_into(&mut self.record_id);
        self
    }

    /// The column holding the record table's logical name; `None` when the shares table holds one table's shares.
    pub fn table_column(mut self, column: Option<&str>) -> Self {
        self.table_column = column.map(str::to_owned);
        self
    }

    /// The columns holding the grantee's type code and id.
    pub fn grantee_columns(mut self, type_column: &str, id_column: &str) -> Self {
        type_column.clone_into(&mut self.grantee_type);
        id_column.clone_into(&mut self.grantee_id);
        self
    }

    /// The column holding the rights mask.
    pub fn rights_column(mut self, column: &str) -> Self {
        column.clone_into(&mut self.rights);
        self
    }
}

/// Where one table's records live: a [`TableMapping`] in the making. Start from [`TableMapping::postgres`] or
/// [`TableMapping::sqlite`], change what differs from Dataverse's names, and [`build`](Self::build).
#[derive(Debug, Clone)]
pub struct TableMappingBuilder {
    dialect: Dialect,
    table: String,
    schema: Option<String>,
    alias: Option<String>,
    id: String,
    id_kind: IdKind,
    owner_id: String,
    owner_type: String,
    owning_business_unit: String,
    shares: Option<SharesTable>,
}

impl TableMappingBuilder {
    /// The schema the table is in (`crm`); none: the connection's search path.
    pub fn schema(mut self, schema: &str) -> Self {
        self.schema = Some(schema.to_owned());
        self
    }

    /// The name the query gives the table (`FROM account AS a`): the filter's columns are qualified by it instead of
    /// the table's name.
    pub fn alias(mut self, alias: &str) -> Self {
        self.alias = Some(alias.to_owned());
        self
    }

    /// The id column (default: the table's name followed by `id`, as Dataverse's `accountid`).
    pub fn id_column(mut self, column: &str) -> Self {
        column.clone_into(&mut self.id);
        self
    }

    /// How ids are stored (default: GUIDs).
    pub fn id_kind(mut self, kind: IdKind) -> Self {
        self.id_kind = kind;
        self
    }

    /// The owner columns (default `ownerid` and `owneridtype`): the owner's GUID, and its type, 8 for a user, 9 for a
    /// team (Dataverse's object type codes). Not read for business-owned tables, whose records their unit owns.
    pub fn owner_columns(mut self, id_column: &str, type_column: &str) -> Self {
        id_column.clone_into(&mut self.owner_id);
        type_column.clone_into(&mut self.owner_type);
        self
    }

    /// The owning business unit's column (default `owningbusinessunit`; Dataverse's `systemuser` and `team` call it
    /// `businessunitid`).
    pub fn owning_business_unit_column(mut self, column: &str) -> Self {
        column.clone_into(&mut self.owning_business_unit);
        self
    }

    /// The shares table (default: [`SharesTable::dataverse`]).
    pub fn shares(mut self, shares: SharesTable) -> Self {
        self.shares = Some(shares);
        self
    }

    /// No shares table: records are never shared (the filter leaves sharing out).
    pub fn without_shares(mut self) -> Self {
        self.shares = None;
        self
    }

    /// Checks every name and quotes it for the dialect.
    pub fn build(self) -> Result<TableMapping, MappingError> {
        let d = self.dialect;
        let table = qualified("table", self.schema.as_deref(), &self.table, d)?;
        let qualifier = match &self.alias {
            Some(alias) => Ident::new("alias", alias, d)?.quoted,
            None => table.clone(),
        };
        let shares = match self.shares {
            Some(s) => Some(SharesColumns {
                table: qualified("shares table", s.schema.as_deref(), &s.table, d)?,
                record_id: Ident::new("shares record id column", &s.record_id, d)?,
                table_column: s
                    .table_column
                    .as_deref()
                    .map(|c| Ident::new("shares table column", c, d))
                    .transpose()?,
                grantee_type: Ident::new("shares grantee type column", &s.grantee_type, d)?,
                grantee_id: Ident::new("shares grantee id column", &s.grantee_id, d)?,
                rights: Ident::new("shares rights column", &s.rights, d)?,
            }),
            None => None,
        };
        Ok(TableMapping {
            dialect: d,
            table,
            qualifier,
            id: Ident::new("id column", &self.id, d)?,
            id_kind: self.id_kind,
            owner_id: Ident::new("owner id column", &self.owner_id, d)?,
            owner_type: Ident::new("owner type column", &self.owner_type, d)?,
            owning_business_unit: Ident::new(
                "owning business unit column",
                &self.owning_business_unit,
                d,
            )?,
            shares,
        })
    }
}

/// `"schema"."table"` or `"table"`.
fn qualified(
    what: &'static str,
    schema: Option<&str>,
    table: &str,
    dialect: Dialect,
) -> Result<String, MappingError> {
    let table = Ident::new(what, table, dialect)?;
    Ok(match schema {
        Some(schema) => format!("{}.{table}", Ident::new("schema", schema, dialect)?),
        None => table.quoted,
    })
}

/// The shares table's names, quoted.
#[derive(Debug, Clone)]
pub(crate) struct SharesColumns {
    pub(crate) table: String,
    pub(crate) record_id: Ident,
    pub(crate) table_column: Option<Ident>,
    pub(crate) grantee_type: Ident,
    pub(crate) grantee_id: Ident,
    pub(crate) rights: Ident,
}

/// Where one table's records live, for one [`Dialect`]: the table, its id, owner and owning business unit columns,
/// and the shares table. Every name is checked when it is built and quoted in the SQL (`"name"`, a `"` inside it
/// doubled), so a name is used exactly as given: give it as the database stores it (PostgreSQL folds unquoted names
/// to lower case when a table is created).
///
/// The default layout is Dataverse's:
///
/// | column | default | holds |
/// | --- | --- | --- |
/// | id | `<table>id` (`accountid`) | the record's id, a GUID ([`IdKind`]) |
/// | owner id | `ownerid` | the owning user's or team's GUID |
/// | owner type | `owneridtype` | 8 for a user, 9 for a team |
/// | owning business unit | `owningbusinessunit` | the owning unit's GUID |
///
/// GUIDs are those of the [`Organization`](rolegate::Organization) ([`user_guid`](rolegate::Organization::user_guid),
/// [`team_guid`](rolegate::Organization::team_guid), [`business_unit_guid`](rolegate::Organization::business_unit_guid)).
/// Rows must name its users, owner teams and units (foreign keys keep them so): the SQL trusts the database's rows,
/// where [`AccessFilter::matches`](rolegate::record::AccessFilter::matches) and the record check deny a record whose
/// owner or unit the organisation does not know.
#[derive(Debug, Clone)]
pub struct TableMapping {
    pub(crate) dialect: Dialect,
    pub(crate) table: String,
    /// What the filter's columns are qualified with: the alias, or the table.
    pub(crate) qualifier: String,
    pub(crate) id: Ident,
    pub(crate) id_kind: IdKind,
    pub(crate) owner_id: Ident,
    pub(crate) owner_type: Ident,
    pub(crate) owning_business_unit: Ident,
    pub(crate) shares: Option<SharesColumns>,
}

impl TableMapping {
    /// A PostgreSQL table `table`, with Dataverse's column names and shares table, to change as needed.
    pub fn postgres(table: &str) -> TableMappingBuilder {
        Self::builder(Dialect::Postgres, table)
    }

    /// An SQLite table `table`, with Dataverse's column names and shares table, to change as needed.
    pub fn sqlite(table: &str) -> TableMappingBuilder {
        Self::builder(Dialect::Sqlite, table)
    }

    /// A table `table` of a database of `dialect`, with Dataverse's column names and shares table.
    pub fn builder(dialect: Dialect, table: &str) -> TableMappingBuilder {
        TableMappingBuilder {
            dialect,
            table: table.to_owned(),
            schema: None,
            alias: None,
            id: format!("{table}id"),
            id_kind: IdKind::Uuid,
            owner_id: "ownerid".to_owned(),
            owner_type: "owneridtype".to_owned(),
            owning_business_unit: "owningbusinessunit".to_owned(),
            shares: Some(SharesTable::dataverse()),
        }
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The table's name as the SQL writes it: quoted, with its schema (`"crm"."account"`).
    pub fn table_sql(&self) -> &str {
        &self.table
    }

    /// What the filter qualifies the table's columns with, quoted: the alias, or the table.
    pub fn qualifier_sql(&self) -> &str {
        &self.qualifier
    }
}
