# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd, its client library and ksrtp-keydctl; included by the top
# Makefile after its `user` rule. Also the keyd selftest helper keyd_app.

KEYD_DIR := $(SRC)/userspace-keyd
# Listed, not globbed: a method is added here with its file. The DTLS
# method's engine (dtls*.c, fingerprint.c) comes as objects from dtls.mk,
# -included before this file: $(KEYD_DTLS_OBJS), $(KEYD_DTLS_LIBS).
KEYD_MODULES := main log config control authz proto proto_lines session session_status session_load state kernel kernel_parse notify bridge \
		suites b64 sdes sdes_method sdes_keys sdes_sdp sdes_persist \
		dtls_method dtls_link dtls_keys dtls_handshake dtls_sdp dtls_persist \
		dtls_identity dtls_slots harden metrics metrics_kernel metrics_http \
		session_methods mikey_method mikey_ctx mikey_msg mikey_payload mikey_kdf mikey_psk mikey_sp \
		mikey_replay mikey_pskfile mikey_exch mikey_dh mikey_dhhmac mikey_replay_file \
		mikey_pki mikey_sign mikey_pk mikey_modes \
		zrtp_method zrtp_stream zrtp_engine zrtp_msg zrtp_crypto zrtp_ka zrtp_keys zrtp_secrets zrtp_cache \
		zrtp_multistream zrtp_preshared zrtp_negotiate zrtp_ancillary zrtp_words
# the methods' files after the first share its header (sdes_method.h, dtls_method.h,
# mikey_method.h, mikey_psk.h)
KEYD_NOHDR := main proto_lines session_status sdes_keys sdes_sdp sdes_persist dtls_link dtls_keys dtls_handshake dtls_sdp \
	      dtls_persist session_load metrics_kernel session_methods mikey_ctx mikey_payload \
	      mikey_sp mikey_replay mikey_replay_file mikey_sign zrtp_stream \
	      zrtp_multistream zrtp_preshared zrtp_negotiate zrtp_ancillary
KEYD_SRCS := $(patsubst %,$(KEYD_DIR)/keyd/%.c,$(KEYD_MODULES)) $(KEYD_DIR)/knl.c \
	     $(KEYD_DIR)/knl-names.c
KEYD_HDRS := $(patsubst %,$(KEYD_DIR)/keyd/%.h,$(filter-out $(KEYD_NOHDR),$(KEYD_MODULES))) \
	     $(KEYD_DIR)/keyd/mikey_wire.h $(KEYD_DIR)/keyd/zrtp_engine_int.h \
	     $(KEYD_DIR)/keyd/keyd.h $(KEYD_DIR)/keyd/method.h $(KEYD_DIR)/knl.h $(UAPI) \
	     $(KEYD_DTLS_HDRS)
KEYD_CFLAGS = $(USER_CFLAGS) -I$(KEYD_DIR)/keyd $(NL_CFLAGS) $(JSON_CFLAGS) \
	      $(shell pkg-config --cflags libcrypto libmicrohttpd) $(KEYD_DTLS_CFLAGS)
KEYD_LIBS = $(NL_LIBS) $(JSON_LIBS) $(KEYD_DTLS_LIBS) $(shell pkg-config --libs libcrypto libmicrohttpd)
KDC_SRCS := $(KEYD_DIR)/libksrtpkeyd.c
KDC_HDRS := $(KEYD_DIR)/libksrtpkeyd.h
# The client library, shared: soname libksrtpkeyd.so.0, only the public API
# exported (libksrtpkeyd.map, one version node per ABI). The tests' own
# helpers (keyd_app) compile its source in, as before.
KDC_SONAME := libksrtpkeyd.so.0
KDC_LIB_DIR := $(BUILDDIR)/lib
KDC_SO := $(KDC_LIB_DIR)/libksrtpkeyd.so.$(KSRTP_VER)
KDC_SO_LINK := $(KDC_LIB_DIR)/libksrtpkeyd.so
KDC_PC := $(KDC_LIB_DIR)/ksrtpkeyd.pc

user: $(BIN)/ksrtp-keyd $(BIN)/ksrtp-keydctl lib
.PHONY: lib
lib: $(KDC_SO_LINK) $(KDC_PC)

$(KDC_SO): $(KDC_SRCS) $(KDC_HDRS) $(KEYD_DIR)/libksrtpkeyd.map
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(JSON_CFLAGS) -fPIC -shared -Wl,-soname,$(KDC_SONAME) \
		-Wl,--version-script,$(KEYD_DIR)/libksrtpkeyd.map -Wl,--no-undefined \
		-o $@ $(KDC_SRCS) $(JSON_LIBS) $(PKG_LDFLAGS)

$(KDC_SO_LINK): $(KDC_SO)
	ln -sf $(notdir $<) $(KDC_LIB_DIR)/$(KDC_SONAME)
	ln -sf $(KDC_SONAME) $@

$(KDC_PC): $(KEYD_DIR)/ksrtpkeyd.pc.in $(SRC)/kmod/main.h
	@mkdir -p $(@D)
	sed -e 's,@VERSION@,$(KSRTP_VER),' -e 's,@LIBDIR@,$(LIBDIR),' \
	    -e 's,@INCLUDEDIR@,$(INCLUDEDIR),' $< > $@
selftests: $(BIN)/keyd_app

$(BIN)/ksrtp-keyd: $(KEYD_SRCS) $(KEYD_HDRS) $(KEYD_DTLS_OBJS) $(VERSION_H) | $(BIN)
	$(CC) $(KEYD_CFLAGS) -o $@ $(filter %.c,$^) $(KEYD_DTLS_OBJS) $(KEYD_LIBS) $(PKG_LDFLAGS)

# ksrtp-keydctl compiles the client library in, so build/bin runs from the
# tree; KEYDCTL_SHARED=yes (debian/rules) links the shared library instead.
ifeq ($(KEYDCTL_SHARED),yes)
$(BIN)/ksrtp-keydctl: $(KEYD_DIR)/ksrtp-keydctl.c $(KDC_HDRS) $(KDC_SO_LINK) $(VERSION_H) | $(BIN)
	$(CC) $(USER_CFLAGS) $(JSON_CFLAGS) -o $@ $< -L$(KDC_LIB_DIR) -lksrtpkeyd $(JSON_LIBS) \
		$(PKG_LDFLAGS)
else
$(BIN)/ksrtp-keydctl: $(KEYD_DIR)/ksrtp-keydctl.c $(KDC_SRCS) $(KDC_HDRS) $(VERSION_H) | $(BIN)
	$(CC) $(USER_CFLAGS) $(JSON_CFLAGS) -o $@ $(filter %.c,$^) $(JSON_LIBS) $(PKG_LDFLAGS)
endif

$(BIN)/keyd_app: $(SRC)/selftests/keyd_app.c $(SRC)/selftests/inet_addr.h $(SRC)/selftests/kdc_app.h $(KDC_SRCS) $(KDC_HDRS) | $(BIN)
	$(CC) $(USER_CFLAGS) $(JSON_CFLAGS) -o $@ $(filter %.c,$^) $(JSON_LIBS)

# The media server of selftests/webrtc.sh (headless Chromium calls it):
# ICE-lite STUN (stun_lite.c: OpenSSL's HMAC, zlib's CRC-32) on the socket
# keyd runs DTLS-SRTP on.
selftests: $(BIN)/webrtc_app
$(BIN)/webrtc_app: $(SRC)/selftests/webrtc_app.c $(SRC)/selftests/stun_lite.c \
		   $(SRC)/selftests/stun_lite.h $(SRC)/selftests/inet_addr.h $(SRC)/selftests/kdc_app.h \
		   $(KDC_SRCS) $(KDC_HDRS) | $(BIN)
	$(CC) $(USER_CFLAGS) $(JSON_CFLAGS) -o $@ $(filter %.c,$^) $(JSON_LIBS) \
		$(shell pkg-config --libs libcrypto zlib)

# keyd with ASan and UBSan, DTLS engine included: keyd_metrics.sh runs it
# in the VM (its reports fail the test). At -O1 gcc's truncation analysis
# flags snprintf()s that truncate on purpose (bounded log/reason texts).
selftests: $(BIN)/ksrtp-keyd-asan
KEYD_SAN_CFLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer -Wno-format-truncation
$(BIN)/ksrtp-keyd-asan: $(KEYD_SRCS) $(KEYD_HDRS) $(KEYD_DTLS_SRCS) | $(BIN)
	$(CC) $(KEYD_CFLAGS) $(KEYD_SAN_CFLAGS) -o $@ $(filter %.c,$^) $(KEYD_LIBS)

# An SDES answerer on libsrtp2 and OpenSSL only: the independent peer the
# keyd selftest checks key direction and key/salt layout against.
selftests: $(BIN)/keyd_srtp_peer
$(BIN)/keyd_srtp_peer: $(SRC)/selftests/keyd_srtp_peer.c $(SRC)/selftests/inet_addr.h | $(BIN)
	$(CC) $(USER_CFLAGS) $(JSON_CFLAGS) -o $@ $< $(JSON_LIBS) \
		$(shell pkg-config --libs libsrtp2 libcrypto)

# A ZRTP endpoint on Belledonne's bzrtp (GPL-3.0+, a test peer only, never
# linked into keyd): the independent peer of the keyd ZRTP selftest.
selftests: $(BIN)/keyd_zrtp_peer
$(BIN)/keyd_zrtp_peer: $(SRC)/selftests/keyd_zrtp_peer.c $(SRC)/selftests/inet_addr.h | $(BIN)
	$(CC) $(USER_CFLAGS) -o $@ $< $(shell pkg-config --cflags --libs libbzrtp bctoolbox sqlite3)

# `make install` installs the module and ksrtpctl; this adds keyd and the
# client library. The unit's paths follow PREFIX and DOCDIR.
.PHONY: install-keyd install-lib
install-keyd: $(BIN)/ksrtp-keyd $(BIN)/ksrtp-keydctl
	install -D -m 0755 $(BIN)/ksrtp-keyd $(DESTDIR)$(PREFIX)/sbin/ksrtp-keyd
	install -D -m 0755 $(BIN)/ksrtp-keydctl $(DESTDIR)$(PREFIX)/bin/ksrtp-keydctl
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's,/usr/local/sbin/,$(PREFIX)/sbin/,' \
	    -e 's,/usr/local/share/doc/ksrtp/,$(DOCDIR)/,' \
		$(KEYD_DIR)/ksrtp-keyd.service > $(DESTDIR)$(SYSTEMDUNITDIR)/ksrtp-keyd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/ksrtp-keyd.service
	install -D -m 0644 $(KEYD_DIR)/modules-load.conf $(DESTDIR)$(MODULESLOADDIR)/ksrtp.conf
	test -e $(DESTDIR)/etc/ksrtp/keyd.conf || \
		install -D -m 0640 $(KEYD_DIR)/ksrtp-keyd.conf $(DESTDIR)/etc/ksrtp/keyd.conf
	install -D -m 0644 $(SRC)/Documentation/keyd-control.md $(DESTDIR)$(DOCDIR)/keyd-control.md

install-lib: lib
	install -D -m 0644 $(KDC_SO) $(DESTDIR)$(LIBDIR)/$(notdir $(KDC_SO))
	ln -sf $(notdir $(KDC_SO)) $(DESTDIR)$(LIBDIR)/$(KDC_SONAME)
	ln -sf $(KDC_SONAME) $(DESTDIR)$(LIBDIR)/libksrtpkeyd.so
	install -D -m 0644 $(KDC_PC) $(DESTDIR)$(LIBDIR)/pkgconfig/ksrtpkeyd.pc
	install -D -m 0644 $(KDC_HDRS) $(DESTDIR)$(INCLUDEDIR)/ksrtp/libksrtpkeyd.h
