#!/usr/bin/env bash
# The benchmarks in quick mode, for CI: builds them with the peer engines, checks that every engine gives the model's
# answer (all 100,000 queries for rolegate, the floor, the naive evaluator and cedar; a subset for casbin), then runs
# criterion briefly. The figures of a quick run are rough; BENCHMARKS.md has the full run's.
#
#   crates/rolegate-bench/quick.sh            # from anywhere; extra arguments go to criterion (e.g. a filter)
set -euo pipefail
cd "$(dirname "$0")/../.."
export ROLEGATE_BENCH_QUICK=1
exec cargo bench -p rolegate-bench --features peers --bench engines -- \
  --warm-up-time 0.1 --measurement-time 0.2 --sample-size 10 "$@"
