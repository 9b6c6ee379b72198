/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY's public-key side (RFC 3830 §4.2.5, §4.2.6, §4.3; RFC 4738), all
 * through OpenSSL: our RSA key and certificate chain, the trust anchors a
 * peer's certificate must chain to, the peers' certificates known ahead
 * (the PK initiator needs the responder's before it offers), signatures
 * (RSA PKCS#1 v1.5 or PSS over SHA-256), the envelope key's RSA encryption
 * (PKCS#1 v1.5, the RFC's mandatory one) and the certificate hash (CHASH).
 */
#ifndef KEYD_MIKEY_PKI_H
#define KEYD_MIKEY_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "mikey_msg.h"

#define MIKEY_PKI_MAX_CHAIN	4	/* CERT payloads we send or take */
#define MIKEY_SIG_MAX		1024	/* SIGN's 12-bit length: RSA up to 8192 bits */
#define MIKEY_ENV_KEY_LEN	16	/* the envelope key (§3.2) */
#define MIKEY_CHASH_LEN		20	/* SHA-1, §4.2.1's mandatory hash */

enum mikey_cert_type { MIKEY_CERT_X509 = 0, MIKEY_CERT_URL = 1, MIKEY_CERT_SIGN = 2,
		       MIKEY_CERT_ENCR = 3 };

struct mikey_pki_cfg {
	const char *cert_file;	/* our certificate, then its chain (PEM) */
	const char *key_file;	/* our RSA private key (PEM; not group/world readable) */
	const char *ca_file;	/* trust anchors (PEM) */
	const char *peer_file;	/* peers' certificates (PEM bundle), or NULL */
	bool pss;		/* sign with RSA-PSS, not PKCS#1 v1.5 */
};

struct mikey_pki;

/* Load and check (key matches certificate, our certificate chains to the
 * anchors, RSA). NULL with err on failure.
 */
struct mikey_pki *mikey_pki_load(const struct mikey_pki_cfg *c, char *err, size_t errlen);
void mikey_pki_free(struct mikey_pki *p);

/* Our chain as DER, leaf first: the bytes of our CERT payloads. */
size_t mikey_pki_chain(const struct mikey_pki *p, struct mikey_bytes *der, size_t max);
/* Whether our certificate names identity id (a subjectAltName URI or
 * email, or without those the common name).
 */
bool mikey_pki_is_ours(const struct mikey_pki *p, const char *id);

/* Signatures: our SIGN payload's S type and length, and the signing. */
uint8_t mikey_pki_sig_type(const struct mikey_pki *p);
size_t mikey_pki_sig_len(const struct mikey_pki *p);
int mikey_pki_sign(const struct mikey_pki *p, const uint8_t *data, size_t len,
		   uint8_t *sig, size_t siglen);

/*
 * A peer's public key: from the certificates its message carried (certs,
 * leaf first; X.509v3 or X.509v3-Sign/-Encr DER), else from our peers'
 * bundle by identity id. The certificate must chain to our anchors, be in
 * its validity period and name id (when id is given). Returns the key (the
 * caller frees it) or NULL with why. *err_no says which MIKEY ERR fits.
 */
EVP_PKEY *mikey_pki_peer(const struct mikey_pki *p, const struct mikey_bytes *certs,
			 size_t ncerts, const uint8_t *id, size_t idlen, uint8_t *err_no,
			 char *why, size_t whylen);
/* The identity a peer's leaf certificate gives (first SAN URI or email, or
 * the CN) into out; false if none fits.
 */
bool mikey_pki_peer_id(const struct mikey_bytes *leaf, char *out, size_t cap);

/* A SIGN payload's signature (s_type: PKCS#1 v1.5 or PSS, SHA-256). */
bool mikey_pki_verify(EVP_PKEY *key, uint8_t s_type, const uint8_t *data, size_t len,
		      const uint8_t *sig, size_t siglen);

/* PKE: the envelope key under the peer's RSA key (PKCS#1 v1.5). */
int mikey_pki_seal(EVP_PKEY *peer, const uint8_t *k, size_t klen, uint8_t *out,
		   size_t cap, size_t *outlen);
/*
 * PKE opened with our key into k (klen bytes). A PKE that does not open to
 * klen bytes gives random ones instead, so that it fails later exactly like
 * a wrong MAC (no padding oracle). -1 only if OpenSSL itself fails.
 */
int mikey_pki_open(const struct mikey_pki *p, const uint8_t *in, size_t len, uint8_t *k,
		   size_t klen);

/* CHASH: SHA-1 of a DER certificate; whether a CHASH names ours. */
int mikey_pki_chash(const struct mikey_bytes *der, uint8_t out[MIKEY_CHASH_LEN]);
bool mikey_pki_chash_is_ours(const struct mikey_pki *p, const struct mikey_bytes *hash);

#endif /* KEYD_MIKEY_PKI_H */
