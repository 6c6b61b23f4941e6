#!/usr/bin/env bash
# The frames that used the most CPU in a perf.data file written by the benchmark's Profiler
# (BENCH_PROFILE_DIR): self time, then inclusive time of the app's own and the Azure SDK's frames.
# Usage: tools/profile/top-frames.sh FILE.perf.data [N]
set -euo pipefail
file=$1; n=${2:-25}
echo "== self (exclusive) CPU, top $n"
perf report -i "$file" --no-children --sort symbol --stdio --percent-limit 0.5 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | head -n "$n"
echo "== inclusive CPU of ConvertroFunctions, Azure and System.Net frames, top $n"
perf report -i "$file" --children --sort symbol --stdio --percent-limit 1 2>/dev/null \
  | grep -E '^ +[0-9.]+% +[0-9.]+%' | grep -E 'ConvertroFunctions|Azure\.|System\.Net|System\.Text\.Json|Multipart' | head -n "$n"
