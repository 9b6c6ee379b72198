#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel `make check-debug` runs on: Debian's linux-source-6.12
# with tests/debug/kernel.config (KASAN, lockdep, kmemleak, UBSAN, ...) over
# x86_64_defconfig and kvm_guest.config. Built once into a cache outside the
# clone, rebuilt only when the source package's version or the config
# changes. Prints the kernel release on its last line; /lib/modules/<release>
# then leads into the cache (build tree, modules, vmlinuz), so `make module
# KVER=<release>` and `scripts/vm.sh --kver <release>` use it like any
# installed kernel.
#
#   scripts/debug-kernel.sh [--print]	(--print: the release if built, else fail)
#
# KSRTP_DEBUG_CACHE overrides the cache (/var/lib/ksrtp-deps/debug-kernel).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${KSRTP_DEBUG_CACHE:-/var/lib/ksrtp-deps/debug-kernel}
TAR=/usr/src/linux-source-6.12.tar.xz
FRAG=$SRC/tests/debug/kernel.config

die() { echo "debug-kernel: $*" >&2; exit 1; }

[ -r "$TAR" ] || die "$TAR missing (scripts/deps.sh --debug installs linux-source-6.12)"
srcver=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null) ||
	die "linux-source-6.12 is not installed"
# what decides the kernel: the source, the fragment, the base configs
hash=$(printf '%s\n' "$srcver" | cat - "$FRAG" | sha256sum | cut -c1-12)
DIR=$CACHE/$srcver-$hash

link() {	# /lib/modules/<release> leads into the cache
	local rel=$1
	ln -sfn "$DIR/mods/lib/modules/$rel" "/lib/modules/$rel"
	echo "$rel"
}

if [ -e "$DIR/release" ]; then
	link "$(cat "$DIR/release")"
	exit 0
fi
[ "${1:-}" = --print ] && die "not built yet (scripts/debug-kernel.sh)"

B=$DIR/build
K=(make -C "$DIR/src" O="$B" -j"$(nproc)")

# Unpack and configure afresh; every line of the fragment must survive
# olddefconfig's dependency resolution.
configure() {
	local line want opt missing=0

	rm -rf "$DIR"
	mkdir -p "$DIR"
	echo "debug-kernel: unpacking $TAR ($srcver)" >&2
	tar -xf "$TAR" -C "$DIR"
	mv "$DIR/linux-source-6.12" "$DIR/src"
	"${K[@]}" -s x86_64_defconfig
	"$DIR/src/scripts/kconfig/merge_config.sh" -m -O "$B" "$B/.config" \
		"$DIR/src/kernel/configs/kvm_guest.config" "$FRAG" > "$DIR/merge.log"
	"${K[@]}" -s olddefconfig
	while read -r line; do
		case $line in
		CONFIG_*=*) want=$line ;;
		"# CONFIG_"*" is not set") want=$line ;;
		*) continue ;;
		esac
		if [[ $want == "# "* ]]; then
			opt=${want#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$B/.config" &&
				{ echo "debug-kernel: $opt still set" >&2; missing=1; }
		else
			grep -qxF "$want" "$B/.config" ||
				{ echo "debug-kernel: $want did not stick" >&2; missing=1; }
		fi
	done < "$FRAG"
	[ $missing = 0 ] || die "the config fragment does not apply to $srcver"
	touch "$DIR/configured"
}

start=$(date +%s)
# An interrupted build of the same source and config resumes where it was.
if [ -e "$DIR/configured" ]; then
	echo "debug-kernel: resuming the build in $DIR" >&2
else
	configure
fi

echo "debug-kernel: building (log: $DIR/build.log)" >&2
"${K[@]}" bzImage modules >> "$DIR/build.log" 2>&1 ||
	{ tail -n 30 "$DIR/build.log" >&2; die "kernel build failed"; }
"${K[@]}" -s INSTALL_MOD_PATH="$DIR/mods" INSTALL_MOD_STRIP=1 modules_install \
	>> "$DIR/build.log" 2>&1 || die "modules_install failed"
rel=$("${K[@]}" -s kernelrelease)
ln -sfn "$B" "$DIR/mods/lib/modules/$rel/build"
cp "$B/arch/x86/boot/bzImage" "$DIR/mods/lib/modules/$rel/vmlinuz"
echo "$(( $(date +%s) - start ))" >> "$DIR/build-seconds"	# one line per run
echo "$rel" > "$DIR/release"
echo "debug-kernel: $rel built in $(cat "$DIR/build-seconds") s" >&2
link "$rel"
