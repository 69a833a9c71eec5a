#!/usr/bin/env bash
# pg.sh starts a throw-away PostgreSQL server on 127.0.0.1 for the consent log
# tests and prints the shell lines that point the tests at it:
#
#   eval "$(bash .ci/pg.sh)"        # sets CONSENT_PG_DSN and CONSENT_PG_DATA
#   bash .ci/pg.sh stop             # stops the server started above
#
# Everything except those export lines goes to stderr, so that eval sees only
# them. The Debian package is installed with apt-get when no server binaries
# are present; initdb refuses to run as root, so the cluster belongs to the
# "postgres" user (created when missing). Authentication is "trust" and the
# server listens on loopback only: it exists for one test run and holds no
# data worth protecting.
set -euo pipefail

log() { echo "pg.sh: $*" >&2; }

if [[ "${1:-}" == "stop" ]]; then
	data="${CONSENT_PG_DATA:?CONSENT_PG_DATA is not set: nothing to stop}"
	bin="$(cat "$data/../bindir")"
	runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
	rm -rf "$(dirname "$data")"
	exit 0
fi

find_bindir() {
	local d
	# The newest installed major version wins; sort -V orders 9 < 15 < 16.
	d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
	if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
		echo "$d"
	fi
}

bindir="$(find_bindir)"
if [[ -z "$bindir" ]]; then
	log "no PostgreSQL server found, installing the Debian package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq postgresql >&2
	bindir="$(find_bindir)"
	[[ -n "$bindir" ]] || { log "PostgreSQL is still missing after apt-get install"; exit 1; }
fi
log "using $bindir"

if ! id postgres >/dev/null 2>&1; then
	log "creating the postgres system user"
	useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
fi

# as_pg runs a command as the cluster owner; when this script already runs as
# a normal user (a developer's laptop), it runs the command directly.
as_pg() {
	if [[ "$(id -u)" == "0" ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# port_free reports whether nothing listens on 127.0.0.1:$1. The /dev/tcp
# connection fails (quickly, on loopback) when the port is free.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

port=""
for _ in $(seq 1 50); do
	candidate=$((20000 + RANDOM % 20000))
	if port_free "$candidate"; then
		port="$candidate"
		break
	fi
done
[[ -n "$port" ]] || { log "no free port found in 50 tries"; exit 1; }

root="$(mktemp -d /tmp/consentkit-pg.XXXXXX)"
data="$root/data"
echo "$bindir" >"$root/bindir"
chmod 755 "$root"
if [[ "$(id -u)" == "0" ]]; then
	chown postgres "$root"
fi

as_pg "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$root/initdb.log" 2>&1 ||
	as_pg "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$root/initdb.log" 2>&1 ||
	{ cat "$root/initdb.log" >&2; exit 1; }

# fsync stays on (the default): the benchmarks measure durable commits.
as_pg "$bindir/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $root -c max_connections=200" start >&2 ||
	{ cat "$root/server.log" >&2; exit 1; }

as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres consentkit >&2

log "PostgreSQL is listening on 127.0.0.1:$port (data in $data)"
echo "export CONSENT_PG_DSN='postgres://postgres@127.0.0.1:$port/consentkit?sslmode=disable'"
echo "export CONSENT_PG_DATA='$data'"
