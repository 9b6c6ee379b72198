# SPDX-License-Identifier: GPL-2.0
#
# What the native test suites' Makefiles share: compilers, sanitizer flags,
# the unit/fuzz/check targets and the lists run.sh asks for. Set before
# including: HERE, BUILD, UNITS, FUZZ, SUITE_CFLAGS (include paths and
# library cflags); optionally TOOLS (built with the units, not run by
# `check`). Each suite adds the rules that build its binaries from
# UNIT_CFLAGS and FUZZ_CFLAGS, with `| $(BUILD)` as an order-only prerequisite.

CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
CLANG   ?= clang

SUITE_COMMON := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -MMD -MP
UNIT_CFLAGS := $(SUITE_COMMON) -fsanitize=address,undefined $(SUITE_CFLAGS)
FUZZ_CFLAGS := $(SUITE_COMMON) -fsanitize=fuzzer,address,undefined $(SUITE_CFLAGS)

UNIT_BINS := $(addprefix $(BUILD)/,$(UNITS))
TOOL_BINS := $(addprefix $(BUILD)/,$(TOOLS))
FUZZ_BINS := $(addprefix $(BUILD)/,$(FUZZ))

.PHONY: all unit fuzz check clean list-units list-fuzz
all: unit fuzz
unit: $(UNIT_BINS) $(TOOL_BINS)
fuzz: $(FUZZ_BINS)

$(BUILD):
	@mkdir -p $@

check: unit
	@rc=0; for t in $(UNIT_BINS); do $$t || rc=1; done; exit $$rc

# for run.sh
list-units:
	@echo $(UNITS)
list-fuzz:
	@echo $(FUZZ)

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/*.d)
