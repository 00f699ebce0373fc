//! The filter pushed into sqlx's [`QueryBuilder`](sqlx::QueryBuilder): the same SQL as [`SqlFilter`](crate::SqlFilter),
//! each value bound with `push_bind`.

use rolegate::record::AccessFilter;

use crate::mapping::{Dialect, MappingError, TableMapping};
#[cfg(feature = "sqlx-sqlite")]
use crate::render::{Ids, json_array};
use crate::render::{Sink, SqlValue, render};

/// Pushes an access filter's condition into a query being built, binding every value.
///
/// ```no_run
/// # #[cfg(feature = "sqlx-postgres")]
/// # async fn list(pool: &sqlx::PgPool, principal: &rolegate::Principal) -> Result<(), Box<dyn std::error::Error>> {
/// use rolegate::TablePrivilege;
/// use rolegate_sql::{PushAccessFilter, TableMapping};
/// use sqlx::{Postgres, QueryBuilder, Row};
///
/// let mapping = TableMapping::postgres("account").alias("a").build()?;
/// let filter = principal.access_filter(TablePrivilege::Read, "account");
/// let mut query = QueryBuilder::<Postgres>::new("SELECT a.accountid FROM account AS a WHERE ");
/// query.push_access_filter(&filter, &mapping)?;
/// query.push(" ORDER BY a.accountid LIMIT 50");
/// let rows = query.build().fetch_all(pool).await?;
/// # Ok(()) }
/// ```
pub trait PushAccessFilter {
    /// Pushes the filter's condition for the mapped table (`TRUE`, `FALSE` or a parenthesised disjunction). A
    /// mapping built for another database is an error, and nothing is pushed.
    fn push_access_filter(
        &mut self,
        filter: &AccessFilter,
        mapping: &TableMapping,
    ) -> Result<&mut Self, MappingError>;
}

/// Checks that the mapping is for the builder's database.
fn for_dialect(mapping: &TableMapping, dialect: Dialect) -> Result<(), MappingError> {
    if mapping.dialect() == dialect {
        Ok(())
    } else {
        Err(MappingError::WrongDialect {
            mapping: mapping.dialect(),
            query: dialect,
        })
    }
}

#[cfg(feature = "sqlx-postgres")]
impl<'args> PushAccessFilter for sqlx::QueryBuilder<'args, sqlx::Postgres> {
    fn push_access_filter(
        &mut self,
        filter: &AccessFilter,
        mapping: &TableMapping,
    ) -> Result<&mut Self, MappingError> {
        for_dialect(mapping, Dialect::Postgres)?;
        struct Builder<'a, 'args>(&'a mut sqlx::QueryBuilder<'args, sqlx::Postgres>);
        impl Sink for Builder<'_, '_> {
            fn sql(&mut self, text: &str) {
                self.0.push(text);
            }
            fn param(&mut self, value: SqlValue) {
                match value {
                    SqlValue::Int(v) => self.0.push_bind(v),
                    SqlValue::Text(v) => self.0.push_bind(v),
                    SqlValue::Uuid(v) => self.0.push_bind(v),
                    SqlValue::UuidList(v) => self.0.push_bind(v),
                    SqlValue::IntList(v) => self.0.push_bind(v),
                };
            }
        }
        render(filter, mapping, &mut Builder(self));
        Ok(self)
    }
}

#[cfg(feature = "sqlx-sqlite")]
impl<'args> PushAccessFilter for sqlx::QueryBuilder<'args, sqlx::Sqlite> {
    fn push_access_filter(
        &mut self,
        filter: &AccessFilter,
        mapping: &TableMapping,
    ) -> Result<&mut Self, MappingError> {
        for_dialect(mapping, Dialect::Sqlite)?;
        struct Builder<'a, 'args>(&'a mut sqlx::QueryBuilder<'args, sqlx::Sqlite>);
        impl Sink for Builder<'_, '_> {
            fn sql(&mut self, text: &str) {
                self.0.push(text);
            }
            fn param(&mut self, value: SqlValue) {
                // SQLite's filter binds integers and text only (GUIDs and lists are text).
                match value {
                    SqlValue::Int(v) => self.0.push_bind(v),
                    SqlValue::Text(v) => self.0.push_bind(v),
                    SqlValue::Uuid(v) => self.0.push_bind(v.hyphenated().to_string()),
                    SqlValue::UuidList(v) => self.0.push_bind(json_array(&Ids::Uuids(v))),
                    SqlValue::IntList(v) => self.0.push_bind(json_array(&Ids::Ints(v))),
                };
            }
        }
        render(filter, mapping, &mut Builder(self));
        Ok(self)
    }
}
