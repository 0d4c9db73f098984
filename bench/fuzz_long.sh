#!/usr/bin/env bash
# Long fuzzing run: schemathesis over every operation of /api/openapi.json (tests/test_api_fuzz.py),
# FUZZ_EXAMPLES examples per operation (default 100), each case sent as programme_admin, kommune and
# finance; checks: no 5xx, status codes, content types, headers and bodies match the spec.
# Extra arguments go to pytest, e.g. `bench/fuzz_long.sh -k sqlite` for one engine.
# The summary is written to bench/results/fuzz_long.txt or $FUZZ_OUT (with the load average before
# and after). FUZZ_ALL_ROLES=1 sends every case as every role instead of three. FUZZ_LOG=path keeps
# pytest's whole output as it runs (progress of a run that may not finish; the summary only comes at
# the end).
set -uo pipefail
cd "$(dirname "$0")/.."
export FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-100}"
mkdir -p bench/results
out="${FUZZ_OUT:-bench/results/fuzz_long.txt}"
started=$(date +%s)
{
  echo "# schemathesis, FUZZ_EXAMPLES=$FUZZ_EXAMPLES, FUZZ_ALL_ROLES=${FUZZ_ALL_ROLES:-0}, pytest args: ${*:-none}; start $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  FUZZ_COUNT_CALLS=1 python -m pytest -q -p no:randomly -W ignore::UserWarning tests/test_api_fuzz.py "$@" 2>&1 \
    | tee "${FUZZ_LOG:-/dev/null}" | tail -n 80
  status=${PIPESTATUS[0]}
  echo "# end $(date -u +%FT%TZ), $(( $(date +%s) - started )) s, load $(cut -d' ' -f1-3 /proc/loadavg), pytest exit $status"
} | tee "$out"
