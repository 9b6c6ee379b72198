// SPDX-License-Identifier: GPL-2.0
/*
 * The mikey method's glue (mikey_method.c, mikey_ctx.c) without a kernel:
 * two sessions in one process, A offering and B answering, over an
 * in-memory fake of keyd's netlink calls (kn_ctx_new, kn_key_add, ...) and
 * stubs of the session layer. Checked: which explicit-SSRC contexts each
 * side installs (direction, SSRC, initial ROC, suite) and that A's TX key
 * is B's RX key and the other way round; a rekey from each side (new keys,
 * pending until the answer, then active, old RX keys retired); wrong PSK,
 * replay and an offer missing the answerer's SSRC refused with nothing
 * installed and an error answer A reads back; save and restore; the
 * certificate modes (PK, RSA-R, DH-SIGN) through the same flow with
 * certificates pki_fixture.h makes; proto.c's mode names are the table's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktap.h"
#include "log.h"
#include "mikey_method.h"
#include "pki_fixture.h"

/* ---------------------------------------------------------------- fake kernel */

#define FK_MAX 32
struct fk_ctx {
	bool used;
	uint64_t cookie;
	uint32_t dir, ssrc, roc, suite;
	uint32_t kid[4];
	uint8_t key[4][46];
	uint64_t mki[4];
	uint8_t mki_len[4];
	unsigned int nkeys;
	uint32_t active;
};
static struct fk_ctx fk[FK_MAX];
static uint64_t fake_now = 1000;

static struct fk_ctx *fk_find(const struct kn_ctx *c)
{
	int i;

	for (i = 0; i < FK_MAX; i++)
		if (fk[i].used && fk[i].cookie == c->cookie && fk[i].dir == c->dir &&
		    c->has_ssrc && fk[i].ssrc == c->ssrc)
			return &fk[i];
	return NULL;
}

static int fk_put_key(struct fk_ctx *f, const struct kn_key *k)
{
	if (f->nkeys == 4)
		return -ENOSPC;
	f->kid[f->nkeys] = k->id;
	f->mki[f->nkeys] = k->mki;
	f->mki_len[f->nkeys] = k->mki_len;
	memcpy(f->key[f->nkeys], k->key, k->key_len);
	memcpy(f->key[f->nkeys] + k->key_len, k->salt, k->salt_len);
	f->nkeys++;
	return 0;
}

int kn_ctx_new(struct kernel *k, const struct kn_ctx *c, const struct kn_ctx_params *p,
	       const struct kn_key *key)
{
	int i;

	(void)k;
	if (!c->has_ssrc || fk_find(c))
		return -EEXIST;
	for (i = 0; i < FK_MAX && fk[i].used; i++)
		;
	if (i == FK_MAX)
		return -ENOSPC;
	memset(&fk[i], 0, sizeof(fk[i]));
	fk[i] = (struct fk_ctx){ .used = true, .cookie = c->cookie, .dir = c->dir,
				 .ssrc = c->ssrc, .roc = p->roc, .suite = p->suite,
				 .active = key->id };
	return fk_put_key(&fk[i], key);
}

int kn_ctx_del(struct kernel *k, const struct kn_ctx *c)
{
	struct fk_ctx *f = fk_find(c);

	(void)k;
	if (!f)
		return -ENOENT;
	f->used = false;
	return 0;
}

int kn_key_add(struct kernel *k, const struct kn_ctx *c, const struct kn_key *key)
{
	struct fk_ctx *f = fk_find(c);

	(void)k;
	return f ? fk_put_key(f, key) : -ENOENT;
}

static int fk_key_idx(struct fk_ctx *f, uint32_t id)
{
	unsigned int i;

	for (i = 0; f && i < f->nkeys; i++)
		if (f->kid[i] == id)
			return (int)i;
	return -1;
}

int kn_key_swap(struct kernel *k, const struct kn_ctx *c, uint32_t id)
{
	struct fk_ctx *f = fk_find(c);

	(void)k;
	if (fk_key_idx(f, id) < 0)
		return -ENOENT;
	f->active = id;
	return 0;
}

int kn_key_del(struct kernel *k, const struct kn_ctx *c, uint32_t id)
{
	struct fk_ctx *f = fk_find(c);
	int i = fk_key_idx(f, id);

	(void)k;
	if (i < 0)
		return -ENOENT;
	if (f->active == id)
		return -EBUSY;
	f->nkeys--;
	f->kid[i] = f->kid[f->nkeys];
	f->mki[i] = f->mki[f->nkeys];
	f->mki_len[i] = f->mki_len[f->nkeys];
	memcpy(f->key[i], f->key[f->nkeys], sizeof(f->key[i]));
	return 0;
}

const char *kn_err(struct kernel *k)
{
	(void)k;
	return "";
}

const char *kn_dir_name(uint32_t dir)
{
	return dir == KSRTP_DIR_RX ? "rx" : "tx";
}

/* ---------------------------------------------------------------- session layer stubs */

int op_fail(struct opres *r, const char *code, const char *fmt, ...)
{
	va_list ap;

	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void session_ctx_name(const struct session *s, unsigned int sock, uint32_t dir,
		      struct kn_ctx *out)
{
	memset(out, 0, sizeof(*out));
	out->cookie = s->cookie[sock];
	out->dir = dir;
}

void session_changed(struct session *s)
{
	s->dirty = true;
}

static char last_event[64];
void session_emit(struct keyd *kd, struct session *s, struct json_object *ev)
{
	(void)kd;
	(void)s;
	snprintf(last_event, sizeof(last_event), "%s",
		 json_object_get_string(json_object_object_get(ev, "event")));
	json_object_put(ev);
}

const char *session_state_name(enum session_state st)
{
	static const char *const n[] = { "new", "offered", "answering", "secure", "failed" };

	return n[st];
}

uint64_t now_ms(void)
{
	return fake_now;
}

/* ---------------------------------------------------------------- helpers */

#define SA 0x1111
#define SB 0x2222
static struct keyd kd;
static char psk_path[] = "/tmp/test_mikey_method-XXXXXX";

static void set_psk(const char *hex)
{
	FILE *f = fopen(psk_path, "w");

	KTAP_ASSERT(f != NULL);
	fprintf(f, "ksrtp-test %s\n", hex);
	fclose(f);
	chmod(psk_path, 0600);
}

static const char *next_mode;	/* the next session's mikey_mode */
static const char *next_peer;	/* and mikey_peer_identity */

static struct session *new_session(uint64_t cookie, enum role role, uint32_t ours,
				   uint32_t theirs, uint32_t roc)
{
	struct session *s = calloc(1, sizeof(*s));
	struct request req = { .mikey_mode = next_mode, .mikey_peer = next_peer };
	struct opres r = { 0 };

	if (!s)
		abort();
	s->role = role;
	s->nsocks = 1;
	s->cookie[0] = cookie;
	s->suites[0] = suite_by_name("AES_CM_128_HMAC_SHA1_80", 23);
	s->suites[1] = suite_by_name("AES_CM_128_HMAC_SHA1_32", 23);
	s->nsuites = 2;
	s->offer_suites[0] = suite_by_name("AEAD_AES_128_GCM", 16);	/* MIKEY can't: skipped */
	s->offer_suites[1] = s->suites[0];
	s->noffer_suites = 2;
	req.ssrcs[0] = ours;
	req.nssrcs = 1;
	if (theirs) {
		req.remote_ssrcs[0] = theirs;
		req.nremote_ssrcs = 1;
	}
	req.roc = roc;
	if (mikey_method.init(&kd, s, &req, &r)) {
		fprintf(stderr, "init: %s\n", r.msg);
		abort();
	}
	return s;
}

static void free_session(struct session *s)
{
	mikey_method.teardown(&kd, s);
	mikey_method.release(s);
	free(s);
}

/* Run op on s; the reply's attributes as a request for the other side. */
static int attrs_of(struct opres *r, struct request *out)
{
	struct json_object *arr;

	memset(out, 0, sizeof(*out));
	if (!json_object_object_get_ex(r->reply, "attributes", &arr))
		return -1;
	out->nattrs = json_object_array_length(arr);
	if (out->nattrs)
		out->attrs[0] = json_object_get_string(json_object_array_get_idx(arr, 0));
	return 0;
}

static struct fk_ctx *ctx_of(uint64_t cookie, uint32_t dir, uint32_t ssrc)
{
	struct kn_ctx c = { .cookie = cookie, .dir = dir, .has_ssrc = true, .ssrc = ssrc };

	return fk_find(&c);
}

static const uint8_t *active_key(struct fk_ctx *f)
{
	int i = fk_key_idx(f, f->active);

	return i < 0 ? NULL : f->key[i];
}

static int nctx(uint64_t cookie)
{
	int i, n = 0;

	for (i = 0; i < FK_MAX; i++)
		n += fk[i].used && fk[i].cookie == cookie;
	return n;
}

/* A offers, B answers, A applies the answer: 0 on success of all three. */
static int exchange(struct session *a, struct session *b, const char *op, char *why,
		    size_t whylen)
{
	struct opres ra = { .reply = json_object_new_object() }, rb = { 0 }, rc = { 0 };
	struct request q;
	int rc_ = -1;

	why[0] = 0;
	if ((!strcmp(op, "rekey") ? mikey_method.rekey(&kd, a, &ra) :
				    mikey_method.local_attributes(&kd, a, &ra)) ||
	    attrs_of(&ra, &q)) {
		snprintf(why, whylen, "offer: %s", ra.msg);
		goto out;
	}
	rb.reply = json_object_new_object();
	if (mikey_method.remote_attributes(&kd, b, &q, SDP_OFFER, &rb))
		snprintf(why, whylen, "B: %s", rb.msg);
	json_object_put(rb.reply);
	rb.reply = json_object_new_object();
	/* session.c's op_local: an answerer needs the offer applied first */
	if (b->state == SS_NEW && b->role == ROLE_ANSWERER) {
		snprintf(why + strlen(why), whylen - strlen(why), " B: nothing to answer");
		goto out;
	}
	if (mikey_method.local_attributes(&kd, b, &rb) || attrs_of(&rb, &q)) {
		snprintf(why + strlen(why), whylen - strlen(why), " B answer: %s", rb.msg);
		goto out;
	}
	rc.reply = json_object_new_object();
	rc_ = mikey_method.remote_attributes(&kd, a, &q, SDP_ANSWER, &rc);
	if (rc_)
		snprintf(why + strlen(why), whylen - strlen(why), " A: %s", rc.msg);
	json_object_put(rc.reply);
out:
	json_object_put(ra.reply);
	json_object_put(rb.reply);
	return rc_ || why[0] ? -1 : 0;
}

/* A's TX is B's RX for SA and B's TX is A's RX for SB, same keys. */
static void expect_paired(uint32_t roc_a)
{
	struct fk_ctx *atx = ctx_of(1, KSRTP_DIR_TX, SA), *brx = ctx_of(2, KSRTP_DIR_RX, SA);
	struct fk_ctx *btx = ctx_of(2, KSRTP_DIR_TX, SB), *arx = ctx_of(1, KSRTP_DIR_RX, SB);

	KTAP_ASSERT(atx && brx && btx && arx);
	KTAP_EXPECT_EQ(nctx(1), 2);
	KTAP_EXPECT_EQ(nctx(2), 2);
	KTAP_EXPECT_EQ(atx->roc, roc_a);
	KTAP_EXPECT_EQ(brx->roc, roc_a);
	KTAP_EXPECT_EQ(btx->roc, 0);
	KTAP_EXPECT_EQ(atx->suite, (uint32_t)KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80);
	KTAP_EXPECT(!memcmp(active_key(atx), active_key(brx), 30));
	KTAP_EXPECT(!memcmp(active_key(btx), active_key(arx), 30));
	KTAP_EXPECT(memcmp(active_key(atx), active_key(btx), 30) != 0);
}

/* ---------------------------------------------------------------- tests */

static void test_call_and_rekeys(void)
{
	struct session *a = new_session(1, ROLE_OFFERER, SA, SB, 5);
	struct session *b = new_session(2, ROLE_ANSWERER, SB, 0, 0);
	struct json_object *saved;
	uint8_t old[30];
	char why[1200];

	if (!KTAP_EXPECT_EQ(exchange(a, b, "local", why, sizeof(why)), 0))
		ktap_diag("%s", why);
	KTAP_EXPECT_EQ(a->state, SS_SECURE);
	KTAP_EXPECT_EQ(b->state, SS_SECURE);
	expect_paired(5);
	/* A rekeys: new keys everywhere, the old RX key kept until retire_at */
	memcpy(old, active_key(ctx_of(1, KSRTP_DIR_TX, SA)), 30);
	if (!KTAP_EXPECT_EQ(exchange(a, b, "rekey", why, sizeof(why)), 0))
		ktap_diag("%s", why);
	KTAP_EXPECT(memcmp(old, active_key(ctx_of(1, KSRTP_DIR_TX, SA)), 30) != 0);
	KTAP_EXPECT_EQ(ctx_of(1, KSRTP_DIR_TX, SA)->nkeys, 1);	/* TX: old key gone */
	KTAP_EXPECT_EQ(ctx_of(1, KSRTP_DIR_RX, SB)->nkeys, 2);	/* RX: old one kept */
	/* B's TX still sends with the old key until answer_rekey_delay_ms */
	KTAP_EXPECT_EQ(ctx_of(2, KSRTP_DIR_TX, SB)->nkeys, 2);
	KTAP_EXPECT(memcmp(active_key(ctx_of(2, KSRTP_DIR_TX, SB)),
			   active_key(ctx_of(1, KSRTP_DIR_RX, SB)), 30) != 0);
	fake_now += kd.cfg.answer_rekey_delay_ms;
	mikey_method.timer(&kd, b, fake_now);
	expect_paired(5);
	fake_now += kd.cfg.answer_rekey_delay_ms + kd.cfg.rx_key_grace_ms + 1000;
	mikey_method.timer(&kd, a, fake_now);
	mikey_method.timer(&kd, b, fake_now);
	KTAP_EXPECT_EQ(ctx_of(1, KSRTP_DIR_RX, SB)->nkeys, 1);
	KTAP_EXPECT_EQ(ctx_of(2, KSRTP_DIR_RX, SA)->nkeys, 1);
	/* B rekeys */
	if (!KTAP_EXPECT_EQ(exchange(b, a, "rekey", why, sizeof(why)), 0))
		ktap_diag("%s", why);
	fake_now += kd.cfg.answer_rekey_delay_ms;
	mikey_method.timer(&kd, a, fake_now);
	expect_paired(5);
	/* save and restore B against the fake kernel's contexts */
	saved = mikey_method.save(b);
	{
		struct session *b2 = calloc(1, sizeof(*b2));
		struct kn_ctx_info ci[2];
		char w[200] = "";
		int i, n = 0;

		for (i = 0; i < FK_MAX; i++)
			if (fk[i].used && fk[i].cookie == 2) {
				memset(&ci[n], 0, sizeof(ci[n]));
				ci[n].dir = fk[i].dir;
				ci[n].ssrc = fk[i].ssrc;
				ci[n].nkeys = 1;
				ci[n].keys[0].id = fk[i].active;
				ci[n].keys[0].active = true;
				n++;
			}
		b2->state = SS_SECURE;
		b2->nsocks = 1;
		b2->cookie[0] = 2;
		KTAP_EXPECT_EQ(mikey_method.restore(&kd, b2, saved, ci, (size_t)n, w, sizeof(w)), 0);
		KTAP_EXPECT_EQ(mk_state(b2)->nctx, 2);
		mikey_method.release(b2);
		ci[0].keys[0].id += 100;
		KTAP_EXPECT_EQ(mikey_method.restore(&kd, b2, saved, ci, (size_t)n, w, sizeof(w)), -1);
		KTAP_EXPECT(strstr(w, "the kernel has no") != NULL);
		mikey_method.release(b2);
		free(b2);
	}
	json_object_put(saved);
	free_session(a);
	free_session(b);
	KTAP_EXPECT_EQ(nctx(1) + nctx(2), 0);
}

/* The offer is refused by B: nothing installed, A reads B's error back. */
static void expect_refused(struct session *a, struct session *b, const char *want_b,
			   const char *want_a, enum session_state a_state)
{
	char why[1200];

	KTAP_EXPECT_EQ(exchange(a, b, "local", why, sizeof(why)), -1);
	if (!KTAP_EXPECT(strstr(why, want_b) && strstr(why, want_a)))
		ktap_diag("got: %s", why);
	KTAP_EXPECT_EQ(nctx(1) + nctx(2), 0);
	KTAP_EXPECT_EQ(a->state, a_state);
	KTAP_EXPECT_EQ(b->state, SS_NEW);
}

static void test_refusals(void)
{
	struct session *a, *b;
	struct opres r = { .reply = json_object_new_object() };
	struct request q;

	/* wrong PSK: A's file changes after its offer */
	a = new_session(1, ROLE_OFFERER, SA, SB, 0);
	b = new_session(2, ROLE_ANSWERER, SB, 0, 0);
	KTAP_ASSERT_EQ(mikey_method.local_attributes(&kd, a, &r), 0);
	KTAP_ASSERT_EQ(attrs_of(&r, &q), 0);
	set_psk("ffeeddccbbaa99887766554433221100");
	{
		struct opres rb = { .reply = json_object_new_object() }, rc = { .reply = NULL };
		struct request e;

		KTAP_EXPECT_EQ(mikey_method.remote_attributes(&kd, b, &q, SDP_OFFER, &rb), -1);
		KTAP_EXPECT(strstr(rb.msg, "MIKEY error Auth failure (0)") != NULL);
		json_object_put(rb.reply);
		rb.reply = json_object_new_object();
		KTAP_EXPECT_EQ(mikey_method.local_attributes(&kd, b, &rb), 0);
		KTAP_ASSERT_EQ(attrs_of(&rb, &e), 0);
		KTAP_EXPECT_EQ(e.nattrs, 1);
		KTAP_EXPECT_EQ(b->state, SS_NEW);
		rc.reply = json_object_new_object();
		KTAP_EXPECT_EQ(mikey_method.remote_attributes(&kd, a, &e, SDP_ANSWER, &rc), -1);
		if (!KTAP_EXPECT(strstr(rc.msg, "Auth failure (0), unauthenticated") != NULL))
			ktap_diag("A: %s", rc.msg);
		json_object_put(rc.reply);
		json_object_put(rb.reply);
	}
	set_psk("00112233445566778899aabbccddeeff");
	KTAP_EXPECT_EQ(nctx(1) + nctx(2), 0);
	KTAP_EXPECT_EQ(a->state, SS_NEW);
	/* a replay: B2 accepts A's offer, B gets it again */
	json_object_put(r.reply);
	r.reply = json_object_new_object();
	free_session(a);
	a = new_session(1, ROLE_OFFERER, SA, SB, 0);
	KTAP_ASSERT_EQ(mikey_method.local_attributes(&kd, a, &r), 0);
	KTAP_ASSERT_EQ(attrs_of(&r, &q), 0);
	{
		struct session *b2 = new_session(3, ROLE_ANSWERER, SB, 0, 0);
		struct opres rb = { .reply = json_object_new_object() };

		KTAP_EXPECT_EQ(mikey_method.remote_attributes(&kd, b2, &q, SDP_OFFER, &rb), 0);
		KTAP_EXPECT_EQ(nctx(3), 2);
		json_object_put(rb.reply);
		rb.reply = json_object_new_object();
		KTAP_EXPECT_EQ(mikey_method.remote_attributes(&kd, b, &q, SDP_OFFER, &rb), -1);
		KTAP_EXPECT(strstr(rb.msg, "MIKEY error Invalid TS (1)") != NULL);
		KTAP_EXPECT_EQ(nctx(2), 0);
		json_object_put(rb.reply);
		free_session(b2);
	}
	json_object_put(r.reply);
	free_session(a);
	free_session(b);
	/* B's SSRC not in A's map (A does not know it) */
	a = new_session(1, ROLE_OFFERER, SA, 0, 0);
	b = new_session(2, ROLE_ANSWERER, SB, 0, 0);
	/* not a MIKEY error: no error message to answer with, A still waits */
	expect_refused(a, b, "our SSRC 8738 is not in the offer's CS ID map", "", SS_OFFERED);
	free_session(a);
	free_session(b);
}

/* DHHMAC: the answerer follows the offer's mode; rekeys from each side. */
static void test_dhhmac_call_and_rekeys(void)
{
	struct session *a, *b;
	struct json_object *saved, *v;
	char why[1200];

	/* one keyd plays both: identity alice; A calls bob, B learns alice from IDi */
	FILE *fp = fopen(psk_path, "w");

	KTAP_ASSERT(fp != NULL);
	fprintf(fp, "alice 00112233445566778899aabbccddeeff\nbob 00112233445566778899aabbccddeeff\n");
	fclose(fp);
	snprintf(kd.cfg.mikey_identity, sizeof(kd.cfg.mikey_identity), "alice");
	next_mode = "dhhmac";
	a = new_session(1, ROLE_OFFERER, SA, SB, 5);
	b = new_session(2, ROLE_ANSWERER, SB, 0, 0);
	KTAP_EXPECT_EQ(exchange(a, b, "local", why, sizeof(why)), -1);
	if (!KTAP_EXPECT(strstr(why, "\"mikey_peer_identity\"") != NULL))
		ktap_diag("%s", why);
	free_session(a);
	next_peer = "bob";
	a = new_session(1, ROLE_OFFERER, SA, SB, 5);
	next_mode = next_peer = NULL;
	if (!KTAP_EXPECT_EQ(exchange(a, b, "local", why, sizeof(why)), 0))
		ktap_diag("%s", why);
	KTAP_EXPECT_EQ(a->state, SS_SECURE);
	KTAP_EXPECT_EQ(b->state, SS_SECURE);
	KTAP_EXPECT(!strcmp(mk_state(b)->mode->name, "dhhmac"));
	KTAP_EXPECT(a->pfs && b->pfs);		/* status says so, not only the event */
	KTAP_EXPECT(!strcmp(mk_state(b)->peer_id, "alice"));
	KTAP_EXPECT(strstr(last_event, "secure") != NULL);
	expect_paired(5);
	/* A rekeys: its keys come with the answer, RX and TX switch then */
	if (!KTAP_EXPECT_EQ(exchange(a, b, "rekey", why, sizeof(why)), 0))
		ktap_diag("%s", why);
	KTAP_EXPECT_EQ(ctx_of(1, KSRTP_DIR_TX, SA)->nkeys, 1);
	KTAP_EXPECT_EQ(ctx_of(1, KSRTP_DIR_RX, SB)->nkeys, 2);
	KTAP_EXPECT_EQ(ctx_of(2, KSRTP_DIR_TX, SB)->nkeys, 2);
	fake_now += kd.cfg.answer_rekey_delay_ms;
	mikey_method.timer(&kd, b, fake_now);
	expect_paired(5);
	/* B rekeys the same way */
	if (!KTAP_EXPECT_EQ(exchange(b, a, "rekey", why, sizeof(why)), 0))
		ktap_diag("%s", why);
	fake_now += kd.cfg.answer_rekey_delay_ms;
	mikey_method.timer(&kd, a, fake_now);
	expect_paired(5);
	/* a PSK offer cannot rekey a DHHMAC call */
	mk_state(a)->mode = &mikey_mode_psk;
	KTAP_EXPECT_EQ(exchange(a, b, "rekey", why, sizeof(why)), -1);
	if (!KTAP_EXPECT(strstr(why, "a MIKEY rekey keeps its mode") != NULL))
		ktap_diag("%s", why);
	saved = mikey_method.save(b);
	KTAP_EXPECT(json_object_object_get_ex(saved, "mode", &v) &&
		    !strcmp(json_object_get_string(v), "dhhmac"));
	KTAP_EXPECT(json_object_object_get_ex(saved, "peer_identity", &v) &&
		    !strcmp(json_object_get_string(v), "alice"));
	json_object_put(saved);
	free_session(a);
	free_session(b);
	KTAP_EXPECT_EQ(nctx(1) + nctx(2), 0);
	snprintf(kd.cfg.mikey_identity, sizeof(kd.cfg.mikey_identity), "ksrtp-test");
	set_psk("00112233445566778899aabbccddeeff");
}

static void test_null_needs_permission(void)
{
	struct session s = { 0 };
	struct request req = { .mikey_mode = "null" };
	struct opres r = { 0 };

	KTAP_EXPECT_EQ(mikey_method.init(&kd, &s, &req, &r), -1);
	KTAP_EXPECT(strstr(r.msg, "allow_insecure_signalling") != NULL);
	kd.cfg.allow_insecure_signalling = true;
	s.verified = true;
	KTAP_EXPECT_EQ(mikey_method.init(&kd, &s, &req, &r), 0);
	KTAP_EXPECT(mk_state(&s)->mode == &mikey_mode_null);
	KTAP_EXPECT(!s.verified);	/* keys in clear: status says unverified */
	mikey_method.release(&s);
	kd.cfg.allow_insecure_signalling = false;
}

/* The active key's MKI of a context. */
static uint64_t active_mki(struct fk_ctx *f, uint8_t *len)
{
	int i = fk_key_idx(f, f->active);

	*len = i < 0 ? 0 : f->mki_len[i];
	return i < 0 ? 0 : f->mki[i];
}

/* MKI from the TGK's SPI: both sides' keys carry it, a rekey moves it on. */
static void test_mki(void)
{
	struct session *a = new_session(1, ROLE_OFFERER, SA, SB, 0);
	struct session *b = new_session(2, ROLE_ANSWERER, SB, 0, 0);
	char why[1200];
	uint8_t len;
	uint64_t mki;

	a->mki_len = 2;		/* create's mki_len */
	if (!KTAP_EXPECT_EQ(exchange(a, b, "local", why, sizeof(why)), 0))
		ktap_diag("%s", why);
	expect_paired(0);
	mki = active_mki(ctx_of(2, KSRTP_DIR_RX, SA), &len);
	KTAP_EXPECT_EQ(len, 2);
	KTAP_EXPECT_EQ(mki, 1);
	mki = active_mki(ctx_of(1, KSRTP_DIR_TX, SA), &len);
	KTAP_EXPECT(len == 2 && mki == 1);
	mki = active_mki(ctx_of(1, KSRTP_DIR_RX, SB), &len);
	KTAP_EXPECT(len == 2 && mki == 1);
	/* B's rekey keeps the length (B's own mki_len is 0) and moves to MKI 2 */
	if (!KTAP_EXPECT_EQ(exchange(b, a, "rekey", why, sizeof(why)), 0))
		ktap_diag("%s", why);
	fake_now += kd.cfg.answer_rekey_delay_ms;
	mikey_method.timer(&kd, a, fake_now);
	expect_paired(0);
	mki = active_mki(ctx_of(1, KSRTP_DIR_TX, SA), &len);
	KTAP_EXPECT(len == 2 && mki == 2);
	mki = active_mki(ctx_of(2, KSRTP_DIR_RX, SA), &len);
	KTAP_EXPECT(len == 2 && mki == 2);
	KTAP_EXPECT_EQ(mk_state(a)->mki, 2);
	free_session(a);
	free_session(b);
	KTAP_EXPECT_EQ(nctx(1) + nctx(2), 0);
}

/* The replay cache through mikey-replay.json: back as it was, and a file
 * that cannot be read refused (the method then holds offers off).
 */
static void test_replay_cache_file(void)
{
	char dir[] = "/tmp/test_mikey_replay-XXXXXX", path[200], why[160];
	const uint64_t t = 0xEB000000ull << 32;
	struct mikey_replay rc = { 0 }, back;
	FILE *fp;

	KTAP_ASSERT(mkdtemp(dir) != NULL);
	snprintf(kd.cfg.state_dir, sizeof(kd.cfg.state_dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/mikey-replay.json", dir);
	KTAP_EXPECT_EQ(mk_replay_load(&kd, &back, why, sizeof(why)), 0);	/* none yet */
	KTAP_EXPECT_EQ(back.n, 0);
	KTAP_ASSERT_EQ(mikey_replay_check(&rc, (const uint8_t *)"first", 5, t, t, 60), 0);
	KTAP_ASSERT_EQ(mikey_replay_check(&rc, (const uint8_t *)"second", 6, t + 1, t, 60), 0);
	KTAP_ASSERT_EQ(mikey_counter_check(&rc, (const uint8_t *)"alice", 5, 7), 0);
	mk_replay_save(&kd, &rc);
	KTAP_ASSERT_EQ(mk_replay_load(&kd, &back, why, sizeof(why)), 0);
	KTAP_EXPECT_EQ(back.n, 2);
	KTAP_EXPECT_EQ(back.nc, 1);
	KTAP_EXPECT_EQ(mikey_counter_check(&back, (const uint8_t *)"alice", 5, 7), 1);
	KTAP_EXPECT_EQ(mikey_counter_check(&back, (const uint8_t *)"bob", 3, 7), 0);
	KTAP_EXPECT_EQ(mikey_counter_check(&back, (const uint8_t *)"alice", 5, 8), 0);
	KTAP_EXPECT_EQ(mikey_replay_check(&back, (const uint8_t *)"second", 6, t + 1, t, 60), 1);
	KTAP_EXPECT_EQ(mikey_replay_check(&back, (const uint8_t *)"third", 5, t, t, 60), 0);
	fp = fopen(path, "w");
	KTAP_ASSERT(fp != NULL);
	fputs("{\"entries\": [\"0011zz\"]}", fp);
	fclose(fp);
	KTAP_EXPECT_EQ(mk_replay_load(&kd, &back, why, sizeof(why)), -1);
	KTAP_EXPECT(strstr(why, "entry 0 is malformed") != NULL);
	KTAP_EXPECT_EQ(back.n, 0);
	fp = fopen(path, "w");
	KTAP_ASSERT(fp != NULL);
	fputs("{ torn", fp);
	fclose(fp);
	KTAP_EXPECT_EQ(mk_replay_load(&kd, &back, why, sizeof(why)), -1);
	KTAP_EXPECT(strstr(why, "not JSON") != NULL);
	unlink(path);
	rmdir(dir);
	kd.cfg.state_dir[0] = 0;
}

/* A call in mode name, rekeyed from each side; one keyd plays both ends
 * (alice's certificate; its own identity the peer's).
 */
static void cert_call(const char *name, bool pfs)
{
	struct session *a, *b;
	struct json_object *st;
	char why[1200];

	next_mode = name;
	next_peer = "sip:alice@example.org";
	a = new_session(1, ROLE_OFFERER, SA, SB, 3);
	b = new_session(2, ROLE_ANSWERER, SB, 0, 0);
	next_mode = next_peer = NULL;
	if (!KTAP_EXPECT_EQ(exchange(a, b, "local", why, sizeof(why)), 0))
		ktap_diag("%s: %s", name, why);
	KTAP_EXPECT_EQ(b->state, SS_SECURE);
	KTAP_EXPECT(!strcmp(mk_state(b)->mode->name, name));
	KTAP_EXPECT_EQ(a->pfs, pfs);
	KTAP_EXPECT_EQ(b->pfs, pfs);
	expect_paired(3);
	if (!KTAP_EXPECT_EQ(exchange(a, b, "rekey", why, sizeof(why)), 0))
		ktap_diag("%s rekey: %s", name, why);
	fake_now += kd.cfg.answer_rekey_delay_ms;
	mikey_method.timer(&kd, b, fake_now);
	expect_paired(3);
	if (!KTAP_EXPECT_EQ(exchange(b, a, "rekey", why, sizeof(why)), 0))
		ktap_diag("%s rekey by B: %s", name, why);
	fake_now += kd.cfg.answer_rekey_delay_ms;
	mikey_method.timer(&kd, a, fake_now);
	expect_paired(3);
	st = json_object_new_object();
	mikey_method.status(&kd, a, st);
	KTAP_EXPECT(strstr(json_object_to_json_string(st), name) != NULL);
	json_object_put(st);
	free_session(a);
	free_session(b);
	KTAP_EXPECT_EQ(nctx(1) + nctx(2), 0);
}

static void test_cert_modes(void)
{
	struct config saved = kd.cfg;
	struct session s = { 0 };
	struct request req = { .mikey_mode = "pk" };
	struct opres r = { 0 };
	char why[600];
	struct session *a, *b;

	/* no certificates configured: refused at create, saying what is missing */
	KTAP_EXPECT_EQ(mikey_method.init(&kd, &s, &req, &r), -1);
	KTAP_EXPECT(strstr(r.msg, "mikey_cert, mikey_key and mikey_ca") != NULL);
	KTAP_ASSERT_EQ(pki_fixture(), 0);
	snprintf(kd.cfg.mikey_cert, sizeof(kd.cfg.mikey_cert), "%s", pki_path("alice.pem"));
	snprintf(kd.cfg.mikey_key, sizeof(kd.cfg.mikey_key), "%s", pki_path("alice.key"));
	snprintf(kd.cfg.mikey_ca, sizeof(kd.cfg.mikey_ca), "%s", pki_path("ca.pem"));
	snprintf(kd.cfg.mikey_peer_certs, sizeof(kd.cfg.mikey_peer_certs), "%s",
		 pki_path("peers.pem"));
	snprintf(kd.cfg.mikey_identity, sizeof(kd.cfg.mikey_identity), "sip:alice@example.org");
	cert_call("pk", false);
	cert_call("rsa-r", false);
	cert_call("dh-sign", true);
	kd.cfg.mikey_sign_pss = true;
	cert_call("pk", false);
	/* our certificate must name our identity */
	snprintf(kd.cfg.mikey_identity, sizeof(kd.cfg.mikey_identity), "sip:bob@example.org");
	next_mode = "dh-sign";
	a = new_session(1, ROLE_OFFERER, SA, SB, 3);
	b = new_session(2, ROLE_ANSWERER, SB, 0, 0);
	next_mode = NULL;
	KTAP_EXPECT_EQ(exchange(a, b, "local", why, sizeof(why)), -1);
	if (!KTAP_EXPECT(strstr(why, "does not name mikey_identity") != NULL))
		ktap_diag("%s", why);
	free_session(a);
	free_session(b);
	pki_cleanup();
	kd.cfg = saved;
}

/* proto.c accepts exactly the modes mikey_modes.c has. */
static void test_mode_names(void)
{
	char names[] = PROTO_MIKEY_MODES, *p, *save = NULL;
	int n = 0;

	for (p = strtok_r(names, ", ", &save); p; p = strtok_r(NULL, ", ", &save), n++)
		if (!KTAP_EXPECT(mikey_mode_by_name(p) != NULL))
			ktap_diag("%s", p);
	KTAP_EXPECT_EQ(n, 6);
	KTAP_EXPECT(mikey_mode_by_name("rsa") == NULL);
	KTAP_EXPECT(mikey_mode_by_dt(MIKEY_DT_RSAR_INIT) == mikey_mode_by_name("rsa-r"));
	KTAP_EXPECT(mikey_mode_by_dt(MIKEY_DT_PSK_INIT) == &mikey_mode_psk);
	KTAP_EXPECT(mikey_mode_by_dt(MIKEY_DT_ERROR) == NULL);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_call_and_rekeys),
	KTAP_TEST(test_refusals),
	KTAP_TEST(test_dhhmac_call_and_rekeys),
	KTAP_TEST(test_null_needs_permission),
	KTAP_TEST(test_mki),
	KTAP_TEST(test_replay_cache_file),
	KTAP_TEST(test_cert_modes),
	KTAP_TEST(test_mode_names),
};

int main(void)
{
	int fd = mkstemp(psk_path);

	if (fd < 0)
		return 1;
	close(fd);
	config_defaults(&kd.cfg);
	kd.cfg.state_dir[0] = 0;	/* never the real keyd's (test_replay_cache_file has its own) */
	snprintf(kd.cfg.mikey_psk_file, sizeof(kd.cfg.mikey_psk_file), "%s", psk_path);
	snprintf(kd.cfg.mikey_identity, sizeof(kd.cfg.mikey_identity), "ksrtp-test");
	set_psk("00112233445566778899aabbccddeeff");
	log_set_level(LOG_ERR);
	fd = KTAP_MAIN(tests);
	unlink(psk_path);
	return fd;
}
