#!/usr/bin/env bash
# Benchmarks of the platform, each next to its baseline measured in the same run
# (this machine is shared and noisy: compare ratios, not absolute numbers).
#
#   1. `autocrm seed --scale oem` into a fresh SQLite file and a fresh PostgreSQL
#      database (1 OEM, 8 regions, 60 groups, 1,000 dealers, 20,000 users…).
#   2. GET /healthz and an authenticated GET /api/v1/me at 64 keep-alive connections
#      on loopback, against the server on each engine, next to the bare axum
#      handler (`/hello`) of ../shared/limits, driven by the same load generator.
#
# Prints JSON lines (one per figure) and appends them to bench/results.jsonl.
# Knobs: CONCURRENCY=64 DURATION_SECS=10 PG_URL=postgres://postgres@127.0.0.1:5432
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
limits_dir=${LIMITS_DIR:-$root/../shared/limits}
concurrency=${CONCURRENCY:-64}
duration=${DURATION_SECS:-10}
pg_base=${PG_URL:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
out=$root/bench/results.jsonl
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cargo build --release -q -p autocrm
cargo build --release -q --manifest-path "$limits_dir/Cargo.toml" --target-dir "$root/target/limits"
bin=$root/target/release/autocrm
limits=$root/target/limits/release/limits

emit() { echo "$1" | tee -a "$out"; }
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
emit "{\"run\":\"$stamp\",\"machine\":$("$limits" machine | tr -d '\n')}"

# ---- 1. seed ----------------------------------------------------------------------
seconds() {
  local s e; s=$(date +%s%N); "$@" >"$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; return 1; }; e=$(date +%s%N)
  printf '%d.%03d' $(((e - s) / 1000000000)) $((((e - s) / 1000000) % 1000))
}
sqlite_db="$work/bench.db"
t=$(seconds "$bin" seed --scale oem --database-url "sqlite://$sqlite_db")
emit "{\"bench\":\"seed\",\"engine\":\"sqlite\",\"scale\":\"oem\",\"seconds\":$t}"
psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS autocrm_bench WITH (FORCE)" -c "CREATE DATABASE autocrm_bench" >/dev/null
t=$(seconds "$bin" seed --scale oem --database-url "$pg_base/autocrm_bench")
emit "{\"bench\":\"seed\",\"engine\":\"postgres\",\"scale\":\"oem\",\"seconds\":$t}"

# ---- 2. HTTP --------------------------------------------------------------------------
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
load() { "$limits" load --concurrency "$concurrency" --duration-secs "$duration" "$@"; }

"$limits" seed --db "$work/limits.db" --customers 10000 >/dev/null
"$limits" serve --db "$work/limits.db" --listen 127.0.0.1:18480 2>/dev/null & pids+=($!)
wait_port 18480

port=18481
for engine in sqlite postgres; do
  if [ "$engine" = sqlite ]; then url="sqlite://$sqlite_db"; else url="$pg_base/autocrm_bench"; fi
  AUTOCRM_LOG=warn "$bin" serve --database-url "$url" --listen "127.0.0.1:$port" 2>"$work/serve-$engine.log" & server=$!
  pids+=($server)
  wait_port $port
  token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"username":"seed.consultant","password":"seed1234"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  load --url "http://127.0.0.1:$port/healthz" --duration-secs 2 --label warmup >/dev/null
  emit "$(load --url "http://127.0.0.1:$port/healthz" --label "healthz-$engine")"
  emit "$(load --url "http://127.0.0.1:$port/api/v1/me" --header "Authorization: Bearer $token" --error-if-body-contains '"error"' --label "me-$engine")"
  emit "$(load --url "http://127.0.0.1:18480/hello" --label "bare-axum-hello")"
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
  emit "{\"bench\":\"server-peak-rss\",\"engine\":\"$engine\",\"kib\":$rss}"
  kill "$server"; wait "$server" 2>/dev/null || true
  port=$((port + 1))
done
