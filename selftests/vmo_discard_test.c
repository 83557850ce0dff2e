// SPDX-License-Identifier: GPL-2.0
/*
 * Discardable VMOs and reclaim of ordinary ones: ZVMO_OP_LOCK, TRY_LOCK
 * and UNLOCK and their errors, discards by the reclaim_now parameter, by
 * drop_caches and under a memory cgroup limit, what a discard does to
 * content and mappings, zero-page dedup, and both racing their users.
 * Runs as root.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"

#define PAGE 4096UL
#define NR 16

static int lock(int fd, struct zvmo_vmo_lock_state *st)
{
	struct zvmo_op_range args = {
		.argsz = sizeof(args),
		.op = ZVMO_OP_LOCK,
		.length = zt_size(fd),
		.buffer = (uintptr_t)st,
		.buffer_size = sizeof(*st),
	};

	return zt_ret(ioctl(fd, ZVMO_IOC_VMO_OP_RANGE, &args));
}

static int try_lock(int fd)
{
	return zt_op(fd, ZVMO_OP_TRY_LOCK, 0, zt_size(fd));
}

static int unlock(int fd)
{
	return zt_op(fd, ZVMO_OP_UNLOCK, 0, zt_size(fd));
}

static struct zvmo_stats stats(void)
{
	struct zvmo_stats st = { 0 };

	zt_stats(&st);
	return st;
}

static uint64_t committed_pages(int vmo)
{
	struct zvmo_vmo_info info;

	return zt_info(vmo, &info) ? UINT64_MAX : info.committed_bytes / PAGE;
}

static unsigned char pattern(uint64_t off, unsigned int gen)
{
	return (unsigned char)(off / PAGE * 7 + gen * 13 + 1);
}

/* Fill @n pages with the pattern of @gen: 0 if written whole. */
static int fill(int vmo, unsigned long n, unsigned int gen)
{
	static unsigned char buf[PAGE];
	unsigned long i;

	for (i = 0; i < n; i++) {
		memset(buf, pattern(i * PAGE, gen), PAGE);
		if (pwrite(vmo, buf, PAGE, i * PAGE) != (ssize_t)PAGE)
			return -1;
	}
	return 0;
}

/* 1 if the @n pages hold @gen's pattern, 0 if all zeros, else -1. */
static int content(int vmo, unsigned long n, unsigned int gen)
{
	static unsigned char buf[PAGE];
	int zero = 1, pat = 1;
	unsigned long i, j;

	for (i = 0; i < n; i++) {
		if (pread(vmo, buf, PAGE, i * PAGE) != (ssize_t)PAGE)
			return -1;
		for (j = 0; j < PAGE; j++) {
			zero &= !buf[j];
			pat &= buf[j] == pattern(i * PAGE, gen);
		}
	}
	return pat ? 1 : zero ? 0 : -1;
}

static int discardable(unsigned long pages)
{
	return zt_create(pages * PAGE, ZVMO_VMO_DISCARDABLE, 0);
}

TEST(create_and_children)
{
	struct zvmo_vmo_info info;
	int vmo;

	EXPECT_EQ(-EOPNOTSUPP, zt_create(PAGE, ZVMO_VMO_DISCARDABLE |
					 ZVMO_VMO_RESIZABLE, 0));
	vmo = discardable(4);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_info(vmo, &info));
	EXPECT_TRUE(info.flags & ZVMO_INFO_DISCARDABLE);
	EXPECT_EQ(0, info.committed_bytes);

	/* No children of any kind, whatever else is wrong with the call. */
	EXPECT_EQ(-EOPNOTSUPP, zt_child(vmo, ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(vmo,
					ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
					0, PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(vmo, ZVMO_CHILD_SNAPSHOT_MODIFIED,
					0, PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(vmo, ZVMO_CHILD_SLICE, 0, PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(vmo, ZVMO_CHILD_REFERENCE, 0, 0));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(vmo, 1U << 30, 3, PAGE));

	/* Cached only; asking for cached again is fine. */
	EXPECT_EQ(-EBUSY, zt_cache_policy(vmo, ZVMO_CACHE_UNCACHED));
	EXPECT_EQ(0, zt_cache_policy(vmo, ZVMO_CACHE_CACHED));
	close(vmo);
}

TEST(lock_errors)
{
	struct zvmo_vmo_lock_state st;
	unsigned char big[sizeof(st) + 8];
	struct zvmo_op_range args;
	int vmo, plain, ro, mo;

	vmo = discardable(4);
	ASSERT_LE(0, vmo);
	plain = zt_create(4 * PAGE, 0, 0);
	ASSERT_LE(0, plain);

	EXPECT_EQ(-EOPNOTSUPP, lock(plain, &st));
	EXPECT_EQ(-EOPNOTSUPP, try_lock(plain));
	EXPECT_EQ(-EOPNOTSUPP, unlock(plain));

	/* The whole VMO, nothing else. */
	EXPECT_EQ(-ERANGE, zt_op(vmo, ZVMO_OP_TRY_LOCK, 0, 3 * PAGE));
	EXPECT_EQ(-ERANGE, zt_op(vmo, ZVMO_OP_TRY_LOCK, PAGE, 3 * PAGE));
	EXPECT_EQ(-ERANGE, zt_op(vmo, ZVMO_OP_TRY_LOCK, 0, 5 * PAGE));
	EXPECT_EQ(-ERANGE, zt_op(vmo, ZVMO_OP_TRY_LOCK, 0, 0));
	EXPECT_EQ(-ERANGE, zt_op(vmo, ZVMO_OP_UNLOCK, 0, UINT64_MAX));

	/* A LOCK whose state has no room, or no place, locks nothing. */
	memset(&args, 0, sizeof(args));
	args.argsz = sizeof(args);
	args.op = ZVMO_OP_LOCK;
	args.length = 4 * PAGE;
	args.buffer = (uintptr_t)&st;
	args.buffer_size = sizeof(st) - 1;
	EXPECT_EQ(-EINVAL, zt_ret(ioctl(vmo, ZVMO_IOC_VMO_OP_RANGE, &args)));
	args.buffer = 8;
	args.buffer_size = sizeof(st);
	EXPECT_EQ(-EFAULT, zt_ret(ioctl(vmo, ZVMO_IOC_VMO_OP_RANGE, &args)));
	EXPECT_EQ(-EBUSY, unlock(vmo));
	/* A larger buffer is fine; the rest of it is left alone. */
	memset(big, 0x5a, sizeof(big));
	args.buffer = (uintptr_t)big;
	args.buffer_size = sizeof(big);
	EXPECT_EQ(0, zt_ret(ioctl(vmo, ZVMO_IOC_VMO_OP_RANGE, &args)));
	EXPECT_EQ(0x5a, big[sizeof(st)]);
	EXPECT_EQ(0, unlock(vmo));

	/* Reading or writing is enough; neither is not. */
	ro = zt_dup(vmo, ZVMO_RIGHT_READ, 0);
	ASSERT_LE(0, ro);
	mo = zt_dup(vmo, ZVMO_RIGHT_MAP | ZVMO_RIGHT_DUPLICATE, 0);
	ASSERT_LE(0, mo);
	EXPECT_EQ(-EACCES, lock(mo, &st));
	EXPECT_EQ(-EACCES, try_lock(mo));
	EXPECT_EQ(-EACCES, unlock(mo));
	EXPECT_EQ(0, lock(ro, &st));
	EXPECT_EQ(0, unlock(ro));

	EXPECT_EQ(-EBUSY, unlock(vmo));
	close(mo);
	close(ro);
	close(plain);
	close(vmo);
}

TEST(locks_nest)
{
	struct zvmo_vmo_lock_state st;
	struct zvmo_stats before;
	int vmo, i;

	vmo = discardable(NR);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, lock(vmo, &st));
	EXPECT_EQ(0, st.offset);
	EXPECT_EQ(NR * PAGE, st.size);
	EXPECT_EQ(0, st.discarded_offset);
	EXPECT_EQ(0, st.discarded_size);
	ASSERT_EQ(0, fill(vmo, NR, 1));
	ASSERT_EQ(0, try_lock(vmo));
	ASSERT_EQ(0, lock(vmo, &st));

	/* Three locks: three unlocks before reclaim may take it. */
	before = stats();
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, zt_reclaim("discard", 1000000));
		ASSERT_EQ(0, zt_drop_caches());
		EXPECT_EQ(1, content(vmo, NR, 1));
		EXPECT_EQ(NR, committed_pages(vmo));
		ASSERT_EQ(0, unlock(vmo));
	}
	EXPECT_EQ(-EBUSY, unlock(vmo));
	EXPECT_EQ(before.discarded_vmos, stats().discarded_vmos);

	ASSERT_EQ(0, zt_reclaim("discard", 1000000));
	EXPECT_EQ(before.discarded_vmos + 1, stats().discarded_vmos);
	EXPECT_EQ(before.discarded_pages + NR, stats().discarded_pages);
	close(vmo);
}

TEST(discard_and_relock)
{
	struct zvmo_vmo_lock_state st;
	struct zvmo_stats before = stats();
	struct zvmo_vmo_info info;
	int vmo;

	vmo = discardable(NR);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, fill(vmo, NR, 2));
	ASSERT_EQ(0, zt_reclaim("discard", 1));
	EXPECT_EQ(before.discarded_vmos + 1, stats().discarded_vmos);

	/* Gone: zeros, no pages, and TRY_LOCK says so without locking. */
	EXPECT_EQ(0, content(vmo, NR, 2));
	ASSERT_EQ(0, zt_info(vmo, &info));
	EXPECT_EQ(0, info.committed_bytes);
	EXPECT_EQ(NR * PAGE, info.size);
	EXPECT_EQ(-EPERM, try_lock(vmo));
	EXPECT_EQ(-EBUSY, unlock(vmo));

	/* LOCK reports it once; a nested one and the next do not. */
	ASSERT_EQ(0, lock(vmo, &st));
	EXPECT_EQ(0, st.offset);
	EXPECT_EQ(NR * PAGE, st.size);
	EXPECT_EQ(0, st.discarded_offset);
	EXPECT_EQ(NR * PAGE, st.discarded_size);
	ASSERT_EQ(0, lock(vmo, &st));
	EXPECT_EQ(0, st.discarded_size);
	ASSERT_EQ(0, fill(vmo, NR, 3));
	ASSERT_EQ(0, unlock(vmo));
	ASSERT_EQ(0, unlock(vmo));
	ASSERT_EQ(0, try_lock(vmo));
	EXPECT_EQ(1, content(vmo, NR, 3));
	ASSERT_EQ(0, unlock(vmo));

	/* A discarded VMO that is written while unlocked can go again. */
	ASSERT_EQ(0, zt_reclaim("discard", 1));
	ASSERT_EQ(0, fill(vmo, 2, 4));
	ASSERT_EQ(0, zt_reclaim("discard", 1));
	EXPECT_EQ(0, content(vmo, NR, 4));
	EXPECT_EQ(0, committed_pages(vmo));
	ASSERT_EQ(0, lock(vmo, &st));
	EXPECT_EQ(NR * PAGE, st.discarded_size);
	ASSERT_EQ(0, unlock(vmo));
	close(vmo);
}

/* Least recently unlocked first, one VMO at a time. */
TEST(discard_order)
{
	struct zvmo_vmo_lock_state st;
	int v[3], i;

	for (i = 0; i < 3; i++) {
		v[i] = discardable(4);
		ASSERT_LE(0, v[i]);
		ASSERT_EQ(0, lock(v[i], &st));
		ASSERT_EQ(0, fill(v[i], 4, i));
	}
	ASSERT_EQ(0, unlock(v[1]));
	ASSERT_EQ(0, unlock(v[0]));
	ASSERT_EQ(0, unlock(v[2]));

	ASSERT_EQ(0, zt_reclaim("discard", 1));
	EXPECT_EQ(0, content(v[1], 4, 1));
	EXPECT_EQ(1, content(v[0], 4, 0));
	EXPECT_EQ(1, content(v[2], 4, 2));
	ASSERT_EQ(0, zt_reclaim("discard", 1));
	EXPECT_EQ(0, content(v[0], 4, 0));
	EXPECT_EQ(1, content(v[2], 4, 2));

	/* Locked and unlocked again: to the back of the line. */
	ASSERT_EQ(0, lock(v[2], &st));
	ASSERT_EQ(0, unlock(v[2]));
	ASSERT_EQ(0, fill(v[0], 4, 5));
	ASSERT_EQ(0, zt_reclaim("discard", 1));
	EXPECT_EQ(0, content(v[0], 4, 5));
	EXPECT_EQ(1, content(v[2], 4, 2));
	for (i = 0; i < 3; i++)
		close(v[i]);
}

TEST(discard_by_drop_caches)
{
	struct zvmo_vmo_lock_state st;
	int locked, unlocked;

	locked = discardable(NR);
	ASSERT_LE(0, locked);
	unlocked = discardable(NR);
	ASSERT_LE(0, unlocked);
	ASSERT_EQ(0, lock(locked, &st));
	ASSERT_EQ(0, fill(locked, NR, 6));
	ASSERT_EQ(0, fill(unlocked, NR, 7));

	ASSERT_EQ(0, zt_drop_caches());
	EXPECT_EQ(0, content(unlocked, NR, 7));
	EXPECT_EQ(1, content(locked, NR, 6));
	ASSERT_EQ(0, lock(unlocked, &st));
	EXPECT_EQ(NR * PAGE, st.discarded_size);
	ASSERT_EQ(0, unlock(unlocked));
	ASSERT_EQ(0, unlock(locked));
	close(locked);
	close(unlocked);
}

/*
 * In a 24 MiB cgroup: a locked 4 MiB cache and an unlocked 8 MiB one,
 * then 16 MiB of ordinary memory. Only the unlocked cache can make room.
 */
static int fill_past_the_limit(void)
{
	struct zvmo_vmo_lock_state st;
	int locked, unlocked, vmo;
	unsigned long cache = 1024, big = 4096;

	locked = discardable(cache);
	unlocked = discardable(2 * cache);
	vmo = zt_create(big * PAGE, 0, 0);
	if (locked < 0 || unlocked < 0 || vmo < 0)
		return 1;
	if (lock(locked, &st) || fill(locked, cache, 8) ||
	    fill(unlocked, 2 * cache, 9))
		return 2;
	if (fill(vmo, big, 10))
		return 3;
	if (content(unlocked, 2 * cache, 9) != 0)
		return 4;
	if (content(locked, cache, 8) != 1 || content(vmo, big, 10) != 1)
		return 5;
	if (lock(unlocked, &st) || st.discarded_size != 2 * cache * PAGE)
		return 6;
	return 0;
}

TEST(discard_under_a_memcg_limit)
{
	struct zvmo_stats before = stats();
	int r;

	r = zt_in_memcg("24M", fill_past_the_limit);
	if (r < 0)
		SKIP(return, "no memory cgroup controller");
	EXPECT_EQ(0, r);
	EXPECT_LT(before.discarded_vmos, stats().discarded_vmos);
	EXPECT_EQ(before.vmos, stats().vmos);
	EXPECT_EQ(before.pages, stats().pages);
}

/*
 * A commit of an unlocked cache larger than the cgroup: reclaim discards
 * what the commit did so far, and the commit gives up (ENOMEM) rather
 * than go on feeding it.
 */
static int commit_a_cache_past_the_limit(void)
{
	int vmo = discardable(64 * 1024);	/* 256 MiB in a 24 MiB cgroup */

	if (vmo < 0)
		return 1;
	if (zt_op(vmo, ZVMO_OP_COMMIT, 0, 64 * 1024 * PAGE) != -ENOMEM)
		return 2;
	close(vmo);
	return 0;
}

TEST(commit_of_a_cache_past_a_memcg_limit)
{
	struct zvmo_stats before = stats();
	int r;

	r = zt_in_memcg("24M", commit_a_cache_past_the_limit);
	if (r < 0)
		SKIP(return, "no memory cgroup controller");
	EXPECT_EQ(0, r);
	EXPECT_LT(before.discarded_vmos, stats().discarded_vmos);
	EXPECT_EQ(before.pages, stats().pages);
}

/* A mapping of a discarded VMO reads zeros, and can be written again. */
TEST(discard_mapped)
{
	struct zvmo_vmo_lock_state st;
	volatile unsigned char *map;
	unsigned long i;
	int vmo;

	vmo = discardable(NR);
	ASSERT_LE(0, vmo);
	map = mmap(NULL, NR * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vmo,
		   0);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 0; i < NR; i++)
		map[i * PAGE] = pattern(i * PAGE, 11);
	EXPECT_EQ(1, zt_mapped((void *)map));

	ASSERT_EQ(0, zt_reclaim("discard", 1));
	EXPECT_EQ(0, zt_mapped((void *)map));
	for (i = 0; i < NR; i++)
		EXPECT_EQ(0, map[i * PAGE]);
	EXPECT_EQ(0, committed_pages(vmo));

	ASSERT_EQ(0, lock(vmo, &st));
	EXPECT_EQ(NR * PAGE, st.discarded_size);
	for (i = 0; i < NR; i++)
		map[i * PAGE + 1] = pattern(i * PAGE, 12);
	ASSERT_EQ(0, zt_reclaim("discard", 1000));
	for (i = 0; i < NR; i++)
		EXPECT_EQ(pattern(i * PAGE, 12), map[i * PAGE + 1]);
	ASSERT_EQ(0, unlock(vmo));
	munmap((void *)map, NR * PAGE);
	close(vmo);
}

/* A pinned page keeps the whole VMO from being discarded. */
TEST(discard_skips_pinned)
{
	struct zvmo_stats before = stats();
	int vmo, pmt;

	vmo = discardable(4);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, fill(vmo, 4, 13));
	pmt = zt_pin(vmo, -1, ZVMO_PIN_READ, PAGE, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	ASSERT_EQ(0, zt_reclaim("discard", 1000));
	EXPECT_EQ(before.discarded_vmos, stats().discarded_vmos);
	EXPECT_EQ(1, content(vmo, 4, 13));
	close(pmt);
	ASSERT_EQ(0, zt_reclaim("discard", 1000));
	EXPECT_EQ(before.discarded_vmos + 1, stats().discarded_vmos);
	EXPECT_EQ(0, content(vmo, 4, 13));
	close(vmo);
}

TEST(reclaim_now_rejects_junk)
{
	EXPECT_EQ(-EINVAL, zt_write_file("/sys/module/zvmo/parameters/reclaim_now",
					 "discard"));
	EXPECT_EQ(-EINVAL, zt_write_file("/sys/module/zvmo/parameters/reclaim_now",
					 "squeeze 5"));
	EXPECT_EQ(-EINVAL, zt_write_file("/sys/module/zvmo/parameters/reclaim_now",
					 "dedup5"));
	EXPECT_EQ(0, zt_reclaim(NULL, 0));
}

/*
 * Dedup: of 3 * NR committed pages (NR written with zeros, NR committed,
 * NR with data), the 2 * NR zero pages go and the content stays.
 */
TEST(dedup_frees_zero_pages)
{
	static unsigned char zeros[PAGE];
	struct zvmo_stats before = stats();
	unsigned char buf[PAGE];
	unsigned long i;
	int vmo;

	vmo = zt_create(3 * NR * PAGE, 0, 0);
	ASSERT_LE(0, vmo);
	for (i = 0; i < NR; i++)
		ASSERT_EQ(PAGE, pwrite(vmo, zeros, PAGE, i * PAGE));
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_COMMIT, NR * PAGE, NR * PAGE));
	for (i = 2 * NR; i < 3 * NR; i++) {
		/* One byte at the end: the rest of the page is zeros. */
		memset(buf, 0, PAGE);
		buf[PAGE - 1] = 1;
		ASSERT_EQ(PAGE, pwrite(vmo, buf, PAGE, i * PAGE));
	}
	EXPECT_EQ(3 * NR, committed_pages(vmo));

	ASSERT_EQ(0, zt_reclaim("dedup", 100000));
	EXPECT_EQ(NR, committed_pages(vmo));
	EXPECT_EQ(before.deduped_pages + 2 * NR, stats().deduped_pages);
	for (i = 0; i < 3 * NR; i++) {
		ASSERT_EQ(PAGE, pread(vmo, buf, PAGE, i * PAGE));
		EXPECT_EQ(i >= 2 * NR, buf[PAGE - 1]);
		EXPECT_EQ(0, buf[0]);
	}

	/* Looked at whole: nothing more until it is written. */
	before = stats();
	ASSERT_EQ(0, zt_reclaim("dedup", 100000));
	EXPECT_EQ(before.deduped_pages, stats().deduped_pages);
	ASSERT_EQ(PAGE, pwrite(vmo, zeros, PAGE, 2 * NR * PAGE));
	ASSERT_EQ(0, zt_reclaim("dedup", 100000));
	EXPECT_EQ(before.deduped_pages + 1, stats().deduped_pages);
	EXPECT_EQ(NR - 1, committed_pages(vmo));
	close(vmo);
}

/*
 * Under pressure (drop_caches), only a VMO left unwritten for the
 * module's dedup_age_ms (1000 by default) loses its zero pages: the first
 * look notes it, a look after that long takes them.
 */
TEST(dedup_by_drop_caches_waits_for_cold)
{
	static unsigned char zeros[PAGE];
	int vmo;

	vmo = zt_create(NR * PAGE, 0, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_COMMIT, 0, NR * PAGE));
	ASSERT_EQ(0, zt_drop_caches());
	EXPECT_EQ(NR, committed_pages(vmo));
	usleep(1200 * 1000);
	ASSERT_EQ(0, zt_drop_caches());
	EXPECT_EQ(0, committed_pages(vmo));

	/* Written again: warm again. */
	ASSERT_EQ(PAGE, pwrite(vmo, zeros, PAGE, 0));
	ASSERT_EQ(0, zt_drop_caches());
	EXPECT_EQ(1, committed_pages(vmo));
	close(vmo);
}

/* Pinned and mapped zero pages stay; so do the pages of other kinds. */
TEST(dedup_leaves_what_is_in_use)
{
	struct zvmo_vmo_lock_state st;
	volatile unsigned char *map;
	int vmo, pmt, cache;

	vmo = zt_create(4 * PAGE, 0, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_COMMIT, 0, 4 * PAGE));
	pmt = zt_pin(vmo, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vmo,
		   PAGE);
	ASSERT_NE(MAP_FAILED, map);
	map[5] = 0;
	ASSERT_EQ(1, zt_mapped((void *)map));
	/* A locked discardable VMO is reclaim's to discard, not to dedup. */
	cache = discardable(2);
	ASSERT_LE(0, cache);
	ASSERT_EQ(0, lock(cache, &st));
	ASSERT_EQ(0, zt_op(cache, ZVMO_OP_COMMIT, 0, 2 * PAGE));

	ASSERT_EQ(0, zt_reclaim("dedup", 100000));
	EXPECT_EQ(2, committed_pages(vmo));
	EXPECT_EQ(2, committed_pages(cache));
	EXPECT_EQ(1, zt_mapped((void *)map));

	/* Once nothing holds them, they go too: the pass was not clean. */
	munmap((void *)map, PAGE);
	close(pmt);
	ASSERT_EQ(0, zt_reclaim("dedup", 100000));
	EXPECT_EQ(0, committed_pages(vmo));
	ASSERT_EQ(0, unlock(cache));
	close(cache);
	close(vmo);
}

/* A snapshot's own zero page becomes a marker: its parent stays hidden. */
TEST(dedup_in_a_snapshot)
{
	static unsigned char zeros[PAGE];
	struct zvmo_stats before;
	unsigned char c;
	int parent, child;

	parent = zt_create(2 * PAGE, 0, 0);
	ASSERT_LE(0, parent);
	ASSERT_EQ(0, fill(parent, 2, 14));
	child = zt_child(parent, ZVMO_CHILD_SNAPSHOT, 0, 2 * PAGE);
	ASSERT_LE(0, child);
	ASSERT_EQ(PAGE, pwrite(child, zeros, PAGE, 0));

	before = stats();
	ASSERT_EQ(0, zt_reclaim("dedup", 100000));
	EXPECT_EQ(before.deduped_pages + 1, stats().deduped_pages);
	ASSERT_EQ(1, pread(child, &c, 1, 0));
	EXPECT_EQ(0, c);
	ASSERT_EQ(1, pread(child, &c, 1, PAGE));
	EXPECT_EQ(pattern(PAGE, 14), c);
	ASSERT_EQ(1, pread(parent, &c, 1, 0));
	EXPECT_EQ(pattern(0, 14), c);
	close(child);
	close(parent);
}

struct racer {
	int vmo;
	bool alone;	/* the only locker: the content can be checked */
	atomic_int stop;
	atomic_long rounds;
	atomic_long discards;
	atomic_long bad;
};

/*
 * Lock, check the content is what the last round left (or zeros if the
 * lock says it was discarded), write the next round's, unlock.
 */
static void *lock_thread(void *arg)
{
	struct racer *r = arg;
	struct zvmo_vmo_lock_state st;
	unsigned int gen = 0;
	int want;

	while (!atomic_load(&r->stop)) {
		if (lock(r->vmo, &st)) {
			atomic_fetch_add(&r->bad, 1);
			break;
		}
		want = st.discarded_size ? 0 : 1;
		if (r->alone && gen && content(r->vmo, 4, gen) != want)
			atomic_fetch_add(&r->bad, 1);
		if (st.discarded_size)
			atomic_fetch_add(&r->discards, 1);
		gen++;
		if (fill(r->vmo, 4, gen))
			atomic_fetch_add(&r->bad, 1);
		if (unlock(r->vmo))
			atomic_fetch_add(&r->bad, 1);
		atomic_fetch_add(&r->rounds, 1);
	}
	return NULL;
}

static void *reclaim_thread(void *arg)
{
	struct racer *r = arg;
	int i = 0;

	while (!atomic_load(&r->stop)) {
		if (zt_reclaim(i++ % 3 ? "discard" : NULL, 1000))
			atomic_fetch_add(&r->bad, 1);
		if (!(i % 16))
			zt_drop_caches();
	}
	return NULL;
}

/*
 * Two lockers of one VMO overlap (locks nest), so neither can tell what
 * the content should be: every call must still succeed, the lock count
 * must come back to zero, and a discard must happen only in between.
 */
TEST(lock_and_unlock_race_reclaim)
{
	struct racer r = { 0 };
	pthread_t t[3];
	int i;

	r.vmo = discardable(4);
	ASSERT_LE(0, r.vmo);
	pthread_create(&t[0], NULL, lock_thread, &r);
	pthread_create(&t[1], NULL, lock_thread, &r);
	pthread_create(&t[2], NULL, reclaim_thread, &r);
	sleep(2);
	atomic_store(&r.stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, atomic_load(&r.bad));
	EXPECT_LT(0, atomic_load(&r.rounds));
	EXPECT_EQ(-EBUSY, unlock(r.vmo));
	close(r.vmo);
}

TEST(lock_race_reclaim_content)
{
	struct racer r = { .alone = true };
	pthread_t t[2];

	r.vmo = discardable(4);
	ASSERT_LE(0, r.vmo);
	pthread_create(&t[0], NULL, lock_thread, &r);
	pthread_create(&t[1], NULL, reclaim_thread, &r);
	sleep(2);
	atomic_store(&r.stop, 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	EXPECT_EQ(0, atomic_load(&r.bad));
	EXPECT_LT(0, atomic_load(&r.rounds));
	EXPECT_LT(0, atomic_load(&r.discards));
	close(r.vmo);
}

/* Writers and dedup: no write is ever lost to a page dedup took. */
struct dedup_racer {
	int vmo;
	unsigned long first;
	atomic_int stop;
	atomic_long bad;
};

static void *zero_writer(void *arg)
{
	struct dedup_racer *r = arg;
	unsigned char page[PAGE], got;
	unsigned long i, n = 0;

	while (!atomic_load(&r->stop)) {
		for (i = r->first; i < r->first + 8; i++) {
			unsigned char c = (unsigned char)(n++ % 2 ? 0 : 0x40 + i);

			memset(page, 0, PAGE);
			page[i] = c;
			if (pwrite(r->vmo, page, PAGE, i * PAGE) != PAGE ||
			    pread(r->vmo, &got, 1, i * PAGE + i) != 1 ||
			    got != c)
				atomic_fetch_add(&r->bad, 1);
		}
	}
	return NULL;
}

static void *dedup_thread(void *arg)
{
	struct dedup_racer *r = arg;

	while (!atomic_load(&r->stop))
		if (zt_reclaim("dedup", 64))
			atomic_fetch_add(&r->bad, 1);
	return NULL;
}

TEST(dedup_races_writes)
{
	struct dedup_racer a = { 0 }, b = { 0 }, d = { 0 };
	pthread_t t[3];
	int vmo;

	vmo = zt_create(16 * PAGE, 0, 0);
	ASSERT_LE(0, vmo);
	a.vmo = b.vmo = d.vmo = vmo;
	b.first = 8;
	pthread_create(&t[0], NULL, zero_writer, &a);
	pthread_create(&t[1], NULL, zero_writer, &b);
	pthread_create(&t[2], NULL, dedup_thread, &d);
	sleep(2);
	atomic_store(&a.stop, 1);
	atomic_store(&b.stop, 1);
	atomic_store(&d.stop, 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	pthread_join(t[2], NULL);
	EXPECT_EQ(0, atomic_load(&a.bad) + atomic_load(&b.bad) +
		  atomic_load(&d.bad));
	close(vmo);
}

TEST(nothing_left_behind)
{
	struct zvmo_stats st = stats();

	EXPECT_EQ(0, st.pinned_pages);
	EXPECT_EQ(0, st.pmts);
}

TEST_HARNESS_MAIN
