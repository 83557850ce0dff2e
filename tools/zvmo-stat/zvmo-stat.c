// SPDX-License-Identifier: GPL-2.0
/*
 * zvmo-stat: where zvmo's memory is. Reads the module's "zvmo" generic
 * netlink family (uapi/zvmo.h) with libnl-genl and prints every VMO the
 * caller may see (root: all of them; others: their own), sorted by the
 * memory it holds, their clone hierarchies with the hidden nodes in them
 * (--tree), the pagers (--pagers), the module's counters (--stats), or
 * all of it as JSON (--json), once or every N seconds (--watch N).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <zvmo/uapi/zvmo.h>

#define MAX_NODES 64

struct node {
	uint64_t id;
	uint64_t pages;
	uint64_t size;
};

struct vmo {
	uint64_t koid, size, parent, children, mappings;
	uint64_t committed, private_, scaled, populated, compressed, pinned;
	uint64_t metadata;
	uint64_t pager, dirty, evicted, lock_count, leaf;
	uint32_t flags, uid;
	bool discarded, truncated;
	char name[ZVMO_NAME_LEN];
	unsigned int nr_nodes;
	struct node nodes[MAX_NODES];
};

struct pager {
	uint64_t koid, vmos, requests, queued;
	uint32_t uid;
	bool closed;
};

struct snapshot {
	struct vmo *vmos;
	size_t nr_vmos, cap_vmos;
	struct pager *pagers;
	size_t nr_pagers, cap_pagers;
	uint64_t stats[ZVMO_STAT_ATTR_MAX + 1];
	bool have_stats;
};

static const char *const stat_names[ZVMO_STAT_ATTR_MAX + 1] = {
	[ZVMO_STAT_ATTR_VMOS] = "vmos",
	[ZVMO_STAT_ATTR_HANDLES] = "handles",
	[ZVMO_STAT_ATTR_PAGERS] = "pagers",
	[ZVMO_STAT_ATTR_PAGES] = "pages",
	[ZVMO_STAT_ATTR_PAGE_LIST_NODES] = "page_list_nodes",
	[ZVMO_STAT_ATTR_PAGE_LIST_BYTES] = "page_list_bytes",
	[ZVMO_STAT_ATTR_PINNED_PAGES] = "pinned_pages",
	[ZVMO_STAT_ATTR_PMTS] = "pmts",
	[ZVMO_STAT_ATTR_BTIS] = "btis",
	[ZVMO_STAT_ATTR_FAULTS] = "faults",
	[ZVMO_STAT_ATTR_FORKS] = "forks",
	[ZVMO_STAT_ATTR_MIGRATIONS] = "migrations",
	[ZVMO_STAT_ATTR_MERGES] = "merges",
	[ZVMO_STAT_ATTR_SUPPLIED] = "supplied_pages",
	[ZVMO_STAT_ATTR_REQUESTS] = "page_requests",
	[ZVMO_STAT_ATTR_EVICTED] = "evicted_pages",
	[ZVMO_STAT_ATTR_DISCARDED_VMOS] = "discarded_vmos",
	[ZVMO_STAT_ATTR_DISCARDED] = "discarded_pages",
	[ZVMO_STAT_ATTR_DEDUPED] = "deduped_pages",
	[ZVMO_STAT_ATTR_COMPRESSED_PAGES] = "compressed_pages",
	[ZVMO_STAT_ATTR_COMPRESSED_BYTES] = "compressed_bytes",
	[ZVMO_STAT_ATTR_COMPRESSED_POOL_BYTES] = "compressed_pool_bytes",
	[ZVMO_STAT_ATTR_COMPRESSION_RATIO] = "compression_ratio_pct",
	[ZVMO_STAT_ATTR_COMPRESSIONS] = "compressions",
	[ZVMO_STAT_ATTR_DECOMPRESSIONS] = "decompressions",
	[ZVMO_STAT_ATTR_COMPRESS_POOR] = "compress_poor",
	[ZVMO_STAT_ATTR_COMPRESS_FAILED] = "compress_failed",
	[ZVMO_STAT_ATTR_PAGER_SPINS] = "pager_spins",
	[ZVMO_STAT_ATTR_PAGER_SPIN_HITS] = "pager_spin_hits",
};

static void *grow(void *p, size_t *cap, size_t nr, size_t size)
{
	if (nr < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 64;
	p = realloc(p, *cap * size);
	if (!p) {
		fprintf(stderr, "zvmo-stat: out of memory\n");
		exit(1);
	}
	return p;
}

static uint64_t get_u64(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u64(tb[attr]) : 0;
}

static uint32_t get_u32(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u32(tb[attr]) : 0;
}

static int parse_vmo(struct snapshot *s, struct nlattr *nest)
{
	struct nlattr *tb[ZVMO_VMO_ATTR_MAX + 1], *a;
	struct vmo *v;
	int rem;

	if (nla_parse_nested(tb, ZVMO_VMO_ATTR_MAX, nest, NULL))
		return NL_SKIP;
	s->vmos = grow(s->vmos, &s->cap_vmos, s->nr_vmos, sizeof(*v));
	v = &s->vmos[s->nr_vmos++];
	memset(v, 0, sizeof(*v));
	v->koid = get_u64(tb, ZVMO_VMO_ATTR_KOID);
	v->size = get_u64(tb, ZVMO_VMO_ATTR_SIZE);
	v->flags = get_u32(tb, ZVMO_VMO_ATTR_FLAGS);
	v->parent = get_u64(tb, ZVMO_VMO_ATTR_PARENT_KOID);
	v->children = get_u64(tb, ZVMO_VMO_ATTR_NUM_CHILDREN);
	v->mappings = get_u64(tb, ZVMO_VMO_ATTR_NUM_MAPPINGS);
	v->committed = get_u64(tb, ZVMO_VMO_ATTR_COMMITTED);
	v->private_ = get_u64(tb, ZVMO_VMO_ATTR_COMMITTED_PRIVATE);
	v->scaled = get_u64(tb, ZVMO_VMO_ATTR_COMMITTED_SCALED);
	v->populated = get_u64(tb, ZVMO_VMO_ATTR_POPULATED);
	v->compressed = get_u64(tb, ZVMO_VMO_ATTR_COMPRESSED);
	v->pinned = get_u64(tb, ZVMO_VMO_ATTR_PINNED);
	v->metadata = get_u64(tb, ZVMO_VMO_ATTR_METADATA);
	v->uid = get_u32(tb, ZVMO_VMO_ATTR_UID);
	v->pager = get_u64(tb, ZVMO_VMO_ATTR_PAGER_KOID);
	v->dirty = get_u64(tb, ZVMO_VMO_ATTR_DIRTY);
	v->evicted = get_u64(tb, ZVMO_VMO_ATTR_EVICTED);
	v->lock_count = get_u64(tb, ZVMO_VMO_ATTR_LOCK_COUNT);
	v->discarded = tb[ZVMO_VMO_ATTR_DISCARDED] &&
		       nla_get_u8(tb[ZVMO_VMO_ATTR_DISCARDED]);
	v->leaf = get_u64(tb, ZVMO_VMO_ATTR_LEAF);
	v->truncated = tb[ZVMO_VMO_ATTR_NODES_TRUNCATED];
	if (tb[ZVMO_VMO_ATTR_NAME])
		snprintf(v->name, sizeof(v->name), "%s",
			 nla_get_string(tb[ZVMO_VMO_ATTR_NAME]));
	/* The hidden nodes it reads through: a repeated nest, in order. */
	nla_for_each_nested(a, nest, rem) {
		struct nlattr *nb[ZVMO_NODE_ATTR_MAX + 1];

		if (nla_type(a) != ZVMO_VMO_ATTR_NODE ||
		    v->nr_nodes == MAX_NODES ||
		    nla_parse_nested(nb, ZVMO_NODE_ATTR_MAX, a, NULL))
			continue;
		v->nodes[v->nr_nodes].id = get_u64(nb, ZVMO_NODE_ATTR_ID);
		v->nodes[v->nr_nodes].pages = get_u64(nb, ZVMO_NODE_ATTR_PAGES);
		v->nodes[v->nr_nodes].size = get_u64(nb, ZVMO_NODE_ATTR_SIZE);
		v->nr_nodes++;
	}
	return NL_OK;
}

static int parse_pager(struct snapshot *s, struct nlattr *nest)
{
	struct nlattr *tb[ZVMO_PAGER_ATTR_MAX + 1];
	struct pager *p;

	if (nla_parse_nested(tb, ZVMO_PAGER_ATTR_MAX, nest, NULL))
		return NL_SKIP;
	s->pagers = grow(s->pagers, &s->cap_pagers, s->nr_pagers, sizeof(*p));
	p = &s->pagers[s->nr_pagers++];
	p->koid = get_u64(tb, ZVMO_PAGER_ATTR_KOID);
	p->uid = get_u32(tb, ZVMO_PAGER_ATTR_UID);
	p->vmos = get_u64(tb, ZVMO_PAGER_ATTR_VMOS);
	p->requests = get_u64(tb, ZVMO_PAGER_ATTR_REQUESTS);
	p->queued = get_u64(tb, ZVMO_PAGER_ATTR_QUEUED);
	p->closed = tb[ZVMO_PAGER_ATTR_CLOSED] &&
		    nla_get_u8(tb[ZVMO_PAGER_ATTR_CLOSED]);
	return NL_OK;
}

static int parse_stats(struct snapshot *s, struct nlattr *nest)
{
	struct nlattr *tb[ZVMO_STAT_ATTR_MAX + 1];
	int i;

	if (nla_parse_nested(tb, ZVMO_STAT_ATTR_MAX, nest, NULL))
		return NL_SKIP;
	for (i = 0; i <= ZVMO_STAT_ATTR_MAX; i++)
		s->stats[i] = get_u64(tb, i);
	s->have_stats = true;
	return NL_OK;
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ZVMO_ATTR_MAX + 1];
	struct snapshot *s = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ZVMO_ATTR_MAX, NULL))
		return NL_SKIP;
	if (tb[ZVMO_ATTR_VMO])
		return parse_vmo(s, tb[ZVMO_ATTR_VMO]);
	if (tb[ZVMO_ATTR_PAGER])
		return parse_pager(s, tb[ZVMO_ATTR_PAGER]);
	if (tb[ZVMO_ATTR_STATS])
		return parse_stats(s, tb[ZVMO_ATTR_STATS]);
	return NL_OK;
}

/* Send @cmd (a dump if @dump) and gather what comes back into @s. */
static int request(struct nl_sock *sk, int family, uint8_t cmd, bool dump,
		   struct snapshot *s)
{
	struct nl_msg *msg = nlmsg_alloc();
	int err;

	if (!msg)
		return -NLE_NOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : 0, cmd, ZVMO_GENL_VERSION)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, s);
	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return err;
	return nl_recvmsgs_default(sk);
}

static int take_snapshot(struct nl_sock *sk, int family, struct snapshot *s)
{
	int err;

	s->nr_vmos = s->nr_pagers = 0;
	s->have_stats = false;
	err = request(sk, family, ZVMO_CMD_GET_VMO, true, s);
	if (!err)
		err = request(sk, family, ZVMO_CMD_GET_PAGER, true, s);
	if (!err)
		err = request(sk, family, ZVMO_CMD_GET_STATS, false, s);
	return err;
}

/* Bytes as a person reads them: 512 B, 4.0 KiB, 1.5 MiB. */
static const char *human(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	double v = bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

static const char *flag_names(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} names[] = {
		{ ZVMO_INFO_COW_CLONE, "clone" },
		{ ZVMO_INFO_SLICE, "slice" },
		{ ZVMO_INFO_REFERENCE, "ref" },
		{ ZVMO_INFO_PAGER_BACKED, "pager" },
		{ ZVMO_INFO_RESIZABLE, "resizable" },
		{ ZVMO_INFO_CONTIGUOUS, "contig" },
		{ ZVMO_INFO_DISCARDABLE, "discardable" },
	};
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].flag)
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? "," : "", names[i].name);
	if (!n)
		snprintf(buf, len, "-");
	return buf;
}

static int by_memory(const void *a, const void *b)
{
	const struct vmo *x = a, *y = b;

	if (x->scaled != y->scaled)
		return x->scaled < y->scaled ? 1 : -1;
	if (x->committed != y->committed)
		return x->committed < y->committed ? 1 : -1;
	return x->koid < y->koid ? -1 : x->koid > y->koid;
}

static void print_table(struct snapshot *s)
{
	uint64_t committed = 0, scaled = 0, pinned = 0;
	char b[6][24], f[64];
	size_t i;

	qsort(s->vmos, s->nr_vmos, sizeof(*s->vmos), by_memory);
	printf("%8s  %-20s %10s %10s %10s %10s %10s %5s %10s %6s  %s\n",
	       "KOID", "NAME", "SIZE", "COMMITTED", "PRIVATE", "SCALED",
	       "COMPRESSED", "MAPS", "PINNED", "UID", "FLAGS");
	for (i = 0; i < s->nr_vmos; i++) {
		struct vmo *v = &s->vmos[i];

		printf("%8" PRIu64 "  %-20.20s %10s %10s %10s %10s %10s %5"
		       PRIu64 " %10s %6u  %s\n", v->koid,
		       v->name[0] ? v->name : "-",
		       human(v->size, b[0], sizeof(b[0])),
		       human(v->committed, b[1], sizeof(b[1])),
		       human(v->private_, b[2], sizeof(b[2])),
		       human(v->scaled, b[3], sizeof(b[3])),
		       human(v->compressed, b[5], sizeof(b[5])), v->mappings,
		       human(v->pinned, b[4], sizeof(b[4])), v->uid,
		       flag_names(v->flags, f, sizeof(f)));
		committed += v->committed;
		scaled += v->scaled;
		pinned += v->pinned;
	}
	printf("total: %zu VMOs, %s held (scaled), %s committed as seen, %s pinned\n",
	       s->nr_vmos, human(scaled, b[0], sizeof(b[0])),
	       human(committed, b[1], sizeof(b[1])),
	       human(pinned, b[2], sizeof(b[2])));
	if (s->have_stats) {
		uint64_t *st = s->stats;

		printf("module: %" PRIu64 " pages (%s), %" PRIu64
		       " page-list nodes (%s), %" PRIu64 " pagers; %" PRIu64
		       " faults, %" PRIu64 " forks, %" PRIu64 " migrations, %"
		       PRIu64 " merges\n",
		       st[ZVMO_STAT_ATTR_PAGES],
		       human(st[ZVMO_STAT_ATTR_PAGES] * 4096, b[0], sizeof(b[0])),
		       st[ZVMO_STAT_ATTR_PAGE_LIST_NODES],
		       human(st[ZVMO_STAT_ATTR_PAGE_LIST_BYTES], b[1],
			     sizeof(b[1])),
		       st[ZVMO_STAT_ATTR_PAGERS], st[ZVMO_STAT_ATTR_FAULTS],
		       st[ZVMO_STAT_ATTR_FORKS], st[ZVMO_STAT_ATTR_MIGRATIONS],
		       st[ZVMO_STAT_ATTR_MERGES]);
		printf("reclaim: %" PRIu64 " zero pages deduped, %" PRIu64
		       " evicted, %" PRIu64 " VMOs discarded (%" PRIu64
		       " pages); pagers: %" PRIu64 " requests, %" PRIu64
		       " pages supplied\n",
		       st[ZVMO_STAT_ATTR_DEDUPED], st[ZVMO_STAT_ATTR_EVICTED],
		       st[ZVMO_STAT_ATTR_DISCARDED_VMOS],
		       st[ZVMO_STAT_ATTR_DISCARDED], st[ZVMO_STAT_ATTR_REQUESTS],
		       st[ZVMO_STAT_ATTR_SUPPLIED]);
		printf("compression: %" PRIu64 " pages (%s) held in %s, ratio %"
		       PRIu64 ".%02" PRIu64 "; %" PRIu64 " compressed, %" PRIu64
		       " decompressed, %" PRIu64 " left as poor\n",
		       st[ZVMO_STAT_ATTR_COMPRESSED_PAGES],
		       human(st[ZVMO_STAT_ATTR_COMPRESSED_PAGES] * 4096, b[0],
			     sizeof(b[0])),
		       human(st[ZVMO_STAT_ATTR_COMPRESSED_POOL_BYTES], b[1],
			     sizeof(b[1])),
		       st[ZVMO_STAT_ATTR_COMPRESSION_RATIO] / 100,
		       st[ZVMO_STAT_ATTR_COMPRESSION_RATIO] % 100,
		       st[ZVMO_STAT_ATTR_COMPRESSIONS],
		       st[ZVMO_STAT_ATTR_DECOMPRESSIONS],
		       st[ZVMO_STAT_ATTR_COMPRESS_POOR]);
	}
}

/*
 * The clone trees. Every VMO names the node it reads (its leaf; slices
 * and references name their owner's) and the hidden nodes above it,
 * nearest first; a hidden node's parent is the next one in any list that
 * holds it.
 */
struct tnode {
	uint64_t id;
	uint64_t parent;	/* 0 for a root */
	uint64_t pages;		/* a hidden node's own */
	uint64_t size;
	bool hidden;
};

struct forest {
	struct tnode *n;
	size_t nr, cap;
};

static struct tnode *forest_get(struct forest *f, uint64_t id)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		if (f->n[i].id == id)
			return &f->n[i];
	f->n = grow(f->n, &f->cap, f->nr, sizeof(*f->n));
	memset(&f->n[f->nr], 0, sizeof(f->n[0]));
	f->n[f->nr].id = id;
	return &f->n[f->nr++];
}

static void tree_line(const char *prefix, bool last, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tree_line(const char *prefix, bool last, const char *fmt, ...)
{
	va_list ap;

	/* A root (prefix NULL) starts its line; the others hang below. */
	if (prefix)
		printf("%s%s", prefix, last ? "`-- " : "|-- ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void print_vmo_line(const struct vmo *v, const char *prefix, bool last)
{
	char b[5][24], f[64];

	tree_line(prefix, last,
		  "vmo %" PRIu64 " \"%s\" [%s] size %s, committed %s, private %s, scaled %s, compressed %s",
		  v->koid, v->name, flag_names(v->flags, f, sizeof(f)),
		  human(v->size, b[0], sizeof(b[0])),
		  human(v->committed, b[1], sizeof(b[1])),
		  human(v->private_, b[2], sizeof(b[2])),
		  human(v->scaled, b[3], sizeof(b[3])),
		  human(v->compressed, b[4], sizeof(b[4])));
}

static void print_subtree(struct snapshot *s, struct forest *f,
			  const struct tnode *t, const char *prefix,
			  bool last, int depth)
{
	char sub[512], b[24];
	size_t i, nkids = 0, k = 0;

	if (t->hidden) {
		tree_line(prefix, last, "hidden node #%" PRIu64 ": %" PRIu64
			  " pages (%s) shared by the VMOs below", t->id,
			  t->pages, human(t->pages * 4096, b, sizeof(b)));
	} else {
		/* A leaf: its owner, then the slices and references of it. */
		const struct vmo *owner = NULL;

		for (i = 0; i < s->nr_vmos; i++)
			if (s->vmos[i].leaf == t->id &&
			    !(s->vmos[i].flags &
			      (ZVMO_INFO_SLICE | ZVMO_INFO_REFERENCE)))
				owner = &s->vmos[i];
		if (owner)
			print_vmo_line(owner, prefix, last);
		else
			tree_line(prefix, last, "node #%" PRIu64
				  " (its VMO is not yours)", t->id);
	}
	snprintf(sub, sizeof(sub), "%s%s", prefix ? prefix : "",
		 !prefix ? "" : last ? "    " : "|   ");
	if (depth > 60 || strlen(sub) > sizeof(sub) - 8)
		return;
	for (i = 0; i < f->nr; i++)
		nkids += f->n[i].parent == t->id;
	if (!t->hidden)
		for (i = 0; i < s->nr_vmos; i++)
			nkids += s->vmos[i].leaf == t->id &&
				 (s->vmos[i].flags &
				  (ZVMO_INFO_SLICE | ZVMO_INFO_REFERENCE));
	for (i = 0; i < f->nr; i++)
		if (f->n[i].parent == t->id)
			print_subtree(s, f, &f->n[i], sub, ++k == nkids,
				      depth + 1);
	if (!t->hidden)
		for (i = 0; i < s->nr_vmos; i++)
			if (s->vmos[i].leaf == t->id &&
			    (s->vmos[i].flags &
			     (ZVMO_INFO_SLICE | ZVMO_INFO_REFERENCE)))
				print_vmo_line(&s->vmos[i], sub, ++k == nkids);
}

static void print_tree(struct snapshot *s)
{
	struct forest f = { 0 };
	size_t i, roots = 0;
	uint64_t scaled = 0;
	unsigned int j;
	char b[24];

	qsort(s->vmos, s->nr_vmos, sizeof(*s->vmos), by_memory);
	for (i = 0; i < s->nr_vmos; i++) {
		struct vmo *v = &s->vmos[i];
		struct tnode *t = forest_get(&f, v->leaf);

		if (v->nr_nodes)
			t->parent = v->nodes[0].id;
		for (j = 0; j < v->nr_nodes; j++) {
			t = forest_get(&f, v->nodes[j].id);
			t->hidden = true;
			t->pages = v->nodes[j].pages;
			t->size = v->nodes[j].size;
			t->parent = j + 1 < v->nr_nodes ? v->nodes[j + 1].id : 0;
		}
	}
	for (i = 0; i < f.nr; i++) {
		if (f.n[i].parent)
			continue;
		print_subtree(s, &f, &f.n[i], NULL, true, 0);
		roots++;
	}
	for (i = 0; i < s->nr_vmos; i++)
		scaled += s->vmos[i].scaled;
	printf("total: %zu VMOs in %zu hierarchies, %s held\n", s->nr_vmos,
	       roots, human(scaled, b, sizeof(b)));
	free(f.n);
}

static void print_pagers(struct snapshot *s)
{
	size_t i;

	printf("%8s %6s %6s %9s %7s  %s\n", "KOID", "UID", "VMOS",
	       "REQUESTS", "QUEUED", "STATE");
	for (i = 0; i < s->nr_pagers; i++) {
		struct pager *p = &s->pagers[i];

		printf("%8" PRIu64 " %6u %6" PRIu64 " %9" PRIu64 " %7" PRIu64
		       "  %s\n", p->koid, p->uid, p->vmos, p->requests,
		       p->queued, p->closed ? "closed" : "open");
	}
	printf("total: %zu pagers\n", s->nr_pagers);
}

static void print_stats(struct snapshot *s)
{
	int i;

	for (i = 0; i <= ZVMO_STAT_ATTR_MAX; i++)
		if (stat_names[i])
			printf("%-18s %" PRIu64 "\n", stat_names[i], s->stats[i]);
}

static void json_string(const char *str)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)str; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_json(struct snapshot *s)
{
	unsigned int j;
	size_t i;
	int k;

	printf("{\"vmos\":[");
	for (i = 0; i < s->nr_vmos; i++) {
		struct vmo *v = &s->vmos[i];

		printf("%s{\"koid\":%" PRIu64 ",\"name\":", i ? "," : "",
		       v->koid);
		json_string(v->name);
		printf(",\"size\":%" PRIu64 ",\"flags\":%u,\"parent_koid\":%"
		       PRIu64 ",\"num_children\":%" PRIu64
		       ",\"num_mappings\":%" PRIu64 ",\"committed_bytes\":%"
		       PRIu64 ",\"committed_private_bytes\":%" PRIu64
		       ",\"committed_scaled_bytes\":%" PRIu64
		       ",\"populated_bytes\":%" PRIu64
		       ",\"compressed_bytes\":%" PRIu64 ",\"pinned_bytes\":%"
		       PRIu64 ",\"metadata_bytes\":%" PRIu64 ",\"uid\":%u"
		       ",\"leaf\":%" PRIu64,
		       v->size, v->flags, v->parent, v->children, v->mappings,
		       v->committed, v->private_, v->scaled, v->populated,
		       v->compressed, v->pinned, v->metadata, v->uid, v->leaf);
		if (v->pager)
			printf(",\"pager_koid\":%" PRIu64 ",\"dirty_bytes\":%"
			       PRIu64 ",\"evicted_pages\":%" PRIu64, v->pager,
			       v->dirty, v->evicted);
		if (v->flags & ZVMO_INFO_DISCARDABLE)
			printf(",\"lock_count\":%" PRIu64 ",\"discarded\":%s",
			       v->lock_count, v->discarded ? "true" : "false");
		printf(",\"hidden_nodes\":[");
		for (j = 0; j < v->nr_nodes; j++)
			printf("%s{\"id\":%" PRIu64 ",\"pages\":%" PRIu64
			       ",\"size\":%" PRIu64 "}", j ? "," : "",
			       v->nodes[j].id, v->nodes[j].pages,
			       v->nodes[j].size);
		printf("]}");
	}
	printf("],\"pagers\":[");
	for (i = 0; i < s->nr_pagers; i++)
		printf("%s{\"koid\":%" PRIu64 ",\"uid\":%u,\"vmos\":%" PRIu64
		       ",\"requests\":%" PRIu64 ",\"queued\":%" PRIu64
		       ",\"closed\":%s}", i ? "," : "", s->pagers[i].koid,
		       s->pagers[i].uid, s->pagers[i].vmos,
		       s->pagers[i].requests, s->pagers[i].queued,
		       s->pagers[i].closed ? "true" : "false");
	printf("],\"stats\":{");
	for (i = 0, k = 0; k <= ZVMO_STAT_ATTR_MAX; k++)
		if (stat_names[k])
			printf("%s\"%s\":%" PRIu64, i++ ? "," : "",
			       stat_names[k], s->stats[k]);
	printf("}}\n");
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: zvmo-stat [--tree | --pagers | --stats | --json] [--watch N]\n"
		"  (default)   every VMO you may see, by memory held, with totals\n"
		"  --tree      the clone hierarchies, hidden nodes included\n"
		"  --pagers    the pagers and what they have yet to answer\n"
		"  --stats     the module's counters, one per line\n"
		"  --json      all of it, as one JSON document\n"
		"  --watch N   print again every N seconds, as top does\n"
		"With CAP_SYS_ADMIN it sees every VMO; without, the ones its user made.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tree", no_argument, NULL, 't' },
		{ "pagers", no_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct snapshot snap = { 0 };
	int mode = 0, c, family, err;
	unsigned long watch = 0;
	struct nl_sock *sk;
	char *end;

	while ((c = getopt_long(argc, argv, "tpsjw:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
		case 'p':
		case 's':
		case 'j':
			if (mode && mode != c) {
				usage(stderr);
				return 2;
			}
			mode = c;
			break;
		case 'w':
			errno = 0;
			/* Digits only: strtoul() would take "-1" as huge. */
			watch = strtoul(optarg, &end, 10);
			if (errno || *end || !watch ||
			    strspn(optarg, "0123456789") != strlen(optarg) ||
			    watch > 86400) {
				fprintf(stderr, "zvmo-stat: --watch wants a number of seconds, 1 to 86400\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "zvmo-stat: no generic netlink socket\n");
		return 1;
	}
	/* Every request is answered by a reply or an error: no ACKs. */
	nl_socket_disable_auto_ack(sk);
	family = genl_ctrl_resolve(sk, ZVMO_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "zvmo-stat: the zvmo module is not loaded (%s)\n",
			nl_geterror(family));
		return 1;
	}
	for (;;) {
		err = take_snapshot(sk, family, &snap);
		if (err) {
			fprintf(stderr, "zvmo-stat: %s\n", nl_geterror(err));
			return 1;
		}
		/*
		 * A screen cleared for each snapshot, as top does; JSON goes
		 * out as one document a line after another, for a program.
		 */
		if (watch && mode != 'j' && isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");
		switch (mode) {
		case 't':
			print_tree(&snap);
			break;
		case 'p':
			print_pagers(&snap);
			break;
		case 's':
			print_stats(&snap);
			break;
		case 'j':
			print_json(&snap);
			break;
		default:
			print_table(&snap);
		}
		fflush(stdout);
		if (!watch)
			break;
		sleep(watch);
	}
	nl_socket_free(sk);
	free(snap.vmos);
	free(snap.pagers);
	return 0;
}
