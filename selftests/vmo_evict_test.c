// SPDX-License-Identifier: GPL-2.0
/*
 * Eviction of pager-backed VMOs' clean pages: by drop_caches (the
 * shrinker) and by the reclaim_now parameter, what is never evicted, the
 * order, clones, and a small file system pager through a whole cycle of
 * writes, writeback, eviction and re-reads. Runs as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"
#include "zvmo_pager.h"

#define NR 8

static int drop_caches(void)
{
	return zt_drop_caches();
}

static int evict_now(unsigned long n)
{
	return zt_reclaim("evict", n);
}

static uint64_t evicted(void)
{
	struct zvmo_stats st;

	return zt_stats(&st) ? UINT64_MAX : st.evicted_pages;
}

static uint64_t committed_pages(int vmo)
{
	struct zvmo_vmo_info info;

	return zt_info(vmo, &info) ? UINT64_MAX : info.committed_bytes / PAGE;
}

struct reader {
	pthread_t thread;
	int vmo;
	unsigned char *map;	/* fault through this instead, if set */
	uint64_t off;
	unsigned char c;
	ssize_t ret;
	atomic_int done;
};

static void *read_thread(void *arg)
{
	struct reader *r = arg;

	r->ret = pread(r->vmo, &r->c, 1, r->off);
	atomic_store(&r->done, 1);
	return NULL;
}

/*
 * Whether the page of @vmo at @off is there: a read of it needs no READ
 * request. If it does need one, the pager supplies the file to @pvmo (the
 * pager's VMO that @vmo reads through, or @vmo itself), and the read goes
 * on. Either way the byte read is checked against the file.
 */
static int present_in(int pager, int vmo, int pvmo, uint64_t off)
{
	struct zvmo_pager_packet p;
	struct reader r = { .vmo = vmo, .off = off };
	int there = 1;

	pthread_create(&r.thread, NULL, read_thread, &r);
	if (!next_packet(pager, &p, 300)) {
		there = 0;
		if (p.command != ZVMO_PAGER_READ || p.offset > off ||
		    p.offset + p.length <= off ||
		    serve_file(pager, pvmo, p.offset, p.length)) {
			/* Not what was expected: let the reader go. */
			pager_fail(pager, pvmo, p.offset, p.length, EIO);
			there = -1;
		}
	}
	pthread_join(r.thread, NULL);
	if (r.ret != 1 || r.c != pattern(off))
		return -1;
	return there;
}

static int present(int pager, int vmo, uint64_t off)
{
	return present_in(pager, vmo, vmo, off);
}

TEST(drop_caches_evicts_clean_pages_that_come_back)
{
	uint64_t before = evicted();
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, NR * PAGE, 1, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, NR * PAGE));
	ASSERT_EQ(NR, committed_pages(vmo));

	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(0, committed_pages(vmo));
	EXPECT_LE(before + NR, evicted());
	/* Asked for again, and read right. */
	EXPECT_EQ(0, present(pager, vmo, 3 * PAGE + 5));
	EXPECT_EQ(1, present(pager, vmo, 3 * PAGE + 6));
	close(vmo);
	close(pager);
}

TEST(dirty_pinned_and_always_needed_pages_stay)
{
	int pager, vmo, pmt;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, NR * PAGE, 2, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, NR * PAGE));
	/* 1 dirty, 2 awaiting clean, 3 pinned, 4 always needed. */
	ASSERT_EQ(1, pwrite(vmo, "\x11", 1, 1 * PAGE));
	ASSERT_EQ(1, pwrite(vmo, "\x22", 1, 2 * PAGE));
	ASSERT_EQ(0, pager_op(pager, ZVMO_PAGER_OP_WRITEBACK_BEGIN, vmo,
			      2 * PAGE, PAGE, 0));
	pmt = zt_pin(vmo, -1, ZVMO_PIN_READ, 3 * PAGE, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_ALWAYS_NEED, 4 * PAGE + 1, 10));

	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(4, committed_pages(vmo));
	EXPECT_EQ(1, present(pager, vmo, 3 * PAGE + 1));
	EXPECT_EQ(1, present(pager, vmo, 4 * PAGE + 1));
	EXPECT_EQ(0, present(pager, vmo, 0));

	/* Unpinned, cleaned: they go like the others. */
	close(pmt);
	ASSERT_EQ(0, pager_op(pager, ZVMO_PAGER_OP_WRITEBACK_END, vmo,
			      2 * PAGE, PAGE, 0));
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(2, committed_pages(vmo));
	EXPECT_EQ(1, present(pager, vmo, 4 * PAGE + 2));
	close(vmo);
	close(pager);
}

/*
 * The clock: DONT_NEED pages go first; then, from where the hand is,
 * pages not read since it last passed, while a read page is passed over
 * once.
 */
TEST(dont_need_pages_go_first_and_read_ones_last)
{
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, NR * PAGE, 3, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, NR * PAGE));

	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_DONT_NEED, 6 * PAGE, 2 * PAGE));
	ASSERT_EQ(0, evict_now(2));
	EXPECT_EQ(NR - 2, committed_pages(vmo));

	/* Page 2 is read: of 0 to 5, it is the one passed over. */
	EXPECT_EQ(1, present(pager, vmo, 2 * PAGE));
	ASSERT_EQ(0, evict_now(4));
	EXPECT_EQ(2, committed_pages(vmo));
	EXPECT_EQ(1, present(pager, vmo, 2 * PAGE + 1));
	EXPECT_EQ(1, present(pager, vmo, 5 * PAGE));
	EXPECT_EQ(0, present(pager, vmo, 6 * PAGE));
	EXPECT_EQ(0, present(pager, vmo, 0));

	/* Pressure takes the rest, read or not. */
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(0, committed_pages(vmo));
	close(vmo);
	close(pager);
}

/*
 * ALWAYS_NEED of missing pages asks the pager (a commit); PREFETCH does
 * too, without protecting them.
 */
static void *always_need_thread(void *arg)
{
	int *vmo = arg;

	return (void *)(intptr_t)zt_op(*vmo, ZVMO_OP_ALWAYS_NEED, 0,
				       2 * PAGE);
}

TEST(always_need_asks_for_missing_pages)
{
	struct zvmo_pager_packet p;
	pthread_t t;
	void *ret;
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, NR * PAGE, 4, 0);
	ASSERT_LE(0, vmo);
	pthread_create(&t, NULL, always_need_thread, &vmo);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(ZVMO_PAGER_READ, p.command);
	EXPECT_EQ(0, p.offset);
	EXPECT_EQ(2 * PAGE, p.length);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 2 * PAGE));
	pthread_join(t, &ret);
	EXPECT_EQ(0, (intptr_t)ret);
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(2, committed_pages(vmo));
	/* DONT_NEED takes the protection back. */
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_DONT_NEED, 0, 2 * PAGE));
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(0, committed_pages(vmo));
	close(vmo);
	close(pager);
}

TEST(clones_read_through_eviction)
{
	volatile unsigned char *map;
	int pager, vmo, child;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, NR * PAGE, 5, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, NR * PAGE));
	child = zt_child(vmo, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0,
			 NR * PAGE);
	ASSERT_LE(0, child);
	map = mmap(NULL, NR * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, child,
		   0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(pattern(0), map[0]);
	map[PAGE] = 0xcc;

	/* The parent's pages go, the child's own stays. */
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(0, committed_pages(vmo));
	EXPECT_EQ(1, committed_pages(child));
	EXPECT_EQ(0xcc, map[PAGE]);
	/* The child's read asks the parent's pager, and gets the file. */
	EXPECT_EQ(0, present_in(pager, child, vmo, 5));
	EXPECT_EQ(pattern(5), map[5]);
	/* The child's copy was taken whole when it wrote. */
	EXPECT_EQ(pattern(PAGE + 1), map[PAGE + 1]);
	munmap((void *)map, NR * PAGE);
	close(child);
	close(vmo);
	close(pager);
}

/*
 * A file system pager: the VMO's content comes from a file, and its
 * dirty ranges go back to it.
 */
struct fs_pager {
	pthread_t thread;
	int pager;
	int vmo;
	int file;
	atomic_int stop;
	atomic_int reads;
	atomic_int errors;
};

/* One try at supplying [@off, @off + @len) from the file; 0 or -errno. */
static int fs_supply(struct fs_pager *f, uint64_t off, uint64_t len)
{
	unsigned char *buf = malloc(len);
	int aux = zt_create(len, 0, ZVMO_FD_CLOEXEC), err = -ENOMEM;

	if (buf && aux >= 0 &&
	    pread(f->file, buf, len, off) == (ssize_t)len &&
	    pwrite(aux, buf, len, 0) == (ssize_t)len)
		err = supply(f->pager, f->vmo, off, len, aux, 0);
	if (aux >= 0)
		close(aux);
	free(buf);
	return err;
}

static void *fs_serve(void *arg)
{
	struct fs_pager *f = arg;
	struct zvmo_pager_packet p;
	int tries, err;
	uint64_t o;

	while (!atomic_load(&f->stop)) {
		if (next_packet(f->pager, &p, 50) ||
		    p.command != ZVMO_PAGER_READ)
			continue;
		atomic_fetch_add(&f->reads, 1);
		err = fs_supply(f, p.offset, p.length);
		if (err != -ENOMEM) {
			if (err)
				atomic_fetch_add(&f->errors, 1);
			continue;
		}
		/*
		 * Memory is short: a page at a time, each tried again, and
		 * failed when it keeps failing, so no reader waits for good.
		 */
		for (o = p.offset; o < p.offset + p.length; o += PAGE) {
			err = -ENOMEM;
			for (tries = 0; err == -ENOMEM && tries < 100; tries++)
				err = fs_supply(f, o, PAGE);
			if (!err)
				continue;
			atomic_fetch_add(&f->errors, 1);
			for (tries = 0; tries < 100; tries++)
				if (pager_fail(f->pager, f->vmo, o, PAGE,
					       EIO) != -ENOMEM)
					break;
		}
	}
	return NULL;
}

/* Write every dirty range of the VMO back to the file; how many. */
static int fs_writeback(struct fs_pager *f)
{
	struct zvmo_pager_query_dirty q;
	struct zvmo_dirty_range r[4];
	unsigned char *buf;
	int n = 0, i;

	for (;;) {
		q = (struct zvmo_pager_query_dirty){
			.argsz = sizeof(q), .vmo_fd = f->vmo,
			.length = zt_size(f->vmo), .ranges = (uintptr_t)r,
			.count = 4,
		};
		if (ioctl(f->pager, ZVMO_IOC_PAGER_QUERY_DIRTY, &q))
			return -1;
		if (!q.actual)
			return n;
		for (i = 0; i < (int)q.actual; i++) {
			buf = malloc(r[i].length);
			if (pager_op(f->pager, ZVMO_PAGER_OP_WRITEBACK_BEGIN,
				     f->vmo, r[i].offset, r[i].length, 0) ||
			    pread(f->vmo, buf, r[i].length, r[i].offset) !=
			    (ssize_t)r[i].length ||
			    pwrite(f->file, buf, r[i].length, r[i].offset) !=
			    (ssize_t)r[i].length ||
			    pager_op(f->pager, ZVMO_PAGER_OP_WRITEBACK_END,
				     f->vmo, r[i].offset, r[i].length, 0)) {
				free(buf);
				return -1;
			}
			free(buf);
			n++;
		}
	}
}

TEST(a_file_system_pager_survives_writes_writeback_and_eviction)
{
	enum { PAGES = 64 };
	static unsigned char model[PAGES * PAGE], got[PAGES * PAGE];
	volatile unsigned char *map;
	struct fs_pager f = { 0 };
	unsigned int i, round;

	f.file = open("/tmp/zvmo-fs.img", O_RDWR | O_CREAT | O_TRUNC |
		      O_CLOEXEC, 0600);
	ASSERT_LE(0, f.file);
	for (i = 0; i < sizeof(model); i++)
		model[i] = pattern(i);
	ASSERT_EQ(sizeof(model), pwrite(f.file, model, sizeof(model), 0));
	f.pager = pager_create();
	ASSERT_LE(0, f.pager);
	f.vmo = pager_vmo(f.pager, sizeof(model), 6, 0);
	ASSERT_LE(0, f.vmo);
	pthread_create(&f.thread, NULL, fs_serve, &f);
	map = mmap(NULL, sizeof(model), PROT_READ | PROT_WRITE, MAP_SHARED,
		   f.vmo, 0);
	ASSERT_NE(MAP_FAILED, map);

	for (round = 0; round < 3; round++) {
		/* Writes, both ways, over pages read or not. */
		for (i = round; i < PAGES; i += 5) {
			unsigned char c = (unsigned char)(i * 3 + round);

			map[i * PAGE + round] = c;
			model[i * PAGE + round] = c;
		}
		for (i = 2 + round; i < PAGES; i += 7) {
			unsigned char c[3] = { 0xa0, (unsigned char)round,
					       (unsigned char)i };

			ASSERT_EQ(3, pwrite(f.vmo, c, 3, i * PAGE + 100));
			memcpy(model + i * PAGE + 100, c, 3);
		}
		/* Everything written goes back; then nothing is dirty. */
		ASSERT_LT(0, fs_writeback(&f));
		ASSERT_EQ(0, fs_writeback(&f));
		ASSERT_EQ(0, drop_caches());
		EXPECT_EQ(0, committed_pages(f.vmo));
		/* Re-read through both ways: what the file got back. */
		ASSERT_EQ(sizeof(got), pread(f.vmo, got, sizeof(got), 0));
		EXPECT_EQ(0, memcmp(got, model, sizeof(model)));
		for (i = 0; i < PAGES; i++)
			ASSERT_EQ(model[i * PAGE + round],
				  map[i * PAGE + round]);
		ASSERT_EQ(sizeof(got), pread(f.file, got, sizeof(got), 0));
		EXPECT_EQ(0, memcmp(got, model, sizeof(model)));
	}
	EXPECT_EQ(0, atomic_load(&f.errors));
	EXPECT_LT(3, atomic_load(&f.reads));

	munmap((void *)map, sizeof(model));
	atomic_store(&f.stop, 1);
	pthread_join(f.thread, NULL);
	close(f.vmo);
	close(f.pager);
	close(f.file);
	unlink("/tmp/zvmo-fs.img");
}

/*
 * In a memory cgroup of 16 MiB, a pager's VMO is supplied 48 MiB: the
 * cgroup's reclaim evicts the clean pages charged to it to make room, and
 * every page reads right afterwards. A VMO outside the cgroup is not
 * touched.
 */
static int outside = -1, outside_pager = -1;

static int supply_past_the_limit(void)
{
	enum { SIZE = 48 << 20, STEP = 1 << 20 };
	uint64_t before = evicted(), off;
	static unsigned char buf[PAGE];
	int pager, vmo, aux, i;

	pager = pager_create();
	vmo = pager_vmo(pager, SIZE, 9, 0);
	aux = zt_create(STEP, 0, ZVMO_FD_CLOEXEC);
	if (pager < 0 || vmo < 0 || aux < 0)
		return 1;
	for (off = 0; off < SIZE; off += STEP) {
		for (i = 0; i < STEP / (int)PAGE; i++) {
			memset(buf, pattern(off + i * PAGE), PAGE);
			if (pwrite(aux, buf, PAGE, i * PAGE) != PAGE)
				return 2;
		}
		if (supply(pager, vmo, off, STEP, aux, 0))
			return 3;
	}
	if (evicted() < before + (SIZE - (16 << 20)) / PAGE)
		return 4;
	if (committed_pages(vmo) > (16 << 20) / PAGE)
		return 5;
	/* The one outside kept its pages. */
	if (committed_pages(outside) != NR)
		return 6;
	close(aux);
	close(vmo);
	close(pager);
	return 0;
}

TEST(memory_cgroup_pressure_evicts_the_cgroup_s_pages)
{
	int r;

	outside_pager = pager_create();
	ASSERT_LE(0, outside_pager);
	outside = pager_vmo(outside_pager, NR * PAGE, 10, 0);
	ASSERT_LE(0, outside);
	ASSERT_EQ(0, supply_file(outside_pager, outside, 0, NR * PAGE));
	r = zt_in_memcg("16M", supply_past_the_limit);
	if (r < 0)
		SKIP(return, "no memory cgroup controller");
	EXPECT_EQ(0, r);
	EXPECT_EQ(NR, committed_pages(outside));
	close(outside);
	close(outside_pager);
}

/* A fault waiting for its page is not disturbed by eviction around it. */
TEST(eviction_while_a_read_waits)
{
	struct zvmo_pager_packet p;
	struct reader r = { 0 };
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, NR * PAGE, 7, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 4 * PAGE));
	r.vmo = vmo;
	r.off = 6 * PAGE + 3;
	pthread_create(&r.thread, NULL, read_thread, &r);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(6 * PAGE, p.offset);
	ASSERT_EQ(0, drop_caches());
	ASSERT_EQ(0, evict_now(100));
	EXPECT_FALSE(atomic_load(&r.done));
	ASSERT_EQ(0, supply_file(pager, vmo, p.offset, p.length));
	pthread_join(r.thread, NULL);
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(pattern(6 * PAGE + 3), r.c);
	close(vmo);
	close(pager);
}

static void *fault_thread(void *arg)
{
	struct reader *r = arg;
	volatile unsigned char *map = (volatile unsigned char *)r->map;

	r->c = map[r->off];
	r->ret = 1;
	atomic_store(&r->done, 1);
	return NULL;
}

/* The same with a fault waiting, through a mapping the eviction unmaps. */
TEST(eviction_while_a_fault_waits)
{
	struct zvmo_pager_packet p;
	struct reader r = { 0 };
	unsigned char *map;
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, NR * PAGE, 8, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 4 * PAGE));
	map = mmap(NULL, NR * PAGE, PROT_READ, MAP_SHARED, vmo, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* Mapped pages around, which eviction takes away. */
	EXPECT_EQ(pattern(PAGE), map[PAGE]);
	r.map = map;
	r.off = 6 * PAGE + 3;
	pthread_create(&r.thread, NULL, fault_thread, &r);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(6 * PAGE, p.offset);
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(0, committed_pages(vmo));
	EXPECT_FALSE(atomic_load(&r.done));
	ASSERT_EQ(0, supply_file(pager, vmo, p.offset, p.length));
	pthread_join(r.thread, NULL);
	EXPECT_EQ(pattern(6 * PAGE + 3), r.c);
	/* The evicted page faults back in through the pager. */
	EXPECT_EQ(0, present(pager, vmo, PAGE + 9));
	EXPECT_EQ(pattern(PAGE + 9), map[PAGE + 9]);
	munmap(map, NR * PAGE);
	close(vmo);
	close(pager);
}

TEST_HARNESS_MAIN
