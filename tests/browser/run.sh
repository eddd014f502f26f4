#!/usr/bin/env bash
# Run autocrm's browser tests against a throw-away demo server.
#
#   AUTOCRM_BIN=path/to/autocrm  (default: <repo>/target/debug/autocrm; build it first with `cargo build -p autocrm`)
#   CHROMIUM_PATH=/usr/bin/chromium  (Debian's chromium; Playwright never downloads a browser)
#   Extra arguments go to `playwright test`, e.g. `run.sh tests/auth.spec.ts -g "sign out"`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${AUTOCRM_BIN:-$root/target/debug/autocrm}"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac

if [[ ! -x "$bin" ]]; then
  echo "run.sh: no autocrm binary at $bin (build it with: cargo build -p autocrm)" >&2
  exit 2
fi
if [[ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  echo "run.sh: no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (apt-get install chromium fonts-noto-cjk)" >&2
  exit 2
fi

cd "$here"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ ! -d node_modules/@playwright/test ]]; then
  npm ci --no-audit --no-fund
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/autocrm-browser.XXXXXX")"
log="$tmp/server.log"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free TCP port on 127.0.0.1 (the kernel picks it; tiny race until the server binds it).
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"

"$bin" demo --data "$tmp/data" --port "$port" >"$log" 2>&1 &
pid=$!

deadline=$((SECONDS + 60))
until curl -fsS -o /dev/null --max-time 2 "$base/healthz" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run.sh: autocrm exited before it became healthy; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    echo "run.sh: autocrm did not answer $base/healthz within 60 s; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "run.sh: autocrm demo is up at $base (pid $pid, data $tmp/data)"

status=0
BASE_URL="$base" npx --no-install playwright test "$@" || status=$?
if (( status != 0 )); then
  echo "run.sh: tests failed; last lines of the server log:" >&2
  tail -n 40 "$log" >&2
fi
exit "$status"
