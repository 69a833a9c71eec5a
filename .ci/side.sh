#!/usr/bin/env bash
# .ci/side.sh: the part of .ci/run that needs nothing from the root module's
# tests, which .ci/run starts beside them at the lowest CPU priority (see
# there). It expects the environment .ci/run sets up (PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
start="${CI_START:-$(date +%s)}"
section() { echo "== $* (at $(( $(date +%s) - start ))s)"; }

section "nested modules: frameworks/*, examples/* with their own go.mod"
# Each framework integration is its own module so that the main module has
# no framework dependency; go test ./... from the root does not enter them.
# Their go.sum files are committed: no -mod=mod here, a missing sum fails.
for mod in $(find frameworks examples -name go.mod 2>/dev/null | sort); do
	dir="$(dirname "$mod")"
	echo "-- $dir"
	(cd "$dir" && go vet ./... && go test -race -count=1 -timeout 5m ./...)
done

section "fuzz (short runs)"
# Budgets are execution counts, not durations: Go 1.26's fuzz coordinator can
# report a bare "context deadline exceeded" (no failing input) when a
# wall-clock -fuzztime expires on a loaded machine (golang/go#75804, fixed in
# Go 1.27); a count has no deadline to race. 5000 runs take 1-4 s a target
# here (29 targets; at 50000 the whole of .ci/run took 887 s of its 900; at
# 10000, with the framework modules and browser tests added since, 889 s).
# Longer fuzzing belongs to a developer's machine: FUZZTIME=200000x .ci/run.
# Each package's test binary is built once, with the fuzzing instrumentation,
# and run per target: building per target cost more than the fuzzing itself.
fuzzdir="$(mktemp -d)"
for pkg in $(go list ./...); do
	dir="$(go list -f '{{.Dir}}' "$pkg")"
	targets="$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u || true)"
	[[ -z "$targets" ]] && continue
	go test -c -fuzz . -o "$fuzzdir/fuzz.test" "$pkg"
	for target in $targets; do
		echo "-- $pkg $target"
		(cd "$dir" && "$fuzzdir/fuzz.test" -test.run '^$' -test.fuzz "^$target\$" -test.fuzztime "${FUZZTIME:-5000x}" \
			-test.fuzzminimizetime 100x -test.fuzzcachedir "$fuzzdir/cache" -test.timeout 5m)
	done
done
rm -rf "$fuzzdir"

section "nested modules and fuzz runs done"
