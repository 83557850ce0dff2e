/* SPDX-License-Identifier: GPL-2.0 */
/*
 * failslab and fail_page_alloc aimed at zvmo: only allocations with one of
 * the module's functions in their stack trace can fail, from any task.
 * Shared by vmo_faultinject_test and the zvmo_inject helper that
 * run_injected.sh uses to run the whole suite under injection.
 */
#ifndef ZVMO_INJECT_H
#define ZVMO_INJECT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZI_DBG		"/sys/kernel/debug/"
/* A count the kernel decrements per injected failure: what is left tells. */
#define ZI_TIMES	1000000000L

static int zi_put(const char *dir, const char *file, const char *val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), ZI_DBG "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(val, f);
	return fclose(f);
}

static long zi_get(const char *dir, const char *file)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), ZI_DBG "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The bounds of zvmo's text, from kallsyms, as strings for debugfs. */
static int zi_module_text(char *start, char *end, size_t len)
{
	unsigned long lo = ~0UL, hi = 0, a;
	char line[256], type, name[128], mod[64];
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %127s %63s", &a, &type, name, mod) != 4)
			continue;
		if (strcmp(mod, "[zvmo]") || (type != 't' && type != 'T'))
			continue;
		if (a < lo)
			lo = a;
		if (a > hi)
			hi = a;
	}
	fclose(f);
	if (!hi || !lo)
		return -1;
	snprintf(start, len, "%lu", lo);
	snprintf(end, len, "%lu", hi + 4096);	/* past the last function */
	return 0;
}

static int zi_have(void)
{
	return !access(ZI_DBG "failslab/probability", W_OK) &&
	       !access(ZI_DBG "fail_page_alloc/probability", W_OK);
}

/* Fail @percent of zvmo's allocations of kind @which ("failslab", ...). */
static int zi_start(const char *which, int percent)
{
	char start[32], end[32], p[8], times[24];

	if (zi_module_text(start, end, sizeof(start)))
		return -1;
	snprintf(p, sizeof(p), "%d", percent);
	snprintf(times, sizeof(times), "%ld", ZI_TIMES);
	if (zi_put(which, "probability", "0") ||
	    zi_put(which, "require-start", start) ||
	    zi_put(which, "require-end", end) ||
	    zi_put(which, "stacktrace-depth", "32") ||
	    zi_put(which, "task-filter", "N") ||
	    zi_put(which, "interval", "1") ||
	    zi_put(which, "times", times) ||
	    zi_put(which, "space", "0") ||
	    zi_put(which, "verbose", "0") ||
	    zi_put(which, "ignore-gfp-wait", "N"))
		return -1;
	/* Pages come as order 0 and __GFP_HIGHMEM: fail those too. */
	if (!strcmp(which, "fail_page_alloc") &&
	    (zi_put(which, "ignore-gfp-highmem", "N") ||
	     zi_put(which, "min-order", "0")))
		return -1;
	return zi_put(which, "probability", p);
}

/* Stop injecting; answer how many failures were injected since the start. */
static long zi_stop(void)
{
	static const char *const kinds[] = { "failslab", "fail_page_alloc" };
	long n = 0, left;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		zi_put(kinds[i], "probability", "0");
		left = zi_get(kinds[i], "times");
		/* Only a count set by zi_start(): the default is 1. */
		if (left > ZI_TIMES / 2 && left <= ZI_TIMES)
			n += ZI_TIMES - left;
		zi_put(kinds[i], "times", "-1");
	}
	return n;
}

#endif /* ZVMO_INJECT_H */
