//! PostgreSQL, a real server the test starts (`rolegate-testpg`): on 2,000 random organisations, the rows an access
//! filter's SQL returns are exactly the records the record check (`can_at`) allows, for every user, privilege and
//! table, in both forms (`SqlFilter` with numbered placeholders, and sqlx's `QueryBuilder` with
//! `push_access_filter`). The schema is created once; each case's rows are inserted in a transaction that is rolled
//! back.

mod common;

use std::cell::RefCell;
use std::collections::BTreeSet;

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rolegate::record::AccessFilter;
use rolegate::{Organization, RecordData, TablePrivilege, Uuid};
use rolegate_sql::{PushAccessFilter, SqlFilter, SqlValue, TableMapping};
use sqlx::postgres::{PgArguments, PgConnection};
use sqlx::{Connection, Postgres, QueryBuilder, Row};

const SCHEMA: &str = r#"
CREATE TABLE account (
    accountid uuid PRIMARY KEY,
    ownerid uuid NOT NULL,
    owneridtype integer NOT NULL,
    owningbusinessunit uuid NOT NULL
);
CREATE INDEX account_ownerid ON account (ownerid);
CREATE INDEX account_owningbusinessunit ON account (owningbusinessunit);
CREATE TABLE systemuser (
    systemuserid uuid PRIMARY KEY,
    businessunitid uuid NOT NULL
);
CREATE INDEX systemuser_businessunitid ON systemuser (businessunitid);
CREATE TABLE principalobjectaccess (
    objectid uuid NOT NULL,
    objecttypecode text NOT NULL,
    principalid uuid NOT NULL,
    principaltypecode integer NOT NULL,
    accessrightsmask integer NOT NULL
);
CREATE INDEX principalobjectaccess_principalid ON principalobjectaccess (principalid);
"#;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn connect(schema: &str) -> PgConnection {
    let url = rolegate_testpg::TestCluster::shared()
        .fresh_database("filters")
        .unwrap();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(schema).execute(&mut conn).await.unwrap();
    conn
}

/// Inserts the records and their shares.
async fn insert(conn: &mut PgConnection, org: &Organization, records: &[RecordData]) {
    let accounts: Vec<_> = records.iter().filter(|r| r.table == "account").collect();
    if !accounts.is_empty() {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO account (accountid, ownerid, owneridtype, owningbusinessunit) ",
        );
        q.push_values(accounts, |mut b, r| {
            let (id, owner, bu) = common::row(org, r);
            let (owner, code) = owner.unwrap();
            b.push_bind(id)
                .push_bind(owner)
                .push_bind(code as i32)
                .push_bind(bu);
        });
        q.build().execute(&mut *conn).await.unwrap();
    }
    let users: Vec<_> = records.iter().filter(|r| r.table == "systemuser").collect();
    if !users.is_empty() {
        let mut q =
            QueryBuilder::<Postgres>::new("INSERT INTO systemuser (systemuserid, businessunitid) ");
        q.push_values(users, |mut b, r| {
            let (id, _, bu) = common::row(org, r);
            b.push_bind(id).push_bind(bu);
        });
        q.build().execute(&mut *conn).await.unwrap();
    }
    let shares: Vec<_> = records
        .iter()
        .flat_map(|r| r.shares.iter().map(move |s| (r, s)))
        .collect();
    if !shares.is_empty() {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO principalobjectaccess \
             (objectid, objecttypecode, principalid, principaltypecode, accessrightsmask) ",
        );
        q.push_values(shares, |mut b, (r, s)| {
            let (grantee, code, mask) = common::share_row(org, s);
            b.push_bind(Uuid::from_u128(r.id.0))
                .push_bind(r.table.clone())
                .push_bind(grantee)
                .push_bind(code as i32)
                .push_bind(mask as i32);
        });
        q.build().execute(&mut *conn).await.unwrap();
    }
}

/// Binds a filter's parameters, in order.
fn bind<'q>(
    mut query: sqlx::query::Query<'q, Postgres, PgArguments>,
    params: &'q [SqlValue],
) -> sqlx::query::Query<'q, Postgres, PgArguments> {
    for p in params {
        query = match p {
            SqlValue::Int(v) => query.bind(*v),
            SqlValue::Text(v) => query.bind(v.as_str()),
            SqlValue::Uuid(v) => query.bind(*v),
            SqlValue::UuidList(v) => query.bind(v.as_slice()),
            SqlValue::IntList(v) => query.bind(v.as_slice()),
            other => panic!("a value this test does not know: {other:?}"),
        };
    }
    query
}

/// Per privilege (by index), the ids of the rows each filter's SQL returns: one `UNION ALL` query per form.
async fn listed(
    conn: &mut PgConnection,
    filters: &[AccessFilter],
    mapping: &TableMapping,
    id: &str,
) -> [Vec<BTreeSet<u128>>; 2] {
    let select = |p: usize| {
        format!(
            "SELECT {p} AS p, {id} AS id FROM {} WHERE ",
            mapping.table_sql()
        )
    };
    // SqlFilter, placeholders numbered on from the previous filter's.
    let mut text = String::new();
    let mut params = Vec::new();
    for (p, filter) in filters.iter().enumerate() {
        if p > 0 {
            text.push_str(" UNION ALL ");
        }
        let sql = SqlFilter::render_from(filter, mapping, params.len() + 1);
        text.push_str(&select(p));
        text.push_str(&sql.sql);
        params.extend(sql.params);
    }
    let plain = bind(sqlx::query(&text), &params)
        .fetch_all(&mut *conn)
        .await;
    let plain = plain.unwrap_or_else(|e| panic!("{e}: {text}"));
    // sqlx's QueryBuilder.
    let mut q = QueryBuilder::<Postgres>::new("");
    for (p, filter) in filters.iter().enumerate() {
        if p > 0 {
            q.push(" UNION ALL ");
        }
        q.push(select(p));
        q.push_access_filter(filter, mapping).unwrap();
    }
    let built = q.build().fetch_all(&mut *conn).await.unwrap();
    [plain, built].map(|rows| {
        let mut by_privilege = vec![BTreeSet::new(); filters.len()];
        for row in rows {
            let p: i32 = row.get(0);
            let id: Uuid = row.get(1);
            by_privilege[p as usize].insert(id.as_u128());
        }
        by_privilege
    })
}

#[test]
fn postgres_lists_exactly_what_the_record_check_allows() {
    let rt = runtime();
    let conn = RefCell::new(rt.block_on(connect(SCHEMA)));
    let account = TableMapping::postgres("account").build().unwrap();
    let systemuser = TableMapping::postgres("systemuser")
        .owning_business_unit_column("businessunitid")
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&common::raw(), |raw| {
            let org = common::organization(&raw);
            let records = common::records(&raw, &org);
            let conn = &mut *conn.borrow_mut();
            rt.block_on(async {
                let mut tx = conn.begin().await.unwrap();
                insert(&mut tx, &org, &records).await;
                for i in 0..common::user_count(&raw) {
                    let principal = common::principal(&raw, &org, i);
                    for (table, mapping, id) in [
                        ("account", &account, "accountid"),
                        ("systemuser", &systemuser, "systemuserid"),
                    ] {
                        let filters: Vec<AccessFilter> = TablePrivilege::ALL
                            .iter()
                            .map(|&p| principal.access_filter(p, table))
                            .collect();
                        let expected = common::allowed(&principal, &records, table);
                        for (form, got) in ["SqlFilter", "QueryBuilder"].iter().zip(listed(&mut tx, &filters, mapping, id).await) {
                            for (p, privilege) in TablePrivilege::ALL.iter().enumerate() {
                                if got[p] != expected[p] {
                                    return Err(TestCaseError::fail(format!(
                                        "u{i} {privilege} on {table} ({form}): SQL {:?}, can_at {:?}; filter {:?}; SQL {}",
                                        got[p],
                                        expected[p],
                                        filters[p],
                                        SqlFilter::render(&filters[p], mapping).sql
                                    )));
                                }
                            }
                        }
                    }
                }
                tx.rollback().await.unwrap();
                Ok(())
            })
        })
        .unwrap();
}
