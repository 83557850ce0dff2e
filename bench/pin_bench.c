// SPDX-License-Identifier: GPL-2.0
/*
 * Pinning benchmark: keeping 16 MiB resident, and learning its physical
 * addresses, against Linux's own ways, all measured in the same run.
 *
 * pin_unpin_16M: a pin of a committed 16 MiB VMO and its close, against
 * mlock() and munlock() of a populated 16 MiB shared mapping of a memfd.
 * pin_addrs_16M: the same pin through a BTI, which also reports the 4096
 * physical addresses, against mlock(), a read of the 4096 entries of
 * /proc/self/pagemap and munlock(). Runs as root (a BTI, and the PFNs of
 * pagemap, need privilege).
 *
 * Each figure is the median of several repetitions, in microseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zvmo/zvmo.h>

#include "bench.h"

#define PAGE	4096UL
#define SIZE	(16UL << 20)
#define NPAGES	(SIZE / PAGE)
#define REPS	9

static uint64_t addrs[NPAGES];

static int check(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "pin_bench: %s: %s\n", what,
			strerror(ret == -1 ? errno : -ret));
		exit(1);
	}
	return ret;
}

/* One pin and its close; with a BTI, the addresses come too. */
static double zvmo_pin_once(int vmo, int bti)
{
	double t = bench_now_us();
	int pmt;

	pmt = zvmo_vmo_pin(vmo, bti, ZVMO_PIN_READ | ZVMO_PIN_WRITE, 0, SIZE,
			   bti >= 0 ? addrs : NULL, bti >= 0 ? NPAGES : 0,
			   ZVMO_FD_CLOEXEC);
	check(pmt, "zvmo_vmo_pin");
	check(close(pmt), "close");
	return bench_now_us() - t;
}

/* mlock() and munlock(), reading pagemap between them if @pagemap >= 0. */
static double native_once(char *p, int pagemap)
{
	double t = bench_now_us();

	check(mlock(p, SIZE), "mlock");
	if (pagemap >= 0 &&
	    pread(pagemap, addrs, sizeof(addrs),
		  (uintptr_t)p / PAGE * sizeof(uint64_t)) != sizeof(addrs))
		check(-1, "pread pagemap");
	check(munlock(p, SIZE), "munlock");
	return bench_now_us() - t;
}

int main(void)
{
	double z[2][REPS], n[2][REPS];
	int vmo, bti, memfd, pagemap, i;
	char *p;

	vmo = check(zvmo_vmo_create(SIZE, 0, ZVMO_FD_CLOEXEC), "create");
	check(zvmo_vmo_op_range(vmo, ZVMO_OP_COMMIT, 0, SIZE, NULL, 0),
	      "commit");
	bti = check(zvmo_bti_create(0, 1, ZVMO_FD_CLOEXEC), "zvmo_bti_create");
	memfd = check(memfd_create("pin_bench", MFD_CLOEXEC), "memfd_create");
	check(ftruncate(memfd, SIZE), "ftruncate");
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_POPULATE, memfd, 0);
	if (p == MAP_FAILED)
		check(-1, "mmap");
	memset(p, 1, SIZE);
	pagemap = check(open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC),
			"open pagemap");

	/* Untimed once each, then interleaved, so drift hits all alike. */
	zvmo_pin_once(vmo, bti);
	native_once(p, pagemap);
	for (i = 0; i < REPS; i++) {
		z[0][i] = zvmo_pin_once(vmo, -1);
		n[0][i] = native_once(p, -1);
		z[1][i] = zvmo_pin_once(vmo, bti);
		n[1][i] = native_once(p, pagemap);
	}
	bench_report("pin_unpin_16M", bench_median(z[0], REPS), "mlock",
		     bench_median(n[0], REPS), "us");
	bench_report("pin_addrs_16M", bench_median(z[1], REPS),
		     "mlock+pagemap", bench_median(n[1], REPS), "us");

	munmap(p, SIZE);
	close(pagemap);
	close(memfd);
	close(bti);
	close(vmo);
	return 0;
}
