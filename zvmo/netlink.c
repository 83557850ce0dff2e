// SPDX-License-Identifier: GPL-2.0
/*
 * Introspection over generic netlink: the "zvmo" family (uapi/zvmo.h)
 * dumps every VMO with its memory and its place in its clone hierarchy,
 * every pager with what it has yet to answer, and the module's counters.
 * zvmo-stat (tools/zvmo-stat) is its reader.
 *
 * Requests are validated by the family's policy before a command runs:
 * only ZVMO_ATTR_KOID, a u64, may come in. A caller without
 * CAP_SYS_ADMIN (checked against the socket's opener, as netlink does)
 * sees what its effective uid made, nothing else.
 *
 * The family runs its operations in parallel: each takes its own
 * references and locks (a VMO's through zvmo_vmo_next(), its hierarchy's
 * while it is looked at), and holds none of them while a message is
 * built.
 */
#include <linux/cred.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "cow/cow_mm.h"
#include "pager/pager.h"
#include "stats.h"
#include "vmo.h"

static struct genl_family zvmo_genl_family;

static const struct nla_policy zvmo_nl_policy[ZVMO_ATTR_MAX + 1] = {
	[ZVMO_ATTR_KOID] = { .type = NLA_U64 },
};

/* Whose objects the caller may see: anyone's (INVALID_UID), or its own. */
static kuid_t zvmo_nl_viewer(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN) ? INVALID_UID :
						     current_euid();
}

static u32 zvmo_nl_uid(kuid_t uid)
{
	return from_kuid_munged(current_user_ns(), uid);
}

/* The pager a VMO's content comes from, through its clones' origins. */
static u64 zvmo_nl_pager_koid(struct zvmo_vmo *vmo)
{
	struct zvmo_cow_pages *cow = vmo->cow;

	while (!cow->source && cow->origin)
		cow = cow->origin;
	return cow->source ? zvmo_page_source_pager_koid(cow->source) : 0;
}

static int zvmo_nl_put_nodes(struct sk_buff *skb,
			     const struct zvmo_cow_report *r)
{
	struct nlattr *nest;
	unsigned int i;

	for (i = 0; i < r->nr_nodes; i++) {
		nest = nla_nest_start(skb, ZVMO_VMO_ATTR_NODE);
		if (!nest ||
		    nla_put_u64_64bit(skb, ZVMO_NODE_ATTR_ID, r->nodes[i].id,
				      ZVMO_NODE_ATTR_PAD) ||
		    nla_put_u64_64bit(skb, ZVMO_NODE_ATTR_PAGES,
				      r->nodes[i].pages, ZVMO_NODE_ATTR_PAD) ||
		    nla_put_u64_64bit(skb, ZVMO_NODE_ATTR_SIZE,
				      r->nodes[i].size, ZVMO_NODE_ATTR_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	if (r->truncated && nla_put_flag(skb, ZVMO_VMO_ATTR_NODES_TRUNCATED))
		return -EMSGSIZE;
	return 0;
}

static int zvmo_nl_put_u64s(struct sk_buff *skb, const u64 *v,
			    unsigned int first, unsigned int last, int pad)
{
	unsigned int i;

	for (i = first; i <= last; i++)
		if (nla_put_u64_64bit(skb, i, v[i], pad))
			return -EMSGSIZE;
	return 0;
}

/* One VMO's message; @r is scratch space for its report. */
static int zvmo_nl_put_vmo(struct sk_buff *skb, u32 portid, u32 seq,
			   int flags, struct zvmo_vmo *vmo,
			   struct zvmo_cow_report *r)
{
	u64 v[ZVMO_VMO_ATTR_MAX + 1] = { 0 };
	struct zvmo_vmo_info info = { 0 };
	struct nlattr *nest;
	void *hdr;
	u64 pager;

	zvmo_vmo_info(vmo, &info);
	zvmo_cow_report(vmo->cow, r);
	pager = zvmo_nl_pager_koid(vmo);

	hdr = genlmsg_put(skb, portid, seq, &zvmo_genl_family, flags,
			  ZVMO_CMD_GET_VMO);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, ZVMO_ATTR_VMO);
	if (!nest)
		goto cancel;
	if (nla_put_u64_64bit(skb, ZVMO_VMO_ATTR_KOID, info.koid,
			      ZVMO_VMO_ATTR_PAD) ||
	    nla_put_string(skb, ZVMO_VMO_ATTR_NAME, info.name) ||
	    nla_put_u32(skb, ZVMO_VMO_ATTR_FLAGS, info.flags) ||
	    nla_put_u32(skb, ZVMO_VMO_ATTR_UID, zvmo_nl_uid(vmo->owner)))
		goto cancel;
	v[ZVMO_VMO_ATTR_SIZE] = info.size;
	v[ZVMO_VMO_ATTR_PARENT_KOID] = info.parent_koid;
	v[ZVMO_VMO_ATTR_NUM_CHILDREN] = info.num_children;
	v[ZVMO_VMO_ATTR_NUM_MAPPINGS] = info.num_mappings;
	v[ZVMO_VMO_ATTR_COMMITTED] = info.committed_bytes;
	v[ZVMO_VMO_ATTR_COMMITTED_PRIVATE] = info.committed_private_bytes;
	v[ZVMO_VMO_ATTR_COMMITTED_SCALED] = info.committed_scaled_bytes;
	v[ZVMO_VMO_ATTR_POPULATED] = info.populated_bytes;
	v[ZVMO_VMO_ATTR_PINNED] = info.pinned_bytes;
	v[ZVMO_VMO_ATTR_METADATA] = info.metadata_bytes;
	if (zvmo_nl_put_u64s(skb, v, ZVMO_VMO_ATTR_SIZE,
			     ZVMO_VMO_ATTR_SIZE, ZVMO_VMO_ATTR_PAD) ||
	    zvmo_nl_put_u64s(skb, v, ZVMO_VMO_ATTR_PARENT_KOID,
			     ZVMO_VMO_ATTR_METADATA, ZVMO_VMO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, ZVMO_VMO_ATTR_LEAF, r->leaf,
			      ZVMO_VMO_ATTR_PAD))
		goto cancel;
	if (pager &&
	    (nla_put_u64_64bit(skb, ZVMO_VMO_ATTR_PAGER_KOID, pager,
			       ZVMO_VMO_ATTR_PAD) ||
	     nla_put_u64_64bit(skb, ZVMO_VMO_ATTR_DIRTY, r->dirty,
			       ZVMO_VMO_ATTR_PAD) ||
	     nla_put_u64_64bit(skb, ZVMO_VMO_ATTR_EVICTED, r->evicted,
			       ZVMO_VMO_ATTR_PAD)))
		goto cancel;
	if ((info.flags & ZVMO_INFO_DISCARDABLE) &&
	    (nla_put_u64_64bit(skb, ZVMO_VMO_ATTR_LOCK_COUNT, r->lock_count,
			       ZVMO_VMO_ATTR_PAD) ||
	     nla_put_u8(skb, ZVMO_VMO_ATTR_DISCARDED, r->discarded)))
		goto cancel;
	if (!vmo->source &&
	    nla_put_u64_64bit(skb, ZVMO_VMO_ATTR_COMPRESSED,
			      info.populated_bytes - info.committed_bytes,
			      ZVMO_VMO_ATTR_PAD))
		goto cancel;
	if (zvmo_nl_put_nodes(skb, r))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int zvmo_nl_dump_vmos(struct sk_buff *skb, struct netlink_callback *cb)
{
	kuid_t viewer = zvmo_nl_viewer(cb->skb);
	unsigned long index = cb->args[0];
	struct zvmo_cow_report *r;
	struct zvmo_vmo *vmo;
	int err = 0;

	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	while ((vmo = zvmo_vmo_next(&index, viewer))) {
		err = zvmo_nl_put_vmo(skb, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI, vmo, r);
		/* Full: this one goes in the next message. */
		if (err)
			index = vmo->koid;
		zvmo_vmo_put(vmo);
		if (err)
			break;
		cb->args[0] = index;
	}
	kfree(r);
	/* A VMO that fits in no message at all would loop forever. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int zvmo_nl_get_vmo(struct sk_buff *skb, struct genl_info *info)
{
	struct zvmo_cow_report *r;
	struct zvmo_vmo *vmo;
	struct sk_buff *msg;
	unsigned long index;
	u64 koid;
	int err;

	if (!info->attrs[ZVMO_ATTR_KOID]) {
		NL_SET_ERR_MSG(info->extack, "ZVMO_ATTR_KOID is required");
		return -EINVAL;
	}
	koid = nla_get_u64(info->attrs[ZVMO_ATTR_KOID]);
	index = koid;
	vmo = zvmo_vmo_next(&index, zvmo_nl_viewer(skb));
	if (vmo && vmo->koid != koid) {
		zvmo_vmo_put(vmo);
		vmo = NULL;
	}
	if (!vmo)
		return -ENOENT;
	err = -ENOMEM;
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (r && msg)
		err = zvmo_nl_put_vmo(msg, info->snd_portid, info->snd_seq, 0,
				      vmo, r);
	zvmo_vmo_put(vmo);
	kfree(r);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int zvmo_nl_put_pager(struct sk_buff *skb, u32 portid, u32 seq,
			     const struct zvmo_pager_report *p)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &zvmo_genl_family, NLM_F_MULTI,
			  ZVMO_CMD_GET_PAGER);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, ZVMO_ATTR_PAGER);
	if (!nest ||
	    nla_put_u64_64bit(skb, ZVMO_PAGER_ATTR_KOID, p->koid,
			      ZVMO_PAGER_ATTR_PAD) ||
	    nla_put_u32(skb, ZVMO_PAGER_ATTR_UID, zvmo_nl_uid(p->owner)) ||
	    nla_put_u64_64bit(skb, ZVMO_PAGER_ATTR_VMOS, p->vmos,
			      ZVMO_PAGER_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, ZVMO_PAGER_ATTR_REQUESTS, p->requests,
			      ZVMO_PAGER_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, ZVMO_PAGER_ATTR_QUEUED, p->queued,
			      ZVMO_PAGER_ATTR_PAD) ||
	    nla_put_u8(skb, ZVMO_PAGER_ATTR_CLOSED, p->closed)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int zvmo_nl_dump_pagers(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	kuid_t viewer = zvmo_nl_viewer(cb->skb);
	unsigned long index = cb->args[0];
	struct zvmo_pager_report p;

	while (zvmo_pager_report_next(&index, viewer, &p)) {
		if (zvmo_nl_put_pager(skb, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, &p))
			break;
		cb->args[0] = index;
	}
	return skb->len;
}

static int zvmo_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	u64 v[ZVMO_STAT_ATTR_MAX + 1];
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	zvmo_stats_read(v);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &zvmo_genl_family, 0,
				ZVMO_CMD_GET_STATS);
	if (!hdr)
		goto full;
	nest = nla_nest_start(msg, ZVMO_ATTR_STATS);
	if (!nest || zvmo_nl_put_u64s(msg, v, ZVMO_STAT_ATTR_VMOS,
				      ZVMO_STAT_ATTR_MAX, ZVMO_STAT_ATTR_PAD))
		goto full;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
full:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops zvmo_nl_ops[] = {
	{
		.cmd = ZVMO_CMD_GET_VMO,
		.doit = zvmo_nl_get_vmo,
		.dumpit = zvmo_nl_dump_vmos,
	},
	{
		.cmd = ZVMO_CMD_GET_PAGER,
		.dumpit = zvmo_nl_dump_pagers,
	},
	{
		.cmd = ZVMO_CMD_GET_STATS,
		.doit = zvmo_nl_get_stats,
	},
};

static struct genl_family zvmo_genl_family __ro_after_init = {
	.name = ZVMO_GENL_NAME,
	.version = ZVMO_GENL_VERSION,
	.maxattr = ZVMO_ATTR_MAX,
	.policy = zvmo_nl_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = zvmo_nl_ops,
	.n_ops = ARRAY_SIZE(zvmo_nl_ops),
};

/**
 * zvmo_netlink_init() - register the "zvmo" generic netlink family
 *
 * Context: Module init.
 * Return: 0 or an errno.
 */
int zvmo_netlink_init(void)
{
	return genl_register_family(&zvmo_genl_family);
}

/**
 * zvmo_netlink_exit() - unregister it
 *
 * Context: Module exit.
 */
void zvmo_netlink_exit(void)
{
	genl_unregister_family(&zvmo_genl_family);
}
