# shellcheck shell=bash
# Sourced (not run) by scripts/build-image: a Debian 12 root filesystem from the apt mirror
# this machine is configured with, so that building an image needs no container registry.
#   debian_mirrors            sets MIRROR and SECURITY (the configured apt URIs, or deb.debian.org)
#   make_slim_rootfs DIR LOG  debootstrap --variant=minbase bookworm into DIR (its output in LOG),
#                             trimmed as the debian:12-slim image is (no docs, man pages, apt lists)
# Needs root and debootstrap.

# The first apt source URI ending in /NAME (debian, debian-security), from deb822 .sources and
# one-line .list files; empty when there is none.
apt_uri() {
  {
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }'
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed -E 's/\[[^]]*\]//' | awk '$1 == "deb" { print $2 }'
  } | grep -E "/$1/?\$" | head -n 1 || true
}

debian_mirrors() {
  MIRROR=$(apt_uri debian); MIRROR=${MIRROR:-http://deb.debian.org/debian}; MIRROR=${MIRROR%/}
  SECURITY=$(apt_uri debian-security); SECURITY=${SECURITY:-http://deb.debian.org/debian-security}; SECURITY=${SECURITY%/}
}

make_slim_rootfs() {
  local rootfs=$1 log=$2
  [ -n "${MIRROR:-}" ] || debian_mirrors
  rm -rf "$rootfs"
  if ! nice -n 19 debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" > "$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "FAIL: debootstrap bookworm from $MIRROR failed (log: $log)" >&2
    return 1
  fi
  # As the debian:12-slim image: deb822 sources with updates and security, no docs or man pages.
  rm -f "$rootfs/etc/apt/sources.list"
  cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    > "$rootfs/etc/dpkg/dpkg.cfg.d/docker"
  cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  : > "$rootfs/etc/resolv.conf"
  echo localhost > "$rootfs/etc/hostname"
}
