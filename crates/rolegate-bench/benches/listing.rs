//! Listing the readable records among 1,000,000 rows in PostgreSQL: the access filter's query against loading every
//! row (and the table's shares) and calling `can_at` in the application, for a Basic, a Local and a Deep principal;
//! and what building the filter costs.
//!
//! The organisation: a root, 10 divisions of 10 departments each (111 units), 1,000 users in the departments. The
//! table: 1,000,000 accounts, row `i` owned by user `i % 1000` in that user's department; 10,000 shares to users (of
//! rows another user owns)
//! and 10 to the organisation. The indexes are the README's. The Basic principal owns 1,000 rows; the Local one
//! reads its department (10,000 rows), the Deep one its division (100,000 rows).
//!
//!   cargo bench -p rolegate-bench --features listing --bench listing            # all (starts a throwaway PostgreSQL)
//!   cargo bench -p rolegate-bench --features listing --bench listing -- build   # building filters only, no database

use std::collections::BTreeSet;
use std::hint::black_box;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rolegate::catalog::Syntax;
use rolegate::record::{Owner, ShareStore};
use rolegate::{Authority, Catalog, Organization, Principal, RecordData, TablePrivilege, Uuid};
use rolegate_sql::{PushAccessFilter, SqlFilter, TableMapping};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, QueryBuilder, Row};

const ROWS: i64 = 1_000_000;
const USERS: usize = 1000;
const SHARES: i64 = 10_000;

const CATALOG: &str = r#"
[[table]]
name = "account"
ownership = "user-or-team"

[[role]]
name = "Basic reader"
grants = { account = { Read = "Basic" } }

[[role]]
name = "Local reader"
grants = { account = { Read = "Local" } }

[[role]]
name = "Deep reader"
grants = { account = { Read = "Deep" } }
"#;

const SCHEMA: &str = "
CREATE TABLE account (
    accountid uuid PRIMARY KEY,
    name text NOT NULL,
    ownerid uuid NOT NULL,
    owneridtype integer NOT NULL,
    owningbusinessunit uuid NOT NULL
);
CREATE TABLE principalobjectaccess (
    objectid uuid NOT NULL,
    objecttypecode text NOT NULL,
    principalid uuid NOT NULL,
    principaltypecode integer NOT NULL,
    accessrightsmask integer NOT NULL
);
";

/// The README's indexes, then fresh statistics (each its own statement: VACUUM runs outside a transaction).
const INDEXES: [&str; 5] = [
    "CREATE INDEX account_ownerid ON account (ownerid)",
    "CREATE INDEX account_owningbusinessunit ON account (owningbusinessunit)",
    "CREATE INDEX principalobjectaccess_principal ON principalobjectaccess (principaltypecode, principalid)",
    "VACUUM ANALYZE account",
    "VACUUM ANALYZE principalobjectaccess",
];

/// Users `u0` (Basic), `u1` (Local, in department 1 of division 0) and `u2` (Deep, in division 0 itself); the others
/// Basic, user `i` in department `i % 100`.
fn organization() -> Organization {
    let authority =
        Authority::new(Catalog::from_str_named(CATALOG, "bench.toml", Syntax::Toml).unwrap());
    let mut b = Organization::builder(&authority).business_unit("root", None);
    for d in 0..10 {
        b = b.business_unit(&format!("d{d}"), Some("root"));
        for k in 0..10 {
            b = b.business_unit(&format!("d{d}_{k}"), Some(&format!("d{d}")));
        }
    }
    for i in 0..USERS {
        let (unit, role) = match i {
            1 => ("d0_1".to_owned(), "Local reader"),
            2 => ("d0".to_owned(), "Deep reader"),
            _ => (format!("d{}_{}", (i % 100) / 10, i % 10), "Basic reader"),
        };
        b = b.user(&format!("u{i}"), &unit, [role]);
    }
    b.build().unwrap()
}

struct Fixture {
    rt: tokio::runtime::Runtime,
    pool: PgPool,
    org: Organization,
    mapping: TableMapping,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let org = organization();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = rolegate_testpg::TestCluster::shared()
            .fresh_database("listing")
            .unwrap();
        let pool = rt.block_on(async {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .unwrap();
            sqlx::raw_sql(SCHEMA).execute(&pool).await.unwrap();
            let users: Vec<Uuid> = (0..USERS)
                .map(|i| org.user_guid(org.user(&format!("u{i}")).unwrap()).unwrap())
                .collect();
            let units: Vec<Uuid> = (0..USERS)
                .map(|i| {
                    let unit = org.user_business_unit(org.user(&format!("u{i}")).unwrap());
                    org.business_unit_guid(unit.unwrap()).unwrap()
                })
                .collect();
            // Row i: id i (Uuid::from_u128), owned by user i % 1000 in that user's unit.
            sqlx::query(
                "INSERT INTO account (accountid, name, ownerid, owneridtype, owningbusinessunit)
                 SELECT lpad(to_hex(i), 32, '0')::uuid, 'account ' || i, ($2::uuid[])[1 + i % $3], 8,
                        ($4::uuid[])[1 + i % $3]
                 FROM generate_series(0, $1 - 1) AS i",
            )
            .bind(ROWS)
            .bind(&users)
            .bind(USERS as i64)
            .bind(&units)
            .execute(&pool)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO principalobjectaccess
                 SELECT lpad(to_hex((i * 7919 + 1) % $1), 32, '0')::uuid, 'account', ($3::uuid[])[1 + i % $4], 8, 1
                 FROM generate_series(0, $2 - 1) AS i
                 UNION ALL
                 SELECT lpad(to_hex(i * 99991), 32, '0')::uuid, 'account', '00000000-0000-0000-0000-000000000000',
                        1019, 1
                 FROM generate_series(1, 10) AS i",
            )
            .bind(ROWS)
            .bind(SHARES)
            .bind(&users)
            .bind(USERS as i64)
            .execute(&pool)
            .await
            .unwrap();
            for statement in INDEXES {
                sqlx::raw_sql(statement).execute(&pool).await.unwrap();
            }
            pool
        });
        Fixture {
            rt,
            pool,
            org,
            mapping: TableMapping::postgres("account").alias("a").build().unwrap(),
        }
    })
}

/// The ids of the readable rows, as the filtered query lists them.
async fn filtered(pool: &PgPool, principal: &Principal, mapping: &TableMapping) -> Vec<Uuid> {
    let filter = principal.access_filter(TablePrivilege::Read, "account");
    let mut q =
        QueryBuilder::<Postgres>::new("SELECT a.accountid, a.name FROM account AS a WHERE ");
    q.push_access_filter(&filter, mapping).unwrap();
    let rows = q.build().fetch_all(pool).await.unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

/// The ids of the readable rows, found by loading every row and every share and asking `can_at` of each.
async fn in_application(pool: &PgPool, org: &Organization, principal: &Principal) -> Vec<Uuid> {
    let slot = principal
        .authority()
        .table_slot(TablePrivilege::Read, "account")
        .unwrap();
    let mut shares = ShareStore::new();
    let share_rows = sqlx::query(
        "SELECT objectid, principalid, principaltypecode, accessrightsmask FROM principalobjectaccess
         WHERE objecttypecode = 'account'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for row in share_rows {
        let id: Uuid = row.get(0);
        let grantee = match row.get::<i32, _>(2) {
            8 => org
                .user_by_guid(row.get(1))
                .map(rolegate::record::Grantee::User),
            9 => org
                .team_by_guid(row.get(1))
                .map(rolegate::record::Grantee::Team),
            1019 => Some(rolegate::record::Grantee::Organization),
            _ => None,
        };
        let rights = TablePrivilege::ALL
            .into_iter()
            .filter(|p| row.get::<i32, _>(3) as u32 & p.access_right() != 0)
            .collect();
        if let Some(grantee) = grantee {
            shares.share("account", id.as_u128(), grantee, rights);
        }
    }
    let rows = sqlx::query(
        "SELECT accountid, name, ownerid, owneridtype, owningbusinessunit FROM account",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.iter()
        .filter_map(|row| {
            let id: Uuid = row.get(0);
            let owner = match row.get::<i32, _>(3) {
                8 => org.user_by_guid(row.get(2)).map(Owner::User),
                9 => org.team_by_guid(row.get(2)).map(Owner::Team),
                _ => None,
            }?;
            let unit = org.business_unit_by_guid(row.get(4));
            let record = RecordData::new(id.as_u128(), "account", owner, unit);
            principal.can_at(slot, &shares.with(&record)).then_some(id)
        })
        .collect()
}

/// Checks, once per principal, that the filtered query lists exactly the rows `can_at` allows, and says how many.
fn check_once(f: &Fixture, label: &'static str, principal: &Principal) {
    static CHECKED: Mutex<BTreeSet<&str>> = Mutex::new(BTreeSet::new());
    if !CHECKED.lock().unwrap().insert(label) {
        return;
    }
    let mut want = f.rt.block_on(in_application(&f.pool, &f.org, principal));
    let mut got = f.rt.block_on(filtered(&f.pool, principal, &f.mapping));
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want, "the filtered query lists what can_at allows");
    eprintln!("{label}: {} rows readable", got.len());
}

fn principals(org: &Organization) -> [(&'static str, Principal); 3] {
    [("basic", "u0"), ("local", "u1"), ("deep", "u2")]
        .map(|(label, user)| (label, org.principal_named(user).unwrap()))
}

fn build(c: &mut Criterion) {
    let org = organization();
    let mapping = TableMapping::postgres("account")
        .alias("a")
        .build()
        .unwrap();
    let mut group = c.benchmark_group("build");
    for (label, principal) in principals(&org) {
        group.bench_function(format!("access_filter/{label}"), |b| {
            b.iter(|| black_box(&principal).access_filter(TablePrivilege::Read, "account"))
        });
        let filter = principal.access_filter(TablePrivilege::Read, "account");
        group.bench_function(format!("sql/{label}"), |b| {
            b.iter(|| SqlFilter::render(black_box(&filter), &mapping))
        });
    }
    group.finish();
}

fn list(c: &mut Criterion) {
    let mut group = c.benchmark_group("list");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for (label, user) in [("basic", "u0"), ("local", "u1"), ("deep", "u2")] {
        group.bench_function(format!("filtered/{label}"), |b| {
            let f = fixture();
            let principal = f.org.principal_named(user).unwrap();
            check_once(f, label, &principal);
            b.iter(|| {
                f.rt.block_on(filtered(&f.pool, &principal, &f.mapping))
                    .len()
            })
        });
        group.bench_function(format!("in_application/{label}"), |b| {
            let f = fixture();
            let principal = f.org.principal_named(user).unwrap();
            b.iter(|| {
                f.rt.block_on(in_application(&f.pool, &f.org, &principal))
                    .len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, build, list);
criterion_main!(benches);
