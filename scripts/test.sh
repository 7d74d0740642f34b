#!/usr/bin/env bash
# Runs every check CI runs: setup, build with warnings as errors, the formatter, and all tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=.ci/.state/test-results
rm -rf "$results"

dotnet build Onward.slnx -c Release -v quiet -nologo
dotnet format Onward.slnx --verify-no-changes --no-restore
status=0
dotnet test Onward.slnx -c Release --no-build -v quiet -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
