#!/usr/bin/env bash
# Funnel analytics and showroom traffic reports at automaker scale (issue 5).
#
#   1. `autocrm seed --scale oem --customers N` (default N = 1,000,000: ~300,000 leads over
#      the past year, 360,000 showroom-traffic cells over 90 days) into a fresh SQLite file
#      and a fresh PostgreSQL database `autocrm_reports_bench` — or REUSE=1 to measure the
#      databases a previous run left (SQLITE_PATH must then point at the file).
#   2. On each engine: serves, signs in as the seeded admin (OEM scope), a regional manager
#      and a dealer manager, and times each report over HTTP RUNS times (one request at a
#      time, after one warm-up request): the funnel of the whole OEM over the last 365 days
#      by source, dealer and region; the conversion forecast; follow-up timeliness; the
#      traffic report by region and by dealer; the funnel as Excel; the funnel of one
#      region and one dealer.
#
# Prints JSON lines (one per report and engine: min/median/max ms) and appends them to
# bench/results.jsonl.
# Knobs: AUTOCRM_BIN= REUSE= SQLITE_PATH= CUSTOMERS=1000000 RUNS=7 ENGINES="sqlite postgres"
#        PG_URL=postgres://postgres@127.0.0.1:5432
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
customers=${CUSTOMERS:-1000000}
runs=${RUNS:-7}
engines=${ENGINES:-sqlite postgres}
pg_base=${PG_URL:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
sqlite_path=${SQLITE_PATH:-$work/reports.db}
out=$root/bench/results.jsonl
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# AUTOCRM_BIN=path skips the build (e.g. a copy of target/release/autocrm).
bin=${AUTOCRM_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q -p autocrm
  bin=${CARGO_TARGET_DIR:-$root/target}/release/autocrm
fi

# shellcheck source=bench/common.sh
. "$root/bench/common.sh"
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cores=$(nproc)
load=$(cut -d' ' -f1-3 /proc/loadavg)
mem=$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
emit "{\"run\":\"$stamp\",\"bench\":\"reports\",\"customers\":$customers,\"runs\":$runs,\"machine\":{\"cores\":$cores,\"mem_gib\":$mem,\"loadavg\":\"$load\"}}"


# time_report ENGINE LABEL TOKEN PATH: one warm-up request, then RUNS timed ones (must all be 200).
time_report() {
  local engine=$1 label=$2 token=$3 path=$4 url="http://127.0.0.1:$port$4" times=() t code
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$url"
  for _ in $(seq "$runs"); do
    read -r t code < <(curl -s -o "$work/body" -w '%{time_total} %{http_code}\n' -H "Authorization: Bearer $token" "$url")
    [ "$code" = 200 ] || { echo "$label on $engine: HTTP $code: $(head -c 300 "$work/body")" >&2; exit 1; }
    times+=("$t")
  done
  local size
  size=$(stat -c %s "$work/body")
  printf '%s\n' "${times[@]}" | sort -n | awk -v e="$engine" -v l="$label" -v p="$path" -v b="$size" '
    { ms[NR] = $1 * 1000 }
    END { printf "{\"bench\":\"report\",\"engine\":\"%s\",\"report\":\"%s\",\"path\":\"%s\",\"runs\":%d,\"min_ms\":%.1f,\"median_ms\":%.1f,\"max_ms\":%.1f,\"bytes\":%d}\n",
      e, l, p, NR, ms[1], ms[int((NR + 1) / 2)], ms[NR], b }'
}

port=18591
today=$(TZ=Asia/Shanghai date +%F)
year_ago=$(TZ=Asia/Shanghai date -d "$today - 364 days" +%F)
year="from=$year_ago&to=$today"
for engine in $engines; do
  if [ "$engine" = sqlite ]; then
    url="sqlite://$sqlite_path"
  else
    [ -n "${REUSE:-}" ] || psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS autocrm_reports_bench WITH (FORCE)" -c "CREATE DATABASE autocrm_reports_bench" >/dev/null
    url="$pg_base/autocrm_reports_bench"
  fi
  if [ -z "${REUSE:-}" ]; then
    s=$(date +%s%N)
    "$bin" seed --scale oem --customers "$customers" --database-url "$url" >"$work/seed-$engine.log" 2>&1 || { cat "$work/seed-$engine.log" >&2; exit 1; }
    e=$(date +%s%N)
    emit "{\"bench\":\"seed-reports\",\"engine\":\"$engine\",\"customers\":$customers,\"seconds\":$(awk -v d=$((e - s)) 'BEGIN { printf "%.1f", d / 1e9 }')}"
  fi
  q() { if [ "$engine" = sqlite ]; then sqlite3 -batch -noheader "$sqlite_path" "$1"; else psql "$url" -Atqc "$1"; fi; }
  leads=$(q "SELECT COUNT(*) FROM lead")
  cells=$(q "SELECT COUNT(*) FROM showroom_traffic")
  regional=$(q "SELECT username FROM app_user WHERE role = 'regional_manager' ORDER BY id LIMIT 1")
  manager=$(q "SELECT username FROM app_user WHERE role = 'dealer_manager' ORDER BY id LIMIT 1")
  emit "{\"bench\":\"reports-data\",\"engine\":\"$engine\",\"leads\":$leads,\"traffic_cells\":$cells}"

  AUTOCRM_LOG=warn "$bin" serve --database-url "$url" --listen "127.0.0.1:$port" 2>"$work/serve-$engine.log" & server=$!
  wait_port $port
  admin=$(token_of $port seed.admin)
  rtoken=$(token_of $port "$regional")
  mtoken=$(token_of $port "$manager")
  for by in source dealer region; do
    emit "$(time_report "$engine" "funnel-oem-year-by-$by" "$admin" "/api/v1/analytics/funnel?$year&by=$by")"
  done
  emit "$(time_report "$engine" "funnel-oem-year-xlsx" "$admin" "/api/v1/analytics/funnel?$year&by=dealer&format=xlsx")"
  emit "$(time_report "$engine" "forecast-oem-year" "$admin" "/api/v1/analytics/conversion-forecast?$year")"
  emit "$(time_report "$engine" "timeliness-oem-year" "$admin" "/api/v1/analytics/follow-up-timeliness?$year")"
  emit "$(time_report "$engine" "funnel-region-year-by-dealer" "$rtoken" "/api/v1/analytics/funnel?$year&by=dealer")"
  emit "$(time_report "$engine" "funnel-dealer-year-by-consultant" "$mtoken" "/api/v1/analytics/funnel?$year&by=consultant")"
  emit "$(time_report "$engine" "traffic-oem-90d-by-region" "$admin" "/api/v1/traffic?by=region")"
  emit "$(time_report "$engine" "traffic-oem-90d-by-dealer" "$admin" "/api/v1/traffic?by=dealer")"
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
  emit "{\"bench\":\"server-peak-rss\",\"engine\":\"$engine\",\"kib\":$rss}"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
  port=$((port + 1))
done
