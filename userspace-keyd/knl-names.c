// SPDX-License-Identifier: GPL-2.0
/* Do not edit: generated from netlink/ksrtp.yaml by netlink/ynl-gen.py */

#include <stddef.h>
#include <linux/ksrtp.h>

#include "knl.h"

const char *knl_sock_stats_name(int attr)
{
	static const char *const names[] = {
		[KSRTP_A_SOCK_STATS_RX_PACKETS] = "rx-packets",
		[KSRTP_A_SOCK_STATS_RX_SRTP] = "rx-srtp",
		[KSRTP_A_SOCK_STATS_RX_SRTCP] = "rx-srtcp",
		[KSRTP_A_SOCK_STATS_RX_STUN] = "rx-stun",
		[KSRTP_A_SOCK_STATS_RX_DTLS] = "rx-dtls",
		[KSRTP_A_SOCK_STATS_RX_ZRTP] = "rx-zrtp",
		[KSRTP_A_SOCK_STATS_RX_TURN] = "rx-turn",
		[KSRTP_A_SOCK_STATS_RX_OTHER] = "rx-other",
		[KSRTP_A_SOCK_STATS_RX_NO_CTX] = "rx-no-ctx",
		[KSRTP_A_SOCK_STATS_RX_MALFORMED] = "rx-malformed",
		[KSRTP_A_SOCK_STATS_RX_UPCALL] = "rx-upcall",
		[KSRTP_A_SOCK_STATS_RX_UPCALL_DROPS] = "rx-upcall-drops",
		[KSRTP_A_SOCK_STATS_RX_LEARN_DROPS] = "rx-learn-drops",
		[KSRTP_A_SOCK_STATS_TX_PACKETS] = "tx-packets",
		[KSRTP_A_SOCK_STATS_TX_SRTP] = "tx-srtp",
		[KSRTP_A_SOCK_STATS_TX_SRTCP] = "tx-srtcp",
		[KSRTP_A_SOCK_STATS_TX_PASSTHROUGH] = "tx-passthrough",
		[KSRTP_A_SOCK_STATS_TX_NO_CTX] = "tx-no-ctx",
		[KSRTP_A_SOCK_STATS_TX_REFUSED] = "tx-refused",
		[KSRTP_A_SOCK_STATS_RX_ASYNC] = "rx-async",
		[KSRTP_A_SOCK_STATS_RX_ASYNC_DROPS] = "rx-async-drops",
		[KSRTP_A_SOCK_STATS_TX_ASYNC] = "tx-async",
		[KSRTP_A_SOCK_STATS_RX_FORWARDED] = "rx-forwarded",
		[KSRTP_A_SOCK_STATS_RX_PLAIN] = "rx-plain",
	};

	if (attr <= 0 || (size_t)attr >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[attr];
}

const char *knl_ctx_stats_name(int attr)
{
	static const char *const names[] = {
		[KSRTP_A_CTX_STATS_PACKETS] = "packets",
		[KSRTP_A_CTX_STATS_BYTES] = "bytes",
		[KSRTP_A_CTX_STATS_RTCP_PACKETS] = "rtcp-packets",
		[KSRTP_A_CTX_STATS_RTCP_BYTES] = "rtcp-bytes",
		[KSRTP_A_CTX_STATS_AUTH_FAIL] = "auth-fail",
		[KSRTP_A_CTX_STATS_REPLAY_DROP] = "replay-drop",
		[KSRTP_A_CTX_STATS_RTCP_AUTH_FAIL] = "rtcp-auth-fail",
		[KSRTP_A_CTX_STATS_RTCP_REPLAY_DROP] = "rtcp-replay-drop",
		[KSRTP_A_CTX_STATS_MALFORMED] = "malformed",
		[KSRTP_A_CTX_STATS_UNKNOWN_MKI] = "unknown-mki",
		[KSRTP_A_CTX_STATS_ROC_ROLLOVER] = "roc-rollover",
		[KSRTP_A_CTX_STATS_INDEX_REUSE] = "index-reuse",
		[KSRTP_A_CTX_STATS_LIMIT_DROP] = "limit-drop",
		[KSRTP_A_CTX_STATS_LIMIT_EVENTS] = "limit-events",
		[KSRTP_A_CTX_STATS_HIGHEST_INDEX] = "highest-index",
		[KSRTP_A_CTX_STATS_RTCP_INDEX] = "rtcp-index",
		[KSRTP_A_CTX_STATS_KDR_PENDING] = "kdr-pending",
	};

	if (attr <= 0 || (size_t)attr >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[attr];
}

const char *knl_fwd_stats_name(int attr)
{
	static const char *const names[] = {
		[KSRTP_A_FWD_STATS_PACKETS] = "packets",
		[KSRTP_A_FWD_STATS_BYTES] = "bytes",
		[KSRTP_A_FWD_STATS_RTCP_PACKETS] = "rtcp-packets",
		[KSRTP_A_FWD_STATS_RTCP_BYTES] = "rtcp-bytes",
		[KSRTP_A_FWD_STATS_PT_DROP] = "pt-drop",
		[KSRTP_A_FWD_STATS_TX_NO_CTX] = "tx-no-ctx",
		[KSRTP_A_FWD_STATS_TX_DROP] = "tx-drop",
		[KSRTP_A_FWD_STATS_IDLE_MS] = "idle-ms",
		[KSRTP_A_FWD_STATS_SRC_MISMATCH] = "src-mismatch",
		[KSRTP_A_FWD_STATS_DEST_PACKETS] = "dest-packets",
	};

	if (attr <= 0 || (size_t)attr >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[attr];
}
