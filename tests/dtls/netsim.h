/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory "network" between two DTLS associations for the unit tests:
 * datagrams queue per direction and can be dropped, duplicated, reordered,
 * captured, or replaced by garbage. Timers are real (short retransmission
 * timeouts keep the tests fast).
 */
#ifndef KSRTP_DTLS_NETSIM_H
#define KSRTP_DTLS_NETSIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyd/dtls.h"

#define SIM_QMAX	512
#define SIM_LOGMAX	256

struct sim_pkt {
	uint8_t *data;
	size_t len;
};

struct sim_side {
	const char *name;
	struct dtls_engine *eng;
	struct dtls_assoc *a;
	struct dtls_assoc_config cfg;
	uint8_t addr[8];
	bool listen;			/* server: dtls_listen() until accepted */
	unsigned int events;		/* OR of everything seen */
	unsigned int verify_sent;	/* dtls_listen() HelloVerifyRequests */
	unsigned int new_handshakes;	/* DTLS_EV_NEW_HANDSHAKE seen */
	struct sim_pkt new_hello;	/* the datagram that caused it */
	struct sim_pkt fail_pkt;	/* the datagram that gave DTLS_EV_FAILED */
	struct sim_pkt inbox[SIM_QMAX];	/* datagrams on their way to us */
	size_t n_inbox;
	struct sim_pkt log[SIM_LOGMAX];	/* everything we sent */
	size_t n_log;
	unsigned int sent;		/* datagrams sent */
	unsigned int drop_first;	/* drop our first N datagrams */
	unsigned int drop_pct;		/* then drop this % at random */
	bool duplicate;			/* deliver twice */
	bool blackhole;			/* nothing we send arrives */
	size_t max_len;			/* largest datagram sent */
};

struct sim {
	struct sim_side side[2];	/* [0] client, [1] server */
	uint32_t rng;
	bool reorder;			/* deliver each batch backwards */
	/* called before each delivery; may inject datagrams of its own */
	void (*before_deliver)(struct sim *s, int to, const struct sim_pkt *p);
	void *priv;
};

static inline uint32_t sim_rand(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return s->rng;
}

static inline void sim_pkt_set(struct sim_pkt *p, const uint8_t *d, size_t len)
{
	free(p->data);
	p->data = malloc(len ? len : 1);
	if (p->data)
		memcpy(p->data, d, len);
	p->len = len;
}

static inline void sim_push(struct sim_side *to, const uint8_t *d, size_t len)
{
	if (to->n_inbox < SIM_QMAX) {
		to->inbox[to->n_inbox].data = NULL;
		sim_pkt_set(&to->inbox[to->n_inbox++], d, len);
	}
}

struct sim_sender {
	struct sim *s;
	int from;
};

static struct sim_sender sim_senders[2];

static inline int sim_send(void *ctx, const uint8_t *d, size_t len)
{
	struct sim_sender *snd = ctx;
	struct sim *s = snd->s;
	struct sim_side *me = &s->side[snd->from];
	struct sim_side *peer = &s->side[!snd->from];

	if (me->n_log < SIM_LOGMAX) {
		me->log[me->n_log].data = NULL;
		sim_pkt_set(&me->log[me->n_log++], d, len);
	}
	if (len > me->max_len)
		me->max_len = len;
	me->sent++;
	if (me->blackhole || me->sent <= me->drop_first)
		return 0;
	if (me->drop_pct && sim_rand(s) % 100 < me->drop_pct)
		return 0;
	sim_push(peer, d, len);
	if (me->duplicate)
		sim_push(peer, d, len);
	return 0;
}

/* Sets up both sides' configs; the caller creates engines and calls start. */
static inline void sim_init(struct sim *s, uint32_t seed)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->rng = seed ? seed : 0x12345678;
	for (i = 0; i < 2; i++) {
		struct sim_side *sd = &s->side[i];

		sim_senders[i].s = s;
		sim_senders[i].from = i;
		sd->name = i ? "server" : "client";
		sd->addr[0] = 127;
		sd->addr[3] = 1;
		sd->addr[4] = (uint8_t)(i + 1);
		sd->cfg.role = i ? DTLS_ROLE_SERVER : DTLS_ROLE_CLIENT;
		sd->cfg.send = sim_send;
		sd->cfg.send_ctx = &sim_senders[i];
		/* cookies bind to the *peer's* address */
		sd->cfg.peer_addr = s->side[!i].addr;
		sd->cfg.peer_addr_len = sizeof(sd->addr);
	}
}

static inline void sim_free(struct sim *s)
{
	size_t i, j;

	for (i = 0; i < 2; i++) {
		struct sim_side *sd = &s->side[i];

		for (j = 0; j < sd->n_inbox; j++)
			free(sd->inbox[j].data);
		for (j = 0; j < sd->n_log; j++)
			free(sd->log[j].data);
		free(sd->new_hello.data);
		free(sd->fail_pkt.data);
		dtls_assoc_free(sd->a);
		sd->a = NULL;
	}
}

static inline void sim_deliver(struct sim *s, int to, const uint8_t *d, size_t len)
{
	struct sim_side *sd = &s->side[to];
	unsigned int ev = 0;

	if (!sd->a && sd->listen) {
		struct dtls_assoc *a = NULL;

		switch (dtls_listen(sd->eng, &sd->cfg, d, len, &a, &ev)) {
		case DTLS_LISTEN_ACCEPTED:
			sd->a = a;
			break;
		case DTLS_LISTEN_VERIFY_SENT:
			sd->verify_sent++;
			break;
		default:
			break;
		}
	} else if (sd->a) {
		ev = dtls_input(sd->a, d, len);
		if ((ev & DTLS_EV_FAILED) && d)
			sim_pkt_set(&sd->fail_pkt, d, len);
		if (ev & DTLS_EV_NEW_HANDSHAKE) {
			sd->new_handshakes++;
			sim_pkt_set(&sd->new_hello, d, len);
		}
	}
	sd->events |= ev;
}

static inline bool sim_terminal(const struct sim_side *sd)
{
	enum dtls_state st = sd->a ? dtls_assoc_state(sd->a) : DTLS_STATE_NEW;

	return st == DTLS_STATE_CONNECTED || st == DTLS_STATE_FAILED ||
	       st == DTLS_STATE_CLOSED;
}

static inline void sim_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

static inline uint64_t sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Runs until both sides are connected/failed/closed with nothing in flight,
 * or limit_ms passed. Returns true if both ended CONNECTED.
 */
static inline bool sim_run(struct sim *s, unsigned int limit_ms)
{
	uint64_t end = sim_now_ms() + limit_ms;

	while (sim_now_ms() < end) {
		bool moved = false;
		int i;

		for (i = 0; i < 2; i++) {
			struct sim_side *sd = &s->side[i];
			struct sim_pkt batch[SIM_QMAX];
			size_t n = sd->n_inbox, k;

			if (!n)
				continue;
			memcpy(batch, sd->inbox, n * sizeof(batch[0]));
			sd->n_inbox = 0;
			for (k = 0; k < n; k++) {
				struct sim_pkt *p = &batch[s->reorder ? n - 1 - k : k];

				if (s->before_deliver)
					s->before_deliver(s, i, p);
				sim_deliver(s, i, p->data, p->len);
				free(p->data);
			}
			moved = true;
		}
		if (moved)
			continue;
		if (sim_terminal(&s->side[0]) && sim_terminal(&s->side[1]))
			break;
		{
			long t0 = s->side[0].a ? dtls_next_timeout_ms(s->side[0].a) : -1;
			long t1 = s->side[1].a ? dtls_next_timeout_ms(s->side[1].a) : -1;
			long t = t0 < 0 ? t1 : (t1 < 0 || t0 < t1 ? t0 : t1);

			if (t < 0)
				t = 5;	/* nothing armed: just poll */
			if (t > 50)
				t = 50;
			sim_sleep_ms(t);
			for (i = 0; i < 2; i++)
				if (s->side[i].a)
					s->side[i].events |= dtls_on_timeout(s->side[i].a);
		}
	}
	return s->side[0].a && s->side[1].a &&
	       dtls_assoc_state(s->side[0].a) == DTLS_STATE_CONNECTED &&
	       dtls_assoc_state(s->side[1].a) == DTLS_STATE_CONNECTED;
}

#endif /* KSRTP_DTLS_NETSIM_H */
