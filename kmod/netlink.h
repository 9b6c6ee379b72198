/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_NETLINK_H
#define _KSRTP_NETLINK_H

int ksrtp_nl_register(void);
void ksrtp_nl_unregister(void);

#endif /* _KSRTP_NETLINK_H */
