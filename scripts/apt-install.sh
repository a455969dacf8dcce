#!/usr/bin/env bash
# Installs the missing Debian/Ubuntu packages of the given groups of scripts/apt-packages.txt
# (run, build, ci). Installed packages are left alone, so a second call does nothing.
set -euo pipefail
list="$(dirname "$0")/apt-packages.txt"
[ $# -gt 0 ] || { echo "usage: $0 GROUP... (groups: run build ci)" >&2; exit 2; }
wanted=()
while read -r name group _; do
  case "$name" in ''|'#'*) continue ;; esac
  for g in "$@"; do [ "$g" = "$group" ] && wanted+=("$name"); done
done < "$list"
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${wanted[*]})"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "system packages missing: ${missing[*]}; this is not a Debian/Ubuntu machine, install them with its package manager" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
