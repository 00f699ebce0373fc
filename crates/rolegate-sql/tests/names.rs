//! Names in a mapping are checked and quoted, values are always bound: a table and columns whose names hold quotes,
//! semicolons and comment marks work in both databases, names no database can hold are rejected with a clear error,
//! and no id ever appears in the SQL text.

mod common;

use std::collections::BTreeSet;

use rolegate::catalog::Syntax;
use rolegate::org::Inheritance;
use rolegate::record::Grantee;
use rolegate::{Authority, Catalog, Organization, RecordData, TablePrivilege, Uuid};
use rolegate_sql::{
    Dialect, IdKind, MappingError, PushAccessFilter, SharesTable, SqlFilter, SqlValue, TableMapping,
};
use sqlx::{Connection, QueryBuilder, Row};

const CATALOG: &str = r#"
[[table]]
name = "account"
ownership = "user-or-team"

[[role]]
name = "Local"
grants = { account = { Read = "Local", Write = "Basic" } }

[[role]]
name = "Basic"
grants = { account = { Read = "Basic", Write = "Basic" } }

[[role]]
name = "Global"
grants = { account = { Read = "Global" } }
"#;

/// Root with B1 and B2; U (Local) and V (Basic) in B1, W (Basic) in B2; owner team T (Basic) of V in B2; an access
/// team template for account with Read, the access team of record 5 holding V.
fn org() -> Organization {
    let authority =
        Authority::new(Catalog::from_str_named(CATALOG, "names.toml", Syntax::Toml).unwrap());
    Organization::builder(&authority)
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"))
        .user("U", "B1", ["Local"])
        .user("V", "B1", ["Basic"])
        .user("W", "B2", ["Basic"])
        .owner_team("T", "B2", ["V"], [("Basic", Inheritance::TeamOnly)])
        .access_team_template("Account team", "account", [TablePrivilege::Read])
        .record_access_team("Account team", 5u128, ["V"])
        .build()
        .unwrap()
}

/// Records 0..8: owned by U, V, W, T in turn, in B1 or B2; 6 shared with V for Read, 7 with everyone for Write.
fn records(org: &Organization) -> Vec<RecordData> {
    let u = |n| org.user(n).unwrap();
    let owners = [
        RecordData::owned_by_user(org, 0, "account", u("U")),
        RecordData::owned_by_user(org, 1, "account", u("V")),
        RecordData::owned_by_user(org, 2, "account", u("W")),
        RecordData::owned_by_team(org, 3, "account", org.team("T").unwrap()),
    ];
    let mut records: Vec<RecordData> = (0..8u128)
        .map(|i| RecordData {
            id: i.into(),
            ..owners[(i % 4) as usize].clone()
        })
        .collect();
    records[6] = records[6]
        .clone()
        .shared(Grantee::User(u("V")), [TablePrivilege::Read]);
    records[7] = records[7]
        .clone()
        .shared(Grantee::Organization, [TablePrivilege::Write]);
    records
}

const TABLE: &str = r#"acc"ount'; DROP TABLE x; --"#;
const ID: &str = r#"id"""#;
const OWNER: &str = "own'er id";
const OWNER_TYPE: &str = r#"own"er type"#;
const UNIT: &str = "unit; --";
const SHARES: &str = r#"sha"res"#;

fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn hostile(dialect: Dialect, kind: IdKind) -> TableMapping {
    TableMapping::builder(dialect, TABLE)
        .id_column(ID)
        .id_kind(kind)
        .owner_columns(OWNER, OWNER_TYPE)
        .owning_business_unit_column(UNIT)
        .shares(
            SharesTable::new(SHARES)
                .record_id_column("rec\"ord")
                .table_column(None)
                .grantee_columns("who'type", "who\"id")
                .rights_column("rights\"; --"),
        )
        .build()
        .unwrap()
}

fn schema(id_type: &str, uuid: &str, int: &str) -> String {
    format!(
        "CREATE TABLE {t} ({id} {id_type} PRIMARY KEY, {o} {uuid} NOT NULL, {ot} {int} NOT NULL, {u} {uuid} NOT NULL);
         CREATE TABLE {s} ({r} {id_type} NOT NULL, {gt} {int} NOT NULL, {gi} {uuid} NOT NULL, {m} {int} NOT NULL);",
        t = q(TABLE),
        id = q(ID),
        o = q(OWNER),
        ot = q(OWNER_TYPE),
        u = q(UNIT),
        s = q(SHARES),
        r = q("rec\"ord"),
        gt = q("who'type"),
        gi = q("who\"id"),
        m = q("rights\"; --"),
    )
}

/// What the record check allows, per user and privilege.
fn expected(org: &Organization, records: &[RecordData]) -> Vec<BTreeSet<u128>> {
    let mut all = Vec::new();
    for user in ["U", "V", "W"] {
        let p = org.principal_named(user).unwrap();
        for privilege in [TablePrivilege::Read, TablePrivilege::Write] {
            let slot = p.authority().table_slot(privilege, "account").unwrap();
            all.push(
                records
                    .iter()
                    .filter(|r| p.can_at(slot, *r))
                    .map(|r| r.id.0)
                    .collect(),
            );
        }
    }
    all
}

#[test]
fn names_no_database_can_hold_are_rejected() {
    let empty = TableMapping::postgres("account").id_column("").build();
    assert_eq!(
        empty.unwrap_err(),
        MappingError::Empty { what: "id column" }
    );
    let nul = TableMapping::sqlite("acc\0ount").build().unwrap_err();
    assert_eq!(
        nul.to_string(),
        "the table name \"acc\\0ount\" holds a NUL character"
    );
    let long = "a".repeat(64);
    let too_long = TableMapping::postgres("account")
        .owner_columns(&long, "owneridtype")
        .build()
        .unwrap_err();
    assert_eq!(
        too_long.to_string(),
        format!(
            "the owner id column name {long:?} is 64 bytes long; PostgreSQL keeps only the first 63"
        )
    );
    // SQLite keeps long names whole.
    assert!(
        TableMapping::sqlite("account")
            .owner_columns(&long, "owneridtype")
            .build()
            .is_ok()
    );
    let shares = TableMapping::postgres("account")
        .shares(SharesTable::dataverse().schema(""))
        .build()
        .unwrap_err();
    assert_eq!(shares, MappingError::Empty { what: "schema" });
}

#[test]
fn a_mapping_for_one_database_is_refused_by_a_query_for_the_other() {
    let org = org();
    let filter = org
        .principal_named("U")
        .unwrap()
        .access_filter(TablePrivilege::Read, "account");
    let mapping = TableMapping::sqlite("account").build().unwrap();
    let mut query = QueryBuilder::<sqlx::Postgres>::new("SELECT 1 FROM account WHERE ");
    let Err(error) = query.push_access_filter(&filter, &mapping) else {
        panic!("a SQLite mapping pushed into a PostgreSQL query");
    };
    assert_eq!(
        error.to_string(),
        "the mapping is for Sqlite, the query for Postgres"
    );
    assert_eq!(
        query.sql(),
        "SELECT 1 FROM account WHERE ",
        "nothing pushed"
    );
}

#[test]
fn names_are_quoted_and_values_bound() {
    let org = org();
    let filter = org
        .principal_named("V")
        .unwrap()
        .access_filter(TablePrivilege::Read, "account");
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        let sql = SqlFilter::render_from(&filter, &hostile(dialect, IdKind::Uuid), 3);
        assert!(
            sql.sql
                .contains(r#""acc""ount'; DROP TABLE x; --"."own'er id""#),
            "{}",
            sql.sql
        );
        let first = match dialect {
            Dialect::Postgres => "$3",
            Dialect::Sqlite => "?3",
        };
        assert!(sql.sql.contains(first) && !sql.sql.contains(&first.replace('3', "2")));
        // No id in the text: every user, team and unit's GUID, and the record id, are parameters.
        let guids = org
            .users()
            .filter_map(|u| org.user_guid(u))
            .chain(org.teams().filter_map(|t| org.team_guid(t)))
            .chain(
                org.business_units()
                    .filter_map(|b| org.business_unit_guid(b)),
            )
            .chain([Uuid::from_u128(5)]);
        for guid in guids {
            assert!(!sql.sql.contains(&guid.hyphenated().to_string()));
        }
        assert!(!sql.params.is_empty());
        if dialect == Dialect::Sqlite {
            assert!(
                sql.params
                    .iter()
                    .all(|p| matches!(p, SqlValue::Int(_) | SqlValue::Text(_)))
            );
        }
    }
}

#[test]
fn hostile_names_work_in_sqlite_with_integer_ids() {
    let org = org();
    let records = records(&org);
    let mapping = hostile(Dialect::Sqlite, IdKind::Integer);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let got = rt.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::raw_sql(&schema("INTEGER", "TEXT", "INTEGER"))
            .execute(&mut conn)
            .await
            .unwrap();
        for r in &records {
            let (_, owner, bu) = common::row(&org, r);
            let owner = owner.unwrap();
            sqlx::query(&format!(
                "INSERT INTO {} VALUES (?1, ?2, ?3, ?4)",
                mapping.table_sql()
            ))
            .bind(r.id.0 as i64)
            .bind(owner.0.hyphenated().to_string())
            .bind(owner.1)
            .bind(bu.hyphenated().to_string())
            .execute(&mut conn)
            .await
            .unwrap();
            for (grantee, code, mask) in r.shares.iter().map(|s| common::share_row(&org, s)) {
                sqlx::query(&format!(
                    "INSERT INTO {} VALUES (?1, ?2, ?3, ?4)",
                    q(SHARES)
                ))
                .bind(r.id.0 as i64)
                .bind(code)
                .bind(grantee.hyphenated().to_string())
                .bind(mask)
                .execute(&mut conn)
                .await
                .unwrap();
            }
        }
        let mut got = Vec::new();
        for user in ["U", "V", "W"] {
            let p = org.principal_named(user).unwrap();
            for privilege in [TablePrivilege::Read, TablePrivilege::Write] {
                let filter = p.access_filter(privilege, "account");
                let mut query = QueryBuilder::<sqlx::Sqlite>::new(format!(
                    "SELECT {} FROM {} WHERE ",
                    q(ID),
                    mapping.table_sql()
                ));
                query.push_access_filter(&filter, &mapping).unwrap();
                let rows = query.build().fetch_all(&mut conn).await.unwrap();
                got.push(
                    rows.iter()
                        .map(|row| row.get::<i64, _>(0) as u128)
                        .collect::<BTreeSet<u128>>(),
                );
            }
        }
        got
    });
    assert_eq!(got, expected(&org, &records));
    assert!(
        got[2].contains(&5) && got[2].contains(&6),
        "V reads record 5 through its access team, 6 through a share"
    );
}

#[test]
fn hostile_names_work_in_postgres() {
    let org = org();
    let records = records(&org);
    let mapping = hostile(Dialect::Postgres, IdKind::Uuid);
    let url = rolegate_testpg::TestCluster::shared()
        .fresh_database("names")
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got = rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(&schema("uuid", "uuid", "integer"))
            .execute(&mut conn)
            .await
            .unwrap();
        for r in &records {
            let (id, owner, bu) = common::row(&org, r);
            let owner = owner.unwrap();
            sqlx::query(&format!(
                "INSERT INTO {} VALUES ($1, $2, $3, $4)",
                mapping.table_sql()
            ))
            .bind(id)
            .bind(owner.0)
            .bind(owner.1 as i32)
            .bind(bu)
            .execute(&mut conn)
            .await
            .unwrap();
            for (grantee, code, mask) in r.shares.iter().map(|s| common::share_row(&org, s)) {
                sqlx::query(&format!(
                    "INSERT INTO {} VALUES ($1, $2, $3, $4)",
                    q(SHARES)
                ))
                .bind(id)
                .bind(code as i32)
                .bind(grantee)
                .bind(mask as i32)
                .execute(&mut conn)
                .await
                .unwrap();
            }
        }
        let mut got = Vec::new();
        for user in ["U", "V", "W"] {
            let p = org.principal_named(user).unwrap();
            for privilege in [TablePrivilege::Read, TablePrivilege::Write] {
                let filter = p.access_filter(privilege, "account");
                let sql = SqlFilter::render(&filter, &mapping);
                let text = format!(
                    "SELECT {} FROM {} WHERE {}",
                    q(ID),
                    mapping.table_sql(),
                    sql.sql
                );
                let mut query = sqlx::query(&text);
                for p in &sql.params {
                    query = match p {
                        SqlValue::Int(v) => query.bind(*v),
                        SqlValue::Text(v) => query.bind(v.clone()),
                        SqlValue::Uuid(v) => query.bind(*v),
                        SqlValue::UuidList(v) => query.bind(v.clone()),
                        SqlValue::IntList(v) => query.bind(v.clone()),
                        other => panic!("unknown value {other:?}"),
                    };
                }
                let rows = query.fetch_all(&mut conn).await.unwrap();
                got.push(
                    rows.iter()
                        .map(|row| row.get::<Uuid, _>(0).as_u128())
                        .collect::<BTreeSet<u128>>(),
                );
            }
        }
        got
    });
    assert_eq!(got, expected(&org, &records));
}

#[test]
fn always_is_true_never_is_false_and_no_shares_table_leaves_sharing_out() {
    let authority =
        Authority::new(Catalog::from_str_named(CATALOG, "names.toml", Syntax::Toml).unwrap());
    let org = Organization::builder(&authority)
        .business_unit("Root", None)
        .user("U", "Root", ["Basic"])
        .user("G", "Root", ["Global"])
        .build()
        .unwrap();
    let u = org.principal_named("U").unwrap();
    let mapping = TableMapping::sqlite("account").build().unwrap();
    let g = org.principal_named("G").unwrap();
    let always = SqlFilter::render(&g.access_filter(TablePrivilege::Read, "account"), &mapping);
    assert_eq!((always.sql.as_str(), always.params.len()), ("TRUE", 0));
    let never = SqlFilter::render(
        &u.access_filter(TablePrivilege::Delete, "account"),
        &mapping,
    );
    assert_eq!((never.sql.as_str(), never.params.len()), ("FALSE", 0));
    let roles_only = authority.principal("R", ["Basic"]).unwrap();
    let no_org = SqlFilter::render(
        &roles_only.access_filter(TablePrivilege::Read, "account"),
        &mapping,
    );
    assert_eq!(no_org.sql, "FALSE");
    let unshared = TableMapping::sqlite("account")
        .without_shares()
        .build()
        .unwrap();
    let read = SqlFilter::render(&u.access_filter(TablePrivilege::Read, "account"), &unshared);
    assert_eq!(
        read.sql,
        r#"(("account"."ownerid" = ?1 AND "account"."owneridtype" = ?2))"#
    );
    let user = org.user_guid(org.user("U").unwrap()).unwrap();
    assert_eq!(
        read.params,
        [
            SqlValue::Text(user.hyphenated().to_string()),
            SqlValue::Int(8)
        ]
    );
}
