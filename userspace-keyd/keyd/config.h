/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksrtp-keyd configuration: "key = value" lines, '#' comments. Every key
 * is listed with its default in Documentation/keyd-control.md, in
 * userspace-keyd/ksrtp-keyd.conf and in ksrtp-keyd.conf(5) (tests/cli
 * fails if the man page misses one).
 */
#ifndef KEYD_CONFIG_H
#define KEYD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proto.h"
#include "suites.h"

struct config {
	char socket_path[108];		/* sun_path */
	unsigned int socket_mode;	/* permissions of the control socket */
	char state_dir[256];		/* "": do not persist sessions */
	int log_level;
	bool allow_insecure_signalling;	/* emit/accept keys without TLS/S-MIME */
	bool allow_unauthenticated_srtp;
	const struct suite *suites[SUITE_COUNT];	/* accepted, best first */
	size_t nsuites;
	const struct suite *offer_suites[SUITE_COUNT];	/* listed in offers */
	size_t noffer_suites;
	uint64_t key_lifetime;		/* advertised per key; 0: none */
	unsigned int mki_len;		/* 0: no MKI in our keys */
	unsigned int window;		/* replay window, packets */
	unsigned int wsh;		/* WSH= we advertise; 0: none */
	unsigned int rx_key_grace_ms;	/* old RX keys kept after a peer rekey */
	unsigned int answer_rekey_delay_ms;	/* TX switch after a rekeyed answer */
	enum verify_policy dtls_verify;	/* DTLS keys before the answer's fingerprint */
	unsigned int max_sessions;
	unsigned int max_clients;
	/* who may use keyd, and how (Documentation/keyd-control.md §2A) */
	char socket_group[64];		/* group of the socket and its directory; "": ours */
	char admin_group[64];		/* may see and act on every session; "": root only */
	unsigned int client_idle_timeout;	/* s without a request; 0: never */
	/* DTLS: associations the signalling has not vouched for, the certificate */
	unsigned int dtls_unverified_timeout;	/* s; 0: kept until evicted */
	unsigned int dtls_unverified_per_source;	/* per source IP address */
	unsigned int dtls_cert_lifetime;	/* s; renewed at 2/3 of it */
	unsigned int dtls_cookie_rotate;	/* s between cookie secrets */
	/* MIKEY (Documentation/keyd-mikey.md) */
	char mikey_psk_file[256];	/* "": no MIKEY-PSK */
	char mikey_identity[64];	/* our IDi / IDr; "": no ID payload */
	unsigned int mikey_clock_skew;	/* s either side of now (RFC 3830 §5.4) */
	unsigned int mikey_kdr;		/* the KDR our MIKEY offers state: 0 or 2^16..2^24 */
	unsigned int mikey_dh_group;	/* DHHMAC offers: MIKEY's code of OAKLEY 5 or 2 */
	bool mikey_kemac_kw;		/* PSK, PK offers: KEMAC by AES-KW-128, not AES-CM-128 */
	/* MIKEY's certificate modes (PK, RSA-R, DH-SIGN): all absolute paths */
	char mikey_cert[256];		/* our certificate, then its chain (PEM) */
	char mikey_key[256];		/* its private key (PEM, 0600) */
	char mikey_ca[256];		/* the trust anchors peers' certificates chain to */
	char mikey_peer_certs[256];	/* peers' certificates (PEM), for PK offers */
	bool mikey_sign_pss;		/* sign with RSA-PSS, not PKCS#1 v1.5 */
	/* ZRTP (Documentation/keyd-zrtp.md): preference lists, validated names */
	char zrtp_key_agreements[40];	/* "X255 DH3k ..." */
	char zrtp_hashes[16];		/* "S384 S256" */
	char zrtp_sas_types[16];	/* "B32 B256" */
	/* Prometheus metrics over HTTP (metrics_http.h); off unless set */
	bool metrics;
	struct sockaddr_storage metrics_addr;
};

void config_defaults(struct config *c);

/* Read path over the defaults; 0, or -1 with "path:line: reason" in err. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/* One "key = value" setting (also used by command-line overrides). */
int config_set(struct config *c, const char *key, const char *value,
	       char *err, size_t errlen);

#endif /* KEYD_CONFIG_H */
