// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings of VMOs: faults on real pages, zero pages for holes, and
 * mappings that always show the VMO's current content.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
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

static int all_bytes(const volatile void *p, int c, size_t n)
{
	const volatile unsigned char *b = p;

	while (n--)
		if (*b++ != (unsigned char)c)
			return 0;
	return 1;
}

/*
 * Touch *p in a child (read, or write when @write) and return the signal
 * that killed it, or 0 if the access worked.
 */
static int touch_signal(volatile char *p, int write)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static char *map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

FIXTURE(mapped) {
	int fd;
	size_t size;
	char *p;
	long pages_before;
};

FIXTURE_SETUP(mapped)
{
	self->pages_before = pages_held();
	self->size = 16 * PAGE;
	self->fd = zt_create(self->size, ZVMO_VMO_RESIZABLE, 0);
	ASSERT_LE(0, self->fd);
	self->p = map(self->fd, self->size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(mapped)
{
	munmap(self->p, self->size);
	close(self->fd);
	EXPECT_EQ(self->pages_before, pages_held());
}

TEST_F(mapped, write_map_read_syscall)
{
	char buf[PAGE];

	memcpy(self->p + 100, "through the mapping", 19);
	ASSERT_EQ(19, pread(self->fd, buf, 19, 100));
	ASSERT_EQ(0, memcmp(buf, "through the mapping", 19));
	ASSERT_EQ(PAGE, committed(self->fd));
}

TEST_F(mapped, write_syscall_read_map)
{
	/* Map first, then write: the mapping sees it at once. */
	ASSERT_EQ(0, self->p[5 * PAGE]);
	ASSERT_EQ(12, pwrite(self->fd, "via pwrite()", 12, 5 * PAGE));
	ASSERT_EQ(0, memcmp(self->p + 5 * PAGE, "via pwrite()", 12));
	/* And the other way round on a page mapped before it was written. */
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_COMMIT, 0, self->size));
	ASSERT_EQ(0, self->p[7 * PAGE]);
	ASSERT_EQ(3, pwrite(self->fd, "abc", 3, 7 * PAGE));
	ASSERT_EQ(0, memcmp(self->p + 7 * PAGE, "abc", 3));
}

TEST_F(mapped, holes_read_zero_without_committing)
{
	ASSERT_TRUE(all_bytes(self->p, 0, self->size));
	ASSERT_EQ(0, committed(self->fd));
	ASSERT_EQ(self->pages_before, pages_held());
	/* A write to a hole that was read first commits just that page. */
	self->p[3 * PAGE + 1] = 'x';
	ASSERT_EQ(PAGE, committed(self->fd));
	/* The shared zero page was not written: other holes read zero. */
	ASSERT_TRUE(all_bytes(self->p + 4 * PAGE, 0, PAGE));
	ASSERT_EQ('x', self->p[3 * PAGE + 1]);
	ASSERT_EQ(0, self->p[3 * PAGE]);
}

TEST_F(mapped, decommit_zero_under_mapping)
{
	memset(self->p, 0x5a, self->size);
	ASSERT_EQ(self->size, committed(self->fd));
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_DECOMMIT, 2 * PAGE, 4 * PAGE));
	ASSERT_TRUE(all_bytes(self->p + 2 * PAGE, 0, 4 * PAGE));
	ASSERT_TRUE(all_bytes(self->p, 0x5a, 2 * PAGE));
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_ZERO, 10 * PAGE + 7, PAGE));
	ASSERT_TRUE(all_bytes(self->p + 10 * PAGE, 0x5a, 7));
	ASSERT_TRUE(all_bytes(self->p + 10 * PAGE + 7, 0, PAGE));
	ASSERT_TRUE(all_bytes(self->p + 11 * PAGE + 7, 0x5a, PAGE - 7));
	/* The decommitted pages are gone; ZERO of two part pages freed none. */
	ASSERT_EQ(self->size - 4 * PAGE, committed(self->fd));
	ASSERT_EQ(self->pages_before + 12, pages_held());
	/* Writing again through the mapping commits again. */
	self->p[3 * PAGE] = 1;
	ASSERT_EQ(self->size - 3 * PAGE, committed(self->fd));
}

TEST_F(mapped, shrink_is_sigbus_and_regrow_is_zero)
{
	memset(self->p, 0x11, self->size);
	ASSERT_EQ(0, zt_set_size(self->fd, 4 * PAGE));
	ASSERT_EQ(0, touch_signal(self->p + 3 * PAGE, 0));
	ASSERT_EQ(SIGBUS, touch_signal(self->p + 4 * PAGE, 0));
	ASSERT_EQ(SIGBUS, touch_signal(self->p + 15 * PAGE, 1));
	ASSERT_EQ(4 * PAGE, committed(self->fd));
	ASSERT_EQ(0, zt_set_size(self->fd, self->size));
	ASSERT_TRUE(all_bytes(self->p + 4 * PAGE, 0, self->size - 4 * PAGE));
	ASSERT_TRUE(all_bytes(self->p, 0x11, 4 * PAGE));
}

TEST_F(mapped, fault_around_pages_follow_the_vmo)
{
	char *q;
	int i;

	for (i = 0; i < 16; i++)
		ASSERT_EQ(1, pwrite(self->fd, "abcdefghijklmnop" + i, 1,
				    i * PAGE));
	/* A fresh mapping: one read fault maps the committed block. */
	q = map(self->fd, self->size, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ('a', q[0]);
	/* Pages mapped around that fault change with the VMO. */
	ASSERT_EQ(0, zt_op(self->fd, ZVMO_OP_DECOMMIT, 5 * PAGE, PAGE));
	ASSERT_EQ(0, q[5 * PAGE]);
	ASSERT_EQ(1, pwrite(self->fd, "Z", 1, 6 * PAGE));
	ASSERT_EQ('Z', q[6 * PAGE]);
	ASSERT_EQ(0, zt_set_size(self->fd, 8 * PAGE));
	ASSERT_EQ(SIGBUS, touch_signal(q + 9 * PAGE, 0));
	for (i = 0; i < 8; i++)
		if (i != 5)
			ASSERT_EQ(i == 6 ? 'Z' : 'a' + i, q[i * PAGE]);
	munmap(q, self->size);
}

TEST_F(mapped, madvise_dontneed_keeps_content)
{
	memset(self->p, 0x66, self->size);
	ASSERT_EQ(0, madvise(self->p, self->size, MADV_DONTNEED));
	ASSERT_EQ(self->size, committed(self->fd));
	ASSERT_TRUE(all_bytes(self->p, 0x66, self->size));
}

TEST_F(mapped, syscalls_from_a_mapping_of_the_same_vmo)
{
	char *q = self->p;

	memset(q, 'a', PAGE);
	/* write(vmo, mapping of vmo): no deadlock, right content. */
	ASSERT_EQ(PAGE, pwrite(self->fd, q, PAGE, 8 * PAGE));
	ASSERT_TRUE(all_bytes(q + 8 * PAGE, 'a', PAGE));
	/* The source faults inside write(): a hole of the same VMO. */
	ASSERT_EQ(PAGE, pwrite(self->fd, q + 12 * PAGE, PAGE, 0));
	ASSERT_TRUE(all_bytes(q, 0, PAGE));
	/* read(vmo) into a mapping of the same VMO, onto an unfaulted page. */
	ASSERT_EQ(PAGE, pread(self->fd, q + 14 * PAGE, PAGE, 8 * PAGE));
	ASSERT_TRUE(all_bytes(q + 14 * PAGE, 'a', PAGE));
}

TEST_F(mapped, counts_mappings)
{
	struct zvmo_vmo_info info;
	char *q;

	ASSERT_EQ(0, zt_info(self->fd, &info));
	ASSERT_EQ(1, info.num_mappings);
	q = map(self->fd, PAGE, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, zt_info(self->fd, &info));
	ASSERT_EQ(2, info.num_mappings);
	munmap(q, PAGE);
	ASSERT_EQ(0, zt_info(self->fd, &info));
	ASSERT_EQ(1, info.num_mappings);
}

TEST_F(mapped, private_mapping_is_copy_on_write)
{
	char *q = map(self->fd, self->size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE, 0);

	ASSERT_NE(MAP_FAILED, q);
	memset(self->p, 'v', 2 * PAGE);
	/* Not yet written privately: the VMO's content shows through. */
	ASSERT_TRUE(all_bytes(q, 'v', 2 * PAGE));
	q[0] = 'p';
	q[5 * PAGE] = 'p';		/* a hole, written privately */
	ASSERT_EQ('v', self->p[0]);
	ASSERT_EQ(0, self->p[5 * PAGE]);
	ASSERT_EQ(2 * PAGE, committed(self->fd));
	/* Later VMO changes show where the private copy did not fork. */
	memset(self->p, 'w', 2 * PAGE);
	ASSERT_EQ('p', q[0]);
	ASSERT_TRUE(all_bytes(q + PAGE, 'w', PAGE));
	ASSERT_EQ(3, pwrite(self->fd, "new", 3, 9 * PAGE));
	ASSERT_EQ(0, memcmp(q + 9 * PAGE, "new", 3));
	munmap(q, self->size);
}

TEST_F(mapped, fork_shares_the_mapping)
{
	int status;
	pid_t pid;

	self->p[0] = 'p';
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (self->p[0] != 'p')
			_exit(1);
		self->p[PAGE] = 'c';
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ('c', self->p[PAGE]);
}

struct toucher {
	char *p;
	size_t size;
	int id;
	int errors;
};

static void *touch_all(void *arg)
{
	struct toucher *t = arg;
	size_t off;

	for (off = 0; off < t->size; off += PAGE) {
		volatile char *c = t->p + off + t->id;

		*c = (char)(t->id + 1);
		if (*c != (char)(t->id + 1))
			t->errors++;
	}
	return NULL;
}

/*
 * A mapping that starts one page below a 2 MiB boundary, where the page
 * table below the boundary exists and the one above does not: the first
 * read fault maps around it from ->map_pages, and what it maps stays in
 * that page's page table (->map_pages runs under RCU and may not make
 * the next one).
 */
TEST(fault_around_stays_in_its_page_table)
{
	const size_t huge = 2UL << 20, len = 32 * PAGE;
	unsigned char buf[32];
	char *area, *at, *p;
	int fd, i;

	fd = zt_create(len, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 32; i++) {
		buf[i] = (unsigned char)(i + 1);
		ASSERT_EQ(1, pwrite(fd, &buf[i], 1, i * PAGE));
	}
	/* Nothing mapped around: no page table for either 2 MiB region. */
	area = mmap(NULL, 3 * huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	at = (char *)(((unsigned long)area + huge) & ~(huge - 1)) - PAGE;
	/* A page below, touched: the first region's page table exists. */
	ASSERT_EQ(at - PAGE, mmap(at - PAGE, PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				  -1, 0));
	at[-1] = 1;
	p = mmap(at, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	ASSERT_EQ(at, p);
	for (i = 0; i < 32; i++)
		ASSERT_EQ(i + 1, (unsigned char)p[i * PAGE]);
	munmap(area, 3 * huge);
	close(fd);
}

TEST(threads_fault_the_same_pages)
{
	enum { THREADS = 4 };
	size_t size = 256 * PAGE;
	struct toucher t[THREADS];
	pthread_t th[THREADS];
	long before = pages_held();
	size_t off;
	char *p;
	int fd, i;

	fd = zt_create(size, 0, 0);
	ASSERT_LE(0, fd);
	p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < THREADS; i++) {
		t[i] = (struct toucher){ .p = p, .size = size, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, touch_all, &t[i]));
	}
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, t[i].errors);
	}
	/* One page per offset, holding every thread's byte. */
	ASSERT_EQ(size, committed(fd));
	for (off = 0; off < size; off += PAGE)
		for (i = 0; i < THREADS; i++)
			ASSERT_EQ(i + 1, p[off + i]);
	munmap(p, size);
	close(fd);
	ASSERT_EQ(before, pages_held());
}

/* Faults race with decommit: never old data, never a crash. */
static void *decommitter(void *arg)
{
	struct toucher *t = arg;
	int i;

	for (i = 0; i < 200; i++)
		if (zt_op(t->id, ZVMO_OP_DECOMMIT, 0, t->size))
			t->errors++;
	return NULL;
}

TEST(faults_race_decommit)
{
	size_t size = 32 * PAGE;
	struct toucher d;
	pthread_t th;
	long before = pages_held();
	int fd, i;
	size_t off;
	char *p;

	fd = zt_create(size, 0, 0);
	ASSERT_LE(0, fd);
	p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	d = (struct toucher){ .size = size, .id = fd };
	ASSERT_EQ(0, pthread_create(&th, NULL, decommitter, &d));
	for (i = 0; i < 200; i++)
		for (off = 0; off < size; off += PAGE) {
			volatile char *c = p + off;
			char v = *c;

			/* Only this thread writes 7; decommit makes 0. */
			ASSERT_TRUE(v == 0 || v == 7);
			*c = 7;
		}
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, d.errors);
	munmap(p, size);
	close(fd);
	ASSERT_EQ(before, pages_held());
}

TEST(rights_of_mappings)
{
	int fd = zt_create(4 * PAGE, 0, 0);
	uint32_t all = ZVMO_RIGHTS_ALL & ~ZVMO_RIGHT_RESIZE;
	int ro, nomap, noexec;
	char *p;

	ASSERT_LE(0, fd);
	noexec = zt_dup(fd, all & ~ZVMO_RIGHT_EXECUTE, 0);
	ASSERT_LE(0, noexec);
	ro = zt_dup(fd, all & ~ZVMO_RIGHT_WRITE, 0);
	nomap = zt_dup(fd, all & ~ZVMO_RIGHT_MAP, 0);
	ASSERT_LE(0, ro);
	ASSERT_LE(0, nomap);

	ASSERT_EQ(MAP_FAILED, map(nomap, PAGE, PROT_READ, MAP_SHARED, 0));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(MAP_FAILED, map(ro, PAGE, PROT_READ | PROT_WRITE,
				  MAP_SHARED, 0));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(MAP_FAILED, map(noexec, PAGE, PROT_READ | PROT_EXEC,
				  MAP_SHARED, 0));
	ASSERT_EQ(EACCES, errno);
	p = map(noexec, PAGE, PROT_READ, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-1, mprotect(p, PAGE, PROT_READ | PROT_EXEC));
	ASSERT_EQ(EACCES, errno);
	munmap(p, PAGE);
	close(noexec);

	/* Read-only and shared: can't be made writable later. */
	p = map(ro, PAGE, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-1, mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(SIGSEGV, touch_signal(p, 1));
	munmap(p, PAGE);

	/* Private copies are the process's own: writable from a read handle. */
	p = map(ro, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 'x';
	ASSERT_EQ(0, committed(fd));
	munmap(p, PAGE);
	close(ro);
	close(nomap);
	close(fd);
}

TEST(past_the_end_is_sigbus)
{
	int fd = zt_create(2 * PAGE, 0, 0);
	char *p;

	ASSERT_LE(0, fd);
	p = map(fd, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, touch_signal(p + PAGE, 1));
	ASSERT_EQ(SIGBUS, touch_signal(p + 2 * PAGE, 0));
	ASSERT_EQ(SIGBUS, touch_signal(p + 3 * PAGE, 1));
	munmap(p, 4 * PAGE);
	/* A mapping at an offset past the end. */
	p = map(fd, PAGE, PROT_READ, MAP_SHARED, 8 * PAGE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(SIGBUS, touch_signal(p, 0));
	munmap(p, PAGE);
	close(fd);
}

TEST(two_processes_over_a_socket)
{
	int sv[2], fd, status;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	char *p;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c, rbuf[CMSG_SPACE(sizeof(int))];
		struct iovec riov = { .iov_base = &c, .iov_len = 1 };
		struct msghdr rmsg = {
			.msg_iov = &riov, .msg_iovlen = 1,
			.msg_control = rbuf, .msg_controllen = sizeof(rbuf),
		};
		int got;
		char *q;

		if (recvmsg(sv[1], &rmsg, 0) != 1)
			_exit(1);
		memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&rmsg)), sizeof(int));
		q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, got, 0);
		if (q == MAP_FAILED || strcmp(q, "from parent"))
			_exit(2);
		strcpy(q, "from child");
		_exit(0);
	}
	fd = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	p = map(fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "from parent");
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	ASSERT_EQ(1, sendmsg(sv[0], &msg, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_STREQ("from child", p);
	munmap(p, PAGE);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

TEST(many_small_mappings)
{
	enum { N = 512 };
	int fd = zt_create(N * PAGE, 0, 0);
	static char *maps[N];
	struct zvmo_vmo_info info;
	int i;

	ASSERT_LE(0, fd);
	for (i = 0; i < N; i++) {
		maps[i] = map(fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			      (off_t)(i * PAGE));
		ASSERT_NE(MAP_FAILED, maps[i]);
		maps[i][0] = (char)i;
	}
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(N, info.num_mappings);
	for (i = 0; i < N; i++) {
		char c;

		ASSERT_EQ(1, pread(fd, &c, 1, i * PAGE));
		ASSERT_EQ((char)i, c);
		munmap(maps[i], PAGE);
	}
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(0, info.num_mappings);
	close(fd);
}

TEST(sparse_gigabyte_mapping)
{
	size_t size = 1ULL << 30;
	long before = pages_held();
	int fd = zt_create(size, 0, 0);
	char *p;

	ASSERT_LE(0, fd);
	p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	p[size / 2] = 2;
	p[size - 1] = 3;
	ASSERT_EQ(0, p[size / 4]);
	ASSERT_EQ(before + 3, pages_held());
	ASSERT_EQ(3 * PAGE, committed(fd));
	munmap(p, size);
	close(fd);
	ASSERT_EQ(before, pages_held());
}

TEST(mapping_outlives_the_descriptor)
{
	long before = pages_held();
	struct zvmo_stats st;
	int fd = zt_create(PAGE, 0, 0);
	char *p;

	ASSERT_LE(0, fd);
	p = map(fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	p[0] = 'k';
	ASSERT_EQ('k', p[0]);
	ASSERT_EQ(0, zt_stats(&st));
	ASSERT_EQ(before + 1, (long)st.pages);
	munmap(p, PAGE);
	ASSERT_EQ(before, pages_held());
}

TEST_HARNESS_MAIN
