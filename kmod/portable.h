/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet-format and replay logic (rtp.h, replay.h) is plain C with no
 * kernel dependencies, so the same code also builds natively for unit tests,
 * ASan/UBSan and libFuzzer. This header gives it the few types it needs.
 */
#ifndef _KSRTP_PORTABLE_H
#define _KSRTP_PORTABLE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/bitops.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <string.h>
typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
#endif

static inline u16 ksrtp_get_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline u32 ksrtp_get_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

static inline void ksrtp_put_be16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void ksrtp_put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

#endif /* _KSRTP_PORTABLE_H */
