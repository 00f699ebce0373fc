#!/usr/bin/env bash
# Compares the benchmark rows that guard a change to the runtime between another revision and the working tree, in
# one run of both: builds the benchmark at <old-rev> (in a git worktree) and here, then runs the same rows of each,
# alternating old and new ROUNDS times, and prints each row's best median per revision and the change.
#
#   crates/rolegate-bench/compare.sh <old-rev>            # e.g. HEAD~3, a tag, a commit
#   ROUNDS=2 FILTER='decide-150/' crates/rolegate-bench/compare.sh main
#
# The rows (a criterion filter, FILTER overrides it): the allowed `#[requires]` check (`requires-fn-allowed-only`),
# the record sites (`requires-record-fn-*`, mixed and allowed only) and `can_at` on the same calls, and
# `Principal::check` beside the naive evaluator. Run it on a quiet machine: the record rows are memory-bound and move
# 20-40% from run to run under load.
set -euo pipefail
old=${1:?usage: compare.sh <old-rev>}
repo=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${ROUNDS:-2}
filter=${FILTER:-'requires-fn-allowed-only$|requires-record-fn-[a-z]+(-allowed-only|-can_at)?$|decide-[0-9]+/(rolegate-check|naive-hashmap)$'}
work=${COMPARE_DIR:-$repo/target/compare}
rev=$(git -C "$repo" rev-parse --short "$old")
mkdir -p "$work"

# The old revision, checked out once per commit and built in its own target dir (kept between runs).
tree="$work/tree-$rev"
if [ ! -d "$tree" ]; then
  git -C "$repo" worktree add --detach "$tree" "$rev" >/dev/null
fi

# $1: source tree, $2: target dir. Prints the path of the built benchmark executable.
build() {
  CARGO_TARGET_DIR="$2" cargo bench --manifest-path "$1/Cargo.toml" -p rolegate-bench --features peers \
    --bench engines --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "engines" and m.get("executable"):
        print(m["executable"])'
}
echo "building $rev and the working tree..." >&2
old_bin=$(build "$tree" "$work/target-$rev")
new_bin=$(build "$repo" "$repo/target")
[ -x "$old_bin" ] && [ -x "$new_bin" ] || { echo "a build failed" >&2; exit 1; }

# Both write criterion's estimates under one home, each revision under its own baseline name.
export CRITERION_HOME="$work/criterion"
rm -rf "$CRITERION_HOME"
for round in $(seq 1 "$rounds"); do
  for side in old new; do
    bin=$old_bin; [ "$side" = new ] && bin=$new_bin
    echo "round $round: $side" >&2
    (cd "$repo/crates/rolegate-bench" && "$bin" --bench --save-baseline "$side-$round" "$filter" >/dev/null 2>&1)
  done
done

python3 - "$CRITERION_HOME" "$rounds" "$rev" <<'PY'
import json, os, sys
home, rounds, rev = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = {}
for root, dirs, files in os.walk(home):
    if "estimates.json" not in files:
        continue
    baseline = os.path.basename(root)
    side = baseline.split("-")[0]
    if side not in ("old", "new"):
        continue
    bench = json.load(open(os.path.join(os.path.dirname(root), baseline, "benchmark.json")))
    name = bench["full_id"]
    median = json.load(open(os.path.join(root, "estimates.json")))["median"]["point_estimate"]
    per = bench.get("throughput") or {}
    n = per.get("Elements", 1)
    best = rows.setdefault(name, {})
    best[side] = min(best.get(side, float("inf")), median / n)
print(f"| row | {rev} (ns) | working tree (ns) | change |")
print("|---|---|---|---|")
for name in sorted(rows):
    r = rows[name]
    if "old" in r and "new" in r:
        print(f"| {name} | {r['old']:.2f} | {r['new']:.2f} | {100 * (r['new'] / r['old'] - 1):+.1f}% |")
    else:
        side = "new" if "new" in r else "old"
        print(f"| {name} | {r.get('old', float('nan')):.2f} | {r.get('new', float('nan')):.2f} | only in {side} |")
PY
