// SPDX-License-Identifier: GPL-2.0
/*
 * Introspection: the "zvmo" generic netlink family against what
 * ZVMO_IOC_VMO_INFO and ZVMO_IOC_STATS say of the same objects, its
 * policy refusing malformed requests, who sees what, /proc/zvmo, and the
 * zvmo-stat tool (when the VM has it: make check puts it there). Runs as
 * root.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zvmo/zx.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"
#include "zvmo_pager.h"
#include "zvmo_nl.h"

static void set_name(int fd, const char *name)
{
	struct zvmo_name n = { .argsz = sizeof(n) };

	strncpy(n.name, name, sizeof(n.name) - 1);
	ioctl(fd, ZVMO_IOC_VMO_SET_NAME, &n);
}

static void write_pages(int fd, uint64_t first, uint64_t n, char c)
{
	static char buf[PAGE];
	uint64_t i;

	memset(buf, c, sizeof(buf));
	for (i = first; i < first + n; i++)
		if (pwrite(fd, buf, PAGE, i * PAGE) != (ssize_t)PAGE)
			abort();
}

/* A clone tree: root, two snapshots of it, a slice and a reference. */
struct tree {
	int root, snap1, snap2, slice, ref, pmt;
	void *map;
};

static int make_tree(struct tree *t)
{
	t->root = zt_create(16 * PAGE, 0, 0);
	if (t->root < 0)
		return -1;
	set_name(t->root, "root");
	write_pages(t->root, 0, 16, 'r');
	t->snap1 = zt_child(t->root, ZVMO_CHILD_SNAPSHOT, 0, 16 * PAGE);
	if (t->snap1 < 0)
		return -1;
	set_name(t->snap1, "snap1");
	write_pages(t->snap1, 0, 2, '1');
	t->snap2 = zt_child(t->root, ZVMO_CHILD_SNAPSHOT, 4 * PAGE, 8 * PAGE);
	if (t->snap2 < 0)
		return -1;
	set_name(t->snap2, "snap2");
	t->slice = zt_child(t->root, ZVMO_CHILD_SLICE, 2 * PAGE, 4 * PAGE);
	t->ref = zt_child(t->root, ZVMO_CHILD_REFERENCE, 0, 0);
	if (t->slice < 0 || t->ref < 0)
		return -1;
	t->pmt = zt_pin(t->snap2, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0);
	t->map = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, t->root, 0);
	return t->pmt < 0 || t->map == MAP_FAILED ? -1 : 0;
}

static void free_tree(struct tree *t)
{
	munmap(t->map, 4 * PAGE);
	close(t->pmt);
	close(t->ref);
	close(t->slice);
	close(t->snap2);
	close(t->snap1);
	close(t->root);
}

/* Every field the dump shares with ZVMO_IOC_VMO_INFO is the same. */
static int same_as_info(int fd, const struct zt_nl_vmo *v)
{
	struct zvmo_vmo_info info;

	if (!v || zt_info(fd, &info))
		return 0;
	return v->koid == info.koid && v->size == info.size &&
	       v->flags == info.flags && v->parent == info.parent_koid &&
	       v->children == info.num_children &&
	       v->mappings == info.num_mappings &&
	       v->committed == info.committed_bytes &&
	       v->private_ == info.committed_private_bytes &&
	       v->scaled == info.committed_scaled_bytes &&
	       v->populated == info.populated_bytes &&
	       v->pinned == info.pinned_bytes &&
	       !strcmp(v->name, info.name) && v->uid == getuid();
}

static uint64_t koid_of(int fd)
{
	struct zvmo_vmo_info info;

	return zt_info(fd, &info) ? 0 : info.koid;
}

static struct zt_nl_reply reply;

TEST(dump_matches_vmo_info)
{
	struct zt_nl_vmo *root, *snap1, *snap2, *slice, *ref;
	zx_info_vmo_t zinfo;
	uint64_t held, scaled;
	struct zt_nl nl;
	struct tree t;

	ASSERT_EQ(0, zt_nl_open(&nl));
	ASSERT_EQ(0, make_tree(&t));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, true, 0, NULL, 0,
				   &reply));
	root = zt_nl_find(&reply, koid_of(t.root));
	snap1 = zt_nl_find(&reply, koid_of(t.snap1));
	snap2 = zt_nl_find(&reply, koid_of(t.snap2));
	slice = zt_nl_find(&reply, koid_of(t.slice));
	ref = zt_nl_find(&reply, koid_of(t.ref));
	ASSERT_TRUE(root && snap1 && snap2 && slice && ref);
	EXPECT_TRUE(same_as_info(t.root, root));
	EXPECT_TRUE(same_as_info(t.snap1, snap1));
	EXPECT_TRUE(same_as_info(t.snap2, snap2));
	EXPECT_TRUE(same_as_info(t.slice, slice));
	EXPECT_TRUE(same_as_info(t.ref, ref));
	EXPECT_EQ(1, root->mappings);
	EXPECT_EQ(PAGE, snap2->pinned);
	/* And what ZX_INFO_VMO says, through the Zircon layer. */
	ASSERT_EQ(ZX_OK, zx_object_get_info(t.snap1, ZX_INFO_VMO, &zinfo,
					    sizeof(zinfo), NULL, NULL));
	EXPECT_EQ(zinfo.koid, snap1->koid);
	EXPECT_EQ(zinfo.size_bytes, snap1->size);
	EXPECT_EQ(zinfo.parent_koid, snap1->parent);
	EXPECT_EQ(zinfo.committed_bytes, snap1->committed);
	EXPECT_EQ(zinfo.committed_private_bytes, snap1->private_);
	EXPECT_EQ(zinfo.committed_scaled_bytes, snap1->scaled);
	EXPECT_EQ(zinfo.populated_bytes, snap1->populated);
	EXPECT_STREQ(zinfo.name, snap1->name);

	/*
	 * The shape: each snapshot put a hidden node above root; the second
	 * went below the first. Slices and references read root's leaf.
	 */
	ASSERT_EQ(2, root->nr_nodes);
	ASSERT_EQ(1, snap1->nr_nodes);
	ASSERT_EQ(2, snap2->nr_nodes);
	EXPECT_EQ(root->nodes[1].id, snap1->nodes[0].id);
	EXPECT_EQ(root->nodes[0].id, snap2->nodes[0].id);
	EXPECT_EQ(root->nodes[1].id, snap2->nodes[1].id);
	EXPECT_NE(root->nodes[0].id, root->nodes[1].id);
	EXPECT_EQ(root->leaf, slice->leaf);
	EXPECT_EQ(root->leaf, ref->leaf);
	EXPECT_NE(root->leaf, snap1->leaf);
	/* A slice reads root's leaf, through root's ancestors. */
	ASSERT_EQ(2, slice->nr_nodes);
	EXPECT_EQ(root->nodes[0].id, slice->nodes[0].id);
	/*
	 * The oldest node holds root's 16 pages (snap1 wrote copies); the
	 * pin forked one page down to snap2 through the newer node, which
	 * kept a copy for root: 1 page.
	 */
	EXPECT_EQ(16 * PAGE, root->nodes[1].size);
	EXPECT_EQ(16, root->nodes[1].pages);
	EXPECT_EQ(1, root->nodes[0].pages);
	/*
	 * Scaled bytes of the owners add up to the pages really held (to
	 * within what dividing each page among its readers rounds off).
	 */
	held = (root->nodes[0].pages + root->nodes[1].pages + 2 + 1) * PAGE;
	scaled = root->scaled + snap1->scaled + snap2->scaled;
	EXPECT_GE(64, held > scaled ? held - scaled : scaled - held);
	free_tree(&t);
	zt_nl_close(&nl);
}

TEST(get_one_vmo)
{
	struct zt_nl nl;
	uint64_t koid, none = 1;
	int fd;

	ASSERT_EQ(0, zt_nl_open(&nl));
	fd = zt_create(4 * PAGE, 0, 0);
	ASSERT_LE(0, fd);
	koid = koid_of(fd);
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false,
				   ZVMO_ATTR_KOID, &koid, sizeof(koid),
				   &reply));
	ASSERT_EQ(1, reply.nr_vmos);
	EXPECT_TRUE(same_as_info(fd, &reply.vmos[0]));
	EXPECT_EQ(-ENOENT, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false,
					 ZVMO_ATTR_KOID, &none, sizeof(none),
					 &reply));
	EXPECT_EQ(-EINVAL, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false, 0,
					 NULL, 0, &reply));
	close(fd);
	EXPECT_EQ(-ENOENT, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false,
					 ZVMO_ATTR_KOID, &koid, sizeof(koid),
					 &reply));
	zt_nl_close(&nl);
}

/* The policy refuses before anything runs: sizes, types, unknowns. */
TEST(policy_refuses_malformed_requests)
{
	uint64_t koid = 1234, big[2] = { 1, 2 };
	uint32_t small = 1234;
	struct zt_nl nl;

	ASSERT_EQ(0, zt_nl_open(&nl));
	EXPECT_EQ(-EINVAL, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false,
					 ZVMO_ATTR_KOID, &small, sizeof(small),
					 &reply));
	EXPECT_EQ(-EINVAL, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false,
					 ZVMO_ATTR_KOID, big, sizeof(big),
					 &reply));
	EXPECT_EQ(-EINVAL, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, true,
					 ZVMO_ATTR_MAX + 1, &koid,
					 sizeof(koid), &reply));
	EXPECT_EQ(-EINVAL, zt_nl_request(&nl, ZVMO_CMD_GET_STATS, false,
					 ZVMO_ATTR_VMO, &koid, sizeof(koid),
					 &reply));
	EXPECT_EQ(-EINVAL, zt_nl_request(&nl, ZVMO_CMD_GET_PAGER, true,
					 ZVMO_ATTR_PAD, &koid, sizeof(koid),
					 &reply));
	EXPECT_EQ(-EOPNOTSUPP, zt_nl_request(&nl, ZVMO_CMD_MAX + 1, false, 0,
					     NULL, 0, &reply));
	/* Well-formed, the same requests work. */
	EXPECT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_STATS, false, 0, NULL,
				   0, &reply));
	EXPECT_TRUE(reply.have_stats);
	zt_nl_close(&nl);
}

TEST(stats_match_ioctl_and_proc)
{
	struct zvmo_stats st;
	uint64_t faults;
	char name[64];
	void *map;
	unsigned long long value;
	struct zt_nl nl;
	int fd, lines = 0, found = 0;
	FILE *f;

	ASSERT_EQ(0, zt_nl_open(&nl));
	fd = zt_create(8 * PAGE, 0, 0);
	ASSERT_LE(0, fd);
	write_pages(fd, 0, 8, 's');
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_STATS, false, 0, NULL,
				   0, &reply));
	ASSERT_TRUE(reply.have_stats);
	ASSERT_EQ(0, zt_stats(&st));
	EXPECT_EQ(st.vmos, reply.stats[ZVMO_STAT_ATTR_VMOS]);
	EXPECT_EQ(st.pages, reply.stats[ZVMO_STAT_ATTR_PAGES]);
	EXPECT_EQ(st.handles, reply.stats[ZVMO_STAT_ATTR_HANDLES]);
	EXPECT_EQ(st.page_list_bytes,
		  reply.stats[ZVMO_STAT_ATTR_PAGE_LIST_BYTES]);
	EXPECT_EQ(st.deduped_pages, reply.stats[ZVMO_STAT_ATTR_DEDUPED]);
	EXPECT_LE(8, reply.stats[ZVMO_STAT_ATTR_PAGES]);

	/* Faults are counted per CPU and summed: a touch of a page adds. */
	faults = reply.stats[ZVMO_STAT_ATTR_FAULTS];
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ('s', *(volatile char *)map);
	munmap(map, PAGE);
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_STATS, false, 0, NULL,
				   0, &reply));
	EXPECT_LT(faults, reply.stats[ZVMO_STAT_ATTR_FAULTS]);

	f = fopen("/proc/zvmo", "r");
	ASSERT_NE(NULL, f);
	while (fscanf(f, "%63s %llu", name, &value) == 2) {
		lines++;
		if (!strcmp(name, "vmos")) {
			found++;
			EXPECT_EQ(st.vmos, value);
		}
		if (!strcmp(name, "pages")) {
			found++;
			EXPECT_EQ(st.pages, value);
		}
	}
	EXPECT_TRUE(feof(f));
	fclose(f);
	EXPECT_EQ(ZVMO_STAT_ATTR_MAX - 1, lines);
	EXPECT_EQ(2, found);
	close(fd);
	zt_nl_close(&nl);
}

struct blocked_read {
	int vmo;
	char c;
	ssize_t ret;
};

static void *read_thread(void *arg)
{
	struct blocked_read *r = arg;

	r->ret = pread(r->vmo, &r->c, 1, 5 * PAGE);
	return NULL;
}

static struct zt_nl_pager *find_pager(uint64_t koid)
{
	unsigned int i;

	for (i = 0; i < reply.nr_pagers; i++)
		if (reply.pagers[i].koid == koid)
			return &reply.pagers[i];
	return NULL;
}

TEST(pagers_and_their_vmos)
{
	struct zvmo_pager_info pinfo = { .argsz = sizeof(pinfo) };
	struct blocked_read r = { 0 };
	struct zvmo_pager_packet p;
	struct zt_nl_pager *zp;
	struct zt_nl_vmo *zv;
	pthread_t thread;
	struct zt_nl nl;
	int pager, vmo;

	ASSERT_EQ(0, zt_nl_open(&nl));
	pager = pager_create();
	ASSERT_LE(0, pager);
	ASSERT_EQ(0, zt_ret(ioctl(pager, ZVMO_IOC_PAGER_INFO, &pinfo)));
	vmo = pager_vmo(pager, 8 * PAGE, 3, 0);
	ASSERT_LE(0, vmo);
	r.vmo = vmo;
	pthread_create(&thread, NULL, read_thread, &r);
	/* Queued and outstanding until read; outstanding until answered. */
	usleep(200 * 1000);
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_PAGER, true, 0, NULL, 0,
				   &reply));
	zp = find_pager(pinfo.koid);
	ASSERT_NE(NULL, zp);
	EXPECT_EQ(1, zp->vmos);
	EXPECT_EQ(1, zp->requests);
	EXPECT_EQ(1, zp->queued);
	EXPECT_FALSE(zp->closed);
	ASSERT_EQ(0, next_packet(pager, &p, 5000));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_PAGER, true, 0, NULL, 0,
				   &reply));
	zp = find_pager(pinfo.koid);
	ASSERT_NE(NULL, zp);
	EXPECT_EQ(1, zp->requests);
	EXPECT_EQ(0, zp->queued);
	ASSERT_EQ(0, supply_file(pager, vmo, 0, 8 * PAGE));
	pthread_join(thread, NULL);
	EXPECT_EQ(1, r.ret);

	/* The VMO names its pager, its dirty bytes and its evictions. */
	ASSERT_EQ(1, pwrite(vmo, "d", 1, 2 * PAGE));
	ASSERT_EQ(0, zt_reclaim("evict", 2));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, true, 0, NULL, 0,
				   &reply));
	zv = zt_nl_find(&reply, koid_of(vmo));
	ASSERT_NE(NULL, zv);
	EXPECT_TRUE(zv->has_pager);
	EXPECT_EQ(pinfo.koid, zv->pager);
	EXPECT_EQ(PAGE, zv->dirty);
	EXPECT_EQ(2, zv->evicted);
	EXPECT_TRUE(same_as_info(vmo, zv));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_PAGER, true, 0, NULL, 0,
				   &reply));
	EXPECT_EQ(0, find_pager(pinfo.koid)->requests);

	/* Closed, it detaches its VMO and is gone. */
	close(pager);
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, true, 0, NULL, 0,
				   &reply));
	zv = zt_nl_find(&reply, koid_of(vmo));
	ASSERT_NE(NULL, zv);
	EXPECT_EQ(pinfo.koid, zv->pager);
	close(vmo);
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_PAGER, true, 0, NULL, 0,
				   &reply));
	EXPECT_EQ(NULL, find_pager(pinfo.koid));
	zt_nl_close(&nl);
}

TEST(discardable_state)
{
	struct zvmo_vmo_lock_state st;
	struct zvmo_op_range lock = {
		.argsz = sizeof(lock), .op = ZVMO_OP_LOCK, .length = 4 * PAGE,
		.buffer = (uintptr_t)&st, .buffer_size = sizeof(st),
	};
	struct zt_nl_vmo *zv;
	struct zt_nl nl;
	uint64_t koid;
	int fd;

	ASSERT_EQ(0, zt_nl_open(&nl));
	fd = zt_create(4 * PAGE, ZVMO_VMO_DISCARDABLE, 0);
	ASSERT_LE(0, fd);
	koid = koid_of(fd);
	write_pages(fd, 0, 4, 'x');
	ASSERT_EQ(0, zt_reclaim("discard", 100));
	ASSERT_EQ(0, zt_ret(ioctl(fd, ZVMO_IOC_VMO_OP_RANGE, &lock)));
	ASSERT_EQ(0, zt_ret(ioctl(fd, ZVMO_IOC_VMO_OP_RANGE, &lock)));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false,
				   ZVMO_ATTR_KOID, &koid, sizeof(koid),
				   &reply));
	zv = &reply.vmos[0];
	EXPECT_TRUE(zv->has_lock_count);
	EXPECT_EQ(2, zv->lock_count);
	EXPECT_FALSE(zv->discarded);
	EXPECT_FALSE(zv->has_pager);
	EXPECT_TRUE(zv->flags & ZVMO_INFO_DISCARDABLE);
	EXPECT_EQ(0, zt_op(fd, ZVMO_OP_UNLOCK, 0, 4 * PAGE));
	EXPECT_EQ(0, zt_op(fd, ZVMO_OP_UNLOCK, 0, 4 * PAGE));
	write_pages(fd, 0, 1, 'y');
	ASSERT_EQ(0, zt_reclaim("discard", 100));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false,
				   ZVMO_ATTR_KOID, &koid, sizeof(koid),
				   &reply));
	EXPECT_EQ(0, reply.vmos[0].lock_count);
	EXPECT_TRUE(reply.vmos[0].discarded);
	close(fd);
	zt_nl_close(&nl);
}

/*
 * A user sees what its uid made: a child that became nobody sees none of
 * root's VMOs and pagers, and its own with its uid.
 */
static int as_nobody(uint64_t root_vmo, uint64_t root_pager)
{
	struct zt_nl nl;
	unsigned int i;
	uint64_t koid;
	int fd;

	if (setgid(65534) || setuid(65534))
		return 10;
	if (zt_nl_open(&nl))
		return 11;
	fd = zt_create(PAGE, 0, 0);
	if (fd < 0)
		return 12;
	koid = koid_of(fd);
	if (zt_nl_request(&nl, ZVMO_CMD_GET_VMO, true, 0, NULL, 0, &reply))
		return 13;
	for (i = 0; i < reply.nr_vmos; i++)
		if (reply.vmos[i].uid != 65534 || reply.vmos[i].koid == root_vmo)
			return 14;
	if (!zt_nl_find(&reply, koid))
		return 15;
	if (zt_nl_request(&nl, ZVMO_CMD_GET_VMO, false, ZVMO_ATTR_KOID,
			  &root_vmo, sizeof(root_vmo), &reply) != -ENOENT)
		return 16;
	if (zt_nl_request(&nl, ZVMO_CMD_GET_PAGER, true, 0, NULL, 0, &reply))
		return 17;
	for (i = 0; i < reply.nr_pagers; i++)
		if (reply.pagers[i].koid == root_pager)
			return 18;
	/* Counters are module-wide and say nothing of anyone: open to all. */
	if (zt_nl_request(&nl, ZVMO_CMD_GET_STATS, false, 0, NULL, 0,
			  &reply) || !reply.have_stats)
		return 19;
	close(fd);
	zt_nl_close(&nl);
	return 0;
}

TEST(users_see_their_own)
{
	struct zvmo_pager_info pinfo = { .argsz = sizeof(pinfo) };
	int fd, pager, status;
	pid_t pid;

	fd = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	pager = pager_create();
	ASSERT_LE(0, pager);
	ASSERT_EQ(0, zt_ret(ioctl(pager, ZVMO_IOC_PAGER_INFO, &pinfo)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(as_nobody(koid_of(fd), pinfo.koid));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(pager);
	close(fd);
}

/*
 * A JSON checker of the tool's output: the whole document must parse,
 * strictly. Returns the end of the value at @p, or NULL.
 */
static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *json_list(const char *p, int depth, char close,
			     bool keys)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keys) {
			p = json_string(json_ws(p));
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 32)
		return NULL;
	switch (*p) {
	case '{':
		return json_list(p, depth, '}', true);
	case '[':
		return json_list(p, depth, ']', false);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	}
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

/* The number after "@key": in the VMO object of @koid in @doc. */
static long long json_vmo_field(const char *doc, uint64_t koid,
				const char *key)
{
	char want[64], k[64];
	const char *obj, *end, *at;

	snprintf(want, sizeof(want), "{\"koid\":%llu,\"name\":",
		 (unsigned long long)koid);
	obj = strstr(doc, want);
	if (!obj)
		return -1;
	end = strstr(obj, "\"hidden_nodes\"");
	snprintf(k, sizeof(k), "\"%s\":", key);
	at = strstr(obj, k);
	if (!at || !end || at > end)
		return -1;
	return strtoll(at + strlen(k), NULL, 10);
}

static char out[1 << 20];

TEST(tool_json_parses_and_agrees)
{
	struct zvmo_vmo_info info;
	const char *end;
	struct tree t;

	if (access("./zvmo-stat", X_OK))
		SKIP(return, "zvmo-stat is not in the VM (make check puts it)");
	ASSERT_EQ(0, make_tree(&t));
	ASSERT_EQ(0, zt_run_tool("--json", out, sizeof(out)));
	end = json_value(out, 0);
	ASSERT_NE(NULL, end);
	EXPECT_EQ(0, *json_ws(end));
	ASSERT_EQ(0, zt_info(t.snap1, &info));
	EXPECT_EQ(info.committed_bytes,
		  json_vmo_field(out, info.koid, "committed_bytes"));
	EXPECT_EQ(info.committed_scaled_bytes,
		  json_vmo_field(out, info.koid, "committed_scaled_bytes"));
	EXPECT_EQ(info.parent_koid,
		  json_vmo_field(out, info.koid, "parent_koid"));
	ASSERT_EQ(0, zt_info(t.root, &info));
	EXPECT_EQ(info.num_children,
		  json_vmo_field(out, info.koid, "num_children"));
	EXPECT_EQ(1, json_vmo_field(out, info.koid, "num_mappings"));
	EXPECT_NE(NULL, strstr(out, "\"stats\":{\"vmos\":"));
	EXPECT_NE(NULL, strstr(out, "\"name\":\"snap1\""));
	free_tree(&t);
}

TEST(tool_table_tree_pagers_stats)
{
	struct zt_nl_vmo *root;
	struct zt_nl nl;
	struct tree t;
	char want[64];

	if (access("./zvmo-stat", X_OK))
		SKIP(return, "zvmo-stat is not in the VM (make check puts it)");
	ASSERT_EQ(0, make_tree(&t));
	ASSERT_EQ(0, zt_run_tool("", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "COMMITTED"));
	EXPECT_NE(NULL, strstr(out, "total: "));
	EXPECT_NE(NULL, strstr(out, " snap1 "));

	ASSERT_EQ(0, zt_nl_open(&nl));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, true, 0, NULL, 0,
				   &reply));
	root = zt_nl_find(&reply, koid_of(t.root));
	ASSERT_NE(NULL, root);
	ASSERT_EQ(0, zt_run_tool("--tree", out, sizeof(out)));
	snprintf(want, sizeof(want), "hidden node #%llu:",
		 (unsigned long long)root->nodes[1].id);
	EXPECT_NE(NULL, strstr(out, want));
	snprintf(want, sizeof(want), "vmo %llu \"root\"",
		 (unsigned long long)root->koid);
	EXPECT_NE(NULL, strstr(out, want));
	EXPECT_NE(NULL, strstr(out, "[slice]"));
	EXPECT_NE(NULL, strstr(out, "[ref]"));

	ASSERT_EQ(0, zt_run_tool("--stats", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "deduped_pages "));
	ASSERT_EQ(0, zt_run_tool("--pagers", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "total: "));
	EXPECT_EQ(2, zt_run_tool("--bogus 2>/dev/null", out, sizeof(out)));
	EXPECT_EQ(2, zt_run_tool("--watch 0 2>/dev/null", out, sizeof(out)));
	EXPECT_EQ(2, zt_run_tool("--watch -1 2>/dev/null", out, sizeof(out)));
	EXPECT_EQ(2, zt_run_tool("--watch 86401 2>/dev/null", out, sizeof(out)));
	free_tree(&t);
	zt_nl_close(&nl);
}

TEST_HARNESS_MAIN
