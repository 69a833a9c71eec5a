#!/usr/bin/env bash
# .ci/browser.sh makes the real-browser suite (internal/e2e) runnable: it
# installs Debian's chromium and chromium-headless-shell when missing and axe-core
# (from the npm registry, into a cache folder) when it is not there yet,
# then prints the variables the suite reads, for the caller to eval:
#
#	eval "$(bash .ci/browser.sh)"
#	go test ./internal/e2e/
#
# Everything but the export lines goes to stderr, so eval sees only them.
set -euo pipefail

log() { echo "browser.sh: $*" >&2; }

# The full browser for the visitor-facing tests, the headless shell (the
# same Blink and V8, a third less CPU) for the real-page corpus.
shell=/usr/lib/chromium/chromium-headless-shell
if [[ ! -x /usr/bin/chromium || ! -x $shell ]]; then
	log "installing chromium and chromium-headless-shell with apt-get"
	if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get update >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium chromium-headless-shell >&2
fi
/usr/bin/chromium --version >&2
$shell --version >&2

cache="${XDG_CACHE_HOME:-$HOME/.cache}/consentkit-axe"
axe="$cache/node_modules/axe-core/axe.min.js"
if [[ ! -s "$axe" ]]; then
	if ! command -v npm >/dev/null; then
		log "installing npm with apt-get"
		if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
		$sudo apt-get update >&2
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends npm >&2
	fi
	log "installing axe-core@4 into $cache"
	mkdir -p "$cache"
	npm install --prefix "$cache" --no-audit --no-fund --silent axe-core@4 >&2
fi
[[ -s "$axe" ]] || { log "axe-core did not install: $axe is missing"; exit 1; }
log "axe-core $(sed -n 's/.*axe v\([0-9.]*\).*/\1/p;q' "$axe")"

printf 'export CONSENT_BROWSER=1\n'
printf 'export CONSENT_AXE=%q\n' "$axe"
