// SPDX-License-Identifier: GPL-2.0
/*
 * Pins, BTIs, contiguous VMOs and cache policies, through the raw ioctls,
 * as root (vmo_user_test covers what an unprivileged user may do).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"

#define PAGE 4096ULL
#define NPG 8

#define RW (ZVMO_PIN_READ | ZVMO_PIN_WRITE)

static long stat_of(int which)
{
	struct zvmo_stats st;

	if (zt_stats(&st))
		return -1;
	switch (which) {
	case 0: return st.pinned_pages;
	case 1: return st.pmts;
	case 2: return st.vmos;
	case 3: return st.pages;
	default: return st.btis;
	}
}

#define PINNED_PAGES	stat_of(0)
#define PMTS		stat_of(1)
#define VMOS		stat_of(2)
#define PAGES		stat_of(3)

static uint64_t committed(int fd)
{
	struct zvmo_vmo_info info;

	return zt_info(fd, &info) ? ~0ULL : info.committed_bytes;
}

static uint64_t pinned(int fd)
{
	struct zvmo_vmo_info info;

	return zt_info(fd, &info) ? ~0ULL : info.pinned_bytes;
}

/* Fill page i of @fd with the byte 'a' + i. */
static int fill(int fd, int npg)
{
	char buf[PAGE];
	int i;

	for (i = 0; i < npg; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		if (pwrite(fd, buf, PAGE, i * PAGE) != PAGE)
			return -1;
	}
	return 0;
}

/* Whether page @pg of @fd is all @c. */
static int page_is(int fd, int pg, char c)
{
	char buf[PAGE];
	size_t i;

	if (pread(fd, buf, PAGE, pg * PAGE) != PAGE)
		return 0;
	for (i = 0; i < PAGE; i++)
		if (buf[i] != c)
			return 0;
	return 1;
}

/* The physical address /proc/self/pagemap shows for @addr, or 0. */
static uint64_t pagemap_phys(const void *addr)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, 8, (uintptr_t)addr / PAGE * 8) != 8)
		ent = 0;
	close(fd);
	if (!(ent >> 63))
		return 0;
	return (ent & ((1ULL << 55) - 1)) * PAGE;
}

TEST(pin_commits_and_counts)
{
	long base = PINNED_PAGES;
	int fd, pmt;

	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	pmt = zt_pin(fd, -1, ZVMO_PIN_READ, 2 * PAGE, 4 * PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(4 * PAGE, committed(fd));
	EXPECT_EQ(4 * PAGE, pinned(fd));
	EXPECT_EQ(base + 4, PINNED_PAGES);
	EXPECT_EQ(1, PMTS);
	ASSERT_EQ(0, close(pmt));
	EXPECT_EQ(0, pinned(fd));
	EXPECT_EQ(base, PINNED_PAGES);
	EXPECT_EQ(0, PMTS);
	/* Unpinning leaves the pages committed. */
	EXPECT_EQ(4 * PAGE, committed(fd));
	close(fd);
}

TEST(pins_nest)
{
	int fd, a, b;

	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	a = zt_pin(fd, -1, RW, 0, 4 * PAGE, NULL, 0);
	b = zt_pin(fd, -1, RW, 2 * PAGE, 4 * PAGE, NULL, 0);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	EXPECT_EQ(6 * PAGE, pinned(fd));
	EXPECT_EQ(6, PINNED_PAGES);
	ASSERT_EQ(0, close(a));
	/* Pages 2 and 3 still hold b's pin; 0 and 1 hold none. */
	EXPECT_EQ(4 * PAGE, pinned(fd));
	EXPECT_EQ(-EBUSY, zt_op(fd, ZVMO_OP_DECOMMIT, 2 * PAGE, PAGE));
	EXPECT_EQ(0, zt_op(fd, ZVMO_OP_DECOMMIT, 0, 2 * PAGE));
	EXPECT_EQ(4 * PAGE, committed(fd));
	/* The explicit unpin is at once, and the descriptor stays. */
	EXPECT_EQ(0, zt_ret(ioctl(b, ZVMO_IOC_PMT_UNPIN)));
	EXPECT_EQ(0, pinned(fd));
	EXPECT_EQ(0, zt_ret(ioctl(b, ZVMO_IOC_PMT_UNPIN)));
	EXPECT_EQ(0, zt_op(fd, ZVMO_OP_DECOMMIT, 0, NPG * PAGE));
	EXPECT_EQ(0, committed(fd));
	close(b);
	close(fd);
}

TEST(nest_limit)
{
	int fd, pmts[ZVMO_PIN_MAX_NEST], i;

	fd = zt_create(2 * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < ZVMO_PIN_MAX_NEST; i++) {
		pmts[i] = zt_pin(fd, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0);
		ASSERT_LE(0, pmts[i]);
	}
	/* One more of page 0 is refused, whole: page 1 gains nothing. */
	EXPECT_EQ(-EPERM, zt_pin(fd, -1, ZVMO_PIN_READ, 0, 2 * PAGE, NULL, 0));
	EXPECT_EQ(PAGE, pinned(fd));
	EXPECT_EQ(1, PINNED_PAGES);
	EXPECT_EQ(ZVMO_PIN_MAX_NEST, PMTS);
	for (i = 0; i < ZVMO_PIN_MAX_NEST; i++)
		close(pmts[i]);
	EXPECT_EQ(0, PINNED_PAGES);
	EXPECT_EQ(0, PMTS);
	close(fd);
}

TEST(decommit_of_pinned_fails_and_changes_nothing)
{
	int fd, pmt, i;

	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, NPG));
	pmt = zt_pin(fd, -1, ZVMO_PIN_READ, 5 * PAGE, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(-EBUSY, zt_op(fd, ZVMO_OP_DECOMMIT, 0, NPG * PAGE));
	EXPECT_EQ(NPG * PAGE, committed(fd));
	for (i = 0; i < NPG; i++)
		EXPECT_TRUE(page_is(fd, i, 'a' + i));
	close(pmt);
	EXPECT_EQ(0, zt_op(fd, ZVMO_OP_DECOMMIT, 0, NPG * PAGE));
	EXPECT_EQ(0, committed(fd));
	close(fd);
}

TEST(shrink_over_pinned_fails)
{
	int fd, pmt;

	fd = zt_create(NPG * PAGE, ZVMO_VMO_RESIZABLE, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, NPG));
	pmt = zt_pin(fd, -1, ZVMO_PIN_WRITE, 6 * PAGE, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(-EBUSY, zt_set_size(fd, 4 * PAGE));
	EXPECT_EQ(NPG * PAGE, zt_size(fd));
	EXPECT_EQ(NPG * PAGE, committed(fd));
	EXPECT_TRUE(page_is(fd, 7, 'h'));
	/* Shrinking up to the pinned page is fine. */
	EXPECT_EQ(0, zt_set_size(fd, 7 * PAGE));
	EXPECT_EQ(7 * PAGE, committed(fd));
	EXPECT_EQ(0, zt_set_size(fd, 12 * PAGE));
	close(pmt);
	EXPECT_EQ(0, zt_set_size(fd, 0));
	EXPECT_EQ(0, committed(fd));
	close(fd);
}

TEST(zero_keeps_pinned_pages_in_place)
{
	uint64_t before[2], after[2];
	int fd, bti, pmt, again;

	bti = zt_bti();
	ASSERT_LE(0, bti);
	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, NPG));
	pmt = zt_pin(fd, bti, ZVMO_PIN_READ, 2 * PAGE, 2 * PAGE, before, 2);
	ASSERT_LE(0, pmt);
	/* Partial pages at the ends, whole ones between. */
	ASSERT_EQ(0, zt_op(fd, ZVMO_OP_ZERO, PAGE + 100, 5 * PAGE));
	EXPECT_TRUE(page_is(fd, 2, 0));
	EXPECT_TRUE(page_is(fd, 3, 0));
	EXPECT_TRUE(page_is(fd, 4, 0));
	EXPECT_TRUE(page_is(fd, 7, 'h'));
	/* Pinned pages stay committed; page 4 and 5 went. */
	EXPECT_EQ(6 * PAGE, committed(fd));
	again = zt_pin(fd, bti, ZVMO_PIN_READ, 2 * PAGE, 2 * PAGE, after, 2);
	ASSERT_LE(0, again);
	EXPECT_EQ(before[0], after[0]);
	EXPECT_EQ(before[1], after[1]);
	close(again);
	close(pmt);
	close(fd);
	close(bti);
}

TEST(snapshot_of_pinned_is_refused)
{
	int fd, pmt, child;

	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	pmt = zt_pin(fd, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(-EBUSY, zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, NPG * PAGE));
	EXPECT_EQ(-EBUSY, zt_child(fd, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
				   0, NPG * PAGE));
	/* A slice shares the pages, so it is fine. */
	child = zt_child(fd, ZVMO_CHILD_SLICE, 0, NPG * PAGE);
	ASSERT_LE(0, child);
	close(child);
	close(pmt);
	child = zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, NPG * PAGE);
	ASSERT_LE(0, child);
	close(child);
	close(fd);
}

TEST(write_pin_of_a_snapshot_forks)
{
	struct zvmo_vmo_info info;
	int fd, child, pmt;
	char c = 'z';

	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, NPG));
	child = zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, NPG * PAGE);
	ASSERT_LE(0, child);
	pmt = zt_pin(child, -1, RW, PAGE, 2 * PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	ASSERT_EQ(0, zt_info(child, &info));
	EXPECT_EQ(2 * PAGE, info.committed_private_bytes);
	EXPECT_EQ(2 * PAGE, info.pinned_bytes);
	EXPECT_TRUE(page_is(child, 1, 'b'));
	ASSERT_EQ(1, pwrite(child, &c, 1, PAGE));
	EXPECT_TRUE(page_is(fd, 1, 'b'));
	/* The parent is not pinned: it can be written, and go. */
	ASSERT_EQ(1, pwrite(fd, &c, 1, 2 * PAGE));
	close(fd);
	EXPECT_TRUE(page_is(child, 2, 'c'));
	close(pmt);
	close(child);
}

TEST(pin_outlives_the_vmo_descriptor)
{
	long vmos = VMOS, pages = PAGES;
	struct zvmo_pmt_info pi = { .argsz = sizeof(pi) };
	int fd, pmt;

	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	pmt = zt_pin(fd, -1, ZVMO_PIN_READ, 4 * PAGE, 4 * PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(vmos + 1, VMOS);
	EXPECT_EQ(pages + 4, PAGES);
	ASSERT_EQ(0, zt_ret(ioctl(pmt, ZVMO_IOC_PMT_INFO, &pi)));
	EXPECT_EQ(4 * PAGE, pi.offset);
	EXPECT_EQ(4 * PAGE, pi.size);
	EXPECT_EQ(ZVMO_PIN_READ, pi.options);
	EXPECT_EQ(1, pi.pinned);
	EXPECT_NE(0, pi.vmo_koid);
	ASSERT_EQ(0, close(pmt));
	EXPECT_EQ(vmos, VMOS);
	EXPECT_EQ(pages, PAGES);
	EXPECT_EQ(0, PINNED_PAGES);
}

TEST(a_dying_process_releases_its_pins)
{
	long vmos = VMOS, pages = PAGES;
	int pipefd[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = zt_create(64 * PAGE, 0, 0);

		if (fd < 0 || zt_pin(fd, -1, RW, 0, 64 * PAGE, NULL, 0) < 0 ||
		    zt_pin(fd, -1, RW, 0, 8 * PAGE, NULL, 0) < 0)
			_exit(1);
		close(fd);
		if (write(pipefd[1], "p", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	EXPECT_EQ(64, PINNED_PAGES);
	EXPECT_EQ(2, PMTS);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(0, PINNED_PAGES);
	EXPECT_EQ(0, PMTS);
	EXPECT_EQ(vmos, VMOS);
	EXPECT_EQ(pages, PAGES);
	close(pipefd[0]);
}

TEST(bad_pins_change_nothing)
{
	uint64_t addrs[NPG];
	int fd, bti, ro, nomap;

	bti = zt_bti();
	ASSERT_LE(0, bti);
	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, zt_pin(fd, -1, 0, 0, PAGE, NULL, 0));
	EXPECT_EQ(-EINVAL, zt_pin(fd, -1, ZVMO_PIN_READ | (1U << 5), 0, PAGE,
				  NULL, 0));
	EXPECT_EQ(-EINVAL, zt_pin(fd, -1, ZVMO_PIN_READ | ZVMO_PIN_COMPRESS |
				  ZVMO_PIN_CONTIGUOUS, 0, PAGE, NULL, 0));
	EXPECT_EQ(-EINVAL, zt_pin(fd, -1, ZVMO_PIN_READ, 100, PAGE, NULL, 0));
	EXPECT_EQ(-EINVAL, zt_pin(fd, -1, ZVMO_PIN_READ, 0, 100, NULL, 0));
	EXPECT_EQ(-EINVAL, zt_pin(fd, -1, ZVMO_PIN_READ, 0, 0, NULL, 0));
	EXPECT_EQ(-ERANGE, zt_pin(fd, -1, ZVMO_PIN_READ, 4 * PAGE,
				  8 * PAGE, NULL, 0));
	EXPECT_EQ(-ERANGE, zt_pin(fd, -1, ZVMO_PIN_READ, -PAGE, 2 * PAGE,
				  NULL, 0));
	/* Addresses only through a BTI, and in the right number. */
	EXPECT_EQ(-EACCES, zt_pin(fd, -1, ZVMO_PIN_READ, 0, PAGE, addrs, 1));
	EXPECT_EQ(-ENOTTY, zt_pin(fd, fd, ZVMO_PIN_READ, 0, PAGE, addrs, 1));
	EXPECT_EQ(-EBADF, zt_pin(fd, 999, ZVMO_PIN_READ, 0, PAGE, addrs, 1));
	EXPECT_EQ(-EINVAL, zt_pin(fd, bti, ZVMO_PIN_READ, 0, 2 * PAGE,
				  addrs, 1));
	EXPECT_EQ(-EINVAL, zt_pin(fd, bti, ZVMO_PIN_READ, 0, 2 * PAGE,
				  NULL, 0));
	EXPECT_EQ(-EINVAL, zt_pin(fd, bti, ZVMO_PIN_READ | ZVMO_PIN_CONTIGUOUS,
				  0, 2 * PAGE, addrs, 1));
	EXPECT_EQ(-EFAULT, zt_pin(fd, bti, ZVMO_PIN_READ, 0, PAGE,
				  (uint64_t *)8, 1));
	/* Rights. */
	ro = zt_dup(fd, ZVMO_RIGHT_READ | ZVMO_RIGHT_MAP, ZVMO_FD_CLOEXEC);
	nomap = zt_dup(fd, ZVMO_RIGHT_READ | ZVMO_RIGHT_WRITE,
		       ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, ro);
	ASSERT_LE(0, nomap);
	EXPECT_EQ(-EACCES, zt_pin(ro, -1, ZVMO_PIN_WRITE, 0, PAGE, NULL, 0));
	EXPECT_EQ(-EACCES, zt_pin(nomap, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0));
	EXPECT_EQ(0, PINNED_PAGES);
	EXPECT_EQ(0, PMTS);
	/* Only the failure after the commit committed anything. */
	EXPECT_EQ(PAGE, committed(fd));
	close(nomap);
	close(ro);
	close(fd);
	close(bti);
}

TEST(physical_addresses_are_real_and_stay_under_pressure)
{
	uint64_t addrs[NPG], again[NPG];
	int fd, bti, pmt, pmt2, i, status, cfd;
	char *p;
	pid_t pid;

	bti = zt_bti();
	ASSERT_LE(0, bti);
	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	pmt = zt_pin(fd, bti, RW, 0, NPG * PAGE, addrs, NPG);
	ASSERT_LE(0, pmt);
	p = mmap(NULL, NPG * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < NPG; i++) {
		p[i * PAGE] = 'a' + i;
		EXPECT_NE(0, addrs[i]);
		EXPECT_EQ(0, addrs[i] % PAGE);
		EXPECT_EQ(addrs[i], pagemap_phys(p + i * PAGE));
	}

	/* Pressure: a child touches memory, then everything is compacted. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		size_t len = 96 << 20;
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			_exit(1);
		memset(m, 1, len);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	cfd = open("/proc/sys/vm/compact_memory", O_WRONLY);
	if (cfd >= 0) {
		EXPECT_EQ(1, write(cfd, "1", 1));
		close(cfd);
	}

	pmt2 = zt_pin(fd, bti, ZVMO_PIN_READ | ZVMO_PIN_COMPRESS, 0,
		      NPG * PAGE, again, NPG);
	ASSERT_LE(0, pmt2);
	for (i = 0; i < NPG; i++) {
		EXPECT_EQ(addrs[i], again[i]);
		EXPECT_EQ(addrs[i], pagemap_phys(p + i * PAGE));
		EXPECT_EQ('a' + i, p[i * PAGE]);
	}
	munmap(p, NPG * PAGE);
	close(pmt2);
	close(pmt);
	close(fd);
	close(bti);
}

TEST(pins_hold_the_module)
{
	char buf[32] = { 0 };
	long before, during;
	int rfd, fd, pmt;

	ASSERT_LE(0, zt_dev());
	rfd = open("/sys/module/zvmo/refcnt", O_RDONLY);
	ASSERT_LE(0, rfd);
	ASSERT_LT(0, pread(rfd, buf, sizeof(buf) - 1, 0));
	before = strtol(buf, NULL, 10);
	fd = zt_create(PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	pmt = zt_pin(fd, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	close(fd);
	memset(buf, 0, sizeof(buf));
	ASSERT_LT(0, pread(rfd, buf, sizeof(buf) - 1, 0));
	during = strtol(buf, NULL, 10);
	EXPECT_EQ(before + 1, during);
	/* Unloading is refused while the pin is held. */
	EXPECT_NE(0, syscall(SYS_delete_module, "zvmo", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	close(pmt);
	memset(buf, 0, sizeof(buf));
	ASSERT_LT(0, pread(rfd, buf, sizeof(buf) - 1, 0));
	EXPECT_EQ(before, strtol(buf, NULL, 10));
	close(rfd);
}

TEST(contiguous_vmos)
{
	uint64_t one, addrs[16], again[16];
	struct zvmo_vmo_info info;
	int bti, fd, pmt, slice, i;

	bti = zt_bti();
	ASSERT_LE(0, bti);
	fd = zt_contig(bti, 16 * PAGE, 16);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_info(fd, &info));
	EXPECT_TRUE(info.flags & ZVMO_INFO_CONTIGUOUS);
	EXPECT_FALSE(info.flags & ZVMO_INFO_RESIZABLE);
	EXPECT_EQ(16 * PAGE, info.committed_bytes);
	EXPECT_EQ(0, info.rights & ZVMO_RIGHT_RESIZE);

	pmt = zt_pin(fd, bti, ZVMO_PIN_READ | ZVMO_PIN_CONTIGUOUS, 0,
		     16 * PAGE, &one, 1);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(0, one % (1 << 16));
	close(pmt);
	pmt = zt_pin(fd, bti, ZVMO_PIN_READ, 0, 16 * PAGE, addrs, 16);
	ASSERT_LE(0, pmt);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(one + i * PAGE, addrs[i]);
	close(pmt);

	EXPECT_EQ(-EOPNOTSUPP, zt_op(fd, ZVMO_OP_DECOMMIT, 0, PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(fd,
					ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
					0, PAGE));
	EXPECT_EQ(-EPERM, zt_set_size(fd, PAGE));
	/* Zero works in place; commit is a no-op. */
	ASSERT_EQ(0, fill(fd, 16));
	ASSERT_EQ(0, zt_op(fd, ZVMO_OP_ZERO, 0, 8 * PAGE));
	EXPECT_TRUE(page_is(fd, 3, 0));
	EXPECT_TRUE(page_is(fd, 9, 'a' + 9));
	EXPECT_EQ(16 * PAGE, committed(fd));
	EXPECT_EQ(0, zt_op(fd, ZVMO_OP_COMMIT, 0, 16 * PAGE));
	pmt = zt_pin(fd, bti, ZVMO_PIN_READ, 0, 16 * PAGE, again, 16);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(0, memcmp(addrs, again, sizeof(addrs)));
	close(pmt);

	/* A slice of it is contiguous, and can pin as one run. */
	slice = zt_child(fd, ZVMO_CHILD_SLICE, 4 * PAGE, 4 * PAGE);
	ASSERT_LE(0, slice);
	ASSERT_EQ(0, zt_info(slice, &info));
	EXPECT_TRUE(info.flags & ZVMO_INFO_CONTIGUOUS);
	pmt = zt_pin(slice, bti, ZVMO_PIN_READ | ZVMO_PIN_CONTIGUOUS, 0,
		     4 * PAGE, &one, 1);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(addrs[4], one);
	close(pmt);
	close(slice);
	close(fd);

	/* Bad sizes and alignments, and the allocator's limit. */
	EXPECT_EQ(-EINVAL, zt_contig(bti, 0, 0));
	EXPECT_EQ(-EINVAL, zt_contig(bti, PAGE, 11));
	EXPECT_EQ(-EINVAL, zt_contig(bti, PAGE, 32));
	EXPECT_EQ(-ENOMEM, zt_contig(bti, 8ULL << 20, 0));
	EXPECT_EQ(-ENOMEM, zt_contig(bti, PAGE, 31));
	EXPECT_EQ(-ENOTTY, zt_contig(zt_dev(), PAGE, 0));
	EXPECT_EQ(-EBADF, zt_contig(-1, PAGE, 0));
	/* Alignment larger than the size. */
	fd = zt_contig(bti, PAGE, 20);
	ASSERT_LE(0, fd);
	pmt = zt_pin(fd, bti, ZVMO_PIN_READ | ZVMO_PIN_CONTIGUOUS, 0, PAGE,
		     &one, 1);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(0, one % (1 << 20));
	EXPECT_EQ(PAGE, committed(fd));
	close(pmt);
	close(fd);
	EXPECT_EQ(0, PINNED_PAGES);
	close(bti);
}

TEST(bti_info)
{
	struct zvmo_bti_info bi = { .argsz = sizeof(bi) };
	uint64_t addr;
	int bti, fd, pmt;

	bti = zt_bti();
	ASSERT_LE(0, bti);
	fd = zt_create(PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_ret(ioctl(bti, ZVMO_IOC_BTI_INFO, &bi)));
	EXPECT_EQ(7, bi.bti_id);
	EXPECT_EQ(PAGE, bi.minimum_contiguity);
	EXPECT_EQ(0, bi.pmo_count);
	pmt = zt_pin(fd, bti, ZVMO_PIN_READ, 0, PAGE, &addr, 1);
	ASSERT_LE(0, pmt);
	ASSERT_EQ(0, zt_ret(ioctl(bti, ZVMO_IOC_BTI_INFO, &bi)));
	EXPECT_EQ(1, bi.pmo_count);
	/* The pin holds the BTI: closing it first changes nothing. */
	close(bti);
	EXPECT_EQ(1, stat_of(4));
	close(pmt);
	EXPECT_EQ(0, stat_of(4));
	close(fd);
	EXPECT_EQ(-ENOTTY, zt_ret(ioctl(zt_dev(), ZVMO_IOC_BTI_INFO, &bi)));
}

TEST(cache_policy_rules)
{
	struct zvmo_vmo_info info;
	int fd, child, pmt, nomap;
	char buf[8];
	char *p;

	fd = zt_create(NPG * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, zt_cache_policy(fd, 4));
	nomap = zt_dup(fd, ZVMO_RIGHT_READ | ZVMO_RIGHT_WRITE,
		       ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, nomap);
	EXPECT_EQ(-EACCES, zt_cache_policy(nomap, ZVMO_CACHE_UNCACHED));
	close(nomap);
	ASSERT_EQ(0, zt_cache_policy(fd, ZVMO_CACHE_WRITE_COMBINING));
	ASSERT_EQ(0, zt_cache_policy(fd, ZVMO_CACHE_UNCACHED));
	ASSERT_EQ(0, zt_info(fd, &info));
	EXPECT_EQ(ZVMO_CACHE_UNCACHED, info.cache_policy);

	/* Not cached: no snapshots, no private mappings. */
	EXPECT_EQ(-EBUSY, zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EINVAL, errno);

	/* A shared mapping works, and a read of a hole commits. */
	p = mmap(NULL, NPG * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, p[3 * PAGE]);
	EXPECT_EQ(PAGE, committed(fd));
	memcpy(p + PAGE, "uncached", 8);
	ASSERT_EQ(8, pread(fd, buf, 8, PAGE));
	EXPECT_EQ(0, memcmp(buf, "uncached", 8));
	ASSERT_EQ(2, pwrite(fd, "UN", 2, PAGE));
	EXPECT_EQ(0, memcmp(p + PAGE, "UNcached", 8));
	EXPECT_EQ(-EBUSY, zt_cache_policy(fd, ZVMO_CACHE_CACHED));
	munmap(p, NPG * PAGE);
	/* Committed pages: still busy. */
	EXPECT_EQ(-EBUSY, zt_cache_policy(fd, ZVMO_CACHE_CACHED));
	ASSERT_EQ(0, zt_op(fd, ZVMO_OP_DECOMMIT, 0, NPG * PAGE));
	ASSERT_EQ(0, zt_cache_policy(fd, ZVMO_CACHE_CACHED));

	/* Children, and being a child. */
	child = zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, PAGE);
	ASSERT_LE(0, child);
	EXPECT_EQ(-EBUSY, zt_cache_policy(fd, ZVMO_CACHE_UNCACHED));
	EXPECT_EQ(-EBUSY, zt_cache_policy(child, ZVMO_CACHE_UNCACHED));
	close(child);
	child = zt_child(fd, ZVMO_CHILD_SLICE, 0, PAGE);
	ASSERT_LE(0, child);
	EXPECT_EQ(-EBUSY, zt_cache_policy(fd, ZVMO_CACHE_UNCACHED));
	EXPECT_EQ(-EBUSY, zt_cache_policy(child, ZVMO_CACHE_UNCACHED));
	close(child);

	/* Pins: the contiguous case, whose committed pages are allowed. */
	close(fd);
	fd = zt_bti();
	ASSERT_LE(0, fd);
	child = zt_contig(fd, 4 * PAGE, 0);
	close(fd);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, fill(child, 4));
	pmt = zt_pin(child, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(-EBUSY, zt_cache_policy(child, ZVMO_CACHE_UNCACHED));
	close(pmt);
	ASSERT_EQ(0, zt_cache_policy(child, ZVMO_CACHE_WRITE_COMBINING));
	ASSERT_EQ(0, zt_cache_policy(child, ZVMO_CACHE_UNCACHED_DEVICE));
	EXPECT_TRUE(page_is(child, 2, 'c'));
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, child, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('d', p[3 * PAGE + 17]);
	p[0] = 'Q';
	munmap(p, 4 * PAGE);
	ASSERT_EQ(0, zt_cache_policy(child, ZVMO_CACHE_CACHED));
	ASSERT_EQ(1, pread(child, buf, 1, 0));
	EXPECT_EQ('Q', buf[0]);
	/* Closed while not cached: its pages go back write-back. */
	ASSERT_EQ(0, zt_cache_policy(child, ZVMO_CACHE_UNCACHED));
	close(child);
}

TEST_HARNESS_MAIN
