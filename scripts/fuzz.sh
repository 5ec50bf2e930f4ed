#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a short fixed time, one target per go test
# invocation (Go fuzzes one target at a time). The targets are found in each package whose tests
# declare a `func Fuzz...`: every func FuzzX(f *testing.F) of the test files go list selects for
# this platform (what `go test -list` gives, without a test binary per package), so new targets
# are picked up. Every target
# runs even after a failure; the script exits non-zero when any fuzzer found one (Go writes the
# failing input under the package's testdata/fuzz/FuzzX/: fix the parser and commit the input
# as a regression seed).
#
# Usage: scripts/fuzz.sh [FUZZTIME]   (default 6s; FUZZ_PARALLEL workers, default 2;
#        FUZZ_PKGS, an extended regexp, keeps the package directories it matches, e.g. 'remote/ntlm')
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-6s}
parallel=${FUZZ_PARALLEL:-2}

dirs=$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u | grep -E "${FUZZ_PKGS:-.}" || true)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
n=0
start=$SECONDS
for d in $dirs; do
  # The package's fuzz targets as `go test -list '^Fuzz'` names them, without building and running
  # a test binary per package for the list (seconds each): the test files that go list selects
  # for this platform (build constraints applied), and in them each func FuzzX(f *testing.F).
  targets=$(cd "$d" && go list -f '{{join .TestGoFiles "\n"}}{{"\n"}}{{join .XTestGoFiles "\n"}}' . |
    { grep . || true; } | xargs -r sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(\([A-Za-z_][A-Za-z0-9_]*\) \*testing\.F) {.*/\1/p' | sort -u)
  for t in $targets; do
    n=$((n + 1))
    echo "== fuzz $d $t ($fuzztime)"
    corpus="$d/testdata/fuzz/$t"
    before=$(ls "$corpus" 2>/dev/null | sort || true)
    if go test -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" -parallel "$parallel" "$d" >"$log" 2>&1; then
      tail -1 "$log"
      continue
    fi
    after=$(ls "$corpus" 2>/dev/null | sort || true)
    # Go's coordinator can fail a target at the -fuzztime deadline with a bare "context deadline
    # exceeded" and no failing input (golang/go#75804, under CPU contention): not a finding.
    if [ "$before" = "$after" ] && grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written' "$log"; then
      echo "flake: $t stopped with a bare 'context deadline exceeded' and no failing input (golang/go#75804); not counted"
      continue
    fi
    tail -30 "$log"
    failed+=("$d $t")
  done
done
echo "fuzz: $n targets in $((SECONDS - start))s"
if [ "$n" -eq 0 ]; then
  echo "fuzz: no targets found"; exit 1
fi
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'fuzz: FAILED %s\n' "${failed[@]}"
  exit 1
fi
