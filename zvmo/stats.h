/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide counters and introspection (zvmo/stats.c, zvmo/netlink.c).
 */
#ifndef _ZVMO_STATS_H
#define _ZVMO_STATS_H

#include <linux/types.h>

#include "../uapi/zvmo.h"

void zvmo_stats_read(u64 v[ZVMO_STAT_ATTR_MAX + 1]);
int zvmo_stats_init(void);
void zvmo_stats_exit(void);
int zvmo_netlink_init(void);
void zvmo_netlink_exit(void);

#endif /* _ZVMO_STATS_H */
