/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit: generated from netlink/ksrtp.yaml by netlink/ynl-gen.py */

#ifndef _UAPI_LINUX_KSRTP_H
#define _UAPI_LINUX_KSRTP_H

#define KSRTP_FAMILY_NAME	"ksrtp"
#define KSRTP_FAMILY_VERSION	1

#define KSRTP_MAX_MKI_LEN	4

/**
 * enum ksrtp_feature - Capabilities of the running module, reported by info-get.
 * @KSRTP_FEATURE_INFO: The info-get command.
 */
enum ksrtp_feature {
	KSRTP_FEATURE_INFO = 1,
};

/**
 * enum - attributes of the info set
 * @KSRTP_A_INFO_VERSION: Family (API) version, KSRTP_FAMILY_VERSION of the module.
 * @KSRTP_A_INFO_MODULE_VERSION: Release string of the loaded module.
 * @KSRTP_A_INFO_FEATURES: Bitmask of enum ksrtp-feature the module implements.
 */
enum {
	KSRTP_A_INFO_VERSION = 1,
	KSRTP_A_INFO_MODULE_VERSION = 2,
	KSRTP_A_INFO_FEATURES = 3,

	__KSRTP_A_INFO_MAX,
	KSRTP_A_INFO_MAX = (__KSRTP_A_INFO_MAX - 1)
};

enum {
	KSRTP_CMD_INFO_GET = 1,

	__KSRTP_CMD_MAX,
	KSRTP_CMD_MAX = (__KSRTP_CMD_MAX - 1)
};

#define KSRTP_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_KSRTP_H */
