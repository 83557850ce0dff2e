/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User pagers (Zircon's PageSource and PageRequest): what the rest of zvmo
 * calls when a VMO reaches a page its pager has not supplied.
 */
#ifndef _ZVMO_PAGER_PAGER_H
#define _ZVMO_PAGER_PAGER_H

#include <linux/types.h>
#include <linux/uidgid.h>

struct zvmo_page_source;

/* How zvmo_page_source_wait() waits. */
enum zvmo_wait {
	ZVMO_WAIT,		/* until answered; killable */
	ZVMO_WAIT_NONE,		/* ask, and return -EAGAIN at once */
	/* as ZVMO_WAIT, and keep a failure for the fault's retry */
	ZVMO_WAIT_FAULT,
};

/**
 * struct zvmo_pager_report - a pager, as introspection shows it
 * @koid: its koid
 * @owner: the effective uid that made it
 * @vmos: VMOs attached to it
 * @requests: requests not yet answered
 * @queued: packets not yet read
 * @closed: its descriptor is gone
 */
struct zvmo_pager_report {
	u64 koid;
	kuid_t owner;
	u64 vmos;
	u64 requests;
	u64 queued;
	bool closed;
};

long zvmo_pager_create(void __user *uarg);
bool zvmo_pager_report_next(unsigned long *index, kuid_t owner_only,
			    struct zvmo_pager_report *r);
u64 zvmo_page_source_pager_koid(struct zvmo_page_source *src);

u64 zvmo_page_source_gen(struct zvmo_page_source *src);
int zvmo_page_source_wait(struct zvmo_page_source *src, u16 command,
			  u64 off, u64 len, u64 gen, enum zvmo_wait how);
int zvmo_page_source_take_failure(struct zvmo_page_source *src, u64 off);
void zvmo_page_source_supplied(struct zvmo_page_source *src, u64 start,
			       u64 end, bool (*present)(void *ctx, u64 off),
			       void *ctx);
void zvmo_page_source_dirtied(struct zvmo_page_source *src, u64 start,
			      u64 end, bool (*dirty)(void *ctx, u64 off),
			      void *ctx);
void zvmo_page_source_wake(struct zvmo_page_source *src);
void zvmo_page_source_cancel(struct zvmo_page_source *src, u64 start,
			     u64 end, int error);
void zvmo_page_source_get(struct zvmo_page_source *src);
void zvmo_page_source_put(struct zvmo_page_source *src);
void zvmo_page_source_end(struct zvmo_page_source *src);

#endif /* _ZVMO_PAGER_PAGER_H */
