// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous VMOs through the ABI: read and write, commit, decommit and zero,
 * resize, rights, bad input, concurrency and memory cgroup limits.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"

#define PAGE 4096ULL

static long pages_held(void)
{
	struct zvmo_stats st;

	return zt_stats(&st) ? -1 : (long)st.pages;
}

static uint64_t committed(int fd)
{
	struct zvmo_vmo_info info;

	return zt_info(fd, &info) ? UINT64_MAX : info.committed_bytes;
}

static int all_bytes(const void *p, int c, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++ != (unsigned char)c)
			return 0;
	return 1;
}

static ssize_t zt_pread(int fd, void *buf, size_t n, uint64_t off)
{
	return zt_ret(pread(fd, buf, n, off));
}

static ssize_t zt_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
	return zt_ret(pwrite(fd, buf, n, off));
}

FIXTURE(vmo) {
	int fd;
	uint64_t size;
	long pages_before;
};

FIXTURE_SETUP(vmo)
{
	self->pages_before = pages_held();
	self->size = 16 * PAGE;
	self->fd = zt_create(self->size, ZVMO_VMO_RESIZABLE, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(vmo)
{
	close(self->fd);
	/* Every page the test committed went back with the VMO. */
	EXPECT_EQ(self->pages_before, pages_held());
}

TEST_F(vmo, fresh_reads_zero_without_committing)
{
	char buf[3 * PAGE];

	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(sizeof(buf), zt_pread(self->fd, buf, sizeof(buf), PAGE + 7));
	ASSERT_TRUE(all_bytes(buf, 0, sizeof(buf)));
	ASSERT_EQ(0, committed(self->fd));
	ASSERT_EQ(self->pages_before, pages_held());
}

TEST_F(vmo, write_read_any_range)
{
	static const struct { uint64_t off, len; } cases[] = {
		{ 0, 1 }, { 1, 1 }, { PAGE - 1, 2 }, { 5, PAGE },
		{ 3 * PAGE, PAGE }, { 100, 5 * PAGE + 17 }, { 15 * PAGE, PAGE },
		{ 16 * PAGE - 1, 1 },
	};
	static char w[16 * PAGE], r[16 * PAGE], model[16 * PAGE];
	unsigned int i, j;

	memset(model, 0, sizeof(model));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < cases[i].len; j++)
			w[j] = (char)(i * 31 + j * 7 + 1);
		ASSERT_EQ(cases[i].len, zt_pwrite(self->fd, w, cases[i].len,
						  cases[i].off));
		memcpy(model + cases[i].off, w, cases[i].len);
		ASSERT_EQ(sizeof(r), zt_pread(self->fd, r, sizeof(r), 0));
		ASSERT_EQ(0, memcmp(r, model, sizeof(r)));
	}
	/* The pages touched (0-5 and 15) and no others are committed. */
	ASSERT_EQ(7 * PAGE, committed(self->fd));
}

TEST_F(vmo, write_commits_exactly_the_pages_touched)
{
	ASSERT_EQ(1, zt_pwrite(self->fd, "x", 1, 5 * PAGE + 100));
	ASSERT_EQ(PAGE, committed(self->fd));
	ASSERT_EQ(2, zt_pwrite(self->fd, "yz", 2, 7 * PAGE - 1));
	ASSERT_EQ(3 * PAGE, committed(self->fd));
	ASSERT_EQ(self->pages_before + 3, pages_held());
}

TEST_F(vmo, readv_writev_and_file_position)
{
	char a[100], b[PAGE], c[50], out[PAGE + 150];
	struct iovec wv[3] = {
		{ a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) },
	};
	struct iovec rv[1] = { { out, sizeof(out) } };
	struct stat st;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(c, 'c', sizeof(c));
	ASSERT_EQ(10, lseek(self->fd, 10, SEEK_SET));
	ASSERT_EQ(sizeof(out), writev(self->fd, wv, 3));
	ASSERT_EQ(10 + (off_t)sizeof(out), lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(sizeof(out), preadv(self->fd, rv, 1, 10));
	ASSERT_TRUE(all_bytes(out, 'a', 100));
	ASSERT_TRUE(all_bytes(out + 100, 'b', PAGE));
	ASSERT_TRUE(all_bytes(out + 100 + PAGE, 'c', 50));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ(10, read(self->fd, out, 10));
	ASSERT_TRUE(all_bytes(out, 0, 10));
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ(self->size, (uint64_t)st.st_size);
	ASSERT_EQ((off_t)self->size, lseek(self->fd, 0, SEEK_END));
}

TEST_F(vmo, crossing_the_end_is_erange)
{
	char buf[2 * PAGE] = { 1 };

	ASSERT_EQ(-ERANGE, zt_pread(self->fd, buf, 2, self->size - 1));
	ASSERT_EQ(-ERANGE, zt_pwrite(self->fd, buf, 2, self->size - 1));
	ASSERT_EQ(-ERANGE, zt_pwrite(self->fd, buf, 1, self->size));
	ASSERT_EQ(-ERANGE, zt_pwrite(self->fd, buf, 1, 1ULL << 62));
	/* A read that starts at or past the end is end of file. */
	ASSERT_EQ(0, zt_pread(self->fd, buf, 1, self->size));
	ASSERT_EQ(0, zt_pread(self->fd, buf, 1, 1ULL << 62));
	/* Nothing was written by the failed calls. */
	ASSERT_EQ(0, committed(self->fd));
	/* Offsets past what a file offset can hold. */
	ASSERT_EQ(-EINVAL, zt_pread(self->fd, buf, 1, -1));
	ASSERT_EQ(-EINVAL, zt_pwrite(self->fd, buf, 1, -1));
	/* Zero-length transfers succeed anywhere. */
	ASSERT_EQ(0, zt_pread(self->fd, buf, 0, self->size + PAGE));
	ASSERT_EQ(0, zt_pwrite(self->fd, buf, 0, self->size - 1));
}

TEST_F(vmo, bad_user_buffers_change_nothing)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[PAGE];

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 'p', 2 * PAGE);
	ASSERT_EQ(0, munmap(p + PAGE, PAGE));

	char *volatile null = NULL;

	ASSERT_EQ(-EFAULT, zt_pwrite(self->fd, null, PAGE, 0));
	ASSERT_EQ(-EFAULT, zt_pread(self->fd, null, PAGE, 0));
	/* Half the source is unmapped: nothing is written at all. */
	ASSERT_EQ(-EFAULT, zt_pwrite(self->fd, p, 2 * PAGE, 0));
	ASSERT_EQ(0, committed(self->fd));
	ASSERT_EQ(PAGE, zt_pread(self->fd, buf, PAGE, 0));
	ASSERT_TRUE(all_bytes(buf, 0, PAGE));
	/* A read into a read-only buffer fails and leaves it alone. */
	ASSERT_EQ(0, mprotect(p, PAGE, PROT_READ));
	ASSERT_EQ(-EFAULT, zt_pread(self->fd, p, 16, 0));
	ASSERT_TRUE(all_bytes(p, 'p', PAGE));
	munmap(p, PAGE);
}

TEST_F(vmo, commit_rounds_out_and_counts)
{
	struct zvmo_vmo_info info;
	char buf[PAGE];

	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_COMMIT, PAGE + 1, 2));
	ASSERT_EQ(PAGE, committed(self->fd));
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_COMMIT, PAGE - 1, PAGE + 2));
	ASSERT_EQ(3 * PAGE, committed(self->fd));
	ASSERT_EQ(self->pages_before + 3, pages_held());
	/* Committed pages read zero. */
	ASSERT_EQ(PAGE, zt_pread(self->fd, buf, PAGE, 0));
	ASSERT_TRUE(all_bytes(buf, 0, PAGE));
	/* Committing again adds nothing. */
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_COMMIT, 0, self->size));
	ASSERT_EQ(self->size, committed(self->fd));
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_COMMIT, 0, self->size));
	ASSERT_EQ(self->size, committed(self->fd));
	ASSERT_EQ(0, zt_info(self->fd, &info));
	ASSERT_EQ(info.committed_bytes, info.populated_bytes);
	ASSERT_EQ(info.committed_bytes, info.committed_private_bytes);
	ASSERT_LT(0, info.metadata_bytes);
	ASSERT_LT(0, info.committed_change_events);
	/* Zero length is fine, anywhere inside. */
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_COMMIT, self->size, 0));
}

TEST_F(vmo, decommit_frees_and_reads_zero)
{
	char buf[4 * PAGE];

	memset(buf, 0x77, sizeof(buf));
	ASSERT_EQ(sizeof(buf), zt_pwrite(self->fd, buf, sizeof(buf), 2 * PAGE));
	ASSERT_EQ(4 * PAGE, committed(self->fd));
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_DECOMMIT, 3 * PAGE, 2 * PAGE));
	ASSERT_EQ(2 * PAGE, committed(self->fd));
	ASSERT_EQ(self->pages_before + 2, pages_held());
	ASSERT_EQ(sizeof(buf), zt_pread(self->fd, buf, sizeof(buf), 2 * PAGE));
	ASSERT_TRUE(all_bytes(buf, 0x77, PAGE));
	ASSERT_TRUE(all_bytes(buf + PAGE, 0, 2 * PAGE));
	ASSERT_TRUE(all_bytes(buf + 3 * PAGE, 0x77, PAGE));
	/* All of it, and over nothing. */
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_DECOMMIT, 0, self->size));
	ASSERT_EQ(0, committed(self->fd));
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_DECOMMIT, 0, self->size));
	ASSERT_EQ(self->pages_before, pages_held());
}

TEST_F(vmo, decommit_wants_alignment)
{
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_COMMIT, 0, self->size));
	ASSERT_EQ(-EINVAL, zt_op(self->fd, ZVMO_OP_DECOMMIT, 1, PAGE));
	ASSERT_EQ(-EINVAL, zt_op(self->fd, ZVMO_OP_DECOMMIT, 0, PAGE + 1));
	ASSERT_EQ(-EINVAL, zt_op(self->fd, ZVMO_OP_DECOMMIT, 0, 1));
	ASSERT_EQ(self->size, committed(self->fd));
}

TEST_F(vmo, zero_is_byte_granular)
{
	char buf[4 * PAGE], want[4 * PAGE];

	memset(buf, 0x33, sizeof(buf));
	ASSERT_EQ(sizeof(buf), zt_pwrite(self->fd, buf, sizeof(buf), 0));
	/* From the middle of page 0 to the middle of page 3. */
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_ZERO, 100, 3 * PAGE));
	memset(want, 0x33, sizeof(want));
	memset(want + 100, 0, 3 * PAGE);
	ASSERT_EQ(sizeof(buf), zt_pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(buf)));
	/* The two whole pages in the middle were freed. */
	ASSERT_EQ(2 * PAGE, committed(self->fd));
	/* Within one page. */
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_ZERO, 3, 5));
	memset(want + 3, 0, 5);
	ASSERT_EQ(sizeof(buf), zt_pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(buf)));
	/* Zeroing uncommitted pages commits nothing. */
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_ZERO, 8 * PAGE + 5, 3 * PAGE));
	ASSERT_EQ(2 * PAGE, committed(self->fd));
}

TEST_F(vmo, ranges_are_checked)
{
	uint64_t s = self->size;

	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_COMMIT, 0, PAGE));
	ASSERT_EQ(-ERANGE, zt_op(self->fd, ZVMO_OP_COMMIT, s - PAGE, 2 * PAGE));
	ASSERT_EQ(-ERANGE, zt_op(self->fd, ZVMO_OP_COMMIT, s + PAGE, 0));
	ASSERT_EQ(-ERANGE, zt_op(self->fd, ZVMO_OP_DECOMMIT, s, PAGE));
	ASSERT_EQ(-ERANGE, zt_op(self->fd, ZVMO_OP_ZERO, s - 1, 2));
	/* Overflowing offset + length. */
	ASSERT_EQ(-ERANGE, zt_op(self->fd, ZVMO_OP_COMMIT, PAGE, UINT64_MAX));
	ASSERT_EQ(-ERANGE, zt_op(self->fd, ZVMO_OP_ZERO, UINT64_MAX, 2));
	ASSERT_EQ(-ERANGE, zt_op(self->fd, ZVMO_OP_DECOMMIT, PAGE,
				 UINT64_MAX - PAGE + 1));
	ASSERT_EQ(-ERANGE, zt_op(self->fd, ZVMO_OP_COMMIT, UINT64_MAX - PAGE + 1,
				 PAGE));
	/* Nothing changed. */
	ASSERT_EQ(PAGE, committed(self->fd));
}

TEST_F(vmo, bad_ops_and_args)
{
	struct zvmo_op_range r = {
		.argsz = sizeof(r), .op = ZVMO_OP_COMMIT, .length = PAGE,
	};

	ASSERT_EQ(-EINVAL, zt_op(self->fd, 0, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_op(self->fd, 1000, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_op(self->fd, UINT32_MAX, 0, PAGE));
	r.argsz = 8;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(self->fd, ZVMO_IOC_VMO_OP_RANGE, &r)));
	ASSERT_EQ(0, committed(self->fd));
	ASSERT_EQ(-EBADF, zt_op(-1, ZVMO_OP_COMMIT, 0, PAGE));
	ASSERT_EQ(-ENOTTY, zt_op(zt_dev(), ZVMO_OP_COMMIT, 0, PAGE));
}

TEST_F(vmo, resize)
{
	char buf[PAGE];
	struct zvmo_vmo_info info;

	memset(buf, 0x44, sizeof(buf));
	ASSERT_EQ(PAGE, zt_pwrite(self->fd, buf, PAGE, 10 * PAGE));
	ASSERT_EQ(PAGE, zt_pwrite(self->fd, buf, PAGE, 2 * PAGE));
	/* Shrink below the page at 10: it goes. */
	ASSERT_EQ(0, zt_set_size(self->fd, 5 * PAGE + 1));
	ASSERT_EQ(6 * PAGE, zt_size(self->fd));
	ASSERT_EQ(PAGE, committed(self->fd));
	ASSERT_EQ(self->pages_before + 1, pages_held());
	ASSERT_EQ(0, zt_info(self->fd, &info));
	ASSERT_EQ(6 * PAGE, info.content_size);
	ASSERT_EQ(0, zt_pread(self->fd, buf, PAGE, 10 * PAGE));
	/* Grow: the old content past the shrink point is gone. */
	ASSERT_EQ(0, zt_set_size(self->fd, 20 * PAGE));
	ASSERT_EQ(PAGE, zt_pread(self->fd, buf, PAGE, 10 * PAGE));
	ASSERT_TRUE(all_bytes(buf, 0, PAGE));
	ASSERT_EQ(PAGE, zt_pread(self->fd, buf, PAGE, 2 * PAGE));
	ASSERT_TRUE(all_bytes(buf, 0x44, PAGE));
	ASSERT_EQ((off_t)(20 * PAGE), lseek(self->fd, 0, SEEK_END));
	/* To zero and back. */
	ASSERT_EQ(0, zt_set_size(self->fd, 0));
	ASSERT_EQ(0, committed(self->fd));
	ASSERT_EQ(0, zt_set_size(self->fd, PAGE));
	ASSERT_EQ(PAGE, zt_pread(self->fd, buf, PAGE, 0));
	ASSERT_TRUE(all_bytes(buf, 0, PAGE));
	/* Limits. */
	ASSERT_EQ(-ERANGE, zt_set_size(self->fd, ZVMO_VMO_MAX_SIZE + 1));
	ASSERT_EQ(-ERANGE, zt_set_size(self->fd, UINT64_MAX));
	ASSERT_EQ(0, zt_set_size(self->fd, ZVMO_VMO_MAX_SIZE));
	ASSERT_EQ(ZVMO_VMO_MAX_SIZE, zt_size(self->fd));
}

TEST(resize_needs_resizable)
{
	int fd = zt_create(PAGE, 0, 0);
	struct zvmo_set_size s = { .argsz = sizeof(s), .size = PAGE, .flags = 1 };
	int ro;

	ASSERT_LE(0, fd);
	ASSERT_EQ(-EPERM, zt_set_size(fd, 2 * PAGE));
	ASSERT_EQ(PAGE, zt_size(fd));
	/* Zircon's order: the write right first, then resizability. */
	ro = zt_dup(fd, ZVMO_RIGHT_READ, 0);
	ASSERT_LE(0, ro);
	ASSERT_EQ(-EACCES, zt_set_size(ro, 2 * PAGE));
	close(ro);
	close(fd);
	fd = zt_create(PAGE, ZVMO_VMO_RESIZABLE, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_SIZE, &s)));
	close(fd);
}

TEST(rights_are_enforced)
{
	int fd = zt_create(4 * PAGE, ZVMO_VMO_RESIZABLE, 0);
	uint32_t all = ZVMO_RIGHTS_ALL;
	char buf[16] = "data";
	int ro, wo;

	ASSERT_LE(0, fd);
	ASSERT_EQ(4, zt_pwrite(fd, buf, 4, 0));
	ro = zt_dup(fd, all & ~ZVMO_RIGHT_WRITE, 0);
	ASSERT_LE(0, ro);
	ASSERT_EQ(-EACCES, zt_pwrite(ro, buf, 4, 0));
	ASSERT_EQ(-EACCES, zt_op(ro, ZVMO_OP_COMMIT, 0, PAGE));
	ASSERT_EQ(-EACCES, zt_op(ro, ZVMO_OP_DECOMMIT, 0, PAGE));
	ASSERT_EQ(-EACCES, zt_op(ro, ZVMO_OP_ZERO, 0, PAGE));
	ASSERT_EQ(-EACCES, zt_set_size(ro, PAGE));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(4, zt_pread(ro, buf, 4, 0));
	ASSERT_STREQ("data", buf);

	wo = zt_dup(fd, all & ~ZVMO_RIGHT_READ, 0);
	ASSERT_LE(0, wo);
	ASSERT_EQ(-EACCES, zt_pread(wo, buf, 4, 0));
	ASSERT_EQ(4, zt_pwrite(wo, "atad", 4, 0));
	close(wo);

	wo = zt_dup(fd, all & ~ZVMO_RIGHT_RESIZE, 0);
	ASSERT_LE(0, wo);
	ASSERT_EQ(-EACCES, zt_set_size(wo, PAGE));
	close(wo);

	/* Nothing the read-only handle tried changed anything. */
	ASSERT_EQ(4 * PAGE, zt_size(fd));
	ASSERT_EQ(PAGE, committed(fd));
	ASSERT_EQ(4, zt_pread(fd, buf, 4, 0));
	ASSERT_EQ(0, memcmp(buf, "atad", 4));
	close(ro);
	close(fd);
}

TEST(sparse_terabyte)
{
	long before = pages_held();
	uint64_t tib = 1ULL << 40;
	int fd = zt_create(tib, 0, 0);
	char buf[8];

	ASSERT_LE(0, fd);
	ASSERT_EQ(before, pages_held());
	ASSERT_EQ(3, zt_pwrite(fd, "end", 3, tib - 3));
	ASSERT_EQ(3, zt_pwrite(fd, "mid", 3, tib / 2));
	ASSERT_EQ(before + 2, pages_held());
	ASSERT_EQ(3, zt_pread(fd, buf, 3, tib - 3));
	ASSERT_EQ(0, memcmp(buf, "end", 3));
	/* Range operations over a terabyte cost what is present. */
	ASSERT_EQ(0, zt_op(fd, ZVMO_OP_ZERO, 0, tib));
	ASSERT_EQ(before, pages_held());
	ASSERT_EQ(3, zt_pwrite(fd, "mid", 3, tib / 2));
	ASSERT_EQ(0, zt_op(fd, ZVMO_OP_DECOMMIT, 0, tib));
	ASSERT_EQ(0, committed(fd));
	close(fd);
}

TEST(largest_vmo)
{
	uint64_t max = ZVMO_VMO_MAX_SIZE;
	int fd = zt_create(max, 0, 0);
	char buf[4];

	ASSERT_LE(0, fd);
	ASSERT_EQ(4, zt_pwrite(fd, "last", 4, max - 4));
	ASSERT_EQ(4, zt_pread(fd, buf, 4, max - 4));
	ASSERT_EQ(0, memcmp(buf, "last", 4));
	ASSERT_EQ(-ERANGE, zt_pwrite(fd, "x", 1, max));
	ASSERT_EQ(0, zt_op(fd, ZVMO_OP_COMMIT, max - PAGE, PAGE));
	ASSERT_EQ(PAGE, committed(fd));
	ASSERT_EQ(0, zt_op(fd, ZVMO_OP_ZERO, 0, max));
	ASSERT_EQ(0, committed(fd));
	close(fd);
}

/* Threads hammer one VMO; each checks the content of its own region. */
struct hammer {
	int fd;
	int id;
	int iters;
	int errors;
};

#define REGION (8 * PAGE)

static void *writer(void *arg)
{
	struct hammer *h = arg;
	static __thread char w[REGION], r[REGION];
	unsigned int seed = h->id;
	uint64_t base = h->id * REGION;
	int i;

	for (i = 0; i < h->iters; i++) {
		size_t len = 1 + (size_t)rand_r(&seed) % REGION;
		size_t off = (size_t)rand_r(&seed) % (REGION - len + 1);

		memset(w, (h->id << 4) | (i & 15), len);
		if (pwrite(h->fd, w, len, base + off) != (ssize_t)len)
			h->errors++;
		if (pread(h->fd, r, len, base + off) != (ssize_t)len ||
		    memcmp(w, r, len))
			h->errors++;
	}
	return NULL;
}

/* Commits and decommits its own region; it must read zero or its data. */
static void *churner(void *arg)
{
	struct hammer *h = arg;
	uint64_t base = h->id * REGION;
	char buf[PAGE];
	int i, p;

	for (i = 0; i < h->iters; i++) {
		memset(buf, 0xee, sizeof(buf));
		if (zt_op(h->fd, ZVMO_OP_COMMIT, base, REGION) ||
		    pwrite(h->fd, buf, PAGE, base + PAGE) != PAGE)
			h->errors++;
		for (p = 0; p < 8; p++) {
			if (pread(h->fd, buf, PAGE, base + p * PAGE) != PAGE)
				h->errors++;
			if (!all_bytes(buf, p == 1 ? 0xee : 0, PAGE))
				h->errors++;
		}
		if (zt_op(h->fd, i & 1 ? ZVMO_OP_DECOMMIT : ZVMO_OP_ZERO, base,
			  REGION))
			h->errors++;
	}
	return NULL;
}

TEST(threads_share_one_vmo)
{
	enum { WRITERS = 4, CHURNERS = 2 };
	struct hammer h[WRITERS + CHURNERS];
	pthread_t t[WRITERS + CHURNERS];
	long before = pages_held();
	int fd, i;

	fd = zt_create((WRITERS + CHURNERS) * REGION, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < WRITERS + CHURNERS; i++) {
		h[i] = (struct hammer){ .fd = fd, .id = i, .iters = 300 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL,
					    i < WRITERS ? writer : churner,
					    &h[i]));
	}
	for (i = 0; i < WRITERS + CHURNERS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, h[i].errors);
	}
	close(fd);
	ASSERT_EQ(before, pages_held());
}

static int commit_past_limit(void)
{
	uint64_t size = 64ULL << 20;	/* 64 MiB against a 16 MiB limit */
	struct zvmo_vmo_info info;
	int fd = zt_create(size, 0, 0);
	int err;

	if (fd < 0)
		return 1;
	err = zt_op(fd, ZVMO_OP_COMMIT, 0, size);
	if (err != -ENOMEM)
		return 2;
	if (zt_info(fd, &info) || info.committed_bytes >= size ||
	    info.committed_bytes > (16ULL << 20))
		return 3;
	/* What is committed works; decommit gives the memory back. */
	if (pwrite(fd, "ok", 2, 0) != 2)
		return 4;
	if (zt_op(fd, ZVMO_OP_DECOMMIT, 0, size))
		return 5;
	if (zt_op(fd, ZVMO_OP_COMMIT, 0, 4 << 20))
		return 6;
	/* Writes past the limit fail the same way. */
	{
		static char big[PAGE];
		uint64_t off;
		int r = 0;

		memset(big, 1, sizeof(big));
		for (off = 4 << 20; off < size; off += PAGE) {
			r = zt_ret(pwrite(fd, big, PAGE, off));
			if (r < 0)
				break;
		}
		if (r != -ENOMEM)
			return 7;
	}
	close(fd);
	return 0;
}

FIXTURE(memcg) {
	int unused;
};

FIXTURE_SETUP(memcg)
{
}

FIXTURE_TEARDOWN(memcg)
{
}

/*
 * Reclaim runs at every charge past the limit: a debug kernel takes tens
 * of seconds over it, more than the harness's default.
 */
TEST_F_TIMEOUT(memcg, limit, 180)
{
	long before = pages_held();
	int r = zt_in_memcg("16M", commit_past_limit);

	if (r < 0)
		SKIP(return, "no memory cgroup controller");
	ASSERT_EQ(0, r);
	ASSERT_EQ(before, pages_held());
}

TEST_HARNESS_MAIN
