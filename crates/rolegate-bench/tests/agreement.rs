//! The workload is what the benchmarks say it is, and the engines of the library agree with the model on it.

use rolegate_bench::engines::{Floor, Naive, Rolegate, check_agreement};
use rolegate_bench::sites::{
    ANY_SITES, SITES, call_each, call_each_any, call_each_out_of_line, call_each_record,
    can_at_each, floor_each, floor_guard_each,
};
use rolegate_bench::workload::{GRANT_PERCENT, QUERIES, ROLES, SMALL_TABLES, USERS, Workload};

#[test]
fn the_workload_is_deterministic_and_has_the_documented_shape() {
    let w = Workload::generate(SMALL_TABLES);
    let again = Workload::generate(SMALL_TABLES);
    assert_eq!(w.grants, again.grants);
    assert_eq!(w.users, again.users);
    assert_eq!(w.queries, again.queries);

    assert_eq!(w.grants.len(), ROLES);
    for row in &w.grants {
        let granted = row.iter().filter(|&&r| r > 0).count();
        let percent = granted * 100 / row.len();
        assert!(
            percent.abs_diff(GRANT_PERCENT as usize) <= 3,
            "a role grants {percent}% of the pairs"
        );
        assert!(row.iter().all(|&r| r <= 4));
        for rank in 1..=4 {
            assert!(row.contains(&rank), "no grant at rank {rank}");
        }
    }
    assert_eq!(w.users.len(), USERS);
    for roles in &w.users {
        assert!((1..=3).contains(&roles.len()));
        let mut distinct = roles.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            roles.len(),
            "a user holds a role twice: {roles:?}"
        );
    }
    assert_eq!(w.queries.len(), QUERIES);
    assert!(
        w.queries
            .iter()
            .any(|q| q.table as usize == SMALL_TABLES - 1)
    );
}

#[test]
fn floor_naive_and_rolegate_agree_with_the_model_on_every_query() {
    let w = Workload::generate(SMALL_TABLES);
    let allowed =
        check_agreement(&w, &Floor::new(&w), &Naive::new(&w), &Rolegate::new(&w)).unwrap();
    assert!(
        allowed > QUERIES / 10 && allowed < QUERIES * 9 / 10,
        "{allowed} allowed: the mix is too one-sided"
    );
}

#[test]
fn requires_functions_allow_exactly_the_users_the_floor_allows() {
    let w = Workload::generate(SMALL_TABLES);
    let floor = Floor::new(&w);
    let rolegate = Rolegate::new(&w);
    let requirements: Vec<(usize, u8)> = SITES.iter().map(|s| (s.slot(), s.rank())).collect();
    let mut denied = 0;
    for (site, &(slot, rank)) in SITES.iter().zip(&requirements) {
        for (u, principal) in rolegate.principals.iter().enumerate() {
            let result = (site.function)(principal);
            assert_eq!(
                result.is_ok(),
                floor.allows(u as u32, slot, rank),
                "{site:?} for user {u}"
            );
            if let Err(denial) = result {
                denied += 1;
                let wanted = format!("{} on {} at {}", site.privilege, site.table, site.depth);
                assert!(
                    denial.to_string().contains(&wanted),
                    "{denial} does not name {wanted}"
                );
            }
        }
    }
    assert!(denied > 0);
    let everyone: Vec<u32> = (0..USERS as u32).collect();
    let users: Vec<Vec<u32>> = SITES.iter().map(|_| everyone.clone()).collect();
    let principals: Vec<Vec<_>> = SITES
        .iter()
        .map(|_| rolegate.principals.iter().collect())
        .collect();
    // The loops the benchmark times: inlined, through fn pointers, and the floor summed and as a guard.
    let allowed = floor_each(&floor, &users, &requirements);
    assert_eq!(call_each(&principals), allowed);
    assert_eq!(call_each_out_of_line(&principals), allowed);
    assert_eq!(floor_guard_each(&floor, &users, &requirements), allowed);
    assert_eq!(allowed, SITES.len() * USERS - denied);
}

#[test]
fn any_of_functions_allow_the_users_either_alternative_allows_and_deny_naming_both() {
    let w = Workload::generate(SMALL_TABLES);
    let floor = Floor::new(&w);
    let rolegate = Rolegate::new(&w);
    let mut outcomes = [0; 3];
    for site in ANY_SITES {
        let [a, b] = site.alternatives.map(|s| (s.slot(), s.rank()));
        for (u, principal) in rolegate.principals.iter().enumerate() {
            let (first, second) = (
                floor.allows(u as u32, a.0, a.1),
                floor.allows(u as u32, b.0, b.1),
            );
            let result = (site.function)(principal);
            assert_eq!(result.is_ok(), first || second, "{site:?} for user {u}");
            outcomes[if first {
                0
            } else if second {
                1
            } else {
                2
            }] += 1;
            if let Err(denial) = result {
                assert_eq!(denial.alternatives().len(), 2, "{denial}");
                for (alternative, s) in denial.alternatives().iter().zip(site.alternatives) {
                    let wanted = format!("{} on {} at {}", s.privilege, s.table, s.depth);
                    assert_eq!(alternative.requirement.to_string(), wanted);
                }
            }
        }
    }
    // Each of the three paths the benchmark times is taken.
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
    let principals: Vec<Vec<_>> = ANY_SITES
        .iter()
        .map(|_| rolegate.principals.iter().collect())
        .collect();
    assert_eq!(call_each_any(&principals), outcomes[0] + outcomes[1]);
}

#[test]
fn check_record_agrees_with_the_reference_evaluator_on_a_small_organisation() {
    use rolegate_bench::records::{RecordSizes, RecordWorkload};
    let w = Workload::generate(SMALL_TABLES);
    let authority = rolegate::Authority::new(w.catalog());
    let sizes = RecordSizes {
        business_units: 200,
        users: 2_000,
        teams: 40,
        records: 2_000,
        active: 300,
        queries: 5_000,
    };
    let records = RecordWorkload::generate(&w, &authority, sizes);
    let allowed = records.check_agreement().unwrap();
    assert!(
        allowed > 0 && allowed < sizes.queries,
        "{allowed} of {} allowed",
        sizes.queries
    );
    // Team-owned and shared records are part of the workload.
    assert!(
        records
            .records
            .iter()
            .any(|r| matches!(r.owner, rolegate::record::Owner::Team(_)))
    );
    assert!(records.records.iter().any(|r| !r.shares.is_empty()));
    // Shares decide some queries (they are aimed at active users), and team ownership others.
    let paths: Vec<_> = records
        .queries
        .iter()
        .filter_map(|q| {
            rolegate::record::reference::decide(
                &records.org,
                records.users[q.user as usize],
                q.privilege,
                &records.records[q.record as usize],
            )
        })
        .collect();
    assert!(paths.contains(&rolegate::record::reference::Path::Sharing));

    // The #[requires(record)] functions agree with the reference too.
    use rolegate_bench::sites::RECORD_SITES;
    let set = rolegate_bench::records::WorkingSet {
        name: "all",
        users: sizes.active,
        records: usize::MAX,
    };
    let calls = records.site_calls(200, set).unwrap();
    let site_allowed: usize = calls.allowed.iter().map(Vec::len).sum();
    assert!(
        site_allowed > 0 && site_allowed < 200 * RECORD_SITES.len(),
        "{site_allowed}"
    );
    // The loop the benchmark times allows the same calls, and every allowed call passes the step-1 floor.
    assert_eq!(call_each_record(&records.resolve(&calls.all)), site_allowed);
    let (floor, requirements) = records.step1_floor();
    let users: Vec<Vec<u32>> = calls
        .allowed
        .iter()
        .map(|l| l.iter().map(|&(u, _)| u).collect())
        .collect();
    assert_eq!(floor_each(&floor, &users, &requirements), site_allowed);
    // The bool decision on the same calls (`Principal::can_at` on each site's slot) allows the same calls.
    assert_eq!(
        can_at_each(&records.resolve(&calls.all), &records.site_slots()),
        site_allowed
    );
}
