/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit: generated from netlink/ksrtp.yaml by netlink/ynl-gen.py */

#ifndef _UAPI_LINUX_KSRTP_H
#define _UAPI_LINUX_KSRTP_H

#define KSRTP_FAMILY_NAME	"ksrtp"
#define KSRTP_FAMILY_VERSION	1

#define KSRTP_MAX_MKI_LEN	4
#define KSRTP_MAX_KEYS	8
#define KSRTP_WINDOW_MIN	64
#define KSRTP_WINDOW_MAX	32768
#define KSRTP_WINDOW_DEFAULT	128
#define KSRTP_MAX_DATAGRAM	65507

/**
 * enum ksrtp_feature - Capabilities of the running module, reported by info-get.
 * @KSRTP_FEATURE_INFO: The info-get command.
 * @KSRTP_FEATURE_SOCK: sock-attach, sock-detach, sock-get, sock-send.
 * @KSRTP_FEATURE_CTX: ctx-new, ctx-del, ctx-get with every suite in info's
 *	suites.
 * @KSRTP_FEATURE_MKI: MKI and several master keys per context (key-add,
 *	key-swap, key-del).
 * @KSRTP_FEATURE_SSRC_ANY: Any-SSRC templates, instantiated on the first
 *	authenticated packet.
 * @KSRTP_FEATURE_REMOTE_BIND: Contexts bound to a remote address and port.
 * @KSRTP_FEATURE_UPCALL: DTLS and ZRTP datagrams delivered to the attaching
 *	netlink socket.
 * @KSRTP_FEATURE_IPV6: IPv6 and dual-stack sockets.
 * @KSRTP_FEATURE_SOCK_SET: sock-set: change a socket's upcall classes, taking
 *	its upcalls over, and its max-learned.
 * @KSRTP_FEATURE_RX_ASYNC: RX can finish a packet whose crypto completes
 *	asynchronously (the kernel exports UDP's receive queueing to modules);
 *	without it, RX uses synchronous transforms only.
 * @KSRTP_FEATURE_FWD: fwd-add, fwd-del, fwd-get: SRTP relayed between attached
 *	sockets in the kernel.
 */
enum ksrtp_feature {
	KSRTP_FEATURE_INFO = 1,
	KSRTP_FEATURE_SOCK = 2,
	KSRTP_FEATURE_CTX = 4,
	KSRTP_FEATURE_MKI = 8,
	KSRTP_FEATURE_SSRC_ANY = 16,
	KSRTP_FEATURE_REMOTE_BIND = 32,
	KSRTP_FEATURE_UPCALL = 64,
	KSRTP_FEATURE_IPV6 = 128,
	KSRTP_FEATURE_SOCK_SET = 256,
	KSRTP_FEATURE_RX_ASYNC = 512,
	KSRTP_FEATURE_FWD = 1024,
};

/**
 * enum ksrtp_suite - SRTP crypto suites, named as in SDES (RFC 4568, 6188, 7714, F8 3711).
 */
enum ksrtp_suite {
	KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80 = 1,
	KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32 = 2,
	KSRTP_SUITE_AES_192_CM_HMAC_SHA1_80 = 3,
	KSRTP_SUITE_AES_192_CM_HMAC_SHA1_32 = 4,
	KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80 = 5,
	KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32 = 6,
	KSRTP_SUITE_AEAD_AES_128_GCM = 7,
	KSRTP_SUITE_AEAD_AES_256_GCM = 8,
	KSRTP_SUITE_NULL_HMAC_SHA1_80 = 9,
	KSRTP_SUITE_NULL_HMAC_SHA1_32 = 10,
	KSRTP_SUITE_F8_128_HMAC_SHA1_80 = 11,
	KSRTP_SUITE_F8_128_HMAC_SHA1_32 = 12,

	/* private: */
	__KSRTP_SUITE_MAX,
	KSRTP_SUITE_MAX = (__KSRTP_SUITE_MAX - 1)
};

/**
 * enum ksrtp_dir - Direction of a context.
 * @KSRTP_DIR_RX: Packets received from the network (unprotect).
 * @KSRTP_DIR_TX: Packets the application sends (protect).
 */
enum ksrtp_dir {
	KSRTP_DIR_RX = 0,
	KSRTP_DIR_TX = 1,

	/* private: */
	__KSRTP_DIR_MAX,
	KSRTP_DIR_MAX = (__KSRTP_DIR_MAX - 1)
};

/**
 * enum ksrtp_ctx_flags - RFC 4568 session parameters.
 * @KSRTP_CTX_FLAGS_UNENCRYPTED_SRTP: SRTP payloads are not encrypted (still
 *	authenticated).
 * @KSRTP_CTX_FLAGS_UNENCRYPTED_SRTCP: SRTCP payloads are not encrypted (E bit
 *	0; still authenticated).
 * @KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP: SRTP carries no authentication tag.
 *	Refused unless the module parameter allow_unauthenticated_srtp is set.
 */
enum ksrtp_ctx_flags {
	KSRTP_CTX_FLAGS_UNENCRYPTED_SRTP = 1,
	KSRTP_CTX_FLAGS_UNENCRYPTED_SRTCP = 2,
	KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP = 4,
};

/**
 * enum ksrtp_upcall - Which non-RTP datagrams go to the attaching netlink socket.
 * @KSRTP_UPCALL_DTLS: First byte 20..63 (RFC 7983).
 * @KSRTP_UPCALL_ZRTP: First byte 16..19 (RFC 7983).
 */
enum ksrtp_upcall {
	KSRTP_UPCALL_DTLS = 1,
	KSRTP_UPCALL_ZRTP = 2,
};

/**
 * enum ksrtp_ctx_origin - How a context came to exist.
 * @KSRTP_CTX_ORIGIN_EXPLICIT: Installed by ctx-new for one SSRC.
 * @KSRTP_CTX_ORIGIN_TEMPLATE: An any-SSRC template installed by ctx-new.
 * @KSRTP_CTX_ORIGIN_LEARNED: Created from a template by the first authenticated
 *	packet.
 */
enum ksrtp_ctx_origin {
	KSRTP_CTX_ORIGIN_EXPLICIT = 0,
	KSRTP_CTX_ORIGIN_TEMPLATE = 1,
	KSRTP_CTX_ORIGIN_LEARNED = 2,

	/* private: */
	__KSRTP_CTX_ORIGIN_MAX,
	KSRTP_CTX_ORIGIN_MAX = (__KSRTP_CTX_ORIGIN_MAX - 1)
};

/**
 * enum ksrtp_detach_reason - detach-reason
 * @KSRTP_DETACH_REASON_REQUEST: sock-detach.
 * @KSRTP_DETACH_REASON_CLOSED: The application closed the socket.
 * @KSRTP_DETACH_REASON_UNLOAD: The module is being removed.
 */
enum ksrtp_detach_reason {
	KSRTP_DETACH_REASON_REQUEST = 0,
	KSRTP_DETACH_REASON_CLOSED = 1,
	KSRTP_DETACH_REASON_UNLOAD = 2,

	/* private: */
	__KSRTP_DETACH_REASON_MAX,
	KSRTP_DETACH_REASON_MAX = (__KSRTP_DETACH_REASON_MAX - 1)
};

/**
 * enum ksrtp_limit - Which packet-count limit a key reached.
 * @KSRTP_LIMIT_SOFT: The context's soft-limit; the key keeps working.
 * @KSRTP_LIMIT_HARD: 2^48 SRTP or 2^31 SRTCP packets; the key no longer
 *	protects.
 */
enum ksrtp_limit {
	KSRTP_LIMIT_SOFT = 0,
	KSRTP_LIMIT_HARD = 1,

	/* private: */
	__KSRTP_LIMIT_MAX,
	KSRTP_LIMIT_MAX = (__KSRTP_LIMIT_MAX - 1)
};

/**
 * enum ksrtp_plain_rtp - What an attached socket does with RTP/RTCP that no RX context matches
 * @KSRTP_PLAIN_RTP_DROP: Drop it and count it in rx-no-ctx (the default).
 * @KSRTP_PLAIN_RTP_UNTIL_KEYED: Deliver it (counted in rx-plain) until the
 *	socket's first RX context is installed, then drop it.
 * @KSRTP_PLAIN_RTP_ALLOW: Always deliver it to the application (counted in
 *	rx-plain).
 */
enum ksrtp_plain_rtp {
	KSRTP_PLAIN_RTP_DROP = 0,
	KSRTP_PLAIN_RTP_UNTIL_KEYED = 1,
	KSRTP_PLAIN_RTP_ALLOW = 2,

	/* private: */
	__KSRTP_PLAIN_RTP_MAX,
	KSRTP_PLAIN_RTP_MAX = (__KSRTP_PLAIN_RTP_MAX - 1)
};

/**
 * enum ksrtp_fwd_flags - How a forward treats the packets it relays.
 * @KSRTP_FWD_FLAGS_COPY_TO_APP: The application still reads each forwarded
 *	packet in the clear (recording, monitoring); without it the forward consumes
 *	them.
 * @KSRTP_FWD_FLAGS_PLAIN_IN: The RX leg is plain RTP/RTCP: packets of ssrc that
 *	no RX context matches are forwarded, if they come from rx-remote-addr and
 *	rx-remote-port, or (latch) from the first source that sent one.
 * @KSRTP_FWD_FLAGS_PLAIN_OUT: The TX leg is plain RTP/RTCP, nothing is
 *	protected.
 * @KSRTP_FWD_FLAGS_LATCH: With plain-in and no rx-remote-addr: the forward
 *	takes the source of the first packet and only that source from then on.
 */
enum ksrtp_fwd_flags {
	KSRTP_FWD_FLAGS_COPY_TO_APP = 1,
	KSRTP_FWD_FLAGS_PLAIN_IN = 2,
	KSRTP_FWD_FLAGS_PLAIN_OUT = 4,
	KSRTP_FWD_FLAGS_LATCH = 8,
};

/**
 * enum - attributes of the info set
 * @KSRTP_A_INFO_VERSION: Family (API) version, KSRTP_FAMILY_VERSION of the
 *	module.
 * @KSRTP_A_INFO_MODULE_VERSION: Release string of the loaded module.
 * @KSRTP_A_INFO_FEATURES: Bitmask of enum ksrtp-feature the module implements.
 * @KSRTP_A_INFO_SUITES: Bitmask of 1 << enum ksrtp-suite the module can run
 *	here.
 * @KSRTP_A_INFO_GCM_DRIVER: Crypto API driver the AEAD suites use
 *	(cra_driver_name, or gcm(aes) for the synchronous default). A name starting
 *	with "__" is an internal SIMD driver, used while the FPU is usable; packets
 *	are done in C otherwise.
 * @KSRTP_A_INFO_CTR_DRIVER: Crypto API driver the AES-CM suites use, as
 *	gcm-driver.
 * @KSRTP_A_INFO_F8_DRIVER: Crypto API driver the F8 suites use: the module's
 *	own "f8" template over the kernel's AES, e.g. f8(aes-aesni).
 */
enum {
	KSRTP_A_INFO_VERSION = 1,
	KSRTP_A_INFO_MODULE_VERSION = 2,
	KSRTP_A_INFO_FEATURES = 3,
	KSRTP_A_INFO_SUITES = 4,
	KSRTP_A_INFO_GCM_DRIVER = 5,
	KSRTP_A_INFO_CTR_DRIVER = 6,
	KSRTP_A_INFO_F8_DRIVER = 7,

	__KSRTP_A_INFO_MAX,
	KSRTP_A_INFO_MAX = (__KSRTP_A_INFO_MAX - 1)
};

/**
 * enum - attributes of the sock set
 * @KSRTP_A_SOCK_COOKIE: Handle of an attached socket (its SO_COOKIE).
 * @KSRTP_A_SOCK_FD: File descriptor of a UDP socket in the sender's fd table.
 * @KSRTP_A_SOCK_FAMILY: AF_INET or AF_INET6 (reply only).
 * @KSRTP_A_SOCK_LOCAL_PORT: Bound local port, host byte order (reply only).
 * @KSRTP_A_SOCK_UPCALL: Deliver these datagram classes to the netlink socket
 *	that attached the socket, or to the one that last sent sock-set with upcall.
 * @KSRTP_A_SOCK_MAX_LEARNED: Cap on contexts learned from any-SSRC templates
 *	(default 256).
 * @KSRTP_A_SOCK_STATS: Counters (reply only).
 * @KSRTP_A_SOCK_REMOTE_ADDR: IPv4 (4 bytes) or IPv6 (16 bytes) address, network
 *	order.
 * @KSRTP_A_SOCK_REMOTE_PORT: UDP port, host byte order.
 * @KSRTP_A_SOCK_DATA: A datagram (sock-send, upcall-ntf).
 * @KSRTP_A_SOCK_UPCALL_PORTID: Netlink port that receives upcalls: the
 *	attaching socket's, or the last sock-set requester's (reply only).
 * @KSRTP_A_SOCK_N_CTX: Contexts installed on the socket (reply only).
 * @KSRTP_A_SOCK_REASON: Why the socket was detached (sock-detach-ntf).
 * @KSRTP_A_SOCK_PLAIN_RTP: What to do with RTP/RTCP no RX context matches
 *	(default drop).
 */
enum {
	KSRTP_A_SOCK_COOKIE = 1,
	KSRTP_A_SOCK_FD = 2,
	KSRTP_A_SOCK_FAMILY = 3,
	KSRTP_A_SOCK_LOCAL_PORT = 4,
	KSRTP_A_SOCK_UPCALL = 5,
	KSRTP_A_SOCK_MAX_LEARNED = 6,
	KSRTP_A_SOCK_STATS = 7,
	KSRTP_A_SOCK_REMOTE_ADDR = 8,
	KSRTP_A_SOCK_REMOTE_PORT = 9,
	KSRTP_A_SOCK_DATA = 10,
	KSRTP_A_SOCK_UPCALL_PORTID = 11,
	KSRTP_A_SOCK_N_CTX = 12,
	KSRTP_A_SOCK_REASON = 13,
	KSRTP_A_SOCK_PAD = 14,
	KSRTP_A_SOCK_PLAIN_RTP = 15,

	__KSRTP_A_SOCK_MAX,
	KSRTP_A_SOCK_MAX = (__KSRTP_A_SOCK_MAX - 1)
};

/**
 * enum - attributes of the sock-stats set
 * @KSRTP_A_SOCK_STATS_RX_OTHER: Datagrams of no RFC 7983 class, passed to the
 *	application.
 * @KSRTP_A_SOCK_STATS_RX_NO_CTX: SRTP/SRTCP dropped because no context or
 *	template matched.
 * @KSRTP_A_SOCK_STATS_RX_MALFORMED: RTP/RTCP too short or with a bad header,
 *	dropped.
 * @KSRTP_A_SOCK_STATS_RX_UPCALL_DROPS: Upcalls the netlink listener could not
 *	take.
 * @KSRTP_A_SOCK_STATS_RX_LEARN_DROPS: Authenticated packets of new SSRCs
 *	dropped at the max-learned cap.
 * @KSRTP_A_SOCK_STATS_TX_PASSTHROUGH: Non-RTP datagrams sent unmodified.
 * @KSRTP_A_SOCK_STATS_TX_NO_CTX: RTP/RTCP refused (ENOKEY) because no TX
 *	context matched.
 * @KSRTP_A_SOCK_STATS_TX_REFUSED: Sends refused for MSG_MORE, corking,
 *	UDP_SEGMENT or size.
 * @KSRTP_A_SOCK_STATS_RX_ASYNC: SRTP/SRTCP whose crypto completed
 *	asynchronously (the kernel's implementation deferred it, e.g. to cryptd while
 *	the FPU was busy).
 * @KSRTP_A_SOCK_STATS_RX_ASYNC_DROPS: SRTP/SRTCP dropped around asynchronous
 *	crypto: no memory for the request, or the socket could not take the finished
 *	datagram.
 * @KSRTP_A_SOCK_STATS_TX_ASYNC: SRTP/SRTCP sends whose crypto completed
 *	asynchronously.
 * @KSRTP_A_SOCK_STATS_RX_FORWARDED: SRTP/SRTCP consumed by forwards (fwd-add)
 *	rather than delivered to the application; a forward with copy-to-app does not
 *	count here.
 * @KSRTP_A_SOCK_STATS_RX_PLAIN: RTP/RTCP no RX context matched that plain-rtp
 *	let through to the application or a plain-in forward took.
 */
enum {
	KSRTP_A_SOCK_STATS_RX_PACKETS = 1,
	KSRTP_A_SOCK_STATS_RX_SRTP = 2,
	KSRTP_A_SOCK_STATS_RX_SRTCP = 3,
	KSRTP_A_SOCK_STATS_RX_STUN = 4,
	KSRTP_A_SOCK_STATS_RX_DTLS = 5,
	KSRTP_A_SOCK_STATS_RX_ZRTP = 6,
	KSRTP_A_SOCK_STATS_RX_TURN = 7,
	KSRTP_A_SOCK_STATS_RX_OTHER = 8,
	KSRTP_A_SOCK_STATS_RX_NO_CTX = 9,
	KSRTP_A_SOCK_STATS_RX_MALFORMED = 10,
	KSRTP_A_SOCK_STATS_RX_UPCALL = 11,
	KSRTP_A_SOCK_STATS_RX_UPCALL_DROPS = 12,
	KSRTP_A_SOCK_STATS_RX_LEARN_DROPS = 13,
	KSRTP_A_SOCK_STATS_TX_PACKETS = 14,
	KSRTP_A_SOCK_STATS_TX_SRTP = 15,
	KSRTP_A_SOCK_STATS_TX_SRTCP = 16,
	KSRTP_A_SOCK_STATS_TX_PASSTHROUGH = 17,
	KSRTP_A_SOCK_STATS_TX_NO_CTX = 18,
	KSRTP_A_SOCK_STATS_TX_REFUSED = 19,
	KSRTP_A_SOCK_STATS_PAD = 20,
	KSRTP_A_SOCK_STATS_RX_ASYNC = 21,
	KSRTP_A_SOCK_STATS_RX_ASYNC_DROPS = 22,
	KSRTP_A_SOCK_STATS_TX_ASYNC = 23,
	KSRTP_A_SOCK_STATS_RX_FORWARDED = 24,
	KSRTP_A_SOCK_STATS_RX_PLAIN = 25,

	__KSRTP_A_SOCK_STATS_MAX,
	KSRTP_A_SOCK_STATS_MAX = (__KSRTP_A_SOCK_STATS_MAX - 1)
};

/**
 * enum - attributes of the key set
 * @KSRTP_A_KEY_ID: Caller-chosen key identifier, unique within a context.
 * @KSRTP_A_KEY_MASTER_KEY: Master key (16, 24 or 32 bytes as the suite says).
 *	Write-only.
 * @KSRTP_A_KEY_MASTER_SALT: Master salt (14 bytes; 12 for AEAD suites).
 *	Write-only.
 * @KSRTP_A_KEY_MKI: Master key identifier carried in packets.
 * @KSRTP_A_KEY_ACTIVE: The key TX uses (reply only).
 * @KSRTP_A_KEY_SRTP_PACKETS: Packets processed under this key (reply only).
 * @KSRTP_A_KEY_SRTCP_PACKETS: SRTCP packets processed under this key (reply
 *	only).
 */
enum {
	KSRTP_A_KEY_ID = 1,
	KSRTP_A_KEY_MASTER_KEY = 2,
	KSRTP_A_KEY_MASTER_SALT = 3,
	KSRTP_A_KEY_MKI = 4,
	KSRTP_A_KEY_ACTIVE = 5,
	KSRTP_A_KEY_SRTP_PACKETS = 6,
	KSRTP_A_KEY_SRTCP_PACKETS = 7,
	KSRTP_A_KEY_PAD = 8,

	__KSRTP_A_KEY_MAX,
	KSRTP_A_KEY_MAX = (__KSRTP_A_KEY_MAX - 1)
};

/**
 * enum - attributes of the ctx set
 * @KSRTP_A_CTX_SSRC_ANY: An any-SSRC template (instead of ssrc).
 * @KSRTP_A_CTX_KEY: A master key (ctx-new, key-add); in replies one nest per
 *	key without key material.
 * @KSRTP_A_CTX_KEY_ID: Selects a key (key-swap, key-del).
 * @KSRTP_A_CTX_ROC: Initial rollover counter (default 0).
 * @KSRTP_A_CTX_SEQ: Initial (RX) or next expected (TX) sequence number.
 * @KSRTP_A_CTX_WINDOW: Replay window in packets (default 128), rounded up to
 *	64.
 * @KSRTP_A_CTX_REMOTE_ADDR: Bind the context to this peer address (RX source,
 *	TX destination).
 * @KSRTP_A_CTX_REMOTE_PORT: Peer UDP port for remote-addr, host byte order.
 * @KSRTP_A_CTX_KDR: Key derivation rate (RFC 3711 4.3.1): 0 derives the session
 *	keys once, a power of two from 2^16 to 2^24 every that many packets (lower
 *	rates are refused). Explicit-SSRC contexts of AES-CM, AES-f8 and NULL suites
 *	only.
 * @KSRTP_A_CTX_SOFT_LIMIT: Packets per key after which ctx-limit-ntf (soft) is
 *	sent.
 * @KSRTP_A_CTX_ORIGIN: Reply only.
 * @KSRTP_A_CTX_STATS: Reply only.
 * @KSRTP_A_CTX_LIMIT: ctx-limit-ntf only.
 */
enum {
	KSRTP_A_CTX_SOCK_COOKIE = 1,
	KSRTP_A_CTX_DIR = 2,
	KSRTP_A_CTX_SSRC = 3,
	KSRTP_A_CTX_SSRC_ANY = 4,
	KSRTP_A_CTX_SUITE = 5,
	KSRTP_A_CTX_KEY = 6,
	KSRTP_A_CTX_KEY_ID = 7,
	KSRTP_A_CTX_ROC = 8,
	KSRTP_A_CTX_SEQ = 9,
	KSRTP_A_CTX_WINDOW = 10,
	KSRTP_A_CTX_REMOTE_ADDR = 11,
	KSRTP_A_CTX_REMOTE_PORT = 12,
	KSRTP_A_CTX_FLAGS = 13,
	KSRTP_A_CTX_KDR = 14,
	KSRTP_A_CTX_SOFT_LIMIT = 15,
	KSRTP_A_CTX_ORIGIN = 16,
	KSRTP_A_CTX_STATS = 17,
	KSRTP_A_CTX_LIMIT = 18,
	KSRTP_A_CTX_PAD = 19,

	__KSRTP_A_CTX_MAX,
	KSRTP_A_CTX_MAX = (__KSRTP_A_CTX_MAX - 1)
};

/**
 * enum - attributes of the ctx-stats set
 * @KSRTP_A_CTX_STATS_PACKETS: SRTP packets protected (tx) or accepted (rx).
 * @KSRTP_A_CTX_STATS_BYTES: Plain RTP bytes of those packets.
 * @KSRTP_A_CTX_STATS_MALFORMED: Too short for the suite's trailer, or bad RTCP
 *	framing.
 * @KSRTP_A_CTX_STATS_INDEX_REUSE: TX packets refused because their index was
 *	already used.
 * @KSRTP_A_CTX_STATS_LIMIT_DROP: Packets refused because the key hit its hard
 *	limit.
 * @KSRTP_A_CTX_STATS_HIGHEST_INDEX: Highest SRTP index (ROC << 16 | SEQ) seen
 *	or sent.
 * @KSRTP_A_CTX_STATS_RTCP_INDEX: Highest SRTCP index seen or last sent.
 * @KSRTP_A_CTX_STATS_KDR_PENDING: Packets dropped because the session keys of
 *	their KDR epoch were not derived yet (a receiver: also packets of an epoch
 *	too far from the stream's).
 */
enum {
	KSRTP_A_CTX_STATS_PACKETS = 1,
	KSRTP_A_CTX_STATS_BYTES = 2,
	KSRTP_A_CTX_STATS_RTCP_PACKETS = 3,
	KSRTP_A_CTX_STATS_RTCP_BYTES = 4,
	KSRTP_A_CTX_STATS_AUTH_FAIL = 5,
	KSRTP_A_CTX_STATS_REPLAY_DROP = 6,
	KSRTP_A_CTX_STATS_RTCP_AUTH_FAIL = 7,
	KSRTP_A_CTX_STATS_RTCP_REPLAY_DROP = 8,
	KSRTP_A_CTX_STATS_MALFORMED = 9,
	KSRTP_A_CTX_STATS_UNKNOWN_MKI = 10,
	KSRTP_A_CTX_STATS_ROC_ROLLOVER = 11,
	KSRTP_A_CTX_STATS_INDEX_REUSE = 12,
	KSRTP_A_CTX_STATS_LIMIT_DROP = 13,
	KSRTP_A_CTX_STATS_LIMIT_EVENTS = 14,
	KSRTP_A_CTX_STATS_HIGHEST_INDEX = 15,
	KSRTP_A_CTX_STATS_RTCP_INDEX = 16,
	KSRTP_A_CTX_STATS_PAD = 17,
	KSRTP_A_CTX_STATS_KDR_PENDING = 18,

	__KSRTP_A_CTX_STATS_MAX,
	KSRTP_A_CTX_STATS_MAX = (__KSRTP_A_CTX_STATS_MAX - 1)
};

/**
 * enum - attributes of the fwd set
 * @KSRTP_A_FWD_ID: The forward, as fwd-add's reply names it (fwd-del, fwd-get).
 * @KSRTP_A_FWD_RX_SOCK_COOKIE: The attached socket the stream arrives on.
 * @KSRTP_A_FWD_SSRC: The SSRC received there. Its packets are forwarded once
 *	they authenticated with an RX context of that socket, as the application
 *	would have read them.
 * @KSRTP_A_FWD_TX_SOCK_COOKIE: The attached socket the stream leaves from,
 *	protected with its TX context for ssrc-out (the same socket as rx-sock-cookie
 *	is allowed).
 * @KSRTP_A_FWD_REMOTE_ADDR: Destination address, 4 (IPv4) or 16 (IPv6) bytes.
 * @KSRTP_A_FWD_REMOTE_PORT: Destination UDP port, host byte order.
 * @KSRTP_A_FWD_SSRC_OUT: SSRC of the forwarded stream (default ssrc); RTCP
 *	alike.
 * @KSRTP_A_FWD_SEQ_OFFSET: Added to each RTP sequence number, modulo 2^16.
 * @KSRTP_A_FWD_TS_OFFSET: Added to each RTP timestamp and to the RTP timestamp
 *	of RTCP sender reports, modulo 2^32.
 * @KSRTP_A_FWD_PT_FILTER: The RTP payload types forwarded, a 128-bit bitmap:
 *	payload type n is bit n % 8 of byte n / 8. Other RTP packets are dropped and
 *	counted (pt-drop); RTCP is not filtered. Absent: all.
 * @KSRTP_A_FWD_STATS: Reply only.
 * @KSRTP_A_FWD_RX_REMOTE_ADDR: plain-in: the only source the plain stream is
 *	taken from; in replies also the latched one.
 * @KSRTP_A_FWD_RX_REMOTE_PORT: plain-in, with rx-remote-addr.
 * @KSRTP_A_FWD_IDLE_TIMEOUT_MS: Send fwd-idle-ntf when the forward has sent
 *	nothing for this long (checked every 250 ms; again each time it resumes and
 *	goes idle again). 0 or absent: never.
 * @KSRTP_A_FWD_DEST: fwd-dest-add, fwd-dest-del: one more destination of the
 *	same protected packet; in replies one nest per such destination.
 * @KSRTP_A_FWD_SSRC_ANY: Instead of ssrc: every stream that authenticates on
 *	the RX socket and that no forward of its own SSRC takes (a port-to-port
 *	bridge; each stream keeps its SSRC, so ssrc-out is refused).
 */
enum {
	KSRTP_A_FWD_ID = 1,
	KSRTP_A_FWD_RX_SOCK_COOKIE = 2,
	KSRTP_A_FWD_SSRC = 3,
	KSRTP_A_FWD_TX_SOCK_COOKIE = 4,
	KSRTP_A_FWD_REMOTE_ADDR = 5,
	KSRTP_A_FWD_REMOTE_PORT = 6,
	KSRTP_A_FWD_SSRC_OUT = 7,
	KSRTP_A_FWD_SEQ_OFFSET = 8,
	KSRTP_A_FWD_TS_OFFSET = 9,
	KSRTP_A_FWD_PT_FILTER = 10,
	KSRTP_A_FWD_FLAGS = 11,
	KSRTP_A_FWD_STATS = 12,
	KSRTP_A_FWD_PAD = 13,
	KSRTP_A_FWD_RX_REMOTE_ADDR = 14,
	KSRTP_A_FWD_RX_REMOTE_PORT = 15,
	KSRTP_A_FWD_IDLE_TIMEOUT_MS = 16,
	KSRTP_A_FWD_DEST = 17,
	KSRTP_A_FWD_SSRC_ANY = 18,

	__KSRTP_A_FWD_MAX,
	KSRTP_A_FWD_MAX = (__KSRTP_A_FWD_MAX - 1)
};

/**
 * enum - attributes of the fwd-stats set
 * @KSRTP_A_FWD_STATS_PACKETS: RTP packets sent on.
 * @KSRTP_A_FWD_STATS_BYTES: Plain RTP bytes of those packets.
 * @KSRTP_A_FWD_STATS_PT_DROP: RTP packets whose payload type pt-filter does not
 *	allow.
 * @KSRTP_A_FWD_STATS_TX_NO_CTX: Packets dropped because the TX socket had no
 *	context for ssrc-out or could not protect them (index reuse, hard limit).
 * @KSRTP_A_FWD_STATS_TX_DROP: Packets dropped on the way out: no route, no
 *	memory, the TX socket detached, or the IP layer refused them.
 * @KSRTP_A_FWD_STATS_IDLE_MS: Milliseconds since the last packet forwarded (or
 *	since fwd-add).
 * @KSRTP_A_FWD_STATS_SRC_MISMATCH: plain-in: packets of the SSRC from another
 *	source than the bound (or latched) one, not forwarded.
 * @KSRTP_A_FWD_STATS_DEST_PACKETS: Copies of protected packets sent to the
 *	fwd-dest-add destinations (packets counts each packet once, when it goes to
 *	remote-addr).
 */
enum {
	KSRTP_A_FWD_STATS_PACKETS = 1,
	KSRTP_A_FWD_STATS_BYTES = 2,
	KSRTP_A_FWD_STATS_RTCP_PACKETS = 3,
	KSRTP_A_FWD_STATS_RTCP_BYTES = 4,
	KSRTP_A_FWD_STATS_PT_DROP = 5,
	KSRTP_A_FWD_STATS_TX_NO_CTX = 6,
	KSRTP_A_FWD_STATS_TX_DROP = 7,
	KSRTP_A_FWD_STATS_IDLE_MS = 8,
	KSRTP_A_FWD_STATS_PAD = 9,
	KSRTP_A_FWD_STATS_SRC_MISMATCH = 10,
	KSRTP_A_FWD_STATS_DEST_PACKETS = 11,

	__KSRTP_A_FWD_STATS_MAX,
	KSRTP_A_FWD_STATS_MAX = (__KSRTP_A_FWD_STATS_MAX - 1)
};

/**
 * enum - attributes of the fwd-dest set
 * @KSRTP_A_FWD_DEST_ADDR: 4 (IPv4) or 16 (IPv6) bytes; the TX socket must reach
 *	it.
 * @KSRTP_A_FWD_DEST_PORT: UDP port, host byte order.
 */
enum {
	KSRTP_A_FWD_DEST_ADDR = 1,
	KSRTP_A_FWD_DEST_PORT = 2,

	__KSRTP_A_FWD_DEST_MAX,
	KSRTP_A_FWD_DEST_MAX = (__KSRTP_A_FWD_DEST_MAX - 1)
};

enum {
	KSRTP_CMD_INFO_GET = 1,
	KSRTP_CMD_SOCK_ATTACH = 2,
	KSRTP_CMD_SOCK_DETACH = 3,
	KSRTP_CMD_SOCK_GET = 4,
	KSRTP_CMD_SOCK_SEND = 5,
	KSRTP_CMD_CTX_NEW = 6,
	KSRTP_CMD_CTX_DEL = 7,
	KSRTP_CMD_CTX_GET = 8,
	KSRTP_CMD_KEY_ADD = 9,
	KSRTP_CMD_KEY_SWAP = 10,
	KSRTP_CMD_KEY_DEL = 11,
	KSRTP_CMD_SOCK_DETACH_NTF = 12,
	KSRTP_CMD_CTX_LIMIT_NTF = 13,
	KSRTP_CMD_SSRC_LEARNED_NTF = 14,
	KSRTP_CMD_UPCALL_NTF = 15,
	KSRTP_CMD_SOCK_SET = 16,
	KSRTP_CMD_FWD_ADD = 17,
	KSRTP_CMD_FWD_DEL = 18,
	KSRTP_CMD_FWD_GET = 19,
	KSRTP_CMD_FWD_IDLE_NTF = 20,
	KSRTP_CMD_FWD_DEST_ADD = 21,
	KSRTP_CMD_FWD_DEST_DEL = 22,

	__KSRTP_CMD_MAX,
	KSRTP_CMD_MAX = (__KSRTP_CMD_MAX - 1)
};

#define KSRTP_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_KSRTP_H */
