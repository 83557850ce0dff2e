// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded, randomized stress of the whole module. Worker processes, each
 * with two threads doing random operations and its main thread serving a
 * pager, work on VMOs the parent made before forking them (inherited
 * descriptors), on VMOs and children of their own, and on pager VMOs that
 * travel between them over a Unix socket. The parent SIGKILLs a random
 * worker at random moments and forks a replacement, so workers die in the
 * middle of anything: holding pins and locks, or blocked on a page request
 * that another process serves.
 *
 * Every result is checked against the errors the uapi allows for it;
 * content is checked where it is deterministic: each thread's private VMO
 * against a byte model, snapshots, slices and references made and checked
 * at once, pager VMOs against what their pager supplies. At the end no
 * VMO, handle, page, pin or page-list node may be left.
 *
 * ZVMO_STRESS_SEED replays a run's choices (not its timing);
 * ZVMO_STRESS_SECONDS sets how long it runs. Runs as root, inside a memory
 * cgroup, so that an allocation storm is ENOMEM and not the OOM killer.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_pager.h"

#define DEFAULT_SEED	0x7a766d6fULL
#define DEFAULT_SECONDS	6
#define MAX_SECONDS	90

#define NR_WORKERS	3
#define NR_THREADS	2
#define MAX_INST	64	/* workers forked in one run, replacements too */
#define MAX_KEYS	1024	/* pager VMOs made in one run */
#define MAX_LOGS	40

#define NR_SHARED	6
#define MAX_REFS	20
#define MAX_OWN		2
#define MAX_KIDS	3
#define MAX_ROOTS	2
#define MAX_PINS	2
#define MAX_LOCKS	4
#define PRIV_PAGES	64
#define IO_MAX		(16 * PAGE)
#define BUF_SIZE	(PRIV_PAGES * PAGE)
#define PAGER_VMOS	2

/* What pager VMOs are handed around with. */
#define RO_RIGHTS	(ZVMO_RIGHT_READ | ZVMO_RIGHT_MAP | \
			 ZVMO_RIGHT_DUPLICATE | ZVMO_RIGHT_GET_PROPERTY)

enum {
	OP_READ, OP_WRITE, OP_MAP, OP_COMMIT, OP_DECOMMIT, OP_ZERO,
	OP_RESIZE, OP_PIN, OP_UNPIN, OP_LOCK, OP_TRY_LOCK, OP_UNLOCK,
	OP_CREATE, OP_CLOSE, OP_SNAPSHOT, OP_CLONE, OP_SLICE, OP_REFERENCE,
	OP_INFO, OP_PRIVATE, OP_COW_CHECK, OP_RECLAIM, OP_DROP_CACHES,
	OP_ADOPT, OP_PAGER_VMO, OP_SUPPLY, OP_FAIL, OP_DETACH,
	NR_OPS
};

static const char *const op_name[NR_OPS] = {
	"read", "write", "map", "commit", "decommit", "zero",
	"resize", "pin", "unpin", "lock", "try_lock", "unlock",
	"create", "close", "snapshot", "at_least_on_write", "slice",
	"reference", "info", "private", "cow_check", "reclaim",
	"drop_caches", "adopt", "pager_vmo", "supply", "fail", "detach",
};

enum { RUN, STOP_OPS, STOP_ALL };

#define ERRNO_MAX	134

/* What every process of the run shares, in MAP_SHARED memory. */
struct stress_shared {
	__u64 seed;
	int seconds;
	int vmo[NR_SHARED];
	int mbox[2];		/* pager VMOs in flight: send [0], take [1] */
	atomic_int phase;
	atomic_int logged;
	atomic_ulong failures;
	atomic_ulong kills;
	atomic_ulong ops[NR_OPS];
	atomic_ulong sigbus;
	atomic_ulong errors[ERRNO_MAX];	/* the expected ones, by errno */
	atomic_ulong checks;
	atomic_uint next_key;
	atomic_int killed[MAX_INST];
	atomic_int stopped[MAX_INST];
	/* What a worker holds now, and what the kills caught it holding. */
	struct {
		atomic_int pins;
		atomic_int locks;
		atomic_int waits;	/* calls into another's pager VMO */
		atomic_int waited;	/* others' calls into its pager's */
	} held[MAX_INST];
	unsigned long kills_pins, kills_locks, kills_waits, kills_waited;
	long peak_kib;
	__u64 peak_vmos, peak_pages;
	/* Per pager VMO: who serves it, and whether it may fail reads. */
	struct {
		atomic_int inst;
		atomic_int failed;
		atomic_int detached;
	} key[MAX_KEYS];
};

static const struct {
	__u32 options;
	unsigned int pages, max_pages;
} shared_spec[NR_SHARED] = {
	{ 0, 512, 512 },
	{ 0, 128, 128 },
	{ ZVMO_VMO_RESIZABLE, 256, 512 },
	{ ZVMO_VMO_RESIZABLE, 64, 256 },
	{ ZVMO_VMO_DISCARDABLE, 256, 256 },
	{ ZVMO_VMO_DISCARDABLE, 32, 32 },
};

/*
 * A thread's view of the VMOs it holds. A leaf is the content one or more
 * descriptors show (a VMO and its references; a slice shows a window of
 * it); a family is a VMO with all that was made from it, which is what
 * pins and snapshots of one affect.
 */
struct leaf {
	int ref;
	__u64 size;
	bool known;	/* only this thread changes the size */
	bool ropt;	/* the VMO is resizable */
	bool mine;	/* only this thread changes the content */
	bool hidden;	/* a snapshot: reads through a hidden node */
	bool snapped;	/* a snapshot was made of it */
};

struct fam {
	int ref;
	int pins;	/* this thread's pins in it */
	bool shared;	/* others may pin and snapshot it too */
};

enum { K_SHARED, K_OWN, K_SNAP, K_SLICE, K_REF, K_ROOT, K_CLONE };

struct vref {
	int fd;		/* -1: a free slot */
	int kind;
	int leaf;
	int fam;
	__u32 rights;
	bool slice;
	bool discard;
	bool pager;	/* pager-backed: reads the pager's pattern */
	__u64 ssize;	/* a slice's size */
	__u64 max;	/* the largest size it may have */
	__u64 key;	/* pager-backed: its pager VMO's key */
	__u64 poff;	/* and where its offset 0 is in that VMO */
	int locks;	/* this thread's locks of it */
};

/* The private VMO: resizable, never shared, no children, a model. */
struct priv {
	int fd;
	__u64 size;
	unsigned char *model;
	unsigned long ops;
	int npins;
	int pmt[MAX_PINS];
	__u64 pin_off[MAX_PINS], pin_len[MAX_PINS];
	unsigned char pinned[PRIV_PAGES];
};

struct ctx {
	int tid;	/* NR_THREADS for the pager thread */
	__u64 rng;
	unsigned long nops;
	int op;
	struct vref ref[MAX_REFS];
	struct leaf leaf[MAX_REFS];
	struct fam fam[MAX_REFS + MAX_PINS];
	struct {
		int fd;
		int fam;
	} pin[MAX_PINS];
	int npins;
	struct priv pv;
	unsigned char *buf, *buf2;
};

static struct stress_shared *sh;
static struct __test_metadata *tmd;
static __thread sigjmp_buf *bus_jmp;

/* This worker process. */
static struct {
	int inst;
	pthread_mutex_t lock;
	int pub_fd;	/* a read-only handle of the newest pager VMO */
	int pub_key;
	atomic_int threads_done;
} wk;

static __u64 splitmix(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* xorshift64*: small, and enough to choose operations with. */
static __u64 next_rand(__u64 *s)
{
	__u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static __u64 rnd(struct ctx *c, __u64 n)
{
	return n ? next_rand(&c->rng) % n : 0;
}

static __u64 min64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void count(struct ctx *c, int op)
{
	c->op = op;
	atomic_fetch_add(&sh->ops[op], 1);
}

static void held_pins(int delta)
{
	atomic_fetch_add(&sh->held[wk.inst].pins, delta);
}

/* Locks of a shared VMO: they outlive a killed worker. */
static void held_locks(struct ctx *c, struct vref *v, int delta)
{
	if (c->fam[v->fam].shared)
		atomic_fetch_add(&sh->held[wk.inst].locks, delta);
}

/* Around a call that may wait for another worker's pager. */
static void foreign_wait(struct vref *v, int delta)
{
	int owner = v->pager ? atomic_load(&sh->key[v->key].inst) : -1;

	if (owner < 0 || owner >= MAX_INST || owner == wk.inst)
		return;
	atomic_fetch_add(&sh->held[wk.inst].waits, delta);
	atomic_fetch_add(&sh->held[owner].waited, delta);
}

#define FAIL(c, fmt, ...) fail_at(c, __LINE__, fmt, ##__VA_ARGS__)

/* Count a failure and log it, with what replays it, the first few times. */
static __printf(3, 4) void fail_at(struct ctx *c, int line,
				   const char *fmt, ...)
{
	struct __test_metadata *_metadata = tmd;
	char msg[256], who[32];
	va_list ap;

	atomic_fetch_add(&sh->failures, 1);
	if (atomic_fetch_add(&sh->logged, 1) >= MAX_LOGS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c)
		snprintf(who, sizeof(who), "parent");
	else if (c->tid == NR_THREADS)
		snprintf(who, sizeof(who), "worker %d pager", wk.inst);
	else
		snprintf(who, sizeof(who), "worker %d thread %d", wk.inst,
			 c->tid);
	TH_LOG("FAIL (line %d) seed %#llx, %s, op #%lu %s: %s", line,
	       sh->seed, who, c ? c->nops : 0,
	       c ? op_name[c->op] : "-", msg);
}

static bool injecting;

/* Errors an operation may be let off with. */
enum {
	A_NOMEM = 0x01,
	A_RANGE = 0x02,
	A_BUSY = 0x04,
	A_NOTSUP = 0x08,
	A_INVAL = 0x10,
	A_PAGER = 0x20,		/* what a failed or gone pager gives */
};

static unsigned int err_bit(int err)
{
	switch (err) {
	case ENOMEM:
		return A_NOMEM;
	case ERANGE:
		return A_RANGE;
	case EBUSY:
		return A_BUSY;
	case EOPNOTSUPP:
		return A_NOTSUP;
	case EINVAL:
		return A_INVAL;
	}
	return 0;
}

static bool inst_killed(int inst)
{
	return inst >= 0 && inst < MAX_INST && atomic_load(&sh->killed[inst]);
}

/*
 * Whether a pager-backed access may fail with @err: EIO or EBADMSG only
 * after its pager failed a range, EBUSY only after a detach or the death
 * of the pager's process. The flags are set before the pager acts, so a
 * reader that saw the error sees the flag.
 */
static bool pager_err_ok(__u64 key, int err)
{
	if (key >= MAX_KEYS)
		return false;
	switch (err) {
	case EIO:
	case EBADMSG:
		return atomic_load(&sh->key[key].failed);
	case EBUSY:
		return atomic_load(&sh->key[key].detached) ||
		       inst_killed(atomic_load(&sh->key[key].inst));
	}
	return false;
}

/* Whether the pager of @key may have failed an access at all. */
static bool pager_troubled(__u64 key)
{
	return pager_err_ok(key, EIO) || pager_err_ok(key, EBUSY);
}

static void count_err(int err)
{
	if (err > 0 && err < ERRNO_MAX)
		atomic_fetch_add(&sh->errors[err], 1);
}

/* 0 for success, 1 for an error @allowed lets by, -1 (a failure) else. */
static int check(struct ctx *c, long r, unsigned int allowed, __u64 key)
{
	int err = -r;

	if (r >= 0)
		return 0;
	if ((err_bit(err) & allowed) ||
	    ((allowed & A_PAGER) && pager_err_ok(key, err))) {
		count_err(err);
		return 1;
	}
	FAIL(c, "unexpected error %d (%s)", err, strerror(err));
	return -1;
}

/*
 * Whether @r is not @want (a failure then). Under fault injection a
 * transfer may also stop short where memory ran out: not a failure, but
 * not what was wanted either.
 */
static bool expect_ret(struct ctx *c, long r, long want, int line)
{
	if (r == want)
		return false;
	if (injecting && r > 0 && r < want) {
		count_err(ENOMEM);
		return true;
	}
	fail_at(c, line, "returned %ld (%s), not %ld", r,
		r < 0 ? strerror(-r) : "ok", want);
	return true;
}

#define EXPECT_RET(c, r, want) expect_ret(c, r, want, __LINE__)

/*
 * A VMO the run cannot do without: under fault injection its creation may
 * take a few tries.
 */
static int create_retry(__u64 size, __u32 options, __u32 fd_flags)
{
	int fd, i;

	for (i = 0; i < 100; i++) {
		fd = zt_create(size, options, fd_flags);
		if (fd != -ENOMEM)
			break;
	}
	return fd;
}

static void fill(struct ctx *c, unsigned char *p, size_t n)
{
	__u64 x = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(i & 7))
			x = next_rand(&c->rng);
		p[i] = (unsigned char)(x >> ((i & 7) * 8));
	}
}

/* The first byte of @n at @a that differs from @b, or -1. */
static long differ(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

static long nonzero(const unsigned char *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i])
			return i;
	return -1;
}

static void on_sigbus(int sig)
{
	if (bus_jmp)
		siglongjmp(*bus_jmp, 1);
	/* Not a probe: die of it, which the parent counts. */
	signal(SIGBUS, SIG_DFL);
}

/* Read the byte at @p, then write @val there if @write; -1 on SIGBUS. */
static int probe(unsigned char *p, bool write, unsigned char val,
		 unsigned char *got)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		bus_jmp = NULL;
		return -1;
	}
	/* The handler must see the buffer before the access faults. */
	bus_jmp = &jb;
	atomic_signal_fence(memory_order_seq_cst);
	*got = __atomic_load_n(p, __ATOMIC_RELAXED);
	if (write)
		__atomic_store_n(p, val, __ATOMIC_RELAXED);
	atomic_signal_fence(memory_order_seq_cst);
	bus_jmp = NULL;
	return 0;
}

static int leaf_new(struct ctx *c, __u64 size, bool known, bool ropt,
		    bool mine)
{
	int i;

	/* A leaf has a descriptor: there are never more than slots. */
	for (i = 0; c->leaf[i].ref; i++)
		;
	c->leaf[i] = (struct leaf){
		.ref = 1, .size = size, .known = known, .ropt = ropt,
		.mine = mine,
	};
	return i;
}

static int fam_new(struct ctx *c, bool shared)
{
	int i;

	for (i = 0; c->fam[i].ref; i++)
		;
	c->fam[i] = (struct fam){ .ref = 1, .shared = shared };
	return i;
}

static struct vref *ref_slot(struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_REFS; i++)
		if (c->ref[i].fd < 0)
			return &c->ref[i];
	return NULL;
}

static struct vref *ref_add(struct ctx *c, int fd, int kind, int leaf,
			    int fam, __u32 rights)
{
	struct vref *v = ref_slot(c);

	*v = (struct vref){
		.fd = fd, .kind = kind, .leaf = leaf, .fam = fam,
		.rights = rights, .max = c->leaf[leaf].size,
	};
	return v;
}

static __u64 ref_size(struct ctx *c, struct vref *v)
{
	return v->slice ? v->ssize : c->leaf[v->leaf].size;
}

static bool ref_known(struct ctx *c, struct vref *v)
{
	return v->slice || c->leaf[v->leaf].known;
}

/* How far offsets into it go: its size, or the most it may have. */
static __u64 ref_bound(struct ctx *c, struct vref *v)
{
	return ref_known(c, v) ? ref_size(c, v) : v->max;
}

static bool ref_ropt(struct ctx *c, struct vref *v)
{
	return !v->slice && c->leaf[v->leaf].ropt;
}

/* Whether only this thread's own calls change what it reads. */
static bool ref_mine(struct ctx *c, struct vref *v)
{
	return c->leaf[v->leaf].mine && (!v->discard || v->locks);
}

static bool may_pin(struct ctx *c, struct vref *v)
{
	struct fam *f = &c->fam[v->fam];

	return f->shared || f->pins;
}

/* Whether it may read through a hidden node (no decommit then). */
static bool may_snap(struct ctx *c, struct vref *v)
{
	struct leaf *l = &c->leaf[v->leaf];

	return l->hidden || l->snapped ||
	       (c->fam[v->fam].shared && !v->discard);
}

static void fam_put(struct ctx *c, int f)
{
	c->fam[f].ref--;
}

static void ref_close(struct ctx *c, struct vref *v)
{
	count(c, OP_CLOSE);
	/* Locks are the VMO's, not the descriptor's: give ours back. */
	for (; v->locks; v->locks--) {
		EXPECT_RET(c, zt_op(v->fd, ZVMO_OP_UNLOCK, 0, ref_size(c, v)),
			   0);
		held_locks(c, v, -1);
	}
	if (v->kind != K_SHARED && close(v->fd))
		FAIL(c, "close: %s", strerror(errno));
	c->leaf[v->leaf].ref--;
	fam_put(c, v->fam);
	v->fd = -1;
}

enum { P_ANY, P_PAGER, P_DISCARD, P_ROPT, P_OWN, P_KID, P_ROOT };

static bool ref_is(struct ctx *c, struct vref *v, int what)
{
	if (v->fd < 0)
		return false;
	switch (what) {
	case P_PAGER:
		return v->pager;
	case P_DISCARD:
		return v->discard;
	case P_ROPT:
		return ref_ropt(c, v);
	case P_OWN:
		return v->kind == K_OWN;
	case P_KID:
		return v->kind != K_SHARED && v->kind != K_OWN &&
		       v->kind != K_ROOT;
	case P_ROOT:
		return v->kind == K_ROOT;
	}
	return true;
}

static int ref_count(struct ctx *c, int what)
{
	int i, n = 0;

	for (i = 0; i < MAX_REFS; i++)
		n += ref_is(c, &c->ref[i], what);
	return n;
}

static struct vref *pick(struct ctx *c, int what)
{
	int n = ref_count(c, what), k, i;

	if (!n)
		return NULL;
	k = rnd(c, n);
	for (i = 0; i < MAX_REFS; i++)
		if (ref_is(c, &c->ref[i], what) && !k--)
			return &c->ref[i];
	return NULL;
}

/* Any VMO, pager-backed ones more often than their share. */
static struct vref *pick_io(struct ctx *c)
{
	struct vref *v = NULL;

	if (!rnd(c, 3))
		v = pick(c, P_PAGER);
	return v ?: pick(c, P_ANY);
}

/* Whether @n bytes read at @off of pager-backed @v are the pager's. */
static void check_pattern(struct ctx *c, struct vref *v,
			  const unsigned char *b, __u64 off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pattern(v->poff + off + i)) {
			FAIL(c, "key %llu: byte %#llx reads %#x, supplied %#x",
			     v->key, v->poff + off + i, b[i],
			     pattern(v->poff + off + i));
			return;
		}
	atomic_fetch_add(&sh->checks, 1);
}

/* [@off, @off + @len) reads zeros. */
static void check_zeros(struct ctx *c, int fd, __u64 off, __u64 len)
{
	long r, bad;

	len = min64(len, BUF_SIZE);
	r = zt_ret(pread(fd, c->buf2, len, off));
	if (EXPECT_RET(c, r, len))
		return;
	bad = nonzero(c->buf2, len);
	if (bad >= 0)
		FAIL(c, "byte %#llx reads %#x, not zero", off + bad,
		     c->buf2[bad]);
	else
		atomic_fetch_add(&sh->checks, 1);
}

static void op_read(struct ctx *c, struct vref *v)
{
	__u64 size = ref_bound(c, v), off, len;
	bool known = ref_known(c, v);
	long r;

	count(c, OP_READ);
	if (!size)
		return;
	if (known && !rnd(c, 16)) {
		/* At the end: end of file; across it: ERANGE, never short. */
		r = zt_ret(pread(v->fd, c->buf, 1 + rnd(c, PAGE), size));
		EXPECT_RET(c, r, 0);
		off = size - 1 - rnd(c, min64(size, IO_MAX / 2));
		len = size - off + 1 + rnd(c, PAGE);
		EXPECT_RET(c, zt_ret(pread(v->fd, c->buf, len, off)), -ERANGE);
		return;
	}
	off = rnd(c, size);
	len = 1 + rnd(c, min64(size - off, IO_MAX));
	foreign_wait(v, 1);
	r = zt_ret(pread(v->fd, c->buf, len, off));
	foreign_wait(v, -1);
	if (!known) {
		/* A shrink may end it anywhere. */
		if (!check(c, r, A_NOMEM | A_RANGE, 0) && r > (long)len)
			FAIL(c, "read %ld of %llu", r, len);
		return;
	}
	if (!v->pager) {
		EXPECT_RET(c, r, len);
		return;
	}
	if (check(c, r, A_NOMEM | A_PAGER, v->key))
		return;
	/* Short only where a later page failed, or memory ran out. */
	if (!r || r > (long)len ||
	    (r < (long)len && !pager_troubled(v->key) && !injecting))
		FAIL(c, "read %ld of %llu of key %llu", r, len, v->key);
	else
		check_pattern(c, v, c->buf, off, r);
}

static void op_write(struct ctx *c, struct vref *v)
{
	__u64 size = ref_bound(c, v), off, len;
	bool known = ref_known(c, v);
	long r, bad;

	count(c, OP_WRITE);
	if (v->pager) {
		/* Never written; but a read-only handle must refuse. */
		if (!(v->rights & ZVMO_RIGHT_WRITE))
			EXPECT_RET(c, zt_ret(pwrite(v->fd, c->buf, 1, 0)),
				   -EACCES);
		return;
	}
	if (!size)
		return;
	if (known && !rnd(c, 16)) {
		r = zt_ret(pwrite(v->fd, c->buf, 1 + rnd(c, PAGE), size));
		EXPECT_RET(c, r, -ERANGE);
		off = size - 1 - rnd(c, min64(size, IO_MAX / 2));
		len = size - off + 1 + rnd(c, PAGE);
		EXPECT_RET(c, zt_ret(pwrite(v->fd, c->buf, len, off)),
			   -ERANGE);
		return;
	}
	off = rnd(c, size);
	len = 1 + rnd(c, min64(size - off, IO_MAX));
	fill(c, c->buf, len);
	r = zt_ret(pwrite(v->fd, c->buf, len, off));
	if (check(c, r, A_NOMEM | (known ? 0 : A_RANGE), 0))
		return;
	/* Short only if memory ran out, or (unknown size) a shrink came. */
	if (!r || r > (long)len) {
		FAIL(c, "wrote %ld of %llu", r, len);
		return;
	}
	if (!ref_mine(c, v))
		return;
	if (EXPECT_RET(c, zt_ret(pread(v->fd, c->buf2, r, off)), r))
		return;
	bad = differ(c->buf2, c->buf, r);
	if (bad >= 0)
		FAIL(c, "byte %#llx reads %#x, written %#x", off + bad,
		     c->buf2[bad], c->buf[bad]);
	else
		atomic_fetch_add(&sh->checks, 1);
}

/* A private mapping's write is its own: the VMO still reads the pager's. */
static void check_private_write(struct ctx *c, struct vref *v,
				unsigned char *p, __u64 off,
				unsigned char val)
{
	unsigned char b;
	long r;

	if (*p != val)
		FAIL(c, "private mapping reads %#x, wrote %#x", *p, val);
	r = zt_ret(pread(v->fd, &b, 1, off));
	if (check(c, r, A_NOMEM | A_PAGER, v->key) || EXPECT_RET(c, r, 1))
		return;
	check_pattern(c, v, &b, off, 1);
}

static void op_map(struct ctx *c, struct vref *v)
{
	__u64 size = ref_bound(c, v), off;
	bool known = ref_known(c, v), wr = v->rights & ZVMO_RIGHT_WRITE;
	int prot = PROT_READ, flags = MAP_SHARED, i, j, n, r;
	unsigned char *p, got, val, wval[8];
	__u64 woff[8];

	count(c, OP_MAP);
	if (!size)
		return;
	if (v->pager && !wr && !rnd(c, 8)) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 v->fd, 0);
		if (p != MAP_FAILED) {
			FAIL(c, "a read-only handle mapped writable");
			munmap(p, size);
		} else {
			EXPECT_RET(c, -errno, -EACCES);
		}
		return;
	}
	if (v->pager && !rnd(c, 4)) {
		prot |= PROT_WRITE;
		flags = MAP_PRIVATE;
	} else if (!v->pager && wr) {
		prot |= PROT_WRITE;
	}
	p = mmap(NULL, size, prot, flags, v->fd, 0);
	if (p == MAP_FAILED) {
		check(c, -errno, A_NOMEM, 0);
		return;
	}
	n = 1 + rnd(c, 8);
	for (i = 0; i < n; i++) {
		bool w = (prot & PROT_WRITE) && rnd(c, 2);

		off = rnd(c, size);
		val = rnd(c, 256);
		woff[i] = w ? off : size;
		wval[i] = val;
		foreign_wait(v, 1);
		r = probe(p + off, w, val, &got);
		foreign_wait(v, -1);
		if (r) {
			woff[i] = size;
			atomic_fetch_add(&sh->sigbus, 1);
			/* Past a shrunk end, or a page its pager failed. */
			if (known && !(v->pager && pager_troubled(v->key)))
				FAIL(c, "SIGBUS at %#llx of %#llx", off, size);
			continue;
		}
		if (v->pager) {
			/* A byte this private mapping wrote is its own. */
			for (j = i - 1; j >= 0 && woff[j] != off; j--)
				;
			if (j < 0)
				check_pattern(c, v, &got, off, 1);
			else if (got != wval[j])
				FAIL(c, "private byte %#llx reads %#x, wrote %#x",
				     off, got, wval[j]);
			if (w)
				check_private_write(c, v, p + off, off, val);
		} else if (w && ref_mine(c, v)) {
			/* A shared mapping is the VMO itself. */
			if (EXPECT_RET(c, zt_ret(pread(v->fd, &got, 1, off)),
				       1))
				continue;
			if (got != val)
				FAIL(c, "byte %#llx reads %#x, mapping wrote %#x",
				     off, got, val);
		}
	}
	if (munmap(p, size))
		FAIL(c, "munmap: %s", strerror(errno));
}

static void op_range(struct ctx *c, struct vref *v, int op)
{
	static const __u32 zop[] = {
		[OP_COMMIT] = ZVMO_OP_COMMIT,
		[OP_DECOMMIT] = ZVMO_OP_DECOMMIT,
		[OP_ZERO] = ZVMO_OP_ZERO,
	};
	__u64 size = ref_bound(c, v), pages = size / PAGE, off, len;
	bool known = ref_known(c, v);
	unsigned int allowed = known ? 0 : A_RANGE;
	long r;

	count(c, op);
	if (!pages)
		return;
	if (op == OP_DECOMMIT) {
		off = rnd(c, pages) * PAGE;
		len = (1 + rnd(c, min64(pages - off / PAGE, 64))) * PAGE;
	} else {
		off = rnd(c, size);
		len = 1 + rnd(c, min64(size - off, 64 * PAGE));
	}
	if (!(v->rights & ZVMO_RIGHT_WRITE)) {
		/* A read-only handle may ask for pages, no more. */
		EXPECT_RET(c, zt_op(v->fd, zop[op], off, len), -EACCES);
		foreign_wait(v, 1);
		r = zt_op(v->fd, ZVMO_OP_PREFETCH, off, len);
		foreign_wait(v, -1);
		check(c, r, A_NOMEM | A_PAGER, v->key);
		return;
	}
	if (known && !rnd(c, 16)) {
		r = zt_op(v->fd, zop[op], off, size - off + PAGE);
		EXPECT_RET(c, r, -ERANGE);
		return;
	}
	if (op == OP_DECOMMIT && !rnd(c, 16)) {
		EXPECT_RET(c, zt_op(v->fd, zop[op], off + 1, PAGE), -EINVAL);
		return;
	}
	switch (op) {
	case OP_COMMIT:
		allowed |= A_NOMEM | (v->pager ? A_PAGER : 0);
		break;
	case OP_DECOMMIT:
		if (v->pager) {
			EXPECT_RET(c, zt_op(v->fd, zop[op], off, len),
				   -EOPNOTSUPP);
			return;
		}
		allowed |= (may_snap(c, v) ? A_NOTSUP : 0) |
			   (may_pin(c, v) ? A_BUSY : 0);
		break;
	case OP_ZERO:
		/* The only writable pager-backed VMOs are clones. */
		if (v->pager) {
			EXPECT_RET(c, zt_op(v->fd, zop[op], off, len),
				   -EOPNOTSUPP);
			return;
		}
		allowed |= A_NOMEM;
		break;
	}
	foreign_wait(v, 1);
	r = zt_op(v->fd, zop[op], off, len);
	foreign_wait(v, -1);
	if (check(c, r, allowed, v->key) || op == OP_COMMIT ||
	    !ref_mine(c, v))
		return;
	check_zeros(c, v->fd, off, len);
}

static void op_resize(struct ctx *c, struct vref *v)
{
	struct leaf *l = &c->leaf[v->leaf];
	__u64 maxp = v->max / PAGE, old = ref_size(c, v), size;
	unsigned int allowed = A_NOMEM;
	long r;

	count(c, OP_RESIZE);
	size = (l->known ? 1 + rnd(c, maxp) : rnd(c, maxp + 1)) * PAGE;
	/* In Zircon's order: the write right, resizability, the right. */
	if (!(v->rights & ZVMO_RIGHT_WRITE)) {
		EXPECT_RET(c, zt_set_size(v->fd, size), -EACCES);
		return;
	}
	if (!ref_ropt(c, v)) {
		EXPECT_RET(c, zt_set_size(v->fd, size), -EPERM);
		return;
	}
	if (!(v->rights & ZVMO_RIGHT_RESIZE)) {
		EXPECT_RET(c, zt_set_size(v->fd, size), -EACCES);
		return;
	}
	if (may_pin(c, v))
		allowed |= A_BUSY;
	r = zt_set_size(v->fd, size);
	if (check(c, r, allowed, 0) || !l->known)
		return;
	l->size = size;
	/* Shrinking cuts; growing reads zeros. */
	EXPECT_RET(c, zt_ret(pread(v->fd, c->buf, 1, size)), 0);
	if (size > old && ref_mine(c, v))
		check_zeros(c, v->fd, old, size - old);
}

static void unpin(struct ctx *c, int k)
{
	struct zvmo_pmt_info pi = { .argsz = sizeof(pi) };
	int fd = c->pin[k].fd;

	count(c, OP_UNPIN);
	if (!rnd(c, 3)) {
		EXPECT_RET(c, zt_ret(ioctl(fd, ZVMO_IOC_PMT_UNPIN)), 0);
		if (!EXPECT_RET(c, zt_ret(ioctl(fd, ZVMO_IOC_PMT_INFO, &pi)),
				0) && pi.pinned)
			FAIL(c, "still pinned after ZVMO_IOC_PMT_UNPIN");
	}
	if (close(fd))
		FAIL(c, "close of a PMT: %s", strerror(errno));
	c->fam[c->pin[k].fam].pins--;
	held_pins(-1);
	fam_put(c, c->pin[k].fam);
	c->pin[k] = c->pin[--c->npins];
}

static void op_pin(struct ctx *c)
{
	struct zvmo_pmt_info pi = { .argsz = sizeof(pi) };
	struct vref *v;
	__u64 pages, len, off;
	long r;

	if (c->npins == MAX_PINS || (c->npins && !rnd(c, 2))) {
		unpin(c, rnd(c, c->npins));
		return;
	}
	count(c, OP_PIN);
	v = pick_io(c);
	pages = ref_bound(c, v) / PAGE;
	if (!pages)
		return;
	len = 1 + rnd(c, min64(pages, 8));
	off = rnd(c, pages - len + 1);
	foreign_wait(v, 1);
	r = zt_pin(v->fd, -1, ZVMO_PIN_READ, off * PAGE, len * PAGE, NULL, 0);
	foreign_wait(v, -1);
	if (check(c, r, A_NOMEM | (ref_known(c, v) ? 0 : A_RANGE) |
		  (v->pager ? A_PAGER : 0), v->key))
		return;
	if (!rnd(c, 4) &&
	    !EXPECT_RET(c, zt_ret(ioctl(r, ZVMO_IOC_PMT_INFO, &pi)), 0) &&
	    (pi.offset != off * PAGE || pi.size != len * PAGE ||
	     pi.options != ZVMO_PIN_READ || pi.pinned != 1))
		FAIL(c, "PMT info: %#llx+%#llx options %u pinned %u",
		     pi.offset, pi.size, pi.options, pi.pinned);
	c->pin[c->npins].fd = r;
	c->pin[c->npins++].fam = v->fam;
	c->fam[v->fam].pins++;
	held_pins(1);
	c->fam[v->fam].ref++;
}

/* LOCK or TRY_LOCK of discardable @v: whether it is locked now. */
static bool lock_one(struct ctx *c, struct vref *v, bool try)
{
	struct zvmo_vmo_lock_state st;
	struct zvmo_op_range a = {
		.argsz = sizeof(a), .op = ZVMO_OP_LOCK,
		.length = ref_size(c, v),
		.buffer = (uintptr_t)&st, .buffer_size = sizeof(st),
	};
	long r;

	if (try) {
		count(c, OP_TRY_LOCK);
		r = zt_op(v->fd, ZVMO_OP_TRY_LOCK, 0, a.length);
		/* Discarded, and so not locked: not while we hold it. */
		if (r == -EPERM && !v->locks) {
			count_err(EPERM);
			return false;
		}
		if (EXPECT_RET(c, r, 0))
			return false;
	} else {
		count(c, OP_LOCK);
		memset(&st, 0xa5, sizeof(st));
		r = zt_ret(ioctl(v->fd, ZVMO_IOC_VMO_OP_RANGE, &a));
		if (EXPECT_RET(c, r, 0))
			return false;
		if (st.offset || st.size != a.length || st.discarded_offset ||
		    (st.discarded_size && st.discarded_size != a.length))
			FAIL(c, "lock state %#llx+%#llx, discarded %#llx+%#llx",
			     st.offset, st.size, st.discarded_offset,
			     st.discarded_size);
		/* Nothing is discarded while it is locked. */
		else if (v->locks && st.discarded_size)
			FAIL(c, "discarded while this thread held a lock");
	}
	v->locks++;
	held_locks(c, v, 1);
	return true;
}

static void unlock_one(struct ctx *c, struct vref *v)
{
	long r;

	count(c, OP_UNLOCK);
	r = zt_op(v->fd, ZVMO_OP_UNLOCK, 0, ref_size(c, v));
	if (!v->locks) {
		EXPECT_RET(c, r, -EBUSY);
	} else if (!EXPECT_RET(c, r, 0)) {
		v->locks--;
		held_locks(c, v, -1);
	}
}

static void op_lock(struct ctx *c)
{
	struct zvmo_vmo_lock_state st;
	struct zvmo_op_range a = {
		.argsz = sizeof(a), .op = ZVMO_OP_LOCK,
		.buffer = (uintptr_t)&st, .buffer_size = sizeof(st),
	};
	struct vref *v = pick(c, P_ANY);
	__u64 size = ref_size(c, v);
	int n;

	if (!v->discard) {
		/* Of discardable VMOs only, whatever the range. */
		count(c, OP_LOCK);
		a.length = size;
		EXPECT_RET(c, zt_ret(ioctl(v->fd, ZVMO_IOC_VMO_OP_RANGE, &a)),
			   -EOPNOTSUPP);
		v = pick(c, P_DISCARD);
		if (!v)
			return;
		size = ref_size(c, v);
	}
	if (!rnd(c, 16)) {
		count(c, OP_TRY_LOCK);
		EXPECT_RET(c, zt_op(v->fd, ZVMO_OP_TRY_LOCK, 0,
				    rnd(c, 2) ? size + PAGE : size - PAGE),
			   -ERANGE);
		return;
	}
	if (c->fam[v->fam].shared) {
		/*
		 * Held for one operation only: a lock of a killed worker
		 * stays for good, and reclaim should still find these.
		 */
		if (!lock_one(c, v, rnd(c, 2)))
			return;
		for (n = rnd(c, 3); n; n--)
			lock_one(c, v, rnd(c, 2));
		if (rnd(c, 2))
			op_read(c, v);
		while (v->locks)
			unlock_one(c, v);
		return;
	}
	/* Of one's own: held across operations, and one too many. */
	switch (v->locks == MAX_LOCKS ? 3 : rnd(c, 4)) {
	case 0:
	case 1:
		lock_one(c, v, rnd(c, 2));
		break;
	default:
		unlock_one(c, v);
		break;
	}
}

static void op_create(struct ctx *c)
{
	static const __u32 opts[] = {
		0, ZVMO_VMO_RESIZABLE, ZVMO_VMO_DISCARDABLE,
	};
	__u32 opt = opts[rnd(c, ARRAY_SIZE(opts))];
	__u64 size = (1 + rnd(c, rnd(c, 4) ? 32 : 256)) * PAGE;
	int n = ref_count(c, P_OWN), fd, l;
	bool ropt = opt & ZVMO_VMO_RESIZABLE;
	struct vref *v;

	if (n == MAX_OWN || (n && !rnd(c, 3))) {
		ref_close(c, pick(c, P_OWN));
		return;
	}
	count(c, OP_CREATE);
	if (!ref_slot(c))
		return;
	if (!rnd(c, 20))
		EXPECT_RET(c, zt_create(PAGE, ZVMO_VMO_DISCARDABLE |
					ZVMO_VMO_RESIZABLE, ZVMO_FD_CLOEXEC),
			   -EOPNOTSUPP);
	fd = zt_create(size, opt, ZVMO_FD_CLOEXEC);
	if (check(c, fd, A_NOMEM, 0))
		return;
	l = leaf_new(c, size, true, ropt, true);
	v = ref_add(c, fd, K_OWN, l, fam_new(c, false),
		    ropt ? ZVMO_RIGHTS_ALL :
			   ZVMO_RIGHTS_ALL & ~ZVMO_RIGHT_RESIZE);
	v->discard = opt & ZVMO_VMO_DISCARDABLE;
	if (ropt)
		v->max = 2 * size;
}

/* A child's rights, as struct zvmo_vmo_create_child tells them. */
static __u32 child_rights(__u32 parent, bool snap, bool resizable)
{
	__u32 r = parent | ZVMO_RIGHT_GET_PROPERTY | ZVMO_RIGHT_SET_PROPERTY;

	if (snap) {
		r |= ZVMO_RIGHT_WRITE;
		r &= ~ZVMO_RIGHT_EXECUTE;
	}
	r &= ~ZVMO_RIGHT_RESIZE;
	return resizable ? r | ZVMO_RIGHT_RESIZE : r;
}

static void op_child(struct ctx *c)
{
	static const __u32 types[] = {
		ZVMO_CHILD_SNAPSHOT, ZVMO_CHILD_SNAPSHOT,
		ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
		ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
		ZVMO_CHILD_SLICE, ZVMO_CHILD_SLICE,
		ZVMO_CHILD_REFERENCE, ZVMO_CHILD_SNAPSHOT_MODIFIED,
	};
	__u32 type = types[rnd(c, ARRAY_SIZE(types))], opts = type;
	bool slice = type == ZVMO_CHILD_SLICE;
	bool ref = type == ZVMO_CHILD_REFERENCE, snap = !slice && !ref;
	bool clone = type == ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE;
	int n = ref_count(c, P_KID), want = 0, fd, l, kind;
	unsigned int allowed = A_NOMEM;
	__u64 off = 0, size = 0, ppages, pg;
	bool must_fail = false, known, propt;
	struct vref *p, *v;

	if (n == MAX_KIDS || (n && !rnd(c, 3))) {
		ref_close(c, pick(c, P_KID));
		return;
	}
	count(c, slice ? OP_SLICE : ref ? OP_REFERENCE :
	      clone ? OP_CLONE : OP_SNAPSHOT);
	if (!ref_slot(c))
		return;
	p = pick_io(c);
	known = ref_known(c, p);
	propt = ref_ropt(c, p);
	ppages = ref_bound(c, p) / PAGE;
	if (!ppages)
		return;
	if (slice || (clone && p->pager)) {
		/* Inside the parent. */
		pg = rnd(c, ppages);
		off = pg * PAGE;
		size = (1 + rnd(c, min64(ppages - pg, 32))) * PAGE;
	} else if (snap) {
		/* Anywhere: past the parent's end it reads zeros. */
		off = rnd(c, ppages) * PAGE;
		size = (1 + rnd(c, 32)) * PAGE;
	}
	if ((snap && !p->pager && !rnd(c, 4)) || (ref && !rnd(c, 3)))
		opts |= ZVMO_CHILD_RESIZABLE;

	/* What the uapi says it must, or may, fail with. */
	if (p->discard) {
		want = EOPNOTSUPP;
	} else if (slice) {
		if (!known) {
			/* Outside the current size, or resizable. */
			must_fail = true;
			allowed = A_INVAL | A_NOTSUP;
		} else if (propt) {
			want = EOPNOTSUPP;
		}
	} else if (ref) {
		if (p->slice ||
		    ((opts & ZVMO_CHILD_RESIZABLE) && !propt))
			want = EOPNOTSUPP;
	} else if (p->slice || (p->pager && !clone)) {
		want = EOPNOTSUPP;
	} else if (!p->pager && may_pin(c, p)) {
		allowed |= A_BUSY;
	}

	fd = zt_child(p->fd, opts, off, size);
	if (want || must_fail) {
		if (fd >= 0) {
			FAIL(c, "child %#x of kind %d made, not refused",
			     opts, p->kind);
			close(fd);
		} else if (want) {
			EXPECT_RET(c, fd, -want);
		} else {
			check(c, fd, allowed, 0);
		}
		return;
	}
	if (check(c, fd, allowed, 0))
		return;

	if (slice || ref) {
		l = p->leaf;
		c->leaf[l].ref++;
		kind = slice ? K_SLICE : K_REF;
	} else if (p->pager) {
		/* Reads its parent's pager's pages until it writes. */
		l = leaf_new(c, size, true, false, false);
		kind = K_CLONE;
	} else {
		l = leaf_new(c, size, true, opts & ZVMO_CHILD_RESIZABLE,
			     true);
		c->leaf[l].hidden = true;
		c->leaf[p->leaf].snapped = true;
		kind = K_SNAP;
	}
	c->fam[p->fam].ref++;
	v = ref_add(c, fd, kind, l, p->fam,
		    child_rights(p->rights, snap,
				 opts & ZVMO_CHILD_RESIZABLE));
	v->pager = p->pager;
	v->key = p->key;
	v->poff = p->poff + off;
	if (slice) {
		v->slice = true;
		v->ssize = size;
		v->max = size;
	} else if (ref) {
		v->max = p->max;
	} else if (opts & ZVMO_CHILD_RESIZABLE) {
		v->max = 2 * size;
	}
}

static void op_info(struct ctx *c, struct vref *v)
{
	static const __u32 kind_flag[] = {
		[K_SNAP] = ZVMO_INFO_COW_CLONE,
		[K_CLONE] = ZVMO_INFO_COW_CLONE,
		[K_SLICE] = ZVMO_INFO_SLICE,
		[K_REF] = ZVMO_INFO_REFERENCE,
	};
	struct zvmo_vmo_info info;
	__u32 flags = ZVMO_INFO_PAGED | kind_flag[v->kind];

	count(c, OP_INFO);
	if (ref_ropt(c, v))
		flags |= ZVMO_INFO_RESIZABLE;
	if (v->discard)
		flags |= ZVMO_INFO_DISCARDABLE;
	if (v->pager)
		flags |= ZVMO_INFO_PAGER_BACKED;
	if (EXPECT_RET(c, zt_info(v->fd, &info), 0))
		return;
	if (info.rights != v->rights || info.flags != flags ||
	    (ref_known(c, v) && info.size != ref_size(c, v)))
		FAIL(c, "kind %d: rights %#x flags %#x size %#llx, not %#x %#x %#llx",
		     v->kind, info.rights, info.flags, info.size, v->rights,
		     flags, ref_size(c, v));
	else
		atomic_fetch_add(&sh->checks, 1);
}

/* Take a pager VMO: this worker's newest, or one passed by anyone. */
static void op_adopt(struct ctx *c)
{
	struct zvmo_vmo_info info;
	unsigned int key;
	struct vref *v;
	bool got = false;
	int fd = -1;

	if (ref_count(c, P_ROOT) == MAX_ROOTS)
		ref_close(c, pick(c, P_ROOT));
	count(c, OP_ADOPT);
	if (!ref_slot(c))
		return;
	if (rnd(c, 2)) {
		pthread_mutex_lock(&wk.lock);
		if (wk.pub_fd >= 0) {
			fd = zt_dup(wk.pub_fd, ZVMO_RIGHT_SAME_RIGHTS,
				    ZVMO_FD_CLOEXEC);
			got = true;
		}
		pthread_mutex_unlock(&wk.lock);
		if (!got || check(c, fd, A_NOMEM, 0))
			return;
	} else {
		fd = zt_recv_fd(sh->mbox[1]);
		if (fd < 0)
			return;
	}
	if (EXPECT_RET(c, zt_info(fd, &info), 0)) {
		close(fd);
		return;
	}
	if (sscanf(info.name, "stress-key-%u", &key) != 1 ||
	    key >= MAX_KEYS || info.rights != RO_RIGHTS ||
	    !(info.flags & ZVMO_INFO_PAGER_BACKED)) {
		FAIL(c, "pager VMO \"%.32s\" rights %#x flags %#x",
		     info.name, info.rights, info.flags);
		close(fd);
		return;
	}
	v = ref_add(c, fd, K_ROOT, leaf_new(c, info.size, true, false, false),
		    fam_new(c, true), RO_RIGHTS);
	v->pager = true;
	v->key = key;
}

static void op_reclaim(struct ctx *c)
{
	static const char *const kinds[] = {
		NULL, NULL, NULL, "discard", "discard", "dedup", "dedup",
		"evict",
	};
	unsigned int k = rnd(c, 10);

	if (!k) {
		count(c, OP_DROP_CACHES);
		EXPECT_RET(c, zt_drop_caches(), 0);
		return;
	}
	count(c, OP_RECLAIM);
	EXPECT_RET(c, zt_reclaim(kinds[k % ARRAY_SIZE(kinds)], 64), 0);
}

/* The private VMO's pages @off to @off + @len: is one of them pinned? */
static bool priv_pinned(struct priv *pv, __u64 off, __u64 len)
{
	__u64 p;

	for (p = off / PAGE; p < (off + len + PAGE - 1) / PAGE; p++)
		if (p < PRIV_PAGES && pv->pinned[p])
			return true;
	return false;
}

static void priv_unpin(struct ctx *c, int k)
{
	struct priv *pv = &c->pv;
	__u64 p;

	if (close(pv->pmt[k]))
		FAIL(c, "close of a PMT: %s", strerror(errno));
	for (p = pv->pin_off[k] / PAGE;
	     p < (pv->pin_off[k] + pv->pin_len[k]) / PAGE; p++)
		pv->pinned[p]--;
	pv->npins--;
	held_pins(-1);
	pv->pmt[k] = pv->pmt[pv->npins];
	pv->pin_off[k] = pv->pin_off[pv->npins];
	pv->pin_len[k] = pv->pin_len[pv->npins];
}

/* After memory ran out half-way: take what the VMO holds as the model. */
static void priv_resync(struct ctx *c)
{
	struct priv *pv = &c->pv;

	memset(pv->model, 0, BUF_SIZE);
	EXPECT_RET(c, zt_ret(pread(pv->fd, pv->model, pv->size, 0)),
		   pv->size);
}

/* A random page, or all of it, against the model; and where it ends. */
static void priv_check(struct ctx *c, bool all)
{
	struct priv *pv = &c->pv;
	__u64 off = 0, len = pv->size;
	long r, bad;

	EXPECT_RET(c, zt_ret(pread(pv->fd, c->buf, 1, pv->size)), 0);
	if (!len)
		return;
	if (!all) {
		off = rnd(c, pv->size / PAGE) * PAGE;
		len = PAGE;
	}
	r = zt_ret(pread(pv->fd, c->buf, len, off));
	if (EXPECT_RET(c, r, len))
		return;
	bad = differ(c->buf, pv->model + off, len);
	if (bad >= 0) {
		FAIL(c, "private byte %#llx reads %#x, model %#x", off + bad,
		     c->buf[bad], pv->model[off + bad]);
		/* Report it once, not at every check from now on. */
		memcpy(pv->model + off, c->buf, len);
	} else {
		atomic_fetch_add(&sh->checks, 1);
	}
}

static void priv_map(struct ctx *c)
{
	struct priv *pv = &c->pv;
	unsigned char *p, got, val;
	__u64 off;
	int i;

	if (!pv->size)
		return;
	p = mmap(NULL, pv->size, PROT_READ | PROT_WRITE, MAP_SHARED, pv->fd,
		 0);
	if (p == MAP_FAILED) {
		check(c, -errno, A_NOMEM, 0);
		return;
	}
	for (i = 0; i < 8; i++) {
		off = rnd(c, pv->size);
		val = rnd(c, 256);
		if (probe(p + off, i & 1, val, &got)) {
			FAIL(c, "SIGBUS at %#llx of the private VMO",
			     off);
			break;
		}
		if (got != pv->model[off])
			FAIL(c, "private mapping byte %#llx reads %#x, model %#x",
			     off, got, pv->model[off]);
		if (i & 1)
			pv->model[off] = val;
	}
	if (munmap(p, pv->size))
		FAIL(c, "munmap: %s", strerror(errno));
}

static void priv_pin(struct ctx *c)
{
	struct priv *pv = &c->pv;
	__u64 pages = pv->size / PAGE, len, off, p;
	long r;

	if (pv->npins == MAX_PINS || (pv->npins && rnd(c, 2))) {
		priv_unpin(c, rnd(c, pv->npins));
		return;
	}
	if (!pages)
		return;
	len = 1 + rnd(c, min64(pages, 8));
	off = rnd(c, pages - len + 1);
	r = zt_pin(pv->fd, -1, ZVMO_PIN_READ, off * PAGE, len * PAGE, NULL,
		   0);
	if (check(c, r, A_NOMEM, 0))
		return;
	pv->pmt[pv->npins] = r;
	pv->pin_off[pv->npins] = off * PAGE;
	pv->pin_len[pv->npins++] = len * PAGE;
	for (p = off; p < off + len; p++)
		pv->pinned[p]++;
	held_pins(1);
}

static void op_private(struct ctx *c)
{
	struct priv *pv = &c->pv;
	__u64 size = pv->size, pages = size / PAGE, off, len;
	long r;

	count(c, OP_PRIVATE);
	if (pv->fd < 0)
		return;
	off = rnd(c, size);
	len = 1 + rnd(c, min64(size - off, 8 * PAGE));
	switch (rnd(c, 9)) {
	case 0:
	case 1:
		if (!size)
			break;
		fill(c, c->buf, len);
		r = zt_ret(pwrite(pv->fd, c->buf, len, off));
		/* Whatever was written is there, also if memory ran out. */
		if (r > 0 && r <= (long)len)
			memcpy(pv->model + off, c->buf, r);
		else if (r >= 0)
			FAIL(c, "wrote %ld of %llu", r,
			     len);
		else
			check(c, r, A_NOMEM, 0);
		break;
	case 2:
		if (!size)
			break;
		r = zt_op(pv->fd, ZVMO_OP_ZERO, off, len);
		if (!r)
			memset(pv->model + off, 0, len);
		else if (check(c, r, A_NOMEM, 0) > 0)
			priv_resync(c);
		break;
	case 3:
		if (!pages)
			break;
		off = rnd(c, pages) * PAGE;
		len = (1 + rnd(c, pages - off / PAGE)) * PAGE;
		r = zt_op(pv->fd, ZVMO_OP_DECOMMIT, off, len);
		/* Decommit frees only: it fails over a pin, and only then. */
		if (priv_pinned(pv, off, len))
			EXPECT_RET(c, r, -EBUSY);
		else if (!EXPECT_RET(c, r, 0))
			memset(pv->model + off, 0, len);
		break;
	case 4:
		size = (1 + rnd(c, PRIV_PAGES)) * PAGE;
		r = zt_set_size(pv->fd, size);
		if (size < pv->size &&
		    priv_pinned(pv, size, pv->size - size)) {
			EXPECT_RET(c, r, -EBUSY);
			break;
		}
		if (EXPECT_RET(c, r, 0))
			break;
		if (size < pv->size)
			memset(pv->model + size, 0, pv->size - size);
		pv->size = size;
		break;
	case 5:
		priv_map(c);
		break;
	case 6:
		priv_pin(c);
		break;
	case 7:
		if (size)
			check(c, zt_op(pv->fd, ZVMO_OP_COMMIT, off, len),
			      A_NOMEM, 0);
		break;
	default:
		/* Across the end: ERANGE, and nothing changes. */
		if (!size)
			break;
		r = zt_ret(pread(pv->fd, c->buf, 2, size - 1));
		EXPECT_RET(c, r, -ERANGE);
		r = zt_ret(pwrite(pv->fd, c->buf, 2, size - 1));
		EXPECT_RET(c, r, -ERANGE);
		r = zt_ret(pwrite(pv->fd, c->buf, 1, size));
		EXPECT_RET(c, r, -ERANGE);
		break;
	}
	priv_check(c, !(++pv->ops % 8));
}

/* Write a random range of @fd and its model; 0, or -1 to give up. */
static int cow_write(struct ctx *c, int fd, unsigned char *model,
		     __u64 size)
{
	__u64 off = rnd(c, size), len = 1 + rnd(c, size - off);
	long r;

	fill(c, c->buf, len);
	r = zt_ret(pwrite(fd, c->buf, len, off));
	if (r > 0 && r <= (long)len) {
		memcpy(model + off, c->buf, r);
		return 0;
	}
	if (r >= 0)
		FAIL(c, "wrote %ld of %llu", r, len);
	else
		check(c, r, A_NOMEM, 0);
	return -1;
}

static void cow_verify(struct ctx *c, int fd, const unsigned char *model,
		       __u64 size, const char *what)
{
	long r = zt_ret(pread(fd, c->buf, size, 0)), bad;

	if (EXPECT_RET(c, r, size))
		return;
	bad = differ(c->buf, model, size);
	if (bad >= 0)
		FAIL(c, "%s byte %#lx reads %#x, model %#x", what, bad,
		     c->buf[bad], model[bad]);
	else
		atomic_fetch_add(&sh->checks, 1);
}

/*
 * Snapshots, slices and references where nobody else can interfere: a
 * snapshot keeps what its parent held and neither sees the other's
 * writes; a slice and a reference are the parent's own pages.
 */
static void op_cow_check(struct ctx *c)
{
	static const __u32 types[] = {
		ZVMO_CHILD_SNAPSHOT, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
		ZVMO_CHILD_SNAPSHOT_MODIFIED,
	};
	unsigned char *mt = c->buf2, *mc = c->buf2 + 8 * PAGE;
	int t, ch = -1, sl = -1, rf = -1, pmt;
	__u64 off, len;
	long r;

	count(c, OP_COW_CHECK);
	t = zt_create(8 * PAGE, 0, ZVMO_FD_CLOEXEC);
	if (check(c, t, A_NOMEM, 0))
		return;
	fill(c, mt, 8 * PAGE);
	r = zt_ret(pwrite(t, mt, 8 * PAGE, 0));
	if (check(c, r, A_NOMEM, 0) || EXPECT_RET(c, r, 8 * PAGE))
		goto out;
	if (!rnd(c, 4)) {
		/* Pinned pages stay the VMO's: no snapshot meanwhile. */
		pmt = zt_pin(t, -1, ZVMO_PIN_READ, 0, PAGE, NULL, 0);
		if (check(c, pmt, A_NOMEM, 0))
			goto out;
		/* Memory may run out before the pin is seen. */
		r = zt_child(t, ZVMO_CHILD_SNAPSHOT, 0, PAGE);
		if (r >= 0)
			close(r);
		if (r != -ENOMEM || !injecting)
			EXPECT_RET(c, r, -EBUSY);
		close(pmt);
	}
	ch = zt_child(t, types[rnd(c, ARRAY_SIZE(types))], 2 * PAGE,
		      4 * PAGE);
	if (check(c, ch, A_NOMEM, 0))
		goto out;
	memcpy(mc, mt + 2 * PAGE, 4 * PAGE);
	/* Both read through a hidden node now: no decommit. */
	EXPECT_RET(c, zt_op(t, ZVMO_OP_DECOMMIT, 0, PAGE), -EOPNOTSUPP);
	EXPECT_RET(c, zt_op(ch, ZVMO_OP_DECOMMIT, 0, PAGE), -EOPNOTSUPP);
	if (cow_write(c, t, mt, 8 * PAGE) || cow_write(c, ch, mc, 4 * PAGE))
		goto out;
	sl = zt_child(t, ZVMO_CHILD_SLICE, 4 * PAGE, 2 * PAGE);
	if (check(c, sl, A_NOMEM, 0) ||
	    cow_write(c, sl, mt + 4 * PAGE, 2 * PAGE))
		goto out;
	rf = zt_child(t, ZVMO_CHILD_REFERENCE, 0, 0);
	if (check(c, rf, A_NOMEM, 0) || cow_write(c, rf, mt, 8 * PAGE))
		goto out;
	/* A zero in the snapshot hides its parent's bytes for good. */
	off = rnd(c, 4 * PAGE);
	len = 1 + rnd(c, 4 * PAGE - off);
	if (check(c, zt_op(ch, ZVMO_OP_ZERO, off, len), A_NOMEM, 0))
		goto out;
	memset(mc + off, 0, len);
	cow_verify(c, t, mt, 8 * PAGE, "parent");
	cow_verify(c, ch, mc, 4 * PAGE, "snapshot");
	cow_verify(c, sl, mt + 4 * PAGE, 2 * PAGE, "slice");
	cow_verify(c, rf, mt, 8 * PAGE, "reference");
out:
	if (rf >= 0)
		close(rf);
	if (sl >= 0)
		close(sl);
	if (ch >= 0)
		close(ch);
	close(t);
}

static void step(struct ctx *c)
{
	unsigned int k = rnd(c, 100);
	struct vref *v;

	if (k < 14)
		op_read(c, pick_io(c));
	else if (k < 24)
		op_write(c, pick_io(c));
	else if (k < 34)
		op_map(c, pick_io(c));
	else if (k < 39)
		op_range(c, pick_io(c), OP_COMMIT);
	else if (k < 43)
		op_range(c, pick_io(c), OP_DECOMMIT);
	else if (k < 47)
		op_range(c, pick_io(c), OP_ZERO);
	else if (k < 51)
		op_resize(c, rnd(c, 8) && (v = pick(c, P_ROPT)) ? v :
			  pick(c, P_ANY));
	else if (k < 58)
		op_pin(c);
	else if (k < 64)
		op_lock(c);
	else if (k < 68)
		op_create(c);
	else if (k < 76)
		op_child(c);
	else if (k < 79)
		op_info(c, pick_io(c));
	else if (k < 91)
		op_private(c);
	else if (k < 93)
		op_cow_check(c);
	else if (k < 95)
		op_reclaim(c);
	else
		op_adopt(c);
}

static struct ctx *ctx_alloc(int tid)
{
	struct ctx *c = calloc(1, sizeof(*c));
	__u64 s;
	int i;

	if (!c)
		return NULL;
	c->tid = tid;
	s = sh->seed ^ ((__u64)wk.inst << 32) ^ (__u64)(tid + 1) << 16;
	c->rng = splitmix(&s) | 1;
	c->buf = malloc(BUF_SIZE);
	c->buf2 = malloc(BUF_SIZE);
	c->pv.model = calloc(1, BUF_SIZE);
	c->pv.fd = -1;
	for (i = 0; i < MAX_REFS; i++)
		c->ref[i].fd = -1;
	if (!c->buf || !c->buf2 || !c->pv.model) {
		free(c->buf);
		free(c->buf2);
		free(c->pv.model);
		free(c);
		return NULL;
	}
	/*
	 * Touched now, so that a read into them never faults their pages
	 * in: under fault injection such a fault, inside zvmo's read,
	 * would be refused and cut the read short for the buffer's sake.
	 */
	memset(c->buf, 0, BUF_SIZE);
	memset(c->buf2, 0, BUF_SIZE);
	memset(c->pv.model, 0, BUF_SIZE);
	return c;
}

static void ctx_free(struct ctx *c)
{
	free(c->buf);
	free(c->buf2);
	free(c->pv.model);
	free(c);
}

static void *op_thread(void *arg)
{
	struct ctx *c = arg;
	struct vref *v;
	int i, l;

	for (i = 0; i < NR_SHARED; i++) {
		__u64 size = shared_spec[i].pages * PAGE;
		bool ropt = shared_spec[i].options & ZVMO_VMO_RESIZABLE;

		/* Anyone may resize the resizable ones: their size is unknown. */
		l = leaf_new(c, size, !ropt, ropt, false);
		v = ref_add(c, sh->vmo[i], K_SHARED, l, fam_new(c, true),
			    ropt ? ZVMO_RIGHTS_ALL :
				   ZVMO_RIGHTS_ALL & ~ZVMO_RIGHT_RESIZE);
		v->discard = shared_spec[i].options & ZVMO_VMO_DISCARDABLE;
		v->max = shared_spec[i].max_pages * PAGE;
	}
	c->pv.size = 32 * PAGE;
	c->pv.fd = create_retry(c->pv.size, ZVMO_VMO_RESIZABLE,
				ZVMO_FD_CLOEXEC);
	if (c->pv.fd < 0)
		FAIL(c, "private VMO: %s", strerror(-c->pv.fd));

	while (atomic_load(&sh->phase) == RUN) {
		c->nops++;
		step(c);
	}

	/* Give everything back: pins, locks, descriptors. */
	while (c->npins)
		unpin(c, 0);
	for (i = 0; i < MAX_REFS; i++)
		if (c->ref[i].fd >= 0)
			ref_close(c, &c->ref[i]);
	if (c->pv.fd >= 0) {
		while (c->pv.npins)
			priv_unpin(c, 0);
		close(c->pv.fd);
	}
	ctx_free(c);
	atomic_fetch_add(&wk.threads_done, 1);
	return NULL;
}

/* The pager thread: one pager, a VMO or two of it, and their requests. */
struct pvmo {
	int fd;
	unsigned int key;
	__u64 size;
};

struct pager_state {
	struct ctx *c;
	int pager;
	int aux;
	unsigned char *buf;
	struct pvmo v[PAGER_VMOS];
	int nv;
};

/* Hand a read-only handle to this worker's threads, and one to anyone. */
static void pager_publish(struct pager_state *ps, struct pvmo *p)
{
	int ro, old, d;

	ro = zt_dup(p->fd, RO_RIGHTS, ZVMO_FD_CLOEXEC);
	if (check(ps->c, ro, A_NOMEM, 0))
		return;
	pthread_mutex_lock(&wk.lock);
	old = wk.pub_fd;
	wk.pub_fd = ro;
	wk.pub_key = p->key;
	pthread_mutex_unlock(&wk.lock);
	if (old >= 0)
		close(old);
	d = zt_dup(p->fd, RO_RIGHTS, 0);
	if (check(ps->c, d, A_NOMEM, 0))
		return;
	/* The socket is non-blocking: a full queue takes no more. */
	zt_send_fd(sh->mbox[0], d);
	close(d);
}

/* Detach a VMO, which fails its requests for good, and let it go. */
static void pager_retire(struct pager_state *ps, int i)
{
	struct pvmo p = ps->v[i];
	int old = -1;

	count(ps->c, OP_DETACH);
	/* Flagged first: whoever gets the EBUSY sees the flag. */
	atomic_store(&sh->key[p.key].detached, 1);
	EXPECT_RET(ps->c, detach(ps->pager, p.fd), 0);
	pthread_mutex_lock(&wk.lock);
	if (wk.pub_key == (int)p.key) {
		old = wk.pub_fd;
		wk.pub_fd = -1;
		wk.pub_key = -1;
	}
	pthread_mutex_unlock(&wk.lock);
	if (old >= 0)
		close(old);
	close(p.fd);
	ps->v[i] = ps->v[--ps->nv];
}

static void pager_new_vmo(struct pager_state *ps)
{
	struct zvmo_name nm = { .argsz = sizeof(nm) };
	struct ctx *c = ps->c;
	unsigned int key;
	__u64 size;
	int fd;

	if (ps->nv == PAGER_VMOS)
		pager_retire(ps, 0);
	key = atomic_fetch_add(&sh->next_key, 1);
	if (key >= MAX_KEYS)
		return;
	atomic_store(&sh->key[key].inst, wk.inst);
	count(c, OP_PAGER_VMO);
	size = (32 + rnd(c, 97)) * PAGE;
	fd = pager_vmo(ps->pager, size, key, 0);
	if (check(c, fd, A_NOMEM, 0))
		return;
	/* Its key travels with it, as its name. */
	snprintf(nm.name, sizeof(nm.name), "stress-key-%u", key);
	EXPECT_RET(c, zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_NAME, &nm)), 0);
	ps->v[ps->nv] = (struct pvmo){ .fd = fd, .key = key, .size = size };
	pager_publish(ps, &ps->v[ps->nv++]);
}

static void pager_fail_range(struct pager_state *ps, struct pvmo *p,
			     __u64 off, __u64 len)
{
	struct ctx *c = ps->c;

	count(c, OP_FAIL);
	atomic_store(&sh->key[p->key].failed, 1);
	/* Only the errors Zircon lets a pager give. */
	if (!rnd(c, 8))
		EXPECT_RET(c, pager_fail(ps->pager, p->fd, off, len, EPERM),
			   -EINVAL);
	EXPECT_RET(c, pager_fail(ps->pager, p->fd, off, len,
				 rnd(c, 2) ? EIO : EBADMSG), 0);
}

/* Supply a range with the pattern, one of three ways: 0 or -errno. */
static int pager_supply(struct pager_state *ps, struct pvmo *p,
			__u64 off, __u64 len)
{
	struct zvmo_pager_supply_copy sc = {
		.argsz = sizeof(sc), .vmo_fd = p->fd, .offset = off,
		.length = len, .buffer = (uintptr_t)ps->buf,
	};
	__u64 i;
	long r;

	count(ps->c, OP_SUPPLY);
	switch (rnd(ps->c, 3)) {
	case 0:
		return supply_file(ps->pager, p->fd, off, len);
	case 1:
		for (i = 0; i < len; i++)
			ps->buf[i] = pattern(off + i);
		r = zt_ret(pwrite(ps->aux, ps->buf, len, 0));
		if (r != (long)len)
			return r < 0 ? r : -ENOMEM;
		r = supply(ps->pager, p->fd, off, len, ps->aux, 0);
		if (r)
			return r;
		/* A move: the aux VMO reads zeros where the pages were. */
		r = zt_ret(pread(ps->aux, ps->buf, PAGE, 0));
		if (!EXPECT_RET(ps->c, r, PAGE) && nonzero(ps->buf, PAGE) >= 0)
			FAIL(ps->c, "the aux VMO kept a supplied page");
		return 0;
	default:
		for (i = 0; i < len; i++)
			ps->buf[i] = pattern(off + i);
		return zt_ret(ioctl(ps->pager, ZVMO_IOC_PAGER_SUPPLY_COPY,
				    &sc));
	}
}

static void pager_packet(struct pager_state *ps,
			 const struct zvmo_pager_packet *pk)
{
	struct ctx *c = ps->c;
	struct pvmo *p = NULL;
	int i, tries;
	long r;

	for (i = 0; i < ps->nv; i++)
		if (ps->v[i].key == pk->key)
			p = &ps->v[i];
	if (pk->flags || pk->reserved)
		FAIL(c, "packet flags %#x reserved %#x", pk->flags,
		     pk->reserved);
	if (!p) {
		/* Of a VMO detached since: its requests went with it. */
		if (pk->key >= MAX_KEYS ||
		    atomic_load(&sh->key[pk->key].inst) != wk.inst ||
		    pk->command == ZVMO_PAGER_DIRTY)
			FAIL(c, "packet %u for key %llu", pk->command,
			     pk->key);
		return;
	}
	if (pk->command != ZVMO_PAGER_READ) {
		FAIL(c, "packet %u for attached key %u", pk->command, p->key);
		return;
	}
	if (pk->offset % PAGE || !pk->length || pk->length % PAGE ||
	    pk->length > ZVMO_PAGER_BATCH * PAGE ||
	    pk->offset + pk->length > p->size) {
		FAIL(c, "READ %#llx+%#llx of a VMO of %#llx", pk->offset,
		     pk->length, p->size);
		return;
	}
	if (rnd(c, 100) < 3) {
		pager_fail_range(ps, p, pk->offset, pk->length);
		return;
	}
	/* A slow answer now and then: its readers block meanwhile. */
	if (!rnd(c, 16))
		usleep(10000 + rnd(c, 90000));
	for (tries = 0; tries < 3; tries++) {
		r = pager_supply(ps, p, pk->offset, pk->length);
		if (!r)
			return;
		if (check(c, r, A_NOMEM, 0) < 0)
			break;
	}
	/* Out of memory, or broken: its waiters must not wait forever. */
	pager_fail_range(ps, p, pk->offset, pk->length);
}

static void pager_act(struct pager_state *ps)
{
	struct ctx *c = ps->c;
	struct pvmo *p;
	__u64 pages, off;

	if (!ps->nv) {
		pager_new_vmo(ps);
		return;
	}
	switch (rnd(c, 5)) {
	case 0:
	case 1:
		pager_new_vmo(ps);
		break;
	case 2:
		pager_retire(ps, rnd(c, ps->nv));
		break;
	case 3:
		p = &ps->v[rnd(c, ps->nv)];
		pages = p->size / PAGE;
		off = rnd(c, pages);
		pager_fail_range(ps, p, off * PAGE,
				 (1 + rnd(c, min64(pages - off, 16))) * PAGE);
		break;
	default:
		/* Only this pager's VMOs detach from it. */
		count(c, OP_DETACH);
		EXPECT_RET(c, detach(ps->pager, ps->aux), -EINVAL);
		break;
	}
}

static void pager_loop(void)
{
	struct zvmo_pager_packet pk[8];
	struct pager_state ps = { .pager = -1, .aux = -1 };
	bool told = false;
	double next = 0;
	ssize_t n;
	int i;

	ps.c = ctx_alloc(NR_THREADS);
	ps.buf = malloc(ZVMO_PAGER_BATCH * PAGE);
	if (!ps.c || !ps.buf) {
		FAIL(NULL, "worker %d: no memory for its pager", wk.inst);
	} else {
		for (i = 0; i < 100; i++) {
			ps.pager = pager_create();
			if (ps.pager != -ENOMEM)
				break;
		}
		ps.aux = create_retry(ZVMO_PAGER_BATCH * PAGE, 0,
				      ZVMO_FD_CLOEXEC);
		if (ps.pager < 0 || ps.aux < 0) {
			FAIL(ps.c, "pager %d, aux VMO %d", ps.pager, ps.aux);
			if (ps.pager >= 0)
				close(ps.pager);
			ps.pager = -1;
		} else {
			fcntl(ps.pager, F_SETFL, O_NONBLOCK);
		}
	}
	/* Serve until every thread of every worker is done. */
	while (atomic_load(&sh->phase) != STOP_ALL) {
		struct pollfd pfd = { .fd = ps.pager, .events = POLLIN };

		if (!told && atomic_load(&wk.threads_done) == NR_THREADS) {
			atomic_store(&sh->stopped[wk.inst], 1);
			told = true;
		}
		if (ps.pager < 0) {
			usleep(10000);
			continue;
		}
		if (atomic_load(&sh->phase) == RUN &&
		    (!ps.nv || now() >= next)) {
			pager_act(&ps);
			next = now() + 0.2 + rnd(ps.c, 600) / 1000.0;
		}
		if (poll(&pfd, 1, 10) != 1)
			continue;
		n = read(ps.pager, pk, sizeof(pk));
		if (n < 0) {
			if (errno != EAGAIN)
				FAIL(ps.c, "read of the pager: %s",
				     strerror(errno));
			continue;
		}
		if (!n || n % sizeof(pk[0]))
			FAIL(ps.c, "read %zd bytes of packets", n);
		for (i = 0; i < n / (ssize_t)sizeof(pk[0]); i++)
			pager_packet(&ps, &pk[i]);
	}
	if (wk.pub_fd >= 0)
		close(wk.pub_fd);
	for (i = 0; i < ps.nv; i++)
		close(ps.v[i].fd);
	if (ps.aux >= 0)
		close(ps.aux);
	if (ps.pager >= 0)
		close(ps.pager);
	free(ps.buf);
	if (ps.c)
		ctx_free(ps.c);
}

static int worker(int inst)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	pthread_t th[NR_THREADS];
	bool started[NR_THREADS] = { false };
	struct ctx *c;
	int i;

	wk.inst = inst;
	wk.pub_fd = -1;
	wk.pub_key = -1;
	atomic_store(&wk.threads_done, 0);
	pthread_mutex_init(&wk.lock, NULL);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		return 1;
	for (i = 0; i < NR_THREADS; i++) {
		c = ctx_alloc(i);
		if (c && !pthread_create(&th[i], NULL, op_thread, c)) {
			started[i] = true;
			continue;
		}
		FAIL(c, "thread %d of instance %d did not start", i, inst);
		if (c)
			ctx_free(c);
		atomic_fetch_add(&wk.threads_done, 1);
	}
	pager_loop();
	for (i = 0; i < NR_THREADS; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (i = 0; i < NR_SHARED; i++)
		close(sh->vmo[i]);
	close(sh->mbox[0]);
	close(sh->mbox[1]);
	return 0;
}

static pid_t spawn(int inst)
{
	pid_t pid = fork();

	if (!pid)
		_exit(worker(inst));
	if (pid < 0)
		FAIL(NULL, "fork: %s", strerror(errno));
	return pid;
}

/* Wait for @pid until @deadline: 0 with its @status, or -1. */
static int reap(pid_t pid, double deadline, int *status)
{
	pid_t r;

	/* Not a worker (its fork failed): nothing to wait for. */
	if (pid <= 0)
		return -1;
	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 || now() > deadline)
			return -1;
		usleep(5000);
	}
}

/* The most the run's memory cgroup held, or -1. */
static long memcg_peak_kib(void)
{
	long long peak = -1;
	FILE *f = fopen("/sys/fs/cgroup/zvmo-test/memory.peak", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &peak) != 1)
		peak = -1;
	fclose(f);
	return peak < 0 ? -1 : peak / 1024;
}

/* The run itself, inside the memory cgroup; its status is 0. */
static int stress_main(void)
{
	__u64 rng = sh->seed ^ 0x706172656e74ULL;
	struct zvmo_stats st_now;
	pid_t pid[NR_WORKERS];
	int inst[NR_WORKERS], next_inst = 0, i, j, w, st, nkills;
	double at[8], start, end, t;
	pid_t r;

	rng = splitmix(&rng) | 1;
	for (i = 0; i < NR_SHARED; i++) {
		sh->vmo[i] = create_retry(shared_spec[i].pages * PAGE,
					  shared_spec[i].options, 0);
		if (sh->vmo[i] < 0) {
			FAIL(NULL, "shared VMO %d: %s", i,
			     strerror(-sh->vmo[i]));
			return 1;
		}
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sh->mbox) ||
	    fcntl(sh->mbox[0], F_SETFL, O_NONBLOCK) ||
	    fcntl(sh->mbox[1], F_SETFL, O_NONBLOCK)) {
		FAIL(NULL, "socketpair: %s", strerror(errno));
		return 1;
	}
	for (w = 0; w < NR_WORKERS; w++) {
		inst[w] = next_inst++;
		pid[w] = spawn(inst[w]);
	}

	/* A few kills at random moments, none in the last half second. */
	start = now();
	end = start + sh->seconds;
	nkills = 3 + next_rand(&rng) % 3;
	for (i = 0; i < nkills; i++)
		at[i] = start + 0.3 + (sh->seconds - 0.8) *
			(next_rand(&rng) % 1000) / 1000.0;
	for (i = 1; i < nkills; i++)
		for (j = i; j > 0 && at[j] < at[j - 1]; j--) {
			t = at[j];
			at[j] = at[j - 1];
			at[j - 1] = t;
		}
	j = 0;
	while (now() < end) {
		usleep(10000);
		if (!zt_stats(&st_now)) {
			if (st_now.vmos > sh->peak_vmos)
				sh->peak_vmos = st_now.vmos;
			if (st_now.pages > sh->peak_pages)
				sh->peak_pages = st_now.pages;
		}
		/* A worker that ended by itself is a failure. */
		r = waitpid(-1, &st, WNOHANG);
		for (w = 0; r > 0 && w < NR_WORKERS; w++) {
			if (pid[w] != r)
				continue;
			FAIL(NULL, "worker %d ended by itself: status %#x",
			     inst[w], st);
			if (next_inst < MAX_INST) {
				inst[w] = next_inst++;
				pid[w] = spawn(inst[w]);
			}
		}
		if (j == nkills || now() < at[j] || next_inst == MAX_INST)
			continue;
		j++;
		w = next_rand(&rng) % NR_WORKERS;
		/* Every other one when it is in a pager's business. */
		for (t = now() + 0.3; (j & 1) && now() < t; usleep(2000))
			if (atomic_load(&sh->held[inst[w]].waits) ||
			    atomic_load(&sh->held[inst[w]].waited))
				break;
		sh->kills_pins += !!atomic_load(&sh->held[inst[w]].pins);
		sh->kills_locks += !!atomic_load(&sh->held[inst[w]].locks);
		sh->kills_waits += !!atomic_load(&sh->held[inst[w]].waits);
		sh->kills_waited += !!atomic_load(&sh->held[inst[w]].waited);
		atomic_store(&sh->killed[inst[w]], 1);
		if (pid[w] > 0)
			kill(pid[w], SIGKILL);
		if (reap(pid[w], now() + 10, &st))
			FAIL(NULL, "worker %d did not die of SIGKILL in 10 s",
			     inst[w]);
		else if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
			FAIL(NULL, "killed worker %d ended with status %#x",
			     inst[w], st);
		atomic_fetch_add(&sh->kills, 1);
		inst[w] = next_inst++;
		pid[w] = spawn(inst[w]);
	}

	/* Threads first, pagers after: a thread may wait for any pager. */
	atomic_store(&sh->phase, STOP_OPS);
	t = now() + 15;
	for (w = 0; w < NR_WORKERS; w++) {
		while (!atomic_load(&sh->stopped[inst[w]]) && now() < t)
			usleep(10000);
		if (atomic_load(&sh->stopped[inst[w]]))
			continue;
		FAIL(NULL, "worker %d: threads did not stop in 15 s", inst[w]);
		atomic_store(&sh->killed[inst[w]], 1);
		if (pid[w] > 0)
			kill(pid[w], SIGKILL);
	}
	atomic_store(&sh->phase, STOP_ALL);
	for (w = 0; w < NR_WORKERS; w++) {
		if (reap(pid[w], now() + 10, &st))
			FAIL(NULL, "worker %d did not exit", inst[w]);
		else if (!atomic_load(&sh->killed[inst[w]]) &&
			 (!WIFEXITED(st) || WEXITSTATUS(st)))
			FAIL(NULL, "worker %d ended with status %#x", inst[w],
			     st);
	}
	for (i = 0; i < NR_SHARED; i++)
		close(sh->vmo[i]);
	close(sh->mbox[0]);
	close(sh->mbox[1]);
	sh->peak_kib = memcg_peak_kib();
	return 0;
}

static bool stats_back(const struct zvmo_stats *a, const struct zvmo_stats *b)
{
	return a->vmos == b->vmos && a->handles == b->handles &&
	       a->pages == b->pages && a->pinned_pages == b->pinned_pages &&
	       a->pmts == b->pmts && a->page_list_nodes == b->page_list_nodes;
}

FIXTURE(stress) {
	struct zvmo_stats before;
};

FIXTURE_SETUP(stress)
{
	if (zt_dev() < 0)
		SKIP(return, "no %s", ZVMO_DEVICE_PATH);
	ASSERT_EQ(0, zt_stats(&self->before));
}

FIXTURE_TEARDOWN(stress)
{
}

/* Not the harness's 30 s: ZVMO_STRESS_SECONDS may ask for longer. */
TEST_F_TIMEOUT(stress, workload, MAX_SECONDS + 30)
{
	struct zvmo_stats after;
	unsigned long total = 0;
	const char *env;
	char line[128];
	int status, i, n = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	tmd = _metadata;
	sh->seed = DEFAULT_SEED;
	/* Set by run_injected.sh: zvmo's allocations fail on purpose. */
	injecting = getenv("ZVMO_INJECTING") != NULL;
	env = getenv("ZVMO_STRESS_SEED");
	if (env)
		sh->seed = strtoull(env, NULL, 0);
	sh->seconds = DEFAULT_SECONDS;
	env = getenv("ZVMO_STRESS_SECONDS");
	if (env)
		sh->seconds = atoi(env);
	if (sh->seconds < 1 || sh->seconds > MAX_SECONDS)
		sh->seconds = sh->seconds < 1 ? 1 : MAX_SECONDS;
	for (i = 0; i < MAX_KEYS; i++)
		atomic_store(&sh->key[i].inst, -1);
	TH_LOG("seed %#llx (ZVMO_STRESS_SEED), %d s (ZVMO_STRESS_SECONDS)",
	       sh->seed, sh->seconds);

	status = zt_in_memcg("128M", stress_main);
	if (status == -1)
		SKIP(return, "no memory cgroup");

	/* Exiting processes let their descriptors go a little later. */
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, zt_stats(&after));
		if (stats_back(&self->before, &after))
			break;
		usleep(100000);
	}
	for (i = 0; i < NR_OPS; i++) {
		total += atomic_load(&sh->ops[i]);
		n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
			      op_name[i], atomic_load(&sh->ops[i]));
		if (n > 80 || i == NR_OPS - 1) {
			TH_LOG("ops:%s", line);
			n = 0;
		}
	}
	TH_LOG("%lu operations, %lu SIGBUS, %lu content and state checks",
	       total, atomic_load(&sh->sigbus), atomic_load(&sh->checks));
	for (i = 0, n = 0; i < ERRNO_MAX; i++) {
		if (!atomic_load(&sh->errors[i]))
			continue;
		n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
			      strerrorname_np(i), atomic_load(&sh->errors[i]));
		if (n > 80) {
			TH_LOG("errors allowed:%s", line);
			n = 0;
		}
	}
	if (n)
		TH_LOG("errors allowed:%s", line);
	TH_LOG("at most %llu VMOs and %llu pages; memory cgroup peak %ld KiB",
	       sh->peak_vmos, sh->peak_pages, sh->peak_kib);
	TH_LOG("reclaim: %llu VMOs discarded, %llu pages evicted, %llu deduped",
	       after.discarded_vmos - self->before.discarded_vmos,
	       after.evicted_pages - self->before.evicted_pages,
	       after.deduped_pages - self->before.deduped_pages);
	TH_LOG("%lu kills: %lu holding pins, %lu holding shared locks",
	       atomic_load(&sh->kills), sh->kills_pins, sh->kills_locks);
	TH_LOG("%lu kills in a call to another's pager, %lu in one to theirs",
	       sh->kills_waits, sh->kills_waited);

	EXPECT_EQ(0, status);
	EXPECT_EQ(0, atomic_load(&sh->failures));
	EXPECT_EQ(self->before.vmos, after.vmos);
	EXPECT_EQ(self->before.handles, after.handles);
	EXPECT_EQ(self->before.pages, after.pages);
	EXPECT_EQ(self->before.pinned_pages, after.pinned_pages);
	EXPECT_EQ(self->before.pmts, after.pmts);
	EXPECT_EQ(self->before.page_list_nodes, after.page_list_nodes);
	/* It did what it is for: kills, pager traffic, checked content. */
	EXPECT_LE(3, atomic_load(&sh->kills));
	EXPECT_LT(0, atomic_load(&sh->ops[OP_SUPPLY]));
	EXPECT_LT(0, atomic_load(&sh->checks));
	munmap(sh, sizeof(*sh));
}

TEST_HARNESS_MAIN
