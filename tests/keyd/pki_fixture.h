/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates for the MIKEY PK tests, made with OpenSSL in a temporary
 * directory: a CA; alice and bob (RSA-2048, subjectAltName URI
 * sip:<name>@example.org) signed by it; carol (the same, never the peer
 * we talk to); mallory, self-signed but claiming to be alice; eve, signed
 * by the CA and valid for 2 s only (load it at once, then wait for it to
 * expire); peers.pem holding alice, bob and carol; anchors.pem, the CA and
 * mallory (what the attackers load their keys with).
 */
#ifndef TESTS_KEYD_PKI_FIXTURE_H
#define TESTS_KEYD_PKI_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static char pki_dir[256];

static inline int pki_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int rc;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	rc = e && X509_add_ext(x, e, -1) ? 0 : -1;
	X509_EXTENSION_free(e);
	return rc;
}

/* A certificate for key, issued by issuer (NULL: self-signed), valid from
 * now + from to now + to seconds.
 */
static inline X509 *pki_cert(EVP_PKEY *key, const char *name, X509 *issuer, EVP_PKEY *ikey,
		      bool ca, long from, long to)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *n;
	char san[128];

	if (!x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from);
	X509_gmtime_adj(X509_getm_notAfter(x), to);
	X509_set_pubkey(x, key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)name, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	snprintf(san, sizeof(san), "URI:sip:%s@example.org", name);
	if (pki_ext(x, issuer ? issuer : x, NID_basic_constraints,
		    ca ? "critical,CA:TRUE" : "CA:FALSE") ||
	    (!ca && pki_ext(x, issuer ? issuer : x, NID_subject_alt_name, san)) ||
	    !X509_sign(x, ikey ? ikey : key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static inline int pki_write(const char *name, X509 *x, EVP_PKEY *key, bool append)
{
	char path[300];
	FILE *fp;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s.pem", pki_dir, name);
	fp = fopen(path, append ? "a" : "w");
	if (!fp || !PEM_write_X509(fp, x))
		rc = -1;
	if (fp)
		fclose(fp);
	if (!key)
		return rc;
	snprintf(path, sizeof(path), "%s/%s.key", pki_dir, name);
	fp = fopen(path, "w");
	if (!fp || fchmod(fileno(fp), 0600) || !PEM_write_PrivateKey(fp, key, NULL, NULL, 0,
								      NULL, NULL))
		rc = -1;
	if (fp)
		fclose(fp);
	return rc;
}

/* Make it all; 0 or -1. */
static inline int pki_fixture(void)
{
	static const char *const names[] = { "alice", "bob", "carol" };
	EVP_PKEY *cak = EVP_RSA_gen(2048), *k = NULL;
	X509 *ca = cak ? pki_cert(cak, "ksrtp test CA", NULL, NULL, true, 0, 86400) : NULL;
	X509 *x = NULL;
	size_t i;
	int rc = -1;

	snprintf(pki_dir, sizeof(pki_dir), "/tmp/ksrtp-pki-XXXXXX");
	if (!ca || !mkdtemp(pki_dir) || pki_write("ca", ca, NULL, false))
		goto out;
	for (i = 0; i < 3; i++) {
		k = EVP_RSA_gen(2048);
		x = k ? pki_cert(k, names[i], ca, cak, false, 0, 86400) : NULL;
		if (!x || pki_write(names[i], x, k, false) || pki_write("peers", x, NULL, true))
			goto out;
		X509_free(x);
		EVP_PKEY_free(k);
		x = NULL;
		k = NULL;
	}
	k = EVP_RSA_gen(2048);	/* mallory: "alice", by nobody's authority */
	x = k ? pki_cert(k, "alice", NULL, NULL, false, 0, 86400) : NULL;
	if (!x || pki_write("mallory", x, k, false) || pki_write("anchors", ca, NULL, true) ||
	    pki_write("anchors", x, NULL, true))	/* the attackers' own anchors */
		goto out;
	X509_free(x);
	x = pki_cert(k, "eve", ca, cak, false, -60, 2);	/* soon expired */
	if (x && !pki_write("eve", x, k, false))
		rc = 0;
out:
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(k);
	EVP_PKEY_free(cak);
	return rc;
}

/*
 * The committed test PKI (tests/keyd/pki: ca, alice, bob, peers) copied to a
 * fresh directory, the keys mode 0600 as keyd wants them; 0 or -1.
 */
static inline int pki_static(const char *src)
{
	static const char *const files[] = { "ca.pem", "alice.pem", "alice.key", "bob.pem",
					     "bob.key", "peers.pem" };
	char from[300], to[300], buf[4096];
	size_t i, n;
	int rc = 0;

	snprintf(pki_dir, sizeof(pki_dir), "/tmp/ksrtp-pki-XXXXXX");
	if (!mkdtemp(pki_dir))
		return -1;
	for (i = 0; i < sizeof(files) / sizeof(files[0]) && !rc; i++) {
		FILE *in, *out;

		snprintf(from, sizeof(from), "%s/%s", src, files[i]);
		snprintf(to, sizeof(to), "%s/%s", pki_dir, files[i]);
		in = fopen(from, "r");
		out = fopen(to, "w");
		rc = !in || !out || fchmod(fileno(out), 0600);
		while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			rc = fwrite(buf, 1, n, out) != n;
		if (in)
			fclose(in);
		if (out && fclose(out))
			rc = 1;
	}
	return rc ? -1 : 0;
}

/* The path of a fixture file. */
static inline const char *pki_path(const char *file)
{
	static char buf[4][sizeof(pki_dir) + 80];
	static int n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s/%s", pki_dir, file);
	return buf[n];
}

static inline void pki_cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki_dir);
	if (pki_dir[0] && system(cmd))
		fprintf(stderr, "# cannot remove %s\n", pki_dir);
}

#endif /* TESTS_KEYD_PKI_FIXTURE_H */
