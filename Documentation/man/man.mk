# SPDX-License-Identifier: GPL-2.0
#
# Man pages: one scdoc source each, Documentation/man/<name>.<section>.scd,
# built into $(BUILDDIR)/man/<name>.<section> and installed into
# $(DESTDIR)$(PREFIX)/share/man/man<section>/ (uncompressed: packaging compresses).
# -included from the top Makefile. tests/cli checks them (mandoc lint, and
# that every option and configuration key is documented).
#
#   make man            build the pages
#   make install-man    install them (make install does)

MAN_SRC_DIR := $(SRC)/Documentation/man
MAN_DIR := $(BUILDDIR)/man
MAN_PAGES := $(patsubst $(MAN_SRC_DIR)/%.scd,$(MAN_DIR)/%,$(wildcard $(MAN_SRC_DIR)/*.scd))
SCDOC ?= scdoc

.PHONY: man install-man
man: $(MAN_PAGES)

$(MAN_DIR)/%: $(MAN_SRC_DIR)/%.scd
	@command -v $(SCDOC) > /dev/null || { echo "scdoc missing: run scripts/deps.sh"; exit 1; }
	@mkdir -p $(@D)
	$(SCDOC) < $< > $@.tmp && mv $@.tmp $@

install-man: $(MAN_PAGES)
	@set -e; for p in $(MAN_PAGES); do \
		s=$${p##*.}; \
		install -D -m 0644 $$p $(DESTDIR)$(PREFIX)/share/man/man$$s/$$(basename $$p); \
	done
