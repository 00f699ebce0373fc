#!/usr/bin/env bash
# Compile cost of #[requires]: generates two throwaway crates in a temp dir, one with 500 functions guarded by
# #[requires] and one with the same 500 functions unguarded, warms their dependencies, then rebuilds each crate alone
# (debug profile, ROUNDS times, alternating) and prints the best times and their ratio. Target: at most 1.5x.
#
#   crates/rolegate-bench/compile-cost.sh           # FUNCTIONS=500 ROUNDS=3 by default
#   ROLEGATE_REPO=/path/to/rolegate crates/rolegate-bench/compile-cost.sh
#   MACRO_OPT=1 crates/rolegate-bench/compile-cost.sh   # proc macros built with opt-level 3 ([profile.dev.build-override])
#   KEEP=1 ...                                          # keep the temp dir (its path is printed)
#
# The requirements are every (privilege, table, depth) the built-in "Omnichannel administrator" role grants, cycled,
# so that every one is valid and satisfiable.
set -euo pipefail
repo=${ROLEGATE_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
functions=${FUNCTIONS:-500}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT; echo "work dir: $work" >&2
export CARGO_TARGET_DIR="$work/target"

awk '/^\[\[role\]\]/ { admin = 0; grants = 0 }
     /^name = "Omnichannel administrator"$/ { admin = 1 }
     admin && /^\[role\.grants\]/ { grants = 1; next }
     admin && grants && /^[a-z_0-9]+ = \{/ {
       table = $1
       n = split($0, cells, /[{},]/)
       for (i = 1; i <= n; i++) if (cells[i] ~ /=/ && cells[i] !~ /^[a-z_0-9]+ = $/) {
         split(cells[i], kv, /"/); gsub(/[ =]/, "", kv[1]); print kv[1], table, kv[2]
       }
     }' "$repo/crates/rolegate-catalog/data/builtin.toml" > "$work/requirements"
count=$(wc -l < "$work/requirements")
[ "$count" -gt 0 ] || { echo "no requirements found in builtin.toml" >&2; exit 1; }

cat > "$work/Cargo.toml" <<TOML
[workspace]
members = ["with", "without"]
resolver = "3"
TOML
if [ -n "${MACRO_OPT:-}" ]; then
  printf '\n[profile.dev.build-override]\nopt-level = 3\n' >> "$work/Cargo.toml"
fi
for crate in with without; do
  mkdir -p "$work/$crate/src"
  cat > "$work/$crate/Cargo.toml" <<TOML
[package]
name = "compile-cost-$crate"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
rolegate = { path = "$repo" }
TOML
  {
    if [ $crate = with ]; then echo "//! $functions functions guarded by #[requires]."; else echo "//! $functions functions without #[requires]."; fi
    echo "#![allow(missing_docs)]"
    echo "use rolegate::{Denied, Principal};"
    for ((i = 0; i < functions; i++)); do
      read -r privilege table depth < <(sed -n "$(( i % count + 1 ))p" "$work/requirements")
      [ $crate = with ] && echo "#[rolegate::requires(privilege = \"$privilege\", table = \"$table\", depth = \"$depth\")]"
      echo "pub fn f$i(user: &Principal, x: u64) -> Result<u64, Denied> {"
      echo "    let _ = user;"
      echo "    Ok(x.wrapping_mul($i))"
      echo "}"
    done
  } > "$work/$crate/src/lib.rs"
done

echo "warming dependencies (rolegate from $repo) ..." >&2
cargo build --quiet --manifest-path "$work/Cargo.toml" -p compile-cost-with -p compile-cost-without

best() { sort -n | head -1; }
: > "$work/with.times"
: > "$work/without.times"
for ((r = 0; r < rounds; r++)); do
  for crate in without with; do
    touch "$work/$crate/src/lib.rs"
    start=$(date +%s.%N)
    cargo build --quiet --manifest-path "$work/Cargo.toml" -p "compile-cost-$crate"
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l >> "$work/$crate.times"
  done
done
with=$(best < "$work/with.times")
without=$(best < "$work/without.times")
printf '%d functions, debug build of the crate alone, best of %d (cycling %d requirements); proc macros %s\n' \
  "$functions" "$rounds" "$count" "$( [ -n "${MACRO_OPT:-}" ] && echo "at opt-level 3" || echo "unoptimized (cargo's default)" )"
printf 'without #[requires]: %.2f s\n' "$without"
printf 'with #[requires]:    %.2f s\n' "$with"
printf 'ratio:               %.2fx (target <= 1.5x)\n' "$(echo "$with / $without" | bc -l)"
