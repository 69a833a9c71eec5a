#!/usr/bin/env bash
# .ci/browser.sh makes the real-browser suite (internal/e2e) runnable: it
# installs Debian's chromium when /usr/bin/chromium is missing and axe-core
# (from the npm registry, into a cache folder) when it is not there yet,
# then prints the variables the suite reads, for the caller to eval:
#
#	eval "$(bash .ci/browser.sh)"
#	go test ./internal/e2e/
#
# Everything but the export lines goes to stderr, so eval sees only them.
set -euo pipefail

log() { echo "browser.sh: $*" >&2; }

if [[ ! -x /usr/bin/chromium ]]; then
	log "installing chromium with apt-get"
	if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get update >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium >&2
fi
/usr/bin/chromium --version >&2

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
