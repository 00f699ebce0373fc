//! Applying changes: each mistake is refused with the message a build gives for it, nothing applied; the live handle
//! publishes applied changes through the same validation as whole data, and a refused update shows in its status.

use rolegate::live::{Live, Made, RoleData, Update, UpdateError};
use rolegate::org::{Change, Inheritance, OrganizationBuilder, TeamKind};
use rolegate::record::{Grantee, RecordId};
use rolegate::{Authority, Organization, TablePrivilege};

const GROUP: &str = "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f";

/// The organisation of these tests, with grace in `grace_unit` and Tier 2's extra member: the builder's input a change
/// is folded into.
fn builder_where(grace_unit: &str, tier2_member: Option<&str>) -> OrganizationBuilder {
    let agent = [("Omnichannel agent", Inheritance::TeamOnly)];
    let b = Organization::builder(&Authority::builtin())
        .business_unit("Root", None)
        .business_unit("Service", Some("Root"))
        .user("ada", "Root", ["Omnichannel supervisor"])
        .user("alan", "Service", ["Omnichannel agent"])
        .user_without_roles("grace", grace_unit)
        .manager("alan", "ada")
        .owner_team(
            "Tier 2",
            "Service",
            ["alan"].into_iter().chain(tier2_member),
            agent,
        );
    b.access_team("Reviewers", "Root", ["ada"]).group_team(
        "Escalations",
        "Root",
        TeamKind::EntraSecurityGroup,
        GROUP,
        agent,
    )
}

fn builder() -> OrganizationBuilder {
    builder_where("Service", None)
}

fn messages(error: &rolegate::org::BuildError) -> Vec<&str> {
    error.problems.iter().map(|p| p.message.as_str()).collect()
}

#[test]
fn each_mistake_is_refused_with_the_message_a_build_gives() {
    let org = builder().build().unwrap();
    let cases: Vec<(Change, OrganizationBuilder)> = vec![
        (
            Change::assign_role("ada", "Omnichannel agnet"),
            builder().role_in("ada", "Omnichannel agnet", "Root"),
        ),
        (
            Change::AssignRole {
                user: "ada".into(),
                role: "Omnichannel agent".into(),
                business_unit: Some("Servce".into()),
            },
            builder().role_in("ada", "Omnichannel agent", "Servce"),
        ),
        (
            Change::assign_role("ghost", "Omnichannel agent"),
            builder().role_in("ghost", "Omnichannel agent", "Root"),
        ),
        (
            Change::MoveUser {
                user: "grace".into(),
                business_unit: "Sales".into(),
            },
            builder_where("Sales", None),
        ),
        (
            Change::SetManager {
                user: "ada".into(),
                manager: Some("alan".into()),
            },
            builder().manager("ada", "alan"),
        ),
        (
            Change::SetManager {
                user: "ada".into(),
                manager: Some("ada".into()),
            },
            builder().manager("ada", "ada"),
        ),
        (
            Change::SetManager {
                user: "ada".into(),
                manager: Some("adam".into()),
            },
            builder().manager("ada", "adam"),
        ),
        (
            Change::add_team_member("Tier 2", "gracie"),
            builder_where("Service", Some("gracie")),
        ),
    ];
    for (change, folded) in cases {
        let applied = org.apply(std::slice::from_ref(&change)).unwrap_err();
        let built = folded.build().unwrap_err();
        let expected: Vec<&str> = messages(&built)
            .into_iter()
            .filter(|m| !m.contains("defined twice") && !m.contains("two business units"))
            .collect();
        assert!(!expected.is_empty(), "{change:?}");
        for message in expected {
            assert!(
                messages(&applied).contains(&message),
                "{change:?}: {applied} lacks {message}"
            );
        }
    }
    let group = org
        .apply(&[Change::add_team_member("Escalations", "ada")])
        .unwrap_err();
    assert_eq!(
        messages(&group),
        [
            "group team `Escalations` lists members; a group team's members come from the caller's token"
        ]
    );
    let access = Change::AssignTeamRole {
        team: "Reviewers".into(),
        role: "Omnichannel agent".into(),
        inheritance: Inheritance::TeamOnly,
    };
    let access = org.apply(&[access]).unwrap_err();
    assert_eq!(
        messages(&access),
        ["access team `Reviewers` holds roles; access teams hold none"]
    );
    let unknown = org
        .apply(&[Change::remove_team_member("Tier 3", "ada")])
        .unwrap_err();
    assert_eq!(unknown.problems[0].message, "team `Tier 3` is not defined");
    assert_eq!(
        unknown.problems[0].help.as_deref(),
        Some("did you mean `Tier 2`?")
    );
}

#[test]
fn every_problem_is_listed_and_nothing_is_applied() {
    let org = builder().build().unwrap();
    let ada = org.user("ada").unwrap();
    let error = org
        .apply(&[
            Change::assign_role("ada", "Omnichannel agent"),
            Change::assign_role("ada", "Nobody"),
            Change::add_team_member("Tier 2", "ghost"),
        ])
        .unwrap_err();
    assert_eq!(error.problems.len(), 2, "{error}");
    assert_eq!(
        org.user_roles(ada).count(),
        1,
        "the organisation is as it was"
    );
}

#[test]
fn an_applied_organisation_keeps_the_ids_and_changes_only_what_it_was_told() {
    let org = builder().build().unwrap();
    let (ada, alan, grace) = (
        org.user("ada").unwrap(),
        org.user("alan").unwrap(),
        org.user("grace").unwrap(),
    );
    let tier2 = org.team("Tier 2").unwrap();
    let next = org
        .apply(&[
            Change::add_team_member("Tier 2", "grace"),
            Change::MoveUser {
                user: "alan".into(),
                business_unit: "Root".into(),
            },
            Change::SetManager {
                user: "alan".into(),
                manager: None,
            },
            Change::revoke_role("ada", "Omnichannel supervisor"),
            Change::AssignTeamRole {
                team: "Tier 2".into(),
                role: "Omnichannel agent".into(),
                inheritance: Inheritance::DirectBasicAndTeam,
            },
        ])
        .unwrap();
    assert_eq!(next.user_teams(grace).collect::<Vec<_>>(), [tier2]);
    assert_eq!(next.user_business_unit(alan), next.business_unit("Root"));
    assert_eq!(next.user_manager(alan), None);
    assert_eq!(next.user_roles(ada).count(), 0);
    let modes: Vec<Inheritance> = next.team_roles(tier2).map(|(_, mode)| mode).collect();
    assert_eq!(modes, [Inheritance::DirectBasicAndTeam]);
    // The old one, unchanged.
    assert_eq!(org.user_teams(grace).count(), 0);
    assert_eq!(org.user_business_unit(alan), org.business_unit("Service"));
    assert_eq!(org.user_manager(alan), Some(ada));
    assert_eq!(org.user_roles(ada).count(), 1);
    // A role held in the user's own unit moves with it; one assigned in a named unit stays there.
    let moved = org
        .apply(&[
            Change::AssignRole {
                user: "grace".into(),
                role: "Omnichannel agent".into(),
                business_unit: Some("Service".into()),
            },
            Change::assign_role("grace", "Omnichannel supervisor"),
            Change::MoveUser {
                user: "grace".into(),
                business_unit: "Root".into(),
            },
        ])
        .unwrap();
    let mut held: Vec<(String, Option<&str>)> = moved
        .user_roles(grace)
        .map(|(role, unit)| (role.name.clone(), moved.business_unit_name(unit)))
        .collect();
    held.sort();
    assert_eq!(
        held,
        [
            ("Omnichannel agent".to_owned(), Some("Service")),
            ("Omnichannel supervisor".to_owned(), Some("Root"))
        ]
    );
}

#[test]
fn live_apply_publishes_through_the_same_validation_and_a_refusal_shows_in_the_status() {
    let org = builder().build().unwrap();
    let grace = org.user("grace").unwrap();
    let live = Live::new(RoleData::new(1, org)).unwrap();
    let pinned = live.pin();
    let share = Update::Share {
        table: "incident".into(),
        record: RecordId(42),
        grantee: Grantee::User(grace),
        rights: [TablePrivilege::Read].into_iter().collect(),
    };
    let snapshot = live
        .apply(
            2,
            &[
                Change::assign_role("grace", "Omnichannel agent").into(),
                share,
            ],
        )
        .unwrap();
    assert_eq!(snapshot.version(), 2);
    assert_eq!(snapshot.principal(grace).unwrap().roles().count(), 1);
    assert_eq!(snapshot.shares().shares("incident", RecordId(42)).len(), 1);
    assert_eq!(live.status().made, Made::Applied { updates: 2 });
    assert_eq!(
        pinned.principal(grace).unwrap().roles().count(),
        0,
        "a pinned snapshot stays"
    );
    assert!(pinned.shares().shares("incident", RecordId(42)).is_empty());

    // Invalid: nothing applied, version 2 stays, the status says why.
    let refused = live
        .apply(3, &[Change::assign_role("grace", "Nobody").into()])
        .unwrap_err();
    assert!(matches!(&*refused, UpdateError::Source(_)), "{refused}");
    assert_eq!(live.version(), 2);
    let status = live.status();
    assert!(
        status
            .last_error
            .unwrap()
            .error
            .to_string()
            .contains("unknown role `Nobody`")
    );
    // A share on a table the catalog lacks, and a stale version, are refused too.
    let unknown = Update::Unshare {
        table: "incidnet".into(),
        record: RecordId(42),
        grantee: Grantee::Organization,
    };
    let refused = live.apply(3, &[unknown]).unwrap_err();
    assert!(
        refused.to_string().contains("unknown table `incidnet`"),
        "{refused}"
    );
    assert!(matches!(
        &*live.apply(2, &[]).unwrap_err(),
        UpdateError::Stale {
            live: 2,
            offered: 2
        }
    ));

    // Whole data published after: the status says so.
    let org = builder().build().unwrap();
    live.publish(RoleData::new(3, org)).unwrap();
    assert_eq!(live.status().made, Made::Full);
}
