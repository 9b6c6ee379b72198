// SPDX-License-Identifier: GPL-2.0
/* Do not edit: generated from netlink/ksrtp.yaml by netlink/ynl-gen.py */

#include "netlink-gen.h"

static struct netlink_range_validation ksrtp_max_learned_range = {
	.min = 1,
	.max = 1048576,
};

static struct netlink_range_validation ksrtp_window_range = {
	.min = KSRTP_WINDOW_MIN,
	.max = KSRTP_WINDOW_MAX,
};

const struct nla_policy ksrtp_key_nl_policy[KSRTP_A_KEY_MAX + 1] = {
	[KSRTP_A_KEY_ID] = { .type = NLA_U32, },
	[KSRTP_A_KEY_MASTER_KEY] = NLA_POLICY_RANGE(NLA_BINARY, 16, 32),
	[KSRTP_A_KEY_MASTER_SALT] = NLA_POLICY_RANGE(NLA_BINARY, 12, 14),
	[KSRTP_A_KEY_MKI] = NLA_POLICY_RANGE(NLA_BINARY, 1, KSRTP_MAX_MKI_LEN),
};

const struct nla_policy ksrtp_fwd_dest_nl_policy[KSRTP_A_FWD_DEST_MAX + 1] = {
	[KSRTP_A_FWD_DEST_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_FWD_DEST_PORT] = { .type = NLA_U16, },
};

static const struct nla_policy ksrtp_info_get_nl_policy[KSRTP_A_INFO_MAX + 1] = {
};

static const struct nla_policy ksrtp_sock_attach_nl_policy[KSRTP_A_SOCK_MAX + 1] = {
	[KSRTP_A_SOCK_FD] = { .type = NLA_U32, },
	[KSRTP_A_SOCK_UPCALL] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[KSRTP_A_SOCK_MAX_LEARNED] = NLA_POLICY_FULL_RANGE(NLA_U32, &ksrtp_max_learned_range),
	[KSRTP_A_SOCK_PLAIN_RTP] = NLA_POLICY_RANGE(NLA_U32, 0, 2),
};

static const struct nla_policy ksrtp_sock_detach_nl_policy[KSRTP_A_SOCK_MAX + 1] = {
	[KSRTP_A_SOCK_COOKIE] = { .type = NLA_U64, },
};

static const struct nla_policy ksrtp_sock_get_nl_policy[KSRTP_A_SOCK_MAX + 1] = {
	[KSRTP_A_SOCK_COOKIE] = { .type = NLA_U64, },
};

static const struct nla_policy ksrtp_sock_send_nl_policy[KSRTP_A_SOCK_MAX + 1] = {
	[KSRTP_A_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_SOCK_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_SOCK_REMOTE_PORT] = { .type = NLA_U16, },
	[KSRTP_A_SOCK_DATA] = { .type = NLA_BINARY, .len = KSRTP_MAX_DATAGRAM, },
};

static const struct nla_policy ksrtp_ctx_new_nl_policy[KSRTP_A_CTX_MAX + 1] = {
	[KSRTP_A_CTX_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_CTX_DIR] = NLA_POLICY_RANGE(NLA_U32, 0, 1),
	[KSRTP_A_CTX_SSRC] = { .type = NLA_U32, },
	[KSRTP_A_CTX_SSRC_ANY] = { .type = NLA_FLAG, },
	[KSRTP_A_CTX_SUITE] = NLA_POLICY_RANGE(NLA_U32, 1, 12),
	[KSRTP_A_CTX_KEY] = NLA_POLICY_NESTED(ksrtp_key_nl_policy),
	[KSRTP_A_CTX_ROC] = { .type = NLA_U32, },
	[KSRTP_A_CTX_SEQ] = { .type = NLA_U16, },
	[KSRTP_A_CTX_WINDOW] = NLA_POLICY_FULL_RANGE(NLA_U32, &ksrtp_window_range),
	[KSRTP_A_CTX_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_CTX_REMOTE_PORT] = { .type = NLA_U16, },
	[KSRTP_A_CTX_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x7),
	[KSRTP_A_CTX_KDR] = { .type = NLA_U32, },
	[KSRTP_A_CTX_SOFT_LIMIT] = { .type = NLA_U64, },
};

static const struct nla_policy ksrtp_ctx_del_nl_policy[KSRTP_A_CTX_MAX + 1] = {
	[KSRTP_A_CTX_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_CTX_DIR] = NLA_POLICY_RANGE(NLA_U32, 0, 1),
	[KSRTP_A_CTX_SSRC] = { .type = NLA_U32, },
	[KSRTP_A_CTX_SSRC_ANY] = { .type = NLA_FLAG, },
	[KSRTP_A_CTX_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_CTX_REMOTE_PORT] = { .type = NLA_U16, },
};

static const struct nla_policy ksrtp_ctx_get_nl_policy[KSRTP_A_CTX_MAX + 1] = {
	[KSRTP_A_CTX_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_CTX_DIR] = NLA_POLICY_RANGE(NLA_U32, 0, 1),
	[KSRTP_A_CTX_SSRC] = { .type = NLA_U32, },
	[KSRTP_A_CTX_SSRC_ANY] = { .type = NLA_FLAG, },
	[KSRTP_A_CTX_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_CTX_REMOTE_PORT] = { .type = NLA_U16, },
};

static const struct nla_policy ksrtp_key_add_nl_policy[KSRTP_A_CTX_MAX + 1] = {
	[KSRTP_A_CTX_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_CTX_DIR] = NLA_POLICY_RANGE(NLA_U32, 0, 1),
	[KSRTP_A_CTX_SSRC] = { .type = NLA_U32, },
	[KSRTP_A_CTX_SSRC_ANY] = { .type = NLA_FLAG, },
	[KSRTP_A_CTX_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_CTX_REMOTE_PORT] = { .type = NLA_U16, },
	[KSRTP_A_CTX_KEY] = NLA_POLICY_NESTED(ksrtp_key_nl_policy),
};

static const struct nla_policy ksrtp_key_swap_nl_policy[KSRTP_A_CTX_MAX + 1] = {
	[KSRTP_A_CTX_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_CTX_DIR] = NLA_POLICY_RANGE(NLA_U32, 0, 1),
	[KSRTP_A_CTX_SSRC] = { .type = NLA_U32, },
	[KSRTP_A_CTX_SSRC_ANY] = { .type = NLA_FLAG, },
	[KSRTP_A_CTX_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_CTX_REMOTE_PORT] = { .type = NLA_U16, },
	[KSRTP_A_CTX_KEY_ID] = { .type = NLA_U32, },
};

static const struct nla_policy ksrtp_key_del_nl_policy[KSRTP_A_CTX_MAX + 1] = {
	[KSRTP_A_CTX_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_CTX_DIR] = NLA_POLICY_RANGE(NLA_U32, 0, 1),
	[KSRTP_A_CTX_SSRC] = { .type = NLA_U32, },
	[KSRTP_A_CTX_SSRC_ANY] = { .type = NLA_FLAG, },
	[KSRTP_A_CTX_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_CTX_REMOTE_PORT] = { .type = NLA_U16, },
	[KSRTP_A_CTX_KEY_ID] = { .type = NLA_U32, },
};

static const struct nla_policy ksrtp_sock_set_nl_policy[KSRTP_A_SOCK_MAX + 1] = {
	[KSRTP_A_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_SOCK_UPCALL] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[KSRTP_A_SOCK_MAX_LEARNED] = NLA_POLICY_FULL_RANGE(NLA_U32, &ksrtp_max_learned_range),
	[KSRTP_A_SOCK_PLAIN_RTP] = NLA_POLICY_RANGE(NLA_U32, 0, 2),
};

static const struct nla_policy ksrtp_fwd_add_nl_policy[KSRTP_A_FWD_MAX + 1] = {
	[KSRTP_A_FWD_RX_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_FWD_SSRC] = { .type = NLA_U32, },
	[KSRTP_A_FWD_TX_SOCK_COOKIE] = { .type = NLA_U64, },
	[KSRTP_A_FWD_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_FWD_REMOTE_PORT] = { .type = NLA_U16, },
	[KSRTP_A_FWD_SSRC_OUT] = { .type = NLA_U32, },
	[KSRTP_A_FWD_SEQ_OFFSET] = { .type = NLA_U16, },
	[KSRTP_A_FWD_TS_OFFSET] = { .type = NLA_U32, },
	[KSRTP_A_FWD_PT_FILTER] = NLA_POLICY_EXACT_LEN(16),
	[KSRTP_A_FWD_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0xf),
	[KSRTP_A_FWD_RX_REMOTE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[KSRTP_A_FWD_RX_REMOTE_PORT] = { .type = NLA_U16, },
	[KSRTP_A_FWD_IDLE_TIMEOUT_MS] = { .type = NLA_U32, },
	[KSRTP_A_FWD_SSRC_ANY] = { .type = NLA_FLAG, },
};

static const struct nla_policy ksrtp_fwd_del_nl_policy[KSRTP_A_FWD_MAX + 1] = {
	[KSRTP_A_FWD_ID] = { .type = NLA_U32, },
};

static const struct nla_policy ksrtp_fwd_get_nl_policy[KSRTP_A_FWD_MAX + 1] = {
	[KSRTP_A_FWD_ID] = { .type = NLA_U32, },
	[KSRTP_A_FWD_RX_SOCK_COOKIE] = { .type = NLA_U64, },
};

static const struct nla_policy ksrtp_fwd_dest_add_nl_policy[KSRTP_A_FWD_MAX + 1] = {
	[KSRTP_A_FWD_ID] = { .type = NLA_U32, },
	[KSRTP_A_FWD_DEST] = NLA_POLICY_NESTED(ksrtp_fwd_dest_nl_policy),
};

static const struct nla_policy ksrtp_fwd_dest_del_nl_policy[KSRTP_A_FWD_MAX + 1] = {
	[KSRTP_A_FWD_ID] = { .type = NLA_U32, },
	[KSRTP_A_FWD_DEST] = NLA_POLICY_NESTED(ksrtp_fwd_dest_nl_policy),
};

const struct genl_ops ksrtp_nl_ops[17] = {
	{
		.cmd		= KSRTP_CMD_INFO_GET,
		.doit		= ksrtp_nl_info_get_doit,
		.policy		= ksrtp_info_get_nl_policy,
		.maxattr	= KSRTP_A_INFO_MAX,
	},
	{
		.cmd		= KSRTP_CMD_SOCK_ATTACH,
		.doit		= ksrtp_nl_sock_attach_doit,
		.policy		= ksrtp_sock_attach_nl_policy,
		.maxattr	= KSRTP_A_SOCK_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_SOCK_DETACH,
		.doit		= ksrtp_nl_sock_detach_doit,
		.policy		= ksrtp_sock_detach_nl_policy,
		.maxattr	= KSRTP_A_SOCK_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_SOCK_GET,
		.doit		= ksrtp_nl_sock_get_doit,
		.dumpit		= ksrtp_nl_sock_get_dumpit,
		.policy		= ksrtp_sock_get_nl_policy,
		.maxattr	= KSRTP_A_SOCK_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_SOCK_SEND,
		.doit		= ksrtp_nl_sock_send_doit,
		.policy		= ksrtp_sock_send_nl_policy,
		.maxattr	= KSRTP_A_SOCK_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_CTX_NEW,
		.doit		= ksrtp_nl_ctx_new_doit,
		.policy		= ksrtp_ctx_new_nl_policy,
		.maxattr	= KSRTP_A_CTX_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_CTX_DEL,
		.doit		= ksrtp_nl_ctx_del_doit,
		.policy		= ksrtp_ctx_del_nl_policy,
		.maxattr	= KSRTP_A_CTX_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_CTX_GET,
		.doit		= ksrtp_nl_ctx_get_doit,
		.dumpit		= ksrtp_nl_ctx_get_dumpit,
		.done		= ksrtp_nl_ctx_dump_done,
		.policy		= ksrtp_ctx_get_nl_policy,
		.maxattr	= KSRTP_A_CTX_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_KEY_ADD,
		.doit		= ksrtp_nl_key_add_doit,
		.policy		= ksrtp_key_add_nl_policy,
		.maxattr	= KSRTP_A_CTX_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_KEY_SWAP,
		.doit		= ksrtp_nl_key_swap_doit,
		.policy		= ksrtp_key_swap_nl_policy,
		.maxattr	= KSRTP_A_CTX_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_KEY_DEL,
		.doit		= ksrtp_nl_key_del_doit,
		.policy		= ksrtp_key_del_nl_policy,
		.maxattr	= KSRTP_A_CTX_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_SOCK_SET,
		.doit		= ksrtp_nl_sock_set_doit,
		.policy		= ksrtp_sock_set_nl_policy,
		.maxattr	= KSRTP_A_SOCK_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_FWD_ADD,
		.doit		= ksrtp_nl_fwd_add_doit,
		.policy		= ksrtp_fwd_add_nl_policy,
		.maxattr	= KSRTP_A_FWD_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_FWD_DEL,
		.doit		= ksrtp_nl_fwd_del_doit,
		.policy		= ksrtp_fwd_del_nl_policy,
		.maxattr	= KSRTP_A_FWD_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_FWD_GET,
		.doit		= ksrtp_nl_fwd_get_doit,
		.dumpit		= ksrtp_nl_fwd_get_dumpit,
		.policy		= ksrtp_fwd_get_nl_policy,
		.maxattr	= KSRTP_A_FWD_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_FWD_DEST_ADD,
		.doit		= ksrtp_nl_fwd_dest_add_doit,
		.policy		= ksrtp_fwd_dest_add_nl_policy,
		.maxattr	= KSRTP_A_FWD_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KSRTP_CMD_FWD_DEST_DEL,
		.doit		= ksrtp_nl_fwd_dest_del_doit,
		.policy		= ksrtp_fwd_dest_del_nl_policy,
		.maxattr	= KSRTP_A_FWD_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

const struct genl_multicast_group ksrtp_nl_mcgrps[1] = {
	[KSRTP_NLGRP_EVENTS] = {
		.name = KSRTP_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};
