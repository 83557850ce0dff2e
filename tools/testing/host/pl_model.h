/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Model-based testing of zvmo's page list: a trivial model (a sorted array
 * of offset, content, state), callbacks that record what a walk saw, and a
 * harness that runs random operations on a few lists and their models and
 * compares them after each one. The random test and the fuzzer share it.
 */
#ifndef _ZVMO_HOST_PL_MODEL_H
#define _ZVMO_HOST_PL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "page_list.h"

/* --- randomness: a PRNG, or the bytes of a fuzzer's input ---------------- */

struct plm_rand {
	uint64_t state;
	const uint8_t *data;
	size_t len;
	size_t pos;
	bool from_data;
};

void plm_rand_seed(struct plm_rand *r, uint64_t seed);
void plm_rand_data(struct plm_rand *r, const uint8_t *data, size_t len);
uint64_t plm_rand_u64(struct plm_rand *r);
/* A number below @n (> 0). */
uint32_t plm_rand_below(struct plm_rand *r, uint32_t n);
/* Whether a data source has run out (a PRNG never does). */
bool plm_rand_done(const struct plm_rand *r);
uint64_t plm_hash(uint64_t x);

/* --- what callbacks saw --------------------------------------------------- */

enum plm_ev_kind {
	PLM_EV_PAGE = 1,	/* a: offset */
	PLM_EV_GAP,		/* [a, b) */
	PLM_EV_RUN,		/* [a, b) */
	PLM_EV_RELEASE,		/* a: offset */
	PLM_EV_MIGRATE,		/* a: source offset, b: destination offset */
};

struct plm_event {
	int kind;
	u64 a;
	u64 b;
	unsigned long val;
	unsigned long state;
};

struct plm_rec {
	struct plm_event *ev;
	size_t n;
	size_t cap;
	size_t stop_at;		/* event number stop_at returns stop_ret */
	int stop_ret;
	bool free_pages;	/* release callbacks free released pages */
};

void plm_rec_init(struct plm_rec *rec);
void plm_rec_reset(struct plm_rec *rec);
void plm_rec_free(struct plm_rec *rec);
/* Record an event; returns what the callback that saw it should return. */
int plm_rec_push(struct plm_rec *rec, int kind, u64 a, u64 b,
		 unsigned long val, unsigned long state);
/* Callbacks for the page list's walks; @ctx is a struct plm_rec. */
int plm_rec_page(struct zvmo_pl_slot *slot, u64 off, void *ctx);
int plm_rec_gap(u64 start, u64 end, void *ctx);
int plm_rec_run(u64 start, u64 end, void *ctx);
bool plm_rec_in_run_all(const struct zvmo_pl_slot *slot, u64 off, void *ctx);
void plm_rec_release(struct zvmo_pl_slot *slot, u64 off, void *ctx);
void plm_rec_migrate(struct zvmo_pl_slot *slot, u64 src_off, u64 dst_off,
		     void *ctx);
/* Compare; on a difference, describe it in @err. */
bool plm_rec_equal(const struct plm_rec *got, const struct plm_rec *want,
		   char *err, size_t errlen);
void plm_rec_print(const struct plm_rec *rec, const char *name);

/* A tagged page value for a new fake page, and freeing one. */
unsigned long plm_new_page(void);
void plm_free_val(unsigned long val);

/* --- the model ------------------------------------------------------------ */

struct plm_entry {
	u64 off;
	unsigned long val;
	unsigned long state;
};

struct plm_model {
	struct plm_entry *e;	/* sorted by offset */
	size_t n;
	size_t cap;
};

/* --- the harness ---------------------------------------------------------- */

#define PLM_LISTS	3

struct plm {
	struct zvmo_page_list pl[PLM_LISTS];
	struct plm_model m[PLM_LISTS];
	struct plm_rand *r;
	u64 mid_base;		/* base of the mid-range offsets */
	bool faults;		/* inject allocation failures */
	unsigned long nr_ops;
	const char *op;		/* the operation running or last run */
	long base_allocs;
	long base_nodes;
	long base_pages;
	char err[1024];
};

void plm_init(struct plm *h, struct plm_rand *r, bool faults);
/* Run one random operation, then check everything: false on a mismatch. */
bool plm_step(struct plm *h);
bool plm_check(struct plm *h);
/* Destroy the lists and models; false if anything leaked. */
bool plm_fini(struct plm *h);

#endif /* _ZVMO_HOST_PL_MODEL_H */
