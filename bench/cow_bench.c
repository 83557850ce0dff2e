// SPDX-License-Identifier: GPL-2.0
/*
 * Copy-on-write benchmark: what a snapshot child (ZVMO_CHILD_SNAPSHOT) costs,
 * against what the same copy costs through fork() and through an eager
 * copy_file_range() between two memfds, all measured in the same run.
 *
 * snapshot_<size>: creating a snapshot of a fully committed and written VMO
 * of 4 MiB and 256 MiB, against fork() of a process holding as much written
 * anonymous memory (fork() call to return in the parent) and against a full
 * copy_file_range() of a written memfd into another one, in microseconds.
 * snapshot_flatness: the 4 MiB and 256 MiB snapshot times side by side;
 * its ratio is 4M time / 256M time (1 means the size does not matter).
 *
 * first_write_after_snapshot: the cost per page of the first write to each
 * page of a 64 MiB VMO mapping after a snapshot (each write forks the page
 * away from the snapshot), against the first write to each page of 64 MiB
 * of anonymous memory after fork() (the COW break), in nanoseconds.
 * first_pwrite_after_snapshot: the same through pwrite() of one whole page
 * at a time, against memcpy() of one whole page after fork().
 *
 * Each figure is the median of several repetitions; ratio = baseline time /
 * zvmo time (above 1: zvmo faster). A timed snapshot or fork() follows an
 * untimed one (of a one-page VMO; of the same process): filling the memory
 * just before evicts the emulator's TLB (software emulation keeps one
 * entry per 4 KiB page, huge pages or not), and the refills for the
 * kernel's code and data that the first operation after it pays (some
 * 150 us under TCG, where the snapshot itself takes 10-30) are a cost of
 * the emulator.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zvmo/zvmo.h>

#include "bench.h"

#define PAGE		4096UL
#define SMALL		(4UL << 20)
#define BIG		(256UL << 20)
#define WSIZE		(64UL << 20)
#define REPS		7	/* the 4 MiB and 64 MiB cases */
#define REPS_BIG	5	/* the 256 MiB cases */

enum kind { ZVMO, FORK, COPY };

static char page_buf[PAGE];

static void fail(const char *what)
{
	fprintf(stderr, "cow_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A libzvmo result: a descriptor, 0, or a negative errno. */
static int zcheck(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "cow_bench: %s: %s\n", what, strerror(-ret));
		exit(1);
	}
	return ret;
}

static void xclose(int fd)
{
	if (close(fd))
		fail("close");
}

static char *anon_map(unsigned long size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap");
	return p;
}

static void xmunmap(void *p, unsigned long size)
{
	if (munmap(p, size))
		fail("munmap");
}

/* Write one byte to every page of [p, p + size). */
static void touch(volatile char *p, unsigned long size, char v)
{
	unsigned long off;

	for (off = 0; off < size; off += PAGE)
		p[off] = (char)(off >> 12) + v;
}

/* A VMO of @size, committed, with one byte written to every page. */
static int filled_vmo(unsigned long size)
{
	int vmo = zcheck(zvmo_vmo_create(size, 0, ZVMO_FD_CLOEXEC),
			 "zvmo_vmo_create");
	unsigned long off;

	zcheck(zvmo_vmo_op_range(vmo, ZVMO_OP_COMMIT, 0, size, NULL, 0),
	       "ZVMO_OP_COMMIT");
	for (off = 0; off < size; off += PAGE) {
		char c = (char)(off >> 12) + 1;

		zcheck(zvmo_vmo_write(vmo, &c, off, 1), "zvmo_vmo_write");
	}
	return vmo;
}

static int new_memfd(unsigned long size)
{
	int fd = memfd_create("cow_bench", MFD_CLOEXEC);

	if (fd < 0)
		fail("memfd_create");
	if (ftruncate(fd, size))
		fail("ftruncate");
	return fd;
}

/* A memfd of @size with one byte written to every page. */
static int filled_memfd(unsigned long size)
{
	int fd = new_memfd(size);
	unsigned long off;

	for (off = 0; off < size; off += PAGE) {
		char c = (char)(off >> 12) + 1;

		if (pwrite(fd, &c, 1, off) != 1)
			fail("pwrite");
	}
	return fd;
}

/* Wait for @pid: it must have exited with 0, or died of @sig if not 0. */
static void reap(pid_t pid, int sig)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	if (sig ? !WIFSIGNALED(status) || WTERMSIG(status) != sig :
		  !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "cow_bench: child %d ended badly (%#x)\n",
			(int)pid, status);
		exit(1);
	}
}

/* A snapshot of a one-page VMO, untimed: the code path made warm. */
static void warm_snapshot(void)
{
	int vmo = filled_vmo(PAGE);

	xclose(zcheck(zvmo_vmo_create_child(vmo, ZVMO_CHILD_SNAPSHOT, 0, PAGE,
					    ZVMO_FD_CLOEXEC),
		      "zvmo_vmo_create_child"));
	xclose(vmo);
}

/* Creation of a snapshot of a written VMO of @size. */
static double snapshot_us(unsigned long size)
{
	int vmo = filled_vmo(size), child;
	double t;

	warm_snapshot();
	t = bench_now_us();
	child = zvmo_vmo_create_child(vmo, ZVMO_CHILD_SNAPSHOT, 0, size,
				      ZVMO_FD_CLOEXEC);
	t = bench_now_us() - t;
	zcheck(child, "zvmo_vmo_create_child");
	xclose(child);
	xclose(vmo);
	return t;
}

/* fork() of a process holding @size of written anonymous memory. */
static double fork_us(unsigned long size)
{
	char *p = anon_map(size);
	pid_t pid;
	double t;

	touch(p, size, 1);
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		fail("fork");
	reap(pid, 0);
	t = bench_now_us();
	pid = fork();
	if (pid == 0)
		_exit(0);
	t = bench_now_us() - t;
	if (pid < 0)
		fail("fork");
	reap(pid, 0);
	xmunmap(p, size);
	return t;
}

/* A full copy of a written memfd of @size into another memfd. */
static double copy_us(unsigned long size)
{
	int src = filled_memfd(size), dst = new_memfd(size);
	loff_t in = 0, out = 0;
	double t;

	t = bench_now_us();
	while ((unsigned long)in < size) {
		ssize_t n = copy_file_range(src, &in, dst, &out, size - in, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("copy_file_range");
		if (n == 0) {
			fprintf(stderr, "cow_bench: copy_file_range: short copy\n");
			exit(1);
		}
	}
	t = bench_now_us() - t;
	xclose(dst);
	xclose(src);
	return t;
}

static double create_us(enum kind k, unsigned long size)
{
	if (k == ZVMO)
		return snapshot_us(size);
	if (k == FORK)
		return fork_us(size);
	return copy_us(size);
}

/*
 * First write to every page of a written 64 MiB VMO after a snapshot, per
 * page: one byte through a mapping touched before, or one page by pwrite().
 */
static double vmo_cow_ns(int use_pwrite)
{
	int vmo = filled_vmo(WSIZE), child;
	char *p = NULL;
	unsigned long off;
	double t;

	if (!use_pwrite) {
		p = mmap(NULL, WSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vmo,
			 0);
		if (p == MAP_FAILED)
			fail("mmap");
		touch(p, WSIZE, 2);
	}
	child = zcheck(zvmo_vmo_create_child(vmo, ZVMO_CHILD_SNAPSHOT, 0,
					     WSIZE, ZVMO_FD_CLOEXEC),
		       "zvmo_vmo_create_child");
	t = bench_now_us();
	if (use_pwrite)
		for (off = 0; off < WSIZE; off += PAGE)
			zcheck(zvmo_vmo_write(vmo, page_buf, off, PAGE),
			       "zvmo_vmo_write");
	else
		touch(p, WSIZE, 3);
	t = bench_now_us() - t;
	if (p)
		xmunmap(p, WSIZE);
	xclose(child);
	xclose(vmo);
	return t * 1e3 / (WSIZE / PAGE);
}

/*
 * First write to every page of 64 MiB of written anonymous memory while a
 * fork()ed child shares it, per page: one byte, or one page by memcpy().
 */
static double fork_cow_ns(int whole_page)
{
	char *p = anon_map(WSIZE);
	unsigned long off;
	pid_t pid;
	double t;

	touch(p, WSIZE, 2);
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0)
		for (;;)
			pause();
	t = bench_now_us();
	if (whole_page)
		for (off = 0; off < WSIZE; off += PAGE)
			memcpy(p + off, page_buf, PAGE);
	else
		touch(p, WSIZE, 3);
	t = bench_now_us() - t;
	if (kill(pid, SIGKILL))
		fail("kill");
	reap(pid, SIGKILL);
	xmunmap(p, WSIZE);
	return t * 1e3 / (WSIZE / PAGE);
}

int main(void)
{
	static const unsigned long sizes[2] = { SMALL, BIG };
	static const int reps[2] = { REPS, REPS_BIG };
	double c[2][3][REPS], mc[2][3];
	double w[2][REPS], pw[2][REPS], mw[2], mpw[2];
	int s, i, k;

	memset(page_buf, 0x5a, sizeof(page_buf));

	/*
	 * Interleave the kinds so drift in the machine hits all alike; only
	 * one kind's memory is alive at a time.
	 */
	for (s = 0; s < 2; s++)
		for (i = 0; i < reps[s]; i++)
			for (k = ZVMO; k <= COPY; k++)
				c[s][k][i] = create_us(k, sizes[s]);
	for (s = 0; s < 2; s++)
		for (k = ZVMO; k <= COPY; k++)
			mc[s][k] = bench_median(c[s][k], reps[s]);
	bench_report("snapshot_4M", mc[0][ZVMO], "fork", mc[0][FORK], "us");
	bench_report("snapshot_4M", mc[0][ZVMO], "copy_file_range",
		     mc[0][COPY], "us");
	bench_report("snapshot_256M", mc[1][ZVMO], "fork", mc[1][FORK], "us");
	bench_report("snapshot_256M", mc[1][ZVMO], "copy_file_range",
		     mc[1][COPY], "us");
	printf("bench: snapshot_flatness zvmo_4M=%.2fus zvmo_256M=%.2fus ratio=%.2f\n",
	       mc[0][ZVMO], mc[1][ZVMO], mc[0][ZVMO] / mc[1][ZVMO]);
	fflush(stdout);

	for (i = 0; i < REPS; i++) {
		w[ZVMO][i] = vmo_cow_ns(0);
		w[FORK][i] = fork_cow_ns(0);
		pw[ZVMO][i] = vmo_cow_ns(1);
		pw[FORK][i] = fork_cow_ns(1);
	}
	for (k = ZVMO; k <= FORK; k++) {
		mw[k] = bench_median(w[k], REPS);
		mpw[k] = bench_median(pw[k], REPS);
	}
	bench_report("first_write_after_snapshot", mw[ZVMO], "fork", mw[FORK], "ns");
	bench_report("first_pwrite_after_snapshot", mpw[ZVMO], "fork",
		     mpw[FORK], "ns");
	return 0;
}
