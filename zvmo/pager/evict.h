/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Eviction of the clean pages of pager-backed VMOs (zvmo/pager/evict.c).
 */
#ifndef _ZVMO_PAGER_EVICT_H
#define _ZVMO_PAGER_EVICT_H

struct zvmo_cow_pages;

int zvmo_evict_init(void);
void zvmo_evict_exit(void);
int zvmo_evict_add(struct zvmo_cow_pages *leaf);
void zvmo_evict_del(struct zvmo_cow_pages *leaf);
void zvmo_evict_dont_need_pending(void);
unsigned long zvmo_evict(unsigned long nr);

#endif /* _ZVMO_PAGER_EVICT_H */
