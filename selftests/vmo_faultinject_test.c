// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: failslab and fail_page_alloc aimed at allocations made
 * from zvmo's own code (a stack-trace window over the module's text),
 * while a workload runs against a model. Every injected failure must
 * surface as a clean error with nothing changed, or as a retried success;
 * content always matches the model and nothing leaks: no page, no pin,
 * no charge to the locked memory.
 *
 * Kernels without fault injection (Debian's) skip this: make check-debug
 * runs it on a kernel that has it.
 */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "kselftest_harness.h"
#include "zvmo_inject.h"
#include "zvmo_test.h"

#define PAGE		4096UL
#define VMO_PAGES	32
#define VMO_SIZE	(VMO_PAGES * PAGE)
#define MAX_PINS	8

struct model {
	int fd;
	char *map;
	unsigned char data[VMO_SIZE];
	/* Pins held: their descriptors and pages, and each page's count. */
	int npins;
	int pmt[MAX_PINS];
	unsigned int pin_off[MAX_PINS], pin_len[MAX_PINS];
	unsigned char pins[VMO_PAGES];
};

/* Whether a page of [@off, @off + @len) is pinned. */
static int any_pinned(struct model *m, unsigned int off, unsigned int len)
{
	unsigned int p;

	for (p = off / PAGE; p < (off + len + PAGE - 1) / PAGE; p++)
		if (m->pins[p])
			return 1;
	return 0;
}

static void unpin(struct model *m, int k)
{
	unsigned int p;

	close(m->pmt[k]);
	for (p = m->pin_off[k] / PAGE;
	     p < (m->pin_off[k] + m->pin_len[k]) / PAGE; p++)
		m->pins[p]--;
	m->npins--;
	m->pmt[k] = m->pmt[m->npins];
	m->pin_off[k] = m->pin_off[m->npins];
	m->pin_len[k] = m->pin_len[m->npins];
}

static unsigned int seed;
static unsigned long injected, ops;
static long last_r;
static int last_op;

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)rand_r(&seed) % n;
}

static int expected_failure(long r)
{
	if (r == -ENOMEM || r == -EFAULT || r == -EINTR) {
		injected++;
		return 1;
	}
	return 0;
}

/* One random operation; 0, or -1 if the module misbehaved. */
static int step(struct model *m)
{
	static unsigned char buf[VMO_SIZE];
	unsigned int off = rnd(VMO_SIZE), len = 1 + rnd(VMO_SIZE - off);
	unsigned int i;
	size_t done;
	long r;

	ops++;
	last_op = rnd(8);
	switch (last_op) {
	case 0:	/* write */
		memset(buf, (int)(ops & 0xff) | 1, len);
		r = zt_ret(pwrite(m->fd, buf, len, off));
		last_r = r;
		if (r > 0)
			memcpy(m->data + off, buf, r);
		else if (!expected_failure(r))
			return -1;
		if (r > 0 && r < len)
			injected++;	/* a short write: stopped by a failure */
		return 0;
	case 1:	/* commit */
		r = zt_op(m->fd, ZVMO_OP_COMMIT, off, len);
		last_r = r;
		return r && !expected_failure(r) ? -1 : 0;
	case 2:	/* decommit whole pages */
		off &= ~(PAGE - 1);
		len = (len + PAGE - 1) & ~(PAGE - 1);
		if (off + len > VMO_SIZE)
			len = VMO_SIZE - off;
		r = zt_op(m->fd, ZVMO_OP_DECOMMIT, off, len);
		last_r = r;
		/* Frees only: it must not fail, but over a pinned page. */
		if (any_pinned(m, off, len))
			return r == -EBUSY ? 0 : -1;
		if (r)
			return -1;
		memset(m->data + off, 0, len);
		return 0;
	case 3:	/* zero */
		r = zt_op(m->fd, ZVMO_OP_ZERO, off, len);
		last_r = r;
		if (r)
			return -1;
		memset(m->data + off, 0, len);
		return 0;
	case 6:	/* pin: commits, so it may fail, and then pins nothing */
		if (m->npins == MAX_PINS) {
			unpin(m, rnd(m->npins));
			return 0;
		}
		off &= ~(PAGE - 1);
		len = (len + PAGE - 1) & ~(PAGE - 1);
		if (off + len > VMO_SIZE)
			len = VMO_SIZE - off;
		r = zt_pin(m->fd, -1, ZVMO_PIN_READ | ZVMO_PIN_WRITE, off, len,
			   NULL, 0);
		last_r = r;
		if (r < 0)
			return expected_failure(r) ? 0 : -1;
		m->pmt[m->npins] = r;
		m->pin_off[m->npins] = off;
		m->pin_len[m->npins++] = len;
		for (i = off / PAGE; i < (off + len) / PAGE; i++)
			m->pins[i]++;
		return 0;
	case 7:	/* unpin */
		if (m->npins)
			unpin(m, rnd(m->npins));
		return 0;
	case 4:	/* through the mapping: faults retry until they succeed */
		for (i = 0; i < 4; i++) {
			off = rnd(VMO_SIZE);
			m->map[off] = (char)(ops | 1);
			m->data[off] = (unsigned char)(ops | 1);
		}
		return 0;
	default: /* read back and check everything */
		/*
		 * Copying into our buffer can fault, and that allocation,
		 * made under zvmo, may be failed too: a short read or EFAULT
		 * is then retried from where it stopped.
		 */
		for (done = 0, i = 0; done < VMO_SIZE && i < 100; i++) {
			r = zt_ret(pread(m->fd, buf + done, VMO_SIZE - done,
					 done));
			last_r = r;
			if (r > 0) {
				if (done + r < VMO_SIZE)
					injected++;
				done += r;
			} else if (!expected_failure(r)) {
				return -1;
			}
		}
		if (done != VMO_SIZE)
			return -1;
		for (i = 0; i < VMO_SIZE; i++)
			if (buf[i] != m->data[i]) {
				fprintf(stderr, "# byte %u: %#x, model %#x\n",
					i, buf[i], m->data[i]);
				return -1;
			}
		return memcmp(m->map, m->data, VMO_SIZE) ? -1 : 0;
	}
}

/* Create, run, close, repeatedly; creation itself may fail cleanly. */
static int workload(int seconds)
{
	time_t until = time(NULL) + seconds;
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	while (time(NULL) < until) {
		int i;

		m->fd = zt_create(VMO_SIZE, 0, 0);
		if (m->fd < 0) {
			if (!expected_failure(m->fd))
				return -1;
			continue;
		}
		m->map = mmap(NULL, VMO_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED, m->fd, 0);
		if (m->map == MAP_FAILED)
			return -1;
		memset(m->data, 0, sizeof(m->data));
		for (i = 0; i < 200; i++)
			if (step(m)) {
				fprintf(stderr,
					"# op %lu (kind %d) misbehaved: %ld\n",
					ops, last_op, last_r);
				return -1;
			}
		munmap(m->map, VMO_SIZE);
		/* Pins outlive the VMO's descriptor; then they go too. */
		close(m->fd);
		while (m->npins)
			unpin(m, 0);
	}
	free(m);
	return 0;
}

/* VmLck of this process: what its pins are charged. */
static long locked_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

FIXTURE(inject) {
	struct zvmo_stats before;
};

FIXTURE_VARIANT(inject) {
	const char *which[2];
	int percent;
};

FIXTURE_VARIANT_ADD(inject, slab) {
	.which = { "failslab" }, .percent = 10,
};
FIXTURE_VARIANT_ADD(inject, page_alloc) {
	.which = { "fail_page_alloc" }, .percent = 10,
};
FIXTURE_VARIANT_ADD(inject, both_often) {
	.which = { "failslab", "fail_page_alloc" }, .percent = 30,
};

FIXTURE_SETUP(inject)
{
	int i;

	if (!zi_have())
		SKIP(return, "the kernel has no failslab/fail_page_alloc");
	ASSERT_EQ(0, zt_stats(&self->before));
	seed = (unsigned int)time(NULL);
	if (getenv("ZVMO_SEED"))
		seed = (unsigned int)strtoul(getenv("ZVMO_SEED"), NULL, 0);
	TH_LOG("seed %u", seed);
	for (i = 0; i < 2 && variant->which[i]; i++)
		ASSERT_EQ(0, zi_start(variant->which[i], variant->percent));
}

FIXTURE_TEARDOWN(inject)
{
	zi_stop();
}

TEST_F(inject, workload)
{
	struct zvmo_stats after;

	injected = ops = 0;
	ASSERT_EQ(0, workload(5));
	zi_stop();
	TH_LOG("%lu operations, %lu failures seen", ops, injected);
	/* The injection really hit zvmo's allocations. */
	ASSERT_LT(0, injected);
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(self->before.vmos, after.vmos);
	ASSERT_EQ(self->before.handles, after.handles);
	ASSERT_EQ(self->before.pages, after.pages);
	ASSERT_EQ(self->before.page_list_nodes, after.page_list_nodes);
	ASSERT_EQ(self->before.pinned_pages, after.pinned_pages);
	ASSERT_EQ(self->before.pmts, after.pmts);
	ASSERT_EQ(0, locked_kib());
}

/*
 * A pager under injection: a thread serves every request (retrying what
 * an injected failure stops), the main thread reads random ranges and
 * checks them. A read may fail with ENOMEM; what it returns is right.
 */
#define PAGER_PAGES	64

static unsigned char pager_byte(uint64_t off)
{
	return (unsigned char)(off / PAGE * 11 + off % 7 + 1);
}

struct pager_server {
	int pager;
	int vmo;
	volatile int stop;
	unsigned long supplies;
};

static int retry_ioctl(int fd, unsigned long cmd, void *arg)
{
	int r;

	do
		r = zt_ret(ioctl(fd, cmd, arg));
	while (r == -ENOMEM || r == -EINTR);
	return r;
}

static void *pager_serve(void *arg)
{
	static unsigned char buf[ZVMO_PAGER_BATCH * PAGE];
	struct pager_server *s = arg;
	struct zvmo_pager_packet pkt;
	struct pollfd pfd = { .fd = s->pager, .events = POLLIN };
	uint64_t i;

	while (!s->stop) {
		struct zvmo_vmo_create c = { .argsz = sizeof(c) };
		struct zvmo_pager_supply sp = { .argsz = sizeof(sp) };
		int aux;

		if (poll(&pfd, 1, 50) != 1 ||
		    read(s->pager, &pkt, sizeof(pkt)) != sizeof(pkt) ||
		    pkt.command != ZVMO_PAGER_READ)
			continue;
		c.size = pkt.length;
		aux = retry_ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &c);
		if (aux < 0)
			continue;
		for (i = 0; i < pkt.length; i++)
			buf[i] = pager_byte(pkt.offset + i);
		/* Page by page, each until it lands: a hole would be zeros. */
		for (i = 0; i < pkt.length && !s->stop; i += PAGE)
			while (!s->stop &&
			       pwrite(aux, buf + i, PAGE, i) != (ssize_t)PAGE)
				;
		sp.vmo_fd = s->vmo;
		sp.offset = pkt.offset;
		sp.length = pkt.length;
		sp.aux_fd = aux;
		if (!retry_ioctl(s->pager, ZVMO_IOC_PAGER_SUPPLY, &sp))
			s->supplies++;
		close(aux);
	}
	return NULL;
}

TEST_F(inject, pager_workload)
{
	static unsigned char buf[PAGER_PAGES * PAGE];
	struct zvmo_pager_create pc = { .argsz = sizeof(pc) };
	struct zvmo_pager_create_vmo vc = {
		.argsz = sizeof(vc), .size = PAGER_PAGES * PAGE,
	};
	struct pager_server srv = { 0 };
	struct zvmo_stats after;
	time_t until = time(NULL) + 4;
	unsigned long reads = 0, failed = 0;
	pthread_t t;
	uint64_t i;

	srv.pager = retry_ioctl(zt_dev(), ZVMO_IOC_PAGER_CREATE, &pc);
	ASSERT_LE(0, srv.pager);
	srv.vmo = retry_ioctl(srv.pager, ZVMO_IOC_PAGER_CREATE_VMO, &vc);
	ASSERT_LE(0, srv.vmo);
	ASSERT_EQ(0, pthread_create(&t, NULL, pager_serve, &srv));
	while (time(NULL) < until) {
		uint64_t off = rnd(PAGER_PAGES * PAGE);
		uint64_t len = 1 + rnd(PAGER_PAGES * PAGE - off);
		ssize_t r = pread(srv.vmo, buf, len, off);

		reads++;
		if (r < 0) {
			/* The copy out can fault, and its fault fail too. */
			if (!expected_failure(-errno))
				TH_LOG("read failed: %d", errno);
			ASSERT_TRUE(errno == ENOMEM || errno == EINTR ||
				    errno == EFAULT);
			failed++;
			continue;
		}
		ASSERT_LT(0, r);
		for (i = 0; i < (uint64_t)r; i++)
			ASSERT_EQ(pager_byte(off + i), buf[i]);
	}
	zi_stop();
	srv.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%lu reads, %lu failed, %lu supplies", reads, failed,
	       srv.supplies);
	ASSERT_LT(0, srv.supplies);
	close(srv.vmo);
	close(srv.pager);
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(self->before.vmos, after.vmos);
	ASSERT_EQ(self->before.pages, after.pages);
	ASSERT_EQ(self->before.page_list_nodes, after.page_list_nodes);
}

TEST_HARNESS_MAIN
