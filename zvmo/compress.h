/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compressed store: where reclaim puts the content of cold pages of
 * anonymous VMOs (zvmo/compress.c), by handle, in place of the pages.
 */
#ifndef _ZVMO_COMPRESS_H
#define _ZVMO_COMPRESS_H

#include <linux/atomic.h>
#include <linux/types.h>

struct mem_cgroup;
struct page;

/**
 * struct zvmo_zc_stats - what the compressed store holds and did
 * @stored: pages it holds now
 * @bytes: bytes of compressed data it holds now (what zsmalloc holds it
 *	in is zvmo_zc_pool_bytes())
 * @compressed: pages compressed since the module loaded
 * @decompressed: pages decompressed since the module loaded
 * @poor: pages left alone since the module loaded because they
 *	compressed too badly to be worth it
 * @failed: pages left alone because the store could not take them
 */
struct zvmo_zc_stats {
	atomic_long_t stored;
	atomic_long_t bytes;
	atomic_long_t compressed;
	atomic_long_t decompressed;
	atomic_long_t poor;
	atomic_long_t failed;
};

extern struct zvmo_zc_stats zvmo_zc_stats;

int zvmo_zc_init(void);
void zvmo_zc_exit(void);
bool zvmo_zc_enabled(void);
int zvmo_zc_store(struct page *page, struct mem_cgroup *memcg,
		  unsigned long *handle);
int zvmo_zc_load(unsigned long handle, struct page *page);
void zvmo_zc_free(unsigned long handle);
u64 zvmo_zc_pool_bytes(void);

#endif /* _ZVMO_COMPRESS_H */
