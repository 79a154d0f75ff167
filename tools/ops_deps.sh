#!/usr/bin/env bash
# System packages the operations tests use, from Debian: chromium + chromium-driver (the browser
# test of the Airflow UI) and redis-server (the CeleryExecutor test's broker).
#
#   tools/ops_deps.sh [browser] [redis]     both when no argument
#
# Installs with apt-get when root; otherwise says what is missing and exits 1 (the tests then
# skip with that message). Never downloads a browser build of its own.
set -euo pipefail
want=("$@"); [ ${#want[@]} -gt 0 ] || want=(browser redis)
packages=()
for item in "${want[@]}"; do
  case "$item" in
    browser) command -v chromium >/dev/null && command -v chromedriver >/dev/null || packages+=(chromium chromium-driver) ;;
    redis) command -v redis-server >/dev/null || packages+=(redis-server) ;;
    *) echo "[ops-deps] unknown item $item (browser, redis)" >&2; exit 2 ;;
  esac
done
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "[ops-deps] missing Debian packages: ${packages[*]} (sudo apt-get install ${packages[*]})" >&2
  exit 1
fi
echo "[ops-deps] installing ${packages[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
