// SPDX-License-Identifier: GPL-2.0
/*
 * Model-based testing of zvmo's page list; see pl_model.h.
 *
 * Every operation of the harness draws its arguments from a struct
 * plm_rand, does the operation on a page list and on that list's model,
 * and checks what the callbacks saw against what the model predicts.
 * plm_check() then compares each list as a whole with its model.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/mm_types.h>
#include <linux/slab.h>

#include "page_list.h"
#include "pl_model.h"
#include "shim.h"

#define SPAN	ZVMO_PL_NODE_SPAN
#define MAXOFF	ZVMO_PL_MAX_OFFSET
#define PG	((u64)PAGE_SIZE)
/* How many pages each cluster of offsets the harness uses spans. */
#define CLUSTER	96
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* --- randomness ----------------------------------------------------------- */

uint64_t plm_hash(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void plm_rand_seed(struct plm_rand *r, uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	r->state = seed;
}

void plm_rand_data(struct plm_rand *r, const uint8_t *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->len = len;
	r->from_data = true;
}

static uint64_t plm_rand_bytes(struct plm_rand *r, unsigned int nbytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < nbytes && r->pos < r->len; i++)
		v |= (uint64_t)r->data[r->pos++] << (8 * i);
	return v;
}

uint64_t plm_rand_u64(struct plm_rand *r)
{
	if (r->from_data)
		return plm_rand_bytes(r, 8);
	r->state += 0x9e3779b97f4a7c15ULL;
	return plm_hash(r->state);
}

uint32_t plm_rand_below(struct plm_rand *r, uint32_t n)
{
	if (!r->from_data)
		return plm_rand_u64(r) % n;
	if (n <= 256)
		return plm_rand_bytes(r, 1) % n;
	if (n <= 65536)
		return plm_rand_bytes(r, 2) % n;
	return plm_rand_bytes(r, 4) % n;
}

bool plm_rand_done(const struct plm_rand *r)
{
	return r->from_data && r->pos >= r->len;
}

/* --- recording ------------------------------------------------------------ */

void plm_rec_init(struct plm_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
}

void plm_rec_reset(struct plm_rec *rec)
{
	rec->n = 0;
}

void plm_rec_free(struct plm_rec *rec)
{
	free(rec->ev);
	plm_rec_init(rec);
}

int plm_rec_push(struct plm_rec *rec, int kind, u64 a, u64 b,
		 unsigned long val, unsigned long state)
{
	struct plm_event *ev;

	if (rec->n == rec->cap) {
		rec->cap = rec->cap ? 2 * rec->cap : 64;
		ev = realloc(rec->ev, rec->cap * sizeof(*ev));
		if (!ev)
			abort();
		rec->ev = ev;
	}
	ev = &rec->ev[rec->n++];
	ev->kind = kind;
	ev->a = a;
	ev->b = b;
	ev->val = val;
	ev->state = state;
	return rec->stop_at && rec->n == rec->stop_at ? rec->stop_ret : 0;
}

int plm_rec_page(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	return plm_rec_push(ctx, PLM_EV_PAGE, off, 0, slot->val, slot->state);
}

int plm_rec_gap(u64 start, u64 end, void *ctx)
{
	return plm_rec_push(ctx, PLM_EV_GAP, start, end, 0, 0);
}

int plm_rec_run(u64 start, u64 end, void *ctx)
{
	return plm_rec_push(ctx, PLM_EV_RUN, start, end, 0, 0);
}

bool plm_rec_in_run_all(const struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	(void)slot;
	(void)off;
	(void)ctx;
	return true;
}

void plm_rec_release(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct plm_rec *rec = ctx;

	plm_rec_push(rec, PLM_EV_RELEASE, off, 0, slot->val, slot->state);
	if (rec->free_pages)
		plm_free_val(slot->val);
}

void plm_rec_migrate(struct zvmo_pl_slot *slot, u64 src_off, u64 dst_off,
		     void *ctx)
{
	plm_rec_push(ctx, PLM_EV_MIGRATE, src_off, dst_off, slot->val,
		     slot->state);
}

static const char *const plm_ev_names[] = {
	[PLM_EV_PAGE] = "page", [PLM_EV_GAP] = "gap", [PLM_EV_RUN] = "run",
	[PLM_EV_RELEASE] = "release", [PLM_EV_MIGRATE] = "migrate",
};

static void plm_ev_str(const struct plm_event *ev, char *buf, size_t len)
{
	snprintf(buf, len, "%s(%#llx, %#llx, val %#lx, state %#lx)",
		 ev->kind > 0 && ev->kind <= PLM_EV_MIGRATE ?
		 plm_ev_names[ev->kind] : "?", ev->a, ev->b, ev->val,
		 ev->state);
}

bool plm_rec_equal(const struct plm_rec *got, const struct plm_rec *want,
		   char *err, size_t errlen)
{
	char g[128], w[128];
	size_t i;

	for (i = 0; i < got->n && i < want->n; i++) {
		if (got->ev[i].kind == want->ev[i].kind &&
		    got->ev[i].a == want->ev[i].a &&
		    got->ev[i].b == want->ev[i].b &&
		    got->ev[i].val == want->ev[i].val &&
		    got->ev[i].state == want->ev[i].state)
			continue;
		plm_ev_str(&got->ev[i], g, sizeof(g));
		plm_ev_str(&want->ev[i], w, sizeof(w));
		snprintf(err, errlen, "event %zu: got %s, want %s", i, g, w);
		return false;
	}
	if (got->n == want->n)
		return true;
	if (got->n > want->n)
		plm_ev_str(&got->ev[i], g, sizeof(g));
	else
		plm_ev_str(&want->ev[i], g, sizeof(g));
	snprintf(err, errlen, "got %zu events, want %zu; first extra: %s",
		 got->n, want->n, g);
	return false;
}

void plm_rec_print(const struct plm_rec *rec, const char *name)
{
	char buf[128];
	size_t i;

	for (i = 0; i < rec->n; i++) {
		plm_ev_str(&rec->ev[i], buf, sizeof(buf));
		fprintf(stderr, "# %s[%zu] %s\n", name, i, buf);
	}
}

unsigned long plm_new_page(void)
{
	return (unsigned long)shim_page_alloc() | ZVMO_PL_TAG_PAGE;
}

void plm_free_val(unsigned long val)
{
	if ((val & ZVMO_PL_TAG_MASK) == ZVMO_PL_TAG_PAGE)
		shim_page_free((struct page *)(val & ~ZVMO_PL_TAG_MASK));
}

/* --- the model ------------------------------------------------------------ */

/* The index of the first entry at @off or after. */
static size_t m_lower(const struct plm_model *m, u64 off)
{
	size_t lo = 0, hi = m->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->e[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct plm_entry *m_get(struct plm_model *m, u64 off)
{
	size_t i = m_lower(m, off);

	return i < m->n && m->e[i].off == off ? &m->e[i] : NULL;
}

static void m_set(struct plm_model *m, u64 off, unsigned long val,
		  unsigned long state)
{
	size_t i = m_lower(m, off);
	struct plm_entry *e;

	if (i == m->n || m->e[i].off != off) {
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 32;
			e = realloc(m->e, m->cap * sizeof(*e));
			if (!e)
				abort();
			m->e = e;
		}
		memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(*m->e));
		m->n++;
	}
	m->e[i].off = off;
	m->e[i].val = val;
	m->e[i].state = state;
}

static void m_del(struct plm_model *m, u64 off)
{
	size_t i = m_lower(m, off);

	if (i == m->n || m->e[i].off != off)
		return;
	memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(*m->e));
	m->n--;
}

static void m_clear(struct plm_model *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* The nodes a list with skew @skew needs for @m. */
static unsigned long m_nodes(const struct plm_model *m, u64 skew)
{
	unsigned long nodes = 0;
	u64 key, prev = 0;
	size_t i;

	for (i = 0; i < m->n; i++) {
		key = (m->e[i].off + skew) & ~(SPAN - 1);
		if (!i || key != prev)
			nodes++;
		prev = key;
	}
	return nodes;
}

static bool m_has_node(const struct plm_model *m, u64 skew, u64 off)
{
	u64 key = (off + skew) & ~(SPAN - 1);
	size_t i;

	/* Entries of the node are within a span of @off. */
	i = m_lower(m, off > SPAN ? off - SPAN : 0);
	for (; i < m->n && m->e[i].off < off + SPAN; i++)
		if (((m->e[i].off + skew) & ~(SPAN - 1)) == key)
			return true;
	return false;
}

static bool is_page_val(unsigned long val)
{
	return (val & ZVMO_PL_TAG_MASK) == ZVMO_PL_TAG_PAGE;
}

static long m_pages(const struct plm_model *m)
{
	long pages = 0;
	size_t i;

	for (i = 0; i < m->n; i++)
		pages += is_page_val(m->e[i].val);
	return pages;
}

/*
 * What a walk of [@start, @end) should see: pages, and gaps if @gaps;
 * stopping at event @stop_at (0: never). Returns the number of events
 * before truncation.
 */
static size_t m_expect_walk(const struct plm_model *m, u64 start, u64 end,
			    bool gaps, struct plm_rec *want)
{
	size_t i;
	u64 cursor;

	if (end > MAXOFF)
		end = MAXOFF;
	if (start >= end)
		return 0;
	cursor = start;
	for (i = m_lower(m, start); i < m->n && m->e[i].off < end; i++) {
		if (gaps && m->e[i].off > cursor)
			plm_rec_push(want, PLM_EV_GAP, cursor, m->e[i].off, 0, 0);
		plm_rec_push(want, PLM_EV_PAGE, m->e[i].off, 0, m->e[i].val,
			     m->e[i].state);
		cursor = m->e[i].off + PG;
	}
	if (gaps && cursor < end)
		plm_rec_push(want, PLM_EV_GAP, cursor, end, 0, 0);
	return want->n;
}

/* Which slots walk_runs ops select. */
static bool run_select(int mode, unsigned long val, unsigned long state)
{
	switch (mode) {
	case 0:
		return true;
	case 1:
		return is_page_val(val);
	default:
		return state & 1;
	}
}

static void m_expect_runs(const struct plm_model *m, u64 start, u64 end,
			  int mode, struct plm_rec *want)
{
	u64 run_start = 0, run_end = 0;
	bool active = false;
	size_t i;

	if (end > MAXOFF)
		end = MAXOFF;
	if (start >= end)
		return;
	for (i = m_lower(m, start); i < m->n && m->e[i].off < end; i++) {
		if (!run_select(mode, m->e[i].val, m->e[i].state)) {
			if (active)
				plm_rec_push(want, PLM_EV_RUN, run_start,
					     run_end, 0, 0);
			active = false;
			continue;
		}
		if (active && m->e[i].off == run_end) {
			run_end += PG;
			continue;
		}
		if (active)
			plm_rec_push(want, PLM_EV_RUN, run_start, run_end, 0, 0);
		active = true;
		run_start = m->e[i].off;
		run_end = run_start + PG;
	}
	if (active)
		plm_rec_push(want, PLM_EV_RUN, run_start, run_end, 0, 0);
}

/* Cut @want as a walk stopped by @rec's stop_at would; the return value. */
static int expect_stop(const struct plm_rec *rec, struct plm_rec *want)
{
	if (!rec->stop_at || rec->stop_at > want->n)
		return 0;
	want->n = rec->stop_at;
	return rec->stop_ret;
}

/* --- the harness ---------------------------------------------------------- */

static __printf(2, 3) bool fail(struct plm *h, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(h->err, sizeof(h->err), "op %lu (%s): ", h->nr_ops,
		     h->op);
	va_start(ap, fmt);
	vsnprintf(h->err + n, sizeof(h->err) - n, fmt, ap);
	va_end(ap);
	return false;
}

static bool compare(struct plm *h, const struct plm_rec *got,
		    const struct plm_rec *want, const char *what)
{
	char err[512];

	if (plm_rec_equal(got, want, err, sizeof(err)))
		return true;
	return fail(h, "%s: %s", what, err);
}

static u64 rand_off(struct plm *h)
{
	u64 idx = plm_rand_below(h->r, CLUSTER) * PG;

	switch (plm_rand_below(h->r, 4)) {
	case 0:
	case 1:
		return idx;
	case 2:
		return h->mid_base + idx;
	default:
		return MAXOFF - CLUSTER * PG + idx;
	}
}

static void rand_range(struct plm *h, u64 *start, u64 *end)
{
	u64 s = plm_rand_below(h->r, 8) ? rand_off(h) : 0;
	u64 back;

	switch (plm_rand_below(h->r, 10)) {
	case 0:
		*end = s;
		break;
	case 1:
		*end = MAXOFF;
		break;
	case 2:
		*end = UINT64_MAX;
		break;
	case 3:
		back = (1 + plm_rand_below(h->r, 4)) * PG;
		*end = s > back ? s - back : 0;
		break;
	default:
		*end = s + (1 + plm_rand_below(h->r, 2 * CLUSTER)) * PG;
		break;
	}
	*start = s;
}

static u64 rand_skew(struct plm *h)
{
	return plm_rand_below(h->r, ZVMO_PL_FANOUT) * PG;
}

static void rand_stop(struct plm *h, struct plm_rec *rec)
{
	static const int rets[] = { 1, 7, -EINTR, -ENOMEM };

	rec->stop_at = plm_rand_below(h->r, 3) ? 0 : 1 + plm_rand_below(h->r, 6);
	rec->stop_ret = rets[plm_rand_below(h->r, 4)];
}

static void faults_on(struct plm *h)
{
	if (!h->faults)
		return;
	switch (plm_rand_below(h->r, 6)) {
	case 0:
		shim_fail_nth(1);
		break;
	case 1:
		shim_fail_nth(2);
		break;
	case 2:
		shim_fail_prob(500000, plm_rand_u64(h->r));
		break;
	default:
		break;
	}
}

static bool op_set(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	u64 off = rand_off(h);
	unsigned long injected = shim_faults_injected();
	bool page = plm_rand_below(h->r, 4);
	unsigned long state = plm_rand_below(h->r, 4);
	struct zvmo_pl_slot *slot;
	struct plm_entry *e;

	faults_on(h);
	slot = zvmo_page_list_lookup_or_alloc(&h->pl[l], off, GFP_KERNEL);
	shim_fault_off();
	if (!slot) {
		if (shim_faults_injected() == injected)
			return fail(h, "lookup_or_alloc(%#llx) failed", off);
		return true;
	}
	e = m_get(&h->m[l], off);
	if (e ? slot->val != e->val || slot->state != e->state :
	    slot->val || slot->state)
		return fail(h, "slot %#llx holds %#lx/%#lx", off, slot->val,
			    slot->state);
	if (e)
		plm_free_val(e->val);
	if (page)
		zvmo_pl_slot_set_page(slot, shim_page_alloc());
	else
		zvmo_pl_slot_set_marker(slot);
	slot->state = state;
	m_set(&h->m[l], off, slot->val, state);
	return true;
}

/* Fill a run of up to 40 pages, as a fault-in of a range would. */
static bool op_fill(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	u64 off = rand_off(h), end = off + (1 + plm_rand_below(h->r, 40)) * PG;
	unsigned long injected = shim_faults_injected();
	struct zvmo_pl_slot *slot;
	bool ok = true;

	faults_on(h);
	for (; off < end && off < MAXOFF; off += PG) {
		slot = zvmo_page_list_lookup_or_alloc(&h->pl[l], off,
						      GFP_KERNEL);
		if (!slot) {
			if (shim_faults_injected() == injected)
				ok = fail(h, "lookup_or_alloc(%#llx) failed",
					  off);
			break;
		}
		if (slot->val)
			continue;
		if (plm_hash(off ^ end) & 3)
			zvmo_pl_slot_set_page(slot, shim_page_alloc());
		else
			zvmo_pl_slot_set_marker(slot);
		slot->state = off & 1 ? 0 : plm_hash(off) & 0xf;
		m_set(&h->m[l], off, slot->val, slot->state);
	}
	shim_fault_off();
	return ok;
}

static bool op_alloc_return(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	u64 off = rand_off(h);
	unsigned long injected = shim_faults_injected();
	struct zvmo_pl_slot *slot;

	faults_on(h);
	slot = zvmo_page_list_lookup_or_alloc(&h->pl[l], off, GFP_KERNEL);
	shim_fault_off();
	if (!slot && shim_faults_injected() == injected)
		return fail(h, "lookup_or_alloc(%#llx) failed", off);
	if (slot && !!slot->val != !!m_get(&h->m[l], off))
		return fail(h, "slot %#llx holds %#lx", off, slot->val);
	zvmo_page_list_return_empty_slot(&h->pl[l], off);
	return true;
}

static bool op_lookup(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	u64 off = rand_off(h);
	struct zvmo_pl_slot *slot;
	struct plm_entry *e;
	bool node;

	slot = zvmo_page_list_lookup(&h->pl[l], off);
	e = m_get(&h->m[l], off);
	node = m_has_node(&h->m[l], h->pl[l].skew, off);
	if (!!slot != node)
		return fail(h, "lookup(%#llx): slot %p, node expected: %d",
			    off, (void *)slot, node);
	if (!slot)
		return true;
	if (e ? slot->val != e->val || slot->state != e->state :
	    slot->val || slot->state)
		return fail(h, "lookup(%#llx): %#lx/%#lx", off, slot->val,
			    slot->state);
	return true;
}

static bool op_remove(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	struct plm_model *m = &h->m[l];
	struct zvmo_pl_slot old;
	struct plm_entry *e;
	u64 off;

	if (m->n && plm_rand_below(h->r, 2))
		off = m->e[plm_rand_below(h->r, m->n)].off;
	else
		off = rand_off(h);
	old = zvmo_page_list_remove(&h->pl[l], off);
	e = m_get(m, off);
	if (e ? old.val != e->val || old.state != e->state :
	    old.val || old.state)
		return fail(h, "remove(%#llx): %#lx/%#lx", off, old.val,
			    old.state);
	plm_free_val(old.val);
	m_del(m, off);
	return true;
}

static bool op_remove_range(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	struct plm_rec got, want;
	u64 start, end;
	size_t i;
	bool ok;

	rand_range(h, &start, &end);
	plm_rec_init(&got);
	plm_rec_init(&want);
	got.free_pages = true;
	zvmo_page_list_remove_range(&h->pl[l], start, end, plm_rec_release,
				    &got);
	m_expect_walk(&h->m[l], start, end, false, &want);
	for (i = 0; i < want.n; i++)
		want.ev[i].kind = PLM_EV_RELEASE;
	ok = compare(h, &got, &want, "released");
	for (i = 0; i < want.n; i++)
		m_del(&h->m[l], want.ev[i].a);
	plm_rec_free(&got);
	plm_rec_free(&want);
	return ok;
}

/* for_each with a callback that changes and clears slots. */
struct mut_ctx {
	struct plm_rec rec;
	uint64_t seed;
};

static unsigned int mut_action(uint64_t seed, u64 off)
{
	return plm_hash(seed ^ off) % 4;
}

static unsigned long mut_state(uint64_t seed, u64 off)
{
	return plm_hash(seed + off) & 0xff;
}

static int mut_page(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct mut_ctx *c = ctx;
	int ret;

	ret = plm_rec_push(&c->rec, PLM_EV_PAGE, off, 0, slot->val,
			   slot->state);
	switch (mut_action(c->seed, off)) {
	case 1:
		slot->state = mut_state(c->seed, off);
		break;
	case 2:
		plm_free_val(slot->val);
		zvmo_pl_slot_set_marker(slot);
		break;
	case 3:
		plm_free_val(slot->val);
		zvmo_pl_slot_clear(slot);
		break;
	}
	return ret;
}

static bool op_for_each(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	struct plm_model *m = &h->m[l];
	struct plm_rec want;
	struct mut_ctx c;
	struct plm_entry *e;
	u64 start, end, off;
	int ret, want_ret;
	size_t i;
	bool ok;

	rand_range(h, &start, &end);
	plm_rec_init(&c.rec);
	plm_rec_init(&want);
	rand_stop(h, &c.rec);
	c.seed = plm_rand_u64(h->r);
	ret = zvmo_page_list_for_each(&h->pl[l], start, end, mut_page, &c);
	m_expect_walk(m, start, end, false, &want);
	want_ret = expect_stop(&c.rec, &want);
	ok = compare(h, &c.rec, &want, "for_each");
	if (ok && ret != want_ret)
		ok = fail(h, "for_each returned %d, want %d", ret, want_ret);
	for (i = 0; ok && i < c.rec.n; i++) {
		off = c.rec.ev[i].a;
		e = m_get(m, off);
		switch (mut_action(c.seed, off)) {
		case 1:
			e->state = mut_state(c.seed, off);
			break;
		case 2:
			e->val = ZVMO_PL_TAG_MARKER;
			break;
		case 3:
			m_del(m, off);
			break;
		}
	}
	plm_rec_free(&c.rec);
	plm_rec_free(&want);
	return ok;
}

static bool op_gaps(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	struct plm_rec got, want;
	int ret, want_ret;
	u64 start, end;
	bool ok;

	rand_range(h, &start, &end);
	plm_rec_init(&got);
	plm_rec_init(&want);
	rand_stop(h, &got);
	ret = zvmo_page_list_walk_gaps(&h->pl[l], start, end,
						plm_rec_page, plm_rec_gap,
						&got);
	m_expect_walk(&h->m[l], start, end, true, &want);
	want_ret = expect_stop(&got, &want);
	ok = compare(h, &got, &want, "with_gaps");
	if (ok && ret != want_ret)
		ok = fail(h, "with_gaps returned %d, want %d", ret, want_ret);
	plm_rec_free(&got);
	plm_rec_free(&want);
	return ok;
}

/* A walk with gaps whose gap callback fills the gap's ends with markers. */
struct fill_ctx {
	struct plm_rec rec;
	struct zvmo_page_list *pl;
	uint64_t seed;
	bool failed;
};

static bool fill_at(uint64_t seed, u64 gap_start, u64 gap_end, u64 off)
{
	uint64_t bits = plm_hash(seed ^ gap_start);

	if (off == gap_start)
		return bits & 1;
	return gap_end - gap_start >= 2 * PG && (bits & 2);
}

static int fill_gap(u64 gap_start, u64 gap_end, void *ctx)
{
	struct fill_ctx *c = ctx;
	u64 offs[2] = { gap_start, gap_end - PG };
	struct zvmo_pl_slot *slot;
	unsigned int i;
	int ret;

	ret = plm_rec_push(&c->rec, PLM_EV_GAP, gap_start, gap_end, 0, 0);
	for (i = 0; i < 2; i++) {
		if (i && offs[1] == offs[0])
			break;
		if (!fill_at(c->seed, gap_start, gap_end, offs[i]))
			continue;
		slot = zvmo_page_list_lookup_or_alloc(c->pl, offs[i],
						      GFP_KERNEL);
		if (!slot || slot->val) {
			c->failed = true;
			continue;
		}
		zvmo_pl_slot_set_marker(slot);
	}
	return ret;
}

static bool op_gaps_fill(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	struct plm_rec want;
	struct fill_ctx c;
	int ret, want_ret;
	u64 start, end, gs, ge;
	size_t i;
	bool ok;

	rand_range(h, &start, &end);
	plm_rec_init(&c.rec);
	plm_rec_init(&want);
	rand_stop(h, &c.rec);
	c.pl = &h->pl[l];
	c.seed = plm_rand_u64(h->r);
	c.failed = false;
	ret = zvmo_page_list_walk_gaps(&h->pl[l], start, end,
						plm_rec_page, fill_gap, &c);
	m_expect_walk(&h->m[l], start, end, true, &want);
	want_ret = expect_stop(&c.rec, &want);
	ok = compare(h, &c.rec, &want, "with_gaps filling");
	if (ok && ret != want_ret)
		ok = fail(h, "with_gaps returned %d, want %d", ret, want_ret);
	if (ok && c.failed)
		ok = fail(h, "could not fill a gap");
	for (i = 0; ok && i < c.rec.n; i++) {
		if (c.rec.ev[i].kind != PLM_EV_GAP)
			continue;
		gs = c.rec.ev[i].a;
		ge = c.rec.ev[i].b;
		if (fill_at(c.seed, gs, ge, gs))
			m_set(&h->m[l], gs, ZVMO_PL_TAG_MARKER, 0);
		if (fill_at(c.seed, gs, ge, ge - PG))
			m_set(&h->m[l], ge - PG, ZVMO_PL_TAG_MARKER, 0);
	}
	plm_rec_free(&c.rec);
	plm_rec_free(&want);
	return ok;
}

/* walk_runs, optionally removing each run from its callback. */
struct run_ctx {
	struct plm_rec rec;
	struct zvmo_page_list *pl;
	int mode;
	bool remove;
	size_t runs;
	size_t stop_after;	/* runs; 0: never */
	int stop_ret;
};

static bool run_in(const struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct run_ctx *c = ctx;

	(void)off;
	if (zvmo_pl_slot_is_empty(slot))
		abort();
	return run_select(c->mode, slot->val, slot->state);
}

static int run_fn(u64 run_start, u64 run_end, void *ctx)
{
	struct run_ctx *c = ctx;

	plm_rec_push(&c->rec, PLM_EV_RUN, run_start, run_end, 0, 0);
	if (c->remove)
		zvmo_page_list_remove_range(c->pl, run_start, run_end,
					    plm_rec_release, &c->rec);
	if (c->stop_after && ++c->runs == c->stop_after)
		return c->stop_ret;
	return 0;
}

static bool op_runs(struct plm *h, bool remove)
{
	int l = plm_rand_below(h->r, PLM_LISTS);
	struct plm_model *m = &h->m[l];
	struct plm_rec runs, want;
	int ret, want_ret = 0;
	struct run_ctx c;
	u64 start, end, off;
	size_t i;
	bool ok;

	rand_range(h, &start, &end);
	memset(&c, 0, sizeof(c));
	plm_rec_init(&runs);
	plm_rec_init(&want);
	rand_stop(h, &runs);
	c.rec.free_pages = true;
	c.pl = &h->pl[l];
	c.mode = plm_rand_below(h->r, 3);
	c.remove = remove;
	c.stop_after = runs.stop_at;
	c.stop_ret = runs.stop_ret;
	ret = zvmo_page_list_walk_runs(&h->pl[l], start, end, run_in,
					  run_fn, &c);

	m_expect_runs(m, start, end, c.mode, &runs);
	if (c.stop_after && c.stop_after <= runs.n) {
		runs.n = c.stop_after;
		want_ret = c.stop_ret;
	}
	for (i = 0; i < runs.n; i++) {
		plm_rec_push(&want, PLM_EV_RUN, runs.ev[i].a, runs.ev[i].b,
			     0, 0);
		if (!remove)
			continue;
		for (off = runs.ev[i].a; off < runs.ev[i].b; off += PG) {
			struct plm_entry *e = m_get(m, off);

			plm_rec_push(&want, PLM_EV_RELEASE, off, 0, e->val,
				     e->state);
			m_del(m, off);
		}
	}
	ok = compare(h, &c.rec, &want, remove ? "runs removed" : "runs");
	if (ok && ret != want_ret)
		ok = fail(h, "walk_runs returned %d, want %d", ret,
			  want_ret);
	plm_rec_free(&c.rec);
	plm_rec_free(&runs);
	plm_rec_free(&want);
	return ok;
}

static bool op_runs_plain(struct plm *h)
{
	return op_runs(h, false);
}

static bool op_runs_remove(struct plm *h)
{
	return op_runs(h, true);
}

/* Empty list @l, checking what it releases. */
static bool destroy_list(struct plm *h, int l)
{
	struct plm_rec got, want;
	size_t i;
	bool ok;

	plm_rec_init(&got);
	plm_rec_init(&want);
	got.free_pages = true;
	zvmo_page_list_destroy(&h->pl[l], plm_rec_release, &got);
	for (i = 0; i < h->m[l].n; i++)
		plm_rec_push(&want, PLM_EV_RELEASE, h->m[l].e[i].off, 0,
			     h->m[l].e[i].val, h->m[l].e[i].state);
	ok = compare(h, &got, &want, "destroy");
	m_clear(&h->m[l]);
	plm_rec_free(&got);
	plm_rec_free(&want);
	return ok;
}

static bool op_take(struct plm *h)
{
	int s = plm_rand_below(h->r, PLM_LISTS);
	int d = (s + 1 + plm_rand_below(h->r, PLM_LISTS - 1)) % PLM_LISTS;
	unsigned long injected, calls;
	int l;
	struct plm_model *sm = &h->m[s];
	u64 start, end, skew;
	size_t i, j;
	int ret;

	/* The destination must be empty: take an empty list if there is. */
	for (l = 0; l < PLM_LISTS; l++)
		if (l != s && zvmo_page_list_is_empty(&h->pl[l]))
			d = l;
	if (!zvmo_page_list_is_empty(&h->pl[d]) && !destroy_list(h, d))
		return false;
	rand_range(h, &start, &end);
	injected = shim_faults_injected();
	calls = shim_alloc_calls();
	faults_on(h);
	ret = zvmo_page_list_take_range(&h->pl[s], start, end, &h->pl[d],
					GFP_KERNEL);
	shim_fault_off();
	skew = (h->pl[s].skew + start) & (SPAN - 1);
	if (h->pl[d].skew != skew)
		return fail(h, "take_range: dst skew %#llx, want %#llx",
			    h->pl[d].skew, skew);
	if (shim_alloc_calls() - calls > 2)
		return fail(h, "take_range allocated %lu times",
			    shim_alloc_calls() - calls);
	if (ret == -ENOMEM) {
		if (shim_faults_injected() == injected)
			return fail(h, "take_range: -ENOMEM, no injection");
		return true;
	}
	if (ret)
		return fail(h, "take_range returned %d", ret);
	if (end > MAXOFF)
		end = MAXOFF;
	if (start >= end)
		return true;
	i = m_lower(sm, start);
	for (j = i; j < sm->n && sm->e[j].off < end; j++)
		m_set(&h->m[d], sm->e[j].off - start, sm->e[j].val,
		      sm->e[j].state);
	if (j > i)
		memmove(&sm->e[i], &sm->e[j], (sm->n - j) * sizeof(*sm->e));
	sm->n -= j - i;
	return true;
}

/* Merge callbacks: record, and sometimes change what moves. */
struct merge_ctx {
	struct plm_rec rec;
	uint64_t seed;
};

static unsigned int migrate_action(uint64_t seed, u64 off)
{
	return plm_hash(seed ^ (off * 3)) % 8;
}

static void merge_migrate(struct zvmo_pl_slot *slot, u64 src_off,
			  u64 dst_off, void *ctx)
{
	struct merge_ctx *c = ctx;

	plm_rec_migrate(slot, src_off, dst_off, &c->rec);
	switch (migrate_action(c->seed, src_off)) {
	case 0:
		plm_free_val(slot->val);
		zvmo_pl_slot_clear(slot);
		break;
	case 1:
		slot->state = mut_state(c->seed, src_off);
		break;
	}
}

static bool op_merge(struct plm *h)
{
	int s = plm_rand_below(h->r, PLM_LISTS);
	int d = (s + 1 + plm_rand_below(h->r, PLM_LISTS - 1)) % PLM_LISTS;
	struct plm_model *sm = &h->m[s], *dm = &h->m[d];
	bool bad = !plm_rand_below(h->r, 8);
	bool nomem = plm_rand_below(h->r, 2);
	struct merge_ctx c;
	struct plm_rec want;
	u64 start, end, off, residue;
	struct plm_entry *e;
	unsigned long calls;
	size_t i;
	int ret;
	bool ok;

	rand_range(h, &start, &end);
	residue = (h->pl[d].skew + SPAN - h->pl[s].skew) & (SPAN - 1);
	start = (start & ~(SPAN - 1)) + residue;
	if (bad)
		start += (1 + plm_rand_below(h->r, ZVMO_PL_FANOUT - 1)) * PG;

	plm_rec_init(&c.rec);
	plm_rec_init(&want);
	c.rec.free_pages = true;
	c.seed = plm_rand_u64(h->r);
	calls = shim_alloc_calls();
	if (nomem)
		shim_fail_prob(1000000, 1);
	ret = zvmo_page_list_merge(&h->pl[d], &h->pl[s], start, end,
				   plm_rec_release, merge_migrate, &c);
	shim_fault_off();
	if (shim_alloc_calls() != calls)
		return fail(h, "merge allocated");
	if (bad) {
		ok = ret == -EINVAL && !c.rec.n;
		plm_rec_free(&c.rec);
		return ok ? true : fail(h, "bad merge returned %d", ret);
	}
	if (ret)
		return fail(h, "merge returned %d", ret);

	if (end > MAXOFF)
		end = MAXOFF;
	for (i = 0; i < sm->n; i++) {
		e = &sm->e[i];
		off = e->off;
		if (off < start || off >= end || m_get(dm, off - start)) {
			plm_rec_push(&want, PLM_EV_RELEASE, off, 0, e->val,
				     e->state);
			continue;
		}
		plm_rec_push(&want, PLM_EV_MIGRATE, off, off - start, e->val,
			     e->state);
		switch (migrate_action(c.seed, off)) {
		case 0:
			continue;
		case 1:
			e->state = mut_state(c.seed, off);
			break;
		}
		m_set(dm, off - start, e->val, e->state);
	}
	m_clear(sm);
	ok = compare(h, &c.rec, &want, "merge");
	plm_rec_free(&c.rec);
	plm_rec_free(&want);
	return ok;
}

static bool op_destroy(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);

	if (!destroy_list(h, l))
		return false;
	zvmo_page_list_init(&h->pl[l], rand_skew(h));
	return true;
}

static bool op_reskew(struct plm *h)
{
	int l = plm_rand_below(h->r, PLM_LISTS);

	if (zvmo_page_list_is_empty(&h->pl[l]))
		zvmo_page_list_init(&h->pl[l], rand_skew(h));
	return true;
}

static const struct plm_op {
	const char *name;
	bool (*fn)(struct plm *h);
	unsigned int weight;
} plm_ops[] = {
	{ "set", op_set, 20 },
	{ "fill", op_fill, 6 },
	{ "alloc_return", op_alloc_return, 4 },
	{ "lookup", op_lookup, 6 },
	{ "remove", op_remove, 8 },
	{ "remove_range", op_remove_range, 3 },
	{ "for_each", op_for_each, 4 },
	{ "with_gaps", op_gaps, 4 },
	{ "with_gaps_fill", op_gaps_fill, 3 },
	{ "walk_runs", op_runs_plain, 4 },
	{ "walk_runs_remove", op_runs_remove, 2 },
	{ "take_range", op_take, 4 },
	{ "merge", op_merge, 4 },
	{ "destroy", op_destroy, 1 },
	{ "reskew", op_reskew, 1 },
};

void plm_init(struct plm *h, struct plm_rand *r, bool faults)
{
	int l;

	memset(h, 0, sizeof(*h));
	h->r = r;
	h->faults = faults;
	h->op = "init";
	h->base_allocs = shim_live_allocs();
	h->base_nodes = zvmo_page_list_total_nodes();
	h->base_pages = shim_live_pages();
	h->mid_base = (plm_rand_u64(r) % (MAXOFF / 2)) & ~(PG - 1);
	for (l = 0; l < PLM_LISTS; l++)
		zvmo_page_list_init(&h->pl[l], rand_skew(h));
}

bool plm_step(struct plm *h)
{
	unsigned int total = 0, pick;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(plm_ops); i++)
		total += plm_ops[i].weight;
	pick = plm_rand_below(h->r, total);
	for (i = 0; pick >= plm_ops[i].weight; i++)
		pick -= plm_ops[i].weight;
	h->nr_ops++;
	h->op = plm_ops[i].name;
	if (!plm_ops[i].fn(h))
		return false;
	return plm_check(h);
}

static bool check_list(struct plm *h, int l)
{
	struct zvmo_page_list *pl = &h->pl[l];
	struct plm_rec got, want;
	unsigned long count, nodes;
	unsigned int height;
	bool ok;
	int ret;

	if (zvmo_page_list_validate(pl))
		return fail(h, "list %d: validate failed", l);
	if (shim_rb_check(&pl->root, &count, &height))
		return fail(h, "list %d: bad rbtree", l);
	if (count != pl->nr_nodes)
		return fail(h, "list %d: %lu nodes in tree, nr_nodes %lu", l,
			    count, pl->nr_nodes);
	/* Red-black: height <= 2 log2(n + 1). */
	if (height >= 64 || (1ULL << height) > (count + 1) * (count + 1))
		return fail(h, "list %d: height %u for %lu nodes", l, height,
			    count);
	nodes = m_nodes(&h->m[l], pl->skew);
	if (nodes != pl->nr_nodes)
		return fail(h, "list %d: %lu nodes, want %lu", l,
			    pl->nr_nodes, nodes);

	plm_rec_init(&got);
	plm_rec_init(&want);
	ret = zvmo_page_list_walk_gaps(pl, 0, UINT64_MAX,
						plm_rec_page, plm_rec_gap,
						&got);
	m_expect_walk(&h->m[l], 0, UINT64_MAX, true, &want);
	ok = compare(h, &got, &want, "content");
	if (ok && ret)
		ok = fail(h, "list %d: walk returned %d", l, ret);
	plm_rec_free(&got);
	plm_rec_free(&want);
	return ok;
}

bool plm_check(struct plm *h)
{
	unsigned long nodes = 0;
	long pages = 0;
	int l;

	for (l = 0; l < PLM_LISTS; l++) {
		if (!check_list(h, l))
			return false;
		nodes += h->pl[l].nr_nodes;
		pages += m_pages(&h->m[l]);
	}
	if (zvmo_page_list_total_nodes() - h->base_nodes != (long)nodes)
		return fail(h, "%ld nodes in all, want %lu",
			    zvmo_page_list_total_nodes() - h->base_nodes,
			    nodes);
	if (shim_live_allocs() - h->base_allocs != (long)nodes)
		return fail(h, "%ld allocations live, want %lu",
			    shim_live_allocs() - h->base_allocs, nodes);
	if (shim_live_pages() - h->base_pages != pages)
		return fail(h, "%ld pages live, want %ld",
			    shim_live_pages() - h->base_pages, pages);
	return true;
}

bool plm_fini(struct plm *h)
{
	bool ok = true;
	int l;

	h->op = "fini";
	for (l = 0; l < PLM_LISTS; l++)
		if (!destroy_list(h, l))
			ok = false;
	if (ok && shim_live_allocs() != h->base_allocs)
		ok = fail(h, "%ld allocations leaked",
			  shim_live_allocs() - h->base_allocs);
	if (ok && shim_live_pages() != h->base_pages)
		ok = fail(h, "%ld pages leaked",
			  shim_live_pages() - h->base_pages);
	return ok;
}
