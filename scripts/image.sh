#!/usr/bin/env bash
# Builds an OCI image of Onward and pushes it to REF (e.g. registry.example.com/platform/onward:1.0.0).
# No base image is pulled: the root file system is Debian's minimal base (debootstrap --variant=minbase from the
# apt source this machine is configured with) with git, CA certificates and ICU, trimmed of apt's caches and
# documentation; Onward is a self-contained `dotnet publish` in /opt/onward, run as user 10001 ("onward") with
# `onward serve --config /etc/onward/onward.yaml` as its command. Needs root (debootstrap, chroot), buildah and
# debootstrap (scripts/setup.sh installs them).
#   scripts/image.sh REF
# Environment: ONWARD_IMAGE_CREDS=user:password to push with credentials; ONWARD_BUILDAH_ROOT=DIR for buildah's
# storage (default: its own). A registry on 127.0.0.1 or localhost is pushed to without TLS.
set -euo pipefail
cd "$(dirname "$0")/.."
ref="${1:?usage: scripts/image.sh REF}"
[ "$(id -u)" -eq 0 ] || { echo "image: run as root (debootstrap and chroot need it)" >&2; exit 1; }
for tool in buildah debootstrap dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { echo "image: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
done
storage=(--storage-driver vfs)
if [ -n "${ONWARD_BUILDAH_ROOT:-}" ]; then
  storage+=(--root "$ONWARD_BUILDAH_ROOT/root" --runroot "$ONWARD_BUILDAH_ROOT/run")
fi

# The apt source this machine uses, and its Debian release.
mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
[ -n "$mirror" ] || mirror="$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
[ -n "$mirror" ] || { echo "image: no Debian apt source found in /etc/apt" >&2; exit 1; }
suite="$(. /etc/os-release && echo "$VERSION_CODENAME")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "image: Debian $suite (minbase) from $mirror"
debootstrap --variant=minbase --include=git,openssh-client,ca-certificates,libicu72 "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; echo "image: debootstrap failed" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
  "$rootfs"/usr/share/info/* "$rootfs"/var/log/*
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
chroot "$rootfs" useradd --uid 10001 --user-group --home-dir /var/lib/onward --create-home --shell /usr/sbin/nologin onward
mkdir -p "$rootfs/etc/onward"

echo "image: publishing onward (self-contained, linux-x64)"
dotnet publish src/Onward.Cli -c Release -r linux-x64 --self-contained -o "$rootfs/opt/onward" -nologo -v quiet -p:TreatWarningsAsErrors=false >/dev/null
ln -s /opt/onward/onward "$rootfs/usr/local/bin/onward"
"$rootfs/opt/onward/onward" --version >/dev/null || { echo "image: the published onward does not run" >&2; exit 1; }
size="$(du -sm "$rootfs" | cut -f1)"

container="$(buildah "${storage[@]}" from scratch)"
trap 'buildah "${storage[@]}" rm "$container" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
buildah "${storage[@]}" copy "$container" "$rootfs/" / >/dev/null
version="$("$rootfs/opt/onward/onward" --version)"
buildah "${storage[@]}" config \
  --entrypoint '["/usr/local/bin/onward"]' --cmd '["serve", "--config", "/etc/onward/onward.yaml"]' \
  --user 10001:10001 --workingdir /var/lib/onward --port 8080 \
  --env DOTNET_CLI_TELEMETRY_OPTOUT=1 --env HOME=/var/lib/onward \
  --label org.opencontainers.image.title=onward --label "org.opencontainers.image.version=$version" \
  "$container"
buildah "${storage[@]}" commit --quiet "$container" "$ref" >/dev/null
tls=()
case "$ref" in 127.0.0.1[:/]* | localhost[:/]*) tls=(--tls-verify=false) ;; esac
creds=()
[ -n "${ONWARD_IMAGE_CREDS:-}" ] && creds=(--creds "$ONWARD_IMAGE_CREDS")
buildah "${storage[@]}" push --quiet "${tls[@]}" "${creds[@]}" --digestfile "$work/digest" "$ref" "docker://$ref"
echo "image: pushed $ref@$(cat "$work/digest") (onward $version; root file system ${size} MB before compression)"
