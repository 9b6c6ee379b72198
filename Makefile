# SPDX-License-Identifier: GPL-2.0
#
# ksrtp top-level Makefile.
#
#   make                    module for KVER (default: newest kernel with headers),
#                           ksrtpctl, selftests
#   make KVER=6.1.0-50-amd64  pick a kernel (or KDIR=/path/to/build)
#   make check              native tests, then VM selftests on 6.1, 6.12 and 7.x
#   make check HOST=1       the same selftests directly on this host
#   make demo               boot a VM, load ksrtp, show it working
#   make vm CMD='...'       run CMD as root in a VM with ksrtp loaded
#   make lint               W=1, sparse and checkpatch --strict; fails on findings
#   make bench [KVER=...]   benchmarks: every contender in one VM boot
#   make install            module, ksrtpctl, ksrtp-keyd (+ unit, config, man pages), libksrtpkeyd
#                           (WITH_MODULE=no: all but the module)
#   make man                man pages into build/man (scdoc)
#   make deb                Debian packages into build/deb (dpkg-buildpackage)
#   make dkms-install       the module under DKMS: rebuilt for every new kernel

SRC := $(CURDIR)
BUILDDIR := $(SRC)/build
# The one version: kmod/main.h's KSRTP_VERSION, for the module, DKMS, the
# library, the packages and every program's --version (passed as
# -DKSRTP_VERSION; VERSION_H is a prerequisite of each program so a new
# version rebuilds them).
VERSION_H := $(SRC)/kmod/main.h
KSRTP_VER := $(shell sed -n 's/^\#define KSRTP_VERSION "\(.*\)"/\1/p' $(VERSION_H))

# Kernel selection: KDIR wins, then KVER, then the newest /lib/modules/*/build.
# (The debug kernel of `make check-debug` is never picked by default.)
ALL_KVERS := $(filter-out %-ksrtp-debug,$(shell ls -d /lib/modules/*/build/Makefile \
		 2>/dev/null | sed 's,/lib/modules/\([^/]*\)/build/Makefile,\1,' | sort -V))
ifneq ($(KDIR),)
KVER ?= $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)
endif
KVER ?= $(lastword $(ALL_KVERS))
KDIR ?= /lib/modules/$(KVER)/build
# The kernels `make check` tests: the newest 6.1, 6.12 and 7.x.
CHECK_KVERS ?= $(lastword $(filter 6.1.%,$(ALL_KVERS))) \
	       $(lastword $(filter 6.12.%,$(ALL_KVERS))) \
	       $(lastword $(filter 7.%,$(ALL_KVERS)))

# Kernels built with a newer toolchain than this host's (Debian's 7.x: gcc 14,
# trixie's libc) live in the trixie build root that scripts/deps.sh makes;
# /lib/modules/<kver>/build leads into it. Their modules are built inside it
# (scripts/kroot.sh: chroot, /proc mounted for objtool, the source and build
# trees bound at their own paths, all in a mount namespace of the build's
# own). KRUN prefixes every kbuild command; it is empty for host kernels.
KROOT_SH := $(SRC)/scripts/kroot.sh
KROOT := $(shell $(KROOT_SH) --path)
KDIR_REAL = $(realpath $(KDIR))
IN_KROOT = $(filter $(KROOT)/%,$(KDIR_REAL))
# KDIR as the root sees it
KBUILD_DIR = $(if $(IN_KROOT),$(patsubst $(KROOT)%,%,$(KDIR_REAL)),$(KDIR))
KRUN = $(if $(IN_KROOT),$(KROOT_SH) --bind $(SRC) --bind $(BUILDDIR) --)

MODDIR = $(BUILDDIR)/mod/$(KVER)
KMOD_SRCS := $(wildcard $(SRC)/kmod/*.c $(SRC)/kmod/*.h) $(SRC)/kmod/Kbuild
UAPI := $(SRC)/include/uapi/linux/ksrtp.h
PY := /usr/bin/python3

CC ?= gcc
# PKG_CFLAGS/PKG_LDFLAGS: the distribution's flags (debian/rules passes
# dpkg-buildflags' hardening there); empty for the tests
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I$(SRC)/include/uapi \
	       -I$(SRC)/userspace-keyd -DKSRTP_VERSION='"$(KSRTP_VER)"' $(PKG_CFLAGS)
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0)
JSON_CFLAGS = $(shell pkg-config --cflags json-c)
JSON_LIBS = $(shell pkg-config --libs json-c)

KSFT_DIR := $(BUILDDIR)/kselftest
TOOLS_DIR := $(BUILDDIR)/tools
LINUX_SRC_TAR := $(firstword $(wildcard /usr/src/linux-source-6.1.tar.*))

BIN := $(BUILDDIR)/bin
SELFTESTS := $(BIN)/ksrtp_genl $(BIN)/ksrtp_genl_fuzz $(BIN)/ksrtp_userns $(BIN)/ksrtp_datapath $(BIN)/ksrtp_kat $(BIN)/ksrtp_kdr $(BIN)/ksrtp_robust $(BIN)/ksrtp_lifetime $(BIN)/ksrtp_flood $(BIN)/ksrtp_regress $(BIN)/ksrtp_rxfuzz $(BIN)/ksrtp_ssrc_flood $(BIN)/ksrtp_teardown $(BIN)/ksrtp_rekey_reorder $(BIN)/ksrtp_relay $(BIN)/rtp_peer
USER_BINS := $(BIN)/ksrtpctl

.PHONY: all module modules-all user selftests deps gen gen-check spec-check ynl lint check \
	check-native check-debug check-vm demo vm install clean help dkms-src dkms-install dkms-remove

all: module user selftests

help:
	@sed -n "3,17p" Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(SRC)/scripts/deps.sh

# ---------------------------------------------------------------- module
# Each kernel gets its own build tree of symlinks so builds never clash.
$(MODDIR)/.tree: $(KMOD_SRCS) $(SRC)/Kbuild
	@mkdir -p $(MODDIR)/kmod
	@ln -sfn $(SRC)/include $(MODDIR)/include
	@ln -sf $(SRC)/Kbuild $(MODDIR)/Kbuild
	@for f in $(SRC)/kmod/*.c $(SRC)/kmod/*.h $(SRC)/kmod/Kbuild; do \
		ln -sf $$f $(MODDIR)/kmod/; done
	@touch $@

module: $(MODDIR)/.tree
	@test -e $(KDIR)/Makefile || { echo "no kernel build tree at $(KDIR)" \
		"(install linux-headers-$(KVER) or run scripts/deps.sh)"; exit 1; }
	$(KRUN) $(MAKE) -C $(KBUILD_DIR) M=$(MODDIR) $(if $(W),W=$(W)) $(if $(C),C=$(C)) $(KBUILD_EXTRA) modules
	@cp $(MODDIR)/kmod/ksrtp.ko $(MODDIR)/ksrtp.ko

modules-all:
	@set -e; for k in $(CHECK_KVERS); do $(MAKE) --no-print-directory module KVER=$$k; done

# ---------------------------------------------------------------- spec
GEN_FILES := $(UAPI) $(SRC)/kmod/netlink-gen.c $(SRC)/kmod/netlink-gen.h \
	$(SRC)/userspace-keyd/knl-names.c
gen:
	$(PY) netlink/ynl-gen.py netlink/ksrtp.yaml --uapi $(UAPI) \
		--kernel-c kmod/netlink-gen.c --kernel-h kmod/netlink-gen.h \
		--user-names userspace-keyd/knl-names.c

gen-check:
	@mkdir -p $(BUILDDIR)/gen
	@$(PY) netlink/ynl-gen.py netlink/ksrtp.yaml --uapi $(BUILDDIR)/gen/ksrtp.h \
		--kernel-c $(BUILDDIR)/gen/netlink-gen.c --kernel-h $(BUILDDIR)/gen/netlink-gen.h \
		--user-names $(BUILDDIR)/gen/knl-names.c
	@diff -u $(UAPI) $(BUILDDIR)/gen/ksrtp.h && \
	 diff -u kmod/netlink-gen.c $(BUILDDIR)/gen/netlink-gen.c && \
	 diff -u kmod/netlink-gen.h $(BUILDDIR)/gen/netlink-gen.h && \
	 diff -u userspace-keyd/knl-names.c $(BUILDDIR)/gen/knl-names.c || \
	 { echo "generated files are stale: run 'make gen'"; exit 1; }

# The kernel's genetlink schemas and ynl CLI, from Debian's linux-source-6.12,
# unpacked under build/ynl in the tree's layout: the spec is validated against
# them (spec-check) and selftests/ynl.sh drives the module with them in the VM.
LINUX_SRC_612_TAR := $(firstword $(wildcard /usr/src/linux-source-6.12.tar.*))
YNL_TREE := $(BUILDDIR)/ynl
YNL_STAMP := $(YNL_TREE)/.stamp
$(YNL_STAMP):
	@test -n "$(LINUX_SRC_612_TAR)" || { echo "linux-source-6.12 missing: run scripts/deps.sh"; exit 1; }
	rm -rf $(YNL_TREE) && mkdir -p $(YNL_TREE)
	tar -xf $(LINUX_SRC_612_TAR) -C $(YNL_TREE) --strip-components=1 --wildcards \
		'linux-source-6.12/Documentation/netlink/genetlink*.yaml' \
		'linux-source-6.12/tools/net/ynl/cli.py' \
		'linux-source-6.12/tools/net/ynl/lib/*.py'
	@touch $@

ynl: $(YNL_STAMP)

spec-check: $(YNL_STAMP)
	@$(PY) netlink/spec-check.py netlink/ksrtp.yaml $(YNL_TREE)

# ---------------------------------------------------------------- userspace
user: $(USER_BINS)

KSRTPCTL_SRCS := $(patsubst %,userspace-keyd/%.c,ksrtpctl ksrtpctl_args ksrtpctl_out \
	ksrtpctl_sock ksrtpctl_fwd ksrtpctl_monitor)
$(BIN)/ksrtpctl: $(KSRTPCTL_SRCS) userspace-keyd/ksrtpctl.h userspace-keyd/knl.c \
		userspace-keyd/knl-names.c userspace-keyd/knl.h \
		userspace-keyd/keyd/b64.c userspace-keyd/keyd/b64.h $(UAPI) $(VERSION_H) | $(BIN)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) $(JSON_CFLAGS) -o $@ $(filter %.c,$^) $(NL_LIBS) $(JSON_LIBS) \
		$(PKG_LDFLAGS)

$(BIN):
	@mkdir -p $@

# kselftest_harness.h comes from Debian's linux-source-6.1, unpacked here.
$(KSFT_DIR)/kselftest_harness.h:
	@test -n "$(LINUX_SRC_TAR)" || { echo "linux-source-6.1 missing: run scripts/deps.sh"; exit 1; }
	@mkdir -p $(KSFT_DIR) $(TOOLS_DIR)
	tar -xf $(LINUX_SRC_TAR) -C $(BUILDDIR) --wildcards --no-anchored \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	cp $(BUILDDIR)/linux-source-6.1/tools/testing/selftests/kselftest*.h $(KSFT_DIR)/
	cp $(BUILDDIR)/linux-source-6.1/scripts/checkpatch.pl \
	   $(BUILDDIR)/linux-source-6.1/scripts/spelling.txt \
	   $(BUILDDIR)/linux-source-6.1/scripts/const_structs.checkpatch $(TOOLS_DIR)/
	rm -rf $(BUILDDIR)/linux-source-6.1

$(TOOLS_DIR)/checkpatch.pl: $(KSFT_DIR)/kselftest_harness.h

selftests: $(SELFTESTS) $(YNL_STAMP)

SELFTEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wno-sign-compare -Wno-unused-parameter \
		   -Werror -I$(KSFT_DIR) \
		   -I$(SRC)/include/uapi -I$(SRC)/selftests -D_GNU_SOURCE
$(BIN)/rtp_peer: selftests/rtp_peer.c | $(BIN)
	$(CC) $(USER_CFLAGS) -o $@ $<

$(BIN)/%: selftests/%.c selftests/ksft_nl.h selftests/ksrtp_util.h selftests/srtp_ossl.h $(UAPI) \
	  $(KSFT_DIR)/kselftest_harness.h | $(BIN)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $< -lpthread $(shell pkg-config --libs libsrtp2 libcrypto)

# the KDR vectors of selftests/kdr_vectors.py
$(BIN)/ksrtp_kat: selftests/kdr_vectors.h

# the relay test's netlink helpers
$(BIN)/ksrtp_relay: selftests/relay_nl.h

# liburing (io_uring sends) for the regression tests only
$(BIN)/ksrtp_regress: selftests/ksrtp_regress.c selftests/ksft_nl.h selftests/ksrtp_util.h \
		      selftests/srtp_ossl.h $(UAPI) $(KSFT_DIR)/kselftest_harness.h | $(BIN)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $< -lpthread $(shell pkg-config --libs libsrtp2 libcrypto liburing)

# ksrtp-keyd, its DTLS-SRTP engine and its client tools have their own fragments.
-include $(SRC)/userspace-keyd/dtls.mk
-include $(SRC)/userspace-keyd/keyd.mk
# Benchmarks (make bench) and the raw kernel crypto module they compare with.
-include $(SRC)/bench/bench.mk
# Man pages (make man; installed by make install).
-include $(SRC)/Documentation/man/man.mk
module: bench-module
selftests: $(BIN)/ksrtp_bench $(BIN)/ksrtp_relay_bench

# ---------------------------------------------------------------- checks
# Kernels whose headers are newer than Debian's sparse (0.6.4 in bookworm and
# trixie): 7.x headers use __typeof_unqual__ and a __builtin_strlen() constant
# under __CHECKER__. They are checked through scripts/sparse-7x.sh, which
# defines both away; KBUILD_CHECKSRC is forced because kbuild's own probe
# (scripts/checker-valid.sh) is missing from Debian's headers packages. Every
# lint build must show sparse running on every source file (its log is never
# silent, even under `make -s`: kbuild prints a CHECK line per file).
LINT_SPARSE_SHIM ?= $(filter 7.%,$(CHECK_KVERS))
lint: gen-check $(TOOLS_DIR)/checkpatch.pl
	@set -e; for k in $(CHECK_KVERS); do \
		echo "== W=1 C=1 build against $$k"; \
		rm -rf $(BUILDDIR)/lint/mod/$$k; \
		case " $(LINT_SPARSE_SHIM) " in \
		*" $$k "*) chk="KBUILD_CHECKSRC=1 CHECK=$(SRC)/scripts/sparse-7x.sh" ;; \
		*) chk= ;; esac; \
		MAKEFLAGS= $(MAKE) --no-print-directory module KVER=$$k BUILDDIR=$(BUILDDIR)/lint \
			W=1 C=1 KBUILD_EXTRA="$$chk" > $(BUILDDIR)/lint-$$k.log 2>&1 \
			|| { cat $(BUILDDIR)/lint-$$k.log; exit 1; }; \
		if grep -E 'warning:|error:|sparse:' $(BUILDDIR)/lint-$$k.log; then \
			echo "lint: findings in the $$k build"; exit 1; fi; \
		n=$$(grep -cE '^  CHECK   (.*/)?kmod/[^/]*\.c$$' $(BUILDDIR)/lint-$$k.log || true); \
		srcs=$$(ls $(SRC)/kmod/*.c | wc -l); \
		if [ "$$n" -ne "$$srcs" ]; then \
			echo "lint: sparse checked $$n of $$srcs files for $$k" \
				"(install sparse: scripts/deps.sh)"; exit 1; fi; \
	done
	@echo "== checkpatch --strict"
	@$(TOOLS_DIR)/checkpatch.pl --strict --no-tree --terse --show-types \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES -f \
		$(filter-out kmod/compat.h,$(wildcard kmod/*.c kmod/*.h)) $(UAPI) \
		bench/ksrtp_cryptobench.c
	@# the compat header is where kernel versions are compared, by design
	@$(TOOLS_DIR)/checkpatch.pl --strict --no-tree --terse --show-types \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f kmod/compat.h
	@echo "lint: clean"

check: deps
	@CHECK_KVERS="$(strip $(CHECK_KVERS))" $(SRC)/scripts/check.sh $(if $(HOST),--host)

check-native:
	@$(SRC)/scripts/check.sh --native-only

# Every selftest on a debug kernel (KASAN, lockdep, kmemleak, UBSAN, ...),
# built once from Debian's linux-source-6.12 (scripts/debug-kernel.sh).
check-debug:
	@$(SRC)/scripts/deps.sh --debug
	@$(SRC)/scripts/check.sh --debug "$$($(SRC)/scripts/debug-kernel.sh | tail -n1)"

# Only KVER's module: a kernel the module does not build for yet must not keep
# the others' VMs from running.
vm: module selftests user
	@$(SRC)/scripts/vm.sh $(if $(filter command line,$(origin KVER)),--kver $(KVER)) -- $(CMD)

demo: deps
	@$(SRC)/scripts/demo.sh

# ---------------------------------------------------------------- dkms
# The module's sources as DKMS wants them: Kbuild, kmod/, the UAPI header and
# dkms.conf with the version filled in, under $(DKMS_SRC).
DKMS_SRC ?= $(DESTDIR)/usr/src/ksrtp-$(KSRTP_VER)

dkms-src:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include/uapi/linux
	install -m 0644 $(SRC)/Kbuild $(DKMS_SRC)/Kbuild
	install -m 0644 $(SRC)/kmod/*.c $(SRC)/kmod/*.h $(SRC)/kmod/Kbuild $(DKMS_SRC)/kmod/
	install -m 0644 $(UAPI) $(DKMS_SRC)/include/uapi/linux/ksrtp.h
	sed 's/@VERSION@/$(KSRTP_VER)/' $(SRC)/dkms.conf > $(DKMS_SRC)/dkms.conf

dkms-install: dkms-src
	dkms status -m ksrtp -v $(KSRTP_VER) | grep -q . || dkms add -m ksrtp -v $(KSRTP_VER)
	dkms install -m ksrtp -v $(KSRTP_VER) $(if $(filter command line,$(origin KVER)),-k $(KVER))

dkms-remove:
	dkms remove -m ksrtp -v $(KSRTP_VER) --all
	rm -rf $(DKMS_SRC)

# ---------------------------------------------------------------- install
# Paths a distribution overrides (debian/rules does): the defaults suit a
# hand install under /usr/local.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DOCDIR ?= $(PREFIX)/share/doc/ksrtp
SYSTEMDUNITDIR ?= /etc/systemd/system
MODULESLOADDIR ?= /etc/modules-load.d
.PHONY: install-module install-user
install: install-user $(if $(filter no,$(WITH_MODULE)),,install-module)

install-module: module
	$(KRUN) $(MAKE) -C $(KBUILD_DIR) M=$(MODDIR) modules_install
	$(KRUN) depmod -a $(KVER)

install-user: user install-keyd install-lib install-man
	install -D -m 0755 $(BIN)/ksrtpctl $(DESTDIR)$(PREFIX)/sbin/ksrtpctl
	install -D -m 0644 $(UAPI) $(DESTDIR)$(INCLUDEDIR)/linux/ksrtp.h

# ---------------------------------------------------------------- packages
# Debian packages (debian/): binary only, unsigned, into build/deb. The
# build runs in a copy of the tree's files (git ls-files: nothing built or
# untracked goes in) so the clone's build/ is never packaged.
DEB_OUT := $(BUILDDIR)/deb
.PHONY: deb deb-version-check
deb: deb-version-check
	rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)/src
	git -C $(SRC) ls-files -z | (cd $(SRC) && xargs -0 cp --parents -t $(DEB_OUT)/src)
	cd $(DEB_OUT)/src && dpkg-buildpackage -us -uc -b
	cd $(DEB_OUT) && lintian --fail-on error --suppress-tags-from-file \
		$(SRC)/debian/lintian-ignore *.changes

# debian/changelog's version is the tree's (kmod/main.h)
deb-version-check:
	@v=$$(dpkg-parsechangelog -l $(SRC)/debian/changelog -S Version); \
	 [ "$$v" = "$(KSRTP_VER)" ] || { echo "debian/changelog says $$v," \
		"kmod/main.h says $(KSRTP_VER): add a changelog entry (dch -v $(KSRTP_VER))"; exit 1; }

clean:
	rm -rf $(BUILDDIR)
