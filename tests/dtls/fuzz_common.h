/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the dtls_input fuzzer and the corpus writer (test_dtls
 * --corpus DIR): a fixed cookie secret and client address, so recorded
 * ClientHellos carry cookies the fuzzer's server accepts.
 *
 * Fuzzer input: one mode byte, then datagrams as [u16 big-endian length][bytes].
 *   mode % 4 == 0  fresh server association (stateful HelloVerifyRequest)
 *              1   dtls_listen() until accepted, then dtls_input()
 *              2   fresh server association without cookie exchange
 *              3   client association after dtls_assoc_start()
 * Bit 0x80 of the mode: set the peer fingerprint first (a wrong one if bit
 * 0x40 is set too), so the verification paths run.
 */
#ifndef KSRTP_DTLS_FUZZ_COMMON_H
#define KSRTP_DTLS_FUZZ_COMMON_H

#define FUZZ_COOKIE_SECRET	"ksrtp-dtls-fuzz-cookie-secret-01"
#define FUZZ_CLIENT_ADDR	{ 127, 0, 0, 1, 1, 0, 0, 0 }

enum {
	FUZZ_MODE_SERVER = 0,
	FUZZ_MODE_LISTEN = 1,
	FUZZ_MODE_NO_COOKIE = 2,
	FUZZ_MODE_CLIENT = 3,
	FUZZ_MODE_FP = 0x80,
	FUZZ_MODE_FP_WRONG = 0x40,
};

#endif /* KSRTP_DTLS_FUZZ_COMMON_H */
