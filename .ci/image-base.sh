#!/usr/bin/env bash
# Makes a base image for the Jib builds without a registry and without Docker, and prints its path.
#
# The images' default base, eclipse-temurin:17-jre, comes from Docker Hub, which CI cannot reach (only Maven
# Central and Debian's packages are). This bootstraps Debian 12 (bookworm) with openjdk-17-jre-headless, the
# Java 17 runtime the JAR is built for, and writes it as a one-layer image tarball in `docker save` format, which
# Jib takes as a base with `tar://PATH`:
#   mvn -B -Pimage -DskipTests -Dimage.jobs.base="tar://$(bash .ci/image-base.sh)" package
# Idempotent: the tarball is reused while this script is unchanged. Needs root (debootstrap).
# Environment: ROLLBACK_IMAGE_BASE_DIR (default $HOME/.cache/rollback-jobs/image-base),
#   ROLLBACK_IMAGE_BASE_MIRROR (default: the Debian mirror of this machine's apt configuration).
set -euo pipefail

DIR="${ROLLBACK_IMAGE_BASE_DIR:-${HOME:-/root}/.cache/rollback-jobs/image-base}"
KEY="$(sha256sum "$0" | cut -c1-12)"
TAR="$DIR/bookworm-jre17-$KEY.tar"

say() { echo "image-base: $*" >&2; }
die() { say "error: $*"; exit 1; }

if [ -f "$TAR" ]; then
  echo "$TAR"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "bootstrapping needs root (debootstrap)"
if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap"
  (apt-get update -qq && apt-get install -y -qq debootstrap) >&2 || die "could not install debootstrap"
fi
mirror="${ROLLBACK_IMAGE_BASE_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
      /etc/apt/sources.list.d/*.list 2>/dev/null | grep -E '/debian/?( |$)' | grep -v security | head -n1 \
    | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*$//' || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

work="$DIR/.work-$$"
rm -rf "$DIR"/.work-* && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
say "bootstrapping Debian bookworm with openjdk-17-jre-headless (mirror $mirror); a few minutes the first time"
debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$work/root" "$mirror" >&2 \
  || die "debootstrap failed; see $work/root/debootstrap/debootstrap.log"
# what an image does not need: package caches and lists, documentation, device nodes (the runtime mounts /dev)
rm -rf "$work"/root/var/cache/apt/archives/*.deb "$work"/root/var/lib/apt/lists/* "$work"/root/usr/share/doc/* \
  "$work"/root/usr/share/man/* "$work"/root/usr/share/locale/* "$work"/root/dev/* "$work"/root/debootstrap
java_home=/usr/lib/jvm/java-17-openjdk-amd64
[ -x "$work/root$java_home/bin/java" ] || die "no Java 17 in the bootstrapped root ($java_home)"

mkdir -p "$work/image"
tar --numeric-owner --sort=name --mtime=@0 -C "$work/root" -cf "$work/image/layer.tar" .
diff_id="sha256:$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)"
cat > "$work/image/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8"],"WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["rollback-base:bookworm-jre17"],"Layers":["layer.tar"]}]' \
  > "$work/image/manifest.json"
tar -C "$work/image" -cf "$work/base.tar" manifest.json config.json layer.tar
rm -f "$DIR"/bookworm-jre17-*.tar
mv "$work/base.tar" "$TAR"
say "base image $TAR ($(du -h "$TAR" | cut -f1))"
echo "$TAR"
