#!/usr/bin/env bash
# Checks that the Debian packages listed in scripts/system-packages.txt are installed; installs
# the missing ones with apt-get when running as root (one `apt-get update` first), otherwise
# stops with the exact command to run. Fast when everything is there: only dpkg-query is asked.
# Called by `make run` and `make test` (and so by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

list=scripts/system-packages.txt
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$list" | grep -v '^$')

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "缺少系统软件包：${missing[*]}（见 $list）。本机没有 apt-get，请用本机的包管理器安装同等软件包。" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "缺少系统软件包：${missing[*]}（见 $list）。请先运行：" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "== 安装系统软件包：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
# a font installed now must be visible to fontconfig at once (the charts look the file up)
command -v fc-cache >/dev/null && fc-cache -s >/dev/null 2>&1 || true
