// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP engine's datagram BIO: OpenSSL reads and writes whole
 * datagrams through it, never a socket.
 */
#include "dtls_internal.h"

#include <string.h>

#include <openssl/crypto.h>

/*
 * One BIO_write = one datagram out (through the send callback). One
 * BIO_read = the one datagram dtls_input() is handling, or "retry".
 */
static BIO_METHOD *dgram_method;
static CRYPTO_ONCE dgram_once = CRYPTO_ONCE_STATIC_INIT;

static int dgram_write(BIO *b, const char *data, int len)
{
	struct dtls_assoc *a = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (!a || len < 0)
		return -1;
	a->wrote = true;
	a->stats.tx_datagrams++;
	a->stats.tx_bytes += (uint64_t)len;
	if (a->send(a->send_ctx, (const uint8_t *)data, (size_t)len) < 0)
		a->stats.tx_errors++;	/* lost datagram: DTLS retransmits */
	return len;
}

static int dgram_read(BIO *b, char *out, int outl)
{
	struct dtls_assoc *a = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (!a || !a->in || outl <= 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = a->in_len < (size_t)outl ? a->in_len : (size_t)outl;
	memcpy(out, a->in, n);
	a->in = NULL;
	a->in_len = 0;
	return (int)n;
}

static long dgram_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
	case BIO_CTRL_DUP:
		return 1;
	case BIO_CTRL_PENDING:
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
	case BIO_CTRL_DGRAM_MTU_EXCEEDED:
	case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
	case BIO_CTRL_DGRAM_GET_PEER:
	default:
		return 0;
	}
}

static int dgram_create(BIO *b)
{
	BIO_set_init(b, 1);
	BIO_set_data(b, NULL);
	return 1;
}

static int dgram_destroy(BIO *b)
{
	BIO_set_data(b, NULL);
	return 1;
}

static void dgram_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
				     "ksrtp dtls datagram");

	if (!m)
		return;
	if (!BIO_meth_set_write(m, dgram_write) ||
	    !BIO_meth_set_read(m, dgram_read) ||
	    !BIO_meth_set_ctrl(m, dgram_ctrl) ||
	    !BIO_meth_set_create(m, dgram_create) ||
	    !BIO_meth_set_destroy(m, dgram_destroy)) {
		BIO_meth_free(m);
		return;
	}
	dgram_method = m;
}

BIO_METHOD *dtls_bio_method(void)
{
	CRYPTO_THREAD_run_once(&dgram_once, dgram_method_init);
	return dgram_method;
}
