/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who gets a DTLS association slot of a session (at most DTLS_MAX_ASSOCS).
 * Anyone who reaches an offerer's port can complete a handshake with a
 * throwaway certificate; until the signalling vouches for that peer (an
 * answer's fingerprint or address), its association is *unvouched*.
 * Unvouched associations must never keep out a vouched peer or a newer
 * one: the oldest unvouched slot is taken over when none is free, one
 * source address holds at most dtls_unverified_per_source of them, and
 * they expire after dtls_unverified_timeout (dtls_link.c, dtls_handshake.c
 * and dtls_method.c apply the verdicts). Pure functions, for
 * tests/keyd/test_slots.c.
 */
#ifndef KEYD_DTLS_SLOTS_H
#define KEYD_DTLS_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum slot_kind {
	SLOT_FREE,
	SLOT_FAILED,		/* its association failed: contexts gone, reusable */
	SLOT_UNVOUCHED,		/* nobody signalled this peer; may be taken over */
	SLOT_VOUCHED,		/* the signalling named or verified it: kept */
};

struct slot_info {
	enum slot_kind kind;
	uint64_t born;		/* ms: when its association was accepted */
	struct sockaddr_storage peer;
};

/* Same IP address (any port): one host. */
bool slots_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/*
 * The slot for a newcomer from src: unvouched (a ClientHello nobody
 * signalled) if per_source > 0, vouched (an answer naming it) if 0.
 * An unvouched newcomer whose host already holds per_source unvouched
 * slots takes over its host's oldest; otherwise a free slot, a failed
 * one, or the oldest unvouched one. -1 if every slot is vouched. What
 * the slot holds now (v[i].kind) says what must go first.
 */
int slots_pick(const struct slot_info *v, size_t n, const struct sockaddr_storage *src,
	       unsigned int per_source);

/* The oldest unvouched slot accepted at or before `before` (ms); -1 if none. */
int slots_oldest_unvouched(const struct slot_info *v, size_t n, uint64_t before);

#endif /* KEYD_DTLS_SLOTS_H */
