// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for zvmo/page_list.c: the input's bytes choose the
 * operations (and their arguments, and which allocations fail) that the
 * model harness of pl_model.c runs on three lists and checks against its
 * model after each one. Any mismatch, leak or sanitizer report aborts.
 *
 * Built and run by "make fuzz" (clang only).
 */
#include <stdio.h>
#include <stdlib.h>

#include "page_list.h"
#include "pl_model.h"
#include "shim.h"

/* Enough to build big lists; bounded so that each input runs fast. */
#define FUZZ_MAX_OPS	400

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct plm_rand r;
	unsigned int ops;
	struct plm h;
	bool ok = true;

	if (!ready) {
		if (zvmo_page_list_cache_init())
			abort();
		ready = true;
	}
	if (!size)
		return 0;
	plm_rand_data(&r, data + 1, size - 1);
	/* The first byte: whether allocations may fail. */
	plm_init(&h, &r, data[0] & 1);
	for (ops = 0; ok && ops < FUZZ_MAX_OPS && !plm_rand_done(&r); ops++)
		ok = plm_step(&h);
	if (ok)
		ok = plm_fini(&h);
	shim_fault_off();
	if (!ok) {
		fprintf(stderr, "page list fuzz: %s\n", h.err);
		abort();
	}
	return 0;
}
