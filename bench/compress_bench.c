// SPDX-License-Identifier: GPL-2.0
/*
 * Compression benchmark: a 64 MiB VMO of typical content, half text-like
 * and half zeros, compressed by the module (the reclaim_now parameter, as
 * memory pressure would): the memory it takes before and after, and what
 * a fault that decompresses a page costs against a first-touch fault, of
 * anonymous memory (Linux's own) and of a zvmo VMO, all measured in the
 * same run. Each time is the median of several repetitions; ratio =
 * baseline / zvmo (for memory, the uncompressed bytes per byte taken).
 * Runs as root.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zvmo/zvmo.h>

#include "bench.h"

#define SIZE	(64UL << 20)
#define PAGE	4096UL
#define PAGES	(SIZE / PAGE)
#define REPS	5

static const char *const words[] = {
	"the ", "object ", "memory ", "of ", "a ", "page ", "is ", "kernel ",
	"virtual ", "and ", "copy ", "on ", "write ", "snapshot ", "pager ",
	"zircon ", "linux ", "to ", "in ", "map ", "\n", "fault ", "pin ",
	"struct ", "return ", "int ", "{ ", "} ", "if ", "else ", "0; ",
};

static void text_page(char *buf, uint64_t idx)
{
	uint64_t x = idx * 2654435761u + 1;
	size_t n = 0;

	while (n < PAGE) {
		const char *w;
		size_t len;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w = words[x % (sizeof(words) / sizeof(words[0]))];
		len = strlen(w);
		if (len > PAGE - n)
			len = PAGE - n;
		memcpy(buf + n, w, len);
		n += len;
	}
	snprintf(buf, 24, "page %llu ", (unsigned long long)idx);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void reclaim_compress(void)
{
	const char *cmd = "compress 1000000";
	int fd = open("/sys/module/zvmo/parameters/reclaim_now", O_WRONLY);

	if (fd < 0 || write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		die("compress_bench: reclaim_now");
	close(fd);
}

/* The even pages text, the odd ones zeros: every page written. */
static int typical_vmo(void)
{
	static char text[PAGE], zero[PAGE];
	int vmo = zvmo_vmo_create(SIZE, 0, ZVMO_FD_CLOEXEC);
	uint64_t i;

	if (vmo < 0)
		die("compress_bench: zvmo_vmo_create");
	for (i = 0; i < PAGES; i++) {
		char *buf = zero;

		if (!(i & 1)) {
			text_page(text, i);
			buf = text;
		}
		if (pwrite(vmo, buf, PAGE, i * PAGE) != (ssize_t)PAGE)
			die("compress_bench: pwrite");
	}
	return vmo;
}

/* Microseconds per page of reading one byte of each text page. */
static double touch_text(int vmo)
{
	volatile char *p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, vmo, 0);
	double t;
	uint64_t i;

	if (p == MAP_FAILED)
		die("compress_bench: mmap");
	t = bench_now_us();
	for (i = 0; i < PAGES; i += 2)
		(void)p[i * PAGE];
	t = (bench_now_us() - t) / (PAGES / 2);
	munmap((void *)p, SIZE);
	return t;
}

/* Microseconds per page of a first write to each page of a mapping. */
static double first_touch(int vmo)
{
	char *p = vmo < 0 ?
		  mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) :
		  mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vmo, 0);
	double t;
	uint64_t i;

	if (p == MAP_FAILED)
		die("compress_bench: mmap");
	t = bench_now_us();
	for (i = 0; i < PAGES; i += 2)
		p[i * PAGE] = 1;
	t = (bench_now_us() - t) / (PAGES / 2);
	munmap(p, SIZE);
	return t;
}

int main(void)
{
	double unzip[REPS], anon[REPS], zfirst[REPS];
	struct zvmo_stats st = { 0 }, base = { 0 };
	struct zvmo_vmo_info info;
	uint64_t before, after;
	int vmo, r;

	if (zvmo_stats(&base))
		die("compress_bench: zvmo_stats");
	vmo = typical_vmo();
	if (zvmo_vmo_info(vmo, &info))
		die("compress_bench: zvmo_vmo_info");
	before = info.committed_bytes;
	reclaim_compress();
	if (zvmo_stats(&st) || zvmo_vmo_info(vmo, &info))
		die("compress_bench: zvmo_stats");
	/* What the VMO takes now: its pages left, and the store. */
	after = info.committed_bytes + st.compressed_pool_bytes -
		base.compressed_pool_bytes;
	printf("# %llu pages compressed to %llu bytes (%llu in the store's pages), %llu pages of zeros gone, %llu committed bytes left\n",
	       (unsigned long long)(st.compressed_pages - base.compressed_pages),
	       (unsigned long long)(st.compressed_bytes - base.compressed_bytes),
	       (unsigned long long)(st.compressed_pool_bytes -
				    base.compressed_pool_bytes),
	       (unsigned long long)(st.deduped_pages - base.deduped_pages),
	       (unsigned long long)info.committed_bytes);
	printf("bench: compress_memory_64MiB zvmo=%.2fMiB uncompressed=%.2fMiB ratio=%.2f\n",
	       after / 1048576.0, before / 1048576.0,
	       after ? (double)before / after : 0);

	for (r = 0; r < REPS; r++) {
		int fresh = zvmo_vmo_create(SIZE, 0, ZVMO_FD_CLOEXEC);

		if (fresh < 0)
			die("compress_bench: zvmo_vmo_create");
		reclaim_compress();
		unzip[r] = touch_text(vmo);
		anon[r] = first_touch(-1);
		zfirst[r] = first_touch(fresh);
		close(fresh);
	}
	bench_report("compress_fault_vs_anon_first_touch",
		     bench_median(unzip, REPS), "anon_first_touch",
		     bench_median(anon, REPS), "us");
	bench_report("compress_fault_vs_zvmo_first_touch",
		     bench_median(unzip, REPS), "zvmo_first_touch",
		     bench_median(zfirst, REPS), "us");
	close(vmo);
	return 0;
}
