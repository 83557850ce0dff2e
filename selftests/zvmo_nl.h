/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's generic netlink family from the tests' side, through
 * libnl-genl: requests with whatever attributes a test wants (malformed
 * ones included), the kernel's own errno back, and the VMO, pager and
 * counter messages parsed into plain structs.
 */
#ifndef _ZVMO_NL_H
#define _ZVMO_NL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <zvmo/uapi/zvmo.h>

struct zt_nl_node {
	uint64_t id, pages, size;
};

struct zt_nl_vmo {
	uint64_t koid, size, parent, children, mappings;
	uint64_t committed, private_, scaled, populated, compressed, pinned;
	uint64_t pager, dirty, evicted, lock_count, leaf;
	uint32_t flags, uid;
	bool has_pager, has_lock_count, discarded;
	char name[ZVMO_NAME_LEN];
	unsigned int nr_nodes;
	struct zt_nl_node nodes[8];
};

struct zt_nl_pager {
	uint64_t koid, vmos, requests, queued;
	uint32_t uid;
	bool closed;
};

/* What one request brought back. */
struct zt_nl_reply {
	int error;		/* the kernel's errno, negative, or 0 */
	unsigned int nr_vmos, nr_pagers;
	struct zt_nl_vmo vmos[256];
	struct zt_nl_pager pagers[32];
	uint64_t stats[ZVMO_STAT_ATTR_MAX + 1];
	bool have_stats;
};

struct zt_nl {
	struct nl_sock *sk;
	int family;
};

static inline int zt_nl_open(struct zt_nl *nl)
{
	nl->sk = nl_socket_alloc();
	if (!nl->sk || genl_connect(nl->sk))
		return -1;
	/* A reply or an error answers each request: no ACK on top. */
	nl_socket_disable_auto_ack(nl->sk);
	nl->family = genl_ctrl_resolve(nl->sk, ZVMO_GENL_NAME);
	return nl->family < 0 ? -1 : 0;
}

static inline void zt_nl_close(struct zt_nl *nl)
{
	nl_socket_free(nl->sk);
}

static inline uint64_t zt_nl_u64(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u64(tb[a]) : 0;
}

static inline void zt_nl_parse_vmo(struct zt_nl_reply *r, struct nlattr *nest)
{
	struct nlattr *tb[ZVMO_VMO_ATTR_MAX + 1], *a;
	struct zt_nl_vmo *v;
	int rem;

	if (r->nr_vmos == sizeof(r->vmos) / sizeof(r->vmos[0]) ||
	    nla_parse_nested(tb, ZVMO_VMO_ATTR_MAX, nest, NULL))
		return;
	v = &r->vmos[r->nr_vmos++];
	memset(v, 0, sizeof(*v));
	v->koid = zt_nl_u64(tb, ZVMO_VMO_ATTR_KOID);
	v->size = zt_nl_u64(tb, ZVMO_VMO_ATTR_SIZE);
	v->parent = zt_nl_u64(tb, ZVMO_VMO_ATTR_PARENT_KOID);
	v->children = zt_nl_u64(tb, ZVMO_VMO_ATTR_NUM_CHILDREN);
	v->mappings = zt_nl_u64(tb, ZVMO_VMO_ATTR_NUM_MAPPINGS);
	v->committed = zt_nl_u64(tb, ZVMO_VMO_ATTR_COMMITTED);
	v->private_ = zt_nl_u64(tb, ZVMO_VMO_ATTR_COMMITTED_PRIVATE);
	v->scaled = zt_nl_u64(tb, ZVMO_VMO_ATTR_COMMITTED_SCALED);
	v->populated = zt_nl_u64(tb, ZVMO_VMO_ATTR_POPULATED);
	v->compressed = zt_nl_u64(tb, ZVMO_VMO_ATTR_COMPRESSED);
	v->pinned = zt_nl_u64(tb, ZVMO_VMO_ATTR_PINNED);
	v->leaf = zt_nl_u64(tb, ZVMO_VMO_ATTR_LEAF);
	v->has_pager = tb[ZVMO_VMO_ATTR_PAGER_KOID];
	v->pager = zt_nl_u64(tb, ZVMO_VMO_ATTR_PAGER_KOID);
	v->dirty = zt_nl_u64(tb, ZVMO_VMO_ATTR_DIRTY);
	v->evicted = zt_nl_u64(tb, ZVMO_VMO_ATTR_EVICTED);
	v->has_lock_count = tb[ZVMO_VMO_ATTR_LOCK_COUNT];
	v->lock_count = zt_nl_u64(tb, ZVMO_VMO_ATTR_LOCK_COUNT);
	v->discarded = tb[ZVMO_VMO_ATTR_DISCARDED] &&
		       nla_get_u8(tb[ZVMO_VMO_ATTR_DISCARDED]);
	if (tb[ZVMO_VMO_ATTR_FLAGS])
		v->flags = nla_get_u32(tb[ZVMO_VMO_ATTR_FLAGS]);
	if (tb[ZVMO_VMO_ATTR_UID])
		v->uid = nla_get_u32(tb[ZVMO_VMO_ATTR_UID]);
	if (tb[ZVMO_VMO_ATTR_NAME])
		strncpy(v->name, nla_get_string(tb[ZVMO_VMO_ATTR_NAME]),
			sizeof(v->name) - 1);
	nla_for_each_nested(a, nest, rem) {
		struct nlattr *nb[ZVMO_NODE_ATTR_MAX + 1];

		if (nla_type(a) != ZVMO_VMO_ATTR_NODE || v->nr_nodes == 8 ||
		    nla_parse_nested(nb, ZVMO_NODE_ATTR_MAX, a, NULL))
			continue;
		v->nodes[v->nr_nodes].id = zt_nl_u64(nb, ZVMO_NODE_ATTR_ID);
		v->nodes[v->nr_nodes].pages = zt_nl_u64(nb,
							ZVMO_NODE_ATTR_PAGES);
		v->nodes[v->nr_nodes].size = zt_nl_u64(nb, ZVMO_NODE_ATTR_SIZE);
		v->nr_nodes++;
	}
}

static inline int zt_nl_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ZVMO_ATTR_MAX + 1];
	struct zt_nl_reply *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ZVMO_ATTR_MAX, NULL))
		return NL_SKIP;
	if (tb[ZVMO_ATTR_VMO])
		zt_nl_parse_vmo(r, tb[ZVMO_ATTR_VMO]);
	if (tb[ZVMO_ATTR_PAGER] &&
	    r->nr_pagers < sizeof(r->pagers) / sizeof(r->pagers[0])) {
		struct nlattr *pb[ZVMO_PAGER_ATTR_MAX + 1];
		struct zt_nl_pager *p = &r->pagers[r->nr_pagers];

		if (!nla_parse_nested(pb, ZVMO_PAGER_ATTR_MAX,
				      tb[ZVMO_ATTR_PAGER], NULL)) {
			p->koid = zt_nl_u64(pb, ZVMO_PAGER_ATTR_KOID);
			p->vmos = zt_nl_u64(pb, ZVMO_PAGER_ATTR_VMOS);
			p->requests = zt_nl_u64(pb, ZVMO_PAGER_ATTR_REQUESTS);
			p->queued = zt_nl_u64(pb, ZVMO_PAGER_ATTR_QUEUED);
			p->uid = pb[ZVMO_PAGER_ATTR_UID] ?
				 nla_get_u32(pb[ZVMO_PAGER_ATTR_UID]) : 0;
			p->closed = pb[ZVMO_PAGER_ATTR_CLOSED] &&
				    nla_get_u8(pb[ZVMO_PAGER_ATTR_CLOSED]);
			r->nr_pagers++;
		}
	}
	if (tb[ZVMO_ATTR_STATS]) {
		struct nlattr *sb[ZVMO_STAT_ATTR_MAX + 1];
		int i;

		if (!nla_parse_nested(sb, ZVMO_STAT_ATTR_MAX,
				      tb[ZVMO_ATTR_STATS], NULL)) {
			for (i = 0; i <= ZVMO_STAT_ATTR_MAX; i++)
				r->stats[i] = zt_nl_u64(sb, i);
			r->have_stats = true;
		}
	}
	return NL_OK;
}

static inline int zt_nl_err(struct sockaddr_nl *nla, struct nlmsgerr *e,
			    void *arg)
{
	((struct zt_nl_reply *)arg)->error = e->error;
	return NL_STOP;
}

/*
 * Send @cmd (a dump if @dump) with the attribute @attr of @len bytes at
 * @data (none if @attr is 0), and gather the answer in @r.
 */
static inline int zt_nl_request(struct zt_nl *nl, uint8_t cmd, bool dump,
				int attr, const void *data, int len,
				struct zt_nl_reply *r)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb;
	int err;

	memset(r, 0, sizeof(*r));
	if (!msg)
		return -ENOMEM;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
		    dump ? NLM_F_DUMP : 0, cmd, ZVMO_GENL_VERSION);
	if (attr)
		nla_put(msg, attr, len, data);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, zt_nl_valid, r);
	nl_cb_err(cb, NL_CB_CUSTOM, zt_nl_err, r);
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err >= 0)
		err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (r->error)
		return r->error;
	return err < 0 ? -EIO : 0;
}

static inline struct zt_nl_vmo *zt_nl_find(struct zt_nl_reply *r,
					   uint64_t koid)
{
	unsigned int i;

	for (i = 0; i < r->nr_vmos; i++)
		if (r->vmos[i].koid == koid)
			return &r->vmos[i];
	return NULL;
}

#endif /* _ZVMO_NL_H */
