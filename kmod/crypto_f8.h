/* SPDX-License-Identifier: GPL-2.0 */
/* The "f8" skcipher template (crypto_f8.c): RFC 3711 section 4.1.2. */
#ifndef _KSRTP_CRYPTO_F8_H
#define _KSRTP_CRYPTO_F8_H

/* k_e || m of the largest AES key: the template's key is twice the cipher's */
#define F8_MAX_KEY	64

int ksrtp_f8_register(void);
void ksrtp_f8_unregister(void);

#endif /* _KSRTP_CRYPTO_F8_H */
