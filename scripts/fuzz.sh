#!/usr/bin/env bash
# Runs every fuzz target of Fuzz/ (libFuzzer with AddressSanitizer) for SECONDS each, from the seed corpus in
# Fuzz/Corpus/<target> (plus the examples' migrations, for the targets that read SQL) and the saved
# reproducers in Fuzz/Regressions/<target> (replayed first, every run),
# and prints executions and coverage per target. Exits 1 if a target crashed or a property failed; the
# input is saved as the reproducer (its path and bytes are printed).
#
#   bash scripts/fuzz.sh [SECONDS=30] [TARGET…]
#   FUZZ_RUNS=10000000 bash scripts/fuzz.sh 7200 …   each target stops after that many executions instead
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/dependencies.sh
godwit_install_dependencies libpg-query-dev

SECONDS_EACH=${1:-30}
shift || true
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
  TARGETS=(dbmate-file postgres-splitter sqlite-splitter dotenv connection-settings checksum splitter-vs-libpg-query)
fi

WORK=$(mktemp -d /tmp/godwit-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "building the fuzz targets (release, -sanitize=fuzzer,address)…" >&2
# The toolchain's lld links them: Debian's gold stops with an internal error on the sanitized objects.
printf '{"schemaVersion": "1.0", "linker": {"path": "%s"}}\n' "$(dirname "$(command -v swiftc)")/ld.lld" >"$WORK/toolset.json"
BUILD=(swift build --package-path Fuzz --scratch-path Fuzz/.build -c release --toolset "$WORK/toolset.json"
  -Xswiftc -sanitize=fuzzer,address)
"${BUILD[@]}" >Fuzz/.build-log 2>&1 || { cat Fuzz/.build-log >&2; exit 1; }
BIN=$("${BUILD[@]}" --show-bin-path)

ARTIFACTS=Fuzz/Crashes
mkdir -p "$ARTIFACTS"
failed=0
printf '%-26s %12s %8s %8s %s\n' target executions cov features result
for target in "${TARGETS[@]}"; do
  corpus="$WORK/$target"
  mkdir -p "$corpus" "Fuzz/Regressions/$target"
  log="$WORK/$target.log"
  rm -f "$ARTIFACTS/$target"-*
  seeds=("Fuzz/Regressions/$target" "Fuzz/Corpus/$target")
  case $target in
    dbmate-file | checksum | *splitter*) seeds+=(Examples/*/migrations) ;;
  esac
  status=0
  # The first folder takes what the run finds; the others are read only.
  # Swift's backtracer would read memory AddressSanitizer guards when a property stops the run.
  SWIFT_BACKTRACE=enable=no "$BIN/fuzz-$target" -max_total_time="$SECONDS_EACH" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -print_final_stats=1 -max_len=4096 -rss_limit_mb=2048 \
    -timeout=10 -artifact_prefix="$ARTIFACTS/$target-" "$corpus" "${seeds[@]}" \
    >"$log" 2>&1 || status=$?
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo "?")
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo "?")
  if ((status == 0)); then
    printf '%-26s %12s %8s %8s %s\n' "$target" "$executions" "$coverage" "$features" ok
  else
    failed=1
    printf '%-26s %12s %8s %8s %s\n' "$target" "$executions" "$coverage" "$features" "FAILED (exit $status)"
    grep -E 'property failed|ERROR: (libFuzzer|AddressSanitizer)|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/    /'
    for reproducer in "$ARTIFACTS/$target"-*; do
      [[ -f $reproducer ]] || continue
      echo "    reproducer: $reproducer ($(wc -c <"$reproducer") bytes): $(head -c 300 "$reproducer" | od -An -c | tr -s ' ' | head -n 4 | tr '\n' ' ')"
      echo "    replay: $BIN/fuzz-$target $reproducer; keep it as Fuzz/Regressions/$target/<name> once fixed"
    done
  fi
done
exit "$failed"
