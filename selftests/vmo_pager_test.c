// SPDX-License-Identifier: GPL-2.0
/*
 * User pagers through the raw ioctls: requests, batching, supply, fail,
 * detach, pager close, faults, killable waits.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"
#include "zvmo_pager.h"

/* A thread that serves every READ request with the file. */
struct server {
	pthread_t thread;
	int pager;
	int vmo;
	atomic_int requests;
	atomic_int pages;
	atomic_int completes;
	atomic_int stop;
	/* pages requested, to check that none is asked for twice */
	unsigned char *asked;
	uint64_t npages;
	atomic_int dup;
	int cpu;		/* the CPU it runs on, or -1 */
};

/* Run the calling thread on @cpu alone; 0 or -errno. */
static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	struct zvmo_pager_packet p;
	uint64_t i;

	if (s->cpu >= 0 && pin_cpu(s->cpu))
		fprintf(stderr, "# cannot run the server on CPU %d\n", s->cpu);
	while (!atomic_load(&s->stop)) {
		if (next_packet(s->pager, &p, 50))
			continue;
		if (p.command == ZVMO_PAGER_COMPLETE) {
			atomic_fetch_add(&s->completes, 1);
			continue;
		}
		atomic_fetch_add(&s->requests, 1);
		atomic_fetch_add(&s->pages, p.length / PAGE);
		for (i = p.offset / PAGE; s->asked && i < s->npages &&
		     i < (p.offset + p.length) / PAGE; i++)
			if (s->asked[i]++)
				atomic_fetch_add(&s->dup, 1);
		if (serve_file(s->pager, s->vmo, p.offset, p.length))
			fprintf(stderr, "# supply failed\n");
	}
	return NULL;
}

static void server_start_on(struct server *s, int pager, int vmo,
			    uint64_t npages, int cpu)
{
	memset(s, 0, sizeof(*s));
	s->pager = pager;
	s->vmo = vmo;
	s->npages = npages;
	s->asked = calloc(npages, 1);
	s->cpu = cpu;
	pthread_create(&s->thread, NULL, serve, s);
}

static void server_start(struct server *s, int pager, int vmo,
			 uint64_t npages)
{
	server_start_on(s, pager, vmo, npages, -1);
}

static void server_stop(struct server *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	free(s->asked);
}

static void stats_clean(struct __test_metadata *_metadata)
{
	struct zvmo_stats st;

	ASSERT_EQ(0, zt_stats(&st));
	EXPECT_EQ(0, st.vmos);
	EXPECT_EQ(0, st.pages);
}

TEST(serves_a_file_through_read_and_mmap)
{
	struct zvmo_vmo_info info;
	struct server s;
	int pager, vmo;
	unsigned char *p;
	uint64_t i;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 256 * PAGE, 42, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_info(vmo, &info));
	EXPECT_TRUE(info.flags & ZVMO_INFO_PAGER_BACKED);
	EXPECT_EQ(0, info.committed_bytes);
	server_start(&s, pager, vmo, 256);
	EXPECT_TRUE(is_file(vmo, 10, 3 * PAGE));
	p = mmap(NULL, 256 * PAGE, PROT_READ, MAP_SHARED, vmo, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 256 * PAGE; i += 997)
		ASSERT_EQ(pattern(i), p[i]);
	munmap(p, 256 * PAGE);
	EXPECT_EQ(0, atomic_load(&s.dup));
	/* Batched: far fewer requests than pages. */
	EXPECT_EQ(256, atomic_load(&s.pages));
	EXPECT_GT(256 / 8, atomic_load(&s.requests));
	ASSERT_EQ(0, zt_info(vmo, &info));
	EXPECT_EQ(256 * PAGE, info.committed_bytes);
	close(vmo);
	/* The VMO's end is a COMPLETE packet. */
	for (i = 0; i < 40 && !atomic_load(&s.completes); i++)
		usleep(50000);
	EXPECT_EQ(1, atomic_load(&s.completes));
	server_stop(&s);
	close(pager);
	stats_clean(_metadata);
}

static long major_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return -1;
	return ru.ru_majflt;
}

/*
 * A fault that waits for the pager is a major fault, as one that waits
 * for a file's I/O; a fault on a page already there is not, whether its
 * neighbours are mapped with it (fault-around) or it is mapped alone.
 */
TEST(a_fault_that_waits_for_the_pager_is_a_major_fault)
{
	struct server s;
	int pager, vmo;
	volatile unsigned char *p;
	long before, after;
	void *area;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 64 * PAGE, 7, 0);
	ASSERT_LE(0, vmo);
	/* Pages 32 to 63 are there before any fault. */
	ASSERT_EQ(0, supply_file(pager, vmo, 32 * PAGE, 32 * PAGE));
	server_start(&s, pager, vmo, 64);
	/* At a 64 KiB boundary: fault-around maps 16-page aligned blocks. */
	area = mmap(NULL, 80 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	p = (void *)(((uintptr_t)area + 16 * PAGE - 1) & ~(16 * PAGE - 1));
	ASSERT_EQ(p, mmap((void *)p, 64 * PAGE, PROT_READ,
			  MAP_SHARED | MAP_FIXED, vmo, 0));

	before = major_faults();
	ASSERT_LE(0, before);
	EXPECT_EQ(pattern(3 * PAGE + 5), p[3 * PAGE + 5]);
	after = major_faults();
	EXPECT_EQ(before + 1, after);

	/* Present: minor, and the rest of its block comes with it. */
	before = after;
	EXPECT_EQ(0, zt_mapped((void *)(p + 47 * PAGE)));
	EXPECT_EQ(pattern(40 * PAGE), p[40 * PAGE]);
	EXPECT_EQ(1, zt_mapped((void *)(p + 47 * PAGE)));
	EXPECT_EQ(pattern(47 * PAGE + 1), p[47 * PAGE + 1]);
	EXPECT_EQ(before, major_faults());

	munmap(area, 80 * PAGE);
	server_stop(&s);
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

TEST(requests_are_batched_and_sent_once)
{
	struct zvmo_pager_packet p;
	int pager, vmo;
	char c;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 200 * PAGE, 7, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, fcntl(pager, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, zt_ret(read(pager, &p, sizeof(p))));
	EXPECT_EQ(-EINVAL, zt_ret(read(pager, &p, sizeof(p) - 1)));

	/* A child commits 100 pages: requests of 64 and then 36. */
	if (!fork()) {
		zt_op(vmo, ZVMO_OP_COMMIT, 0, 100 * PAGE);
		_exit(0);
	}
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(7, p.key);
	EXPECT_EQ(ZVMO_PAGER_READ, p.command);
	EXPECT_EQ(0, p.offset);
	EXPECT_EQ(ZVMO_PAGER_BATCH * PAGE, p.length);
	/* A read of a page of that range does not ask again. */
	if (!fork()) {
		_exit(pread(vmo, &c, 1, 5 * PAGE) == 1 ? 0 : 1);
	}
	usleep(200000);
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 200));
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 64 * PAGE));
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(64 * PAGE, p.offset);
	EXPECT_EQ(36 * PAGE, p.length);
	/* Supplying part of it lets nothing through that is not there. */
	ASSERT_EQ(0, supply_file(pager, vmo, 64 * PAGE, 20 * PAGE));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 200));
	ASSERT_EQ(0, supply_file(pager, vmo, 84 * PAGE, 16 * PAGE));
	while (wait(NULL) > 0)
		;
	EXPECT_TRUE(is_file(vmo, 0, 100 * PAGE));
	/* A read of 5 missing pages from 150 asks for exactly those. */
	if (!fork()) {
		char buf[5 * PAGE];

		_exit(pread(vmo, buf, sizeof(buf), 150 * PAGE) > 0 ? 0 : 1);
	}
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(150 * PAGE, p.offset);
	EXPECT_EQ(5 * PAGE, p.length);
	ASSERT_EQ(0, supply_file(pager, vmo, 150 * PAGE, 5 * PAGE));
	while (wait(NULL) > 0)
		;
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

struct faulter {
	unsigned char *map;
	uint64_t npages;
	unsigned int seed;
	int bad;
};

static void *fault_pages(void *arg)
{
	struct faulter *f = arg;
	int i;

	for (i = 0; i < 200; i++) {
		uint64_t off = (rand_r(&f->seed) % f->npages) * PAGE +
			       rand_r(&f->seed) % PAGE;

		if (f->map[off] != pattern(off))
			f->bad++;
	}
	return NULL;
}

TEST(faults_from_many_threads)
{
	struct faulter f[8];
	pthread_t t[8];
	struct server s;
	int pager, vmo, i;
	unsigned char *p;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 64 * PAGE, 1, 0);
	ASSERT_LE(0, vmo);
	p = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vmo, 0);
	ASSERT_NE(MAP_FAILED, p);
	server_start(&s, pager, vmo, 64);
	for (i = 0; i < 8; i++) {
		f[i] = (struct faulter){ .map = p, .npages = i < 4 ? 4 : 64,
					 .seed = i + 1 };
		pthread_create(&t[i], NULL, fault_pages, &f[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, f[i].bad);
	}
	EXPECT_EQ(0, atomic_load(&s.dup));
	/* A write to a supplied page stays. */
	p[PAGE + 1] = 'w';
	EXPECT_EQ('w', p[PAGE + 1]);
	munmap(p, 64 * PAGE);
	close(vmo);
	server_stop(&s);
	close(pager);
	stats_clean(_metadata);
}

TEST(supply_rules)
{
	struct zvmo_stats before, after;
	int pager, other, vmo, ovmo, aux, pmt;
	unsigned char c;

	pager = pager_create();
	other = pager_create();
	ASSERT_LE(0, pager);
	ASSERT_LE(0, other);
	vmo = pager_vmo(pager, 8 * PAGE, 1, 0);
	ovmo = pager_vmo(other, 8 * PAGE, 2, 0);
	aux = zt_create(16 * PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, vmo);
	ASSERT_LE(0, ovmo);
	ASSERT_LE(0, aux);
	EXPECT_EQ(-EINVAL, supply(pager, ovmo, 0, PAGE, aux, 0));
	EXPECT_EQ(-EINVAL, supply(pager, aux, 0, PAGE, aux, 0));
	EXPECT_EQ(-EINVAL, supply(pager, vmo, 100, PAGE, aux, 0));
	EXPECT_EQ(-EINVAL, supply(pager, vmo, 0, 100, aux, 0));
	EXPECT_EQ(-EINVAL, supply(pager, vmo, 0, PAGE, aux, 10));
	EXPECT_EQ(-ERANGE, supply(pager, vmo, 6 * PAGE, 4 * PAGE, aux, 0));
	EXPECT_EQ(-ERANGE, supply(pager, vmo, 0, PAGE, aux, 16 * PAGE));
	EXPECT_EQ(-EBADF, supply(pager, vmo, 0, PAGE, 999, 0));
	EXPECT_EQ(-ENOTTY, supply(pager, vmo, 0, PAGE, pager, 0));
	EXPECT_EQ(-EBUSY, supply(pager, vmo, 0, PAGE, ovmo, 0));
	pmt = zt_pin(aux, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0);
	ASSERT_LE(0, pmt);
	EXPECT_EQ(-EBUSY, supply(pager, vmo, 0, PAGE, aux, 0));
	close(pmt);

	/* A move: the aux range reads zero after, the VMO the content. */
	c = 'A';
	ASSERT_EQ(1, pwrite(aux, &c, 1, 3 * PAGE));
	ASSERT_EQ(0, supply(pager, vmo, 0, 4 * PAGE, aux, 0));
	ASSERT_EQ(1, pread(aux, &c, 1, 3 * PAGE));
	EXPECT_EQ(0, c);
	ASSERT_EQ(1, pread(aux, &c, 1, 0));
	EXPECT_EQ(0, c);
	ASSERT_EQ(1, pread(vmo, &c, 1, 3 * PAGE));
	EXPECT_EQ('A', c);
	/* Present pages keep theirs; the supplied page is freed. */
	ASSERT_EQ(0, zt_stats(&before));
	c = 'B';
	ASSERT_EQ(1, pwrite(aux, &c, 1, 0));
	ASSERT_EQ(1, pwrite(aux, &c, 1, 5 * PAGE));
	ASSERT_EQ(0, supply(pager, vmo, 3 * PAGE, 3 * PAGE, aux, 0));
	ASSERT_EQ(0, zt_stats(&after));
	/* Two written into aux, one of them freed, one left in aux. */
	EXPECT_EQ(before.pages + 1, after.pages);
	ASSERT_EQ(1, pread(vmo, &c, 1, 3 * PAGE));
	EXPECT_EQ('A', c);
	ASSERT_EQ(1, pread(vmo, &c, 1, 5 * PAGE));
	EXPECT_EQ(0, c);
	/* Zero-length is fine. */
	EXPECT_EQ(0, supply(pager, vmo, 0, 0, aux, 0));
	close(aux);
	close(vmo);
	close(ovmo);
	close(other);
	close(pager);
	stats_clean(_metadata);
}

/*
 * A pager descriptor the children below close, so that closing it in the
 * parent closes the pager.
 */
static int child_closes = -1;

/* A child reads @off of @vmo; returns its pid. It exits with the errno. */
static pid_t child_read(int vmo, uint64_t off)
{
	pid_t pid = fork();
	char c;

	if (!pid) {
		close(child_closes);
		_exit(pread(vmo, &c, 1, off) == 1 ? 0 : errno);
	}
	return pid;
}

/*
 * A child touches @off of a mapping of @vmo, on CPU @cpu if it is not -1;
 * returns its pid.
 */
static pid_t child_fault_on(int vmo, uint64_t off, int cpu)
{
	pid_t pid = fork();

	if (!pid) {
		volatile char *p = mmap(NULL, off + PAGE, PROT_READ,
					MAP_SHARED, vmo, 0);

		close(child_closes);
		if (cpu >= 0 && pin_cpu(cpu))
			_exit(102);
		if (p == MAP_FAILED)
			_exit(100);
		_exit(p[off] == (char)pattern(off) ? 0 : 101);
	}
	return pid;
}

static pid_t child_fault(int vmo, uint64_t off)
{
	return child_fault_on(vmo, off, -1);
}

static int exit_of(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

TEST(fail_with_each_permitted_code)
{
	static const int codes[] = { EIO, EBADMSG, EBUSY, ENOSPC, ENOBUFS };
	struct zvmo_pager_packet p;
	int pager, vmo, i;
	pid_t pid;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 16 * PAGE, 3, 0);
	ASSERT_LE(0, vmo);
	for (i = 0; i < 5; i++) {
		pid = child_read(vmo, i * PAGE);
		ASSERT_EQ(0, next_packet(pager, &p, 5000));
		EXPECT_EQ(i * PAGE, p.offset);
		ASSERT_EQ(0, pager_fail(pager, vmo, p.offset, p.length,
					codes[i]));
		EXPECT_EQ(codes[i], exit_of(pid));
	}
	/* A fault that is failed gets SIGBUS. */
	pid = child_fault(vmo, 9 * PAGE);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, pager_fail(pager, vmo, p.offset, p.length, EIO));
	EXPECT_EQ(1000 + SIGBUS, exit_of(pid));
	/* Codes Zircon does not permit, and bad ranges. */
	EXPECT_EQ(-EINVAL, pager_fail(pager, vmo, 0, PAGE, ENOMEM));
	EXPECT_EQ(-EINVAL, pager_fail(pager, vmo, 0, PAGE, 0));
	EXPECT_EQ(-EINVAL, pager_fail(pager, vmo, 1, PAGE, EIO));
	EXPECT_EQ(-ERANGE, pager_fail(pager, vmo, 0, 32 * PAGE, EIO));
	/* A later access asks again, and can be served. */
	pid = child_read(vmo, 0);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(0, p.offset);
	ASSERT_EQ(0, supply_file(pager, vmo, p.offset, p.length));
	EXPECT_EQ(0, exit_of(pid));
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

TEST(detach_fails_waiters_and_drops_clean_pages)
{
	struct zvmo_pager_packet p;
	pid_t reader, faulter;
	int pager, vmo;
	char c = 'd';

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 16 * PAGE, 5, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 2 * PAGE));
	ASSERT_EQ(1, pwrite(vmo, &c, 1, PAGE));
	reader = child_read(vmo, 8 * PAGE);
	faulter = child_fault(vmo, 12 * PAGE);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, detach(pager, vmo));
	EXPECT_EQ(EBUSY, exit_of(reader));
	EXPECT_EQ(1000 + SIGBUS, exit_of(faulter));
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(ZVMO_PAGER_COMPLETE, p.command);
	EXPECT_EQ(5, p.key);
	/* The clean page went, the written one stayed. */
	EXPECT_EQ(-EBUSY, zt_ret(pread(vmo, &c, 1, 0)));
	ASSERT_EQ(1, pread(vmo, &c, 1, PAGE));
	EXPECT_EQ('d', c);
	EXPECT_EQ(-EBUSY, zt_ret(pread(vmo, &c, 1, 4 * PAGE)));
	EXPECT_EQ(-EBUSY, supply_file(pager, vmo, 0, PAGE));
	EXPECT_EQ(-EBUSY, pager_fail(pager, vmo, 0, PAGE, EIO));
	EXPECT_EQ(0, detach(pager, vmo));
	/* No second COMPLETE when the VMO goes. */
	close(vmo);
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 200));
	close(pager);
	stats_clean(_metadata);
}

TEST(closing_the_pager_fails_waiters_and_keeps_pages)
{
	struct zvmo_pager_packet p;
	pid_t reader, faulter;
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 16 * PAGE, 5, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 2 * PAGE));
	child_closes = pager;
	reader = child_read(vmo, 8 * PAGE);
	faulter = child_fault(vmo, 12 * PAGE);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, close(pager));
	EXPECT_EQ(EBUSY, exit_of(reader));
	EXPECT_EQ(1000 + SIGBUS, exit_of(faulter));
	EXPECT_TRUE(is_file(vmo, 0, 2 * PAGE));
	EXPECT_EQ(0, exit_of(child_fault(vmo, PAGE)));
	close(vmo);
	stats_clean(_metadata);
}

TEST(a_process_blocked_on_a_pager_that_never_answers_can_be_killed)
{
	struct zvmo_pager_packet p;
	pid_t reader, faulter;
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 16 * PAGE, 5, 0);
	ASSERT_LE(0, vmo);
	reader = child_read(vmo, 0);
	faulter = child_fault(vmo, 8 * PAGE);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	usleep(100000);
	ASSERT_EQ(0, kill(reader, SIGKILL));
	ASSERT_EQ(0, kill(faulter, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, exit_of(reader));
	EXPECT_EQ(1000 + SIGKILL, exit_of(faulter));
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

TEST(a_killed_waiter_takes_back_an_unread_request)
{
	struct zvmo_pager_packet p;
	int pager, vmo;
	pid_t reader;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 16 * PAGE, 5, 0);
	ASSERT_LE(0, vmo);
	reader = child_read(vmo, 0);
	usleep(300000);
	ASSERT_EQ(0, kill(reader, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, exit_of(reader));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 200));
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

TEST(writes_ask_first_and_regrown_ranges_read_zero)
{
	struct zvmo_pager_packet p;
	int pager, vmo;
	pid_t pid;
	char c;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 8 * PAGE, 9, ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, vmo);
	pid = fork();
	if (!pid) {
		c = 'x';
		_exit(pwrite(vmo, &c, 1, 2 * PAGE + 5) == 1 ? 0 : errno);
	}
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(2 * PAGE, p.offset);
	EXPECT_EQ(PAGE, p.length);
	ASSERT_EQ(0, supply_file(pager, vmo, 2 * PAGE, PAGE));
	EXPECT_EQ(0, exit_of(pid));
	ASSERT_EQ(1, pread(vmo, &c, 1, 2 * PAGE + 5));
	EXPECT_EQ('x', c);
	EXPECT_TRUE(is_file(vmo, 2 * PAGE, 5));
	/* Shrunk and grown back: zeros, with no request. */
	ASSERT_EQ(0, zt_set_size(vmo, 4 * PAGE));
	ASSERT_EQ(0, zt_set_size(vmo, 8 * PAGE));
	ASSERT_EQ(1, pread(vmo, &c, 1, 6 * PAGE));
	EXPECT_EQ(0, c);
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 100));
	/* What Zircon does not support on pager-backed VMOs. */
	EXPECT_EQ(-EOPNOTSUPP, zt_op(vmo, ZVMO_OP_DECOMMIT, 0, PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(vmo, ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

TEST(a_pager_descriptor_works_in_another_process)
{
	struct zvmo_pager_packet p;
	int pager, vmo, i;
	pid_t pid;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 32 * PAGE, 11, 0);
	ASSERT_LE(0, vmo);
	/* The child serves with the descriptors it inherited. */
	pid = fork();
	if (!pid) {
		for (i = 0; i < 4; i++) {
			if (next_packet(pager, &p, 5000) || p.key != 11 ||
			    serve_file(pager, vmo, p.offset, p.length))
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < 4; i++)
		EXPECT_TRUE(is_file(vmo, i * 8 * PAGE + 100, 10));
	EXPECT_EQ(0, exit_of(pid));
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

TEST(a_pager_passed_over_a_socket_serves)
{
	struct zvmo_pager_packet p;
	int sv[2], pager, vmo, got, gvmo;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Nothing inherited: both descriptors come over the socket. */
		close(sv[0]);
		got = zt_recv_fd(sv[1]);
		gvmo = zt_recv_fd(sv[1]);
		if (got < 0 || gvmo < 0 || next_packet(got, &p, 5000) ||
		    serve_file(got, gvmo, p.offset, p.length))
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 8 * PAGE, 31, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_send_fd(sv[0], pager));
	ASSERT_EQ(0, zt_send_fd(sv[0], vmo));
	/* Only the child holds the pager now. */
	close(pager);
	EXPECT_TRUE(is_file(vmo, 3 * PAGE, 100));
	EXPECT_EQ(0, exit_of(pid));
	close(sv[0]);
	close(vmo);
	stats_clean(_metadata);
}

TEST(at_least_on_write_children_read_the_current_content)
{
	struct zvmo_pager_packet p;
	struct zvmo_vmo_info info;
	int pager, vmo, child, grand;
	volatile char *m;
	pid_t pid;
	char c;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 16 * PAGE, 21, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 4 * PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(vmo, ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	child = zt_child(vmo, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0,
			 16 * PAGE);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, zt_info(child, &info));
	EXPECT_TRUE(info.flags & ZVMO_INFO_COW_CLONE);
	EXPECT_TRUE(info.flags & ZVMO_INFO_PAGER_BACKED);
	EXPECT_EQ(0, info.committed_bytes);

	/* Supplied pages show through; missing ones ask the parent's pager. */
	EXPECT_TRUE(is_file(child, PAGE, PAGE));
	pid = child_read(child, 8 * PAGE);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(21, p.key);
	EXPECT_EQ(8 * PAGE, p.offset);
	ASSERT_EQ(0, supply_file(pager, vmo, p.offset, p.length));
	EXPECT_EQ(0, exit_of(pid));
	/* Later supplies and the parent's writes show too... */
	ASSERT_EQ(0, supply_file(pager, vmo, 10 * PAGE, PAGE));
	EXPECT_TRUE(is_file(child, 10 * PAGE, PAGE));
	m = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, child,
		 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ((char)pattern(2 * PAGE), m[2 * PAGE]);
	c = 'P';
	ASSERT_EQ(1, pwrite(vmo, &c, 1, 2 * PAGE));
	EXPECT_EQ('P', m[2 * PAGE]);
	/* ...until the child writes the page: then it has its own. */
	m[3 * PAGE] = 'C';
	ASSERT_EQ(1, pread(vmo, &c, 1, 3 * PAGE));
	EXPECT_EQ((char)pattern(3 * PAGE), c);
	c = 'Q';
	ASSERT_EQ(1, pwrite(vmo, &c, 1, 3 * PAGE));
	EXPECT_EQ('C', m[3 * PAGE]);
	ASSERT_EQ(0, zt_info(child, &info));
	EXPECT_EQ(PAGE, info.committed_bytes);

	/* A clone of the clone, at an offset. */
	grand = zt_child(child, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
			 2 * PAGE, 4 * PAGE);
	ASSERT_LE(0, grand);
	ASSERT_EQ(1, pread(grand, &c, 1, PAGE));
	EXPECT_EQ('C', c);
	ASSERT_EQ(1, pread(grand, &c, 1, 0));
	EXPECT_EQ('P', c);
	EXPECT_EQ(-EOPNOTSUPP, zt_op(child, ZVMO_OP_DECOMMIT, 0, PAGE));
	EXPECT_EQ(-EOPNOTSUPP, zt_child(child, ZVMO_CHILD_SNAPSHOT, 0, PAGE));

	/* The parent's handle goes; the clones keep it, and its pager. */
	close(vmo);
	EXPECT_TRUE(is_file(child, 0, PAGE));
	/* The pager's going fails what is still missing. */
	child_closes = pager;
	close(pager);
	EXPECT_EQ(-EBUSY, zt_ret(pread(child, &c, 1, 12 * PAGE)));
	EXPECT_EQ(-EBUSY, zt_ret(pread(grand, &c, 1, 3 * PAGE)));
	EXPECT_EQ(1000 + SIGBUS, exit_of(child_fault(child, 13 * PAGE)));
	EXPECT_EQ('C', m[3 * PAGE]);
	munmap((void *)m, 16 * PAGE);
	close(grand);
	close(child);
	stats_clean(_metadata);
}

TEST(a_clone_sees_the_pages_a_detach_drops_go)
{
	struct zvmo_pager_packet p;
	int pager, vmo, child;
	char c;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 8 * PAGE, 22, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 4 * PAGE));
	child = zt_child(vmo, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0,
			 8 * PAGE);
	ASSERT_LE(0, child);
	c = 'w';
	ASSERT_EQ(1, pwrite(vmo, &c, 1, PAGE));
	ASSERT_EQ(1, pwrite(child, &c, 1, 2 * PAGE));
	ASSERT_EQ(0, detach(pager, vmo));
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(ZVMO_PAGER_COMPLETE, p.command);
	/* Clean pages went: gone for the child too; the rest stays. */
	EXPECT_EQ(-EBUSY, zt_ret(pread(child, &c, 1, 0)));
	ASSERT_EQ(1, pread(child, &c, 1, PAGE));
	EXPECT_EQ('w', c);
	ASSERT_EQ(1, pread(child, &c, 1, 2 * PAGE));
	EXPECT_EQ('w', c);
	close(child);
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

TEST(a_vmo_that_never_reached_userspace_sends_no_complete)
{
	struct zvmo_pager_info info = { .argsz = sizeof(info) };
	struct zvmo_pager_packet p;
	int pager, vmo;

	pager = pager_create();
	ASSERT_LE(0, pager);
	EXPECT_EQ(-ERANGE, pager_vmo(pager, ~0ULL, 77, 0));
	EXPECT_EQ(-EINVAL, pager_vmo(pager, PAGE, 78, 1U << 9));
	EXPECT_EQ(-ETIMEDOUT, next_packet(pager, &p, 100));
	vmo = pager_vmo(pager, PAGE, 79, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_ret(ioctl(pager, ZVMO_IOC_PAGER_INFO, &info)));
	EXPECT_NE(0, info.koid);
	EXPECT_EQ(1, info.vmos);
	EXPECT_EQ(0, info.packets);
	close(vmo);
	ASSERT_EQ(0, zt_ret(ioctl(pager, ZVMO_IOC_PAGER_INFO, &info)));
	EXPECT_EQ(0, info.vmos);
	EXPECT_EQ(1, info.packets);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(79, p.key);
	EXPECT_EQ(ZVMO_PAGER_COMPLETE, p.command);
	EXPECT_EQ(-ENOTTY, zt_ret(ioctl(zt_dev(), ZVMO_IOC_PAGER_INFO, &info)));
	close(pager);
	stats_clean(_metadata);
}

static int supply_copy(int pager, int vmo, uint64_t off, uint64_t len,
		       const void *buf)
{
	struct zvmo_pager_supply_copy c = {
		.argsz = sizeof(c), .vmo_fd = vmo, .offset = off,
		.length = len, .buffer = (uintptr_t)buf,
	};

	return zt_ret(ioctl(pager, ZVMO_IOC_PAGER_SUPPLY_COPY, &c));
}

TEST(supply_by_copy)
{
	struct zvmo_pager_packet p;
	struct zvmo_vmo_info info;
	int pager, other, vmo, ovmo;
	unsigned char *buf;
	uint64_t i;
	pid_t pid;
	char c;

	buf = malloc(300 * PAGE);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 300 * PAGE; i++)
		buf[i] = pattern(i);
	pager = pager_create();
	other = pager_create();
	ASSERT_LE(0, pager);
	ASSERT_LE(0, other);
	vmo = pager_vmo(pager, 300 * PAGE, 41, 0);
	ovmo = pager_vmo(other, PAGE, 42, 0);
	ASSERT_LE(0, vmo);
	ASSERT_LE(0, ovmo);
	pid = child_read(vmo, 5 * PAGE);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, supply_copy(pager, vmo, p.offset, p.length,
				 buf + p.offset));
	EXPECT_EQ(0, exit_of(pid));
	/* Present pages keep theirs; a bad buffer supplies nothing. */
	c = 'k';
	ASSERT_EQ(1, pwrite(vmo, &c, 1, 5 * PAGE));
	ASSERT_EQ(0, supply_copy(pager, vmo, 0, 300 * PAGE, buf));
	ASSERT_EQ(1, pread(vmo, &c, 1, 5 * PAGE));
	EXPECT_EQ('k', c);
	EXPECT_TRUE(is_file(vmo, 6 * PAGE, 294 * PAGE));
	EXPECT_EQ(-EFAULT, supply_copy(other, ovmo, 0, PAGE, (void *)8));
	ASSERT_EQ(0, zt_info(ovmo, &info));
	EXPECT_EQ(0, info.committed_bytes);
	EXPECT_EQ(-EINVAL, supply_copy(pager, ovmo, 0, PAGE, buf));
	EXPECT_EQ(-EINVAL, supply_copy(pager, vmo, 1, PAGE, buf));
	EXPECT_EQ(-ERANGE, supply_copy(pager, vmo, 299 * PAGE, 2 * PAGE,
				       buf));
	ASSERT_EQ(0, detach(other, ovmo));
	EXPECT_EQ(-EBUSY, supply_copy(other, ovmo, 0, PAGE, buf));
	close(ovmo);
	close(vmo);
	close(other);
	close(pager);
	free(buf);
	stats_clean(_metadata);
}

/* ---- spinning for a pager on another CPU ---- */

#define SPIN_PARAM	"/sys/module/zvmo/parameters/pager_spin_us"
#define SPIN_RUNS	32	/* requests a pass makes, 64 pages each */

FIXTURE(spin) {
	char old[32];
};

FIXTURE_SETUP(spin)
{
	int fd = open(SPIN_PARAM, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, self->old, sizeof(self->old) - 1);

	if (fd >= 0)
		close(fd);
	ASSERT_LT(0, n);
	self->old[n] = 0;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	/*
	 * What these measure is timing; failed allocations only make each
	 * supply a page-by-page retry, past the harness's timeout. The spin
	 * itself allocates nothing.
	 */
	if (getenv("ZVMO_INJECTING"))
		SKIP(return, "timing tests, not run under fault injection");
	ASSERT_EQ(0, pin_cpu(0));
}

FIXTURE_TEARDOWN(spin)
{
	EXPECT_EQ(0, zt_write_file(SPIN_PARAM, self->old));
}

/*
 * Fault SPIN_RUNS runs of a fresh pager VMO from CPU 0, served by a
 * thread on @cpu, after one fault that shows the source how long answers
 * take; the waits that spun and the ones answered while spinning go to
 * @spins and @hits.
 */
static void spin_pass(struct __test_metadata *_metadata, int cpu,
		      long long *spins, long long *hits)
{
	uint64_t size = (SPIN_RUNS + 1) * 64 * PAGE, off;
	long long spins0, hits0;
	struct server s;
	int pager, vmo;
	char *p;

	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, size, 3, 0);
	ASSERT_LE(0, vmo);
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, vmo, 0);
	ASSERT_NE(MAP_FAILED, p);
	server_start_on(&s, pager, vmo, size / PAGE, cpu);
	ASSERT_EQ(pattern(0), (unsigned char)p[0]);
	spins0 = zt_proc_stat("pager_spins");
	hits0 = zt_proc_stat("pager_spin_hits");
	for (off = 64 * PAGE; off < size; off += 64 * PAGE)
		ASSERT_EQ(pattern(off + 5), (unsigned char)p[off + 5]);
	*spins = zt_proc_stat("pager_spins") - spins0;
	*hits = zt_proc_stat("pager_spin_hits") - hits0;
	EXPECT_EQ(SPIN_RUNS + 1, atomic_load(&s.requests));
	EXPECT_EQ(0, atomic_load(&s.dup));
	munmap(p, size);
	close(vmo);
	server_stop(&s);
	close(pager);
	stats_clean(_metadata);
}

TEST_F(spin, faults_spin_only_for_a_pager_on_another_cpu)
{
	long long spins, hits;

	/* Long enough for any answer here: every wait may spin. */
	ASSERT_EQ(0, zt_write_file(SPIN_PARAM, "200000"));
	spin_pass(_metadata, 1, &spins, &hits);
	TH_LOG("spins %lld hits %lld", spins, hits);
	EXPECT_EQ(SPIN_RUNS, spins);
	/* Most answers come while the fault spins. */
	EXPECT_LE(SPIN_RUNS / 2, hits);
	EXPECT_GE(spins, hits);

	/* A pager on the faulting CPU cannot answer a spinning fault. */
	spin_pass(_metadata, 0, &spins, &hits);
	EXPECT_EQ(0, spins);
	EXPECT_EQ(0, hits);

	/* pager_spin_us 0: never. */
	ASSERT_EQ(0, zt_write_file(SPIN_PARAM, "0"));
	spin_pass(_metadata, 1, &spins, &hits);
	EXPECT_EQ(0, spins);
	EXPECT_EQ(0, hits);
}

/* The state letter of /proc/@pid/stat, or 0. */
static char task_state(pid_t pid)
{
	char path[64], buf[256], *c;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	c = strrchr(buf, ')');
	return c && c[1] == ' ' ? c[2] : 0;
}

/*
 * A child on CPU 0 faults @off of @vmo; the pager reads the request and
 * leaves it unanswered, and @ms later the child is in @state. Returns the
 * child, for the caller to kill (nothing here stops before it has one).
 */
static pid_t fault_unanswered(struct __test_metadata *_metadata, int pager,
			      int vmo, uint64_t off, unsigned int ms,
			      char state)
{
	pid_t child = child_fault_on(vmo, off, 0);
	struct zvmo_pager_packet p;

	EXPECT_EQ(0, next_packet(pager, &p, 5000));
	EXPECT_EQ(off, p.offset);
	usleep(ms * 1000);
	EXPECT_EQ(state, task_state(child));
	return child;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST_F(spin, a_spinning_fault_can_be_killed_and_sleeps_after_its_budget)
{
	struct zvmo_pager_packet p;
	long long spins, hits;
	pid_t child;
	int pager, vmo;
	double t;

	ASSERT_EQ(0, zt_write_file(SPIN_PARAM, "10000000"));
	/* The pager reads here, on CPU 1; the faults come from CPU 0. */
	ASSERT_EQ(0, pin_cpu(1));
	pager = pager_create();
	ASSERT_LE(0, pager);
	vmo = pager_vmo(pager, 256 * PAGE, 9, 0);
	ASSERT_LE(0, vmo);

	/* Answered after 1 s: the source's answers take about 1 s. */
	child = child_fault_on(vmo, 0, 0);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	usleep(1000000);
	ASSERT_EQ(0, supply_file(pager, vmo, p.offset, p.length));
	EXPECT_EQ(0, exit_of(child));

	/* Never answered: the fault spins, and a kill stops it at once. */
	spins = zt_proc_stat("pager_spins");
	hits = zt_proc_stat("pager_spin_hits");
	child = fault_unanswered(_metadata, pager, vmo, 128 * PAGE, 50, 'R');
	EXPECT_EQ(spins + 1, zt_proc_stat("pager_spins"));
	t = now_s();
	ASSERT_EQ(0, kill(child, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, exit_of(child));
	EXPECT_GT(0.5, now_s() - t);
	EXPECT_EQ(hits, zt_proc_stat("pager_spin_hits"));

	/* Twice the mean answer time, about 2 s, then it sleeps. */
	child = fault_unanswered(_metadata, pager, vmo, 64 * PAGE, 3500, 'D');
	EXPECT_EQ(spins + 2, zt_proc_stat("pager_spins"));
	ASSERT_EQ(0, kill(child, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, exit_of(child));
	EXPECT_EQ(hits, zt_proc_stat("pager_spin_hits"));
	close(vmo);
	close(pager);
	stats_clean(_metadata);
}

TEST_HARNESS_MAIN
