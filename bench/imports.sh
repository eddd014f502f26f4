#!/usr/bin/env bash
# Import benchmark (issue 4, "Speed"): a 100,000-row customer file, ~30 % of them
# customers already on file, imported with validation and identity resolution
# into a SQLite database holding CUSTOMERS customers (default 1,000,000) seeded by
# `autocrm seed`. Prints the rows/s of the check (dry run), of the commit, and of
# both together, as JSON lines appended to bench/results.jsonl, and the commit's rate
# as a share of the limits kit's bulk-load rate measured in the same run.
#
# Knobs: CUSTOMERS=1000000 ROWS=100000 SHARE=0.3 DB=<path to reuse a seeded file>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
customers=${CUSTOMERS:-1000000}
rows=${ROWS:-100000}
share=${SHARE:-0.3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p autocrm
bin=$root/target/release/autocrm
if [ -n "${DB:-}" ]; then
  cp "$DB" "$work/bench.db"
  # The copy's gigabytes are written back now, not while the import is timed.
  sync
else
  "$bin" --database-url "sqlite://$work/bench.db" seed --scale oem --customers "$customers" >/dev/null
fi
# A reused file may predate the current schema: migrate it first, so the import
# is timed on its own (not behind the index builds of an upgrade).
"$bin" --database-url "sqlite://$work/bench.db" migrate >/dev/null
python3 bench/import_file.py "$work/bench.db" "$work/customers.csv" "$rows" "$share"
dealer=${DEALER:-$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT code FROM dealer ORDER BY id LIMIT 1').fetchone()[0])" "$work/bench.db")}
out=$("$bin" --database-url "sqlite://$work/bench.db" import "$work/customers.csv" --dealer "$dealer" 2>/dev/null)
echo "$out" >&2
line=$(echo "$out" | grep '^imported job')
commit_rps=$(echo "$line" | sed -E 's/.*; commit [0-9.]+ s \(([0-9]+) rows\/s\).*/\1/')
total_rps=$(echo "$line" | sed -E 's/.*check \+ commit [0-9.]+ s \(([0-9]+) rows\/s\).*/\1/')
check_s=$(echo "$out" | grep '^checked' | sed -E 's/.* in ([0-9.]+) s.*/\1/')
# The baseline, same run: the limits kit's bulk load (1M customers and 1.2M vehicles
# into bare tables, then indexed), the ceiling for writing rows into SQLite here.
limits_dir=${LIMITS_DIR:-$root/../shared/limits}
cargo build --release -q --manifest-path "$limits_dir/Cargo.toml" --target-dir "$root/target/limits"
kit=$("$root/target/limits/release/limits" seed --db "$work/limits.db" --customers 1000000 --force)
kit_rps=$(echo "$kit" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows_per_s"])')
rm -f "$work/limits.db"
ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)
vs_kit=$(awk -v a="$commit_rps" -v b="$kit_rps" 'BEGIN { printf "%.4f", a / b }')
for kv in "import_commit_rows_per_s $commit_rps" "import_check_and_commit_rows_per_s $total_rps" "import_check_seconds $check_s" \
  "kit_seed_rows_per_s $kit_rps" "import_commit_vs_kit_seed $vs_kit"; do
  set -- $kv
  echo "{\"at\":\"$ts\",\"engine\":\"sqlite\",\"figure\":\"$1\",\"value\":$2,\"rows\":$rows,\"customers_on_file\":$customers}" | tee -a bench/results.jsonl
done
