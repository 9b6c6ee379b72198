/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_MAIN_H
#define _KSRTP_MAIN_H

#include <uapi/linux/ksrtp.h>

#define KSRTP_VERSION "0.1.0"

#endif /* _KSRTP_MAIN_H */
