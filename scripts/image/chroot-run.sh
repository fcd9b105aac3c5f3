#!/usr/bin/env bash
# Starts an image's entrypoint the way a container runtime would, for a machine where `podman run` cannot run
# (here: crun refuses the host's hybrid cgroups). Run inside `unshare -m` (a private mount namespace: every mount
# below disappears with the process). Usage: chroot-run.sh IMAGE-ROOT SCRATCH DATA-DIR USER ENV-FILE -- ARGV…
#   IMAGE-ROOT  the image's file system (`podman image mount`), never written to
#   SCRATCH     an empty folder for the overlay's upper layer and the root we build
#   DATA-DIR    bound read-write at /var/lib/gatehouse (the one writable path, like a volume)
# The root file system is read-only (as with `--read-only` / readOnlyRootFilesystem); /tmp is a tmpfs; /dev holds
# null, zero, random, urandom; /proc is mounted. The process runs as USER (uid:gid), with exactly ENV-FILE's variables.
set -euo pipefail
IMAGE_ROOT=$1 SCRATCH=$2 DATA=$3 USERSPEC=$4 ENV_FILE=$5
shift 5; [ "${1:-}" = -- ] && shift
mount --make-rprivate /
mkdir -p "$SCRATCH/upper" "$SCRATCH/work" "$SCRATCH/root"
mount -t overlay overlay -o "lowerdir=$IMAGE_ROOT,upperdir=$SCRATCH/upper,workdir=$SCRATCH/work" "$SCRATCH/root"
R=$SCRATCH/root
mkdir -p "$R/dev" "$R/proc" "$R/tmp" "$R/var/lib/gatehouse"
mount -t tmpfs -o mode=755,size=1m tmpfs "$R/dev"
for d in null zero random urandom; do touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
mount -t proc proc "$R/proc"
mount -o remount,ro "$R"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$R/tmp"
mount --bind "$DATA" "$R/var/lib/gatehouse"
mapfile -t ENV_VARS <"$ENV_FILE"
exec env -i "${ENV_VARS[@]}" chroot --userspec="$USERSPEC" "$R" "$@"
