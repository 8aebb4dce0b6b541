#!/usr/bin/env bash
# The fixed-mix load (cloudisms-bench -scenario ops: dashboard, risk
# register page, SoA page, check, edit) at three sizes on SQLite and
# PostgreSQL, for the README's performance table. After each mix, the same
# clients request the dashboard's bytes from a plain handler
# (-scenario static), and the ratio of the mix's throughput to it is
# printed.
#
#   scripts/bench-mix.sh
#   DATABASES=sqlite SIZES="10 1000" DURATION=10s scripts/bench-mix.sh
#
# Environment:
#   CLOUDISMS_BENCH_POSTGRES  PostgreSQL URL (default: the local test database);
#                             each run uses a fresh schema and drops it
#   DATABASES   sqlite and/or postgres (default "sqlite postgres")
#   SIZES       risks per ISMS (default "10 1000 50000")
#   CLIENTS     concurrent clients (default 64)
#   DURATION    length of each run (default 20s)
#   WARMUP      load sent before each measured run and not counted
#               (default 3s): the server's connections to the database
#               open and the pages' kept parts are made at the first
#               requests, which the steady mix is not about
#   BENCH_FLAGS extra flags for cloudisms-bench (e.g. -json)
#   PROFILE     a directory: the server's CPU profile of each ops mix is
#               written there (cpu-DB-SIZE.pprof; go tool pprof -top FILE),
#               and its allocations over the same time (allocs-DB-SIZE-0.pprof
#               and -1.pprof, before and after: go tool pprof
#               -sample_index=alloc_space -base FILE-0 FILE-1)
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${CLOUDISMS_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
DATABASES=${DATABASES:-sqlite postgres}
SIZES=${SIZES:-10 1000 50000}
CLIENTS=${CLIENTS:-64}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
BENCH_FLAGS=${BENCH_FLAGS:-}
PROFILE=${PROFILE:-}
ORG=bench
EMAIL=bench@example.com
PASSWORD=bench-password-$RANDOM$RANDOM

work=$(mktemp -d "${TMPDIR:-/tmp}/cloudisms-mix.XXXXXX")
server_pid=""
schema=""

stop_server() {
	if [[ -n $server_pid ]]; then
		kill -INT "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}
drop_schema() {
	if [[ -n $schema ]]; then
		PGOPTIONS=--client-min-messages=warning psql "$PG_URL" -qAt -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null || true
		schema=""
	fi
}
cleanup() { stop_server; drop_schema; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	local port
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	return 1
}

wait_ready() {
	for _ in $(seq 3000); do
		curl -fsS -o /dev/null "$1/readyz" 2>/dev/null && return
		kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; return 1; }
		sleep 0.2
	done
	return 1
}

# seconds of a duration written as Ns or Nm.
seconds() {
	case $1 in
	*m) echo $(( ${1%m} * 60 )) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}

echo "== build" >&2
go build -o "$work/cloudisms" ./cmd/cloudisms
go build -o "$work/cloudisms-bench" ./cmd/cloudisms-bench
cis=$work/cloudisms

for size in $SIZES; do
	# The same shape at every size: assets and services grow with risks.
	assets=$((size * 2 / 5 > 10 ? size * 2 / 5 : 10))
	services=$((size / 250 > 2 ? size / 250 : 2))
	"$cis" generate --risks "$size" --assets "$assets" --services "$services" -o "$work/isms-$size.yaml"
	for db in $DATABASES; do
		case $db in
		sqlite) store=(--data "$work/data-$size") ;;
		postgres)
			schema=mix_$RANDOM$RANDOM
			psql "$PG_URL" -qAt -c "CREATE SCHEMA $schema" >/dev/null
			if [[ $PG_URL == *\?* ]]; then store=(--database "$PG_URL&search_path=$schema"); else store=(--database "$PG_URL?search_path=$schema"); fi
			;;
		esac
		echo "== $db, $size risks: import" >&2
		"$cis" import "$work/isms-$size.yaml" --org "$ORG" "${store[@]}" >/dev/null
		CLOUDISMS_PASSWORD=$PASSWORD "$cis" user add "$EMAIL" --name Bench "${store[@]}" >/dev/null
		"$cis" member add --org "$ORG" --email "$EMAIL" --role admin "${store[@]}" >/dev/null
		token=$("$cis" token create --email "$EMAIL" --name bench "${store[@]}" 2>/dev/null)
		port=$(free_port)
		prof=()
		if [[ -n $PROFILE ]]; then
			mport=$(free_port)
			prof=(--metrics-listen "127.0.0.1:$mport" --pprof)
		fi
		start=$SECONDS
		"$cis" serve --listen "127.0.0.1:$port" "${prof[@]}" "${store[@]}" >"$work/serve.out" 2>"$work/serve.log" &
		server_pid=$!
		# Readiness waits for the first whole-ISMS load, done in the
		# background at start (seconds at 50,000 risks).
		wait_ready "http://127.0.0.1:$port"
		echo "start to ready (first load and check): $((SECONDS - start)) s" >&2
		if [[ $db == postgres ]]; then
			# The import's search text is indexed by the server in the
			# background after it starts (seconds at 50,000 risks): the
			# mix is measured once that is done, as on SQLite, where the
			# import indexes in its own transaction.
			for _ in $(seq 600); do
				[[ $(psql "$PG_URL" -qAt -c "SELECT COUNT(*) FROM $schema.search_queue") == 0 ]] && break
				sleep 0.5
			done
			echo "start to search text indexed: $((SECONDS - start)) s" >&2
		fi
		echo "== $db, $size risks: ops mix, $CLIENTS clients, $DURATION" >&2
		profiler=""
		if [[ -n $PROFILE ]]; then
			mkdir -p "$PROFILE"
			# The profile covers the middle of the run, past the sign-ins.
			secs=$(( $(seconds "$DURATION") * 3 / 4 ))
			(
				sleep $(( $(seconds "$WARMUP") + 2 ))
				curl -fsS -o "$PROFILE/allocs-$db-$size-0.pprof" "http://127.0.0.1:$mport/debug/pprof/allocs"
				curl -fsS -o "$PROFILE/cpu-$db-$size.pprof" "http://127.0.0.1:$mport/debug/pprof/profile?seconds=$secs"
				curl -fsS -o "$PROFILE/allocs-$db-$size-1.pprof" "http://127.0.0.1:$mport/debug/pprof/allocs"
			) &
			profiler=$!
		fi
		# shellcheck disable=SC2086
		CLOUDISMS_PASSWORD=$PASSWORD "$work/cloudisms-bench" -url "http://127.0.0.1:$port" -org "$ORG" -token "$token" \
			-email "$EMAIL" -scenario ops -clients "$CLIENTS" -duration "$DURATION" -warmup "$WARMUP" -edit-keys 64 -timeout 2m $BENCH_FLAGS | tee "$work/ops.txt"
		if [[ -n $profiler ]]; then wait "$profiler" || echo "no CPU profile" >&2; fi
		echo "== $db, $size risks: static handler, same bytes as the dashboard" >&2
		CLOUDISMS_PASSWORD=$PASSWORD "$work/cloudisms-bench" -url "http://127.0.0.1:$port" -org "$ORG" -token "$token" \
			-email "$EMAIL" -scenario static -clients "$CLIENTS" -duration "$DURATION" -warmup "$WARMUP" -timeout 2m | tee "$work/static.txt"
		ops_rps=$(awk '$1 == "overall" {print $5}' "$work/ops.txt")
		static_rps=$(awk '$1 == "overall" {print $5}' "$work/static.txt")
		if [[ -n $ops_rps && -n $static_rps ]]; then
			awk -v o="$ops_rps" -v s="$static_rps" 'BEGIN { if (s > 0) printf "ops / static throughput: %.3f (%s / %s req/s)\n", o / s, o, s }'
		fi
		awk '/^VmHWM/ {printf "server peak RSS: %.0f MiB\n", $2 / 1024}' "/proc/$server_pid/status" 2>/dev/null || true
		stop_server
		drop_schema
		rm -rf "$work/data-$size"
	done
done
