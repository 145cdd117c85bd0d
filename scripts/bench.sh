#!/usr/bin/env bash
# `make bench`: the public face at national scale, measured in one run (not a timed test).
#
# Seeds national data once (`karamat seed --scale national --seed 1405`, kept in data/bench/ and
# in the PostgreSQL database karamat_bench between runs), starts the release server alone on
# each database in turn, and prints for every page people open first: one request alone (p50 /
# p95 of 20, curl, each rendered afresh) and 32 connections for 10 s (wrk: req/s, p50, p99; the
# same URL over and over, as the home page is asked for, so mostly the few seconds' page cache;
# the rows marked "every request a new URL" render every answer), each as a ratio to a static
# file served by the same server in the same run; the server's peak RSS; and the first-load
# JavaScript + wasm bytes of the public pages (raw, gzip, brotli); and Lighthouse mobile on `/`, a
# need, `/give` and `/transparency` (median of three runs; on SQLite's run); confirmed gifts per
# second through the whole HTTP flow (`karamat load-gifts`: form, sandbox bank, callback,
# receipt), and on PostgreSQL `pgbench` tpcb-like with the same number of clients.
#
# Expects the release build (`scripts/dev.sh bench` builds it first). Settings:
#   BENCH_PG_URL         an administrative PostgreSQL URL (default: the CI one); empty: SQLite only
#   BENCH_CONNECTIONS    wrk connections (32)      BENCH_SECONDS  seconds per page (10)
#   BENCH_GIFTS          gifts per database (2000)  BENCH_GIFT_CLIENTS  gifts in flight (8)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="$ROOT/target/release/karamat"
DATA="$ROOT/data/bench"
PG_ADMIN="${BENCH_PG_URL-postgres://postgres@127.0.0.1:5432/postgres}"
CONNS="${BENCH_CONNECTIONS:-32}"
SECONDS_EACH="${BENCH_SECONDS:-10}"
PORT="${BENCH_PORT:-3190}"
GIFTS="${BENCH_GIFTS:-2000}"
GIFT_CLIENTS="${BENCH_GIFT_CLIENTS:-8}"
BASE="http://127.0.0.1:$PORT"

log() { printf '\033[1;32m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

[ -x "$BIN" ] || die "no release build at $BIN (run: scripts/dev.sh bench)"
if ! command -v wrk >/dev/null; then
  log "apt-get install wrk"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
command -v brotli >/dev/null || true

export LEPTOS_OUTPUT_NAME=karamat LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_HASH_FILES=true LEPTOS_ENV=PROD LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
export KARAMAT_ENV=dev RUST_LOG="${RUST_LOG:-warn,karamat=info,app=info}"
"$BIN" precompress --dir "$ROOT/target/site/pkg" >/dev/null

# --- data, seeded once ---
mkdir -p "$DATA"
SQLITE_URL="sqlite://$DATA/national.db?mode=rwc"
if [ ! -s "$DATA/national.db" ]; then
  log "seeding national data into SQLite (once; kept in data/bench/)"
  DATABASE_URL="$SQLITE_URL" "$BIN" seed --scale national --seed 1405 | tail -n 1
fi
URLS=("sqlite|$SQLITE_URL")
if [ -n "$PG_ADMIN" ] && psql "$PG_ADMIN" -tAc 'SELECT 1' >/dev/null 2>&1; then
  PG_URL="${PG_ADMIN%/*}/karamat_bench"
  if ! psql "$PG_ADMIN" -tAc "SELECT 1 FROM pg_database WHERE datname = 'karamat_bench'" | grep -q 1; then
    psql "$PG_ADMIN" -qc "CREATE DATABASE karamat_bench"
  fi
  log "national data in PostgreSQL (seeded once)"
  DATABASE_URL="$PG_URL" "$BIN" seed --scale national --seed 1405 --if-empty | tail -n 1
  URLS+=("postgresql|$PG_URL")
fi

# --- measuring ---
pct() { # percentile ($1 = 50/95) of numbers on stdin, in ms with one decimal
  sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; printf "%.1f", v[i] * 1000 }'
}
alone() { # p50/p95 of 20 sequential requests, each on a new connection and a URL of its own
  # (an extra `bench=N` the pages ignore), so every one is rendered: what a page's first
  # visitor meets, not the few seconds' cache (server::page_cache)
  local i sep='?'
  case "$1" in *\?*) sep='&' ;; esac
  for i in $(seq 1 20); do
    curl -s -o /dev/null -H 'Accept-Encoding: br, gzip' -w '%{time_total}\n' "$BASE$1${sep}bench=$RANDOM$i"
  done > /tmp/karamat-bench-alone
  printf '%s / %s' "$(pct 50 < /tmp/karamat-bench-alone)" "$(pct 95 < /tmp/karamat-bench-alone)"
}
ms() { # wrk latency ("1.23ms", "450.00us", "1.20s") in ms
  awk '{ v = $1; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } printf "%.1f", v }'
}
load() { # "req/s p50 p99 non-2xx" at $CONNS connections; $2 = fresh: a new URL every request
  local out rps p50 p99 bad script=()
  [ "${2:-}" = fresh ] && script=(-s "$ROOT/scripts/bench-fresh.lua")
  out="$(wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency "${script[@]}" -H 'Accept-Encoding: br, gzip' "$BASE$1" 2>&1)"
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out" | ms)"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out" | ms)"
  bad="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  echo "${rps:-0} ${p50:-?} ${p99:-?} ${bad:-0}"
}

CSS="$(cd "$ROOT/target/site/pkg" && ls karamat*.css | grep -v '\.\(br\|gz\)$' | head -n1)"
RENT="%D8%A7%D8%AC%D8%A7%D8%B1%D9%87" # اجاره

report_pgbench() { # the same PostgreSQL's own transaction rate, with the gifts' client count
  local db="${PG_ADMIN%/*}/karamat_pgbench" out tps
  command -v pgbench >/dev/null || { echo "pgbench: not installed"; return; }
  if ! psql "$PG_ADMIN" -tAc "SELECT 1 FROM pg_database WHERE datname = 'karamat_pgbench'" | grep -q 1; then
    psql "$PG_ADMIN" -qc "CREATE DATABASE karamat_pgbench"
    pgbench -i -q -s 10 "$db" >/dev/null 2>&1
  fi
  log "pgbench tpcb-like, $GIFT_CLIENTS clients, ${SECONDS_EACH} s, the Karamat server stopped"
  out="$(pgbench -b tpcb-like -c "$GIFT_CLIENTS" -j 2 -T "$SECONDS_EACH" "$db" 2>&1 || true)"
  tps="$(awk '/^tps = / { printf "%.0f", $3; exit }' <<<"$out")"
  echo "pgbench tpcb-like on the same PostgreSQL, $GIFT_CLIENTS clients: ${tps:-?} TPS"
}

report_lighthouse() {
  log "Lighthouse mobile, median of three runs per page"
  node "$ROOT/scripts/lighthouse.mjs" "$BASE" / "/needs/$NEED" /give /transparency
}

report_bundle() {
  log "first-load JavaScript + wasm of the public pages, as Chromium fetches them until hydrated (raw / gzip / brotli)"
  node "$ROOT/scripts/first-load.mjs" "$BASE" "$ROOT/target/site" / /needs "/needs/$NEED" /give /release /transparency /receipt /sign-in
}

for entry in "${URLS[@]}"; do
  label="${entry%%|*}"; url="${entry#*|}"
  log "$label: starting the release server alone on $BASE"
  DATABASE_URL="$url" "$BIN" serve > "/tmp/karamat-bench-$label.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 300); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
  curl -sf "$BASE/healthz" >/dev/null || die "$label: the server did not start (see /tmp/karamat-bench-$label.log)"
  # Let the start-up work (public figures, compression check) finish before measuring.
  for _ in $(seq 1 600); do grep -q "public figures refreshed" "/tmp/karamat-bench-$label.log" && break; sleep 0.2; done
  # ... and the other start-up jobs (the KPI snapshot, the reconciler): measure an idle server,
  # not one still busy with them (up to two minutes; idle = under 5 % of a core for 2 s).
  cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
  for _ in $(seq 1 60); do
    before="$(cpu)"; sleep 2
    [ $(( $(cpu) - before )) -lt 10 ] && break
  done
  NEED="$(curl -s "$BASE/api/v1/needs" | grep -o '"code":"[^"]*"' | head -n1 | cut -d'"' -f4)"
  PAGES=(
    "static CSS|/pkg/$CSS"
    "/ (home)|/"
    "/needs|/needs"
    "/needs?q=اجاره|/needs?q=$RENT"
    "/needs?province=THR&category=rent|/needs?province=THR&category=rent"
    "/needs?sort=newest&page=20|/needs?sort=newest&page=20"
    "/needs?q=اجاره, every request a new URL|/needs?q=$RENT|fresh"
    "/needs?province=THR&category=rent, every request a new URL|/needs?province=THR&category=rent|fresh"
    "a need page|/needs/$NEED"
    "/give|/give"
    "/release|/release"
    "/transparency|/transparency"
    "/api/v1/needs|/api/v1/needs"
    "/api/v1/summary|/api/v1/summary"
    "/api/v1/provinces|/api/v1/provinces"
  )
  echo
  echo "### $label, national scale ($CONNS connections, ${SECONDS_EACH} s each; $(nproc) cores)"
  echo
  echo "| page | alone p50 / p95 ms | req/s | × static | p50 ms | p99 ms | non-2xx |"
  echo "|---|---|---|---|---|---|---|"
  static_rps=""
  for p in "${PAGES[@]}"; do
    name="${p%%|*}"; rest="${p#*|}"; path="${rest%%|*}"; mode=""
    [ "$rest" = "$path" ] || mode="${rest#*|}"
    a="$(alone "$path")"
    read -r rps p50 p99 bad <<<"$(load "$path" "$mode")"
    [ -n "$static_rps" ] || static_rps="$rps"
    ratio="$(awk -v a="$rps" -v b="$static_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')"
    echo "| \`$name\` | $a | $rps | $ratio | $p50 | $p99 | $bad |"
  done
  echo
  log "$label: confirmed gifts through HTTP ($GIFTS gifts, $GIFT_CLIENTS in flight)"
  gifts_line="$(RUST_BACKTRACE=0 "$BIN" load-gifts --base "$BASE" --gifts "$GIFTS" --clients "$GIFT_CLIENTS" 2>"/tmp/karamat-bench-gifts-$label.err" || true)"
  [ -s "/tmp/karamat-bench-gifts-$label.err" ] && gifts_line="$gifts_line ($(head -c 300 "/tmp/karamat-bench-gifts-$label.err"))"
  echo "Confirmed gifts (form, sandbox bank, callback with verify + settle + ledger, receipt): $gifts_line"
  echo
  echo "Server peak RSS (pages and gifts): $(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$pid/status")"
  if [ "$label" = sqlite ]; then echo; report_bundle; echo; report_lighthouse; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  if [ "$label" = postgresql ]; then echo; report_pgbench; fi
done
