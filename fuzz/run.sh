#!/usr/bin/env bash
# Fuzzes every target for MINUTES minutes each (default 1), one after another, and prints per target the executions,
# the corpus reached and anything found. See fuzz/README.md.
#
#   fuzz/run.sh [MINUTES] [TARGET...]
#
# Seeds are read from fuzz/corpus/<target>/ (committed) and left untouched; inputs the run finds go to
# $CARGO_TARGET_DIR/fuzz-corpus/<target>/ (default fuzz/target/...). A crash, leak or timeout is written to
# fuzz/artifacts/<target>/ by libFuzzer: commit it, and tests/fuzz_replay.rs replays it on stable from then on.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; without one, stable is tried with
# RUSTC_BOOTSTRAP=1 (FUZZ_TOOLCHAIN=stable forces it). Runs under `nice`: set NICE=0 on a machine of your own.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
minutes="${1:-1}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(import_dataverse_xml import_xrmmockup import_markdown catalog_toml catalog_json org_toml org_json)
fi
seconds=$((minutes * 60))
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
nice=(nice -n "${NICE:-10}")

# The toolchain: nightly when installed, else stable unlocked with RUSTC_BOOTSTRAP=1.
toolchain=()
if [ "${FUZZ_TOOLCHAIN:-}" != stable ] && rustup run nightly rustc --version >/dev/null 2>&1; then
    toolchain=(+nightly)
else
    export RUSTC_BOOTSTRAP=1
    echo "no nightly toolchain: building on stable with RUSTC_BOOTSTRAP=1" >&2
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
fi

cd "$here"
"${nice[@]}" cargo "${toolchain[@]}" fuzz build

logs="$CARGO_TARGET_DIR/fuzz-logs"
mkdir -p "$logs"
summary=()
status=0
for target in "${targets[@]}"; do
    scratch="$CARGO_TARGET_DIR/fuzz-corpus/$target"
    mkdir -p "$scratch" "artifacts/$target"
    before=$(find "artifacts/$target" -type f | wc -l)
    echo "== $target: ${minutes} min" >&2
    # The first corpus folder is the one libFuzzer writes to: the scratch folder; the committed seeds are only read.
    if ! "${nice[@]}" cargo "${toolchain[@]}" fuzz run "$target" "$scratch" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        >"$logs/$target.log" 2>&1; then
        status=1
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$target.log" | tail -1 | grep -o '[0-9]*$' || true)
    corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$logs/$target.log" | tail -1 || true)
    cov=$(grep -o 'cov: [0-9]*' "$logs/$target.log" | tail -1 || true)
    after=$(find "artifacts/$target" -type f | wc -l)
    found=$((after - before))
    summary+=("$(printf '%-22s executions %-10s %-20s %-10s new artifacts %s' \
        "$target" "${execs:-?}" "${corpus:-corp: ?}" "${cov:-cov: ?}" "$found")")
    if [ "$found" -gt 0 ]; then
        grep -m1 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$logs/$target.log" >&2 || true
    fi
done

echo
echo "fuzzed $(date -u +%Y-%m-%d), ${minutes} min per target; logs in $logs"
printf '%s\n' "${summary[@]}"
exit "$status"
