#!/usr/bin/env bash
# The ports a checkout's .data/ was created with, kept in .data/ports.env (NAME=VALUE lines).
#
#   tools/ports.sh remember NAME VALUE   record (or update) one port
#   tools/ports.sh get NAME              print the recorded value, if any
#
# tools/env.sh reads the file for every variable the shell does not set, so a shell without
# NEWS_PG_PORT reaches this checkout's cluster, not another checkout's on the default port.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FILE="$ROOT/.data/ports.env"

case "${1:-}" in
  remember)
    name=$2 value=$3
    [[ "$name" =~ ^NEWS_[A-Z_]+$ && "$value" =~ ^[0-9]+$ ]] || { echo "[ports] bad entry $name=$value" >&2; exit 2; }
    mkdir -p "$(dirname "$FILE")"
    { [ -f "$FILE" ] && grep -v "^$name=" "$FILE" || true; echo "$name=$value"; } >"$FILE.new"
    mv "$FILE.new" "$FILE"
    ;;
  get)
    [ -f "$FILE" ] && sed -n "s/^$2=//p" "$FILE" | tail -1 || true
    ;;
  *) echo "usage: tools/ports.sh remember NAME VALUE | get NAME" >&2; exit 2 ;;
esac
