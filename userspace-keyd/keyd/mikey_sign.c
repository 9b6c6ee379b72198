// SPDX-License-Identifier: GPL-2.0
/*
 * CERT and SIGN payloads for MIKEY's signed modes (PK, RSA-R, DH-SIGN):
 * our chain sent as X.509v3 CERT payloads, messages signed over all their
 * bytes up to the signature field (RFC 3830 §5.2), and a peer's signature
 * checked with the key of the certificate it sent or, without one, of the
 * certificate mikey_peer_certs has for its identity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey_exch.h"

void mx_add_certs(struct mikey_msg *m, const struct mikey_pki *pki)
{
	struct mikey_bytes der[MIKEY_PKI_MAX_CHAIN];
	size_t i, n = mikey_pki_chain(pki, der, MIKEY_PKI_MAX_CHAIN);

	for (i = 0; i < n && m->npl < MIKEY_MAX_PAYLOADS; i++) {
		mx_add_pl(m, MIKEY_PT_CERT);
		mx_last_pl(m)->u.cert = (struct mikey_typed){ MIKEY_CERT_X509, der[i] };
	}
}

void mx_add_sign(struct mikey_msg *m, const struct mikey_pki *pki)
{
	static const uint8_t zero[MIKEY_SIG_MAX];

	mx_add_pl(m, MIKEY_PT_SIGN);
	mx_last_pl(m)->u.sign = (struct mikey_sign){ mikey_pki_sig_type(pki),
						     { zero, mikey_pki_sig_len(pki) } };
}

size_t mx_encode_signed(const struct mikey_msg *m, const struct mikey_pki *pki,
			const uint8_t *extra, size_t elen, uint8_t *out, size_t cap,
			struct mikey_fail *f)
{
	size_t sl = mikey_pki_sig_len(pki), n, cov;
	const char *why = NULL;
	uint8_t *buf;
	int rc;

	n = mikey_encode(m, out, cap, &why);
	if (!n)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "cannot encode the message: %s", why), 0;
	if (!m->npl || m->pl[m->npl - 1].type != MIKEY_PT_SIGN || n < sl)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "a signed message ends with SIGN"), 0;
	cov = n - sl;
	buf = malloc(cov + elen + 1);
	if (!buf)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory"), 0;
	memcpy(buf, out, cov);
	if (elen)
		memcpy(buf + cov, extra, elen);
	rc = mikey_pki_sign(pki, buf, cov + elen, out + cov, sl);
	free(buf);
	if (rc)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "signing failed"), 0;
	return n;
}

/* The CERT payloads of m, leaf first; X.509v3 and X.509v3-Sign only. */
static int msg_certs(const struct mikey_msg *m, struct mikey_bytes *der, size_t *n,
		     struct mikey_fail *f)
{
	size_t i;

	*n = 0;
	for (i = 0; i < m->npl; i++) {
		const struct mikey_typed *c = &m->pl[i].u.cert;

		if (m->pl[i].type != MIKEY_PT_CERT)
			continue;
		if (c->type == MIKEY_CERT_URL)
			return mx_fail(f, MIKEY_ERR_CERT, "a certificate by URL: keyd fetches "
				       "none (send it, or list it in mikey_peer_certs)");
		if (c->type != MIKEY_CERT_X509 && c->type != MIKEY_CERT_SIGN)
			continue;	/* an encryption-only certificate signs nothing */
		if (*n == MIKEY_PKI_MAX_CHAIN)
			return mx_fail(f, MIKEY_ERR_CERT, "more than %d certificates",
				       MIKEY_PKI_MAX_CHAIN);
		der[(*n)++] = c->data;
	}
	return 0;
}

/* The signature over msg up to SIGN's signature field, then extra. */
static bool sig_ok(EVP_PKEY *k, const struct mikey_msg *m, const uint8_t *msg,
		   const uint8_t *extra, size_t elen)
{
	const struct mikey_payload *s = &m->pl[m->npl - 1];
	size_t cov = mikey_auth_len(m, m->npl - 1);
	uint8_t *buf;
	bool ok;

	if (s->type != MIKEY_PT_SIGN || !cov)
		return false;
	buf = malloc(cov + elen + 1);
	if (!buf)
		return false;
	memcpy(buf, msg, cov);
	if (elen)
		memcpy(buf + cov, extra, elen);
	ok = mikey_pki_verify(k, s->u.sign.s_type, buf, cov + elen, s->u.sign.sig.p,
			      s->u.sign.sig.len);
	free(buf);
	return ok;
}

EVP_PKEY *mx_sig_check(const struct mikey_pki *pki, const struct mikey_msg *m,
		       const uint8_t *msg, const struct mikey_bytes *id, const uint8_t *extra,
		       size_t elen, char peer_id[64], struct mikey_fail *f)
{
	struct mikey_bytes der[MIKEY_PKI_MAX_CHAIN];
	const uint8_t *idp = id ? id->p : NULL;
	size_t n, idlen = id ? id->len : 0;
	uint8_t err_no;
	char why[160];
	EVP_PKEY *k;

	peer_id[0] = 0;
	if (!pki)
		return mx_fail(f, MIKEY_ERR_CERT, "no mikey_cert in keyd's configuration"), NULL;
	if (msg_certs(m, der, &n, f))
		return NULL;
	if (!n && !idlen)
		return mx_fail(f, MIKEY_ERR_CERT, "neither a certificate nor an identity to "
			       "find one by"), NULL;
	k = mikey_pki_peer(pki, der, n, idp, idlen, &err_no, why, sizeof(why));
	if (!k)
		return mx_fail(f, err_no, "%s", why), NULL;
	if (!sig_ok(k, m, msg, extra, elen)) {
		EVP_PKEY_free(k);
		return mx_fail(f, MIKEY_ERR_AUTH, "the signature does not verify (altered "
			       "message, or not signed by this certificate's key)"), NULL;
	}
	if (idlen && idlen < 64 && !memchr(idp, 0, idlen)) {
		memcpy(peer_id, idp, idlen);
		peer_id[idlen] = 0;
	} else if (n) {
		mikey_pki_peer_id(&der[0], peer_id, 64);
	}
	return k;
}
