// SPDX-License-Identifier: GPL-2.0
/*
 * User pager benchmark: a pager-backed VMO whose missing pages a userspace
 * thread supplies (ZVMO_IOC_PAGER_SUPPLY), against userfaultfd's MISSING
 * mode on anonymous private memory resolved with UFFDIO_COPY, both measured
 * in the same run.
 *
 * The two sides have the same structure. The main thread faults by reading
 * one byte of a page of a fresh 64 MiB mapping: a pager VMO mapped
 * MAP_SHARED, or a MAP_PRIVATE | MAP_ANONYMOUS region registered with
 * UFFDIO_REGISTER_MODE_MISSING (huge pages off, as zvmo's pages are 4 KiB).
 * A handler thread blocks in read() of the pager descriptor or of the
 * userfaultfd and resolves each request from the same prepared 64 MiB
 * source buffer. The uffd handler UFFDIO_COPYs the page from it; the zvmo
 * handler pwrite()s the requested range of it into an ordinary aux VMO and
 * moves those pages in with ZVMO_IOC_PAGER_SUPPLY. A supply leaves the aux
 * range empty, so the aux VMO is written again before every supply: the
 * copy of the bytes is part of the handler's work on both sides, once each.
 * The zvmo side uses the raw ioctls of uapi/zvmo.h, not libzvmo.
 *
 * pager_fault_rtt: the time from the read of a missing page to its return,
 * for 2048 random distinct pages faulted one at a time, in microseconds:
 * the median over the faults of a repetition. Each handler supplies exactly
 * the faulting page. zvmo's request covers the run of missing pages that
 * starts at the faulting one, and a page a request covers is not asked for
 * again, so a request must be supplied whole; to make it one page, the
 * pages faulted are odd ones and both neighbours of each are made present
 * before the timed faults (untimed, on both sides alike, the same pages).
 * The faulting thread runs on CPU 0 and the handler on CPU 1: the latency
 * a pager thread elsewhere gives, wake-ups across CPUs included (under
 * emulation those vary a lot from run to run). With the module's defaults
 * a zvmo fault there spins for its answer before it sleeps (the
 * pager_spin_us parameter), which userfaultfd has no counterpart of: what
 * that saves is most of a sleep and a wake-up; pager_fault_rtt_copy_nospin
 * is pager_fault_rtt_copy with pager_spin_us 0, to show how much.
 * pager_fault_rtt_1cpu is
 * the same with the handler on CPU 0 too: each round trip is then two
 * switches on one CPU, and the figure is mostly the CPU time the kernel
 * spends on a fault, a request and a supply, steady from run to run.
 *
 * pager_stream_64M: one byte of every page of 64 MiB read in order, total
 * time in milliseconds. zvmo's kernel asks for a run of up to
 * ZVMO_PAGER_BATCH (64) missing pages per request and the handler supplies
 * the whole run, 256 KiB a call; userfaultfd reports one page per fault and
 * its handler copies that page, 4 KiB a call. A uffd handler could copy
 * ahead on its own guess; this one does what the fault asks, as the zvmo
 * one does, so the figure is what the kernel's batching is worth.
 *
 * Each figure is the median of several repetitions, zvmo and uffd
 * interleaved so that drift hits both; ratio = uffd time / zvmo time (above
 * 1: zvmo faster). Every page read is compared with the source afterwards,
 * untimed. A watchdog reports a phase that stops making progress (a fault
 * or a request that is never answered) and ends the program. Runs as root
 * (userfaultfd for anyone else may be refused).
 *
 * With the argument --uffd-only only the userfaultfd side runs, and its
 * figures are printed as notes: for a module without pagers.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * The header in the tree, not the copy libzvmo's build makes, which lags
 * behind while the pager interface is new.
 */
#include "../uapi/zvmo.h"

#include "bench.h"

#define PAGE		4096UL
#define SIZE		(64UL << 20)
#define NPAGES		(SIZE / PAGE)
#define NFAULTS		2048		/* pager_fault_rtt: faults a repetition */
#define REPS_RTT	5
#define REPS_STREAM	5
#define AUX_SIZE	(ZVMO_PAGER_BATCH * PAGE)
#define KEY		0x7a766d6f70676572ULL
#define STALL_S		30		/* the watchdog's patience */
#define FAULT_CPU	0		/* where the faulting thread runs */

enum side { ZVMO, ZVMO_COPY, UFFD };
enum placement { OTHER, SAME };	/* the handler's CPU: not the faulter's, or its */

/* Page p of the source: byte 0 names the page, never 0. */
static char *src;
static unsigned long order[NPAGES / 2];		/* pages to fault, in order */
static unsigned char present[NPAGES];		/* made present beforehand */
static double samples[NFAULTS];

/* For the watchdog and for the handlers' checks. */
static const char *volatile phase = "start";
static int handler_cpu = 1;			/* where the handlers run */
static volatile unsigned long progress, hprogress;
static volatile unsigned long want = ~0UL;	/* page the main thread reads */
static volatile unsigned long last_off = ~0UL, last_len;

static void die(const char *what, int err)
{
	fprintf(stderr, "pager_bench: %s (in %s): %s\n", what, phase,
		strerror(err));
	exit(1);
}

static void fail(const char *what)
{
	die(what, errno);
}

static void __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pager_bench: in %s: ", phase);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A fault the kernel failed: say where, and end. */
static void on_sigbus(int sig)
{
	static const char msg[] = "pager_bench: SIGBUS in ";
	const char *p = phase;

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	(void)!write(2, p, strlen(p));
	(void)!write(2, "\n", 1);
	_exit(4);
}

/* Ends the program when nothing has moved for STALL_S seconds. */
static void *watchdog(void *arg)
{
	unsigned long seen = ~0UL;
	int still = 0;

	(void)arg;
	for (;;) {
		sleep(1);
		if (progress + hprogress != seen) {
			seen = progress + hprogress;
			still = 0;
			continue;
		}
		if (++still < STALL_S)
			continue;
		fprintf(stderr,
			"pager_bench: no progress for %d s in %s (last random page faulted: %lu); the last request the handler took: offset %#lx length %#lx\n",
			STALL_S, phase, want, last_off, last_len);
		_exit(3);
	}
	return NULL;
}

static void tick(void)
{
	progress++;
}

static uint64_t rng;

static unsigned long rnd(unsigned long n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

/* NFAULTS random distinct odd pages into order[]; their neighbours into present[]. */
static void choose_pages(unsigned int seed)
{
	unsigned long i, j, t;

	rng = 0x9e3779b97f4a7c15ULL * (seed + 1);
	for (i = 0; i < NPAGES / 2; i++)
		order[i] = 2 * i + 1;
	for (i = 0; i < NFAULTS; i++) {
		j = i + rnd(NPAGES / 2 - i);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	memset(present, 0, sizeof(present));
	for (i = 0; i < NFAULTS; i++) {
		present[order[i] - 1] = 1;
		if (order[i] + 1 < NPAGES)
			present[order[i] + 1] = 1;
	}
}

/*
 * The first run [*first, *first + *n) of present[] at or after *first;
 * 0 when there is none.
 */
static int next_run(unsigned long *first, unsigned long *n)
{
	while (*first < NPAGES && !present[*first])
		++*first;
	for (*n = 0; *first + *n < NPAGES && present[*first + *n]; ++*n)
		;
	return *n != 0;
}

/* The timed faults; the handler is running. */
static double fault_rtt(volatile char *p)
{
	unsigned long i, off;
	double t;
	char c;

	for (i = 0; i < NFAULTS; i++) {
		off = order[i] * PAGE;
		want = order[i];
		t = bench_now_us();
		c = p[off];
		samples[i] = bench_now_us() - t;
		if (c != src[off])
			bad("page %lu reads %#x", order[i], (unsigned char)c);
		tick();
	}
	return bench_median(samples, NFAULTS);
}

static void check_faulted(const char *p)
{
	unsigned long i, off;

	for (i = 0; i < NFAULTS; i++) {
		off = order[i] * PAGE;
		if (memcmp(p + off, src + off, PAGE))
			bad("page %lu differs from the source", order[i]);
	}
}

static double stream_ms(volatile char *p)
{
	unsigned long off;
	double t = bench_now_us();

	for (off = 0; off < SIZE; off += PAGE)
		(void)p[off];
	return (bench_now_us() - t) / 1e3;
}

static void check_all(const char *p)
{
	unsigned long off;

	for (off = 0; off < SIZE; off += PAGE)
		if (memcmp(p + off, src + off, PAGE))
			bad("page %lu differs from the source", off / PAGE);
}

/* ---- zvmo ---- */

struct zvmo_side {
	int dev, pager, vmo, aux;
	int one_page;		/* every request must be one page */
	int copy;		/* supply with ZVMO_IOC_PAGER_SUPPLY_COPY */
	char *map;
	pthread_t thread;
};

/* Fill [off, off + len) of the pager VMO from the source, through aux. */
static void zvmo_supply(struct zvmo_side *z, unsigned long off,
			unsigned long len)
{
	struct zvmo_pager_supply s = {
		.argsz = sizeof(s),
		.vmo_fd = z->vmo,
		.aux_fd = z->aux,
		.aux_offset = 0,
	};
	struct zvmo_pager_supply_copy c = {
		.argsz = sizeof(c),
		.vmo_fd = z->vmo,
	};
	unsigned long n;
	ssize_t w;

	if (z->copy) {
		/* zvmo's own one-call supply, as UFFDIO_COPY. */
		c.offset = off;
		c.length = len;
		c.buffer = (uintptr_t)(src + off);
		if (ioctl(z->pager, ZVMO_IOC_PAGER_SUPPLY_COPY, &c))
			fail("ZVMO_IOC_PAGER_SUPPLY_COPY");
		return;
	}
	while (len) {
		n = len < AUX_SIZE ? len : AUX_SIZE;
		w = pwrite(z->aux, src + off, n, 0);
		if (w != (ssize_t)n) {
			if (w < 0)
				fail("pwrite aux");
			bad("pwrite aux: %zd of %lu bytes", w, n);
		}
		s.offset = off;
		s.length = n;
		if (ioctl(z->pager, ZVMO_IOC_PAGER_SUPPLY, &s))
			fail("ZVMO_IOC_PAGER_SUPPLY");
		off += n;
		len -= n;
	}
}

/* The handler: supplies what each READ asks for, until COMPLETE. */
static void *zvmo_handler(void *arg)
{
	struct zvmo_side *z = arg;
	struct zvmo_pager_packet pk[16];
	ssize_t n;
	int i, done = 0;

	bench_pin_cpu(handler_cpu);
	while (!done) {
		n = read(z->pager, pk, sizeof(pk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("read pager");
		if (n == 0 || n % sizeof(pk[0]))
			bad("read pager: %zd bytes", n);
		for (i = 0; i < n / (ssize_t)sizeof(pk[0]); i++) {
			hprogress++;
			if (pk[i].key != KEY)
				bad("packet with key %#llx, command %u",
				    (unsigned long long)pk[i].key,
				    pk[i].command);
			if (pk[i].command == ZVMO_PAGER_COMPLETE) {
				done = 1;
				continue;
			}
			if (pk[i].command != ZVMO_PAGER_READ)
				bad("unexpected packet command %u at %#llx",
				    pk[i].command,
				    (unsigned long long)pk[i].offset);
			last_off = pk[i].offset;
			last_len = pk[i].length;
			if (!pk[i].length || (pk[i].offset | pk[i].length) % PAGE ||
			    pk[i].offset + pk[i].length > SIZE ||
			    pk[i].length > ZVMO_PAGER_BATCH * PAGE)
				bad("bad READ request offset %#llx length %#llx",
				    (unsigned long long)pk[i].offset,
				    (unsigned long long)pk[i].length);
			if (z->one_page && (pk[i].length != PAGE ||
					    pk[i].offset != want * PAGE))
				bad("READ of offset %#llx length %#llx where page %lu alone was expected",
				    (unsigned long long)pk[i].offset,
				    (unsigned long long)pk[i].length, want);
			zvmo_supply(z, pk[i].offset, pk[i].length);
		}
	}
	return NULL;
}

static int zvmo_ioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	int ret = ioctl(fd, cmd, arg);

	if (ret < 0)
		fail(what);
	return ret;
}

static void zvmo_setup(struct zvmo_side *z, int dev, int one_page, int copy)
{
	struct zvmo_pager_create pc = { .argsz = sizeof(pc),
					.fd_flags = ZVMO_FD_CLOEXEC };
	struct zvmo_pager_create_vmo cv = { .argsz = sizeof(cv), .key = KEY,
					    .size = SIZE,
					    .fd_flags = ZVMO_FD_CLOEXEC };
	struct zvmo_vmo_create ac = { .argsz = sizeof(ac), .size = AUX_SIZE,
				      .fd_flags = ZVMO_FD_CLOEXEC };

	z->dev = dev;
	z->one_page = one_page;
	z->copy = copy;
	z->pager = zvmo_ioctl(dev, ZVMO_IOC_PAGER_CREATE, &pc,
			      "ZVMO_IOC_PAGER_CREATE");
	z->vmo = zvmo_ioctl(z->pager, ZVMO_IOC_PAGER_CREATE_VMO, &cv,
			    "ZVMO_IOC_PAGER_CREATE_VMO");
	z->aux = zvmo_ioctl(dev, ZVMO_IOC_VMO_CREATE, &ac,
			    "ZVMO_IOC_VMO_CREATE");
	z->map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, z->vmo,
		      0);
	if (z->map == MAP_FAILED)
		fail("mmap pager VMO");
}

static void zvmo_start(struct zvmo_side *z)
{
	int err = pthread_create(&z->thread, NULL, zvmo_handler, z);

	if (err)
		die("pthread_create", err);
}

/* Detach (the handler ends at its COMPLETE packet) and free it all. */
static void zvmo_teardown(struct zvmo_side *z)
{
	struct zvmo_pager_detach d = { .argsz = sizeof(d), .vmo_fd = z->vmo };
	const char *was = phase;

	phase = "zvmo detach, waiting for the COMPLETE packet";
	zvmo_ioctl(z->pager, ZVMO_IOC_PAGER_DETACH, &d,
		   "ZVMO_IOC_PAGER_DETACH");
	pthread_join(z->thread, NULL);
	phase = was;
	if (munmap(z->map, SIZE))
		fail("munmap");
	close(z->aux);
	close(z->vmo);
	close(z->pager);
	tick();
}

#define SPIN_PARAM	"/sys/module/zvmo/parameters/pager_spin_us"

/* Read pager_spin_us into @old (if not NULL), then write @val. */
static void spin_param(char *old, size_t len, const char *val)
{
	int fd = open(SPIN_PARAM, O_RDWR | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail("open " SPIN_PARAM);
	if (old) {
		n = read(fd, old, len - 1);
		if (n <= 0)
			fail("read " SPIN_PARAM);
		old[n] = 0;
	}
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		fail("write " SPIN_PARAM);
	close(fd);
}

static double zvmo_rtt(int dev, unsigned int seed, int copy)
{
	struct zvmo_side z;
	unsigned long first, n;
	double r;

	phase = "zvmo pager_fault_rtt setup";
	choose_pages(seed);
	zvmo_setup(&z, dev, 1, copy);
	for (first = 0; next_run(&first, &n); first += n)
		zvmo_supply(&z, first * PAGE, n * PAGE);
	zvmo_start(&z);
	phase = "zvmo pager_fault_rtt faults";
	r = fault_rtt(z.map);
	check_faulted(z.map);
	zvmo_teardown(&z);
	return r;
}

static double zvmo_stream(int dev, int copy)
{
	struct zvmo_side z;
	double r;

	phase = "zvmo pager_stream_64M setup";
	zvmo_setup(&z, dev, 0, copy);
	zvmo_start(&z);
	phase = "zvmo pager_stream_64M reads";
	r = stream_ms(z.map);
	tick();
	check_all(z.map);
	zvmo_teardown(&z);
	return r;
}

/* ---- userfaultfd ---- */

struct uffd_side {
	int uffd;
	int one_page;
	char *map;		/* SIZE, then the stop page */
	pthread_t thread;
};

static void uffd_copy(int uffd, char *dst, const char *from,
		      unsigned long len)
{
	struct uffdio_copy c = {
		.dst = (uintptr_t)dst,
		.src = (uintptr_t)from,
		.len = len,
		.mode = 0,
	};

	if (ioctl(uffd, UFFDIO_COPY, &c))
		fail("UFFDIO_COPY");
	if (c.copy != (__s64)len)
		bad("UFFDIO_COPY copied %lld of %lu bytes", (long long)c.copy, len);
}

/* The handler: copies the faulting page, until the stop page faults. */
static void *uffd_handler(void *arg)
{
	struct uffd_side *u = arg;
	struct uffd_msg msg;
	unsigned long addr, off;
	ssize_t n;

	bench_pin_cpu(handler_cpu);
	for (;;) {
		n = read(u->uffd, &msg, sizeof(msg));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("read userfaultfd");
		if (n != sizeof(msg))
			bad("read userfaultfd: %zd bytes", n);
		hprogress++;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			bad("userfaultfd event %#x", msg.event);
		addr = msg.arg.pagefault.address & ~(PAGE - 1);
		off = addr - (uintptr_t)u->map;
		last_off = off;
		last_len = PAGE;
		if (off == SIZE) {
			uffd_copy(u->uffd, u->map + SIZE, src, PAGE);
			return NULL;
		}
		if (off >= SIZE || (u->one_page && off != want * PAGE))
			bad("fault at offset %#lx where page %lu was expected", off, want);
		uffd_copy(u->uffd, u->map + off, src + off, PAGE);
	}
}

static void uffd_setup(struct uffd_side *u, int one_page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	u->one_page = one_page;
	u->uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (u->uffd < 0)
		fail("userfaultfd");
	if (ioctl(u->uffd, UFFDIO_API, &api))
		fail("UFFDIO_API");
	u->map = mmap(NULL, SIZE + PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->map == MAP_FAILED)
		fail("mmap");
	if (madvise(u->map, SIZE + PAGE, MADV_NOHUGEPAGE))
		fail("madvise");
	reg.range.start = (uintptr_t)u->map;
	reg.range.len = SIZE + PAGE;
	if (ioctl(u->uffd, UFFDIO_REGISTER, &reg))
		fail("UFFDIO_REGISTER");
}

static void uffd_start(struct uffd_side *u)
{
	int err = pthread_create(&u->thread, NULL, uffd_handler, u);

	if (err)
		die("pthread_create", err);
}

/* Fault the stop page (the handler ends there) and free it all. */
static void uffd_teardown(struct uffd_side *u)
{
	const char *was = phase;

	phase = "uffd stop";
	(void)*(volatile char *)(u->map + SIZE);
	pthread_join(u->thread, NULL);
	phase = was;
	if (munmap(u->map, SIZE + PAGE))
		fail("munmap");
	close(u->uffd);
	tick();
}

static double uffd_rtt(unsigned int seed)
{
	struct uffd_side u;
	unsigned long first, n;
	double r;

	phase = "uffd pager_fault_rtt setup";
	choose_pages(seed);
	uffd_setup(&u, 1);
	for (first = 0; next_run(&first, &n); first += n)
		uffd_copy(u.uffd, u.map + first * PAGE, src + first * PAGE,
			  n * PAGE);
	uffd_start(&u);
	phase = "uffd pager_fault_rtt faults";
	r = fault_rtt(u.map);
	check_faulted(u.map);
	uffd_teardown(&u);
	return r;
}

static double uffd_stream(void)
{
	struct uffd_side u;
	double r;

	phase = "uffd pager_stream_64M setup";
	uffd_setup(&u, 0);
	uffd_start(&u);
	phase = "uffd pager_stream_64M reads";
	r = stream_ms(u.map);
	tick();
	check_all(u.map);
	uffd_teardown(&u);
	return r;
}

int main(int argc, char **argv)
{
	double rtt[2][3][REPS_RTT], stream[3][REPS_STREAM], nospin[REPS_RTT];
	char spin_old[32];
	int uffd_only = argc > 1 && !strcmp(argv[1], "--uffd-only");
	struct sigaction sa = { .sa_handler = on_sigbus };
	unsigned long off;
	pthread_t wd;
	int dev = -1, cpu, i, err;

	if (argc > 1 && !uffd_only) {
		fprintf(stderr, "usage: pager_bench [--uffd-only]\n");
		return 2;
	}
	if (sigaction(SIGBUS, &sa, NULL))
		fail("sigaction");
	bench_pin_cpu(FAULT_CPU);
	err = pthread_create(&wd, NULL, watchdog, NULL);
	if (err)
		die("pthread_create", err);
	pthread_detach(wd);

	src = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED)
		fail("mmap source");
	for (off = 0; off < SIZE; off += PAGE) {
		memset(src + off, (int)(off / PAGE * 131 % 251) + 1, PAGE);
		src[off] = (char)(off / PAGE % 255 + 1);
	}
	if (!uffd_only) {
		dev = open(ZVMO_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (dev < 0)
			fail("open " ZVMO_DEVICE_PATH);
	}

	/* Both placements; the streams with the handler on the other CPU. */
	for (cpu = 0; cpu < 2; cpu++) {
		handler_cpu = cpu == OTHER ? 1 : FAULT_CPU;
		for (i = 0; i < REPS_RTT; i++) {
			if (!uffd_only) {
				rtt[cpu][ZVMO][i] = zvmo_rtt(dev, i, 0);
				rtt[cpu][ZVMO_COPY][i] = zvmo_rtt(dev, i, 1);
			}
			rtt[cpu][UFFD][i] = uffd_rtt(i);
			if (uffd_only || cpu != OTHER)
				continue;
			spin_param(spin_old, sizeof(spin_old), "0");
			nospin[i] = zvmo_rtt(dev, i, 1);
			spin_param(NULL, 0, spin_old);
		}
	}
	handler_cpu = 1;
	for (i = 0; i < REPS_STREAM; i++) {
		if (!uffd_only) {
			stream[ZVMO][i] = zvmo_stream(dev, 0);
			stream[ZVMO_COPY][i] = zvmo_stream(dev, 1);
		}
		stream[UFFD][i] = uffd_stream();
	}

	if (uffd_only) {
		printf("note: pager_fault_rtt uffd=%.2fus (zvmo not run)\n",
		       bench_median(rtt[OTHER][UFFD], REPS_RTT));
		printf("note: pager_fault_rtt_1cpu uffd=%.2fus (zvmo not run)\n",
		       bench_median(rtt[SAME][UFFD], REPS_RTT));
		printf("note: pager_stream_64M uffd=%.2fms (zvmo not run)\n",
		       bench_median(stream[UFFD], REPS_STREAM));
		return 0;
	}
	for (cpu = 0; cpu < 2; cpu++) {
		const char *name[2][2] = {
			{ "pager_fault_rtt", "pager_fault_rtt_copy" },
			{ "pager_fault_rtt_1cpu", "pager_fault_rtt_1cpu_copy" },
		};
		double base = bench_median(rtt[cpu][UFFD], REPS_RTT);

		bench_report(name[cpu][0], bench_median(rtt[cpu][ZVMO], REPS_RTT),
			     "uffd", base, "us");
		bench_report(name[cpu][1],
			     bench_median(rtt[cpu][ZVMO_COPY], REPS_RTT),
			     "uffd", base, "us");
		if (cpu == OTHER)
			bench_report("pager_fault_rtt_copy_nospin",
				     bench_median(nospin, REPS_RTT), "uffd", base,
				     "us");
	}
	bench_report("pager_stream_64M",
		     bench_median(stream[ZVMO], REPS_STREAM), "uffd",
		     bench_median(stream[UFFD], REPS_STREAM), "ms");
	bench_report("pager_stream_64M_copy",
		     bench_median(stream[ZVMO_COPY], REPS_STREAM), "uffd",
		     bench_median(stream[UFFD], REPS_STREAM), "ms");
	close(dev);
	return 0;
}
