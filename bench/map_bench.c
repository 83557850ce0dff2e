// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping benchmark: first-touch writes and re-reads of a 64 MiB mapping,
 * zvmo against a memfd MAP_SHARED mapping and anonymous MAP_PRIVATE memory,
 * all measured in the same run. Each figure is the median of several
 * repetitions; ratio = baseline time / zvmo time (above 1: zvmo faster).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <zvmo/zvmo.h>

#include "bench.h"

#define SIZE	(64UL << 20)
#define PAGE	4096UL
#define REPS	7

enum kind { ZVMO, MEMFD, ANON };

static double now_ms(void)
{
	return bench_now_us() / 1e3;
}

static int make_object(enum kind k)
{
	int fd = -1;

	if (k == ZVMO)
		fd = zvmo_vmo_create(SIZE, 0, ZVMO_FD_CLOEXEC);
	else if (k == MEMFD) {
		fd = memfd_create("bench", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, SIZE))
			fd = -1;
	}
	if (k != ANON && fd < 0) {
		fprintf(stderr, "map_bench: cannot create the object\n");
		exit(1);
	}
	return fd;
}

static char *map(enum kind k, int fd)
{
	char *p = k == ANON ?
		  mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) :
		  mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		perror("map_bench: mmap");
		exit(1);
	}
	return p;
}

/* One repetition: first-touch write time, and re-read time of a new map. */
static void run(enum kind k, double *write_ms, double *reread_ms)
{
	volatile char *p;
	unsigned long off;
	char sum = 0;
	int fd = make_object(k);
	double t;

	p = map(k, fd);
	t = now_ms();
	for (off = 0; off < SIZE; off += PAGE)
		p[off] = (char)off;
	*write_ms = now_ms() - t;

	if (k != ANON) {
		munmap((void *)p, SIZE);
		p = map(k, fd);
	}
	t = now_ms();
	for (off = 0; off < SIZE; off += PAGE)
		sum += p[off];
	*reread_ms = now_ms() - t;
	if (sum == 42)
		fputc(' ', stderr);
	munmap((void *)p, SIZE);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	double w[3][REPS], r[3][REPS], mw[3], mr[3];
	int i, k;

	/* Interleave the kinds so drift in the machine hits all alike. */
	for (i = 0; i < REPS; i++)
		for (k = ZVMO; k <= ANON; k++)
			run(k, &w[k][i], &r[k][i]);
	for (k = ZVMO; k <= ANON; k++) {
		mw[k] = bench_median(w[k], REPS);
		mr[k] = bench_median(r[k], REPS);
	}
	bench_report("map_first_write_64M", mw[ZVMO], "memfd", mw[MEMFD], "ms");
	bench_report("map_first_write_64M", mw[ZVMO], "anon", mw[ANON], "ms");
	bench_report("map_reread_64M", mr[ZVMO], "memfd", mr[MEMFD], "ms");
	return 0;
}
