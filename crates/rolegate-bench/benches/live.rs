//! Live role data: the allowed `#[requires]` check while another thread swaps snapshots, against the same check with
//! none swapped; a principal resolved from a snapshot's cache; rebuilding a snapshot of a large organisation, and
//! applying one change to it instead.
//!
//! `cargo bench -p rolegate-bench --features live --bench live` (add `-- --warm-up-time 1 --measurement-time 3` on a
//! shared machine). Each group's pairs run in one process, one after the other.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rolegate::live::{Live, RoleData, Snapshot, Update};
use rolegate::org::{Change, Inheritance};
use rolegate::record::{Grantee, ShareStore};
use rolegate::{Authority, Organization, Principal, TablePrivilege, Uuid};
use rolegate_bench::sites::{SITES, call_each};
use rolegate_bench::workload::{SMALL_TABLES, Workload, role_name, user_name};

/// The workload's users in one business unit, over an authority of their own: each call compiles the catalog again,
/// as a reload does, into an authority of the same layout.
fn organization(w: &Workload) -> Organization {
    let authority = Authority::new(w.catalog());
    let mut builder = Organization::builder(&authority).business_unit("Root", None);
    for (u, roles) in w.users.iter().enumerate() {
        builder = builder.user(
            &user_name(u),
            "Root",
            roles.iter().map(|&r| role_name(r as usize)),
        );
    }
    builder.build().expect("the workload's organisation")
}

/// How many users' principals each batch of checks uses.
const CHECKED_USERS: usize = 50;

/// The principals of the first users, from the snapshot live now, and for each site those of them it allows.
fn allowed_callers(live: &Live) -> (Arc<Snapshot>, Vec<Arc<Principal>>) {
    let snapshot = live.pin();
    let principals = (0..CHECKED_USERS)
        .map(|u| snapshot.principal_named(&user_name(u)).expect("a user"))
        .collect();
    (snapshot, principals)
}

fn by_site(principals: &[Arc<Principal>]) -> Vec<Vec<&Principal>> {
    SITES
        .iter()
        .map(|site| {
            principals
                .iter()
                .map(|p| &**p)
                .filter(|p| (site.function)(p).is_ok())
                .collect()
        })
        .collect()
}

/// Publishes a new version every `interval` until stopped, cycling through organisations compiled against different
/// authorities of one layout.
fn swapper(
    live: Live,
    orgs: Vec<Organization>,
    interval: Duration,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut swaps = 0;
        while !stop.load(Ordering::Relaxed) {
            let version = live.version() + 1;
            let org = orgs[version as usize % orgs.len()].clone();
            live.publish(RoleData::new(version, org))
                .expect("a newer version");
            swaps += 1;
            std::thread::sleep(interval);
        }
        swaps
    })
}

/// Runs `f` while another thread publishes into `live` every millisecond; how many snapshots it published.
fn while_swapping(live: &Live, orgs: &[Organization], f: impl FnOnce()) -> u64 {
    let stop = Arc::new(AtomicBool::new(false));
    let thread = swapper(
        live.clone(),
        orgs.to_vec(),
        Duration::from_millis(1),
        stop.clone(),
    );
    f();
    stop.store(true, Ordering::Relaxed);
    thread.join().expect("the swapper")
}

fn swapping(c: &mut Criterion) {
    let w = Workload::generate(SMALL_TABLES);
    let orgs: Vec<Organization> = (0..4).map(|_| organization(&w)).collect();
    let live = Live::new(RoleData::new(1, orgs[0].clone())).expect("valid");
    let calls = {
        let (_, principals) = allowed_callers(&live);
        by_site(&principals).iter().map(Vec::len).sum::<usize>()
    };

    let mut group = c.benchmark_group("live/allowed_check");
    group.throughput(Throughput::Elements(calls as u64));
    // Each iteration takes the principals of the snapshot live when it starts, as a request pins once (untimed), then
    // times the allowed checks alone.
    let run = |name: &str, group: &mut criterion::BenchmarkGroup<'_, _>| {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let (_snapshot, principals) = allowed_callers(&live);
                    let callers = by_site(&principals);
                    let started = Instant::now();
                    black_box(call_each(black_box(&callers)));
                    timed += started.elapsed();
                }
                timed
            })
        });
    };
    run("quiet", &mut group);
    let swaps = while_swapping(&live, &orgs, || run("swapping_every_1ms", &mut group));
    // No other thread: each iteration publishes a new version first (untimed), so each is decided on principals of a
    // snapshot, and an authority, it has not seen before. Separates what a new snapshot costs the check from what
    // another running thread costs it.
    group.bench_function("new_snapshot_each_iteration", |b| {
        let mut next = 0;
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                next += 1;
                let org = orgs[next % orgs.len()].clone();
                live.publish(RoleData::new(live.version() + 1, org))
                    .expect("a newer version");
                let (_snapshot, principals) = allowed_callers(&live);
                let callers = by_site(&principals);
                let started = Instant::now();
                black_box(call_each(black_box(&callers)));
                timed += started.elapsed();
            }
            timed
        })
    });
    eprintln!("live/allowed_check: {swaps} snapshots swapped while measuring");
    group.finish();

    // What the swap itself costs a check: the principals of one pinned snapshot, as a request holds them from start
    // to end, checked with nothing else running, then while another thread publishes a snapshot every millisecond.
    // (The rows above re-pin before each iteration, so after each swap they also pay for checking principals built
    // just then, in memory the cache has not seen.)
    let mut group = c.benchmark_group("live/allowed_check_one_snapshot");
    group.throughput(Throughput::Elements(calls as u64));
    let (_snapshot, principals) = allowed_callers(&live);
    let callers = by_site(&principals);
    let held = |name: &str, group: &mut criterion::BenchmarkGroup<'_, _>| {
        group.bench_function(name, |b| {
            b.iter(|| black_box(call_each(black_box(&callers))))
        });
    };
    held("quiet", &mut group);
    let swaps = while_swapping(&live, &orgs, || held("swapping_every_1ms", &mut group));
    eprintln!("live/allowed_check_one_snapshot: {swaps} snapshots swapped while measuring");
    // The control: the same work on the other core, publishing into a handle these checks never read. The checks
    // above do not read their handle either (they hold one snapshot's principals), so what the two rows add to
    // `quiet` is the other thread's work sharing the machine, not the swap.
    let elsewhere = Live::new(RoleData::new(1, orgs[0].clone())).expect("valid");
    while_swapping(&elsewhere, &orgs, || {
        held("same_work_on_another_handle_every_1ms", &mut group)
    });
    group.finish();

    // A request as a service makes it: pin, resolve the caller by GUID from the snapshot's cache, check one site.
    let hot = orgs[0]
        .user_guid(orgs[0].user(&user_name(0)).unwrap())
        .unwrap();
    let site = SITES
        .iter()
        .find(|s| {
            let p = live.pin().principal_by_guid(hot).unwrap();
            (s.function)(&p).is_ok()
        })
        .expect("a site the first user passes");
    let mut group = c.benchmark_group("live/request");
    let run = |name: &str, group: &mut criterion::BenchmarkGroup<'_, _>| {
        group.bench_function(name, |b| {
            b.iter(|| {
                let snapshot = live.pin();
                let principal = snapshot.principal_by_guid(black_box(hot)).unwrap();
                black_box((site.function)(&principal).is_ok())
            })
        });
    };
    run("quiet", &mut group);
    while_swapping(&live, &orgs, || run("swapping_every_1ms", &mut group));
    group.finish();
}

fn principal_cache(c: &mut Criterion) {
    let w = Workload::generate(SMALL_TABLES);
    let org = organization(&w);
    let ids: Vec<Uuid> = org.users().map(|u| org.user_guid(u).unwrap()).collect();
    let snapshot = Snapshot::new(RoleData::new(1, org));
    for &id in &ids {
        snapshot.principal_by_guid(id).unwrap();
    }
    let mut group = c.benchmark_group("live/principal");
    group.bench_function("by_guid_hit", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % ids.len();
            black_box(snapshot.principal_by_guid(black_box(ids[i])))
        })
    });
    group.bench_function("by_name_hit", |b| {
        let names: Vec<String> = (0..ids.len()).map(user_name).collect();
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % names.len();
            black_box(snapshot.principal_named(black_box(&names[i])))
        })
    });
    group.finish();
}

const BUSINESS_UNITS: usize = 10_000;
const USERS: usize = 100_000;
const TEAMS: usize = 2_000;
const SHARES: usize = 100_000;

/// The large organisation's builder: 10,000 business units (ten below each), 100,000 users (1 to 3 roles, spread over
/// the units), 2,000 owner teams of 50 members with a role each.
fn large_builder(w: &Workload, authority: &Authority) -> rolegate::org::OrganizationBuilder {
    let unit = |b: usize| format!("bu{b}");
    let mut builder = Organization::builder(authority).business_unit(&unit(0), None);
    for b in 1..BUSINESS_UNITS {
        builder = builder.business_unit(&unit(b), Some(&unit((b - 1) / 10)));
    }
    for u in 0..USERS {
        let roles = &w.users[u % w.users.len()];
        builder = builder.user(
            &format!("user{u}"),
            &unit(u % BUSINESS_UNITS),
            roles.iter().map(|&r| role_name(r as usize)),
        );
    }
    for t in 0..TEAMS {
        let members: Vec<String> = (0..50)
            .map(|m| format!("user{}", (t * 50 + m) % USERS))
            .collect();
        builder = builder.owner_team(
            &format!("team{t}"),
            &unit(t % BUSINESS_UNITS),
            &members,
            [(role_name(t % 10), Inheritance::DirectBasicAndTeam)],
        );
    }
    builder
}

fn large_shares(org: &Organization) -> ShareStore {
    let users: Vec<_> = org.users().collect();
    let mut shares = ShareStore::new();
    let read = [TablePrivilege::Read].into_iter().collect();
    for s in 0..SHARES {
        shares.share("t0", s as u64, Grantee::User(users[s % users.len()]), read);
    }
    shares
}

fn rebuild(c: &mut Criterion) {
    let w = Workload::generate(SMALL_TABLES);
    let authority = Authority::new(w.catalog());
    let builder = large_builder(&w, &authority);
    let org = builder.clone().build().expect("the large organisation");
    let shares = large_shares(&org);
    let mut group = c.benchmark_group("live/rebuild_100k_users");
    group.sample_size(10);
    group.bench_function("organization_build", |b| {
        b.iter_batched(
            || builder.clone(),
            |b| black_box(b.build().unwrap()),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("shares_100k", |b| b.iter(|| black_box(large_shares(&org))));
    group.bench_function("snapshot_new", |b| {
        b.iter_batched(
            || RoleData::new(2, org.clone()).with_shares(shares.clone()),
            |data| black_box(Snapshot::new(data)),
            BatchSize::LargeInput,
        )
    });
    let live = Live::new(RoleData::new(1, org.clone()).with_shares(shares.clone())).expect("valid");
    group.bench_function("publish", |b| {
        b.iter_batched(
            || RoleData::new(live.version() + 1, org.clone()).with_shares(shares.clone()),
            |data| black_box(live.publish(data).unwrap()),
            BatchSize::LargeInput,
        )
    });
    apply(&mut group, &w, &org, &shares);
    group.finish();
}

/// One change applied to the large organisation instead of a rebuild: each iteration makes a new version from the
/// last (a role assigned then revoked, a member added then removed, a record shared then unshared), and drops it.
fn apply(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    w: &Workload,
    org: &Organization,
    shares: &ShareStore,
) {
    // A role user 123 does not hold.
    let held: Vec<String> = w.users[123 % w.users.len()]
        .iter()
        .map(|&r| role_name(r as usize))
        .collect();
    let role = (0..w.grants.len())
        .map(role_name)
        .find(|r| !held.contains(r))
        .expect("a role not held");
    let toggle = |on: bool, assign: Change, revoke: Change| if on { assign } else { revoke };
    let assign = |on: bool| {
        toggle(
            on,
            Change::assign_role("user123", &role),
            Change::revoke_role("user123", &role),
        )
    };
    // User 5 is a member of team 0, not of team 7.
    let member = |on: bool| {
        toggle(
            on,
            Change::add_team_member("team7", "user5"),
            Change::remove_team_member("team7", "user5"),
        )
    };
    let grantee = Grantee::User(org.user("user5").expect("user5"));
    let share = |on: bool| {
        let (table, record) = ("t0".to_owned(), (SHARES as u64 + 1).into());
        if on {
            let rights = [TablePrivilege::Read].into_iter().collect();
            Update::Share {
                table,
                record,
                grantee,
                rights,
            }
        } else {
            Update::Unshare {
                table,
                record,
                grantee,
            }
        }
    };

    let mut current = org.clone();
    let mut on = true;
    group.bench_function("apply/assign_role", |b| {
        b.iter(|| {
            current = current.apply(&[assign(on)]).unwrap();
            on = !on;
        })
    });
    group.bench_function("apply/team_member", |b| {
        b.iter(|| {
            current = current.apply(&[member(on)]).unwrap();
            on = !on;
        })
    });
    let mut data = RoleData::new(1, org.clone()).with_shares(shares.clone());
    group.bench_function("apply/share", |b| {
        b.iter(|| {
            data = data.apply(data.version() + 1, &[share(on)]).unwrap();
            on = !on;
        })
    });
    // Through the live handle: the change applied to the live snapshot's data, validated, the new snapshot built and
    // swapped in, the replaced one dropped.
    let live = Live::new(RoleData::new(1, org.clone()).with_shares(shares.clone())).expect("valid");
    let mut version = 1;
    let assign = |on| Update::from(assign(on));
    let member = |on| Update::from(member(on));
    for (name, change) in [
        ("apply/live_assign_role", &assign as &dyn Fn(bool) -> Update),
        ("apply/live_team_member", &member),
        ("apply/live_share", &share),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                version += 1;
                black_box(live.apply(version, &[change(on)]).unwrap());
                on = !on;
            })
        });
    }
}

criterion_group!(benches, principal_cache, swapping, rebuild);
criterion_main!(benches);
