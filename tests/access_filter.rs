//! Access filters, reading like `docs/semantics.md`: the record check for a whole table, as the owners, business
//! units, grantees and records that reach it. (That a filter matches exactly what `can_at` allows, on random
//! organisations, is `record_props.rs`'s; these say what the filter is made of.)
//!
//! Business units: Root has children B1 and B2; B1 has child B1a. Users: U and V in B1, W in B2, X in B1a; M manages
//! U, U manages V (manager hierarchy, depth 2).

use TablePrivilege::{Assign, Create, Delete, Read, Write};
use rolegate::catalog::Syntax;
use rolegate::org::{Inheritance, OrganizationBuilder};
use rolegate::record::{Conditions, FilterDecision, Grantee};
use rolegate::{Authority, Catalog, DenialReason, Organization, RecordData, TablePrivilege};

const CATALOG: &str = r#"
[[table]]
name = "account"
ownership = "user-or-team"

[[table]]
name = "msdyn_presence"
ownership = "organization"

[[table]]
name = "systemuser"
ownership = "business"

[[role]]
name = "Local reader"
grants = { account = { Read = "Local", Write = "Basic", Delete = "Basic" }, systemuser = { Read = "Deep" } }

[[role]]
name = "Deep reader"
grants = { account = { Read = "Deep" } }

[[role]]
name = "Global reader"
grants = { account = { Read = "Global" }, msdyn_presence = { Read = "Global" } }

[[role]]
name = "Basic user"
grants = { account = { Read = "Basic", Write = "Basic", Create = "Basic" } }

[[role]]
name = "Writer"
grants = { account = { Write = "Basic" } }

[[role]]
name = "Team reader"
grants = { account = { Read = "Local", Create = "Local" } }
"#;

fn authority() -> Authority {
    Authority::new(Catalog::from_str_named(CATALOG, "filter.toml", Syntax::Toml).unwrap())
}

fn units(authority: &Authority) -> OrganizationBuilder {
    Organization::builder(authority)
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"))
        .business_unit("B1a", Some("B1"))
}

fn conditions(decision: &FilterDecision) -> &Conditions {
    match decision {
        FilterDecision::Conditional(c) => c,
        other => panic!("expected conditions, got {other:?}"),
    }
}

fn names<T>(
    org: &Organization,
    ids: impl Iterator<Item = T>,
    name: impl Fn(&Organization, T) -> Option<&str>,
) -> Vec<String> {
    ids.map(|id| name(org, id).unwrap().to_owned()).collect()
}

#[test]
fn a_local_reader_reaches_its_own_unit_and_its_own_records() {
    let authority = authority();
    let org = units(&authority)
        .user("U", "B1", ["Local reader"])
        .user("V", "B1", ["Basic user"])
        .build()
        .unwrap();
    let u = org.principal_named("U").unwrap();
    let read = u.access_filter(Read, "account");
    let c = conditions(read.decision());
    assert_eq!(
        names(&org, c.business_units(), Organization::business_unit_name),
        ["B1"]
    );
    assert_eq!(names(&org, c.owner_users(), Organization::user_name), ["U"]);
    assert_eq!(names(&org, c.share_users(), Organization::user_name), ["U"]);
    assert!(c.shared_with_organization());
    assert_eq!(
        c.owner_teams().len() + c.share_teams().len() + c.record_ids().len(),
        0
    );

    // Write at Basic: U's own records, and those shared with U for Write; no unit.
    let write = u.access_filter(Write, "account");
    let c = conditions(write.decision());
    assert_eq!(c.business_unit_count(), 0);
    assert_eq!(names(&org, c.owner_users(), Organization::user_name), ["U"]);
    assert_eq!(c.privilege(), Write);
}

#[test]
fn deep_reaches_the_subtree_in_pre_order_and_global_is_always() {
    let authority = authority();
    let org = units(&authority)
        .user("U", "B1", ["Deep reader"])
        .user("G", "B2", ["Global reader"])
        .build()
        .unwrap();
    let deep = org
        .principal_named("U")
        .unwrap()
        .access_filter(Read, "account");
    let c = conditions(deep.decision());
    assert_eq!(
        names(&org, c.business_units(), Organization::business_unit_name),
        ["B1", "B1a"]
    );
    let global = org.principal_named("G").unwrap();
    assert!(matches!(
        global.access_filter(Read, "account").decision(),
        FilterDecision::Always
    ));
    // An organization-owned table with the privilege held: every record.
    assert!(matches!(
        global.access_filter(Read, "msdyn_presence").decision(),
        FilterDecision::Always
    ));
}

#[test]
fn never_says_why() {
    let authority = authority();
    let org = units(&authority)
        .user("U", "B1", ["Basic user"])
        .build()
        .unwrap();
    let u = org.principal_named("U").unwrap();
    let never = |privilege, table| match u.access_filter(privilege, table).decision() {
        FilterDecision::Never(reason) => Some(*reason),
        _ => None,
    };
    assert_eq!(never(Delete, "account"), Some(DenialReason::NotHeld));
    assert_eq!(never(Read, "acount"), Some(DenialReason::Unknown));
    // msdyn_presence has no Assign privilege.
    assert_eq!(never(Assign, "msdyn_presence"), Some(DenialReason::Unknown));
    // Built from role names alone: only organization-owned tables can be decided.
    let roles_only = authority.principal("G", ["Global reader"]).unwrap();
    let presence = roles_only.access_filter(Read, "msdyn_presence");
    assert!(matches!(presence.decision(), FilterDecision::Always));
    assert!(matches!(
        roles_only.access_filter(Read, "account").decision(),
        FilterDecision::Never(DenialReason::NoOrganization)
    ));
    let record = RecordData::new(
        1,
        "msdyn_presence",
        rolegate::record::Owner::Organization,
        None,
    );
    assert!(presence.matches(&record));
    assert!(!presence.matches(&RecordData {
        table: "account".into(),
        ..record
    }));
}

#[test]
fn teams_own_share_and_reach_from_their_own_unit() {
    let authority = authority();
    let org = units(&authority)
        .user("U", "B1", ["Basic user"])
        .user_without_roles("Y", "B1")
        .owner_team(
            "Direct",
            "B1",
            ["U"],
            [("Basic user", Inheritance::DirectBasicAndTeam)],
        )
        .owner_team(
            "Only",
            "B2",
            ["U", "Y"],
            [("Team reader", Inheritance::TeamOnly)],
        )
        .access_team("Friends", "B1", ["U"])
        .build()
        .unwrap();
    let u = org.principal_named("U").unwrap();
    let c = conditions(u.access_filter(Read, "account").decision()).clone();
    // Team "Only" reads B2 at Local, from its own unit; U's own Basic reaches records of its owner teams too.
    assert_eq!(
        names(&org, c.business_units(), Organization::business_unit_name),
        ["B2"]
    );
    assert_eq!(
        names(&org, c.owner_teams(), Organization::team_name),
        ["Direct", "Only"]
    );
    assert_eq!(
        names(&org, c.share_teams(), Organization::team_name),
        ["Direct", "Only", "Friends"]
    );

    // Y holds nothing of its own: Create through a "team privileges only" role makes records team "Only" owns.
    let y = org.principal_named("Y").unwrap();
    let create = y.access_filter(Create, "account");
    let c = conditions(create.decision());
    assert_eq!(c.owner_users().len(), 0);
    assert_eq!(c.business_unit_count(), 0);
    assert_eq!(
        names(&org, c.owner_teams(), Organization::team_name),
        ["Only"]
    );
}

#[test]
fn the_manager_hierarchy_reaches_reports_by_level() {
    let authority = authority();
    let org = units(&authority)
        .user("M", "B1", ["Basic user"])
        .user("U", "B1", ["Basic user"])
        .user("V", "B1a", ["Basic user"])
        .user("N", "B1", ["Writer"])
        .user("U2", "B1", ["Basic user"])
        .manager("U", "M")
        .manager("V", "U")
        .manager("U2", "N")
        .owner_team_without_roles("Vs", "B1a", ["V"])
        .hierarchy(2)
        .build()
        .unwrap();
    let m = org.principal_named("M").unwrap();
    let read = m.access_filter(Read, "account");
    let c = conditions(read.decision());
    assert_eq!(
        names(&org, c.owner_users(), Organization::user_name),
        ["M", "U", "V"]
    );
    assert_eq!(
        names(&org, c.owner_teams(), Organization::team_name),
        ["Vs"]
    );
    assert_eq!(
        names(&org, c.share_users(), Organization::user_name),
        ["M", "U", "V"]
    );
    // Write: direct reports only.
    let write = m.access_filter(Write, "account");
    assert_eq!(
        names(
            &org,
            conditions(write.decision()).owner_users(),
            Organization::user_name
        ),
        ["M", "U"]
    );
    // Create is no hierarchy right.
    let create = m.access_filter(Create, "account");
    assert_eq!(
        names(
            &org,
            conditions(create.decision()).owner_users(),
            Organization::user_name
        ),
        ["M"]
    );
    // A manager without Read on the table reaches no report (N holds nothing: nothing at all).
    let n = org.principal_named("N").unwrap();
    assert!(matches!(
        n.access_filter(Read, "account").decision(),
        FilterDecision::Never(DenialReason::NotHeld)
    ));
}

#[test]
fn records_of_an_access_team_made_from_a_template_are_listed_by_id() {
    let authority = authority();
    let org = units(&authority)
        .user("U", "B1", ["Basic user"])
        .user("V", "B2", ["Basic user"])
        .access_team_template("Account team", "account", [Read, Write])
        .record_access_team("Account team", 7u128, ["U"])
        .record_access_team("Account team", 8u128, ["V"])
        .build()
        .unwrap();
    let u = org.principal_named("U").unwrap();
    let read = u.access_filter(Read, "account");
    let ids: Vec<u128> = conditions(read.decision())
        .record_ids()
        .map(|id| id.0)
        .collect();
    assert_eq!(ids, [7]);
    // The template grants Create on nothing and Delete not at all.
    let create = u.access_filter(Create, "account");
    assert_eq!(conditions(create.decision()).record_ids().len(), 0);
}

#[test]
fn business_owned_tables_have_no_owners_in_their_filter() {
    let authority = authority();
    let org = units(&authority)
        .user("U", "B1", ["Local reader"])
        .build()
        .unwrap();
    let u = org.principal_named("U").unwrap();
    let filter = u.access_filter(Read, "systemuser");
    assert!(filter.is_business_owned());
    let c = conditions(filter.decision());
    assert_eq!(c.owner_users().len(), 0);
    assert_eq!(
        names(&org, c.business_units(), Organization::business_unit_name),
        ["B1", "B1a"]
    );
}

#[test]
fn retain_keeps_the_readable_records_in_order() {
    let authority = authority();
    let org = units(&authority)
        .user("U", "B1", ["Local reader"])
        .user("V", "B1", ["Basic user"])
        .user("W", "B2", ["Basic user"])
        .user("X", "B1a", ["Basic user"])
        .build()
        .unwrap();
    let user = |name| org.user(name).unwrap();
    let mut records: Vec<RecordData> = ["W", "V", "X", "U", "W"]
        .into_iter()
        .enumerate()
        .map(|(i, owner)| RecordData::owned_by_user(&org, i as u128, "account", user(owner)))
        .collect();
    records[4] = records[4].clone().shared(Grantee::User(user("U")), [Read]);
    let u = org.principal_named("U").unwrap();
    let filter = u.access_filter(Read, "account");
    let ids: Vec<u128> = filter.select(&records).map(|r| r.id.0).collect();
    assert_eq!(
        ids,
        [1, 3, 4],
        "V's and U's own (B1), and W's record shared with U; not W's other nor X's (B1a)"
    );
    filter.retain(&mut records);
    assert_eq!(records.iter().map(|r| r.id.0).collect::<Vec<_>>(), ids);
    // A record owned by a user of another organisation is an unknown party: denied, as by the record check.
    let other = units(&authority)
        .user("U", "B1", ["Basic user"])
        .build()
        .unwrap();
    let stranger = RecordData::owned_by_user(&other, 9, "account", other.user("U").unwrap());
    assert!(!filter.matches(&stranger));
}
