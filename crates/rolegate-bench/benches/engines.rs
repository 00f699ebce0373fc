//! rolegate against casbin, cedar-policy, a naive evaluator and the floor, on one workload, in one run.
//!
//! `cargo bench -p rolegate-bench --features peers`; set `ROLEGATE_BENCH_QUICK=1` for the CI mode (smaller casbin
//! subsets; pass `-- --warm-up-time 0.1 --measurement-time 0.2` too). Every engine is checked against the model on
//! the queries it is timed on before anything is timed; a disagreement panics.

use std::hint::black_box;
use std::time::Instant;

use criterion::{
    BatchSize, BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main,
    measurement::WallTime,
};
use rolegate::catalog::{BUILTIN_TOML, CatalogFile, Ownership, RoleEntry, Syntax, TableEntry};
use rolegate::{Authority, Catalog, Depth, Principal, Slot, TablePrivilege};
use rolegate_bench::engines::{Floor, FloorQuery, Naive, Rolegate, check_agreement};
use rolegate_bench::peers::{
    Cedar, CedarEncoding, assert_agrees, casbin_args, casbin_cached_enforcer, casbin_enforcer,
    casbin_query,
};
use rolegate_bench::records::{self, RECORD_SITE_QUERIES, RecordWorkload, SiteCalls, WorkingSet};
use rolegate_bench::sites::{
    ANY_SITES, RECORD_SITES, SITES, call_each, call_each_any, call_each_out_of_line,
    call_each_record, can_at_each, floor_each, floor_guard_each,
};
use rolegate_bench::workload::{LARGE_TABLES, SMALL_TABLES, Workload, XorShift};

use casbin::CoreApi;

struct Sizes {
    /// Queries the cedar benchmarks iterate over (cedar is checked on all of them beforehand).
    cedar_timed: usize,
    /// Queries the plain casbin `Enforcer` is checked on.
    casbin_checked: usize,
    /// Queries the plain casbin `Enforcer` is timed on.
    casbin_timed: usize,
    /// Queries the `CachedEnforcer` is warmed with, checked on and timed on.
    casbin_warm: usize,
}

fn sizes(tables: usize) -> Sizes {
    let quick = std::env::var_os("ROLEGATE_BENCH_QUICK").is_some();
    match (tables > SMALL_TABLES, quick) {
        (false, false) => Sizes {
            cedar_timed: 2_000,
            casbin_checked: 300,
            casbin_timed: 4,
            casbin_warm: 1_000,
        },
        (true, false) => Sizes {
            cedar_timed: 2_000,
            casbin_checked: 30,
            casbin_timed: 1,
            casbin_warm: 100,
        },
        (false, true) => Sizes {
            cedar_timed: 200,
            casbin_checked: 20,
            casbin_timed: 1,
            casbin_warm: 50,
        },
        (true, true) => Sizes {
            cedar_timed: 200,
            casbin_checked: 3,
            casbin_timed: 1,
            casbin_warm: 5,
        },
    }
}

fn per_decision<F: FnMut() -> usize>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    n: usize,
    mut f: F,
) {
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(name, |b| b.iter(|| black_box(f())));
}

fn engines(c: &mut Criterion, tables: usize) {
    let sizes = sizes(tables);
    let started = Instant::now();
    let w = Workload::generate(tables);
    let floor = Floor::new(&w);
    let naive = Naive::new(&w);
    let rolegate = Rolegate::new(&w);
    let allowed = check_agreement(&w, &floor, &naive, &rolegate)
        .unwrap_or_else(|e| panic!("{tables} tables: {e}"));
    eprintln!(
        "[{tables} tables] floor, naive, rolegate check, check_site and depth_at agree with the model on all {} queries \
         ({allowed} allowed)",
        w.queries.len()
    );

    // #[requires] functions: every site for every user, checked against the floor.
    let site_requirements: Vec<(usize, u8)> = SITES.iter().map(|s| (s.slot(), s.rank())).collect();
    let everyone: Vec<u32> = (0..w.users.len() as u32).collect();
    let all_users: Vec<Vec<u32>> = SITES.iter().map(|_| everyone.clone()).collect();
    let allowed_users: Vec<Vec<u32>> = site_requirements
        .iter()
        .map(|&(slot, rank)| {
            everyone
                .iter()
                .copied()
                .filter(|&u| floor.allows(u, slot, rank))
                .collect()
        })
        .collect();
    for (site, &(slot, rank)) in SITES.iter().zip(&site_requirements) {
        for (u, principal) in rolegate.principals.iter().enumerate() {
            let expected = floor.allows(u as u32, slot, rank);
            assert_eq!(
                (site.function)(principal).is_ok(),
                expected,
                "#[requires] site {site:?} for user {u}"
            );
        }
    }
    let principals_of = |lists: &[Vec<u32>]| -> Vec<Vec<&Principal>> {
        lists
            .iter()
            .map(|l| {
                l.iter()
                    .map(|&u| &rolegate.principals[u as usize])
                    .collect()
            })
            .collect()
    };
    let all_principals = principals_of(&all_users);
    let allowed_principals = principals_of(&allowed_users);
    let calls_allowed: usize = allowed_users.iter().map(Vec::len).sum();
    for (what, allowed) in [
        ("call_each", call_each(&all_principals)),
        (
            "call_each_out_of_line",
            call_each_out_of_line(&all_principals),
        ),
        (
            "floor_each",
            floor_each(&floor, &all_users, &site_requirements),
        ),
        (
            "floor_guard_each",
            floor_guard_each(&floor, &all_users, &site_requirements),
        ),
        ("call_each, allowed users", call_each(&allowed_principals)),
        (
            "call_each_out_of_line, allowed users",
            call_each_out_of_line(&allowed_principals),
        ),
    ] {
        assert_eq!(allowed, calls_allowed, "{what}");
    }
    // #[requires(any(...))] functions: those allowed through the first alternative (the allowed-only callers of
    // the site that requires it alone), through the second only, and through neither.
    let any_callers = |keep: fn(bool, bool) -> bool| -> Vec<Vec<u32>> {
        ANY_SITES
            .iter()
            .map(|site| {
                let [a, b] = site.alternatives.map(|s| (s.slot(), s.rank()));
                everyone
                    .iter()
                    .copied()
                    .filter(|&u| keep(floor.allows(u, a.0, a.1), floor.allows(u, b.0, b.1)))
                    .collect()
            })
            .collect()
    };
    let any_first = principals_of(&any_callers(|first, _| first));
    let any_second_only = principals_of(&any_callers(|first, second| !first && second));
    let any_neither = principals_of(&any_callers(|first, second| !first && !second));
    let count = |lists: &[Vec<&Principal>]| lists.iter().map(Vec::len).sum::<usize>();
    assert_eq!(call_each_any(&any_first), count(&any_first));
    assert_eq!(call_each_any(&any_second_only), count(&any_second_only));
    assert_eq!(call_each_any(&any_neither), 0);
    assert_eq!(
        count(&any_first) + count(&any_second_only) + count(&any_neither),
        ANY_SITES.len() * w.users.len()
    );
    eprintln!(
        "[{tables} tables] {} #[requires] functions agree with the floor for all {} users ({calls_allowed} of {} calls \
         allowed)",
        SITES.len(),
        w.users.len(),
        SITES.len() * w.users.len()
    );
    let role_sets: std::collections::HashSet<Vec<String>> = rolegate
        .principals
        .iter()
        .map(|p| p.roles().map(|r| r.name.clone()).collect())
        .collect();
    eprintln!(
        "[{tables} tables] the {} principals hold {} distinct sets of roles: rolegate keeps one row per set ({} bytes \
         each), the floor one per user",
        rolegate.principals.len(),
        role_sets.len(),
        rolegate.principals[0].row_bytes()
    );

    // cedar: every query, both encodings, built requests and prebuilt ones.
    let cedars: Vec<Cedar> = CedarEncoding::ALL
        .iter()
        .map(|&e| Cedar::new(&w, e))
        .collect();
    for cedar in &cedars {
        assert_agrees(
            &format!("cedar {}", cedar.encoding.name()),
            &w,
            &w.queries,
            |q| cedar.allows(q),
        );
    }
    let cedar_queries = &w.queries[..sizes.cedar_timed];
    let prebuilt: Vec<Vec<cedar_policy::Request>> = cedars
        .iter()
        .map(|cedar| cedar_queries.iter().map(|q| cedar.request(q)).collect())
        .collect();
    for (cedar, requests) in cedars.iter().zip(&prebuilt) {
        let answers: Vec<bool> = requests.iter().map(|r| cedar.decide(r)).collect();
        let mut i = 0;
        assert_agrees(
            &format!("cedar {} prebuilt", cedar.encoding.name()),
            &w,
            cedar_queries,
            |_| {
                i += 1;
                answers[i - 1]
            },
        );
    }
    eprintln!(
        "[{tables} tables] cedar ({} encodings) agrees with the model on all queries",
        cedars.len()
    );

    // casbin: a subset for the plain Enforcer (milliseconds per decision), a warm subset for the CachedEnforcer.
    let casbin_queries: Vec<_> = w.queries.iter().map(casbin_query).collect();
    let enforcer = casbin_enforcer(&w);
    assert_agrees(
        "casbin Enforcer",
        &w,
        &w.queries[..sizes.casbin_checked],
        |q| enforcer.enforce(casbin_query(q)).expect("casbin enforce"),
    );
    let cached = casbin_cached_enforcer(&w, 4 * sizes.casbin_warm);
    let warm = &w.queries[..sizes.casbin_warm];
    assert_agrees("casbin CachedEnforcer (cold)", &w, warm, |q| {
        cached.enforce(casbin_query(q)).expect("enforce")
    });
    assert_agrees("casbin CachedEnforcer (warm)", &w, warm, |q| {
        cached.enforce(casbin_query(q)).expect("enforce")
    });
    eprintln!(
        "[{tables} tables] casbin agrees with the model: plain Enforcer on the first {} queries, CachedEnforcer on the \
         first {} (cold, then warm); setup and checks took {:.1?}",
        sizes.casbin_checked,
        sizes.casbin_warm,
        started.elapsed()
    );

    let floor_queries: Vec<FloorQuery> = w.queries.iter().map(FloorQuery::from).collect();
    let allowed_queries: Vec<_> = w
        .queries
        .iter()
        .copied()
        .filter(|q| w.expected(q))
        .collect();
    let allowed_floor: Vec<FloorQuery> = allowed_queries.iter().map(FloorQuery::from).collect();
    let mut g = c.benchmark_group(format!("decide-{tables}"));
    // 20 samples (criterion's default is 100): the slower engines take milliseconds per iteration over the queries.
    g.sample_size(20);

    per_decision(&mut g, "floor", floor_queries.len(), || {
        floor_queries
            .iter()
            .map(|q| usize::from(floor.allows(q.user, q.slot as usize, q.rank)))
            .sum()
    });
    per_decision(&mut g, "floor-allowed-only", allowed_floor.len(), || {
        allowed_floor
            .iter()
            .map(|q| usize::from(floor.allows(q.user, q.slot as usize, q.rank)))
            .sum()
    });
    per_decision(&mut g, "rolegate-check_site", w.queries.len(), || {
        w.queries
            .iter()
            .map(|q| usize::from(rolegate.check_site(q)))
            .sum()
    });
    per_decision(
        &mut g,
        "rolegate-check_site-allowed-only",
        allowed_queries.len(),
        || {
            allowed_queries
                .iter()
                .map(|q| usize::from(rolegate.check_site(q)))
                .sum()
        },
    );
    per_decision(&mut g, "rolegate-depth_at", w.queries.len(), || {
        w.queries
            .iter()
            .map(|q| usize::from(rolegate.depth_at(q)))
            .sum()
    });
    per_decision(&mut g, "rolegate-check", w.queries.len(), || {
        w.queries
            .iter()
            .map(|q| usize::from(rolegate.check(q)))
            .sum()
    });
    per_decision(&mut g, "requires-fn", SITES.len() * w.users.len(), || {
        call_each(&all_principals)
    });
    per_decision(
        &mut g,
        "requires-fn-floor",
        SITES.len() * w.users.len(),
        || floor_each(&floor, &all_users, &site_requirements),
    );
    per_decision(&mut g, "requires-fn-allowed-only", calls_allowed, || {
        call_each(&allowed_principals)
    });
    per_decision(
        &mut g,
        "requires-any-fn-first-allowed",
        count(&any_first),
        || call_each_any(&any_first),
    );
    per_decision(
        &mut g,
        "requires-any-fn-second-allowed",
        count(&any_second_only),
        || call_each_any(&any_second_only),
    );
    per_decision(
        &mut g,
        "requires-any-fn-denied",
        count(&any_neither),
        || call_each_any(&any_neither),
    );
    per_decision(
        &mut g,
        "requires-fn-allowed-only-floor",
        calls_allowed,
        || floor_each(&floor, &allowed_users, &site_requirements),
    );
    per_decision(
        &mut g,
        "requires-fn-floor-guard",
        SITES.len() * w.users.len(),
        || floor_guard_each(&floor, &all_users, &site_requirements),
    );
    per_decision(
        &mut g,
        "requires-fn-out-of-line",
        SITES.len() * w.users.len(),
        || call_each_out_of_line(&all_principals),
    );
    per_decision(
        &mut g,
        "requires-fn-out-of-line-allowed-only",
        calls_allowed,
        || call_each_out_of_line(&allowed_principals),
    );
    per_decision(&mut g, "naive-hashmap", w.queries.len(), || {
        w.queries.iter().map(|q| usize::from(naive.allows(q))).sum()
    });
    for (cedar, requests) in cedars.iter().zip(&prebuilt) {
        let name = cedar.encoding.name();
        per_decision(
            &mut g,
            &format!("cedar-{name}"),
            cedar_queries.len(),
            || {
                cedar_queries
                    .iter()
                    .map(|q| usize::from(cedar.allows(q)))
                    .sum()
            },
        );
        per_decision(
            &mut g,
            &format!("cedar-{name}-prebuilt-requests"),
            requests.len(),
            || requests.iter().map(|r| usize::from(cedar.decide(r))).sum(),
        );
    }
    g.sample_size(20);
    let warm_queries = &casbin_queries[..sizes.casbin_warm];
    per_decision(&mut g, "casbin-cached-warm", warm_queries.len(), || {
        warm_queries
            .iter()
            .map(|q| usize::from(cached.enforce(casbin_args(q)).expect("enforce")))
            .sum()
    });
    g.sample_size(10);
    let slow_queries = &casbin_queries[..sizes.casbin_timed];
    per_decision(&mut g, "casbin-enforcer", slow_queries.len(), || {
        slow_queries
            .iter()
            .map(|q| usize::from(enforcer.enforce(casbin_args(q)).expect("enforce")))
            .sum()
    });
    g.finish();
}

fn decide(c: &mut Criterion) {
    engines(c, SMALL_TABLES);
    engines(c, LARGE_TABLES);
}

/// Three roles the size of the real Omnichannel administrator role (about 280 tables, all eight privileges).
fn admin_sized_catalog() -> Catalog {
    const TABLES: usize = 280;
    let mut rng = XorShift::new(280);
    let tables = (0..TABLES)
        .map(|t| TableEntry::new(format!("t{t}"), Ownership::UserOrTeam))
        .collect();
    let roles = (0..3)
        .map(|r| RoleEntry {
            name: format!("admin{r}"),
            grants: (0..TABLES)
                .map(|t| {
                    let row = TablePrivilege::ALL
                        .into_iter()
                        .map(|p| (p, Depth::ALL[rng.below(4) as usize]))
                        .collect();
                    (format!("t{t}"), row)
                })
                .collect(),
            ..RoleEntry::default()
        })
        .collect();
    Catalog::from_parsed(
        CatalogFile {
            tables,
            roles,
            ..CatalogFile::default()
        },
        "<admin-sized>",
    )
    .expect("admin-sized catalog")
}

fn setup(c: &mut Criterion) {
    let catalog = admin_sized_catalog();
    let authority = Authority::new(catalog.clone());
    let roles = ["admin0", "admin1", "admin2"];
    let principal = authority.principal("ada", roles).expect("principal");
    eprintln!(
        "[setup] a principal holding 3 administrator-sized roles (280 tables x 8 privileges) uses {} bytes \
         (Principal::memory_bytes), {} of them its slot row (shared by the principals of the same roles); the \
         authority has {} slots",
        principal.memory_bytes(),
        principal.row_bytes(),
        authority.slot_count()
    );
    let builtin = Authority::builtin();
    let admin = builtin
        .principal("ada", ["Omnichannel administrator"])
        .expect("builtin admin");
    eprintln!(
        "[setup] a builtin Omnichannel administrator uses {} bytes",
        admin.memory_bytes()
    );
    let mut g = c.benchmark_group("setup");
    // The first principal of a set of roles builds the set's row: each iteration gets a fresh authority (built
    // outside the timing), so that no row is shared yet.
    g.bench_function("principal-3-admin-sized-roles", |b| {
        b.iter_batched_ref(
            || Authority::new(catalog.clone()),
            |fresh| {
                fresh
                    .principal(black_box("ada"), black_box(roles))
                    .expect("principal")
            },
            BatchSize::SmallInput,
        )
    });
    // Any later principal of the same set (here while `principal` holds it) shares the row.
    g.bench_function("principal-3-admin-sized-roles-shared", |b| {
        b.iter(|| {
            authority
                .principal(black_box("bob"), black_box(roles))
                .expect("principal")
        })
    });
    drop(principal);
    // Loading the built-in catalog as a process does on first use (the statics are never dropped, so neither is the
    // result here): `Catalog::builtin()` parses the shipped JSON and validates it; `Authority::builtin()` does that,
    // keeps a clone and compiles it.
    g.bench_function("builtin-catalog-load", |b| {
        b.iter_with_large_drop(|| Catalog::load_builtin().expect("builtin"))
    });
    g.bench_function("builtin-authority-load", |b| {
        b.iter_with_large_drop(|| {
            let catalog = Catalog::load_builtin().expect("builtin");
            let authority = Authority::new(catalog.clone());
            (catalog, authority)
        })
    });
    // The built-in catalog's TOML through the path of a user's catalog file (parse, validate, drop).
    g.bench_function("builtin-catalog-from_str_named", |b| {
        b.iter(|| {
            Catalog::from_str_named(black_box(BUILTIN_TOML), "<builtin>", Syntax::Toml)
                .expect("builtin")
        })
    });
    g.bench_function("builtin-authority-new", |b| {
        b.iter(|| Authority::new(black_box(Catalog::builtin().clone())))
    });
    g.finish();
}

/// Record-level checks: 10,000 business units, 100,000 users, 100,000 records, checked against the reference evaluator.
fn records(c: &mut Criterion) {
    let started = Instant::now();
    let w = Workload::generate(SMALL_TABLES);
    let authority = Authority::new(w.catalog());
    let records = RecordWorkload::generate(&w, &authority, records::FULL);
    let built = started.elapsed();
    let allowed = records.check_agreement().unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "[records] {} business units, {} users, {} records, {} principals built in {built:.1?}; check_record agrees \
         with rolegate::record::reference on all {} queries ({allowed} allowed); a principal with record scope uses {} bytes",
        records::FULL.business_units,
        records::FULL.users,
        records::FULL.records,
        records.principals.len(),
        records.queries.len(),
        records.principals[0].memory_bytes(),
    );
    let mut g = c.benchmark_group("record");
    g.sample_size(20);
    let step1 = records.step1_floor();
    let site_slots = records.site_slots();
    for set in records::WORKING_SETS {
        record_sites(&mut g, &records, &step1, &site_slots, set);
    }
    per_decision(&mut g, "can", records.queries.len(), || {
        records
            .queries
            .iter()
            .map(|q| usize::from(records.can(q)))
            .sum()
    });
    per_decision(&mut g, "check_record", records.queries.len(), || {
        records
            .queries
            .iter()
            .map(|q| usize::from(records.check(q)))
            .sum()
    });
    let user = records.users[0];
    g.throughput(Throughput::Elements(1));
    g.bench_function("organization-principal", |b| {
        b.iter(|| records.org.principal(black_box(user)))
    });
    g.finish();
}

/// `#[requires(..., record = record)]` functions, the path users get, on records of each site's table, for users among
/// a working set: checked against the reference evaluator, then timed on every call and on the allowed calls, next
/// to the floor (step 1 alone: the principal's own rank row, one index and a compare) on the same calls.
fn record_sites(
    g: &mut BenchmarkGroup<'_, WallTime>,
    records: &RecordWorkload,
    (floor, requirements): &(Floor, Vec<(usize, u8)>),
    slots: &[Slot],
    set: WorkingSet,
) {
    let label = set.name;
    let SiteCalls {
        all: queries,
        allowed: allowed_queries,
    } = records
        .site_calls(RECORD_SITE_QUERIES / RECORD_SITES.len(), set)
        .unwrap_or_else(|e| panic!("[records, {label}] {e}"));
    let all_calls = records.resolve(&queries);
    let allowed_calls = records.resolve(&allowed_queries);
    let total: usize = all_calls.iter().map(Vec::len).sum();
    let allowed: usize = allowed_calls.iter().map(Vec::len).sum();
    assert_eq!(call_each_record(&all_calls), allowed);
    assert_eq!(call_each_record(&allowed_calls), allowed);
    let users_of = |lists: &[Vec<(u32, u32)>]| -> Vec<Vec<u32>> {
        lists
            .iter()
            .map(|l| l.iter().map(|&(u, _)| u).collect())
            .collect()
    };
    let floor_all = users_of(&queries);
    let floor_allowed = users_of(&allowed_queries);
    // Every allowed call passes step 1; some denied calls pass it too (step 2 denies them).
    assert_eq!(floor_each(floor, &floor_allowed, requirements), allowed);
    assert!(floor_each(floor, &floor_all, requirements) >= allowed);
    // The decision alone allows exactly the calls the functions allow.
    assert_eq!(can_at_each(&all_calls, slots), allowed);
    eprintln!(
        "[records, {label}] {} #[requires(record)] functions agree with rolegate::record::reference on {total} calls by the \
         first {} active users on {} ({allowed} allowed)",
        RECORD_SITES.len(),
        set.users.min(records.principals.len()),
        match set.records {
            usize::MAX => "every record of each site's table".to_owned(),
            n => format!("the first {n} records of each site's table"),
        },
    );
    per_decision(g, &format!("requires-record-fn-{label}"), total, || {
        call_each_record(&all_calls)
    });
    per_decision(
        g,
        &format!("requires-record-fn-{label}-floor"),
        total,
        || floor_each(floor, &floor_all, requirements),
    );
    per_decision(
        g,
        &format!("requires-record-fn-{label}-can_at"),
        total,
        || can_at_each(&all_calls, slots),
    );
    per_decision(
        g,
        &format!("requires-record-fn-{label}-allowed-only"),
        allowed,
        || call_each_record(&allowed_calls),
    );
    per_decision(
        g,
        &format!("requires-record-fn-{label}-allowed-only-floor"),
        allowed,
        || floor_each(floor, &floor_allowed, requirements),
    );
}

/// Importing the real 520 KB Omnichannel administrator export (XrmMockup format) and validating it as a catalog.
fn import(c: &mut Criterion) {
    let mut g = c.benchmark_group("import");
    g.sample_size(20);
    // The Omnichannel administrator (518 KB) and the largest real export, System Administrator (3.3 MB, 1,133 tables).
    for (name, file) in [
        (
            "omnichannel-administrator",
            "xrmmockup/Omnichanneladministrator.xml",
        ),
        (
            "system-administrator",
            "xrmbedrock-oob/SystemAdministrator.xml",
        ),
    ] {
        let path = format!("{}/../../data/roles/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let import = rolegate_import::import_str(&text, file, rolegate_import::Format::XrmMockup)
            .expect("the export imports");
        let catalog = Catalog::from_parsed(import.file.clone(), file).expect("it validates");
        eprintln!(
            "[import] {file}: {} bytes -> {} tables, {} roles ({} findings)",
            text.len(),
            catalog.tables().len(),
            catalog.roles().len(),
            import.report.len()
        );
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("{name}-xrmmockup"), |b| {
            b.iter(|| {
                rolegate_import::import_str(
                    black_box(&text),
                    file,
                    rolegate_import::Format::XrmMockup,
                )
                .expect("import")
            })
        });
        g.bench_function(format!("{name}-xrmmockup-and-validate"), |b| {
            b.iter(|| {
                let import = rolegate_import::import_str(
                    black_box(&text),
                    file,
                    rolegate_import::Format::XrmMockup,
                )
                .expect("import");
                Catalog::from_parsed(import.file, file).expect("validate")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, setup, import, records, decide);
criterion_main!(benches);
