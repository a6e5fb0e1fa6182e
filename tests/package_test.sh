#!/usr/bin/env bash
# The Debian packages as an operator installs them (docs/farm.md, "Deploying"): builds both with
# CPack from the build directory, checks their contents and modes with dpkg-deb -c, that the
# worker's package needs no MySQL or Kafka library, unpacks both into a scratch root and runs
# systemd-analyze verify on the units there.
set -euo pipefail
build_dir=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
node_deb=$(ls "$work"/out/rowchain_*.deb)
worker_deb=$(ls "$work"/out/rowchain-worker_*.deb)

expect_entry() {  # deb, mode prefix, path
  dpkg-deb -c "$1" | awk '{print $1, $6}' | grep -qx -e "$2.* \./$3" || { dpkg-deb -c "$1"; fail "$(basename "$1") lacks $2 $3"; }
}
expect_entry "$node_deb" "-rwxr-xr-x" usr/bin/rowchaind
expect_entry "$node_deb" "-rwxr-xr-x" usr/bin/rowchain
expect_entry "$node_deb" "-rw-r--r--" usr/lib/systemd/system/rowchaind.service
expect_entry "$node_deb" "-rw-------" etc/rowchain/rowchaind.toml
expect_entry "$worker_deb" "-rwxr-xr-x" usr/bin/rowchain-worker
expect_entry "$worker_deb" "-rw-r--r--" usr/lib/systemd/system/rowchain-worker.service
expect_entry "$worker_deb" "-rw-------" etc/rowchain/rowchain-worker.env
if dpkg-deb -c "$worker_deb" | grep -q 'rowchaind'; then fail "the worker package carries the node"; fi
depends=$(dpkg-deb -f "$worker_deb" Depends)
for lib in mariadb rdkafka; do
  if grep -q "$lib" <<<"$depends"; then fail "the worker depends on $lib: $depends"; fi
done
for deb in "$node_deb" "$worker_deb"; do
  dpkg-deb -e "$deb" "$work/control-$(basename "$deb")"
  grep -q 'adduser --system' "$work/control-$(basename "$deb")/postinst" || fail "$(basename "$deb") makes no system user"
  grep -q '^/etc/rowchain/' "$work/control-$(basename "$deb")/conffiles" || fail "$(basename "$deb") has no conffile"
done

root="$work/root"
# The scratch root gets this host's systemd units (the targets ours hook into), then ours.
mkdir -p "$root/usr/lib/systemd/system"
cp -a /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
dpkg-deb -x "$node_deb" "$root"
dpkg-deb -x "$worker_deb" "$root"
# The units as systemd reads them, against the binaries they name, inside the scratch root.
for unit in rowchaind.service rowchain-worker.service; do
  grep -q '^NoNewPrivileges=yes' "$root/usr/lib/systemd/system/$unit" || fail "$unit lacks NoNewPrivileges"
  grep -q '^ProtectSystem=strict' "$root/usr/lib/systemd/system/$unit" || fail "$unit lacks ProtectSystem=strict"
  grep -q '^DeviceAllow=char-nvidia-frontend rw' "$root/usr/lib/systemd/system/$unit" || fail "$unit does not allow the GPUs"
  if ! out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no --root="$root" "/usr/lib/systemd/system/$unit" 2>&1); then
    echo "$out" >&2
    fail "systemd-analyze verify $unit failed"
  fi
  # verify exits 0 on some warnings: none is acceptable either.
  if grep -v -e 'Failed to load' -e 'mariadb.service\|mysql.service\|nvidia-persistenced.service' <<<"$out" | grep -q .; then
    echo "$out" >&2
    fail "systemd-analyze verify $unit warned"
  fi
done
"$root/usr/bin/rowchain-worker" --help >/dev/null || fail "the packaged worker does not run"
echo "package_test: both packages built, checked and verified"
