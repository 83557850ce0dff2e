// SPDX-License-Identifier: GPL-2.0
/*
 * What an unprivileged user can do: run as nobody by run_tests.sh (the
 * name ends in _user_test). Creating, reading, writing and mapping VMOs
 * needs no privilege, like memfd_create().
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"
#include "zvmo_nl.h"

#define PAGE 4096ULL

TEST(runs_unprivileged)
{
	ASSERT_NE(0, geteuid());
}

TEST(create_write_map)
{
	struct zvmo_vmo_info info;
	char buf[8] = { 0 };
	char *p;
	int fd, ro;

	fd = zt_create(16 * PAGE, ZVMO_VMO_RESIZABLE, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, pwrite(fd, "user!", 5, PAGE));
	p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, memcmp(p + PAGE, "user!", 5));
	p[2 * PAGE] = 'm';
	ASSERT_EQ(1, pread(fd, buf, 1, 2 * PAGE));
	ASSERT_EQ('m', buf[0]);
	ASSERT_EQ(0, zt_op(fd, ZVMO_OP_COMMIT, 0, 16 * PAGE));
	ASSERT_EQ(0, zt_set_size(fd, 4 * PAGE));
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(4 * PAGE, info.committed_bytes);
	ro = zt_dup(fd, ZVMO_RIGHT_READ | ZVMO_RIGHT_MAP, 0);
	ASSERT_LE(0, ro);
	ASSERT_EQ(-EACCES, zt_ret(pwrite(ro, "x", 1, 0)));
	munmap(p, 16 * PAGE);
	close(ro);
	close(fd);
}

TEST(stats_are_readable)
{
	struct zvmo_stats st;

	ASSERT_EQ(0, zt_stats(&st));
}

TEST(no_bti_and_no_addresses)
{
	struct zvmo_vmo_info info;
	uint64_t addr = 0;
	int fd, pmt;

	EXPECT_EQ(-EACCES, zt_bti());
	/* Contiguous VMOs need a BTI, so they are out of reach too. */
	EXPECT_EQ(-EBADF, zt_contig(-1, PAGE, 0));
	fd = zt_create(4 * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, zt_pin(fd, -1, ZVMO_PIN_READ, 0, PAGE, &addr, 1));
	EXPECT_EQ(0, addr);
	/* Keeping pages resident needs no privilege. */
	pmt = zt_pin(fd, -1, ZVMO_PIN_READ | ZVMO_PIN_WRITE, 0, 4 * PAGE,
		     NULL, 0);
	ASSERT_LE(0, pmt);
	ASSERT_EQ(0, zt_info(fd, &info));
	EXPECT_EQ(4 * PAGE, info.pinned_bytes);
	EXPECT_EQ(-EBUSY, zt_op(fd, ZVMO_OP_DECOMMIT, 0, 4 * PAGE));
	close(pmt);
	close(fd);
}

TEST(pins_are_charged_to_rlimit_memlock)
{
	struct rlimit rl = { 16 * PAGE, 16 * PAGE };
	struct zvmo_stats st;
	int fd, a, b, c;

	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	fd = zt_create(64 * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	a = zt_pin(fd, -1, ZVMO_PIN_READ, 0, 8 * PAGE, NULL, 0);
	ASSERT_LE(0, a);
	/* 8 + 16 is past 16 pages: refused, and nothing is committed. */
	EXPECT_EQ(-ENOMEM, zt_pin(fd, -1, ZVMO_PIN_READ, 16 * PAGE,
				  16 * PAGE, NULL, 0));
	ASSERT_EQ(0, zt_stats(&st));
	EXPECT_EQ(8, st.pinned_pages);
	/* Nested pins count again. */
	b = zt_pin(fd, -1, ZVMO_PIN_READ, 0, 8 * PAGE, NULL, 0);
	ASSERT_LE(0, b);
	EXPECT_EQ(-ENOMEM, zt_pin(fd, -1, ZVMO_PIN_READ, 8 * PAGE, PAGE,
				  NULL, 0));
	/* An unpin gives the charge back. */
	ASSERT_EQ(0, zt_ret(ioctl(a, ZVMO_IOC_PMT_UNPIN)));
	c = zt_pin(fd, -1, ZVMO_PIN_READ, 32 * PAGE, 8 * PAGE, NULL, 0);
	ASSERT_LE(0, c);
	close(a);
	close(b);
	close(c);
	c = zt_pin(fd, -1, ZVMO_PIN_READ, 0, 16 * PAGE, NULL, 0);
	ASSERT_LE(0, c);
	close(c);
	ASSERT_EQ(0, zt_stats(&st));
	EXPECT_EQ(0, st.pinned_pages);
	EXPECT_EQ(0, st.pmts);
	close(fd);
}

TEST(cache_policy_is_open_to_users)
{
	int fd = zt_create(PAGE, 0, ZVMO_FD_CLOEXEC);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_cache_policy(fd, ZVMO_CACHE_WRITE_COMBINING));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[5] = 'w';
	munmap(p, PAGE);
	close(fd);
}

/* Caches are for everyone; making the kernel reclaim now is for root. */
TEST(discardable_is_open_to_users_reclaim_now_is_not)
{
	struct zvmo_vmo_lock_state st;
	struct zvmo_op_range args = {
		.argsz = sizeof(args), .op = ZVMO_OP_LOCK, .length = PAGE,
		.buffer = (uintptr_t)&st, .buffer_size = sizeof(st),
	};
	int fd = zt_create(PAGE, ZVMO_VMO_DISCARDABLE, ZVMO_FD_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_ret(ioctl(fd, ZVMO_IOC_VMO_OP_RANGE, &args)));
	EXPECT_EQ(0, st.discarded_size);
	EXPECT_EQ(0, zt_op(fd, ZVMO_OP_UNLOCK, 0, PAGE));
	EXPECT_EQ(-EACCES, zt_reclaim(NULL, 100));
	EXPECT_EQ(-EACCES, zt_reclaim("discard", 100));
	close(fd);
}

/* Introspection shows a user its own VMOs, and the counters. */
static struct zt_nl_reply reply;

TEST(introspection_shows_only_own_vmos)
{
	struct zvmo_vmo_info info;
	struct zt_nl nl;
	unsigned int i;
	int fd;

	ASSERT_EQ(0, zt_nl_open(&nl));
	fd = zt_create(4 * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, true, 0, NULL, 0,
				   &reply));
	ASSERT_NE(NULL, zt_nl_find(&reply, info.koid));
	for (i = 0; i < reply.nr_vmos; i++)
		EXPECT_EQ(getuid(), reply.vmos[i].uid);
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_STATS, false, 0, NULL,
				   0, &reply));
	EXPECT_TRUE(reply.have_stats);
	EXPECT_LE(1, reply.stats[ZVMO_STAT_ATTR_VMOS]);
	close(fd);
	zt_nl_close(&nl);
}

TEST_HARNESS_MAIN
