#!/usr/bin/env bash
# Compile cost of #[requires]: generates two throwaway crates in a temp dir, one with 500 functions guarded by
# #[requires] and one with the same 500 functions unguarded (same bodies), warms their dependencies, then rebuilds
# each crate alone (debug profile, ROUNDS times, alternating) and prints the best wall-clock and CPU (user + sys of
# cargo and rustc) times and their ratios. Target: at most 1.5x.
#
# It does so twice: with the proc macros built as cargo builds them by default (unoptimized), and with them built at
# opt-level 3 through the temp workspace's [profile.dev.build-override] (what the README recommends). Both
# configurations share one target dir, so the second costs one more warm-up of the proc macros and their deps only.
#
#   crates/rolegate-bench/compile-cost.sh           # FUNCTIONS=500 ROUNDS=3 by default
#   ROLEGATE_REPO=/path/to/rolegate crates/rolegate-bench/compile-cost.sh
#   MACRO_OPT=1 crates/rolegate-bench/compile-cost.sh   # only the opt-level 3 build; MACRO_OPT=0: only the default
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

# $1: default or opt
workspace() {
  cat > "$work/Cargo.toml" <<TOML
[workspace]
members = ["with", "without"]
resolver = "3"
TOML
  if [ "$1" = opt ]; then
    printf '\n[profile.dev.build-override]\nopt-level = 3\n' >> "$work/Cargo.toml"
  fi
}
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

# $1: default or opt. Prints one line of the table.
measure() {
  workspace "$1"
  echo "warming dependencies (rolegate from $repo, proc macros: $1) ..." >&2
  cargo build --quiet --manifest-path "$work/Cargo.toml" -p compile-cost-with -p compile-cost-without
  : > "$work/with.times"
  : > "$work/without.times"
  local TIMEFORMAT='%R %U %S'
  for ((r = 0; r < rounds; r++)); do
    for crate in without with; do
      touch "$work/$crate/src/lib.rs"
      { time cargo build --quiet --manifest-path "$work/Cargo.toml" -p "compile-cost-$crate" 2> "$work/cargo.err" \
          || { cat "$work/cargo.err" >&2; exit 1; }; } 2>> "$work/$crate.times"
    done
  done
  # best wall-clock time, best CPU time (user + sys), each over the rounds
  local without with without_cpu with_cpu
  without=$(awk '{print $1}' "$work/without.times" | sort -n | head -1)
  with=$(awk '{print $1}' "$work/with.times" | sort -n | head -1)
  without_cpu=$(awk '{print $2 + $3}' "$work/without.times" | sort -n | head -1)
  with_cpu=$(awk '{print $2 + $3}' "$work/with.times" | sort -n | head -1)
  local label="unoptimized (cargo's default)"
  [ "$1" = opt ] && label="opt-level 3 (build-override)"
  awk -v l="$label" -v a="$without" -v b="$with" -v c="$without_cpu" -v d="$with_cpu" \
    'BEGIN { printf "%-30s %6.2f s %6.2f s %6.2fx   %6.2f s %6.2f s %6.2fx\n", l, a, b, b / a, c, d, d / c }'
}

configs="default opt"
case "${MACRO_OPT:-}" in
  "") ;;
  0) configs=default ;;
  *) configs=opt ;;
esac
printf '%d functions, debug build of the crate alone, best of %d (cycling %d requirements)\n' "$functions" "$rounds" "$count"
printf '%-30s %8s %8s %7s   %8s %8s %7s\n' "proc macros" "without" "with" "ratio" "CPU w/o" "CPU with" "ratio"
for config in $configs; do measure "$config"; done
echo "target: with / without <= 1.5x (wall clock; CPU is user + sys of cargo and rustc, steadier on a busy machine)"
