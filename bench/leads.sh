#!/usr/bin/env bash
# Benchmarks of prospects and the funnel, each next to its baseline measured in the
# same run (this machine is shared and noisy: compare ratios, not absolute numbers).
#
# On each engine, over the 1M-customer seed with its ~300,000 leads:
#   1. the consultant's day: GET /api/v1/leads/today as the seeded consultant with the
#      most open leads, at 4 and at $CONCURRENCY connections;
#   2. quick capture: POST /api/v1/leads {mobile, model_id, timeframe} as a dealer's
#      consultant at $CONCURRENCY connections, the mobiles drawn from the seed formula
#      (returning prospects: identity resolution finds each one on file), then again
#      with mobiles nobody on file has (new prospects: a new customer each time);
#   3. the daily distribution for all dealers (`autocrm distribute`), wall time;
#   and the limits kit's bare axum `/hello` in the same run as the web stack's ceiling,
#   and on PostgreSQL the capture's own statements replayed by pgbench
#   (bench/capture.pgbench) as the database's ceiling for that transaction.
#
# On PostgreSQL each capture run is followed by a `wal` line: the WAL written per
# transaction, its full-page images, and the checkpoints that fell in the run.
#
# Prints JSON lines and appends them to bench/results.jsonl.
# Knobs: AUTOCRM_BIN= CUSTOMERS=1000000 CONCURRENCY=32 DURATION_SECS=10 ENGINES="sqlite postgres"
#        PG_URL=postgres://postgres@127.0.0.1:5432 REUSE=1 SQLITE_PATH=… (reuse databases seeded
#        by an earlier run: the SQLite file at SQLITE_PATH and autocrm_leads_bench; note that
#        the capture and the distribution change them)
#        PG_MAX_WAL_SIZE=8GB (set the server's max_wal_size for the run, restored on exit:
#        with the default 1GB the captures' WAL forces a checkpoint every 12-30 s, and
#        the full-page images after each one are most of the WAL they write)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
limits_dir=${LIMITS_DIR:-$root/../shared/limits}
customers=${CUSTOMERS:-1000000}
concurrency=${CONCURRENCY:-32}
duration=${DURATION_SECS:-10}
engines=${ENGINES:-sqlite postgres}
pg_base=${PG_URL:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
sqlite_path=${SQLITE_PATH:-$work/bench.db}
out=$root/bench/results.jsonl
pids=()
# With PG_MAX_WAL_SIZE: how the server's own ALTER SYSTEM file had it ("-" when it
# did not), to put back on exit.
wal_before=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"
  case "$wal_before" in
    "") ;;
    -) psql "$pg_base/postgres" -qc "ALTER SYSTEM RESET max_wal_size" -c "SELECT pg_reload_conf()" >/dev/null ;;
    *) psql "$pg_base/postgres" -qc "ALTER SYSTEM SET max_wal_size = '$wal_before'" -c "SELECT pg_reload_conf()" >/dev/null ;;
  esac
}
trap cleanup EXIT
if [ -n "${PG_MAX_WAL_SIZE:-}" ] && [[ " $engines " == *" postgres "* ]]; then
  wal_before=$(psql "$pg_base/postgres" -Atqc "SELECT COALESCE(MAX(setting), '-') FROM pg_file_settings
    WHERE name = 'max_wal_size' AND sourcefile LIKE '%postgresql.auto.conf'")
  psql "$pg_base/postgres" -qc "ALTER SYSTEM SET max_wal_size = '$PG_MAX_WAL_SIZE'" -c "SELECT pg_reload_conf()" >/dev/null
fi

bin=${AUTOCRM_BIN:-}
if [ -z "$bin" ]; then cargo build --release -q -p autocrm; bin=$root/target/release/autocrm; fi
cargo build --release -q --manifest-path "$limits_dir/Cargo.toml" --target-dir "$root/target/limits"
limits=$root/target/limits/release/limits

# shellcheck source=bench/common.sh
. "$root/bench/common.sh"
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
emit "{\"run\":\"$stamp\",\"bench\":\"leads\",\"customers\":$customers,\"machine\":$("$limits" machine | tr -d '\n')}"

load() { "$limits" load --duration-secs "$duration" "$@"; }
seconds() { awk -v d="$1" 'BEGIN { printf "%.2f", d / 1e9 }'; }

# The web stack's ceiling in this run (the kit's /hello needs no data to speak of).
"$limits" seed --db "$work/limits.db" --customers 1000 >/dev/null
"$limits" serve --db "$work/limits.db" --listen 127.0.0.1:18590 2>/dev/null & pids+=($!)
wait_port 18590

port=18591
for engine in $engines; do
  if [ "$engine" = sqlite ]; then
    url="sqlite://$sqlite_path"
  else
    [ -n "${REUSE:-}" ] || psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS autocrm_leads_bench WITH (FORCE)" -c "CREATE DATABASE autocrm_leads_bench" >/dev/null
    url="$pg_base/autocrm_leads_bench"
    pg_settings "$url"
  fi
  if [ -z "${REUSE:-}" ]; then
    s=$(date +%s%N)
    "$bin" seed --scale oem --customers "$customers" --database-url "$url" >"$work/seed-$engine.log" 2>&1 || { cat "$work/seed-$engine.log" >&2; exit 1; }
    e=$(date +%s%N)
    leads=$(awk '$1 == "lead" { print $2 }' "$work/seed-$engine.log")
    emit "{\"bench\":\"seed-with-leads\",\"engine\":\"$engine\",\"customers\":$customers,\"leads\":${leads:-0},\"seconds\":$(seconds $((e - s)))}"
    # The seed's own dirty pages are written now, not in the checkpoints that would
    # otherwise fall in the first measurements.
    [ "$engine" = sqlite ] || psql "$url" -qc "CHECKPOINT"
  fi
  q() { if [ "$engine" = sqlite ]; then sqlite3 -batch -noheader "$sqlite_path" "$1"; else psql "$url" -Atqc "$1"; fi; }
  # The captures go to one fixed consultant (the last seeded), so that a run on a
  # reused database measures the day of the seeded consultant with the most open
  # leads among the others, not of the one an earlier run's captures piled up on.
  open="'new','contacted','showroom_visit','test_drive','quote','order'"
  capturer=$(q "SELECT username FROM app_user WHERE role = 'sales_consultant' ORDER BY id DESC LIMIT 1")
  busy=$(q "SELECT u.username FROM lead l JOIN app_user u ON u.id = l.owner_user_id
            WHERE l.stage IN ($open) AND u.username <> '$capturer'
            GROUP BY u.username ORDER BY COUNT(*) DESC, u.username LIMIT 1")
  open_leads=$(q "SELECT COUNT(*) FROM lead l JOIN app_user u ON u.id = l.owner_user_id WHERE u.username = '$busy'
                  AND l.stage IN ($open)")
  model=$(q "SELECT MIN(id) FROM vehicle_model WHERE active = TRUE")

  AUTOCRM_LOG=warn AUTOCRM_JOBS_ENABLED=false "$bin" serve --database-url "$url" --listen "127.0.0.1:$port" 2>"$work/serve-$engine.log" & server=$!
  pids+=($server)
  wait_port $port
  token=$(token_of $port "$busy")
  ctoken=$(token_of $port "$capturer")

  # ---- 1. my day -------------------------------------------------------------------------------
  day="http://127.0.0.1:$port/api/v1/leads/today"
  load --url "$day" --header "Authorization: Bearer $token" --phones-from-seed 1000 --concurrency "$concurrency" \
    --duration-secs 2 --label warmup >/dev/null
  for c in 4 "$concurrency"; do
    emit "$(load --url "$day" --header "Authorization: Bearer $token" --phones-from-seed 1000 --concurrency "$c" \
      --error-if-body-contains '"error"' --label "today-$engine-$open_leads-open-leads-c$c")"
  done
  emit "$(load --url "http://127.0.0.1:18590/hello" --phones-from-seed 1000 --concurrency "$concurrency" --label "bare-hello")"

  # ---- 2. quick capture -------------------------------------------------------------------------
  body="{\"mobile\":\"{phone}\",\"model_id\":$model,\"timeframe\":\"within_3_months\"}"
  # WAL written and checkpoints so far (PostgreSQL, the whole server): a capture's p99
  # follows the checkpoints that fall in its run (BENCHMARKS.md).
  wal() { psql "$url" -Atqc "SELECT w.wal_bytes, w.wal_fpi, b.checkpoints_timed + b.checkpoints_req FROM pg_stat_wal w, pg_stat_bgwriter b" | tr '|' ' '; }
  # wal_per LABEL COUNT BEFORE: the WAL since BEFORE per transaction of the run LABEL.
  wal_per() {
    read -r b0 f0 c0 <<<"$3"; read -r b1 f1 c1 <<<"$(wal)"
    emit "$(awk -v l="$1" -v n="$2" -v b="$((b1 - b0))" -v f="$((f1 - f0))" -v c="$((c1 - c0))" 'BEGIN {
      printf "{\"bench\":\"wal\",\"label\":\"%s\",\"transactions\":%d,\"wal_bytes_per_transaction\":%.0f,\"full_page_images_per_transaction\":%.2f,\"checkpoints\":%d}", l, n, b / n, f / n, c }')"
  }
  # capture LABEL MOBILES...: the captures at $CONCURRENCY connections, then (PostgreSQL)
  # the WAL they wrote.
  capture() {
    local label=$1 before= result
    shift
    [ "$engine" = sqlite ] || before=$(wal)
    result=$(load --url "http://127.0.0.1:$port/api/v1/leads" --method POST --body "$body" \
      --header "Authorization: Bearer $ctoken" --header "Content-Type: application/json" \
      "$@" --concurrency "$concurrency" --error-if-body-contains '"error"' --label "$label")
    emit "$result"
    [ "$engine" = sqlite ] || wal_per "$label" "$(sed -E 's/.*"requests":([0-9]+).*/\1/' <<<"$result")" "$before"
  }
  # Warm-up as for the day view (a server that has been running has the tables it
  # writes in its caches); these captures are not counted.
  load --url "http://127.0.0.1:$port/api/v1/leads" --method POST --body "$body" \
    --header "Authorization: Bearer $ctoken" --header "Content-Type: application/json" \
    --phones-from-seed "$customers" --concurrency "$concurrency" --duration-secs 3 --label warmup >/dev/null
  capture "quick-capture-$engine" --phones-from-seed "$customers"
  # The database's own ceiling for that transaction (PostgreSQL): the same statements
  # replayed by pgbench (bench/capture.pgbench), same connections and duration, no web
  # stack and no client work between statements; per-transaction latencies from its log.
  if [ "$engine" = postgres ]; then
    ids=$(q "SELECT id || ' ' || dealer_id FROM app_user WHERE username = '$capturer'")
    rm -f "$work"/pgbench_log.*
    before=$(wal)
    pgbench -n -M prepared -c "$concurrency" -j 2 -T "$duration" -f "$root/bench/capture.pgbench" \
      -D customers="$customers" -D user="${ids% *}" -D dealer="${ids#* }" -D model="$model" \
      -D lid0="$(q "SELECT COALESCE(MAX(id), 0) + 1000000000 FROM lead")" -D clients="$concurrency" -D n=0 \
      -l --log-prefix="$work/pgbench_log" "$url" >"$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out" >&2; exit 1; }
    failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/pgbench.out")
    emit "$(cat "$work"/pgbench_log.* | awk '{ print $3 }' | sort -n | awk -v secs="$duration" -v c="$concurrency" -v failed="${failed:-0}" \
      '{ a[NR] = $1 } END { printf "{\"label\":\"quick-capture-pgbench-postgres\",\"concurrency\":%d,\"transactions\":%d,\"tps\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"p999_ms\":%.2f,\"max_ms\":%.2f,\"failed\":%d}", c, NR, NR / secs, a[int(NR * 0.5)] / 1000, a[int(NR * 0.99)] / 1000, a[int(NR * 0.999)] / 1000, a[NR] / 1000, failed }')"
    wal_per quick-capture-pgbench-postgres "$(cat "$work"/pgbench_log.* | wc -l)" "$before"
  fi
  # New prospects: random valid mobiles (the seed's million are one in 7,000 of all
  # 13x–19x numbers, so nearly every one is new), a fresh file per engine and run.
  python3 -c 'import random, sys
r = random.Random(sys.argv[1])
print("\n".join("1%d%09d" % (r.randint(3, 9), r.randrange(10**9)) for _ in range(300000)))' "$engine-$stamp" >"$work/new-mobiles.txt"
  capture "quick-capture-new-$engine" --phones-file "$work/new-mobiles.txt"
  kill "$server"; wait "$server" 2>/dev/null || true

  # ---- 3. the daily distribution ------------------------------------------------------------------
  waiting=$(q "SELECT COUNT(*) FROM lead WHERE distributed_at IS NULL AND source IN ('auto_show','hotline','website','campaign')
               AND stage IN ($open)")
  s=$(date +%s%N)
  "$bin" distribute --again --database-url "$url" >"$work/distribute-$engine.log" 2>&1 || { cat "$work/distribute-$engine.log" >&2; exit 1; }
  e=$(date +%s%N)
  emit "{\"bench\":\"distribution\",\"engine\":\"$engine\",\"waiting\":$waiting,\"seconds\":$(seconds $((e - s))),\"result\":\"$(tr -d '"\n' <"$work/distribute-$engine.log")\"}"
  port=$((port + 1))
done
