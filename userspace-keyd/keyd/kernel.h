/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keyd's calls into the ksrtp generic netlink family (over knl.[ch]), and
 * its subscription to the family's events. Every function returns 0 or a
 * negative errno; kn_err() then holds the kernel's extack message, if any.
 */
#ifndef KEYD_KERNEL_H
#define KEYD_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/ksrtp.h>

#include "knl.h"

struct kn_upcall;

struct kernel {
	struct knl req;			/* requests and their replies */
	struct knl ev;			/* the "events" multicast group */
	struct knl up;			/* attaches upcall sockets; gets their upcalls */
	struct kn_upcall *upq;		/* upcalls read while waiting for a reply */
	struct kn_upcall **upq_tail;
	uint32_t version, features, suites;
	char module_version[64];
};

/* One master key: key || salt as the suite cuts it. Never logged. */
struct kn_key {
	uint32_t id;
	const uint8_t *key;
	uint8_t key_len;
	const uint8_t *salt;
	uint8_t salt_len;
	uint64_t mki;
	uint8_t mki_len;		/* 0: no MKI */
};

/* Names a context: an any-SSRC template, or one SSRC's (has_ssrc). */
struct kn_ctx {
	uint64_t cookie;
	uint32_t dir;			/* KSRTP_DIR_RX / _TX */
	bool has_ssrc;			/* false: the any-SSRC template */
	uint32_t ssrc;
	bool has_remote;
	struct sockaddr_storage remote;
};

struct kn_ctx_params {
	uint32_t suite;
	uint32_t flags;			/* KSRTP_CTX_FLAGS_* */
	uint32_t window;		/* 0: the module default */
	uint64_t soft_limit;		/* 0: none */
	uint32_t roc;			/* initial ROC of an explicit-SSRC context */
	uint32_t kdr;			/* key derivation rate, 0: none */
};

struct kn_sock_info {
	uint64_t cookie;
	uint32_t family;
	uint16_t local_port;
	uint32_t n_ctx;
	uint64_t stats[KSRTP_A_SOCK_STATS_MAX + 1];	/* by attribute */
};

struct kn_key_info {
	uint32_t id;
	uint8_t mki[KSRTP_MAX_MKI_LEN];
	uint8_t mki_len;
	bool active;
	uint64_t srtp_packets, srtcp_packets;
};

struct kn_ctx_info {
	uint64_t cookie;
	uint32_t dir;
	bool any;
	uint32_t ssrc;
	uint32_t origin;
	uint32_t suite, flags, window, roc;
	uint64_t soft_limit;
	bool has_remote;
	struct sockaddr_storage remote;
	unsigned int nkeys;
	struct kn_key_info keys[KSRTP_MAX_KEYS];
	uint64_t stats[KSRTP_A_CTX_STATS_MAX + 1];	/* by attribute */
};

/* A forward (fwd-add): what authenticates on rx_cookie is re-protected and
 * sent from tx_cookie to remote (kernel.h's kn_fwd_*).
 */
struct kn_fwd {
	uint64_t rx_cookie, tx_cookie;
	bool ssrc_any;			/* every stream; else ssrc (-> ssrc_out) */
	uint32_t ssrc, ssrc_out;
	struct sockaddr_storage remote;
	uint32_t flags;			/* KSRTP_FWD_FLAGS_* */
	uint32_t idle_timeout_ms;	/* 0: no fwd-idle-ntf */
};

struct kn_fwd_info {
	uint32_t id;
	uint64_t rx_cookie, tx_cookie;
	bool ssrc_any;
	uint32_t ssrc;
	uint64_t stats[KSRTP_A_FWD_STATS_MAX + 1];	/* by attribute */
};

enum kn_event_type { KN_EV_DETACH, KN_EV_LIMIT, KN_EV_LEARNED, KN_EV_OVERRUN, KN_EV_UPCALL,
		     KN_EV_FWD_IDLE };

struct kn_event {
	enum kn_event_type type;
	uint64_t cookie;
	uint32_t reason;		/* DETACH: enum ksrtp_detach_reason */
	uint32_t dir, ssrc, key_id, limit;	/* LIMIT, LEARNED */
	uint32_t fwd_id;		/* FWD_IDLE (cookie: its RX socket) */
	bool any;
	struct sockaddr_storage remote;	/* LEARNED, UPCALL: where the packet came from */
	const uint8_t *data;		/* UPCALL: the datagram (valid during the callback) */
	size_t len;
};

typedef void (*kn_event_cb)(const struct kn_event *ev, void *arg);

/* Connect both sockets, subscribe to events, read info-get. */
int kn_open(struct kernel *k);
void kn_close(struct kernel *k);
const char *kn_err(struct kernel *k);

int kn_attach(struct kernel *k, int fd, uint64_t *cookie);
/* Attach with upcall flags (KSRTP_UPCALL_*): those datagrams come to kn_upcall_fd(). */
int kn_attach_upcall(struct kernel *k, int fd, uint32_t upcall, uint64_t *cookie);
/* Make keyd's upcall socket the one a socket's upcalls go to (a socket a
 * previous keyd attached), with these flags. -EOPNOTSUPP: the module has
 * no sock-set (KSRTP_FEATURE_SOCK_SET).
 */
int kn_take_upcalls(struct kernel *k, uint64_t cookie, uint32_t upcall);
int kn_detach(struct kernel *k, uint64_t cookie);
/* Send a keying datagram (DTLS, ZRTP, STUN) from an attached socket. */
int kn_sock_send(struct kernel *k, uint64_t cookie, const struct sockaddr_storage *to,
		 const uint8_t *data, size_t len);
int kn_sock_get(struct kernel *k, uint64_t cookie, struct kn_sock_info *out);
/* Every attached socket of keyd's network namespace; *out is malloc'd. */
int kn_sock_dump(struct kernel *k, struct kn_sock_info **out, size_t *n);

int kn_ctx_new(struct kernel *k, const struct kn_ctx *c,
	       const struct kn_ctx_params *p, const struct kn_key *key);
int kn_ctx_del(struct kernel *k, const struct kn_ctx *c);
int kn_key_add(struct kernel *k, const struct kn_ctx *c, const struct kn_key *key);
int kn_key_swap(struct kernel *k, const struct kn_ctx *c, uint32_t id);
int kn_key_del(struct kernel *k, const struct kn_ctx *c, uint32_t id);
/* Every context of a socket (templates and what they learned); malloc'd. */
int kn_ctx_dump(struct kernel *k, uint64_t cookie, struct kn_ctx_info **out, size_t *n);

/* Forwards (KSRTP_FEATURE_FWD); kn_fwd_get: -ENOENT if it is gone. */
int kn_fwd_add(struct kernel *k, const struct kn_fwd *f, uint32_t *id);
int kn_fwd_del(struct kernel *k, uint32_t id);
int kn_fwd_get(struct kernel *k, uint32_t id, struct kn_fwd_info *out);

/* Poll this fd for POLLIN, then call kn_events_read. */
int kn_events_fd(struct kernel *k);
/* Deliver every queued event; an overrun is reported as KN_EV_OVERRUN. */
void kn_events_read(struct kernel *k, kn_event_cb cb, void *arg);

/* Poll this fd for POLLIN, then call kn_upcalls_read; KN_EV_UPCALL events.
 * kn_upcalls_pending(): some were queued already (poll with timeout 0).
 */
int kn_upcall_fd(struct kernel *k);
bool kn_upcalls_pending(struct kernel *k);
void kn_upcalls_read(struct kernel *k, kn_event_cb cb, void *arg);

/* Names for logs and status. */
const char *kn_dir_name(uint32_t dir);
const char *kn_origin_name(uint32_t origin);

#endif /* KEYD_KERNEL_H */
