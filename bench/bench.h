/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every benchmark shares: the clock, medians, and the one line each
 * comparison prints, "bench: <name> zvmo=<v><unit> <baseline>=<v><unit>
 * ratio=<x>", where ratio = baseline time / zvmo time (above 1: zvmo is
 * faster).
 */
#ifndef _ZVMO_BENCH_H
#define _ZVMO_BENCH_H

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of @n figures; sorts them. */
static inline double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp);
	return v[n / 2];
}

/*
 * Keep the calling thread on CPU @cpu (of the VM's two) when there is
 * one, so that a figure measured across threads does not depend on where
 * the scheduler happened to put them: both sides of a comparison pin
 * theirs alike.
 */
static inline void bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

static inline void bench_report(const char *name, double zvmo,
				const char *base_name, double base,
				const char *unit)
{
	printf("bench: %s zvmo=%.2f%s %s=%.2f%s ratio=%.2f\n", name, zvmo,
	       unit, base_name, base, unit, base / zvmo);
}

#endif /* _ZVMO_BENCH_H */
