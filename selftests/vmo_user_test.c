// SPDX-License-Identifier: GPL-2.0
/*
 * What an unprivileged user can do: run as nobody by run_tests.sh (the
 * name ends in _user_test). Creating, reading, writing and mapping VMOs
 * needs no privilege, like memfd_create().
 */
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"

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

TEST_HARNESS_MAIN
