// SPDX-License-Identifier: GPL-2.0
/*
 * The helper run_injected.sh drives fault injection with:
 *
 *   zvmo_inject start KIND PERCENT [KIND PERCENT]
 *	fail PERCENT % of zvmo's allocations of each KIND (failslab,
 *	fail_page_alloc), from every task
 *   zvmo_inject stop
 *	stop, and print how many failures were injected since the start
 *   zvmo_inject settled SECONDS
 *	wait up to SECONDS for every live counter of /proc/zvmo (objects,
 *	pages, pins) to read zero; print those that do not and fail
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zvmo_inject.h"

static const char *const live[] = {
	"vmos", "handles", "pagers", "pages", "page_list_nodes",
	"page_list_bytes", "pinned_pages", "pmts", "btis",
	"compressed_pages", "compressed_bytes", "compressed_pool_bytes",
};

/* Print the live counters that are not zero; answer how many. */
static int left_over(int quiet)
{
	char name[64];
	unsigned long v;
	unsigned int i;
	int n = 0;
	FILE *f = fopen("/proc/zvmo", "r");

	if (!f) {
		perror("/proc/zvmo");
		return -1;
	}
	while (fscanf(f, "%63s %lu", name, &v) == 2) {
		for (i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
			if (strcmp(name, live[i]) || !v)
				continue;
			if (!quiet)
				printf("%s %lu\n", name, v);
			n++;
		}
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	int i, secs;

	if (argc >= 4 && !strcmp(argv[1], "start") && argc % 2 == 0) {
		if (!zi_have()) {
			fprintf(stderr, "zvmo_inject: no fault injection\n");
			return 2;
		}
		for (i = 2; i + 1 < argc; i += 2) {
			if (zi_start(argv[i], atoi(argv[i + 1]))) {
				fprintf(stderr, "zvmo_inject: cannot set up %s\n",
					argv[i]);
				zi_stop();
				return 1;
			}
		}
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "stop")) {
		printf("%ld\n", zi_stop());
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "settled")) {
		secs = atoi(argv[2]);
		for (i = 0; i < secs * 10; i++) {
			if (left_over(1) == 0)
				return 0;
			usleep(100000);
		}
		left_over(0);
		return 1;
	}
	fprintf(stderr, "usage: zvmo_inject start KIND PERCENT [KIND PERCENT]\n"
		"       zvmo_inject stop\n"
		"       zvmo_inject settled SECONDS\n");
	return 2;
}
