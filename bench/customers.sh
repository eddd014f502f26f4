#!/usr/bin/env bash
# Benchmarks of Customer 360, each next to its baseline measured in the same run
# (this machine is shared and noisy: compare ratios, not absolute numbers).
#
#   1. `autocrm seed --scale oem --customers N` (default N = 1,000,000: ~1.2 N vehicles,
#      contact points, consents, dealer links, search keys, timeline, ~1 % duplicates
#      for review) into a fresh SQLite file and a fresh PostgreSQL database: seconds
#      and rows/s.
#   2. On each engine: GET /api/v1/screen-pop?phone={phone} as a CAC agent (OEM-wide
#      scope) at 64 keep-alive connections, phones drawn from the seed formula, next
#      to the limits kit's bare `/lookup` over its own N-customer SQLite file and next
#      to the same bare lookup answered from autocrm's own database (the same rows)
#      through the same web stack (bench/bare-lookup); then the screen-pop and that
#      bare lookup once more each (`…-again`), both servers warm.
#   3. On each engine: GET /api/v1/search?q=… per kind of query (mobile, name, pinyin
#      initials, VIN tail, plate) as the CAC agent, and the last 4 digits of a mobile
#      as a dealer's consultant, at $SEARCH_CONCURRENCY connections; queries are
#      sampled from the seeded data into files (one query a line, URL-encoded).
#   4. Peak RSS of the server (VmHWM) after its run.
#
# Prints JSON lines (one per figure) and appends them to bench/results.jsonl.
# Knobs: AUTOCRM_BIN= REUSE= SQLITE_PATH= CUSTOMERS=1000000 CONCURRENCY=64 SEARCH_CONCURRENCY=16 DURATION_SECS=10
#        PG_URL=postgres://postgres@127.0.0.1:5432 ENGINES="sqlite postgres"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
limits_dir=${LIMITS_DIR:-$root/../shared/limits}
customers=${CUSTOMERS:-1000000}
concurrency=${CONCURRENCY:-64}
search_concurrency=${SEARCH_CONCURRENCY:-16}
duration=${DURATION_SECS:-10}
engines=${ENGINES:-sqlite postgres}
# REUSE=1 skips seeding and measures the databases a previous run left: the SQLite
# file at SQLITE_PATH (default: a temporary file, removed at exit) and autocrm_cust_bench.
sqlite_path=${SQLITE_PATH:-}
pg_base=${PG_URL:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
sqlite_path=${sqlite_path:-$work/bench.db}
out=$root/bench/results.jsonl
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# AUTOCRM_BIN=path skips the build (e.g. a copy of target/release/autocrm).
bin=${AUTOCRM_BIN:-}
if [ -z "$bin" ]; then cargo build --release -q -p autocrm; bin=$root/target/release/autocrm; fi
cargo build --release -q --manifest-path "$limits_dir/Cargo.toml" --target-dir "$root/target/limits"
limits=$root/target/limits/release/limits
cargo build --release -q --manifest-path "$root/bench/bare-lookup/Cargo.toml" --target-dir "$root/target/bare-lookup"
bare_lookup=$root/target/bare-lookup/release/bare-lookup

# shellcheck source=bench/common.sh
. "$root/bench/common.sh"
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
emit "{\"run\":\"$stamp\",\"bench\":\"customers\",\"customers\":$customers,\"machine\":$("$limits" machine | tr -d '\n')}"

load() { "$limits" load --duration-secs "$duration" "$@"; }

# ---- the bare lookup baseline (limits kit, same data set size) -------------------------
# Its seed is the bulk-load baseline of the seed figure below: rows/s of a bare
# insert-then-index load of the same customer count on the same disk, same run.
"$limits" seed --db "$work/limits.db" --customers "$customers" --force >"$work/limits-seed.json"
kit_rows_per_s=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_per_s"])' "$work/limits-seed.json")
"$limits" serve --db "$work/limits.db" --listen 127.0.0.1:18580 2>/dev/null & pids+=($!)
wait_port 18580

port=18581
for engine in $engines; do
  # ---- 1. seed ---------------------------------------------------------------------------
  if [ "$engine" = sqlite ]; then
    url="sqlite://$sqlite_path"
  else
    [ -n "${REUSE:-}" ] || psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS autocrm_cust_bench WITH (FORCE)" -c "CREATE DATABASE autocrm_cust_bench" >/dev/null
    url="$pg_base/autocrm_cust_bench"
    pg_settings "$url"
  fi
  if [ -z "${REUSE:-}" ]; then
  s=$(date +%s%N)
  "$bin" seed --scale oem --customers "$customers" --database-url "$url" >"$work/seed-$engine.log" 2>&1 || { cat "$work/seed-$engine.log" >&2; exit 1; }
  e=$(date +%s%N)
  secs=$(awk -v d=$((e - s)) 'BEGIN { printf "%.2f", d / 1e9 }')
  rows=$(awk '$1 == "total" { print $2 }' "$work/seed-$engine.log")
  rps=$(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }')
  emit "{\"bench\":\"seed-customers\",\"engine\":\"$engine\",\"customers\":$customers,\"rows\":$rows,\"seconds\":$secs,\"rows_per_s\":$rps,\"kit_seed_rows_per_s\":$kit_rows_per_s,\"vs_kit\":$(awk -v a="$rps" -v b="$kit_rows_per_s" 'BEGIN { printf "%.3f", a / b }')}"
  grep -E '^(customer|contact_point|consent|customer_dealer|search_key|vehicle|ownership|timeline_event|identity_review|indexes) ' "$work/seed-$engine.log" >&2 || true
  fi

  # ---- query files sampled from the seeded data -----------------------------------------
  q() { if [ "$engine" = sqlite ]; then sqlite3 -batch -noheader "$sqlite_path" "$1"; else psql "$url" -Atqc "$1"; fi; }
  rnd=$([ "$engine" = sqlite ] && echo "RANDOM()" || echo "random()")
  cac=$(q "SELECT username FROM app_user WHERE role = 'cac_agent' ORDER BY id LIMIT 1")
  q "SELECT c.mobile, c.name, c.name_initials, v.vin, COALESCE(v.plate, v.vin) FROM customer c
     JOIN ownership o ON o.customer_id = c.id JOIN vehicle v ON v.id = o.vehicle_id
     WHERE c.id IN (SELECT id FROM customer ORDER BY $rnd LIMIT 2000)" >"$work/sample.txt"
  python3 - "$work" <<'PY'
import sys, urllib.parse
work = sys.argv[1]
rows = [l.rstrip("\n").split("|") for l in open(f"{work}/sample.txt", encoding="utf-8") if l.strip()]
kinds = {"mobile": 0, "name": 1, "pinyin": 2, "vin-tail": 3, "plate": 4}
for kind, col in kinds.items():
    with open(f"{work}/q-{kind}.txt", "w") as f:
        for r in rows:
            v = r[col][-6:] if kind == "vin-tail" else r[col]
            f.write(urllib.parse.quote(v, safe="") + "\n")
PY
  # A consultant with customers, and the last 4 digits of their customers' mobiles.
  owner=$(q "SELECT owner_user_id FROM customer_dealer WHERE owner_user_id IS NOT NULL ORDER BY owner_user_id LIMIT 1")
  consultant=$(q "SELECT username FROM app_user WHERE id = $owner")
  q "SELECT substr(c.mobile, 8, 4) FROM customer c JOIN customer_dealer d ON d.customer_id = c.id WHERE d.owner_user_id = $owner LIMIT 500" >"$work/q-tail4.txt"

  # ---- 2. screen-pop -----------------------------------------------------------------------
  AUTOCRM_LOG=warn "$bin" serve --database-url "$url" --listen "127.0.0.1:$port" 2>"$work/serve-$engine.log" & server=$!
  pids+=($server)
  wait_port $port
  token=$(token_of $port "$cac")
  ctoken=$(token_of $port "$consultant")
  pop="http://127.0.0.1:$port/api/v1/screen-pop?phone={phone}"
  load --url "$pop" --header "Authorization: Bearer $token" --phones-from-seed "$customers" \
    --concurrency "$concurrency" --duration-secs 3 --label warmup >/dev/null
  emit "$(load --url "$pop" --header "Authorization: Bearer $token" --phones-from-seed "$customers" \
    --concurrency "$concurrency" --error-if-body-contains '"error"' --label "screen-pop-$engine")"
  emit "$(load --url "http://127.0.0.1:18580/lookup?phone={phone}" --phones-from-seed "$customers" \
    --concurrency "$concurrency" --label "bare-lookup")"
  "$bare_lookup" "$url" 127.0.0.1:18590 2>/dev/null & bare=$!
  pids+=($bare)
  wait_port 18590
  load --url "http://127.0.0.1:18590/lookup?phone={phone}" --phones-from-seed "$customers" \
    --concurrency "$concurrency" --duration-secs 3 --label warmup >/dev/null
  emit "$(load --url "http://127.0.0.1:18590/lookup?phone={phone}" --phones-from-seed "$customers" \
    --concurrency "$concurrency" --error-if-body-contains '"error"' --label "bare-lookup-$engine")"
  # A second pair, now that both servers have run: the first screen-pop round starts
  # seconds after the server and the seed, and reads lower than the ones after it.
  emit "$(load --url "$pop" --header "Authorization: Bearer $token" --phones-from-seed "$customers" \
    --concurrency "$concurrency" --error-if-body-contains '"error"' --label "screen-pop-$engine-again")"
  emit "$(load --url "http://127.0.0.1:18590/lookup?phone={phone}" --phones-from-seed "$customers" \
    --concurrency "$concurrency" --error-if-body-contains '"error"' --label "bare-lookup-$engine-again")"
  kill "$bare" 2>/dev/null || true; wait "$bare" 2>/dev/null || true

  # ---- 3. search per kind --------------------------------------------------------------------
  for kind in mobile name pinyin vin-tail plate; do
    emit "$(load --url "http://127.0.0.1:$port/api/v1/search?q={phone}&limit=10" --header "Authorization: Bearer $token" \
      --phones-file "$work/q-$kind.txt" --concurrency "$search_concurrency" --error-if-body-contains '"error"' \
      --label "search-$kind-$engine")"
  done
  emit "$(load --url "http://127.0.0.1:$port/api/v1/search?q={phone}&limit=10" --header "Authorization: Bearer $ctoken" \
    --phones-file "$work/q-tail4.txt" --concurrency "$search_concurrency" --error-if-body-contains '"error"' \
    --label "search-tail4-consultant-$engine")"

  # ---- 4. memory ------------------------------------------------------------------------------
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
  emit "{\"bench\":\"server-peak-rss\",\"engine\":\"$engine\",\"customers\":$customers,\"kib\":$rss}"
  kill "$server"; wait "$server" 2>/dev/null || true
  port=$((port + 1))
done
