/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ICE-lite half of STUN (RFC 8489, RFC 8445 §7.3): check a Binding
 * request's USERNAME, MESSAGE-INTEGRITY (HMAC-SHA1, OpenSSL) and
 * FINGERPRINT (CRC-32, zlib), and build the success response with
 * XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT. IPv4 only, which is
 * what selftests/webrtc.sh uses. Fuzzed by tests/native/fuzz_stun_lite.c.
 */
#ifndef KSRTP_STUN_LITE_H
#define KSRTP_STUN_LITE_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define STUN_HDR		20
#define STUN_MAX		548	/* what we accept and build */

enum stun_verdict {
	STUN_OK,		/* an authentic Binding request for us */
	STUN_NOT_STUN,		/* no STUN header or magic cookie */
	STUN_NOT_REQUEST,	/* not a Binding request (indication, response, ...) */
	STUN_MALFORMED,		/* attribute lengths past the end, bad FINGERPRINT */
	STUN_BAD_USER,		/* USERNAME missing or not "our ufrag:..." */
	STUN_BAD_INTEGRITY,	/* MESSAGE-INTEGRITY missing or wrong */
};

const char *stun_verdict_name(enum stun_verdict v);

/* Check a datagram against our ufrag and pwd. */
enum stun_verdict stun_check_request(const uint8_t *msg, size_t len,
				     const char *ufrag, const char *pwd);

/* The success response to the (checked) request req for a request from
 * src, in out (STUN_MAX bytes): its length, or 0 on error.
 */
size_t stun_build_response(const uint8_t *req, const struct sockaddr_in *src,
			   const char *pwd, uint8_t *out);

#endif /* KSRTP_STUN_LITE_H */
