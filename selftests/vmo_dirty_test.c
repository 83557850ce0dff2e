// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking of pager-backed VMOs: the dirty state of their content,
 * ZVMO_VMO_TRAP_DIRTY, writeback, and the queries, through the raw ioctls.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"
#include "zvmo_pager.h"

#define NR 16			/* pages of most test VMOs */

static int query(int pager, int vmo, uint64_t off, uint64_t len,
		 struct zvmo_dirty_range *r, uint32_t count, uint64_t *actual,
		 uint64_t *avail)
{
	struct zvmo_pager_query_dirty q = {
		.argsz = sizeof(q), .vmo_fd = vmo, .offset = off,
		.length = len, .ranges = (uintptr_t)r, .count = count,
	};
	int err = zt_ret(ioctl(pager, ZVMO_IOC_PAGER_QUERY_DIRTY, &q));

	if (!err) {
		*actual = q.actual;
		*avail = q.avail;
	}
	return err;
}

/*
 * The dirty runs of all of @vmo as a string, "3+1 5+2z" for pages 3 and
 * 5-6 (z: zeros), to compare in one go; "" for none, "error" if the
 * query failed.
 */
static const char *dirty(int pager, int vmo)
{
	static char buf[512];
	struct zvmo_dirty_range r[32];
	uint64_t actual, avail, i;
	size_t n = 0;

	if (query(pager, vmo, 0, zt_size(vmo), r, 32, &actual, &avail) ||
	    actual != avail)
		return "error";
	buf[0] = 0;
	for (i = 0; i < actual; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%llu+%llu%s",
			      i ? " " : "",
			      (unsigned long long)(r[i].offset / PAGE),
			      (unsigned long long)(r[i].length / PAGE),
			      r[i].options & ZVMO_DIRTY_RANGE_IS_ZERO ? "z" :
									"");
	return buf;
}

static int stats(int pager, int vmo, uint32_t options)
{
	struct zvmo_pager_vmo_stats s = {
		.argsz = sizeof(s), .vmo_fd = vmo, .options = options,
	};
	int err = zt_ret(ioctl(pager, ZVMO_IOC_PAGER_QUERY_STATS, &s));

	return err ? err : (int)s.modified;
}

static int wb_begin(int pager, int vmo, uint64_t off, uint64_t len,
		    uint64_t data)
{
	return pager_op(pager, ZVMO_PAGER_OP_WRITEBACK_BEGIN, vmo, off, len,
			data);
}

static int wb_end(int pager, int vmo, uint64_t off, uint64_t len)
{
	return pager_op(pager, ZVMO_PAGER_OP_WRITEBACK_END, vmo, off, len, 0);
}

static int op_dirty(int pager, int vmo, uint64_t off, uint64_t len)
{
	return pager_op(pager, ZVMO_PAGER_OP_DIRTY, vmo, off, len, 0);
}

/*
 * Let a DIRTY request through as a pager must when memory is short: tried
 * again, and failed (EIO) when it keeps failing, so the writer is never
 * left waiting for good. The first answer's status.
 */
static int answer_dirty(int pager, int vmo, uint64_t off, uint64_t len)
{
	int err = op_dirty(pager, vmo, off, len), tries;

	for (tries = 0; err == -ENOMEM && tries < 100; tries++)
		err = op_dirty(pager, vmo, off, len);
	if (err == -ENOMEM)
		for (tries = 0; tries < 100; tries++)
			if (pager_fail(pager, vmo, off, len, EIO) != -ENOMEM)
				break;
	return err;
}

/* A pager and a VMO of NR pages, all supplied with the file. */
static int supplied_vmo(int *pager, uint32_t opts)
{
	int vmo;

	*pager = pager_create();
	if (*pager < 0)
		return -1;
	vmo = pager_vmo(*pager, NR * PAGE, 5, opts);
	if (vmo < 0 || supply_file(*pager, vmo, 0, NR * PAGE))
		return -1;
	return vmo;
}

static int put_byte(int vmo, uint64_t off, unsigned char c)
{
	return pwrite(vmo, &c, 1, off) == 1 ? 0 : -errno;
}

static int get_byte(int vmo, uint64_t off)
{
	unsigned char c;

	return pread(vmo, &c, 1, off) == 1 ? c : -errno;
}

/* A write() in a thread of its own, which may block on the pager. */
struct writer {
	pthread_t thread;
	int vmo;
	uint64_t off;
	size_t len;
	unsigned char c;
	volatile unsigned char *map;	/* write through this, if set */
	atomic_int done;
	ssize_t ret;
	int err;
};

static void *write_thread(void *arg)
{
	struct writer *w = arg;
	unsigned char *buf;
	size_t i;

	if (w->map) {
		for (i = 0; i < w->len; i++)
			w->map[w->off + i] = w->c;
		w->ret = w->len;
	} else {
		buf = malloc(w->len);
		memset(buf, w->c, w->len);
		w->ret = pwrite(w->vmo, buf, w->len, w->off);
		w->err = errno;
		free(buf);
	}
	atomic_store(&w->done, 1);
	return NULL;
}

static void writer_start(struct writer *w, int vmo, uint64_t off,
			 size_t len, unsigned char c,
			 volatile unsigned char *map)
{
	memset(w, 0, sizeof(*w));
	w->vmo = vmo;
	w->off = off;
	w->len = len;
	w->c = c;
	w->map = map;
	pthread_create(&w->thread, NULL, write_thread, w);
}

/* Whether the writer is still blocked after @ms. */
static int writer_blocked(struct writer *w, int ms)
{
	usleep(ms * 1000);
	return !atomic_load(&w->done);
}

static ssize_t writer_join(struct writer *w)
{
	pthread_join(w->thread, NULL);
	return w->ret;
}

TEST(supplied_content_is_clean_and_writes_make_it_dirty)
{
	int pager, vmo;

	vmo = supplied_vmo(&pager, 0);
	ASSERT_LE(0, vmo);
	EXPECT_STREQ("", dirty(pager, vmo));
	/* Supplies are not modifications. */
	EXPECT_EQ(0, stats(pager, vmo, 0));

	EXPECT_EQ(0, put_byte(vmo, 3 * PAGE + 9, 0xaa));
	EXPECT_STREQ("3+1", dirty(pager, vmo));
	/* A write across a page boundary dirties both. */
	ASSERT_EQ(2, pwrite(vmo, "xy", 2, 6 * PAGE - 1));
	EXPECT_STREQ("3+1 5+2", dirty(pager, vmo));
	/* Runs that touch are one. */
	EXPECT_EQ(0, put_byte(vmo, 4 * PAGE, 1));
	EXPECT_STREQ("3+4", dirty(pager, vmo));
	EXPECT_EQ(0xaa, get_byte(vmo, 3 * PAGE + 9));
	EXPECT_TRUE(is_file(vmo, 0, 3 * PAGE));

	/* A query without the reset leaves it as it is. */
	EXPECT_EQ(ZVMO_PAGER_VMO_STATS_MODIFIED, stats(pager, vmo, 0));
	EXPECT_EQ(ZVMO_PAGER_VMO_STATS_MODIFIED,
		  stats(pager, vmo, ZVMO_PAGER_RESET_VMO_STATS));
	EXPECT_EQ(0, stats(pager, vmo, ZVMO_PAGER_RESET_VMO_STATS));
	/* Reads modify nothing. */
	EXPECT_EQ(0xaa, get_byte(vmo, 3 * PAGE + 9));
	EXPECT_EQ(0, stats(pager, vmo, 0));
	EXPECT_EQ(-EINVAL, stats(pager, vmo, 2));

	close(vmo);
	close(pager);
}

TEST(writeback_cleans_what_was_not_written_since_it_began)
{
	int pager, vmo;

	vmo = supplied_vmo(&pager, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, put_byte(vmo, 1 * PAGE, 1));
	ASSERT_EQ(0, put_byte(vmo, 2 * PAGE, 2));
	ASSERT_EQ(0, put_byte(vmo, 7 * PAGE, 7));
	ASSERT_STREQ("1+2 7+1", dirty(pager, vmo));

	/* Awaiting clean is still reported: it is not written back yet. */
	ASSERT_EQ(0, wb_begin(pager, vmo, 0, 4 * PAGE, 0));
	EXPECT_STREQ("1+2 7+1", dirty(pager, vmo));
	/* Page 2 is written during its writeback: it stays dirty. */
	ASSERT_EQ(0, put_byte(vmo, 2 * PAGE + 1, 3));
	ASSERT_EQ(0, wb_end(pager, vmo, 0, 4 * PAGE));
	EXPECT_STREQ("2+1 7+1", dirty(pager, vmo));

	/* An end without a beginning cleans nothing. */
	ASSERT_EQ(0, wb_end(pager, vmo, 0, NR * PAGE));
	EXPECT_STREQ("2+1 7+1", dirty(pager, vmo));
	ASSERT_EQ(0, wb_begin(pager, vmo, 0, NR * PAGE, 0));
	ASSERT_EQ(0, wb_end(pager, vmo, 0, NR * PAGE));
	EXPECT_STREQ("", dirty(pager, vmo));
	/* Clean content keeps what was written. */
	EXPECT_EQ(3, get_byte(vmo, 2 * PAGE + 1));
	EXPECT_EQ(7, get_byte(vmo, 7 * PAGE));

	close(vmo);
	close(pager);
}

/*
 * Every first write through a mapping after its page was cleaned is
 * seen: writeback takes the mappings down.
 */
TEST(writes_through_a_mapping_are_seen_after_every_writeback)
{
	volatile unsigned char *p;
	int pager, vmo, round;

	vmo = supplied_vmo(&pager, 0);
	ASSERT_LE(0, vmo);
	p = mmap(NULL, NR * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vmo, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (round = 0; round < 3; round++) {
		p[5 * PAGE + round] = 0x50 + round;
		EXPECT_STREQ("5+1", dirty(pager, vmo));
		ASSERT_EQ(0, wb_begin(pager, vmo, 0, NR * PAGE, 0));
		/* A write while it is written back makes it dirty again. */
		if (round == 1)
			p[5 * PAGE] = 0x77;
		ASSERT_EQ(0, wb_end(pager, vmo, 0, NR * PAGE));
		EXPECT_STREQ(round == 1 ? "5+1" : "", dirty(pager, vmo));
		if (round == 1) {
			ASSERT_EQ(0, wb_begin(pager, vmo, 0, NR * PAGE, 0));
			ASSERT_EQ(0, wb_end(pager, vmo, 0, NR * PAGE));
		}
		EXPECT_EQ(0x50 + round, get_byte(vmo, 5 * PAGE + round));
	}
	EXPECT_EQ(0x77, p[5 * PAGE]);
	munmap((void *)p, NR * PAGE);
	close(vmo);
	close(pager);
}

TEST(zeros_a_pager_supplied_are_dirty_zero_ranges)
{
	int pager, vmo, hole;

	pager = pager_create();
	ASSERT_LE(0, pager);
	/* A hole in the aux VMO supplies zeros. */
	hole = zt_create(4 * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, hole);
	vmo = pager_vmo(pager, NR * PAGE, 6, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply(pager, vmo, 8 * PAGE, 2 * PAGE, hole, 0));
	ASSERT_EQ(0, supply_file(pager, vmo, 10 * PAGE, 2 * PAGE));
	EXPECT_STREQ("", dirty(pager, vmo));
	EXPECT_EQ(0, get_byte(vmo, 9 * PAGE + 5));

	/* The pager dirties them without a page; a write makes one. */
	ASSERT_EQ(0, op_dirty(pager, vmo, 8 * PAGE, 4 * PAGE));
	EXPECT_STREQ("8+2z 10+2", dirty(pager, vmo));
	ASSERT_EQ(0, put_byte(vmo, 9 * PAGE, 9));
	EXPECT_STREQ("8+1z 9+3", dirty(pager, vmo));

	/* Writing back zeros only leaves the pages dirty. */
	ASSERT_EQ(0, wb_begin(pager, vmo, 8 * PAGE, 4 * PAGE,
			      ZVMO_DIRTY_RANGE_IS_ZERO));
	ASSERT_EQ(0, wb_end(pager, vmo, 8 * PAGE, 4 * PAGE));
	EXPECT_STREQ("9+3", dirty(pager, vmo));
	EXPECT_EQ(0, get_byte(vmo, 8 * PAGE));
	EXPECT_EQ(9, get_byte(vmo, 9 * PAGE));
	EXPECT_EQ(-EINVAL, wb_begin(pager, vmo, 0, PAGE, 2));

	close(hole);
	close(vmo);
	close(pager);
}

TEST(query_pages_through_many_runs)
{
	struct zvmo_dirty_range r[5];
	uint64_t actual, avail, off, i, seen = 0;
	int pager, vmo;

	vmo = supplied_vmo(&pager, 0);
	ASSERT_LE(0, vmo);
	for (i = 0; i < NR; i += 2)
		ASSERT_EQ(0, put_byte(vmo, i * PAGE, 1));

	/* Five at a time, from the end of the last run seen. */
	for (off = 0; off < NR * PAGE;) {
		ASSERT_EQ(0, query(pager, vmo, off, NR * PAGE - off, r, 5,
				   &actual, &avail));
		ASSERT_EQ(avail < 5 ? avail : 5, actual);
		for (i = 0; i < actual; i++) {
			EXPECT_EQ(2 * seen * PAGE, r[i].offset);
			EXPECT_EQ(PAGE, r[i].length);
			EXPECT_EQ(0, r[i].options);
			seen++;
		}
		if (actual == avail)
			break;
		off = r[actual - 1].offset + r[actual - 1].length;
	}
	EXPECT_EQ(NR / 2, seen);

	/* Unaligned bounds are rounded out to pages. */
	ASSERT_EQ(0, query(pager, vmo, 2 * PAGE + 1, 10, r, 5, &actual,
			   &avail));
	ASSERT_EQ(1, actual);
	EXPECT_EQ(2 * PAGE, r[0].offset);
	ASSERT_EQ(0, query(pager, vmo, 0, NR * PAGE, r, 0, &actual, &avail));
	EXPECT_EQ(0, actual);
	EXPECT_EQ(NR / 2, avail);
	EXPECT_EQ(-ERANGE, query(pager, vmo, PAGE, NR * PAGE, r, 5, &actual,
				 &avail));
	EXPECT_EQ(-ERANGE, query(pager, vmo, UINT64_MAX - 1, 8, r, 5, &actual,
				 &avail));
	EXPECT_EQ(-EFAULT, query(pager, vmo, 0, NR * PAGE,
				 (struct zvmo_dirty_range *)8, 5, &actual,
				 &avail));
	close(vmo);
	close(pager);
}

TEST(operation_rules)
{
	int pager, other, vmo, ro, noread, plain, part;

	vmo = supplied_vmo(&pager, 0);
	ASSERT_LE(0, vmo);
	other = pager_create();
	ASSERT_LE(0, other);
	plain = zt_create(NR * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, plain);
	ro = zt_dup(vmo, ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE,
		    ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, ro);
	noread = zt_dup(vmo, ZVMO_RIGHT_WRITE, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, noread);

	/* Another pager's VMO, or an ordinary one. */
	EXPECT_EQ(-EINVAL, op_dirty(other, vmo, 0, PAGE));
	EXPECT_EQ(-EINVAL, op_dirty(pager, plain, 0, PAGE));
	EXPECT_EQ(-EINVAL, stats(other, vmo, 0));
	/* Rights: writing for the ops, reading for the queries. */
	EXPECT_EQ(-EACCES, op_dirty(pager, ro, 0, PAGE));
	EXPECT_EQ(-EACCES, wb_begin(pager, ro, 0, PAGE, 0));
	EXPECT_EQ(-EACCES, pager_fail(pager, ro, 0, PAGE, EIO));
	EXPECT_EQ(-EACCES, stats(pager, noread, 0));
	EXPECT_STREQ("error", dirty(pager, noread));
	EXPECT_STREQ("", dirty(pager, ro));
	/* The op, its data, the range. */
	EXPECT_EQ(-EOPNOTSUPP, pager_op(pager, 9, vmo, 0, PAGE, 0));
	EXPECT_EQ(-EOPNOTSUPP, pager_op(pager, 0, vmo, 0, PAGE, 0));
	EXPECT_EQ(-EINVAL, op_dirty(pager, vmo, 1, PAGE));
	EXPECT_EQ(-EINVAL, wb_end(pager, vmo, 0, PAGE + 1));
	EXPECT_EQ(-ERANGE, op_dirty(pager, vmo, PAGE, NR * PAGE));
	EXPECT_EQ(-ERANGE, wb_begin(pager, vmo, UINT64_MAX & ~(PAGE - 1),
				    2 * PAGE, 0));

	/* DIRTY over a page never supplied changes nothing. */
	part = pager_vmo(pager, NR * PAGE, 7, 0);
	ASSERT_LE(0, part);
	ASSERT_EQ(0, supply_file(pager, part, 0, 2 * PAGE));
	EXPECT_EQ(-ENOENT, op_dirty(pager, part, 0, 3 * PAGE));
	EXPECT_STREQ("", dirty(pager, part));
	EXPECT_EQ(0, op_dirty(pager, part, 0, 2 * PAGE));
	EXPECT_STREQ("0+2", dirty(pager, part));
	/* DIRTY does not count as a modification: a write does. */
	EXPECT_EQ(0, stats(pager, part, 0));

	/* Detached: DIRTY and FAIL are EBUSY; writeback goes on. */
	ASSERT_EQ(0, detach(pager, part));
	EXPECT_EQ(-EBUSY, op_dirty(pager, part, 0, PAGE));
	EXPECT_EQ(-EBUSY, pager_fail(pager, part, 0, PAGE, EIO));
	EXPECT_EQ(0, wb_begin(pager, part, 0, PAGE, 0));
	EXPECT_EQ(0, wb_end(pager, part, 0, PAGE));
	EXPECT_STREQ("1+1", dirty(pager, part));

	close(part);
	close(noread);
	close(ro);
	close(plain);
	close(other);
	close(vmo);
	close(pager);
}

TEST(detach_keeps_dirty_content_readable)
{
	int pager, vmo;

	vmo = supplied_vmo(&pager, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, put_byte(vmo, 2 * PAGE, 0x22));
	ASSERT_EQ(0, put_byte(vmo, 5 * PAGE, 0x55));
	ASSERT_EQ(0, wb_begin(pager, vmo, 5 * PAGE, PAGE, 0));
	ASSERT_EQ(0, detach(pager, vmo));

	/* Dirty and awaiting clean stay; clean content went. */
	EXPECT_EQ(0x22, get_byte(vmo, 2 * PAGE));
	EXPECT_TRUE(is_file(vmo, 2 * PAGE + 1, PAGE - 1));
	EXPECT_EQ(0x55, get_byte(vmo, 5 * PAGE));
	EXPECT_EQ(-EBUSY, get_byte(vmo, 0));
	EXPECT_EQ(-EBUSY, get_byte(vmo, 6 * PAGE));
	EXPECT_STREQ("2+1 5+1", dirty(pager, vmo));
	ASSERT_EQ(0, wb_end(pager, vmo, 0, NR * PAGE));
	EXPECT_STREQ("2+1", dirty(pager, vmo));
	close(vmo);
	close(pager);
}

TEST(trap_dirty_asks_before_the_first_write)
{
	struct zvmo_pager_packet p;
	struct writer w;
	int pager, vmo;

	vmo = supplied_vmo(&pager, ZVMO_VMO_TRAP_DIRTY);
	ASSERT_LE(0, vmo);

	/* One DIRTY packet for the run of clean pages the write covers. */
	writer_start(&w, vmo, 2 * PAGE + 100, 3 * PAGE, 0x33, NULL);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(ZVMO_PAGER_DIRTY, p.command);
	EXPECT_EQ(5, p.key);
	EXPECT_EQ(2 * PAGE, p.offset);
	EXPECT_EQ(4 * PAGE, p.length);
	EXPECT_TRUE(writer_blocked(&w, 100));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 0));
	EXPECT_STREQ("", dirty(pager, vmo));
	EXPECT_TRUE(is_file(vmo, 2 * PAGE, 4 * PAGE));

	ASSERT_EQ(0, op_dirty(pager, vmo, 2 * PAGE, 4 * PAGE));
	EXPECT_EQ(3 * PAGE, writer_join(&w));
	EXPECT_STREQ("2+4", dirty(pager, vmo));
	EXPECT_EQ(0x33, get_byte(vmo, 5 * PAGE + 99));
	EXPECT_TRUE(is_file(vmo, 5 * PAGE + 100, PAGE - 100));

	/* Dirty already: no question. After writeback: asked again. */
	EXPECT_EQ(0, put_byte(vmo, 3 * PAGE, 1));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 0));
	ASSERT_EQ(0, wb_begin(pager, vmo, 0, NR * PAGE, 0));
	/* Awaiting clean is not clean: a write needs no question. */
	EXPECT_EQ(0, put_byte(vmo, 4 * PAGE, 1));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 0));
	ASSERT_EQ(0, wb_end(pager, vmo, 0, NR * PAGE));
	EXPECT_STREQ("4+1", dirty(pager, vmo));
	writer_start(&w, vmo, 3 * PAGE, 1, 0x44, NULL);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(ZVMO_PAGER_DIRTY, p.command);
	EXPECT_EQ(3 * PAGE, p.offset);
	EXPECT_EQ(PAGE, p.length);
	ASSERT_EQ(0, op_dirty(pager, vmo, 0, NR * PAGE));
	EXPECT_EQ(1, writer_join(&w));
	EXPECT_STREQ("0+16", dirty(pager, vmo));
	close(vmo);
	close(pager);
}

TEST(trap_dirty_through_a_mapping)
{
	volatile unsigned char *map;
	struct zvmo_pager_packet p;
	struct writer w;
	int pager, vmo, round;

	vmo = supplied_vmo(&pager, ZVMO_VMO_TRAP_DIRTY);
	ASSERT_LE(0, vmo);
	map = mmap(NULL, NR * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vmo,
		   0);
	ASSERT_NE(MAP_FAILED, map);
	/* Mapped read-only by a read first, in one round; not in the other. */
	for (round = 0; round < 2; round++) {
		if (round == 0)
			EXPECT_EQ(pattern(PAGE + 7), map[PAGE + 7]);
		writer_start(&w, vmo, PAGE + 7, 1, 0x60 + round, map);
		ASSERT_EQ(0, next_packet(pager, &p, 5000));
		EXPECT_EQ(ZVMO_PAGER_DIRTY, p.command);
		EXPECT_EQ(PAGE, p.offset);
		EXPECT_EQ(PAGE, p.length);
		EXPECT_TRUE(writer_blocked(&w, 100));
		/* Not written yet: what the last round left. */
		EXPECT_EQ(round ? 0x60 : pattern(PAGE + 7),
			  get_byte(vmo, PAGE + 7));
		ASSERT_EQ(0, op_dirty(pager, vmo, p.offset, p.length));
		writer_join(&w);
		EXPECT_EQ(0x60 + round, get_byte(vmo, PAGE + 7));
		EXPECT_STREQ("1+1", dirty(pager, vmo));
		ASSERT_EQ(0, wb_begin(pager, vmo, 0, NR * PAGE, 0));
		ASSERT_EQ(0, wb_end(pager, vmo, 0, NR * PAGE));
		EXPECT_STREQ("", dirty(pager, vmo));
	}
	munmap((void *)map, NR * PAGE);
	close(vmo);
	close(pager);
}

static volatile unsigned char *child_map;

static void child_write(void)
{
	child_map[3 * PAGE] = 1;
	_exit(0);
}

TEST(failing_a_dirty_request_fails_the_write)
{
	struct zvmo_pager_packet p;
	struct writer w;
	int pager, vmo, status;
	pid_t pid;

	vmo = supplied_vmo(&pager, ZVMO_VMO_TRAP_DIRTY);
	ASSERT_LE(0, vmo);
	writer_start(&w, vmo, 3 * PAGE, 10, 0x11, NULL);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(ZVMO_PAGER_DIRTY, p.command);
	ASSERT_EQ(0, pager_fail(pager, vmo, p.offset, p.length, ENOSPC));
	EXPECT_EQ(-1, writer_join(&w));
	EXPECT_EQ(ENOSPC, w.err);
	EXPECT_TRUE(is_file(vmo, 3 * PAGE, PAGE));
	EXPECT_STREQ("", dirty(pager, vmo));

	/* Through a mapping: SIGBUS. */
	child_map = mmap(NULL, NR * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vmo, 0);
	ASSERT_NE(MAP_FAILED, child_map);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		child_write();
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(ZVMO_PAGER_DIRTY, p.command);
	ASSERT_EQ(0, pager_fail(pager, vmo, p.offset, p.length, EIO));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	EXPECT_TRUE(is_file(vmo, 3 * PAGE, PAGE));

	/* A writer killed while it waits goes; the page stays clean. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		child_write();
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	EXPECT_STREQ("", dirty(pager, vmo));

	munmap((void *)child_map, NR * PAGE);
	close(vmo);
	close(pager);
}

TEST(a_pin_for_writing_asks_first)
{
	struct zvmo_pager_packet p;
	int pager, vmo, pmt, status;

	vmo = supplied_vmo(&pager, ZVMO_VMO_TRAP_DIRTY);
	ASSERT_LE(0, vmo);
	/* Reading needs no question. */
	pmt = zt_pin(vmo, -1, ZVMO_PIN_READ, 0, 2 * PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	close(pmt);
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 0));

	/* The answer comes from another thread: the pin blocks. */
	if (fork() == 0) {
		struct zvmo_pager_packet q;

		if (next_packet(pager, &q, 5000) ||
		    q.command != ZVMO_PAGER_DIRTY || q.offset != 0 ||
		    q.length != 2 * PAGE)
			_exit(1);
		_exit(answer_dirty(pager, vmo, q.offset, q.length) ? 2 : 0);
	}
	pmt = zt_pin(vmo, -1, ZVMO_PIN_READ | ZVMO_PIN_WRITE, 0, 2 * PAGE,
		     NULL, 0);
	ASSERT_LE(0, pmt);
	ASSERT_LT(0, wait(&status));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_STREQ("0+2", dirty(pager, vmo));
	close(pmt);
	close(vmo);
	close(pager);
}

TEST(resizing_modifies_and_shrinking_fails_requests_past_the_end)
{
	struct zvmo_pager_packet p;
	unsigned char buf[16];
	int pager, vmo, status;
	pid_t pid;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, NR * PAGE, 8, ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, vmo);
	EXPECT_EQ(0, stats(pager, vmo, 0));

	/* A reader waits for page 10; the VMO shrinks under it. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(pread(vmo, buf, sizeof(buf), 10 * PAGE) < 0 &&
		      errno == ERANGE ? 0 : 1);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(ZVMO_PAGER_READ, p.command);
	ASSERT_EQ(10 * PAGE, p.offset);
	ASSERT_EQ(0, zt_set_size(vmo, 4 * PAGE));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(ZVMO_PAGER_VMO_STATS_MODIFIED,
		  stats(pager, vmo, ZVMO_PAGER_RESET_VMO_STATS));
	ASSERT_EQ(0, zt_set_size(vmo, 8 * PAGE));
	EXPECT_EQ(ZVMO_PAGER_VMO_STATS_MODIFIED, stats(pager, vmo, 0));
	close(vmo);
	close(pager);
}

static void *zero_thread(void *arg)
{
	int vmo = *(int *)arg;

	return (void *)(intptr_t)zt_op(vmo, ZVMO_OP_ZERO, PAGE + 1, 2);
}

/*
 * Growing a pager's VMO, or zeroing whole pages of it, makes dirty zero
 * ranges: read as zeros without asking the pager, reported dirty with
 * ZVMO_DIRTY_RANGE_IS_ZERO, and asked for again once written back.
 */
TEST(growing_and_zeroing_make_dirty_zero_ranges)
{
	struct zvmo_pager_packet p;
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 4 * PAGE, 9, ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 4 * PAGE));

	/* Growth: zeros, dirty, no request. */
	ASSERT_EQ(0, zt_set_size(vmo, 12 * PAGE));
	EXPECT_STREQ("4+8z", dirty(pager, vmo));
	EXPECT_EQ(0, get_byte(vmo, 9 * PAGE));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 0));
	/* A write inside commits a dirty page; no DIRTY request either. */
	EXPECT_EQ(0, put_byte(vmo, 6 * PAGE, 6));
	EXPECT_STREQ("4+2z 6+1 7+5z", dirty(pager, vmo));
	/* DIRTY over zeros is fine: they are dirty already. */
	EXPECT_EQ(0, op_dirty(pager, vmo, 0, 12 * PAGE));
	EXPECT_STREQ("0+4 4+2z 6+1 7+5z", dirty(pager, vmo));

	/* Writing back zeros only: the ranges go, the pages stay dirty. */
	ASSERT_EQ(0, wb_begin(pager, vmo, 4 * PAGE, 4 * PAGE,
			      ZVMO_DIRTY_RANGE_IS_ZERO));
	EXPECT_STREQ("0+4 4+2z 6+1 7+5z", dirty(pager, vmo));
	ASSERT_EQ(0, wb_end(pager, vmo, 4 * PAGE, 4 * PAGE));
	EXPECT_STREQ("0+4 6+1 8+4z", dirty(pager, vmo));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 0));
	EXPECT_EQ(6, get_byte(vmo, 6 * PAGE));

	/* Zeroing whole pages: their content goes, a zero range comes. */
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_ZERO, PAGE, 2 * PAGE));
	EXPECT_STREQ("0+1 1+2z 3+1 6+1 8+4z", dirty(pager, vmo));
	EXPECT_EQ(0, get_byte(vmo, PAGE + 5));
	EXPECT_EQ(pattern(3 * PAGE), get_byte(vmo, 3 * PAGE));
	/* Zeroing inside a zero range changes nothing. */
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_ZERO, 9 * PAGE, PAGE));
	EXPECT_STREQ("0+1 1+2z 3+1 6+1 8+4z", dirty(pager, vmo));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 0));
	/* Partial pages are written zeros. */
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_ZERO, 3 * PAGE + 10, 20));
	EXPECT_EQ(0, get_byte(vmo, 3 * PAGE + 15));
	EXPECT_EQ(pattern(3 * PAGE + 30), get_byte(vmo, 3 * PAGE + 30));

	/* Shrinking cuts the ranges; writeback of all leaves no range. */
	ASSERT_EQ(0, zt_set_size(vmo, 10 * PAGE));
	EXPECT_STREQ("0+1 1+2z 3+1 6+1 8+2z", dirty(pager, vmo));
	ASSERT_EQ(0, wb_begin(pager, vmo, 0, 10 * PAGE, 0));
	ASSERT_EQ(0, wb_end(pager, vmo, 0, 10 * PAGE));
	EXPECT_STREQ("", dirty(pager, vmo));
	close(vmo);
	close(pager);
}

/*
 * With TRAP_DIRTY, a write into a zero range needs no question (the zeros
 * are dirty already); zeroing part of a clean page is a write to it, and
 * asks.
 */
TEST(trap_dirty_and_zero_ranges)
{
	struct zvmo_pager_packet p;
	struct writer w;
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 2 * PAGE, 11,
			ZVMO_VMO_TRAP_DIRTY | ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 2 * PAGE));
	ASSERT_EQ(0, zt_set_size(vmo, 4 * PAGE));
	EXPECT_EQ(0, put_byte(vmo, 3 * PAGE, 3));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 0));
	EXPECT_STREQ("2+1z 3+1", dirty(pager, vmo));

	/* A ZERO of part of a clean page waits for DIRTY, as write() does. */
	pthread_create(&w.thread, NULL, zero_thread, &vmo);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(ZVMO_PAGER_DIRTY, p.command);
	EXPECT_EQ(PAGE, p.offset);
	ASSERT_EQ(0, op_dirty(pager, vmo, PAGE, PAGE));
	pthread_join(w.thread, NULL);
	EXPECT_EQ(0, get_byte(vmo, PAGE + 1));
	EXPECT_STREQ("1+1 2+1z 3+1", dirty(pager, vmo));
	close(vmo);
	close(pager);
}

/* A read of a range whose zeros were written back asks the pager again. */
TEST(written_back_zeros_are_asked_for_again)
{
	struct zvmo_pager_packet p;
	struct writer w;
	unsigned char c = 1;
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 2 * PAGE, 10, ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_set_size(vmo, 4 * PAGE));
	ASSERT_EQ(0, wb_begin(pager, vmo, 2 * PAGE, 2 * PAGE,
			      ZVMO_DIRTY_RANGE_IS_ZERO));
	ASSERT_EQ(0, wb_end(pager, vmo, 2 * PAGE, 2 * PAGE));
	EXPECT_STREQ("", dirty(pager, vmo));
	/* A write asks first for the page, as it does anywhere else. */
	writer_start(&w, vmo, 3 * PAGE, 1, 0x77, NULL);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(ZVMO_PAGER_READ, p.command);
	EXPECT_EQ(3 * PAGE, p.offset);
	ASSERT_EQ(0, supply_file(pager, vmo, p.offset, p.length));
	EXPECT_EQ(1, writer_join(&w));
	ASSERT_EQ(1, pread(vmo, &c, 1, 3 * PAGE));
	EXPECT_EQ(0x77, c);
	close(vmo);
	close(pager);
}

TEST_HARNESS_MAIN
