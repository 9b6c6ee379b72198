# SPDX-License-Identifier: GPL-2.0
# tests/deb, inside the VM (scripts/vm.sh --no-module): the clean root ROOT,
# where the host installed the packages, is used through chroot; the guest's
# own modprobe only loads what ksrtp needs from the kernel itself (the root
# has the kernel's headers, not its modules). Prints "ok - ..." lines.
#   sh tests/deb/guest.sh ROOT VERSION
R=$1 VER=$2
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
in_root() { chroot "$R" "$@"; }

mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" &&
	mount -t sysfs sys "$R/sys" && mount -t tmpfs -o mode=0755 run "$R/run" ||
	{ nok "mounts in the root"; exit 1; }

for d in $(in_root modinfo -F depends ksrtp | tr ',' ' '); do modprobe "$d"; done
path=$(in_root modinfo -n ksrtp)
if in_root modprobe ksrtp && [ "$(cat /sys/module/ksrtp/version)" = "$VER" ] &&
   case $path in /lib/modules/*/updates/dkms/ksrtp.ko*) true ;; *) false ;; esac; then
	ok "modprobe ksrtp loads the module DKMS built ($path, version $VER)"
else
	echo "# modinfo -n: $path"; nok "modprobe ksrtp loads the module DKMS built"
fi

SOCK=/run/ksrtp-keyd/control.sock
# chroot itself, not a function: $! must be keyd (chroot execs it)
chroot "$R" /usr/sbin/ksrtp-keyd -f > /tmp/keyd.log 2>&1 &
KEYD=$!
i=0
while [ ! -S "$R$SOCK" ] && [ $i -lt 100 ] && kill -0 $KEYD 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
grp=$(in_root stat -c %G "$SOCK" 2>/dev/null)
if [ -S "$R$SOCK" ] && [ "$grp" = ksrtp ]; then
	ok "ksrtp-keyd starts from the packaged /etc/ksrtp/keyd.conf (socket group $grp)"
else
	sed 's/^/# /' /tmp/keyd.log; nok "ksrtp-keyd starts from the packaged config (group '$grp')"
fi

out=$(in_root ksrtp-keydctl ping); rc=$?
echo "# $out"
if [ $rc = 0 ] && echo "$out" | grep -q "\"module_version\": *\"$VER\""; then
	ok "ksrtp-keydctl ping: ok, module $VER"
else
	nok "ksrtp-keydctl ping (exit $rc)"
fi
out=$(in_root ksrtp-keydctl list); rc=$?
if [ $rc = 0 ] && echo "$out" | grep -q '"sessions": *\[ *\]'; then
	ok "ksrtp-keydctl list: ok, no sessions"
else
	echo "# $out"; nok "ksrtp-keydctl list (exit $rc)"
fi
out=$(in_root /usr/local/bin/ksrtp-client "$SOCK"); rc=$?
echo "# client: $out"
if [ $rc = 0 ] && echo "$out" | grep -q "^module_version=$VER methods=[1-9]"; then
	ok "a client built with pkg-config ksrtpkeyd pings keyd"
else
	nok "a client built with pkg-config ksrtpkeyd pings keyd (exit $rc)"
fi

kill -TERM $KEYD; wait $KEYD; krc=$?
if [ $krc = 0 ] && rmmod ksrtp; then
	ok "ksrtp-keyd stops cleanly on SIGTERM, ksrtp unloads"
else
	sed 's/^/# /' /tmp/keyd.log | tail -n 20; nok "keyd stop (exit $krc) and rmmod ksrtp"
fi
umount "$R/run"; umount "$R/sys"; umount -l "$R/dev"; umount "$R/proc"
exit 0
