# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks (issue 4). Included by the top Makefile (-include
# $(SRC)/bench/bench.mk) or given beside it (make -f Makefile -f
# bench/bench.mk bench); uses its SRC, BUILDDIR, BIN, CC, KVER, KDIR,
# CHECK_KVERS, and KRUN/KBUILD_DIR (kernels built in the trixie root).
#
#   make bench [KVER=...] [BENCH_ARGS='--rounds 25 --ms 300']
#                      one VM boot running every contender; the table and
#                      the JSON land in build/bench/results-<kver>.{txt,json}
#   make bench-build   the benchmark programs (ksrtp_bench, ksrtp_relay_bench,
#                      ksrtp_rte_bench), and the raw crypto module for
#                      KVER and every CHECK_KVERS kernel (what the smoke
#                      selftest selftests/bench_smoke.sh uses)

ifndef KSRTP_BENCH_MK
KSRTP_BENCH_MK := 1

BENCH_SRC := $(SRC)/bench
BENCH_MK := $(BENCH_SRC)/bench.mk
BENCH_MODDIR = $(BUILDDIR)/mod/$(KVER)/bench
BENCH_PROG := $(BIN)/ksrtp_bench
RELAY_BENCH_PROG := $(BIN)/ksrtp_relay_bench
BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
		-I$(SRC)/include/uapi -I$(SRC)/selftests
BENCH_LIBS = $(shell pkg-config --libs libsrtp2 libcrypto) -lm

.PHONY: bench bench-build bench-module bench-modules-all

BENCH_SRCS := $(BENCH_SRC)/ksrtp_bench.c $(BENCH_SRC)/ksrtp_bench_mem.c \
	      $(BENCH_SRC)/ksrtp_bench_report.c
$(BENCH_PROG): $(BENCH_SRCS) $(BENCH_SRC)/ksrtp_bench.h $(BENCH_SRC)/fast_srtp.h \
	       $(BENCH_SRC)/bench_util.h $(SRC)/selftests/ksrtp_util.h \
	       $(SRC)/selftests/ksft_nl.h $(SRC)/selftests/srtp_ossl.h \
	       $(SRC)/include/uapi/linux/ksrtp.h
	@mkdir -p $(BIN)
	$(CC) $(BENCH_CFLAGS) -o $@ $(BENCH_SRCS) $(BENCH_LIBS)

# The relay's contenders (issue #14): a second program of the same boot.
RELAY_BENCH_SRCS := $(BENCH_SRC)/ksrtp_relay_bench.c $(BENCH_SRC)/ksrtp_relay_fanout.c \
		    $(BENCH_SRC)/ksrtp_relay_report.c
$(RELAY_BENCH_PROG): $(RELAY_BENCH_SRCS) $(BENCH_SRC)/ksrtp_relay_bench.h $(BENCH_SRC)/fast_srtp.h \
		     $(BENCH_SRC)/bench_util.h $(SRC)/selftests/ksrtp_util.h \
		     $(SRC)/selftests/relay_nl.h $(SRC)/selftests/ksft_nl.h \
		     $(SRC)/selftests/srtp_ossl.h $(SRC)/include/uapi/linux/ksrtp.h
	@mkdir -p $(BIN)
	$(CC) $(BENCH_CFLAGS) -o $@ $(RELAY_BENCH_SRCS) $(BENCH_LIBS)

# ksrtp's relay against rtpengine's kernel forwarding (issue #14): a third
# program of the same boot, and rtpengine's module (xt_RTPENGINE.ko) built
# for KVER from the source in Debian's rtpengine-kernel-dkms package (fetched
# with apt-get download, never installed: no dkms run on the host), cached in
# build/rtpengine/. A kernel it does not build for gets a note instead, and
# the bench prints a skip line for rtpengine.
RTE_BENCH_PROG := $(BIN)/ksrtp_rte_bench
RTE_BENCH_SRCS := $(BENCH_SRC)/ksrtp_rte_bench.c $(BENCH_SRC)/ksrtp_rte_report.c \
		  $(BENCH_SRC)/rte_ng.c
RTE_DIR := $(BUILDDIR)/rtpengine
RTE_MODDIR = $(BUILDDIR)/mod/$(KVER)/rtpengine
$(RTE_BENCH_PROG): $(RTE_BENCH_SRCS) $(BENCH_SRC)/ksrtp_rte_bench.h $(BENCH_SRC)/rte_ng.h \
		   $(BENCH_SRC)/fast_srtp.h $(BENCH_SRC)/bench_util.h \
		   $(SRC)/selftests/ksrtp_util.h $(SRC)/selftests/relay_nl.h \
		   $(SRC)/selftests/ksft_nl.h $(SRC)/selftests/srtp_ossl.h \
		   $(SRC)/include/uapi/linux/ksrtp.h
	@mkdir -p $(BIN)
	$(CC) $(BENCH_CFLAGS) -o $@ $(RTE_BENCH_SRCS) $(BENCH_LIBS)

.PHONY: rte-module
rte-module:
	@$(SRC)/bench/rtpengine_build.sh --kver $(KVER) --cache $(RTE_DIR) \
		--moddir $(RTE_MODDIR) $(if $(KRUN),--krun "$(KRUN)") --kbuild $(KBUILD_DIR)

# The raw crypto module, in a tree of symlinks per kernel like ksrtp.ko's.
bench-module:
	@test -e $(KDIR)/Makefile || { echo "no kernel build tree at $(KDIR)"; exit 1; }
	@mkdir -p $(BENCH_MODDIR)
	@ln -sf $(BENCH_SRC)/Kbuild $(BENCH_SRC)/ksrtp_cryptobench.c $(BENCH_MODDIR)/
	$(KRUN) $(MAKE) -C $(KBUILD_DIR) M=$(BENCH_MODDIR) $(if $(W),W=$(W)) $(if $(C),C=$(C)) modules

bench-modules-all: bench-module
	@set -e; for k in $(filter-out $(KVER),$(CHECK_KVERS)); do \
		$(MAKE) --no-print-directory -f $(SRC)/Makefile -f $(BENCH_MK) \
			bench-module KVER=$$k; done

bench-build: $(BENCH_PROG) $(RELAY_BENCH_PROG) $(RTE_BENCH_PROG) bench-modules-all

# KVER's modules only: the boot runs on KVER alone.
bench: module user selftests $(BENCH_PROG) $(RELAY_BENCH_PROG) $(RTE_BENCH_PROG) bench-module \
       rte-module
	@$(SRC)/scripts/bench.sh --kver $(KVER) $(BENCH_ARGS)

endif
