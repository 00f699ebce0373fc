#!/usr/bin/env python3
"""Prints the benchmark results as the Markdown tables of BENCHMARKS.md: median ns per decision, with ratios.

Reads criterion's output (CARGO_TARGET_DIR/criterion, or target/criterion) after
`cargo bench -p rolegate-bench --features peers`. Usage: summary.py [criterion-dir]
"""
import json
import os
import sys
from pathlib import Path

root = Path(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion"))


def median_ns(group, bench):
    """(median ns per element, elements per iteration) of one benchmark, or None."""
    base = root / group / bench / "new"
    try:
        estimates = json.loads((base / "estimates.json").read_text())
        meta = json.loads((base / "benchmark.json").read_text())
    except FileNotFoundError:
        return None
    elements = (meta.get("throughput") or {}).get("Elements", 1)
    return estimates["median"]["point_estimate"] / elements, elements


def fmt(ns):
    if ns >= 100:
        return f"{ns:,.0f}"
    return f"{ns:.2f}" if ns < 10 else f"{ns:.1f}"


ROWS = [
    ("floor", "floor: dense per-user `[u8]`, one index and a compare"),
    ("floor-allowed-only", "floor, allowed queries only"),
    ("requires-fn", "rolegate `#[requires]` functions, every user (mixed)"),
    ("requires-fn-floor", "floor on the same calls as the row above"),
    ("requires-fn-floor-guard", "floor as a guard on the same calls (`Err` on a denial, matched on by the caller)"),
    ("requires-fn-allowed-only", "rolegate `#[requires]` functions, allowed calls only"),
    ("requires-fn-allowed-only-floor", "floor on the same calls as the row above"),
    ("requires-fn-out-of-line", "rolegate `#[requires]` functions called through a fn pointer (not inlined), mixed"),
    ("requires-fn-out-of-line-allowed-only", "  same, allowed calls only"),
    ("rolegate-check_site", "rolegate `Principal::check_site`, a site per requirement (mixed)"),
    ("rolegate-check_site-allowed-only", "rolegate `Principal::check_site`, allowed queries only"),
    ("rolegate-depth_at", "rolegate `Principal::depth_at` on a resolved slot (a bool, no `Denied`)"),
    ("rolegate-check", "rolegate `Principal::check(&Requirement)`"),
    ("naive-hashmap", "naive `HashMap<(role, table, privilege), depth>`"),
    ("cedar-role-sets", "cedar-policy, one policy `principal.roles.containsAny(resource.roles)`"),
    ("cedar-role-sets-prebuilt-requests", "  same, prebuilt `Request`s"),
    ("cedar-role-set-in", "cedar-policy, one policy `resource in principal.roles`"),
    ("cedar-role-set-in-prebuilt-requests", "  same, prebuilt `Request`s"),
    ("cedar-role-scopes", "cedar-policy, 10 scope-only policies `principal in Role && resource in Role`"),
    ("cedar-role-scopes-prebuilt-requests", "  same, prebuilt `Request`s"),
    ("casbin-cached-warm", "casbin `CachedEnforcer`, warm"),
    ("casbin-enforcer", "casbin `Enforcer`"),
]

for tables in ("150", "1500"):
    group = f"decide-{tables}"
    results = {bench: median_ns(group, bench) for bench, _ in ROWS}
    floor = results["floor"][0] if results["floor"] else None
    rolegate = results["requires-fn-allowed-only"][0] if results["requires-fn-allowed-only"] else None
    cedar_best = min((v[0] for k, v in results.items() if k.startswith("cedar") and v), default=None)
    print(f"\n### {tables} tables\n")
    print("| engine | queries per iteration | median ns/decision | x floor | x rolegate `#[requires]` (allowed) |")
    print("|---|---:|---:|---:|---:|")
    for bench, label in ROWS:
        r = results[bench]
        if r is None:
            continue
        ns, n = r
        vs_floor = f"{ns / floor:,.1f}" if floor else ""
        vs_rolegate = f"{ns / rolegate:,.1f}" if rolegate else ""
        print(f"| {label} | {n:,} | {fmt(ns)} | {vs_floor} | {vs_rolegate} |")
    if rolegate and cedar_best:
        print(f"\ncedar's best / rolegate `#[requires]` (allowed): {cedar_best / rolegate:,.0f}x")
    if rolegate and results["casbin-cached-warm"]:
        print(f"casbin warm CachedEnforcer / rolegate `#[requires]` (allowed): {results['casbin-cached-warm'][0] / rolegate:,.0f}x")
    for a, b in (("requires-fn-allowed-only", "requires-fn-allowed-only-floor"), ("requires-fn", "requires-fn-floor"),
                 ("requires-fn", "requires-fn-floor-guard")):
        if results[a] and results[b]:
            print(f"{a} / {b}: {results[a][0] / results[b][0]:.2f}x")

print("\n### record-level checks\n")
print("| working set | calls | `#[requires(record)]` mixed ns | floor ns | x floor | `can_at` mixed ns | x floor | allowed calls | `#[requires(record)]` allowed ns | floor ns | x floor |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name in ("hot", "warm", "cold"):
    row = [median_ns("record", f"requires-record-fn-{name}{suffix}")
           for suffix in ("", "-floor", "-can_at", "-allowed-only", "-allowed-only-floor")]
    if not all(row):
        continue
    (mixed, n), (floor_mixed, _), (can_at, _), (allowed, n_allowed), (floor_allowed, _) = row
    print(f"| {name} | {n:,} | {fmt(mixed)} | {fmt(floor_mixed)} | {mixed / floor_mixed:,.1f} | {fmt(can_at)} | "
          f"{can_at / floor_mixed:,.1f} | {n_allowed:,} | {fmt(allowed)} | {fmt(floor_allowed)} | "
          f"{allowed / floor_allowed:,.1f} |")

print("\n### setup, by-name record checks, import\n")
for group, bench in (("setup", "principal-3-admin-sized-roles"), ("setup", "principal-3-admin-sized-roles-shared"),
                     ("setup", "builtin-catalog-from_str_named"),
                     ("setup", "builtin-catalog-load"), ("setup", "builtin-authority-load"),
                     ("setup", "builtin-authority-new"), ("record", "can"), ("record", "check_record"),
                     ("record", "organization-principal"), ("import", "omnichannel-administrator-xrmmockup"),
                     ("import", "omnichannel-administrator-xrmmockup-and-validate")):
    r = median_ns(group, bench)
    if r:
        per = "ns/decision" if r[1] > 1 else "µs"
        value = r[0] if r[1] > 1 else r[0] / 1000
        print(f"- {group}/{bench}: {value:,.2f} {per}")
