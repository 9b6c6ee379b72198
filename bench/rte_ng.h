// SPDX-License-Identifier: GPL-2.0
/*
 * What ksrtp_rte_bench needs of rtpengine: its ng control protocol
 * (bencode over UDP: ping, offer, answer, delete), the SDES bits of SDP
 * (RFC 4568 a=crypto lines, base64 keys) and the kernel module's target
 * list (/proc/rtpengine/<table>/list: stats and SRTP parameters).
 */
#ifndef KSRTP_RTE_NG_H
#define KSRTP_RTE_NG_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define NG_SDP_MAX	8192

struct ng {
	int fd;
	struct sockaddr_in to;
};

int ng_open(struct ng *ng, const char *addr_port);
/* ping until pong or timeout_ms: the daemon may still be starting */
int ng_wait_ready(struct ng *ng, int timeout_ms);
/*
 * offer (to_tag NULL) or answer: sdp in, the daemon's SDP out. flags: one
 * ng flag string, or NULL.
 */
int ng_offer_answer(struct ng *ng, const char *call, const char *to_tag,
		    const char *sdp, const char *flag, char *out, int outlen,
		    char *err, int errlen);
int ng_delete(struct ng *ng, const char *call);

/* The m=audio port of an SDP, or -1. */
int sdp_port(const char *sdp);
/*
 * The first a=crypto line of suite: its tag, and key || salt decoded into
 * key (len bytes expected). 0, or -1 when absent or malformed.
 */
int sdp_crypto(const char *sdp, const char *suite, int *tag, uint8_t *key, int len);
/* base64 of n bytes into out (NUL-terminated) */
void b64_encode(const uint8_t *in, int n, char *out);

/* One kernel target of /proc/rtpengine/<table>/list, by local port. */
struct rte_target {
	bool found, filled;
	uint64_t bytes, packets, errors;
	int tag_len_in, tag_len_out;	/* auth tag length of decrypt / encrypt, -1 none */
	char cipher_in[32], cipher_out[32];
};

int rte_target_get(const char *list_path, int local_port, struct rte_target *t);

#endif
