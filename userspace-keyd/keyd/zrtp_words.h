/* SPDX-License-Identifier: GPL-2.0 */
/* The PGP word list, for ZRTP's B256 SAS (zrtp_words.c). */
#ifndef KEYD_ZRTP_WORDS_H
#define KEYD_ZRTP_WORDS_H

extern const char *const zrtp_pgp_even[256];	/* the sasvalue's first byte */
extern const char *const zrtp_pgp_odd[256];	/* its second byte */

#endif /* KEYD_ZRTP_WORDS_H */
