#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: run_fuzzer.sh BINARY CORPUS_DIR SEED_DIR SECONDS
# Exits non-zero if the fuzzer found a crash, a leak or a sanitizer report.
set -euo pipefail
binary=$1 corpus=$2 seeds=$3 seconds=$4
mkdir -p "$corpus" "$corpus.artifacts"
dirs=("$corpus")
[ -d "$seeds" ] && dirs+=("$seeds")
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$corpus.artifacts/" "${dirs[@]}"
