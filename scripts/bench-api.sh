#!/usr/bin/env bash
# Load benchmark of the REST API on a 50,000-risk ISMS, on SQLite and on
# PostgreSQL: for each database, import the generated ISMS as org "big",
# create an admin and a token, serve on a free loopback port and run
# cloudisms-bench with the list and check scenarios.
#
#   scripts/bench-api.sh                 # both databases
#   DATABASES=sqlite scripts/bench-api.sh
#
# Environment:
#   CLOUDISMS_BENCH_POSTGRES  PostgreSQL URL (default: the local test database);
#                             the run uses a fresh schema in it and drops it
#   DATABASES        sqlite and/or postgres (default: "sqlite postgres")
#   CLIENTS          concurrent clients (default 64)
#   LIST_DURATION    duration of the list scenario (default 20s)
#   CHECK_REQUESTS   checks in all (default 200; a check may load the whole ISMS)
#   CHECK_CLIENTS    concurrent clients of the check scenario (default: CLIENTS)
#   SERVER_MEM_MB    the server is killed when its resident memory exceeds this
#                    (default: half of the available memory), so that a server
#                    that outgrows the machine fails alone instead of calling
#                    the kernel's OOM killer onto other processes
#   BENCH_FLAGS      extra flags for cloudisms-bench (e.g. -json)
set -euo pipefail

cd "$(dirname "$0")/.."

PG_URL=${CLOUDISMS_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
DATABASES=${DATABASES:-sqlite postgres}
CLIENTS=${CLIENTS:-64}
LIST_DURATION=${LIST_DURATION:-20s}
CHECK_REQUESTS=${CHECK_REQUESTS:-200}
CHECK_CLIENTS=${CHECK_CLIENTS:-$CLIENTS}
SERVER_MEM_MB=${SERVER_MEM_MB:-$(awk '/^MemAvailable/ {print int($2 / 2048)}' /proc/meminfo 2>/dev/null || echo 0)}
BENCH_FLAGS=${BENCH_FLAGS:-}
ORG=big
EMAIL=bench@example.com

work=$(mktemp -d "${TMPDIR:-/tmp}/cloudisms-bench.XXXXXX")
server_pid=""
watchdog_pid=""
schema=""

log() { printf '\n== %s\n' "$*" >&2; }

stop_server() {
	if [[ -n $watchdog_pid ]]; then
		kill "$watchdog_pid" 2>/dev/null || true
		wait "$watchdog_pid" 2>/dev/null || true
		watchdog_pid=""
	fi
	if [[ -n $server_pid ]]; then
		# serve shuts down gracefully on SIGINT.
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

cleanup() {
	stop_server
	drop_schema
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# with_param adds a query parameter to a URL.
with_param() {
	if [[ $1 == *\?* ]]; then echo "$1&$2"; else echo "$1?$2"; fi
}

# free_port prints a loopback port nobody listens on.
free_port() {
	local port
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	echo "no free port found" >&2
	return 1
}

# wait_ready waits for /readyz, failing if the server exits first.
wait_ready() {
	local url=$1
	for _ in $(seq 300); do
		if curl -fsS -o /dev/null "$url/readyz" 2>/dev/null; then
			return
		fi
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "the server exited; its log:" >&2
			cat "$work/serve.log" >&2
			return 1
		fi
		sleep 0.2
	done
	echo "the server was not ready after 60s" >&2
	return 1
}

# start_server runs cloudisms serve in the background, watched by
# watch_memory.
start_server() {
	rm -f "$work/memkill"
	"$work/cloudisms" serve "$@" >"$work/serve.out" 2>"$work/serve.log" &
	server_pid=$!
	if ((SERVER_MEM_MB > 0)); then
		watch_memory "$server_pid" &
		watchdog_pid=$!
	fi
}

# watch_memory SIGKILLs the server once its resident memory exceeds
# SERVER_MEM_MB. (ulimit -v does not serve: the address space of a Go
# program with threads is far larger than its resident memory.)
watch_memory() {
	local pid=$1 rss
	while kill -0 "$pid" 2>/dev/null; do
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) || rss=0
		if ((${rss:-0} > SERVER_MEM_MB * 1024)); then
			echo "$((rss / 1024))" >"$work/memkill"
			kill -KILL "$pid" 2>/dev/null || true
			return 0
		fi
		sleep 0.25
	done
}

# server_alive says whether the server still runs; if not, why it ended.
server_alive() {
	if kill -0 "$server_pid" 2>/dev/null; then
		return 0
	fi
	local status=0
	wait "$server_pid" 2>/dev/null || status=$?
	server_pid=""
	if [[ -s $work/memkill ]]; then
		echo "THE SERVER WAS KILLED: its resident memory reached $(cat "$work/memkill") MiB (SERVER_MEM_MB=$SERVER_MEM_MB)"
	else
		echo "THE SERVER DIED (exit status $status); the end of its log:"
		grep -v '"msg":"request"' "$work/serve.log" | tail -5 | cut -c1-300
	fi
	stop_server
	return 1
}

# peak_rss prints the server's peak resident memory, where Linux tells it.
peak_rss() {
	if [[ -r /proc/$server_pid/status ]]; then
		awk '/^VmHWM/ {printf "server peak RSS: %.0f MiB\n", $2 / 1024}' "/proc/$server_pid/status"
	fi
}

# bench_db runs the whole benchmark on one database; store flags follow.
bench_db() {
	local name=$1
	shift
	local store=("$@")
	local cis=$work/cloudisms

	log "$name: import ($ORG)"
	local start=$SECONDS
	"$cis" import "$work/big.yaml" --org "$ORG" "${store[@]}"
	echo "import took $((SECONDS - start))s"

	log "$name: admin and token"
	CLOUDISMS_PASSWORD=bench-password-$RANDOM$RANDOM "$cis" user add "$EMAIL" --name Bench "${store[@]}" >/dev/null
	"$cis" member add --org "$ORG" --email "$EMAIL" --role admin "${store[@]}" >/dev/null
	local token
	token=$("$cis" token create --email "$EMAIL" --name bench "${store[@]}" 2>/dev/null)

	local port url
	port=$(free_port)
	url=http://127.0.0.1:$port
	log "$name: serve on $url (killed beyond ${SERVER_MEM_MB} MiB resident)"
	start_server --listen "127.0.0.1:$port" "${store[@]}"
	wait_ready "$url"

	local bench=("$work/cloudisms-bench" -url "$url" -org "$ORG" -token "$token")
	log "$name: list, $CLIENTS clients, $LIST_DURATION"
	# shellcheck disable=SC2086 # BENCH_FLAGS is a list of flags
	"${bench[@]}" -scenario list -clients "$CLIENTS" -duration "$LIST_DURATION" $BENCH_FLAGS
	server_alive || return 0
	peak_rss
	log "$name: check, $CHECK_CLIENTS clients, $CHECK_REQUESTS requests"
	# shellcheck disable=SC2086
	"${bench[@]}" -scenario check -clients "$CHECK_CLIENTS" -requests "$CHECK_REQUESTS" -duration 30m -timeout 10m $BENCH_FLAGS
	server_alive || return 0
	peak_rss
	stop_server
}

log "build"
go build -o "$work/cloudisms" ./cmd/cloudisms
go build -o "$work/cloudisms-bench" ./cmd/cloudisms-bench

log "generate: 200 services, 20,000 assets, 50,000 risks"
"$work/cloudisms" generate --services 200 --assets 20000 --risks 50000 --seed 1 --as-of 2026-11-01 -o "$work/big.yaml"

for db in $DATABASES; do
	case $db in
	sqlite)
		bench_db SQLite --data "$work/data"
		;;
	postgres)
		schema=bench_$$_$RANDOM
		psql "$PG_URL" -qAt -c "CREATE SCHEMA $schema" >/dev/null
		bench_db PostgreSQL --database "$(with_param "$PG_URL" "search_path=$schema")"
		drop_schema
		;;
	*)
		echo "unknown database $db (want sqlite or postgres)" >&2
		exit 2
		;;
	esac
done
