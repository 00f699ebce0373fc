//! rolegate's access filters as SQL: the records a principal may use a privilege on, listed by the database in one
//! query, with the same rules as the record check (ownership, depth against the owning business unit, shares,
//! access teams made from templates, hierarchy security).
//!
//! ```
//! use rolegate::catalog::Syntax;
//! use rolegate::{Authority, Catalog, Organization, TablePrivilege};
//! use rolegate_sql::{SqlFilter, SqlValue, TableMapping};
//!
//! let catalog = Catalog::from_str_named(
//!     r#"
//!     [[table]]
//!     name = "account"
//!     ownership = "user-or-team"
//!     [[role]]
//!     name = "Salesperson"
//!     grants = { account = { Read = "Local" } }
//!     "#,
//!     "roles.toml",
//!     Syntax::Toml,
//! )
//! .unwrap();
//! let authority = Authority::new(catalog);
//! let org = Organization::builder(&authority)
//!     .business_unit("Root", None)
//!     .business_unit("Sales", Some("Root"))
//!     .user("ada", "Sales", ["Salesperson"])
//!     .build()
//!     .unwrap();
//! let ada = org.principal_named("ada").unwrap();
//!
//! // Read on account at Local: records ada owns, records owned in Sales, records shared with ada or everyone.
//! let filter = ada.access_filter(TablePrivilege::Read, "account");
//! let mapping = TableMapping::postgres("account").alias("a").build().unwrap();
//! let sql = SqlFilter::render(&filter, &mapping);
//! assert_eq!(
//!     sql.sql,
//!     r#"(("a"."ownerid" = $1::uuid AND "a"."owneridtype" = $2::bigint) OR "a"."owningbusinessunit" = $3::uuid OR "a"."accountid" = ANY(ARRAY(SELECT "rolegate_share"."objectid" FROM "principalobjectaccess" AS "rolegate_share" WHERE "rolegate_share"."objecttypecode" = $4::text AND ("rolegate_share"."accessrightsmask" & $5::bigint) <> 0 AND ("rolegate_share"."principaltypecode" = $6::bigint OR ("rolegate_share"."principaltypecode" = $7::bigint AND "rolegate_share"."principalid" = $8::uuid)))))"#
//! );
//! // Values are parameters, never text.
//! let sales = org.business_unit_guid(org.business_unit("Sales").unwrap()).unwrap();
//! assert_eq!(sql.params[2], SqlValue::Uuid(sales));
//! let query = format!("SELECT a.accountid, a.name FROM account AS a WHERE {} ORDER BY a.name LIMIT 50", sql.sql);
//! # let _ = query;
//! ```
//!
//! - [`TableMapping`]: where a table's records and their shares live (Dataverse's column names by default), for
//!   [`Dialect::Postgres`] or [`Dialect::Sqlite`]; names are checked once and always quoted.
//! - [`SqlFilter`]: the condition as text and its [`SqlValue`] parameters, numbered from any first placeholder.
//! - `PushAccessFilter` (features `sqlx-postgres`, `sqlx-sqlite`): the same condition pushed into sqlx's
//!   `QueryBuilder`, every value bound with `push_bind`.
//!
//! The filter trusts the rows: the owner and owning business unit columns must name the organisation's users, owner
//! teams and units (foreign keys keep them so). The README's "Listing records" section has a complete schema, the
//! indexes that make the query fast, and the in-memory form for data that is not in a database.
#![forbid(unsafe_code)]

mod mapping;
mod render;
#[cfg(any(feature = "sqlx-postgres", feature = "sqlx-sqlite"))]
mod sqlx;

pub use mapping::{Dialect, IdKind, MappingError, SharesTable, TableMapping, TableMappingBuilder};
pub use render::{ORGANIZATION_TYPE, SqlFilter, SqlValue, TEAM_TYPE, USER_TYPE};
#[cfg(any(feature = "sqlx-postgres", feature = "sqlx-sqlite"))]
pub use sqlx::PushAccessFilter;
