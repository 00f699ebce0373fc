//! Where a request's principal comes from: an organisation gives a caller's principal by name, GUID or external id,
//! with the roles of the group teams its token names; a cache keeps one principal per caller, within its capacity.

use std::sync::Arc;

use rolegate::org::{Inheritance, TeamKind};
use rolegate::source::{Caller, PrincipalCache, PrincipalSource};
use rolegate::{Authority, Organization};

const AGENTS_GROUP: &str = "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f";

fn organization() -> Organization {
    Organization::builder(&Authority::builtin())
        .business_unit("Root", None)
        .user("ada", "Root", ["Omnichannel administrator"])
        .user("gus", "Root", [""; 0])
        .user_external_id("gus", "9A8B7C6D-1111-4222-8333-444455556666")
        .group_team(
            "Agents",
            "Root",
            TeamKind::EntraSecurityGroup,
            AGENTS_GROUP,
            [("Omnichannel agent", Inheritance::DirectBasicAndTeam)],
        )
        .build()
        .unwrap()
}

fn roles(source: &dyn PrincipalSource, caller: &Caller) -> Vec<String> {
    let principal = source.principal_for(caller).unwrap();
    principal.roles().map(|r| r.name.clone()).collect()
}

#[test]
fn an_organisation_finds_the_caller_by_name_guid_or_external_id_with_its_groups() {
    let org = organization();
    let gus = org.user("gus").unwrap();
    let by_name = Caller::name("gus");
    let by_guid = Caller::guid(org.user_guid(gus).unwrap());
    let by_object_id = Caller::external_id("9a8b7c6d-1111-4222-8333-444455556666");
    for caller in [&by_name, &by_guid, &by_object_id] {
        assert_eq!(org.principal_for(caller).unwrap().id(), "gus", "{caller:?}");
        assert!(roles(&org, caller).is_empty(), "{caller:?}");
        let in_group = caller.clone().with_groups([AGENTS_GROUP.to_uppercase()]);
        assert_eq!(roles(&org, &in_group), ["Omnichannel agent"], "{caller:?}");
    }
    for unknown in [
        Caller::name("mallory"),
        Caller::external_id(AGENTS_GROUP),
        Caller::guid(rolegate::Uuid::nil()),
    ] {
        assert!(org.principal_for(&unknown).is_none(), "{unknown:?}");
    }
}

#[test]
fn a_cache_shares_one_principal_per_caller_and_forgets_them_all_past_its_capacity() {
    let cache = PrincipalCache::with_capacity(organization(), 2);
    let ada = cache.principal_for(&Caller::name("ada")).unwrap();
    assert!(Arc::ptr_eq(
        &ada,
        &cache.principal_for(&Caller::name("ada")).unwrap()
    ));
    // Groups in another order or case are the same caller.
    let other = "0b7d9e4c-0000-4000-8000-000000000000";
    let gus = Caller::name("gus").with_groups([AGENTS_GROUP, other]);
    let same = Caller::name("gus").with_groups([other.to_uppercase(), AGENTS_GROUP.to_uppercase()]);
    assert_eq!(gus, same);
    let first = cache.principal_for(&gus).unwrap();
    assert!(Arc::ptr_eq(&first, &cache.principal_for(&same).unwrap()));
    assert_eq!(cache.len(), 2);
    // A caller the source does not know is not kept.
    assert!(cache.principal_for(&Caller::name("mallory")).is_none());
    assert_eq!(cache.len(), 2);
    // A third caller: the cache starts over, and a principal asked for again is built anew.
    cache.principal_for(&Caller::name("gus")).unwrap();
    assert_eq!(cache.len(), 1);
    assert!(!Arc::ptr_eq(
        &ada,
        &cache.principal_for(&Caller::name("ada")).unwrap()
    ));
    cache.clear();
    assert!(cache.is_empty());
}
