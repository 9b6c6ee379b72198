# SPDX-License-Identifier: GPL-2.0
#
# The DTLS-SRTP engine of ksrtp-keyd (keyd/dtls*.c, keyd/fingerprint.c),
# -included from the top Makefile. Uses $(SRC), $(CC), $(USER_CFLAGS) and
# the build directory; keyd's link rule adds $(KEYD_DTLS_OBJS) and
# $(KEYD_DTLS_LIBS):
#
#   $(BIN)/ksrtp-keyd: ... $(KEYD_DTLS_OBJS)
#	$(CC) ... $(KEYD_DTLS_OBJS) $(KEYD_DTLS_LIBS)
#
#   make keyd-dtls      compile the engine objects
#   make dtls-test      tests/dtls/run.sh (unit, openssl interop, fuzzers)

KEYD_DTLS_DIR    := $(SRC)/userspace-keyd/keyd
# Listed, not globbed: dtls_method.c, dtls_identity.c, dtls_slots.c are keyd's.
KEYD_DTLS_MODULES := dtls dtls_engine dtls_cert dtls_bio dtls_record dtls_callbacks \
		     fingerprint
KEYD_DTLS_SRCS   := $(patsubst %,$(KEYD_DTLS_DIR)/%.c,$(KEYD_DTLS_MODULES))
KEYD_DTLS_HDRS   := $(KEYD_DTLS_DIR)/dtls.h $(KEYD_DTLS_DIR)/dtls_internal.h \
		    $(KEYD_DTLS_DIR)/fingerprint.h
KEYD_DTLS_CFLAGS := $(shell pkg-config --cflags libssl libcrypto)
KEYD_DTLS_LIBS   := $(shell pkg-config --libs libssl libcrypto)
KEYD_DTLS_OBJDIR := $(if $(BUILDDIR),$(BUILDDIR),$(SRC)/build)/keyd-dtls
KEYD_DTLS_OBJS   := $(patsubst %,$(KEYD_DTLS_OBJDIR)/%.o,$(KEYD_DTLS_MODULES))

$(KEYD_DTLS_OBJS): $(KEYD_DTLS_OBJDIR)/%.o: $(KEYD_DTLS_DIR)/%.c $(KEYD_DTLS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KEYD_DTLS_CFLAGS) -c -o $@ $<

.PHONY: keyd-dtls dtls-test
keyd-dtls: $(KEYD_DTLS_OBJS)

dtls-test:
	$(SRC)/tests/dtls/run.sh
