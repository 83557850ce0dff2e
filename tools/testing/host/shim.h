/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test side of the host shim: fault injection knobs, allocation
 * counters, fake pages and a red-black tree checker.
 */
#ifndef _ZVMO_HOST_SHIM_H
#define _ZVMO_HOST_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/mm_types.h>
#include <linux/rbtree.h>

/*
 * Fault injection. Allocations without __GFP_NOFAIL fail when either knob
 * says so:
 * shim_fail_nth(n): the n-th allocation from now fails, once (1: the next
 *	one; 0: off).
 * shim_fail_prob(ppm, seed): each allocation fails with probability
 *	ppm / 1000000, drawn from a PRNG seeded with @seed (0 ppm: off).
 */
void shim_fail_nth(unsigned long n);
void shim_fail_prob(uint32_t ppm, uint64_t seed);
void shim_fault_off(void);
/* Allocations attempted, and failed by injection, since start. */
unsigned long shim_alloc_calls(void);
unsigned long shim_faults_injected(void);

/* Objects from kmalloc() and from caches not freed yet. */
long shim_live_allocs(void);

/* Fake pages, 64-byte aligned; index is a serial number. */
struct page *shim_page_alloc(void);
void shim_page_free(struct page *page);
long shim_live_pages(void);

/* pr_*() messages printed (or, when quiet, suppressed) so far. */
unsigned long shim_printk_count(void);
void shim_printk_quiet(bool quiet);

/*
 * Check the red-black invariants of @root: parent links, no red node
 * with a red child, a black root, the same number of black nodes on
 * every path. Returns 0 or -1 (and prints why); gives the node count and
 * the height.
 */
int shim_rb_check(const struct rb_root *root, unsigned long *count,
		  unsigned int *height);

#endif /* _ZVMO_HOST_SHIM_H */
