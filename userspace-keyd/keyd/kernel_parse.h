/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the ksrtp module's replies and notifications into keyd's
 * structures. Every attribute's length is checked against its type
 * (knl_parse's policies) before it is read: a malformed message is
 * ignored, never half-used. Separate from kernel.c so that a fuzzer can
 * feed it messages without a kernel (tests/keyd/fuzz_knl.c).
 */
#ifndef KEYD_KERNEL_PARSE_H
#define KEYD_KERNEL_PARSE_H

#include "kernel.h"

struct kn_upcall {
	struct kn_upcall *next;
	uint64_t cookie;
	struct sockaddr_storage remote;
	size_t len;
	uint8_t data[];
};

/* info-get's reply into k (version, features, suites, module_version); 0. */
int kn_parse_info(struct nl_msg *msg, void *k);
/* sock-attach's reply: the cookie; 0 or -1. */
int kn_parse_cookie(struct nl_msg *msg, uint64_t *cookie);
/* A sock-get reply (one socket); 0 or -1. */
int kn_parse_sock(struct nl_msg *msg, struct kn_sock_info *si);
/* A ctx-get dump message (one context); 0 or -1. */
int kn_parse_ctx(struct nl_msg *msg, struct kn_ctx_info *ci);
/* A fwd-get reply (one forward); 0 or -1. */
int kn_parse_fwd(struct nl_msg *msg, struct kn_fwd_info *fi);
/* An event of the "events" group; 0 (ev set) or -1 (not one we use). */
int kn_parse_event(struct nl_msg *msg, struct kn_event *ev);
/* An upcall-ntf: -1 if the message is not one; else 0, with *out a new
 * queue entry (malloc'd), or NULL if the upcall was malformed.
 */
int kn_parse_upcall(struct nl_msg *msg, struct kn_upcall **out);

#endif /* KEYD_KERNEL_PARSE_H */
