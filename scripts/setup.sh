#!/usr/bin/env bash
# Installs what Onward's tests need on a Debian machine, idempotently. Safe to run again and again.
set -euo pipefail

need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v setsid >/dev/null 2>&1 || need+=(util-linux)
if ((${#need[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${need[*]}; run this script as root (or install them) first" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "setup: the .NET SDK 10 is required (dotnet on PATH)" >&2; exit 1; }
echo "setup: git $(git --version | cut -d' ' -f3), dotnet $(dotnet --version)"
