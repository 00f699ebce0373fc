//! The worked examples of `docs/semantics.md`, one test each, reading like the examples.
//!
//! Business units: Root has children B1 and B2; B1 has child B1a. Users: U and V in B1, W in B2, X in B1a.

use TablePrivilege::{Append, AppendTo, Create, Delete, Read, Write};
use rolegate::catalog::Syntax;
use rolegate::org::{Inheritance, OrganizationBuilder};
use rolegate::record::{Grantee, Owner, reference};
use rolegate::{
    Authority, Catalog, DenialReason, Organization, Principal, RecordData, TablePrivilege,
};

const CATALOG: &str = r#"
[[table]]
name = "account"
ownership = "user-or-team"

[[table]]
name = "annotation"
display = "Note"
ownership = "user-or-team"

[[table]]
name = "opportunity"
ownership = "user-or-team"

[[table]]
name = "msdyn_presence"
ownership = "organization"

[[role]]
name = "Read Basic"
[role.grants]
account = { Read = "Basic" }

[[role]]
name = "Read Local"
[role.grants]
account = { Read = "Local" }

[[role]]
name = "Read Deep"
[role.grants]
account = { Read = "Deep" }

[[role]]
name = "Read Global"
[role.grants]
account = { Read = "Global" }

[[role]]
name = "Write Basic"
[role.grants]
account = { Read = "Basic", Write = "Basic" }

[[role]]
name = "R"
[role.grants]
account = { Read = "Local", Write = "Local" }

[[role]]
name = "R1"
[role.grants]
account = { Read = "Basic", Delete = "Basic" }

[[role]]
name = "R2"
[role.grants]
account = { Read = "Local", Write = "Local" }

[[role]]
name = "Team reader"
[role.grants]
account = { Read = "Local", Create = "Basic" }

[[role]]
name = "Team creator"
[role.grants]
account = { Read = "Local", Create = "Local" }

[[role]]
name = "Team creator Global"
[role.grants]
account = { Read = "Global", Create = "Global" }

[[role]]
name = "Assigner"
[role.grants]
account = { Read = "Local", Assign = "Local" }

[[role]]
name = "Sharer"
[role.grants]
account = { Read = "Local", Write = "Basic", Share = "Local" }

[[table]]
name = "systemuser"
ownership = "business"

[[role]]
name = "Users Local"
[role.grants]
systemuser = { Read = "Local" }

[[role]]
name = "Users Deep"
[role.grants]
systemuser = { Read = "Deep" }

[[role]]
name = "Users Global"
[role.grants]
systemuser = { Read = "Global" }

[[role]]
name = "Presence reader"
[role.grants]
msdyn_presence = { Read = "Global" }

[[role]]
name = "Notes"
[role.grants]
annotation = { Read = "Basic", Append = "Basic" }
opportunity = { Read = "Basic", AppendTo = "Basic" }

[[role]]
name = "Notes without AppendTo"
[role.grants]
annotation = { Read = "Basic", Append = "Basic" }
opportunity = { Read = "Basic" }
"#;

fn authority() -> Authority {
    Authority::new(Catalog::from_str_named(CATALOG, "semantics.toml", Syntax::Toml).unwrap())
}

/// Root has children B1 and B2; B1 has child B1a.
fn units(authority: &Authority) -> OrganizationBuilder {
    Organization::builder(authority)
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"))
        .business_unit("B1a", Some("B1"))
}

/// U holds `roles`; V in B1, W in B2 and X in B1a hold none.
fn org_where_u_holds(roles: &[&str]) -> Organization {
    units(&authority())
        .user("U", "B1", roles)
        .user_without_roles("V", "B1")
        .user_without_roles("W", "B2")
        .user_without_roles("X", "B1a")
        .build()
        .unwrap()
}

fn account_of(org: &Organization, id: u128, owner: &str) -> RecordData {
    RecordData::owned_by_user(org, id, "account", org.user(owner).unwrap())
}

fn principal(org: &Organization, name: &str) -> Principal {
    org.principal_named(name).unwrap()
}

/// Asserts the fast path and the reference evaluator agree, and returns the decision.
fn can(org: &Organization, who: &str, privilege: TablePrivilege, record: &RecordData) -> bool {
    let p = principal(org, who);
    let fast = p.can(privilege, record);
    let spec = reference::decide(org, org.user(who).unwrap(), privilege, record).is_some();
    assert_eq!(
        fast, spec,
        "fast path and reference disagree on {privilege} by {who} on {record:?}"
    );
    let slot = p.authority().table_slot(privilege, &record.table);
    assert_eq!(
        slot.is_some_and(|slot| p.can_at(slot, record)),
        spec,
        "can_at and reference disagree on {privilege} by {who} on {record:?}"
    );
    fast
}

#[test]
fn can_at_is_false_for_another_tables_slot_and_for_another_authoritys_slot() {
    let org = org_where_u_holds(&["Read Local", "Presence reader"]);
    let u = principal(&org, "U");
    let record = account_of(&org, 1, "U");
    let authority = u.authority();
    let read_account = authority.table_slot(Read, "account").unwrap();
    assert!(u.can_at(read_account, &record));
    // U holds Read on msdyn_presence at Global, but the record is an account: that slot does not decide it.
    let read_presence = authority.table_slot(Read, "msdyn_presence").unwrap();
    assert_eq!(u.depth_at(read_presence), Some(rolegate::Depth::Global));
    assert!(!u.can_at(read_presence, &record));
    // The same table and privilege resolved by another authority (of the same catalog): never read for U.
    let other = Authority::new(authority.catalog().clone());
    let theirs = other.table_slot(Read, "account").unwrap();
    assert!(!u.can_at(theirs, &record));
    assert_eq!(u.depth_at(theirs), None);
}

#[test]
fn example_1_read_local_reads_accounts_of_the_same_unit_only() {
    let org = org_where_u_holds(&["Read Local"]);
    assert!(
        can(&org, "U", Read, &account_of(&org, 1, "V")),
        "V's account is in B1, U's own unit"
    );
    assert!(
        !can(&org, "U", Read, &account_of(&org, 2, "W")),
        "W's account is in B2"
    );
    assert!(
        !can(&org, "U", Read, &account_of(&org, 3, "X")),
        "X's account is in B1a, below B1: Local does not reach it"
    );
}

#[test]
fn example_2_read_deep_reaches_child_units_and_global_reaches_all() {
    let org = org_where_u_holds(&["Read Deep"]);
    assert!(can(&org, "U", Read, &account_of(&org, 1, "V")));
    assert!(
        can(&org, "U", Read, &account_of(&org, 3, "X")),
        "Deep: B1a is below B1"
    );
    assert!(
        !can(&org, "U", Read, &account_of(&org, 2, "W")),
        "Deep: B2 is not below B1"
    );

    let org = org_where_u_holds(&["Read Global"]);
    for (id, owner) in [(1, "V"), (2, "W"), (3, "X")] {
        assert!(
            can(&org, "U", Read, &account_of(&org, id, owner)),
            "Global reads {owner}'s account"
        );
    }
}

#[test]
fn example_3_read_basic_reaches_owned_team_owned_and_shared_records() {
    let org = units(&authority())
        .user("U", "B1", ["Read Basic"])
        .user_without_roles("V", "B1")
        .owner_team_without_roles("T", "B2", ["U"])
        .access_team("A", "B2", ["U"])
        .build()
        .unwrap();
    let (u, v, t, a) = (
        org.user("U").unwrap(),
        org.user("V").unwrap(),
        org.team("T").unwrap(),
        org.team("A").unwrap(),
    );
    assert!(
        can(
            &org,
            "U",
            Read,
            &RecordData::owned_by_user(&org, 1, "account", u)
        ),
        "U owns it"
    );
    assert!(
        can(
            &org,
            "U",
            Read,
            &RecordData::owned_by_team(&org, 2, "account", t)
        ),
        "owner team T of U's owns it"
    );
    let v_account = || RecordData::owned_by_user(&org, 3, "account", v);
    assert!(
        can(
            &org,
            "U",
            Read,
            &v_account().shared(Grantee::User(u), [Read])
        ),
        "shared with U"
    );
    assert!(
        can(
            &org,
            "U",
            Read,
            &v_account().shared(Grantee::Team(t), [Read])
        ),
        "shared with T"
    );
    assert!(
        can(
            &org,
            "U",
            Read,
            &v_account().shared(Grantee::Team(a), [Read])
        ),
        "shared with access team A"
    );
    assert!(
        can(
            &org,
            "U",
            Read,
            &v_account().shared(Grantee::Organization, [Read])
        ),
        "shared with the organisation"
    );
    assert!(!can(&org, "U", Read, &v_account()), "V's unshared account");
    assert!(
        !can(
            &org,
            "U",
            Read,
            &v_account().shared(Grantee::User(u), [Write])
        ),
        "a share of Write is not Read"
    );
}

#[test]
fn example_4_a_share_never_grants_more_than_the_privilege_allows() {
    let org = org_where_u_holds(&[]);
    let u = org.user("U").unwrap();
    let shared = account_of(&org, 4, "V").shared(Grantee::User(u), [Read]);
    assert!(
        !can(&org, "U", Read, &shared),
        "U holds no Read on account: the share does not help"
    );
    let denied = principal(&org, "U")
        .check_record(Read, &shared)
        .unwrap_err();
    assert_eq!(denied.reason, DenialReason::NotHeld);
    assert_eq!(
        denied.to_string(),
        "missing Read on account for record 4: held through no role"
    );
}

#[test]
fn example_5_the_owner_writes_a_record_owned_in_another_unit() {
    let org = org_where_u_holds(&["Write Basic"]);
    let (u, b2) = (org.user("U").unwrap(), org.business_unit("B2").unwrap());
    // DECISION: the record's owning business unit (B2) is stored on it and differs from its owner's (B1).
    let record = RecordData::new(5, "account", Owner::User(u), Some(b2));
    assert!(can(&org, "U", Write, &record));

    // And depth is measured against the record's owning unit, not its owner's: Local in B1 misses V's record in B2.
    let org = org_where_u_holds(&["R"]);
    let v = org.user("V").unwrap();
    let moved = RecordData::new(
        6,
        "account",
        Owner::User(v),
        Some(org.business_unit("B2").unwrap()),
    );
    assert!(!can(&org, "U", Write, &moved));
}

#[test]
fn example_6_team_privileges_only_act_through_the_team() {
    let org = units(&authority())
        .user("U", "B1", [""; 0])
        .user("W", "B2", [""; 0])
        .user("V", "B1", [""; 0])
        .owner_team("T", "B2", ["U"], [("Team reader", Inheritance::TeamOnly)])
        .build()
        .unwrap();
    let (u, t) = (org.user("U").unwrap(), org.team("T").unwrap());
    assert!(
        can(&org, "U", Read, &account_of(&org, 1, "W")),
        "W's account is owned in B2, T's unit"
    );
    assert!(
        !can(&org, "U", Read, &account_of(&org, 2, "V")),
        "Local through T is measured from B2, not U's B1"
    );
    assert!(
        can(
            &org,
            "U",
            Create,
            &RecordData::owned_by_team(&org, 3, "account", t)
        ),
        "U creates accounts owned by T"
    );
    let own = RecordData::owned_by_user(&org, 4, "account", u);
    assert!(!can(&org, "U", Create, &own), "but not accounts owned by U");

    // With isinherited = 1 the same role is also U's own at Basic: U creates accounts it owns.
    let org = units(&authority())
        .user("U", "B1", [""; 0])
        .owner_team(
            "T",
            "B2",
            ["U"],
            [("Team reader", Inheritance::DirectBasicAndTeam)],
        )
        .build()
        .unwrap();
    let own = RecordData::owned_by_user(&org, 4, "account", org.user("U").unwrap());
    assert!(can(&org, "U", Create, &own));
}

/// "Team members who don't have user privileges of their own can create records with the team as the owner."
/// (<https://learn.microsoft.com/en-us/power-platform/admin/security-roles-privileges#team-members-privilege-inheritance>)
#[test]
fn example_6_team_privileges_only_a_member_creates_only_records_the_team_owns_whatever_the_depth() {
    for role in ["Team creator", "Team creator Global"] {
        let org = units(&authority())
            .user_without_roles("U", "B1")
            .user_without_roles("V", "B2")
            .owner_team("T", "B2", ["U"], [(role, Inheritance::TeamOnly)])
            .build()
            .unwrap();
        let (u, t, b2) = (
            org.user("U").unwrap(),
            org.team("T").unwrap(),
            org.business_unit("B2").unwrap(),
        );
        assert!(
            can(
                &org,
                "U",
                Create,
                &RecordData::owned_by_team(&org, 1, "account", t)
            ),
            "{role}: U creates accounts owned by T"
        );
        assert!(
            !can(
                &org,
                "U",
                Create,
                &RecordData::new(2, "account", Owner::User(u), Some(b2))
            ),
            "{role}: not an account owned by U, even in T's unit B2"
        );
        assert!(
            !can(&org, "U", Create, &account_of(&org, 3, "V")),
            "{role}: nor one owned by a colleague in T's unit"
        );
        assert!(
            can(&org, "U", Read, &account_of(&org, 3, "V")),
            "{role}: Read through the same role still reaches B2"
        );
    }
}

/// DECISION: the Create rule holds for the team part of an `isinherited = 1` role too: "The team members can create
/// records with themselves as the owner and records with the team as the owner" (same page); a colleague's record is
/// neither.
#[test]
fn example_6_direct_basic_and_team_privileges_create_the_members_own_records_and_the_teams() {
    let org = units(&authority())
        .user_without_roles("U", "B1")
        .user_without_roles("V", "B2")
        .owner_team(
            "T",
            "B2",
            ["U"],
            [("Team creator", Inheritance::DirectBasicAndTeam)],
        )
        .build()
        .unwrap();
    let (u, t) = (org.user("U").unwrap(), org.team("T").unwrap());
    assert!(can(
        &org,
        "U",
        Create,
        &RecordData::owned_by_user(&org, 1, "account", u)
    ));
    assert!(can(
        &org,
        "U",
        Create,
        &RecordData::owned_by_team(&org, 2, "account", t)
    ));
    assert!(!can(&org, "U", Create, &account_of(&org, 3, "V")));
}

/// Business-owned tables (`businessunit`, `systemuser`, `team`) take Local, Deep and Global; their records are owned
/// by a business unit ("BusinessOwned: The entity is owned by a business unit",
/// <https://learn.microsoft.com/en-us/dotnet/api/microsoft.xrm.sdk.metadata.ownershiptypes>), so depth decides.
#[test]
fn records_of_business_owned_tables_are_owned_by_their_business_unit_and_reached_by_depth() {
    let user_in = |org: &Organization, id: u128, unit: &str| {
        RecordData::owned_by_business_unit(id, "systemuser", org.business_unit(unit).unwrap())
    };
    let org = org_where_u_holds(&["Users Local"]);
    assert!(
        can(&org, "U", Read, &user_in(&org, 1, "B1")),
        "Local: U's unit"
    );
    assert!(
        !can(&org, "U", Read, &user_in(&org, 2, "B1a")),
        "Local: not below it"
    );
    assert!(!can(&org, "U", Read, &user_in(&org, 3, "B2")));

    let org = org_where_u_holds(&["Users Deep"]);
    assert!(can(&org, "U", Read, &user_in(&org, 1, "B1")));
    assert!(
        can(&org, "U", Read, &user_in(&org, 2, "B1a")),
        "Deep: below B1"
    );
    assert!(!can(&org, "U", Read, &user_in(&org, 3, "B2")));
    assert!(
        !can(&org, "U", Read, &user_in(&org, 4, "Root")),
        "Deep: not above B1"
    );

    let org = org_where_u_holds(&["Users Global"]);
    for (id, unit) in [(1, "B1"), (2, "B1a"), (3, "B2"), (4, "Root")] {
        assert!(
            can(&org, "U", Read, &user_in(&org, id, unit)),
            "Global: {unit}"
        );
    }
    // Through an owner team, depth is measured from the team's unit.
    let org = units(&authority())
        .user_without_roles("U", "B1")
        .owner_team("T", "B2", ["U"], [("Users Local", Inheritance::TeamOnly)])
        .build()
        .unwrap();
    assert!(can(&org, "U", Read, &user_in(&org, 1, "B2")));
    assert!(!can(&org, "U", Read, &user_in(&org, 2, "B1")));
}

/// DECISION: an owner of the wrong form is unknown, so denied: a user or team owning a business-owned table's record,
/// or a business unit owning a user-or-team-owned table's.
#[test]
fn an_owner_of_the_wrong_form_for_its_table_is_denied_as_unknown() {
    let org = org_where_u_holds(&["Users Global", "Read Global"]);
    let (u, b1) = (org.user("U").unwrap(), org.business_unit("B1").unwrap());
    let user_owned_systemuser = RecordData::new(1, "systemuser", Owner::User(u), Some(b1));
    assert!(!can(&org, "U", Read, &user_owned_systemuser));
    let denied = principal(&org, "U")
        .check_record(Read, &user_owned_systemuser)
        .unwrap_err();
    assert_eq!(denied.reason, DenialReason::UnknownRecordParty);
    assert_eq!(
        denied.to_string(),
        "missing Read on systemuser for record 1: `systemuser` is business-owned: its records are owned by their \
         business unit, not by a user or a team, so it is denied"
    );
    let unit_owned_account = RecordData::owned_by_business_unit(2, "account", b1);
    assert!(!can(&org, "U", Read, &unit_owned_account));
    assert_eq!(
        principal(&org, "U")
            .check_record(Read, &unit_owned_account)
            .unwrap_err()
            .to_string(),
        "missing Read on account for record 2: the record is owned by its business unit, but `account` is not \
         business-owned, so it is denied"
    );
}

/// "Anyone with Assign access rights on a record can assign that record to another user. When a record is assigned,
/// the new user or team becomes the owner of the record"
/// (<https://learn.microsoft.com/en-us/power-apps/developer/data-platform/security-sharing-assigning#assigning-records>).
/// DECISION: the new owner must hold Read on the table (any depth, any role): a record is not handed to an owner that
/// could not read it.
#[test]
fn assigning_a_record_needs_assign_on_it_and_a_new_owner_holding_read_on_the_table() {
    let org = units(&authority())
        .user("U", "B1", ["Assigner"])
        .user("V", "B1", ["Read Basic"])
        .user_without_roles("W", "B2")
        .owner_team("T", "B2", ["W"], [("Read Basic", Inheritance::TeamOnly)])
        .owner_team_without_roles("E", "B2", ["W"])
        .access_team("A", "B2", ["V"])
        .build()
        .unwrap();
    let u = principal(&org, "U");
    let assign = |record: &RecordData, to: Owner| {
        let fast = u.check_assign(record, to);
        let spec = reference::decide_assign(&org, org.user("U").unwrap(), &[], record, to);
        assert_eq!(fast.is_ok(), spec, "assigning {record:?} to {to:?}");
        fast
    };
    let v_account = account_of(&org, 1, "V");
    let (v, w) = (org.user("V").unwrap(), org.user("W").unwrap());
    assert!(
        assign(&v_account, Owner::User(v)).is_ok(),
        "V reads accounts"
    );
    assert!(
        assign(&v_account, Owner::Team(org.team("T").unwrap())).is_ok(),
        "owner team T reads accounts"
    );
    assert!(
        assign(&v_account, Owner::User(w)).is_ok(),
        "W reads accounts through its team T"
    );
    let denied = assign(&v_account, Owner::Team(org.team("E").unwrap())).unwrap_err();
    assert_eq!(denied.reason, DenialReason::NewOwnerCannotRead);
    assert_eq!(
        denied.to_string(),
        "missing Read on account for record 1: the new owner `E` holds Read on `account` through no role, so the \
         record cannot be assigned to it"
    );
    assert_eq!(
        assign(&v_account, Owner::Team(org.team("A").unwrap()))
            .unwrap_err()
            .reason,
        DenialReason::UnknownRecordParty,
        "an access team owns nothing"
    );
    // U's Assign is Local: W's account in B2 is out of reach, whoever the new owner.
    let denied = assign(&account_of(&org, 2, "W"), Owner::User(v)).unwrap_err();
    assert_eq!(
        (denied.reason, denied.privilege()),
        (DenialReason::NoAccess, Some(TablePrivilege::Assign))
    );
}

/// "The owner of a record or a person who has the Share privilege on a record can share a record with other users or
/// teams" (<https://learn.microsoft.com/en-us/power-platform/admin/security-roles-privileges>). DECISION: and shares
/// only rights it holds on that record itself; a share of a right it lacks is denied, naming that right.
#[test]
fn a_principal_shares_a_record_for_no_more_rights_than_it_holds_on_it() {
    let org = units(&authority())
        .user("U", "B1", ["Sharer"])
        .user_without_roles("V", "B1")
        .build()
        .unwrap();
    let u = principal(&org, "U");
    let share = |record: &RecordData, rights: &[TablePrivilege]| {
        let fast = u.check_share(record, rights.iter().copied());
        let spec = reference::decide_share(
            &org,
            org.user("U").unwrap(),
            &[],
            record,
            rights.iter().copied(),
        );
        assert_eq!(fast.is_ok(), spec, "sharing {record:?} for {rights:?}");
        fast
    };
    let (own, vs) = (account_of(&org, 1, "U"), account_of(&org, 2, "V"));
    assert!(
        share(&own, &[Read, Write]).is_ok(),
        "U reads and writes its own account"
    );
    assert!(share(&vs, &[Read]).is_ok(), "U reads V's account (Local)");
    let denied = share(&vs, &[Read, Write]).unwrap_err();
    assert_eq!(
        (denied.reason, denied.privilege()),
        (DenialReason::NoAccess, Some(Write)),
        "U's Write is Basic: it cannot share Write on V's account"
    );
    let denied = share(&own, &[Delete]).unwrap_err();
    assert_eq!(
        (denied.reason, denied.privilege()),
        (DenialReason::NotHeld, Some(Delete))
    );
    let org = org_where_u_holds(&["R"]);
    assert_eq!(
        principal(&org, "U")
            .check_share(&account_of(&org, 3, "U"), [Read])
            .unwrap_err()
            .privilege(),
        Some(TablePrivilege::Share),
        "without Share, nothing is shared"
    );
}

#[test]
fn a_denial_offers_the_privilege_and_the_table_it_names() {
    let org = org_where_u_holds(&["Read Local"]);
    let denied = principal(&org, "U")
        .check_record(Write, &account_of(&org, 1, "V"))
        .unwrap_err();
    assert_eq!(denied.privilege(), Some(Write));
    assert_eq!(denied.table(), Some("account"));
    let misc = principal(&org, "U")
        .check(&rolegate::Requirement::Misc {
            name: "prvPublishCustomization".into(),
        })
        .unwrap_err();
    assert_eq!((misc.privilege(), misc.table()), (None, None));
}

#[test]
fn example_7_roles_are_cumulative_and_the_highest_depth_wins() {
    let org = org_where_u_holds(&["R1", "R2"]);
    let u = principal(&org, "U");
    let catalog = org.authority().catalog();
    let held = |p: &str| u.held(&catalog.resolve(p, Some("account"), None).unwrap());
    assert_eq!(held("Read"), Some(rolegate::Depth::Local));
    assert_eq!(held("Write"), Some(rolegate::Depth::Local));
    assert_eq!(held("Delete"), Some(rolegate::Depth::Basic));
    assert!(can(&org, "U", Read, &account_of(&org, 1, "V")));
    assert!(can(&org, "U", Write, &account_of(&org, 1, "V")));
    assert!(
        !can(&org, "U", Delete, &account_of(&org, 1, "V")),
        "Delete is only Basic"
    );
    assert!(can(&org, "U", Delete, &account_of(&org, 2, "U")));
}

#[test]
fn example_8_organization_owned_tables_have_no_owner_to_check() {
    let org = org_where_u_holds(&["Presence reader"]);
    let presence = RecordData::new(8, "msdyn_presence", Owner::Organization, None);
    assert!(
        can(&org, "U", Read, &presence),
        "any Read grant reads every record"
    );
    assert!(!can(&org, "V", Read, &presence), "no Read grant, no read");

    // A principal built from the authority alone decides it too: there is nothing to check in step 2.
    let plain = org.authority().principal("p", ["Presence reader"]).unwrap();
    assert!(plain.can(Read, &presence));
    assert_eq!(
        plain.check_record(Write, &presence).unwrap_err().reason,
        DenialReason::NotHeld
    );

    let catalog = org.authority().catalog();
    assert!(
        catalog
            .resolve("Assign", Some("msdyn_presence"), None)
            .is_err(),
        "no Assign"
    );
    assert!(
        catalog
            .resolve("Share", Some("msdyn_presence"), None)
            .is_err(),
        "no Share"
    );
    assert!(
        catalog
            .resolve("Read", Some("msdyn_presence"), Some("Local"))
            .is_err(),
        "Read at Local is a mistake"
    );
    let assign = principal(&org, "U")
        .check_record(TablePrivilege::Assign, &presence)
        .unwrap_err();
    assert_eq!(assign.reason, DenialReason::Unknown);
}

/// M manages R1, R1 manages R2, R2 manages R3; all in B1 with Read and Write at Basic.
fn managers(depth: Option<u8>, manager_role: &str, manager_unit: &str) -> Organization {
    let b = units(&authority())
        .user("M", manager_unit, [manager_role])
        .user("R1", "B1", ["Write Basic"])
        .user("R2", "B1", ["Write Basic"])
        .user("R3", "B1", ["Write Basic"])
        .manager("R1", "M")
        .manager("R2", "R1")
        .manager("R3", "R2");
    match depth {
        Some(d) => b.hierarchy(d).build().unwrap(),
        None => b.build().unwrap(),
    }
}

#[test]
fn example_9_managers_reach_their_reports_records_down_to_the_configured_depth() {
    let org = managers(Some(2), "Write Basic", "B1");
    let r1 = account_of(&org, 1, "R1");
    let r2 = account_of(&org, 2, "R2");
    let r3 = account_of(&org, 3, "R3");
    assert!(
        can(&org, "M", Read, &r1) && can(&org, "M", Write, &r1),
        "M reads and writes R1's records"
    );
    assert!(
        can(&org, "M", Read, &r2) && !can(&org, "M", Write, &r2),
        "M only reads R2's"
    );
    assert!(!can(&org, "M", Read, &r3), "nothing below the depth");
    assert!(
        !can(&org, "M", Delete, &r1),
        "the hierarchy never grants Delete"
    );

    // Records shared with a report are reached too.
    let r3_shared = r3
        .clone()
        .shared(Grantee::User(org.user("R1").unwrap()), [Read]);
    assert!(can(&org, "M", Read, &r3_shared));

    // Off by default.
    let off = managers(None, "Write Basic", "B1");
    assert!(!can(&off, "M", Read, &account_of(&off, 1, "R1")));
}

#[test]
fn example_9_decision_the_manager_needs_read_and_a_unit_at_or_above_the_report() {
    // The manager holds Write but no Read on account: nothing through the hierarchy.
    let cat = format!(
        "{CATALOG}\n[[role]]\nname = \"Write only\"\n[role.grants]\naccount = {{ Write = \"Basic\" }}\n"
    );
    let authority =
        Authority::new(Catalog::from_str_named(&cat, "semantics.toml", Syntax::Toml).unwrap());
    let org = units(&authority)
        .user("M", "B1", ["Write only"])
        .user("R1", "B1", ["Write Basic"])
        .manager("R1", "M")
        .hierarchy(2)
        .build()
        .unwrap();
    assert!(!can(&org, "M", Write, &account_of(&org, 1, "R1")));

    // A manager in B1a (below the report's B1) does not reach the report's records; one in Root does.
    let below = managers(Some(2), "Write Basic", "B1a");
    assert!(!can(&below, "M", Read, &account_of(&below, 1, "R1")));
    let above = managers(Some(2), "Write Basic", "Root");
    assert!(can(&above, "M", Write, &account_of(&above, 1, "R1")));
}

#[test]
fn example_10_attaching_a_note_needs_append_on_it_and_append_to_on_the_opportunity() {
    let org = units(&authority())
        .user("U", "B1", ["Notes"])
        .user("N", "B1", ["Notes without AppendTo"])
        .user("V", "B1", [""; 0])
        .build()
        .unwrap();
    let record = |id: u128, table: &str, owner: &str| {
        RecordData::owned_by_user(&org, id, table, org.user(owner).unwrap())
    };
    let note = record(1, "annotation", "U");
    let opportunity = record(2, "opportunity", "U");
    assert!(
        principal(&org, "U")
            .check_association(&note, &opportunity)
            .is_ok()
    );
    assert!(can(&org, "U", Append, &note) && can(&org, "U", AppendTo, &opportunity));

    // Without AppendTo on opportunity: denied, naming AppendTo.
    let (n_note, n_opportunity) = (record(3, "annotation", "N"), record(4, "opportunity", "N"));
    let denied = principal(&org, "N")
        .check_association(&n_note, &n_opportunity)
        .unwrap_err();
    assert_eq!(
        denied.to_string(),
        "missing AppendTo on opportunity for record 4: held through no role"
    );

    // AppendTo held, but the opportunity (V's, Basic) is not reachable: its own access check fails.
    let v_opportunity = record(5, "opportunity", "V");
    let denied = principal(&org, "U")
        .check_association(&note, &v_opportunity)
        .unwrap_err();
    assert_eq!(denied.reason, DenialReason::NoAccess);
    // And Append on the note is checked against the note: V's note is out of reach.
    assert!(
        principal(&org, "U")
            .check_association(&record(6, "annotation", "V"), &opportunity)
            .is_err()
    );
}

#[test]
fn record_denials_say_which_path_failed() {
    let org = org_where_u_holds(&["R"]);
    let record = RecordData::new(
        42,
        "account",
        Owner::User(org.user("W").unwrap()),
        org.business_unit("B2"),
    );
    let denied = principal(&org, "U")
        .check_record(Write, &record)
        .unwrap_err();
    assert_eq!(denied.reason, DenialReason::NoAccess);
    assert_eq!(
        denied.to_string(),
        "missing Write on account for record 42: held Local through role \"R\", but the record's owning business unit \
         B2 is outside B1; not owner, not shared"
    );
    // The parts, named when read.
    let parts = denied.record.as_deref().expect("a record denial");
    assert_eq!(parts.id.0, 42);
    assert_eq!(parts.table, "account");
    assert_eq!(parts.owning_business_unit(), Some("B2"));
    assert_eq!(parts.reach(), ["B1"]);
    assert!(!parts.hierarchy);
    assert_eq!(parts.note, None);
    // Debug shows the parts by name, not the organisation they are read from.
    let debug = format!("{parts:?}");
    assert!(
        debug.contains(r#"owning_business_unit: Some("B2")"#),
        "{debug}"
    );
    assert!(debug.contains(r#"reach: ["B1"]"#), "{debug}");
    assert!(!debug.contains("Organization"), "{debug}");

    let org = org_where_u_holds(&["Write Basic"]);
    let denied = principal(&org, "U")
        .check_record(Write, &account_of(&org, 7, "V"))
        .unwrap_err();
    assert_eq!(
        denied.to_string(),
        "missing Write on account for record 7: held Basic through role \"Write Basic\", which reaches only records \
         the principal or its teams own; not owner, not shared"
    );
}

#[test]
fn a_denial_under_team_privileges_only_names_the_team_and_what_its_role_reaches() {
    let org = units(&authority())
        .user_without_roles("U", "B1")
        .owner_team("T", "B2", ["U"], [("Read Basic", Inheritance::TeamOnly)])
        .owner_team("C", "B2", ["U"], [("Team creator", Inheritance::TeamOnly)])
        .build()
        .unwrap();
    let u = org.user("U").unwrap();
    // U owns the record, but neither team's role counts U's own records: Local through C is measured from B2.
    let own = RecordData::owned_by_user(&org, 1, "account", u);
    let denied = principal(&org, "U").check_record(Read, &own).unwrap_err();
    assert_eq!(denied.through_team(), Some("C"));
    assert_eq!(
        denied.to_string(),
        "missing Read on account for record 1: held Local through role \"Team creator\" of team \"C\", but the \
         record's owning business unit B1 is outside B2 (team C); not shared"
    );
    let only_t = units(&authority())
        .user_without_roles("U", "B1")
        .owner_team("T", "B2", ["U"], [("Read Basic", Inheritance::TeamOnly)])
        .build()
        .unwrap();
    let own = RecordData::owned_by_user(&only_t, 1, "account", only_t.user("U").unwrap());
    let denied = principal(&only_t, "U")
        .check_record(Read, &own)
        .unwrap_err();
    assert_eq!(denied.reason, DenialReason::NoAccess);
    assert_eq!(
        denied.to_string(),
        "missing Read on account for record 1: held Basic through role \"Read Basic\" of team \"T\", which reaches \
         only records team \"T\" owns; not shared"
    );
    // Create through C's role: only C's records, even in C's own unit.
    let in_b2 = RecordData::new(2, "account", Owner::User(u), org.business_unit("B2"));
    let denied = principal(&org, "U")
        .check_record(Create, &in_b2)
        .unwrap_err();
    assert_eq!(
        denied.to_string(),
        "missing Create on account for record 2: held Local through role \"Team creator\" of team \"C\", which \
         creates only records team \"C\" owns; not shared"
    );
}

#[test]
fn a_denial_says_for_which_rights_the_record_is_shared() {
    let org = org_where_u_holds(&["Write Basic"]);
    let u = org.user("U").unwrap();
    let shared = account_of(&org, 7, "V").shared(Grantee::User(u), [Read, Append]);
    assert!(can(&org, "U", Read, &shared));
    let denied = principal(&org, "U")
        .check_record(Write, &shared)
        .unwrap_err();
    assert_eq!(denied.through_team(), None);
    assert_eq!(
        denied.to_string(),
        "missing Write on account for record 7: held Basic through role \"Write Basic\", which reaches only records \
         the principal or its teams own; not owner, shared for Read, Append only"
    );
}

#[test]
fn anything_unknown_on_a_record_is_denied_with_a_reason() {
    let org = org_where_u_holds(&["Read Global"]);
    let other = org_where_u_holds(&["Read Global"]);
    let u = principal(&org, "U");
    // An owner from another organisation.
    let foreign = account_of(&other, 1, "V");
    let denied = u.check_record(Read, &foreign).unwrap_err();
    assert_eq!(denied.reason, DenialReason::UnknownRecordParty);
    // No owning business unit.
    let nowhere = RecordData::new(2, "account", Owner::User(org.user("V").unwrap()), None);
    assert_eq!(
        u.check_record(Read, &nowhere).unwrap_err().reason,
        DenialReason::UnknownRecordParty
    );
    // An unknown table.
    let odd = RecordData::new(
        3,
        "contact",
        Owner::User(org.user("V").unwrap()),
        org.business_unit("B1"),
    );
    assert_eq!(
        u.check_record(Read, &odd).unwrap_err().reason,
        DenialReason::Unknown
    );
    // A principal with no organisation on a user-owned table.
    let plain = org.authority().principal("p", ["Read Global"]).unwrap();
    assert_eq!(
        plain
            .check_record(Read, &account_of(&org, 4, "V"))
            .unwrap_err()
            .reason,
        DenialReason::NoOrganization
    );
}

#[test]
fn a_call_site_checks_records_through_its_cached_slot() {
    use rolegate::site::{CallSite, SiteRequirement};
    static WRITE_ACCOUNT: CallSite = CallSite::new(
        SiteRequirement::Table {
            privilege: Write,
            table: "account",
            depth: None,
        },
        "rename_account",
        module_path!(),
        file!(),
        line!(),
        column!(),
    );
    let org = org_where_u_holds(&["R"]);
    let u = principal(&org, "U");
    assert!(
        u.check_record_site(&WRITE_ACCOUNT, &account_of(&org, 1, "V"))
            .is_ok()
    );
    assert!(
        u.check_record_site(&WRITE_ACCOUNT, &account_of(&org, 1, "V"))
            .is_ok(),
        "and again from the cache"
    );
    let denied = u
        .check_record_site(&WRITE_ACCOUNT, &account_of(&org, 2, "W"))
        .unwrap_err();
    assert_eq!(denied.reason, DenialReason::NoAccess);
    assert!(std::ptr::eq(denied.site.unwrap(), &WRITE_ACCOUNT));
    let note = RecordData::owned_by_user(&org, 3, "annotation", org.user("V").unwrap());
    assert_eq!(
        u.check_record_site(&WRITE_ACCOUNT, &note)
            .unwrap_err()
            .reason,
        DenialReason::WrongTable
    );
}

#[test]
fn a_share_store_supplies_shares_kept_apart_from_records() {
    let org = org_where_u_holds(&["Read Basic"]);
    let mut store = rolegate::record::ShareStore::new();
    let record = account_of(&org, 9, "V");
    assert!(!principal(&org, "U").can(Read, &store.with(&record)));
    store.share(
        "account",
        9u64,
        Grantee::User(org.user("U").unwrap()),
        [Read].into_iter().collect(),
    );
    assert!(principal(&org, "U").can(Read, &store.with(&record)));
    store.revoke("account", 9u64, Grantee::User(org.user("U").unwrap()));
    assert!(!principal(&org, "U").can(Read, &store.with(&record)));
}

#[test]
fn memory_bytes_counts_the_record_scope_of_an_organisation_principal() {
    let org = org_where_u_holds(&["Read Local"]);
    let authority = org.authority().clone();
    let plain = authority.principal("U", ["Read Local"]).unwrap();
    let scoped = principal(&org, "U");
    // The row: one byte per slot, counted whole by each principal that shares it.
    assert_eq!(plain.row_bytes(), authority.slot_count());
    assert_eq!(scoped.row_bytes(), authority.slot_count());
    assert!(plain.memory_bytes() > plain.row_bytes());
    // The scope keeps an index per slot (4 bytes each) besides the rank row.
    assert!(
        scoped.memory_bytes() >= plain.memory_bytes() + 4 * authority.slot_count(),
        "{} vs {}",
        scoped.memory_bytes(),
        plain.memory_bytes()
    );
}
