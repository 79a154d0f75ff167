#!/usr/bin/env bash
# Run news_daily once, offline: the spiders replay the bundled WARC archive instead of the network.
# Usage: tools/demo.sh LOGICAL_DATE ARCHIVE
set -euo pipefail
logical_date=$1
archive=$(readlink -f "$2")
[ -f "$archive" ] || { echo "[demo] error: replay archive $2 not found (make archive builds it)" >&2; exit 1; }

export REPLAY_WARC="$archive"
# The demo's second site (a WordPress reposter) is configured outside the production registry.
export NEWS_SOURCES_EXTRA_DIRS="$NEWS_ROOT/demo/sources"
log_dir="$NEWS_ROOT/.data/logs"
mkdir -p "$log_dir"
log="$log_dir/demo-$(date -u +%Y%m%dT%H%M%SZ).log"

echo "[demo] running news_daily for the day before $logical_date on $(basename "$archive") (log: ${log#$NEWS_ROOT/})" >&2
if ! python "$NEWS_ROOT/tools/run_dag.py" news_daily --logical-date "$logical_date" >"$log" 2>&1; then
  echo "[demo] news_daily failed. What failed, then the end of its log:" >&2
  grep -E "^dag run |^  task |CrawlFailed|QualityCheckFailed|RunNotLoadable|Error:" "$log" | tail -20 >&2 || true
  echo "--- last lines of $log ---" >&2
  tail -15 "$log" >&2
  exit 1
fi
python -m dags.tasks.report
# Where the run's HTML report and Parquet export went (a local archive; on s3:// they are objects).
report=$(ls -t "$ARCHIVE_ROOT"/reports/news_daily/*.html 2>/dev/null | head -1 || true)
if [ -n "$report" ]; then
  echo ""
  echo "Daily report:   file://$report"
  echo "Parquet export: $ARCHIVE_ROOT/exports/ (make export SINCE= UNTIL= for other days)"
fi
