# Helpers every benchmark script sources: where results go, waiting for a server,
# signing in as a seeded account. Expects $out (the JSON lines file).

# emit LINE: print a JSON line and keep it in bench/results.jsonl.
emit() { echo "$1" | tee -a "$out"; }

# wait_port PORT: until something listens on 127.0.0.1:PORT (30 s at most).
wait_port() { for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# token_of PORT USERNAME: a bearer token for a seeded account (password seed1234).
token_of() {
  curl -sf -X POST "http://127.0.0.1:$1/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"seed1234\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

# The server settings a PostgreSQL figure depends on most, recorded with it: with
# the default 128 MB of shared buffers a million owners' indexes are read from the
# kernel's cache again and again (see BENCHMARKS.md).
pg_settings() {
  emit "{\"bench\":\"postgres-settings\",\"shared_buffers\":\"$(psql "$1" -Atqc 'SHOW shared_buffers')\",\"max_wal_size\":\"$(psql "$1" -Atqc 'SHOW max_wal_size')\",\"server\":\"$(psql "$1" -Atqc 'SHOW server_version')\"}"
}
