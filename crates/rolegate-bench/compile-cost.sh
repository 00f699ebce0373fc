#!/usr/bin/env bash
# Compile cost of #[requires]: generates throwaway crates in a temp dir, one with 500 functions guarded by
# #[requires] and one with the same 500 functions unguarded (same bodies), warms their dependencies, then rebuilds
# each crate alone (debug profile, ROUNDS times, alternating) and prints the best wall-clock and CPU (user + sys of
# cargo and rustc) times and their ratios. Target: at most 1.5x.
#
# Two controls are built and timed beside them, to show what part of the cost any guard, or any attribute macro,
# pays: "by hand", the same 500 functions each guarded by one hand-written line, `user.check(&Requirement::Table {..})?`
# (no macro, no static, no registration); and "identity macro", the same 500 functions under an attribute macro that
# returns its item unchanged (a proc-macro crate generated here, with no dependencies).
#
# Two peers are built and timed the same way: the same 500 functions under `#[tracing::instrument(skip_all)]` and under
# `#[tracing::instrument]`, the attribute macro services already put on their handlers. Their times and ratios are
# printed beside #[requires]'s, and a last line per configuration gives #[requires] against
# `#[instrument(skip_all)]`, which it should stay below.
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
members = ["with", "without", "byhand", "identity", "identity-macro", "instrument-skip-all", "instrument"]
resolver = "3"
TOML
  if [ "$1" = opt ]; then
    printf '\n[profile.dev.build-override]\nopt-level = 3\n' >> "$work/Cargo.toml"
  fi
}
crates="without with byhand identity instrument-skip-all instrument"
mkdir -p "$work/identity-macro/src"
cat > "$work/identity-macro/Cargo.toml" <<TOML
[package]
name = "compile-cost-identity-macro"
version = "0.0.0"
edition = "2024"
publish = false

[lib]
proc-macro = true
TOML
cat > "$work/identity-macro/src/lib.rs" <<'RUST'
//! An attribute macro that returns its item unchanged: the cost of invoking an attribute macro at all.
use proc_macro::TokenStream;

#[proc_macro_attribute]
pub fn requires(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
RUST
for crate in $crates; do
  mkdir -p "$work/$crate/src"
  {
    cat <<TOML
[package]
name = "compile-cost-$crate"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
rolegate = { path = "$repo" }
TOML
    [ $crate = identity ] && echo 'compile-cost-identity-macro = { path = "../identity-macro" }'
    case $crate in
      instrument*) echo 'tracing = { version = "0.1", default-features = false, features = ["std", "attributes"] }' ;;
    esac
  } > "$work/$crate/Cargo.toml"
  {
    case $crate in
      with) echo "//! $functions functions guarded by #[requires]." ;;
      byhand) echo "//! $functions functions guarded by a hand-written check." ;;
      identity) echo "//! $functions functions under an attribute macro that returns them unchanged." ;;
      instrument-skip-all) echo "//! $functions functions under #[tracing::instrument(skip_all)]." ;;
      instrument) echo "//! $functions functions under #[tracing::instrument]." ;;
      *) echo "//! $functions functions without #[requires]." ;;
    esac
    echo "#![allow(missing_docs)]"
    echo "use rolegate::{Denied, Principal};"
    [ $crate = byhand ] && echo "use rolegate::{Depth, Requirement, TablePrivilege};"
    for ((i = 0; i < functions; i++)); do
      read -r privilege table depth < <(sed -n "$(( i % count + 1 ))p" "$work/requirements")
      case $crate in
        with) echo "#[rolegate::requires(privilege = \"$privilege\", table = \"$table\", depth = \"$depth\")]" ;;
        identity) echo "#[compile_cost_identity_macro::requires(privilege = \"$privilege\", table = \"$table\", depth = \"$depth\")]" ;;
        instrument-skip-all) echo "#[tracing::instrument(skip_all)]" ;;
        instrument) echo "#[tracing::instrument]" ;;
      esac
      echo "pub fn f$i(user: &Principal, x: u64) -> Result<u64, Denied> {"
      if [ $crate = byhand ]; then
        echo "    user.check(&Requirement::Table { privilege: TablePrivilege::$privilege, table: \"$table\".into(), depth: Some(Depth::$depth) })?;"
      else
        echo "    let _ = user;"
      fi
      echo "    Ok(x.wrapping_mul($i))"
      echo "}"
    done
  } > "$work/$crate/src/lib.rs"
done

# $1: default or opt. Prints one line of the table.
measure() {
  workspace "$1"
  echo "warming dependencies (rolegate from $repo, proc macros: $1) ..." >&2
  # The crates without a proc macro build the same under either configuration: "by hand" is timed under the default
  # one only (the unguarded crate is the baseline of both).
  local timed=$crates crate
  [ "$1" = opt ] && timed="without with identity instrument-skip-all instrument"
  # Each crate is warmed alone, as it is timed: the tracing peers enable tracing's `attributes` feature, so building
  # them together with the others would build rolegate and tracing with features that a crate built alone does not get.
  for crate in $timed; do
    cargo build --quiet --manifest-path "$work/Cargo.toml" -p "compile-cost-$crate"
  done
  for crate in $timed; do : > "$work/$crate.times"; done
  local TIMEFORMAT='%R %U %S'
  for ((r = 0; r < rounds; r++)); do
    for crate in $timed; do
      touch "$work/$crate/src/lib.rs"
      { time cargo build --quiet --manifest-path "$work/Cargo.toml" -p "compile-cost-$crate" 2> "$work/cargo.err" \
          || { cat "$work/cargo.err" >&2; exit 1; }; } 2>> "$work/$crate.times"
    done
  done
  # best() crate column: the best over the rounds of an awk expression of the times ($1 wall clock, $2 + $3 CPU)
  best() { awk "{print $2}" "$work/$1.times" | sort -n | head -1; }
  local base base_cpu
  base=$(best without '$1'); base_cpu=$(best without '$2 + $3')
  for crate in $timed; do
    [ $crate = without ] && continue
    local name
    case $crate in
      with) name="#[requires], macros $1" ;;
      byhand) name="control: check by hand" ;;
      identity) name="control: identity macro, $1" ;;
      instrument-skip-all) name="peer: #[instrument(skip_all)], $1" ;;
      instrument) name="peer: #[instrument], $1" ;;
    esac
    awk -v l="$name" -v a="$base" -v b="$(best $crate '$1')" -v c="$base_cpu" -v d="$(best $crate '$2 + $3')" \
      'BEGIN { printf "%-38s %6.2f s %6.2f s %6.2fx   %6.2f s %6.2f s %6.2fx\n", l, a, b, b / a, c, d, d / c }'
  done
  awk -v l="#[requires] / #[instrument(skip_all)], macros $1" \
    -v a="$(best instrument-skip-all '$1')" -v b="$(best with '$1')" \
    -v c="$(best instrument-skip-all '$2 + $3')" -v d="$(best with '$2 + $3')" \
    'BEGIN { printf "%s: %.2fx wall clock, %.2fx CPU\n", l, b / a, d / c }'
}

configs="default opt"
case "${MACRO_OPT:-}" in
  "") ;;
  0) configs=default ;;
  *) configs=opt ;;
esac
printf '%d functions, debug build of the crate alone, best of %d (cycling %d requirements)\n' "$functions" "$rounds" "$count"
printf '%-38s %8s %8s %7s   %8s %8s %7s\n' "crate (against the unguarded one)" "without" "with" "ratio" "CPU w/o" "CPU with" "ratio"
for config in $configs; do measure "$config"; done
echo "target: with / without <= 1.5x (wall clock; CPU is user + sys of cargo and rustc, steadier on a busy machine)"
echo "peer: #[requires] / #[instrument(skip_all)] < 1x"
