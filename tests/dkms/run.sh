#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS packaging: `make dkms-src` lays out the module sources as DKMS wants
# them, and dkms itself (add + build, in a private DKMS tree: the host's is
# not touched) builds ksrtp.ko for each kernel `make check` tests. Kernels of
# the trixie build root (7.x, gcc 14: scripts/deps.sh) are built by the
# root's own dkms inside it (scripts/kroot.sh), in a private tree of their
# own: the host's dkms would reach for the host's gcc 12. Checked:
# the module DKMS built has the kernel's vermagic, our version, and the same
# srcversion (a hash of its sources) as the module `make` builds. KTAP.
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
KVERS=$(make -s --no-print-directory -f - print-kvers <<'MK'
include Makefile
print-kvers:
	@echo $(CHECK_KVERS)
MK
)
VER=$(sed -n 's/^#define KSRTP_VERSION "\(.*\)"/\1/p' kmod/main.h)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 rc=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
fail() { n=$((n + 1)); echo "not ok $n $*"; rc=1; }
skip() { n=$((n + 1)); echo "ok $n $* # SKIP $SKIP_WHY"; }

echo "TAP version 13"
set -- $KVERS
echo "1..$((1 + 2 * $#))"
SKIP_WHY=
command -v dkms > /dev/null || SKIP_WHY="dkms is not installed (scripts/deps.sh installs it)"

SRCT=$T/src
if make -s --no-print-directory dkms-src DKMS_SRC="$SRCT/ksrtp-$VER" > "$T/src.log" 2>&1 &&
   grep -q "^PACKAGE_VERSION=\"$VER\"\$" "$SRCT/ksrtp-$VER/dkms.conf" &&
   [ -s "$SRCT/ksrtp-$VER/include/uapi/linux/ksrtp.h" ] &&
   [ "$(ls "$SRCT/ksrtp-$VER/kmod/"*.c | wc -l)" = "$(ls kmod/*.c | wc -l)" ]; then
	ok "dkms-src: sources, UAPI header and dkms.conf (version $VER)"
else
	sed 's/^/# /' "$T/src.log"
	fail "dkms-src: sources, UAPI header and dkms.conf (version $VER)"
	SKIP_WHY="no DKMS source tree"
fi
if [ -z "$SKIP_WHY" ]; then
	mkdir -p "$T/dkms"
	dkms add -m ksrtp -v "$VER" --sourcetree "$SRCT" --dkmstree "$T/dkms" > "$T/add.log" 2>&1 ||
		{ sed 's/^/# /' "$T/add.log"; SKIP_WHY="dkms add failed"; }
fi

# dkms for kernel $1, the rest its arguments: the host's, or the build root's
# with the temporary directory bound into it.
in_root() { scripts/kroot.sh --has "$1"; }
run_dkms() {
	local k=$1
	shift
	if in_root "$k"; then
		scripts/kroot.sh --bind "$T" -- dkms "$@"
	else
		dkms "$@"
	fi
}
# The private DKMS tree for kernel $1, added on first use (the root's dkms
# is a newer version: it gets a tree of its own).
dkms_tree() {
	local k=$1 tree=$T/dkms
	in_root "$k" && tree=$T/dkms-root
	if [ ! -d "$tree" ]; then
		mkdir -p "$tree"
		run_dkms "$k" add -m ksrtp -v "$VER" --sourcetree "$SRCT" --dkmstree "$tree" \
			> "$T/add-$(basename "$tree").log" 2>&1 ||
			{ sed 's/^/# /' "$T/add-$(basename "$tree").log" >&2; rm -rf "$tree"; return 1; }
	fi
	echo "$tree"
}

for k in "$@"; do
	if [ -n "$SKIP_WHY" ]; then
		skip "dkms build for $k"
		skip "the DKMS module for $k: vermagic, version, srcversion"
		continue
	fi
	if ! tree=$(dkms_tree "$k" 2>&1); then
		echo "$tree"
		fail "dkms build for $k (dkms add failed)"
		skip "the DKMS module for $k: vermagic, version, srcversion"
		continue
	fi
	if run_dkms "$k" build -m ksrtp -v "$VER" -k "$k" --sourcetree "$SRCT" --dkmstree "$tree" \
		> "$T/build-$k.log" 2>&1; then
		ok "dkms build for $k"
	else
		tail -n 30 "$T/build-$k.log" | sed 's/^/# /'
		find "$tree" -name make.log -exec tail -n 30 {} \; | sed 's/^/# /'
		fail "dkms build for $k"
		skip "the DKMS module for $k: vermagic, version, srcversion"
		continue
	fi
	ko=$(find "$tree/ksrtp/$VER/$k" -name 'ksrtp.ko*' | head -n1)
	case $ko in
	*.xz) xz -dc "$ko" > "$T/ksrtp.ko" ;;
	*.zst) zstd -qdc "$ko" > "$T/ksrtp.ko" ;;
	*.gz) gzip -dc "$ko" > "$T/ksrtp.ko" ;;
	'') echo "# no ksrtp.ko in the DKMS tree" ;;
	*) cp "$ko" "$T/ksrtp.ko" ;;
	esac
	vm=$(modinfo -F vermagic "$T/ksrtp.ko" 2>&1)
	v=$(modinfo -F version "$T/ksrtp.ko" 2>&1)
	sv=$(modinfo -F srcversion "$T/ksrtp.ko" 2>&1)
	echo "# $k: vermagic '$vm', version '$v', srcversion $sv"
	good=1
	case $vm in "$k "*) ;; *) good=; echo "# vermagic is not $k's" ;; esac
	[ "$v" = "$VER" ] || { good=; echo "# version '$v', expected '$VER'"; }
	# the module `make` builds from the same sources has the same srcversion
	if make -s --no-print-directory module KVER="$k" > "$T/make-$k.log" 2>&1; then
		msv=$(modinfo -F srcversion "build/mod/$k/ksrtp.ko")
		[ "$sv" = "$msv" ] || { good=; echo "# srcversion $sv, make's module has $msv"; }
	else
		good=
		sed 's/^/# /' "$T/make-$k.log"
	fi
	if [ -n "$good" ]; then
		ok "the DKMS module for $k: vermagic, version, srcversion"
	else
		fail "the DKMS module for $k: vermagic, version, srcversion"
	fi
done
exit $rc
