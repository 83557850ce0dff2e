/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reclaim: what zvmo gives back under memory pressure (zvmo/reclaim.c).
 */
#ifndef _ZVMO_RECLAIM_H
#define _ZVMO_RECLAIM_H

#include <linux/types.h>

struct zvmo_cow_pages;

/**
 * enum zvmo_reclaim_kind - what reclaim does to a leaf
 * @ZVMO_RECLAIM_DEDUP: an ordinary anonymous leaf: its pages that hold
 *	only zeros go, and it reads zeros there as before
 * @ZVMO_RECLAIM_EVICT: a pager-backed leaf: clean pages go, and its pager
 *	supplies them again when they are needed
 * @ZVMO_RECLAIM_DISCARD: a discardable leaf: while unlocked, all of its
 *	pages may go at once
 * @ZVMO_RECLAIM_KINDS: how many kinds there are
 */
enum zvmo_reclaim_kind {
	ZVMO_RECLAIM_DEDUP,
	ZVMO_RECLAIM_EVICT,
	ZVMO_RECLAIM_DISCARD,
	ZVMO_RECLAIM_KINDS,
};

/*
 * Not a list: compression of the pages of dedup's leaves, for
 * zvmo_reclaim().
 */
#define ZVMO_RECLAIM_COMPRESS	ZVMO_RECLAIM_KINDS

int zvmo_reclaim_init(void);
void zvmo_reclaim_exit(void);
int zvmo_reclaim_add(struct zvmo_cow_pages *leaf, enum zvmo_reclaim_kind kind,
		     bool listed);
void zvmo_reclaim_del(struct zvmo_cow_pages *leaf);
void zvmo_reclaim_list(struct zvmo_cow_pages *leaf, bool listed);
void zvmo_reclaim_dont_need_pending(void);
unsigned long zvmo_reclaim(int kind, unsigned long nr);

#endif /* _ZVMO_RECLAIM_H */
