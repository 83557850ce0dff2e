// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded, replayable fuzzer of zvmo's system calls. Each iteration
 * picks a target (/dev/zvmo, a VMO, a pager, a PMT, a BTI, a random ioctl
 * number, read()/write(), mmap()) and calls it with a mostly valid
 * argument, one or two fields of which may be mutated. Every call must
 * succeed or fail with an errno the ABI allows, some must fail with
 * exactly one (a bad pointer is EFAULT, an unknown command ENOTTY, a
 * short struct EINVAL), what comes back must make sense, and nothing may
 * be left in the module's counters once the descriptors are closed.
 *
 * ZVMO_FUZZ_SEED and ZVMO_FUZZ_ITERATIONS override the seed and the
 * count; ZVMO_FUZZ_TRACE=N prints every call from iteration N on. In the
 * VM they come from the kernel command line (VMTEST_APPEND), which hands
 * them to init's environment. The same seed makes the same calls, as long
 * as reclaim (which frees pages by age) and the pager's timing do not
 * differ; tracing slows the run, so start it near the iteration of
 * interest. The default count stops early on a slow (debug) kernel, at a
 * time cap; the count done is printed, and replays it.
 *
 * It runs in a memory cgroup, so that a commit of a huge range fails
 * with ENOMEM rather than waking the OOM killer, and it gives memory back
 * (closes descriptors) whenever the module holds more than 24 MiB. A call
 * that does not end within a minute is reported with the kernel stacks of
 * both threads.
 *
 * A call that may wait for a pager runs on a worker thread. When the
 * worker sleeps in the module's wait for a pager, the main thread plays
 * the pager: it supplies what was asked, fails it, detaches the VMO or
 * closes the pager.
 */
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"

#define PAGE		4096ULL
#define ARENA		(16 * PAGE)	/* user buffers the kernel fills */
#define ARGBUF		(3 * PAGE)	/* argument structs and their tails */
#define SUPPLY_BUF	(ZVMO_PAGER_BATCH * PAGE)
#define MAX_ENTS	200		/* descriptors held at most */
#define FULL_ENTS	180		/* from here, close one per iteration */
#define SHED_HIGH	6144		/* module pages (24 MiB): give back */
#define SHED_LOW	3072
#define PLAY_ROUNDS	8		/* answers to one call, then close */
#define HANG_S		60		/* no call ends for so long: a hang */
#define MAX_REPORTS	30

#define DEFAULT_SEED	0x7a766d6f2d66757aULL
#define DEFAULT_ITERS	20000UL
#define DEFAULT_CAP_MS	150000	/* for the default count only */

/* What the counts are kept by. */
enum {
	TG_DEV, TG_VMO, TG_PAGER, TG_PMT, TG_BTI, TG_RANDOM, TG_RW, TG_MMAP,
	TG_PLAY, TG_RECLAIM, TG_NUM
};

static const char * const tg_name[TG_NUM] = {
	"dev", "vmo", "pager", "pmt", "bti", "random-ioctl", "read-write",
	"mmap", "pager-play", "reclaim",
};

/* Shared with the test process, which reports and checks them. */
struct results {
	unsigned long iterations;
	unsigned long ok[TG_NUM], failed[TG_NUM];
	unsigned long bad;		/* misbehaviours seen */
	unsigned long plays, stalls, sheds, sigbus, sigsegv;
	unsigned long cur_iter;		/* the call in flight */
	const char *cur_name;
	unsigned long cur_cmd;
	int done;
	int capped;			/* stopped by the time cap */
};

static struct results *res;
static struct __test_metadata *md;	/* TH_LOG() outside the test */
static __u64 seed, rng;
static int saw_enomem;
static struct zvmo_stats before;	/* the module's, before the run */
static unsigned long iter, iterations, trace_from = ~0UL;
/* Set by run_injected.sh: allocations of zvmo fail on purpose. */
static unsigned long injecting;
static long cap_ms;		/* 0: no cap */

#define LOG(fmt, ...) do { \
	struct __test_metadata *_metadata = md; \
	TH_LOG(fmt, ##__VA_ARGS__); \
} while (0)

/* xorshift64: small, and the same sequence everywhere. */
static __u64 xorshift(__u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static __u64 rnd64(void)
{
	return xorshift(&rng);
}

static __u32 rnd(__u32 n)
{
	return n ? rnd64() % n : 0;
}

/*
 * Playing the pager takes as many rounds as the timing says: its own
 * sequence keeps the calls' the same whatever it takes.
 */
static __u64 play_rng;

static __u32 play_rnd(__u32 n)
{
	return n ? xorshift(&play_rng) % n : 0;
}

/* Descriptors held. Closed ones stay (fd -1) until the next iteration. */
enum { E_VMO, E_PAGER, E_PMT, E_BTI, E_NUM };

static const char * const ent_name[E_NUM] = { "vmo", "pager", "pmt", "bti" };

struct ent {
	int fd;
	int type;
	unsigned int id;	/* unique; a pager's VMOs name it */
	unsigned int obj;	/* the VMO: descriptors made by DUP share it */
	unsigned int root_obj;	/* the pager's VMO it reads through */
	unsigned int pager;	/* that VMO's pager, or 0 */
	__u64 key;		/* a pager's VMO: its packets' key */
	int root;		/* a pager's VMO itself (or a DUP of one) */
	int discardable, resizable;
	__u64 size;		/* when it was made */
	__u32 rights;
};

static struct ent pool[MAX_ENTS];
static int npool;
static unsigned int next_id = 1;
static int stale[16];		/* numbers closed lately */
static unsigned int nstale;
static int others[4];		/* a pipe, /dev/null, an eventfd */

static char *arena, *guard, *argbuf, *argguard, *rodata, *supply_buf;
static size_t argbuf_dirty;

/* A packet read from a pager and not answered yet. */
struct pend {
	unsigned int pager;
	struct zvmo_pager_packet p;
};

static struct pend pend[64];
static unsigned int npend;

/* One system call, and what it is expected to do. */
enum { K_IOCTL, K_READ, K_WRITE, K_PREAD, K_PWRITE, K_MMAP };

struct call {
	int tgt;
	int kind;
	const char *name;
	int fd;
	unsigned long cmd;
	void *arg;
	size_t size;		/* of the struct */
	__u32 argsz;
	int out_only;		/* the kernel writes [0, min(argsz, size)) */
	int in_out;
	int valid_ptr;		/* @arg points at the whole struct */
	int clean;		/* nothing mutated: the call is well formed */
	int creates;		/* returns a new descriptor */
	int expect;		/* the errno it must fail with, or 0 */
	int must_fail;
	int paged;		/* a pager's errors may come back */
	int route;		/* may wait for a pager: on the worker */
	unsigned int npg;
	unsigned int pg[4], pg_root[4];
	/* read(), write(), mmap() */
	void *buf;
	size_t len;
	__u64 off;
	int prot, flags;
	char touch[2];
	size_t touch_off[2];
	int sig[2];
	/* the outcome */
	long ret;
	int err;
	unsigned char snap[256];
	size_t snaplen;
};

/* Errnos the module's ioctls return (uapi/zvmo.h). */
static const int ioctl_errnos[] = {
	EINVAL, E2BIG, EFAULT, ERANGE, EOPNOTSUPP, ENOTTY, EBADF, EACCES,
	EPERM, EBUSY, ENOMEM, ENOENT, EINTR,
};

/* What a pager may fail a request with: the waiting call gets it. */
static const int pager_errnos[] = { EIO, EBADMSG, EBUSY, ENOSPC, ENOBUFS };

/* read(), write() and mmap() add what the VFS says itself. */
static const int file_errnos[] = { EAGAIN, ENODEV, EOVERFLOW };

static int in_list(const int *l, size_t n, int e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i] == e)
			return 1;
	return 0;
}

static int errno_allowed(const struct call *c, int e)
{
	if (in_list(ioctl_errnos, ARRAY_SIZE(ioctl_errnos), e))
		return 1;
	if (c->paged && in_list(pager_errnos, ARRAY_SIZE(pager_errnos), e))
		return 1;
	return c->kind != K_IOCTL &&
	       in_list(file_errnos, ARRAY_SIZE(file_errnos), e);
}

static struct ent *ent_of_fd(int fd)
{
	int i;

	if (fd < 0)
		return NULL;
	for (i = 0; i < npool; i++)
		if (pool[i].fd == fd)
			return &pool[i];
	return NULL;
}

static const char *fd_kind(int fd)
{
	struct ent *e = ent_of_fd(fd);
	unsigned int i;

	if (e)
		return ent_name[e->type];
	if (fd == zt_dev())
		return "dev";
	for (i = 0; i < ARRAY_SIZE(others); i++)
		if (fd == others[i])
			return "other";
	return "none";
}

static void describe(const struct call *c, char *buf, size_t len)
{
	size_t n = 0, i;

	switch (c->kind) {
	case K_IOCTL:
		n = snprintf(buf, len, "%s: ioctl(%d (%s), %#lx, %p)",
			     c->name, c->fd, fd_kind(c->fd), c->cmd, c->arg);
		for (i = 0; i + 4 <= c->snaplen && i < 96 && n < len; i += 4) {
			__u32 w;

			memcpy(&w, c->snap + i, 4);
			n += snprintf(buf + n, len - n, "%s%08x",
				      i ? " " : " {", w);
		}
		if (c->snaplen && n < len)
			n += snprintf(buf + n, len - n, "}");
		break;
	case K_MMAP:
		n = snprintf(buf, len,
			     "%s: mmap(%#zx, prot %#x, flags %#x, %d (%s), %#llx) touch %c@%#zx %c@%#zx signals %d %d",
			     c->name, c->len, c->prot, c->flags, c->fd,
			     fd_kind(c->fd), (unsigned long long)c->off,
			     c->touch[0] ? c->touch[0] : '-', c->touch_off[0],
			     c->touch[1] ? c->touch[1] : '-', c->touch_off[1],
			     c->sig[0], c->sig[1]);
		break;
	default:
		n = snprintf(buf, len, "%s(%d (%s), %p, %#zx, %#llx)",
			     c->name, c->fd, fd_kind(c->fd), c->buf, c->len,
			     (unsigned long long)c->off);
		break;
	}
	if (n < len)
		snprintf(buf + n, len - n, " = %ld, errno %d (%s)", c->ret,
			 c->ret < 0 ? c->err : 0,
			 c->ret < 0 ? strerror(c->err) : "-");
}

static void misbehaved(const struct call *c, const char *why)
{
	char desc[640];

	res->bad++;
	if (res->bad > MAX_REPORTS)
		return;
	if (c)
		describe(c, desc, sizeof(desc));
	LOG("seed %#llx iteration %lu: %s: %s", (unsigned long long)seed,
	    iter, why, c ? desc : "");
}

/* Interesting numbers: the edges of pages, of types, of the VMO size. */
static __u64 any64(void)
{
	static const __u64 v[] = {
		0, 1, 2, 7, 4095, 4096, 4097, 8191, 8192, 65536, 1 << 20,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		ZVMO_VMO_MAX_SIZE - PAGE, ZVMO_VMO_MAX_SIZE - 1,
		ZVMO_VMO_MAX_SIZE, ZVMO_VMO_MAX_SIZE + 1,
		ZVMO_VMO_MAX_SIZE + PAGE, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, UINT64_MAX - PAGE,
		UINT64_MAX - PAGE + 1, UINT64_MAX - 1, UINT64_MAX,
	};
	__u64 x;

	switch (rnd(4)) {
	case 0:
		return v[rnd(ARRAY_SIZE(v))];
	case 1:
		return rnd(64) * PAGE + rnd(3) - 1;
	case 2:
		return (1ULL << rnd(64)) + rnd(3) - 1;
	default:
		x = rnd64();
		return x >> rnd(64);
	}
}

static __u32 any32(__u32 valid)
{
	switch (rnd(6)) {
	case 0:
		return 0;
	case 1:
		return valid;
	case 2:
		return valid | 1U << rnd(32);
	case 3:
		return 1U << rnd(32);
	case 4:
		return UINT32_MAX;
	default:
		return rnd64();
	}
}

static __u32 fd_flags(void)
{
	if (rnd(8))
		return ZVMO_FD_CLOEXEC;
	return rnd(2) ? 0 : any32(ZVMO_FD_CLOEXEC);
}

/* Sizes of new VMOs: mostly small, now and then huge. */
static __u64 vmo_size(void)
{
	unsigned int r = rnd(100);

	if (r < 60)
		return (1 + rnd(16)) * PAGE - (rnd(4) ? 0 : rnd(PAGE));
	if (r < 85)
		return (1 + rnd(256)) * PAGE;
	if (r < 88)
		return 0;
	if (r < 95)
		return rnd(2) ? ZVMO_VMO_MAX_SIZE - rnd(4) * PAGE :
				1ULL << (32 + rnd(15));
	return any64();
}

/* An offset into something of size @s, and a length from @off. */
static __u64 rnd_off(__u64 s)
{
	switch (rnd(8)) {
	case 0:
	case 1:
		return 0;
	case 2:
	case 3:
	case 4:
		return s >= PAGE ? rnd64() % (s / PAGE) * PAGE : 0;
	case 5:
		return s ? rnd64() % s : 0;
	case 6:
		return s - (rnd(2) ? 0 : PAGE);
	default:
		return any64();
	}
}

static __u64 rnd_len(__u64 s, __u64 off)
{
	switch (rnd(8)) {
	case 0:
	case 1:
		return s > off ? s - off : 0;
	case 2:
	case 3:
	case 4:
		return (1 + rnd(16)) * PAGE;
	case 5:
		return rnd(2 * PAGE);
	case 6:
		return rnd(2);
	default:
		return any64();
	}
}

/* Mostly a range of whole pages inside @s; else anything. */
static void rnd_range(__u64 s, __u64 *off, __u64 *len)
{
	__u64 pages = s / PAGE, n;

	if (!pages || !rnd(4)) {
		*off = rnd_off(s);
		*len = rnd_len(s, *off);
		return;
	}
	*off = rnd64() % pages * PAGE;
	n = pages - *off / PAGE;
	*len = (1 + rnd(n < 16 ? n : 16)) * PAGE;
}

/* The same, page aligned: what supply, pin and the pager ops take. */
static __u64 rnd_page_off(__u64 s)
{
	return rnd(8) ? rnd_off(s) & ~(PAGE - 1) : rnd_off(s);
}

static __u64 rnd_page_len(__u64 s, __u64 off)
{
	__u64 len = rnd_len(s, off);

	if (rnd(8) && len < s - off && len > 16 * PAGE && rnd(4))
		len = (1 + rnd(16)) * PAGE;
	return rnd(8) ? (len + PAGE - 1) & ~(PAGE - 1) : len;
}

/* A user pointer the kernel is to read or write @want bytes at. */
static __u64 pick_ptr(size_t want)
{
	switch (rnd(16)) {
	case 0:
		return 0;
	case 1:
		return 8;
	case 2:
		return 0xffff800000000000ULL;
	case 3:
		return (uintptr_t)guard;
	case 4:
		return (uintptr_t)rodata;
	case 5:	/* runs into the guard page */
		return (uintptr_t)(guard - 1 - rnd(want ? want : 1));
	case 6:
		return rnd64();
	case 7:
		return (uintptr_t)(arena + rnd(ARENA));
	default:
		return (uintptr_t)arena;
	}
}

/* A random live descriptor of @type (any type if -1), or NULL. */
static struct ent *pick(int type)
{
	int i, n = 0, k;

	for (i = 0; i < npool; i++)
		if (pool[i].fd >= 0 && (type < 0 || pool[i].type == type))
			n++;
	if (!n)
		return NULL;
	k = rnd(n);
	for (i = 0; i < npool; i++)
		if (pool[i].fd >= 0 && (type < 0 || pool[i].type == type) &&
		    !k--)
			return &pool[i];
	return NULL;
}

/* A VMO of pager @id, its own (a root) if there is one. */
static struct ent *pick_vmo_of(unsigned int id)
{
	int i, n = 0, k;

	for (i = 0; i < npool; i++)
		if (pool[i].fd >= 0 && pool[i].type == E_VMO &&
		    pool[i].pager == id && pool[i].root)
			n++;
	if (!n)
		return pick(E_VMO);
	k = rnd(n);
	for (i = 0; i < npool; i++)
		if (pool[i].fd >= 0 && pool[i].type == E_VMO &&
		    pool[i].pager == id && pool[i].root && !k--)
			return &pool[i];
	return NULL;
}

static struct ent *pager_ent(unsigned int id)
{
	int i;

	for (i = 0; i < npool; i++)
		if (pool[i].fd >= 0 && pool[i].type == E_PAGER &&
		    pool[i].id == id)
			return &pool[i];
	return NULL;
}

/*
 * A descriptor number for an argument: mostly one of @type, else of
 * another type, closed, -1, or not ours at all.
 */
static int pick_fd(int type, unsigned int pager)
{
	struct ent *e = NULL;

	switch (rnd(20)) {
	case 0:
		return -1;
	case 1:
		return nstale ? stale[rnd(nstale < 16 ? nstale : 16)] : 999;
	case 2:
		return others[rnd(ARRAY_SIZE(others))];
	case 3:
		return zt_dev();
	case 4:
		return (__s32)rnd64();
	case 5:
	case 6:
		e = pick(-1);
		break;
	default:
		if (type == E_VMO && pager)
			e = pick_vmo_of(pager);
		else if (type >= 0)
			e = pick(type);
		break;
	}
	if (!e)
		e = pick(-1);
	return e ? e->fd : -1;
}

/* Note that @fd takes part in @c: a pager's VMO may make it wait. */
static void involve(struct call *c, int fd)
{
	struct ent *e = ent_of_fd(fd);

	if (!e || e->type != E_VMO || !e->pager)
		return;
	c->paged = 1;
	if (!pager_ent(e->pager) || c->npg == ARRAY_SIZE(c->pg))
		return;
	c->route = 1;
	c->pg[c->npg] = e->pager;
	c->pg_root[c->npg++] = e->root_obj;
}

static void close_ent(struct ent *e)
{
	unsigned int i;

	if (e->fd < 0)
		return;
	close(e->fd);
	stale[nstale++ % ARRAY_SIZE(stale)] = e->fd;
	e->fd = -1;
	if (e->type != E_PAGER)
		return;
	for (i = 0; i < npend;)
		if (pend[i].pager == e->id)
			pend[i] = pend[--npend];
		else
			i++;
}

static int count(int type)
{
	int i, n = 0;

	for (i = 0; i < npool; i++)
		n += pool[i].fd >= 0 && pool[i].type == type;
	return n;
}

static int live(void)
{
	int i, n = 0;

	for (i = 0; i < npool; i++)
		n += pool[i].fd >= 0;
	return n;
}

static void compact(void)
{
	int i, j = 0;

	for (i = 0; i < npool; i++)
		if (pool[i].fd >= 0)
			pool[j++] = pool[i];
	npool = j;
}

/* Argument struct layouts: which fields to mutate, and how. */
enum { F_NUM32, F_NUM64, F_PTR, F_FD, F_RSV32, F_RSV64 };

struct field {
	unsigned char off, kind;
};

#define FLD(type, member, kind)	{ offsetof(struct type, member), kind }

static unsigned int field_size(const struct field *f)
{
	return f->kind == F_NUM32 || f->kind == F_FD || f->kind == F_RSV32 ?
	       4 : 8;
}

static const struct field f_hdr[] = {
	{ 4, F_RSV32 },
};

static const struct field f_vmo_create[] = {
	FLD(zvmo_vmo_create, options, F_NUM32),
	FLD(zvmo_vmo_create, size, F_NUM64),
	FLD(zvmo_vmo_create, fd_flags, F_NUM32),
	FLD(zvmo_vmo_create, reserved, F_RSV32),
};

static const struct field f_child[] = {
	FLD(zvmo_vmo_create_child, options, F_NUM32),
	FLD(zvmo_vmo_create_child, offset, F_NUM64),
	FLD(zvmo_vmo_create_child, size, F_NUM64),
	FLD(zvmo_vmo_create_child, fd_flags, F_NUM32),
	FLD(zvmo_vmo_create_child, reserved, F_RSV32),
};

static const struct field f_dup[] = {
	FLD(zvmo_vmo_dup, rights, F_NUM32),
	FLD(zvmo_vmo_dup, fd_flags, F_NUM32),
	FLD(zvmo_vmo_dup, reserved, F_RSV32),
};

static const struct field f_set_size[] = {
	FLD(zvmo_set_size, flags, F_RSV32),
	FLD(zvmo_set_size, size, F_NUM64),
};

static const struct field f_op_range[] = {
	FLD(zvmo_op_range, op, F_NUM32),
	FLD(zvmo_op_range, offset, F_NUM64),
	FLD(zvmo_op_range, length, F_NUM64),
	FLD(zvmo_op_range, buffer, F_PTR),
	FLD(zvmo_op_range, buffer_size, F_NUM64),
};

static const struct field f_name[] = {
	FLD(zvmo_name, reserved, F_RSV32),
};

static const struct field f_content_size[] = {
	FLD(zvmo_content_size, reserved, F_RSV32),
	FLD(zvmo_content_size, content_size, F_NUM64),
};

static const struct field f_bti_create[] = {
	FLD(zvmo_bti_create, options, F_RSV32),
	FLD(zvmo_bti_create, bti_id, F_NUM64),
	FLD(zvmo_bti_create, fd_flags, F_NUM32),
	FLD(zvmo_bti_create, reserved, F_RSV32),
};

static const struct field f_contig[] = {
	FLD(zvmo_vmo_create_contiguous, alignment_log2, F_NUM32),
	FLD(zvmo_vmo_create_contiguous, size, F_NUM64),
	FLD(zvmo_vmo_create_contiguous, bti_fd, F_FD),
	FLD(zvmo_vmo_create_contiguous, fd_flags, F_NUM32),
};

static const struct field f_pin[] = {
	FLD(zvmo_vmo_pin, options, F_NUM32),
	FLD(zvmo_vmo_pin, offset, F_NUM64),
	FLD(zvmo_vmo_pin, size, F_NUM64),
	FLD(zvmo_vmo_pin, addrs, F_PTR),
	FLD(zvmo_vmo_pin, num_addrs, F_NUM64),
	FLD(zvmo_vmo_pin, bti_fd, F_FD),
	FLD(zvmo_vmo_pin, fd_flags, F_NUM32),
};

static const struct field f_cache[] = {
	FLD(zvmo_cache_policy, policy, F_NUM32),
};

static const struct field f_pager_create[] = {
	FLD(zvmo_pager_create, options, F_RSV32),
	FLD(zvmo_pager_create, fd_flags, F_NUM32),
	FLD(zvmo_pager_create, reserved, F_RSV32),
};

static const struct field f_pager_vmo[] = {
	FLD(zvmo_pager_create_vmo, options, F_NUM32),
	FLD(zvmo_pager_create_vmo, key, F_NUM64),
	FLD(zvmo_pager_create_vmo, size, F_NUM64),
	FLD(zvmo_pager_create_vmo, fd_flags, F_NUM32),
	FLD(zvmo_pager_create_vmo, reserved, F_RSV32),
};

static const struct field f_supply[] = {
	FLD(zvmo_pager_supply, vmo_fd, F_FD),
	FLD(zvmo_pager_supply, offset, F_NUM64),
	FLD(zvmo_pager_supply, length, F_NUM64),
	FLD(zvmo_pager_supply, aux_fd, F_FD),
	FLD(zvmo_pager_supply, reserved, F_RSV32),
	FLD(zvmo_pager_supply, aux_offset, F_NUM64),
};

static const struct field f_supply_copy[] = {
	FLD(zvmo_pager_supply_copy, vmo_fd, F_FD),
	FLD(zvmo_pager_supply_copy, offset, F_NUM64),
	FLD(zvmo_pager_supply_copy, length, F_NUM64),
	FLD(zvmo_pager_supply_copy, buffer, F_PTR),
};

static const struct field f_pager_op[] = {
	FLD(zvmo_pager_op, op, F_NUM32),
	FLD(zvmo_pager_op, vmo_fd, F_FD),
	FLD(zvmo_pager_op, reserved, F_RSV32),
	FLD(zvmo_pager_op, offset, F_NUM64),
	FLD(zvmo_pager_op, length, F_NUM64),
	FLD(zvmo_pager_op, data, F_NUM64),
};

static const struct field f_detach[] = {
	FLD(zvmo_pager_detach, vmo_fd, F_FD),
};

static const struct field f_query_dirty[] = {
	FLD(zvmo_pager_query_dirty, vmo_fd, F_FD),
	FLD(zvmo_pager_query_dirty, offset, F_NUM64),
	FLD(zvmo_pager_query_dirty, length, F_NUM64),
	FLD(zvmo_pager_query_dirty, ranges, F_PTR),
	FLD(zvmo_pager_query_dirty, count, F_NUM32),
	FLD(zvmo_pager_query_dirty, reserved, F_RSV32),
};

static const struct field f_query_stats[] = {
	FLD(zvmo_pager_vmo_stats, vmo_fd, F_FD),
	FLD(zvmo_pager_vmo_stats, options, F_NUM32),
};

/* Change one or two fields of @s; a reserved one made non-zero must fail. */
static void mutate(struct call *c, void *s, const struct field *f,
		   unsigned int nf)
{
	unsigned int i, n = 1 + rnd(2);
	__u64 v, cur = 0;

	for (i = 0; i < n; i++) {
		const struct field *m = &f[rnd(nf)];
		unsigned int size = field_size(m);

		cur = 0;
		memcpy(&cur, (char *)s + m->off, size);
		switch (m->kind) {
		case F_RSV32:
		case F_RSV64:
			v = rnd(2) ? 1ULL << rnd(size * 8) : rnd64();
			if (size == 8 ? v : (__u32)v)
				c->must_fail = 1;
			break;
		case F_PTR:
			v = pick_ptr(64);
			break;
		case F_FD:
			v = (__u32)pick_fd(-1, 0);
			break;
		case F_NUM32:
			v = rnd(3) ? any32(cur) : cur ^ 1U << rnd(32);
			break;
		default:
			v = rnd(3) ? any64() : cur + any64();
			break;
		}
		memcpy((char *)s + m->off, &v, size);
		c->clean = 0;
	}
}

static void begin(struct call *c, int tgt, const char *name, int fd,
		  unsigned long cmd)
{
	memset(c, 0, sizeof(*c));
	c->tgt = tgt;
	c->kind = K_IOCTL;
	c->name = name;
	c->fd = fd;
	c->cmd = cmd;
	c->clean = 1;
	involve(c, fd);
	/* The module reads @argsz, not the size bits of the command. */
	if (!rnd(16)) {
		c->cmd &= ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT);
		c->cmd |= (unsigned long)rnd(1 << _IOC_SIZEBITS) <<
			  _IOC_SIZESHIFT;
	}
}

/*
 * Put struct @s (@n bytes) where the kernel will read it, with @argsz and
 * the pointer itself now and then wrong, and say what must come of that.
 */
static void lay_out(struct call *c, void *s, size_t n, const struct field *f,
		    unsigned int nf, int out_only)
{
	__u32 argsz = n;
	int tail = 0;
	size_t clear;
	char *p = argbuf;
	unsigned int i;

	if (nf && !out_only && rnd(100) < 20)
		mutate(c, s, f, nf);
	if (out_only && !rnd(16))
		mutate(c, s, f, nf);
	for (i = 0; i < nf; i++) {
		__s32 fd;

		if (f[i].kind != F_FD)
			continue;
		memcpy(&fd, (char *)s + f[i].off, sizeof(fd));
		involve(c, fd);
	}

	switch (rnd(10) ? 99 : rnd(12)) {
	case 0:
		argsz = 0;
		break;
	case 1:
		argsz = 1;
		break;
	case 2:
		argsz = 4;
		break;
	case 3:
		argsz = n - 1;
		break;
	case 4:
		argsz = n + 8;
		break;
	case 5:
		argsz = n + 8;
		tail = 1;
		break;
	case 6:
		argsz = PAGE;
		break;
	case 7:
		argsz = PAGE;
		tail = 1;
		break;
	case 8:
		argsz = PAGE + 1;
		break;
	case 9:
		argsz = rnd(2) ? UINT32_MAX : 0x10000 + rnd(1 << 20);
		break;
	case 10:
		argsz = rnd64();
		break;
	default:
		break;
	}
	if (argsz != n)
		c->clean = 0;

	clear = n + 16;
	if (argsz > n && argsz <= ARGBUF)
		clear = argsz;
	memset(argbuf, 0, argbuf_dirty > clear ? argbuf_dirty : clear);
	argbuf_dirty = clear;
	memcpy(argbuf, s, n);
	memcpy(argbuf, &argsz, sizeof(argsz));
	if (out_only)
		memset(argbuf + 8, 0xa5, n - 8);
	if (tail)
		argbuf[n + rnd(argsz - n)] = 1 + rnd(255);
	c->size = n;
	c->argsz = argsz;
	c->out_only = out_only;
	c->valid_ptr = 1;

	switch (rnd(64)) {
	case 0:
		p = NULL;
		break;
	case 1:
		p = (char *)8;
		break;
	case 2:
		p = (char *)0xffff800000000000ULL;
		break;
	case 3:
		p = argguard;
		break;
	case 4:
		p = (char *)(uintptr_t)-PAGE;
		break;
	case 5:	/* the struct runs into the guard page */
		i = 1 + rnd(n - 1);
		p = argguard - i;
		memcpy(p, argbuf, i);
		argbuf_dirty = ARGBUF;
		c->valid_ptr = 0;
		c->clean = 0;
		c->arg = p;
		return;
	default:
		break;
	}
	c->arg = p;
	if (p != argbuf) {
		c->valid_ptr = 0;
		c->clean = 0;
		c->expect = EFAULT;
		return;
	}
	c->snaplen = n + 8 < sizeof(c->snap) ? n + 8 : sizeof(c->snap);
	memcpy(c->snap, argbuf, c->snaplen);

	if (out_only) {
		if (argsz < 8)
			c->must_fail = 1;
	} else if (argsz < n) {
		c->expect = EINVAL;
	} else if (argsz > ARGBUF) {
		c->must_fail = 1;	/* E2BIG, or EFAULT reading the tail */
	} else if (tail) {
		c->expect = E2BIG;
	}
}

/*
 * After a call that read a struct from argbuf: nothing past what the
 * kernel may write (min(argsz, size) of an output struct, none of an
 * input one) changed.
 */
static void check_writes(struct call *c)
{
	size_t from = 0, i;

	if (!c->valid_ptr || c->arg != argbuf || !c->snaplen)
		return;
	if (c->out_only || c->in_out)
		from = c->argsz < c->size ? c->argsz : c->size;
	for (i = from; i < c->snaplen; i++)
		if ((unsigned char)argbuf[i] != c->snap[i]) {
			misbehaved(c, "wrote past what it may write");
			return;
		}
}

/* The worker, for calls that may wait for a pager. */
static sem_t job_go, job_done;
static struct call *job;		/* the semaphores order it */
static pthread_t worker;
static pid_t worker_tid;
static int wchan_fd = -1, wchan_works;

static __thread sigjmp_buf touch_env;
static __thread sig_atomic_t touching, caught;

static void on_signal(int sig)
{
	if (__atomic_load_n(&touching, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&touching, 0, __ATOMIC_SEQ_CST);
		caught = sig;
		siglongjmp(touch_env, 1);
	}
	if (sig == SIGUSR1)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Map, touch one byte or two (catching the signals), unmap. */
static void do_mmap(struct call *c)
{
	size_t maplen = c->len ? (c->len + PAGE - 1) & ~(PAGE - 1) : PAGE;
	char *p;
	int i;

	p = mmap(NULL, c->len, c->prot, c->flags, c->fd, c->off);
	if (p == MAP_FAILED) {
		c->ret = -1;
		c->err = errno;
		return;
	}
	c->ret = 0;
	for (i = 0; i < 2 && c->touch[i]; i++) {
		char *q = p + c->touch_off[i];

		/* Atomic accesses: the compiler must make each one. */
		if (!sigsetjmp(touch_env, 1)) {
			__atomic_store_n(&touching, 1, __ATOMIC_SEQ_CST);
			if (c->touch[i] == 'w')
				__atomic_store_n(q, (char)iter,
						 __ATOMIC_RELAXED);
			else
				(void)__atomic_load_n(q, __ATOMIC_RELAXED);
			__atomic_store_n(&touching, 0, __ATOMIC_SEQ_CST);
			c->sig[i] = 0;
		} else {
			c->sig[i] = caught;
		}
	}
	munmap(p, maplen);
}

static void do_call(struct call *c)
{
	long r;

	switch (c->kind) {
	case K_MMAP:
		do_mmap(c);
		return;
	case K_IOCTL:
		r = ioctl(c->fd, c->cmd, c->arg);
		break;
	case K_READ:
		r = read(c->fd, c->buf, c->len);
		break;
	case K_WRITE:
		r = write(c->fd, c->buf, c->len);
		break;
	case K_PREAD:
		r = pread(c->fd, c->buf, c->len, c->off);
		break;
	default:
		r = pwrite(c->fd, c->buf, c->len, c->off);
		break;
	}
	c->ret = r;
	c->err = r < 0 ? errno : 0;
}

static void *worker_main(void *unused)
{
	worker_tid = syscall(SYS_gettid);
	sem_post(&job_done);
	for (;;) {
		while (sem_wait(&job_go))
			;
		if (!job)
			return NULL;
		do_call(job);
		sem_post(&job_done);
	}
}

static int wait_done(unsigned int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	while (sem_clockwait(&job_done, CLOCK_MONOTONIC, &t))
		if (errno != EINTR)
			return 0;
	return 1;
}

/* What the worker sleeps in: the module's wait for a pager, or else. */
static int worker_waits_for_pager(void)
{
	char buf[64];
	ssize_t n = pread(wchan_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	return !!strstr(buf, "page_source_wait");
}

static long run(struct call *c);

/* What the watchdog looks at. */
static struct call *in_flight;
static unsigned long progress;
static pthread_t watchdog;

/* Packets read from @pg: checked, and kept to be answered. */
static void take_packets(struct call *c, struct ent *pg, const char *buf,
			 size_t n)
{
	const struct zvmo_pager_packet *p = (const void *)buf;
	size_t i;

	if (n % sizeof(*p))
		misbehaved(c, "read a part of a packet");
	for (i = 0; i < n / sizeof(*p); i++, p++) {
		int bad = p->flags || p->reserved ||
			  p->command > ZVMO_PAGER_DIRTY;

		if (p->command == ZVMO_PAGER_COMPLETE)
			bad |= p->offset || p->length;
		else
			bad |= !p->length || (p->offset | p->length) &
				(PAGE - 1) ||
			       p->length > ZVMO_PAGER_BATCH * PAGE;
		if (bad) {
			misbehaved(c, "a packet that makes no sense");
			continue;
		}
		if (p->command == ZVMO_PAGER_COMPLETE)
			continue;
		if (npend == ARRAY_SIZE(pend)) {
			memmove(pend, pend + 1, sizeof(pend) - sizeof(pend[0]));
			npend--;
		}
		pend[npend].pager = pg->id;
		pend[npend++].p = *p;
	}
}

/* Read what @pg has queued, without waiting. */
static void pull_packets(struct ent *pg)
{
	static char buf[16 * sizeof(struct zvmo_pager_packet)];
	struct call c;
	int i;

	for (i = 0; i < 4; i++) {
		memset(&c, 0, sizeof(c));
		c.tgt = TG_PLAY;
		c.kind = K_READ;
		c.name = "read (the pager's queue)";
		c.fd = pg->fd;
		c.buf = buf;
		c.len = sizeof(buf);
		if (run(&c) <= 0)
			return;
		take_packets(&c, pg, buf, c.ret);
	}
}

/* A descriptor of pager @pager's VMO @obj (or, if !@obj, keyed @key). */
static struct ent *root_of(unsigned int pager, unsigned int obj, __u64 key,
			   __u32 rights)
{
	int i;

	for (i = 0; i < npool; i++) {
		struct ent *e = &pool[i];

		if (e->fd >= 0 && e->type == E_VMO && e->root &&
		    e->pager == pager && (obj ? e->obj == obj : e->key == key) &&
		    (e->rights & rights) == rights)
			return e;
	}
	return NULL;
}

static long play_ioctl(const char *name, int fd, unsigned long cmd,
		       void *arg)
{
	struct call c;

	memset(&c, 0, sizeof(c));
	c.tgt = TG_PLAY;
	c.kind = K_IOCTL;
	c.name = name;
	c.fd = fd;
	c.cmd = cmd;
	c.arg = arg;
	c.paged = 1;
	return run(&c);
}

/* Answer the packets of @pg as a pager would: supply reads, allow dirt. */
static int play_serve(struct ent *pg)
{
	unsigned int i, answered = 0;

	pull_packets(pg);
	for (i = 0; i < npend;) {
		struct zvmo_pager_packet *p = &pend[i].p;
		struct ent *v;
		long r = -1;

		if (pend[i].pager != pg->id) {
			i++;
			continue;
		}
		if (p->command == ZVMO_PAGER_READ) {
			struct zvmo_pager_supply_copy s = {
				.argsz = sizeof(s), .offset = p->offset,
				.length = p->length,
				.buffer = (uintptr_t)supply_buf,
			};

			v = root_of(pg->id, 0, p->key, 0);
			if (v) {
				s.vmo_fd = v->fd;
				r = play_ioctl("PAGER_SUPPLY_COPY (play)",
					       pg->fd, ZVMO_IOC_PAGER_SUPPLY_COPY,
					       &s);
			}
		} else {
			struct zvmo_pager_op o = {
				.argsz = sizeof(o), .op = ZVMO_PAGER_OP_DIRTY,
				.offset = p->offset, .length = p->length,
			};

			v = root_of(pg->id, 0, p->key, ZVMO_RIGHT_WRITE);
			if (v) {
				o.vmo_fd = v->fd;
				r = play_ioctl("PAGER_OP_RANGE DIRTY (play)",
					       pg->fd, ZVMO_IOC_PAGER_OP_RANGE,
					       &o);
				if (r) {
					o.op = ZVMO_PAGER_OP_FAIL;
					o.data = EIO;
					r = play_ioctl("PAGER_OP_RANGE FAIL (play)",
						       pg->fd,
						       ZVMO_IOC_PAGER_OP_RANGE,
						       &o);
				}
			}
		}
		answered += r == 0;
		pend[i] = pend[--npend];
	}
	return answered;
}

/* Fail, or detach, the pager's VMO that @c reads through. */
static int play_end(struct call *c, struct ent *pg, int detach)
{
	struct zvmo_vmo_info info;
	struct ent *v = NULL;
	unsigned int i;

	for (i = 0; i < c->npg && !v; i++)
		if (c->pg[i] == pg->id)
			v = root_of(pg->id, c->pg_root[i], 0,
				    detach ? 0 : ZVMO_RIGHT_WRITE);
	if (!v)
		return 0;
	if (detach) {
		struct zvmo_pager_detach d = {
			.argsz = sizeof(d), .vmo_fd = v->fd,
		};

		return !play_ioctl("PAGER_DETACH (play)", pg->fd,
				   ZVMO_IOC_PAGER_DETACH, &d);
	}
	if (zt_info(v->fd, &info))
		return 0;
	{
		struct zvmo_pager_op o = {
			.argsz = sizeof(o), .op = ZVMO_PAGER_OP_FAIL,
			.vmo_fd = v->fd, .length = info.size,
			.data = pager_errnos[play_rnd(ARRAY_SIZE(pager_errnos))],
		};

		return !play_ioctl("PAGER_OP_RANGE FAIL (play)", pg->fd,
				   ZVMO_IOC_PAGER_OP_RANGE, &o);
	}
}

/* The worker waits for a pager: be it, one way or another. */
static void play(struct call *c, unsigned int round)
{
	struct ent *pg = NULL;
	unsigned int i, a, k = play_rnd(c->npg ? c->npg : 1);
	int j;

	res->plays++;
	for (i = 0; i < c->npg && !pg; i++)
		pg = pager_ent(c->pg[(k + i) % c->npg]);
	if (!pg) {
		/* Its pagers are closed: their requests fail at once. */
		if (wait_done(2000)) {
			sem_post(&job_done);
			return;
		}
		misbehaved(c, c->npg ? "waits on after its pager was closed" :
			   "waits for a pager it does not read through");
		for (j = 0; j < npool; j++)
			if (pool[j].type == E_PAGER)
				close_ent(&pool[j]);
		return;
	}
	a = round >= PLAY_ROUNDS ? 99 : play_rnd(100);
	if (a < 70 && play_serve(pg))
		return;
	if (a < 85 && play_end(c, pg, 0))
		return;
	if (a < 95 && play_end(c, pg, 1))
		return;
	close_ent(pg);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Whether a pager @c reads through has a packet queued or kept: a request
 * to answer. A wait without one is only answered after a while: the
 * worker may not have seen our last answer yet.
 */
static int news(const struct call *c)
{
	struct pollfd p;
	unsigned int i, j;

	for (i = 0; i < c->npg; i++) {
		struct ent *pg = pager_ent(c->pg[i]);

		if (!pg)
			continue;
		for (j = 0; j < npend; j++)
			if (pend[j].pager == pg->id)
				return 1;
		p.fd = pg->fd;
		p.events = POLLIN;
		if (poll(&p, 1, 0) == 1)
			return 1;
	}
	return 0;
}

static int trace_on(void);

static void run_on_worker(struct call *c)
{
	unsigned int round = 0;
	struct timespec t0, last;
	int kicked = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	last = t0;
	job = c;
	sem_post(&job_go);
	for (;;) {
		if (wait_done(2))
			return;
		/* Once every pager is closed, nothing is left to wait for. */
		if ((worker_waits_for_pager() ||
		     (!wchan_works && c->route && elapsed_ms(&t0) > 300)) &&
		    round < 4 * PLAY_ROUNDS &&
		    (news(c) || elapsed_ms(&last) > 2000)) {
			if (!news(c)) {
				res->stalls++;
				if (trace_on()) {
					char desc[640];

					describe(c, desc, sizeof(desc));
					LOG("%lu: stalled: %s", iter, desc);
				}
			}
			play(c, round++);
			clock_gettime(CLOCK_MONOTONIC, &last);
			continue;
		}
		if (!kicked && c->kind == K_MMAP && elapsed_ms(&t0) > 10000) {
			/* A fault that never ends: get the worker out. */
			misbehaved(c, "a fault that does not finish");
			pthread_kill(worker, SIGUSR1);
			kicked = 1;
		}
	}
}

static int trace_on(void)
{
	return iter >= trace_from;
}

/* Make the call, count it, and check what came back. */
static long run(struct call *c)
{
	res->cur_iter = iter;
	res->cur_name = c->name;
	res->cur_cmd = c->cmd;
	__atomic_store_n(&in_flight, c, __ATOMIC_SEQ_CST);
	if (c->route)
		run_on_worker(c);
	else
		do_call(c);
	__atomic_store_n(&in_flight, NULL, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);

	if (c->ret >= 0)
		res->ok[c->tgt]++;
	else
		res->failed[c->tgt]++;
	if (trace_on()) {
		char desc[640];

		describe(c, desc, sizeof(desc));
		LOG("%lu: %s", iter, desc);
	}
	if (c->ret < -1)
		misbehaved(c, "returned less than -1");
	else if (c->ret < 0 && !errno_allowed(c, c->err))
		misbehaved(c, "an errno the ABI does not have");
	else if (c->expect && (c->ret >= 0 || c->err != c->expect))
		misbehaved(c, c->expect == EFAULT ? "expected EFAULT" :
			   c->expect == EINVAL ? "expected EINVAL" :
			   c->expect == E2BIG ? "expected E2BIG" :
			   c->expect == ENOTTY ? "expected ENOTTY" :
			   c->expect == EACCES ? "expected EACCES" :
			   c->expect == ERANGE ? "expected ERANGE" :
			   "expected another errno");
	else if (c->must_fail && c->ret >= 0)
		misbehaved(c, "succeeded, but must fail");
	else if (c->kind == K_IOCTL && c->ret > 0 && !c->creates)
		misbehaved(c, "returned more than 0");
	if (c->kind == K_IOCTL)
		check_writes(c);
	if (c->ret < 0 && c->err == ENOMEM)
		saw_enomem = 1;
	return c->ret;
}

/* Check a descriptor a call made and add it to the pool. */
static struct ent *adopt(struct call *c, int type, __u32 flags)
{
	int fd = c->ret, cloexec;
	struct ent *e;

	if (fd < 0)
		return NULL;
	if (ent_of_fd(fd) || fd == zt_dev()) {
		misbehaved(c, "returned a descriptor that was open");
		return NULL;
	}
	cloexec = fcntl(fd, F_GETFD);
	if (cloexec < 0 || !(cloexec & FD_CLOEXEC) !=
	    !(flags & ZVMO_FD_CLOEXEC))
		misbehaved(c, "the descriptor's close-on-exec is wrong");
	if (npool == MAX_ENTS) {
		close(fd);
		return NULL;
	}
	e = &pool[npool++];
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->type = type;
	e->id = next_id++;
	e->obj = e->id;
	return e;
}

/*
 * A new VMO descriptor: it must have @rights (but for RESIZE, unless
 * @rights_exact) and, if @size, that size.
 */
static struct ent *adopt_vmo(struct call *c, __u32 flags, __u32 rights,
			     int rights_exact, __u64 size)
{
	struct zvmo_vmo_info info;
	struct ent *e = adopt(c, E_VMO, flags);
	__u32 mask = rights_exact ? ~0U : ~ZVMO_RIGHT_RESIZE;

	if (!e)
		return NULL;
	if (zt_info(e->fd, &info)) {
		misbehaved(c, "VMO_INFO fails on the new descriptor");
		return e;
	}
	e->size = info.size;
	e->rights = info.rights;
	e->discardable = !!(info.flags & ZVMO_INFO_DISCARDABLE);
	e->resizable = !!(info.flags & ZVMO_INFO_RESIZABLE);
	if ((info.rights & mask) != (rights & mask))
		misbehaved(c, "the new descriptor's rights are wrong");
	if (size && info.size != size)
		misbehaved(c, "the new VMO's size is wrong");
	return e;
}

static __u64 page_align(__u64 x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

/* /dev/zvmo */

static void dev_vmo_create(void)
{
	static const __u32 opts[] = {
		0, 0, 0, 0, ZVMO_VMO_RESIZABLE, ZVMO_VMO_RESIZABLE,
		ZVMO_VMO_DISCARDABLE, ZVMO_VMO_DISCARDABLE,
		ZVMO_VMO_RESIZABLE | ZVMO_VMO_DISCARDABLE, ZVMO_VMO_TRAP_DIRTY,
	};
	struct zvmo_vmo_create a = {
		.argsz = sizeof(a), .size = vmo_size(),
		.fd_flags = fd_flags(),
	};
	__u32 rights = ZVMO_RIGHTS_ALL;
	struct call c;

	a.options = rnd(8) ? opts[rnd(ARRAY_SIZE(opts))] : any32(0);
	begin(&c, TG_DEV, "VMO_CREATE", zt_dev(), ZVMO_IOC_VMO_CREATE);
	c.creates = 1;
	lay_out(&c, &a, sizeof(a), f_vmo_create, ARRAY_SIZE(f_vmo_create), 0);
	if (run(&c) < 0)
		return;
	if (!(a.options & ZVMO_VMO_RESIZABLE))
		rights &= ~ZVMO_RIGHT_RESIZE;
	adopt_vmo(&c, a.fd_flags, rights, 1, page_align(a.size));
}

static void dev_stats(void)
{
	struct zvmo_stats a = { .argsz = sizeof(a) };
	struct call c;

	begin(&c, TG_DEV, "STATS", zt_dev(), ZVMO_IOC_STATS);
	lay_out(&c, &a, sizeof(a), f_hdr, ARRAY_SIZE(f_hdr), 1);
	if (run(&c) || !c.valid_ptr || c.argsz < sizeof(a))
		return;
	memcpy(&a, argbuf, sizeof(a));
	if (a.pinned_pages > a.pages)
		misbehaved(&c, "STATS: more pages pinned than held");
	/* Each VMO descriptor we hold is a handle; nothing else is. */
	if (a.handles != before.handles + count(E_VMO))
		misbehaved(&c, "STATS: handles is not what we hold");
	if (a.btis < before.btis + count(E_BTI))
		misbehaved(&c, "STATS: fewer BTIs than we hold");
}

static void dev_bti_create(void)
{
	struct zvmo_bti_create a = {
		.argsz = sizeof(a), .bti_id = rnd64(), .fd_flags = fd_flags(),
	};
	struct call c;

	begin(&c, TG_DEV, "BTI_CREATE", zt_dev(), ZVMO_IOC_BTI_CREATE);
	c.creates = 1;
	lay_out(&c, &a, sizeof(a), f_bti_create, ARRAY_SIZE(f_bti_create), 0);
	if (run(&c) >= 0)
		adopt(&c, E_BTI, a.fd_flags);
}

static void dev_contiguous(void)
{
	struct zvmo_vmo_create_contiguous a = {
		.argsz = sizeof(a), .fd_flags = fd_flags(),
		.size = (1 + rnd(8)) * PAGE,
		.bti_fd = pick_fd(E_BTI, 0),
	};
	struct call c;

	switch (rnd(4)) {
	case 0:
		a.alignment_log2 = 12 + rnd(20);
		break;
	case 1:
		a.alignment_log2 = any32(12);
		break;
	default:
		break;
	}
	if (!rnd(8))
		a.size = rnd(2) ? 0 : any64();
	begin(&c, TG_DEV, "VMO_CREATE_CONTIGUOUS", zt_dev(),
	      ZVMO_IOC_VMO_CREATE_CONTIGUOUS);
	c.creates = 1;
	lay_out(&c, &a, sizeof(a), f_contig, ARRAY_SIZE(f_contig), 0);
	if (run(&c) >= 0)
		adopt_vmo(&c, a.fd_flags, ZVMO_RIGHTS_ALL & ~ZVMO_RIGHT_RESIZE,
			  1, page_align(a.size));
}

static void dev_pager_create(void)
{
	struct zvmo_pager_create a = {
		.argsz = sizeof(a), .fd_flags = fd_flags(),
	};
	struct call c;
	struct ent *e;

	begin(&c, TG_DEV, "PAGER_CREATE", zt_dev(), ZVMO_IOC_PAGER_CREATE);
	c.creates = 1;
	lay_out(&c, &a, sizeof(a), f_pager_create, ARRAY_SIZE(f_pager_create), 0);
	if (run(&c) < 0)
		return;
	e = adopt(&c, E_PAGER, a.fd_flags);
	/* Reading packets must never wait. */
	if (e && fcntl(e->fd, F_SETFL, O_NONBLOCK))
		misbehaved(&c, "O_NONBLOCK cannot be set on the pager");
}

static void fuzz_dev(void)
{
	switch (rnd(10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		dev_vmo_create();
		break;
	case 4:
	case 5:
		dev_stats();
		break;
	case 6:
		dev_bti_create();
		break;
	case 7:
		dev_contiguous();
		break;
	default:
		dev_pager_create();
		break;
	}
}

/* VMO descriptors */

static void vmo_info(struct ent *e)
{
	struct zvmo_vmo_info a = { .argsz = sizeof(a) };
	struct call c;

	begin(&c, TG_VMO, "VMO_INFO", e->fd, ZVMO_IOC_VMO_INFO);
	lay_out(&c, &a, sizeof(a), f_hdr, ARRAY_SIZE(f_hdr), 1);
	if (run(&c) || !c.valid_ptr || c.argsz < sizeof(a))
		return;
	memcpy(&a, argbuf, sizeof(a));
	if (a.size % PAGE)
		misbehaved(&c, "VMO_INFO: a size that is not whole pages");
	if (a.rights != e->rights)
		misbehaved(&c, "VMO_INFO: not the descriptor's rights");
	if (a.cache_policy > ZVMO_CACHE_WRITE_COMBINING || a.pad ||
	    a.flags & ~0xffU || a.argsz != c.argsz)
		misbehaved(&c, "VMO_INFO: unknown policy, flags or padding");
	if (!memchr(a.name, 0, sizeof(a.name)))
		misbehaved(&c, "VMO_INFO: a name without its NUL");
	if (a.share_count < 1)
		misbehaved(&c, "VMO_INFO: a share count below 1");
	if (a.content_size > a.size) {
		misbehaved(&c, "VMO_INFO: the content size is past the end");
		if (res->bad <= MAX_REPORTS)
			LOG("size %#llx content size %#llx flags %#x",
			    a.size, a.content_size, a.flags);
	}
}

static void vmo_dup(struct ent *e)
{
	struct zvmo_vmo_dup a = { .argsz = sizeof(a), .fd_flags = fd_flags() };
	struct ent *n;
	struct call c;

	switch (rnd(5)) {
	case 0:
	case 1:
		a.rights = ZVMO_RIGHT_SAME_RIGHTS;
		break;
	case 2:
		a.rights = e->rights;
		break;
	case 3:
		a.rights = e->rights & rnd64();
		break;
	default:
		a.rights = any32(e->rights);
		break;
	}
	begin(&c, TG_VMO, "VMO_DUP", e->fd, ZVMO_IOC_VMO_DUP);
	c.creates = 1;
	lay_out(&c, &a, sizeof(a), f_dup, ARRAY_SIZE(f_dup), 0);
	/* A subset, with ZVMO_RIGHT_DUPLICATE. */
	if (!(e->rights & ZVMO_RIGHT_DUPLICATE) ||
	    (a.rights != ZVMO_RIGHT_SAME_RIGHTS && a.rights & ~e->rights))
		c.must_fail = 1;
	if (run(&c) < 0)
		return;
	n = adopt_vmo(&c, a.fd_flags, a.rights == ZVMO_RIGHT_SAME_RIGHTS ?
		      e->rights : a.rights, 1, 0);
	if (!n)
		return;
	n->obj = e->obj;
	n->root_obj = e->root_obj;
	n->pager = e->pager;
	n->root = e->root;
	n->key = e->key;
}

static void vmo_set_size(struct ent *e)
{
	struct zvmo_set_size a = { .argsz = sizeof(a) };
	struct call c;

	switch (rnd(4)) {
	case 0:
		a.size = e->size + (1 + rnd(8)) * PAGE;
		break;
	case 1:
		a.size = e->size > PAGE ? e->size - PAGE : 0;
		break;
	case 2:
		a.size = vmo_size();
		break;
	default:
		a.size = any64();
		break;
	}
	begin(&c, TG_VMO, "VMO_SET_SIZE", e->fd, ZVMO_IOC_VMO_SET_SIZE);
	lay_out(&c, &a, sizeof(a), f_set_size, ARRAY_SIZE(f_set_size), 0);
	if ((e->rights & (ZVMO_RIGHT_WRITE | ZVMO_RIGHT_RESIZE)) !=
	    (ZVMO_RIGHT_WRITE | ZVMO_RIGHT_RESIZE))
		c.must_fail = 1;
	run(&c);
}

static void vmo_op_range(struct ent *e)
{
	struct zvmo_op_range a = { .argsz = sizeof(a) };
	struct zvmo_vmo_lock_state st;
	__u32 rw = ZVMO_RIGHT_READ | ZVMO_RIGHT_WRITE;
	int lock;
	struct call c;

	static const __u32 ops[] = {
		ZVMO_OP_COMMIT, ZVMO_OP_COMMIT, ZVMO_OP_COMMIT,
		ZVMO_OP_DECOMMIT, ZVMO_OP_DECOMMIT, ZVMO_OP_ZERO,
		ZVMO_OP_ZERO, ZVMO_OP_LOCK, ZVMO_OP_TRY_LOCK, ZVMO_OP_UNLOCK,
		ZVMO_OP_ALWAYS_NEED, ZVMO_OP_DONT_NEED, ZVMO_OP_PREFETCH,
		ZVMO_OP_PREFETCH,
	};

	if (rnd(10))
		a.op = ops[rnd(ARRAY_SIZE(ops))];
	else if (rnd(2))
		a.op = ZVMO_OP_CACHE_SYNC + rnd(4);
	else
		a.op = any32(rnd(16));
	/* The lock operations mostly where they make sense. */
	if (a.op >= ZVMO_OP_LOCK && a.op <= ZVMO_OP_UNLOCK && !e->discardable &&
	    rnd(4)) {
		struct ent *d = pick(E_VMO);

		if (d && d->discardable)
			e = d;
	}
	lock = a.op >= ZVMO_OP_LOCK && a.op <= ZVMO_OP_UNLOCK;
	if (lock && rnd(4)) {
		a.length = e->size;
	} else {
		rnd_range(e->size, &a.offset, &a.length);
		if (rnd(4) && a.op == ZVMO_OP_ZERO)
			a.length -= rnd(a.length + 1);
	}
	if (a.op == ZVMO_OP_LOCK || !rnd(8)) {
		a.buffer = rnd(4) ? (uintptr_t)arena : pick_ptr(sizeof(st));
		a.buffer_size = rnd(4) ? sizeof(st) : any64();
	}
	memset(arena, 0x5a, sizeof(st));
	begin(&c, TG_VMO, "VMO_OP_RANGE", e->fd, ZVMO_IOC_VMO_OP_RANGE);
	lay_out(&c, &a, sizeof(a), f_op_range, ARRAY_SIZE(f_op_range), 0);
	if (c.clean) {
		/* What uapi/zvmo.h promises of a well-formed call. */
		if (a.op >= ZVMO_OP_CACHE_SYNC &&
		    a.op <= ZVMO_OP_CACHE_CLEAN_INVALIDATE)
			c.expect = EOPNOTSUPP;
		else if (!a.op || a.op > ZVMO_OP_PREFETCH)
			c.must_fail = 1;
		else if (lock && !(e->rights & rw))
			c.must_fail = 1;
		else if (lock && !e->discardable && !a.offset &&
			 a.length == e->size && !e->resizable)
			c.expect = EOPNOTSUPP;
		else if (a.op <= ZVMO_OP_ZERO &&
			 !(e->rights & ZVMO_RIGHT_WRITE))
			c.must_fail = 1;
	}
	if (run(&c) || a.op != ZVMO_OP_LOCK || a.buffer != (uintptr_t)arena)
		return;
	memcpy(&st, arena, sizeof(st));
	if (st.offset != a.offset || st.size != a.length ||
	    st.discarded_offset ||
	    (st.discarded_size && st.discarded_size != a.length))
		misbehaved(&c, "the lock state makes no sense");
}

static void vmo_set_name(struct ent *e)
{
	struct zvmo_name a = { .argsz = sizeof(a) };
	unsigned int i, n = rnd(sizeof(a.name) + 1);
	struct call c;

	for (i = 0; i < n && i < sizeof(a.name); i++)
		a.name[i] = rnd(4) ? 'a' + rnd(26) : rnd(256);
	begin(&c, TG_VMO, "VMO_SET_NAME", e->fd, ZVMO_IOC_VMO_SET_NAME);
	lay_out(&c, &a, sizeof(a), f_name, ARRAY_SIZE(f_name), 0);
	run(&c);
}

static void vmo_content_size(struct ent *e)
{
	struct zvmo_content_size a = { .argsz = sizeof(a) };
	struct call c;

	a.content_size = rnd(2) ? rnd64() % (e->size + 1) : any64();
	begin(&c, TG_VMO, "VMO_SET_CONTENT_SIZE", e->fd,
	      ZVMO_IOC_VMO_SET_CONTENT_SIZE);
	lay_out(&c, &a, sizeof(a), f_content_size, ARRAY_SIZE(f_content_size), 0);
	run(&c);
}

/* Zircon's rights of a child, but for ZVMO_RIGHT_RESIZE. */
static __u32 child_rights(__u32 rights, __u32 options)
{
	__u32 snap = ZVMO_CHILD_SNAPSHOT |
			ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE |
			ZVMO_CHILD_SNAPSHOT_MODIFIED;

	rights |= ZVMO_RIGHT_GET_PROPERTY | ZVMO_RIGHT_SET_PROPERTY;
	if (options & ZVMO_CHILD_NO_WRITE) {
		rights &= ~ZVMO_RIGHT_WRITE;
	} else if (options & snap) {
		rights |= ZVMO_RIGHT_WRITE;
		rights &= ~ZVMO_RIGHT_EXECUTE;
	}
	return rights;
}

static void vmo_child(struct ent *e)
{
	static const __u32 types[] = {
		ZVMO_CHILD_SNAPSHOT, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
		ZVMO_CHILD_SNAPSHOT_MODIFIED, ZVMO_CHILD_SLICE,
		ZVMO_CHILD_REFERENCE,
	};
	struct zvmo_vmo_create_child a = {
		.argsz = sizeof(a), .fd_flags = fd_flags(),
	};
	__u32 need = ZVMO_RIGHT_DUPLICATE | ZVMO_RIGHT_READ;
	__u64 size = 0;
	struct ent *n;
	struct call c;

	a.options = types[rnd(ARRAY_SIZE(types))];
	if (!rnd(4))
		a.options |= ZVMO_CHILD_RESIZABLE;
	if (!rnd(6))
		a.options |= ZVMO_CHILD_NO_WRITE;
	if (!rnd(12))
		a.options = any32(a.options);
	if (!(a.options & ZVMO_CHILD_REFERENCE) || !rnd(4)) {
		a.offset = rnd_page_off(e->size);
		a.size = rnd_len(e->size, a.offset);
	}
	begin(&c, TG_VMO, "VMO_CREATE_CHILD", e->fd,
	      ZVMO_IOC_VMO_CREATE_CHILD);
	c.creates = 1;
	lay_out(&c, &a, sizeof(a), f_child, ARRAY_SIZE(f_child), 0);
	if ((e->rights & need) != need)
		c.must_fail = 1;
	if (run(&c) < 0)
		return;
	if (!(a.options & ZVMO_CHILD_REFERENCE))
		size = page_align(a.size);
	n = adopt_vmo(&c, a.fd_flags, child_rights(e->rights, a.options), 0,
		      size);
	if (!n)
		return;
	if (!(a.options & ZVMO_CHILD_RESIZABLE) &&
	    n->rights & ZVMO_RIGHT_RESIZE)
		misbehaved(&c, "a child that was not asked to be resizable can resize");
	n->root_obj = e->root_obj;
	n->pager = e->pager;
}

static void vmo_pin(struct ent *e)
{
	static const __u32 opts[] = {
		ZVMO_PIN_READ, ZVMO_PIN_WRITE, ZVMO_PIN_READ | ZVMO_PIN_WRITE,
		ZVMO_PIN_EXECUTE, ZVMO_PIN_READ | ZVMO_PIN_COMPRESS,
		ZVMO_PIN_READ | ZVMO_PIN_CONTIGUOUS,
		ZVMO_PIN_COMPRESS | ZVMO_PIN_CONTIGUOUS | ZVMO_PIN_READ, 0,
	};
	struct zvmo_vmo_pin a = {
		.argsz = sizeof(a), .fd_flags = fd_flags(), .bti_fd = -1,
	};
	struct ent *bti = NULL;
	struct call c;
	__u64 i;

	if (rnd(2))
		a.options = ZVMO_PIN_READ | (rnd(2) ? ZVMO_PIN_WRITE : 0);
	else
		a.options = rnd(8) ? opts[rnd(ARRAY_SIZE(opts))] : any32(3);
	if (rnd(4)) {
		rnd_range(e->size, &a.offset, &a.size);
	} else {
		a.offset = rnd_page_off(e->size);
		a.size = rnd_page_len(e->size, a.offset);
	}
	if (rnd(3) == 0)
		bti = pick(E_BTI);
	if (bti) {
		a.bti_fd = bti->fd;
		a.addrs = rnd(8) ? (uintptr_t)arena : pick_ptr(64);
		a.num_addrs = a.options & ZVMO_PIN_CONTIGUOUS ? 1 :
			      a.size / PAGE;
		if (!rnd(8))
			a.num_addrs = any64();
	} else if (!rnd(8)) {
		a.bti_fd = pick_fd(E_BTI, 0);
	}
	begin(&c, TG_VMO, "VMO_PIN", e->fd, ZVMO_IOC_VMO_PIN);
	c.creates = 1;
	lay_out(&c, &a, sizeof(a), f_pin, ARRAY_SIZE(f_pin), 0);
	if (c.clean && (!(e->rights & ZVMO_RIGHT_MAP) ||
			(a.options & ZVMO_PIN_WRITE &&
			 !(e->rights & ZVMO_RIGHT_WRITE))))
		c.must_fail = 1;
	if (run(&c) < 0)
		return;
	adopt(&c, E_PMT, a.fd_flags);
	if (!bti || a.bti_fd != bti->fd || a.addrs != (uintptr_t)arena ||
	    a.num_addrs > ARENA / 8)
		return;
	for (i = 0; i < a.num_addrs; i++) {
		__u64 pa;

		memcpy(&pa, arena + i * 8, 8);
		if (!pa || pa % PAGE) {
			misbehaved(&c, "a pinned page's address is not a page's");
			break;
		}
	}
}

static void vmo_cache_policy(struct ent *e)
{
	struct zvmo_cache_policy a = {
		.argsz = sizeof(a),
		.policy = rnd(8) ? rnd(4) : any32(0),
	};
	struct call c;

	begin(&c, TG_VMO, "VMO_SET_CACHE_POLICY", e->fd,
	      ZVMO_IOC_VMO_SET_CACHE_POLICY);
	lay_out(&c, &a, sizeof(a), f_cache, ARRAY_SIZE(f_cache), 0);
	if (!(e->rights & ZVMO_RIGHT_MAP))
		c.must_fail = 1;
	run(&c);
}

static void fuzz_vmo(void)
{
	struct ent *e = pick(E_VMO);
	int i;

	if (!e) {
		dev_vmo_create();
		return;
	}
	switch (rnd(16)) {
	case 0:
		vmo_info(e);
		break;
	case 1:
		vmo_dup(e);
		break;
	case 2:
		/* Mostly a VMO that can resize. */
		for (i = 0; i < 4 && !e->resizable; i++)
			e = pick(E_VMO);
		vmo_set_size(e);
		break;
	case 3:
	case 4:
	case 5:
	case 6:
		vmo_op_range(e);
		break;
	case 7:
		vmo_set_name(e);
		break;
	case 8:
		vmo_content_size(e);
		break;
	case 9:
	case 10:
		vmo_child(e);
		break;
	case 11:
	case 12:
		vmo_pin(e);
		break;
	case 13:
		vmo_cache_policy(e);
		break;
	default:
		dev_vmo_create();
		break;
	}
}

/* Pager descriptors */

static void pager_create_vmo(struct ent *pg)
{
	static const __u32 opts[] = {
		0, 0, ZVMO_VMO_RESIZABLE, ZVMO_VMO_TRAP_DIRTY,
		ZVMO_VMO_RESIZABLE | ZVMO_VMO_TRAP_DIRTY, ZVMO_VMO_DISCARDABLE,
	};
	struct zvmo_pager_create_vmo a = {
		.argsz = sizeof(a), .size = vmo_size(),
		.fd_flags = fd_flags(), .key = next_id,
	};
	__u32 rights = ZVMO_RIGHTS_ALL;
	struct ent *n;
	struct call c;

	a.options = rnd(8) ? opts[rnd(ARRAY_SIZE(opts))] : any32(0);
	begin(&c, TG_PAGER, "PAGER_CREATE_VMO", pg->fd,
	      ZVMO_IOC_PAGER_CREATE_VMO);
	c.creates = 1;
	lay_out(&c, &a, sizeof(a), f_pager_vmo, ARRAY_SIZE(f_pager_vmo), 0);
	if (run(&c) < 0)
		return;
	if (!(a.options & ZVMO_VMO_RESIZABLE))
		rights &= ~ZVMO_RIGHT_RESIZE;
	n = adopt_vmo(&c, a.fd_flags, rights, 1, page_align(a.size));
	if (!n)
		return;
	n->key = a.key;
	n->root_obj = n->obj;
	n->pager = pg->id;
	n->root = 1;
}

/* A range of a pager's VMO @v: mostly whole pages inside it. */
static void pager_range(struct ent *v, __u64 *off, __u64 *len)
{
	__u64 s = v ? v->size : 0;

	if (rnd(4)) {
		rnd_range(s, off, len);
	} else {
		*off = rnd_page_off(s);
		*len = rnd_page_len(s, *off);
	}
}

/* Whether pager @id has a VMO of its own among ours. */
static int has_vmos(unsigned int id)
{
	int i;

	for (i = 0; i < npool; i++)
		if (pool[i].fd >= 0 && pool[i].type == E_VMO &&
		    pool[i].pager == id && pool[i].root)
			return 1;
	return 0;
}

/* An ordinary VMO to supply from: made for it, or any descriptor. */
static int supply_aux(__u64 len, int *fresh)
{
	int aux;

	*fresh = 0;
	if (rnd(3) == 0 || len > 64 * PAGE)
		return pick_fd(E_VMO, 0);
	aux = zt_create(len, 0, ZVMO_FD_CLOEXEC);
	if (aux < 0)
		return pick_fd(E_VMO, 0);
	if (len && rnd(2))
		pwrite(aux, supply_buf, len < PAGE ? len : PAGE, 0);
	*fresh = 1;
	return aux;
}

static void pager_supply(struct ent *pg)
{
	struct ent *v = pick_vmo_of(pg->id);
	struct zvmo_pager_supply a = { .argsz = sizeof(a) };
	struct call c;
	int fresh, aux;

	a.vmo_fd = v ? v->fd : pick_fd(E_VMO, pg->id);
	pager_range(v, &a.offset, &a.length);
	/* Kept aside: a mutation may change the field. */
	aux = supply_aux(a.length, &fresh);
	a.aux_fd = aux;
	if (!fresh)
		a.aux_offset = rnd(2) ? 0 : rnd_page_off(a.length);
	begin(&c, TG_PAGER, "PAGER_SUPPLY", pg->fd, ZVMO_IOC_PAGER_SUPPLY);
	lay_out(&c, &a, sizeof(a), f_supply, ARRAY_SIZE(f_supply), 0);
	run(&c);
	if (fresh)
		close(aux);
}

static void pager_supply_copy(struct ent *pg)
{
	struct ent *v = pick_vmo_of(pg->id);
	struct zvmo_pager_supply_copy a = { .argsz = sizeof(a) };
	struct call c;

	a.vmo_fd = v ? v->fd : pick_fd(E_VMO, pg->id);
	pager_range(v, &a.offset, &a.length);
	a.buffer = rnd(4) ? (uintptr_t)supply_buf : pick_ptr(a.length);
	begin(&c, TG_PAGER, "PAGER_SUPPLY_COPY", pg->fd,
	      ZVMO_IOC_PAGER_SUPPLY_COPY);
	lay_out(&c, &a, sizeof(a), f_supply_copy, ARRAY_SIZE(f_supply_copy), 0);
	run(&c);
}

static void pager_op(struct ent *pg)
{
	struct ent *v = pick_vmo_of(pg->id);
	struct zvmo_pager_op a = { .argsz = sizeof(a) };
	struct call c;

	a.op = rnd(10) ? 1 + rnd(ZVMO_PAGER_OP_WRITEBACK_END) : any32(0);
	a.vmo_fd = v ? v->fd : pick_fd(E_VMO, pg->id);
	pager_range(v, &a.offset, &a.length);
	if (a.op == ZVMO_PAGER_OP_FAIL)
		a.data = rnd(8) ? pager_errnos[rnd(ARRAY_SIZE(pager_errnos))] :
				  rnd(200);
	else if (a.op == ZVMO_PAGER_OP_WRITEBACK_BEGIN)
		a.data = rnd(8) ? rnd(2) * ZVMO_DIRTY_RANGE_IS_ZERO : any64();
	else if (!rnd(4))
		a.data = any64();
	begin(&c, TG_PAGER, "PAGER_OP_RANGE", pg->fd, ZVMO_IOC_PAGER_OP_RANGE);
	lay_out(&c, &a, sizeof(a), f_pager_op, ARRAY_SIZE(f_pager_op), 0);
	if (c.clean && a.op == ZVMO_PAGER_OP_FAIL &&
	    !in_list(pager_errnos, ARRAY_SIZE(pager_errnos), a.data))
		c.must_fail = 1;
	if (c.clean && a.op == ZVMO_PAGER_OP_WRITEBACK_BEGIN &&
	    a.data & ~ZVMO_DIRTY_RANGE_IS_ZERO)
		c.must_fail = 1;
	if (c.clean && (!a.op || a.op > ZVMO_PAGER_OP_WRITEBACK_END))
		c.must_fail = 1;
	run(&c);
}

static void pager_detach(struct ent *pg)
{
	struct ent *v = pick_vmo_of(pg->id);
	struct zvmo_pager_detach a = { .argsz = sizeof(a) };
	struct ent *t;
	struct call c;

	a.vmo_fd = v && rnd(4) ? v->fd : pick_fd(E_VMO, pg->id);
	begin(&c, TG_PAGER, "PAGER_DETACH", pg->fd, ZVMO_IOC_PAGER_DETACH);
	lay_out(&c, &a, sizeof(a), f_detach, ARRAY_SIZE(f_detach), 0);
	t = ent_of_fd(a.vmo_fd);
	/* Only this pager's own VMOs: others are EINVAL. */
	if (c.clean && (!t || t->type != E_VMO || t->pager != pg->id))
		c.must_fail = 1;
	run(&c);
}

static void pager_info(struct ent *pg)
{
	struct zvmo_pager_info a = { .argsz = sizeof(a) };
	struct call c;

	begin(&c, TG_PAGER, "PAGER_INFO", pg->fd, ZVMO_IOC_PAGER_INFO);
	lay_out(&c, &a, sizeof(a), f_hdr, ARRAY_SIZE(f_hdr), 1);
	if (run(&c) || !c.valid_ptr || c.argsz < sizeof(a))
		return;
	memcpy(&a, argbuf, sizeof(a));
	if (!a.koid || a.argsz != c.argsz)
		misbehaved(&c, "PAGER_INFO reports nonsense");
}

static void pager_query_dirty(struct ent *pg)
{
	struct ent *v = pick_vmo_of(pg->id);
	struct zvmo_pager_query_dirty a = { .argsz = sizeof(a) };
	struct zvmo_dirty_range r;
	__u64 i, prev_end = 0;
	struct call c;

	a.vmo_fd = v ? v->fd : pick_fd(E_VMO, pg->id);
	a.offset = rnd_off(v ? v->size : 0);
	a.length = rnd_len(v ? v->size : 0, a.offset);
	a.ranges = rnd(6) ? (uintptr_t)arena : pick_ptr(64);
	switch (rnd(4)) {
	case 0:
		a.count = rnd(4);
		break;
	case 1:
		a.count = 16;
		break;
	case 2:
		a.count = 512 + rnd(200);
		break;
	default:
		a.count = any32(16);
		break;
	}
	begin(&c, TG_PAGER, "PAGER_QUERY_DIRTY", pg->fd,
	      ZVMO_IOC_PAGER_QUERY_DIRTY);
	c.in_out = 1;
	lay_out(&c, &a, sizeof(a), f_query_dirty, ARRAY_SIZE(f_query_dirty), 0);
	if (run(&c) || !c.valid_ptr || a.ranges != (uintptr_t)arena)
		return;
	memcpy(&a, argbuf, sizeof(a));
	if (a.actual > a.count || a.actual > a.avail ||
	    a.actual > ARENA / sizeof(r)) {
		misbehaved(&c, "QUERY_DIRTY counts make no sense");
		return;
	}
	for (i = 0; i < a.actual; i++) {
		memcpy(&r, arena + i * sizeof(r), sizeof(r));
		if (!r.length || r.options & ~ZVMO_DIRTY_RANGE_IS_ZERO ||
		    (r.offset | r.length) % PAGE || r.offset < prev_end ||
		    r.offset < (a.offset & ~(PAGE - 1)) ||
		    r.offset + r.length > page_align(a.offset + a.length)) {
			misbehaved(&c, "a dirty range that makes no sense");
			return;
		}
		prev_end = r.offset + r.length;
	}
}

static void pager_query_stats(struct ent *pg)
{
	struct ent *v = pick_vmo_of(pg->id);
	struct zvmo_pager_vmo_stats a = { .argsz = sizeof(a) };
	struct call c;

	a.vmo_fd = v ? v->fd : pick_fd(E_VMO, pg->id);
	a.options = rnd(8) ? rnd(2) : any32(1);
	begin(&c, TG_PAGER, "PAGER_QUERY_STATS", pg->fd,
	      ZVMO_IOC_PAGER_QUERY_STATS);
	c.in_out = 1;
	lay_out(&c, &a, sizeof(a), f_query_stats, ARRAY_SIZE(f_query_stats), 0);
	if (c.clean && a.options & ~ZVMO_PAGER_RESET_VMO_STATS)
		c.must_fail = 1;
	if (run(&c) || !c.valid_ptr)
		return;
	memcpy(&a, argbuf, sizeof(a));
	if (a.modified & ~ZVMO_PAGER_VMO_STATS_MODIFIED)
		misbehaved(&c, "QUERY_STATS reports nonsense");
}

/* read() of a pager: packets, never waiting (O_NONBLOCK). */
static void pager_read(struct ent *pg)
{
	static const char * const names[] = {
		"read", "write", "pread", "pwrite",
	};
	size_t pkt = sizeof(struct zvmo_pager_packet);
	struct call c;

	memset(&c, 0, sizeof(c));
	c.tgt = TG_PAGER;
	c.kind = rnd(4) ? K_READ : K_READ + rnd(4);
	c.name = names[c.kind - K_READ];
	c.fd = pg->fd;
	c.buf = rnd(6) ? arena : (void *)(uintptr_t)pick_ptr(pkt);
	c.off = rnd(2) ? 0 : any64() >> 1;
	switch (rnd(4)) {
	case 0:
		c.len = rnd(pkt);
		if (c.buf == arena)
			c.expect = EINVAL;	/* less than one packet */
		break;
	case 1:
		c.len = rnd(ARENA);
		break;
	default:
		c.len = (1 + rnd(32)) * pkt;
		break;
	}
	/* There is nothing to write to a pager. */
	if (c.kind == K_WRITE || c.kind == K_PWRITE)
		c.must_fail = 1;
	if (run(&c) < 0)
		return;
	if ((size_t)c.ret > c.len)
		misbehaved(&c, "read more than asked for");
	else if (c.buf == arena)
		take_packets(&c, pg, arena, c.ret);
}

static void fuzz_pager(void)
{
	struct ent *pg = pick(E_PAGER);

	if (!pg) {
		dev_pager_create();
		return;
	}
	/* Most calls want a VMO of the pager. */
	if (!has_vmos(pg->id) && rnd(4)) {
		pager_create_vmo(pg);
		return;
	}
	switch (rnd(20)) {
	case 0:
	case 1:
	case 2:
	case 3:
		pager_create_vmo(pg);
		break;
	case 4:
	case 5:
		pager_supply(pg);
		break;
	case 6:
	case 7:
		pager_supply_copy(pg);
		break;
	case 8:
	case 9:
		pager_op(pg);
		break;
	case 10:
		pager_detach(pg);
		break;
	case 11:
		pager_info(pg);
		break;
	case 12:
		pager_query_dirty(pg);
		break;
	case 13:
		pager_query_stats(pg);
		break;
	case 14:
	case 15:
	case 16:
		pager_read(pg);
		break;
	case 17:
		play_serve(pg);
		break;
	default:
		dev_pager_create();
		break;
	}
}

/* PMT and BTI descriptors */

static void fuzz_pmt(void)
{
	struct ent *e = pick(E_PMT);
	struct zvmo_pmt_info a = { .argsz = sizeof(a) };
	struct call c;

	if (!e) {
		e = pick(E_VMO);
		if (e)
			vmo_pin(e);
		return;
	}
	if (rnd(3)) {
		begin(&c, TG_PMT, "PMT_INFO", e->fd, ZVMO_IOC_PMT_INFO);
		lay_out(&c, &a, sizeof(a), f_hdr, ARRAY_SIZE(f_hdr), 1);
		if (run(&c) || !c.valid_ptr || c.argsz < sizeof(a))
			return;
		memcpy(&a, argbuf, sizeof(a));
		if (a.pinned > 1 || !a.size || a.size % PAGE ||
		    a.offset % PAGE || a.options & ~0x1fU || !a.vmo_koid)
			misbehaved(&c, "PMT_INFO reports nonsense");
		return;
	}
	/* UNPIN takes no argument: any pointer will do. */
	begin(&c, TG_PMT, "PMT_UNPIN", e->fd, ZVMO_IOC_PMT_UNPIN);
	c.arg = (void *)(uintptr_t)(rnd(2) ? 0 : pick_ptr(8));
	run(&c);
	if (c.ret)
		return;
	if (!rnd(2))
		close_ent(e);
}

static void fuzz_bti(void)
{
	struct ent *e = pick(E_BTI);
	struct zvmo_bti_info a = { .argsz = sizeof(a) };
	struct call c;

	if (!e) {
		dev_bti_create();
		return;
	}
	begin(&c, TG_BTI, "BTI_INFO", e->fd, ZVMO_IOC_BTI_INFO);
	lay_out(&c, &a, sizeof(a), f_hdr, ARRAY_SIZE(f_hdr), 1);
	if (run(&c) || !c.valid_ptr || c.argsz < sizeof(a))
		return;
	memcpy(&a, argbuf, sizeof(a));
	if (a.minimum_contiguity != PAGE || a.aspace_size != UINT64_MAX ||
	    a.quarantine_count || !a.koid)
		misbehaved(&c, "BTI_INFO reports nonsense");
}

/* Random ioctl numbers */

static const unsigned long cmds_dev[] = {
	ZVMO_IOC_VMO_CREATE, ZVMO_IOC_STATS, ZVMO_IOC_BTI_CREATE,
	ZVMO_IOC_VMO_CREATE_CONTIGUOUS, ZVMO_IOC_PAGER_CREATE,
};

static const unsigned long cmds_vmo[] = {
	ZVMO_IOC_VMO_INFO, ZVMO_IOC_VMO_DUP, ZVMO_IOC_VMO_SET_SIZE,
	ZVMO_IOC_VMO_OP_RANGE, ZVMO_IOC_VMO_SET_NAME,
	ZVMO_IOC_VMO_SET_CONTENT_SIZE, ZVMO_IOC_VMO_CREATE_CHILD,
	ZVMO_IOC_VMO_PIN, ZVMO_IOC_VMO_SET_CACHE_POLICY,
};

static const unsigned long cmds_pager[] = {
	ZVMO_IOC_PAGER_CREATE_VMO, ZVMO_IOC_PAGER_SUPPLY,
	ZVMO_IOC_PAGER_OP_RANGE, ZVMO_IOC_PAGER_DETACH, ZVMO_IOC_PAGER_INFO,
	ZVMO_IOC_PAGER_SUPPLY_COPY, ZVMO_IOC_PAGER_QUERY_DIRTY,
	ZVMO_IOC_PAGER_QUERY_STATS,
};

static const unsigned long cmds_pmt[] = {
	ZVMO_IOC_PMT_INFO, ZVMO_IOC_PMT_UNPIN,
};

static const unsigned long cmds_bti[] = { ZVMO_IOC_BTI_INFO };

#define IOC_NR(cmd)	((cmd) & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT))

static int known(const unsigned long *l, size_t n, unsigned long cmd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (IOC_NR(l[i]) == IOC_NR(cmd))
			return 1;
	return 0;
}

/* The VFS answers these itself, before any driver sees them. */
static int vfs_cmd(unsigned long cmd)
{
	switch (_IOC_TYPE(cmd)) {
	case 0x00:	/* FIBMAP, FIGETBSZ */
	case 'T':	/* FIOCLEX, FIONBIO, FIONREAD... */
	case 'X':	/* FIFREEZE, FS_IOC_FSGETXATTR... */
	case 'f':	/* FS_IOC_GETFLAGS, FS_IOC_FIEMAP... */
	case 0x94:	/* FICLONE, FIDEDUPERANGE */
	case 0x15:	/* FS_IOC_GETFSUUID */
		return 1;
	default:
		return 0;
	}
}

static const unsigned long *any_cmds(size_t *n)
{
	switch (rnd(5)) {
	case 0:
		*n = ARRAY_SIZE(cmds_dev);
		return cmds_dev;
	case 1:
		*n = ARRAY_SIZE(cmds_vmo);
		return cmds_vmo;
	case 2:
		*n = ARRAY_SIZE(cmds_pager);
		return cmds_pager;
	case 3:
		*n = ARRAY_SIZE(cmds_pmt);
		return cmds_pmt;
	default:
		*n = ARRAY_SIZE(cmds_bti);
		return cmds_bti;
	}
}

static void fuzz_random(void)
{
	const unsigned long *mine = cmds_dev, *l;
	size_t nmine = ARRAY_SIZE(cmds_dev), n;
	struct ent *e = rnd(6) ? pick(-1) : NULL;
	unsigned long cmd;
	struct call c;

	if (e && e->type == E_VMO) {
		mine = cmds_vmo;
		nmine = ARRAY_SIZE(cmds_vmo);
	} else if (e && e->type == E_PAGER) {
		mine = cmds_pager;
		nmine = ARRAY_SIZE(cmds_pager);
	} else if (e && e->type == E_PMT) {
		mine = cmds_pmt;
		nmine = ARRAY_SIZE(cmds_pmt);
	} else if (e) {
		mine = cmds_bti;
		nmine = ARRAY_SIZE(cmds_bti);
	}
	do {
		switch (rnd(4)) {
		case 0:
			cmd = (__u32)rnd64();
			break;
		case 1:
			cmd = _IOC(rnd(4), ZVMO_IOC_MAGIC, rnd(256),
				   rnd(1 << _IOC_SIZEBITS));
			break;
		case 2:	/* a command of ours in the wrong direction */
			l = any_cmds(&n);
			cmd = l[rnd(n)] ^ (unsigned long)(1 + rnd(3)) <<
					  _IOC_DIRSHIFT;
			break;
		default: /* another descriptor's command */
			l = any_cmds(&n);
			cmd = l[rnd(n)];
			break;
		}
	} while (vfs_cmd(cmd) || known(mine, nmine, cmd));
	begin(&c, TG_RANDOM, "random ioctl", e ? e->fd : zt_dev(), cmd);
	c.cmd = cmd;
	c.arg = rnd(2) ? argbuf : (void *)(uintptr_t)pick_ptr(64);
	memset(argbuf, 0, ARGBUF);
	argbuf_dirty = 0;
	c.expect = ENOTTY;
	run(&c);
}

/* read(), write(), pread(), pwrite() */

/* A length for a transfer to or from arena + @boff. */
static size_t rw_len(size_t boff)
{
	switch (rnd(4)) {
	case 0:
		return rnd(PAGE);
	case 1:
		return (1 + rnd(8)) * PAGE - rnd(2) * rnd(PAGE);
	case 2:
		return ARENA - boff;
	default:
		return rnd(2) ? any64() : ARENA - boff + 1 + rnd(PAGE);
	}
}

static void fuzz_rw(void)
{
	struct ent *e = rnd(8) ? pick(E_VMO) : NULL;
	struct zvmo_vmo_info info;
	size_t boff = rnd(8) ? 0 : rnd(ARENA);
	int known_size = 0;
	struct call c;

	if (!e) {
		e = pick(E_PAGER);
		if (e)
			pager_read(e);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.tgt = TG_RW;
	c.kind = K_READ + rnd(4);
	c.name = c.kind == K_READ ? "read" : c.kind == K_WRITE ? "write" :
		 c.kind == K_PREAD ? "pread" : "pwrite";
	c.fd = e->fd;
	c.off = rnd_off(e->size);
	c.len = rw_len(boff);
	if (rnd(2) && e->size) {
		/* Inside the VMO, to the byte. */
		c.off = rnd64() % e->size;
		c.len = 1 + rnd64() % (e->size - c.off);
		if (c.len > ARENA - boff)
			c.len = ARENA - boff;
	}
	c.buf = rnd(10) ? arena + boff : (void *)(uintptr_t)pick_ptr(c.len);
	involve(&c, c.fd);
	if (!e->pager && !zt_info(e->fd, &info))
		known_size = 1;
	if (c.kind == K_READ || c.kind == K_WRITE)
		lseek(e->fd, c.off, SEEK_SET);

	/* What uapi/zvmo.h promises of pread() and pwrite(). */
	if (known_size && (c.kind == K_PREAD || c.kind == K_PWRITE) &&
	    c.buf == arena + boff && c.len <= ARENA - boff && c.len &&
	    c.off < 1ULL << 62) {
		int wr = c.kind == K_PWRITE;

		if (!(e->rights & (wr ? ZVMO_RIGHT_WRITE : ZVMO_RIGHT_READ)))
			c.expect = EACCES;
		else if (c.off + c.len > info.size && (wr || c.off < info.size))
			c.expect = ERANGE;
		else
			known_size = 2;
	}
	run(&c);
	if (c.ret > 0 && (size_t)c.ret > c.len)
		misbehaved(&c, "moved more than asked for");
	/* Under fault injection a transfer may stop where memory ran out. */
	if (known_size == 2 && c.ret >= 0 && c.ret !=
	    (long)(c.off >= info.size ? 0 : c.len) && !(injecting && c.ret))
		misbehaved(&c, "a short transfer within the VMO");
}

/* mmap(), a touch or two, munmap() */

static void fuzz_mmap(void)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_NONE, PROT_WRITE,
	};
	struct ent *e = rnd(10) ? pick(E_VMO) : pick(E_PAGER);
	struct zvmo_vmo_info info;
	int known_size = 0, i;
	struct call c;

	if (!e)
		return;
	memset(&c, 0, sizeof(c));
	c.tgt = TG_MMAP;
	c.kind = K_MMAP;
	c.name = "mmap";
	c.fd = e->fd;
	c.len = rnd(8) ? (1 + rnd(4)) * PAGE : rnd(3 * PAGE);
	c.off = rnd(8) ? rnd_page_off(e->size) : rnd_off(e->size);
	if (c.off + c.len > e->size && rnd(2) && e->size >= c.len)
		c.off = (e->size - c.len) & ~(PAGE - 1);
	c.prot = prots[rnd(ARRAY_SIZE(prots))];
	c.flags = rnd(4) ? MAP_SHARED : MAP_PRIVATE;
	if (!rnd(8))
		c.flags |= MAP_POPULATE;
	for (i = 0; i < 2 && c.len; i++) {
		c.touch[i] = rnd(2) ? 'r' : 'w';
		c.touch_off[i] = rnd(c.len);
	}
	/* A write to what was mapped to be read must fault. */
	if (c.prot == PROT_READ && rnd(2)) {
		c.touch[0] = 'r';
		c.touch[1] = 'w';
		c.touch_off[1] = c.touch_off[0];
	}
	involve(&c, c.fd);
	c.route = 1;		/* a fault may not end: keep it off us */
	if (e->type == E_VMO && !e->pager && !zt_info(e->fd, &info))
		known_size = 1;
	run(&c);
	if (c.ret)
		return;
	for (i = 0; i < 2 && c.touch[i]; i++) {
		__u64 at = c.off + c.touch_off[i];

		res->sigbus += c.sig[i] == SIGBUS;
		res->sigsegv += c.sig[i] == SIGSEGV;
		if (c.sig[i] == SIGUSR1)
			continue;
		if (c.touch[i] == 'w' && !(c.prot & PROT_WRITE) &&
		    c.sig[i] != SIGSEGV) {
			misbehaved(&c, "a write where only reading was mapped did not fault");
		} else if (known_size && c.prot != PROT_NONE &&
			   (c.touch[i] == 'r' || c.prot & PROT_WRITE)) {
			if (at < info.size && c.sig[i])
				misbehaved(&c, "a fault inside the VMO failed");
			else if (at >= info.size && c.sig[i] != SIGBUS)
				misbehaved(&c, "a touch past the VMO's end did not SIGBUS");
		}
	}
}

static void fuzz_reclaim(void)
{
	static const char * const kinds[] = { NULL, "dedup", "evict",
					      "discard" };
	struct call c;
	int r;

	memset(&c, 0, sizeof(c));
	c.tgt = TG_RECLAIM;
	c.kind = K_WRITE;
	c.name = "reclaim_now";
	c.len = 1 + rnd(256);
	r = zt_reclaim(kinds[rnd(ARRAY_SIZE(kinds))], c.len);
	c.ret = r < 0 ? -1 : 0;
	c.err = -r;
	if (c.ret)
		res->failed[TG_RECLAIM]++;
	else
		res->ok[TG_RECLAIM]++;
	/* What we write is always well formed. */
	if (c.ret)
		misbehaved(&c, "reclaim_now refused a request");
}

/* Keep the module's memory within bounds: close what holds it. */
static void shed(void)
{
	struct zvmo_stats st;

	if (zt_stats(&st) || st.pages < SHED_HIGH)
		return;
	res->sheds++;
	while (!zt_stats(&st) && st.pages > SHED_LOW) {
		struct ent *e = pick(rnd(4) ? E_VMO : E_PMT);

		if (!e)
			e = pick(E_VMO);
		if (!e)
			e = pick(E_PMT);
		if (!e)
			break;
		close_ent(e);
	}
}

static void close_random(void)
{
	struct ent *e = pick(-1);

	if (e)
		close_ent(e);
}

static void step(void)
{
	unsigned int r = rnd(1000);

	compact();
	while (live() >= FULL_ENTS)
		close_ent(pick(-1));
	if (r < 70)
		fuzz_dev();
	else if (r < 470)
		fuzz_vmo();
	else if (r < 640)
		fuzz_pager();
	else if (r < 680)
		fuzz_pmt();
	else if (r < 695)
		fuzz_bti();
	else if (r < 765)
		fuzz_random();
	else if (r < 885)
		fuzz_rw();
	else if (r < 945)
		fuzz_mmap();
	else if (r < 995)
		close_random();
	else
		fuzz_reclaim();
}

/* Print what the kernel says each of our threads is doing. */
static void dump_tasks(void)
{
	char path[96], buf[2048];
	int tids[2] = { getpid(), worker_tid };
	static const char * const what[] = { "stat", "wchan", "stack" };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(tids); i++)
		for (j = 0; j < ARRAY_SIZE(what); j++) {
			ssize_t n;
			int fd;

			snprintf(path, sizeof(path), "/proc/self/task/%d/%s",
				 tids[i], what[j]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
			if (fd >= 0)
				close(fd);
			buf[n > 0 ? n : 0] = 0;
			LOG("task %d %s: %s", tids[i], what[j], buf);
		}
}

/* A call that never ends is a hang: say which, and how, then stop. */
static void *watchdog_main(void *unused)
{
	unsigned long last = ~0UL, now;
	unsigned int still = 0;

	for (;;) {
		sleep(1);
		now = __atomic_load_n(&progress, __ATOMIC_SEQ_CST);
		still = now == last ? still + 1 : 0;
		last = now;
		if (still < HANG_S)
			continue;
		misbehaved(__atomic_load_n(&in_flight, __ATOMIC_SEQ_CST),
			   "no call has ended for a minute: hangs in");
		dump_tasks();
		res->iterations = iter;
		_exit(1);
	}
	return NULL;
}

static int setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	size_t total = ARGBUF + PAGE + ARENA + 256 * PAGE + PAGE +
		       SUPPLY_BUF + PAGE;
	char *m, path[64];
	int p[2], i;

	m = mmap(NULL, total, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	argbuf = m;
	argguard = argbuf + ARGBUF;
	arena = argguard + PAGE;
	guard = arena + ARENA;
	rodata = guard + 256 * PAGE;
	supply_buf = rodata + PAGE;
	memset(rodata, 0x11, PAGE);
	for (i = 0; i < (int)SUPPLY_BUF; i++)
		supply_buf[i] = i * 7 + 3;
	if (mprotect(argguard, PAGE, PROT_NONE) ||
	    mprotect(guard, 256 * PAGE, PROT_NONE) ||
	    mprotect(rodata, PAGE, PROT_READ) ||
	    mprotect(supply_buf + SUPPLY_BUF, PAGE, PROT_NONE))
		return -1;

	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	if (pipe2(p, O_CLOEXEC))
		return -1;
	others[0] = p[0];
	others[1] = p[1];
	others[2] = open("/dev/null", O_RDWR | O_CLOEXEC);
	others[3] = eventfd(0, EFD_CLOEXEC);
	if (others[2] < 0 || others[3] < 0)
		return -1;

	if (sem_init(&job_go, 0, 0) || sem_init(&job_done, 0, 0) ||
	    pthread_create(&worker, NULL, worker_main, NULL) ||
	    pthread_create(&watchdog, NULL, watchdog_main, NULL))
		return -1;
	while (sem_wait(&job_done))
		;
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", worker_tid);
	wchan_fd = open(path, O_RDONLY | O_CLOEXEC);
	/* The idle worker sleeps in a futex: a name, not "0". */
	usleep(10000);
	if (wchan_fd >= 0) {
		char buf[64] = "";

		if (pread(wchan_fd, buf, sizeof(buf) - 1, 0) > 0 &&
		    strcmp(buf, "0"))
			wchan_works = 1;
	}
	return 0;
}

static int fuzz_main(void)
{
	struct timespec t0;
	int i;

	if (setup()) {
		LOG("setup failed: %s", strerror(errno));
		return 1;
	}
	if (!wchan_works)
		LOG("no wchan: a call that takes 300 ms waits for a pager");
	rng = seed ? seed : 1;
	play_rng = rng ^ 0x9e3779b97f4a7c15ULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (iter = 0; iter < iterations; iter++) {
		/* A slow (debug) kernel gets fewer of the default count. */
		if (cap_ms && !(iter & 63) && elapsed_ms(&t0) > cap_ms) {
			res->capped = 1;
			break;
		}
		step();
		/* A commit past the cgroup's limit leaves it full. */
		if (saw_enomem || !(iter & 3))
			shed();
		saw_enomem = 0;
		res->iterations = iter + 1;
	}
	for (i = 0; i < npool; i++)
		close_ent(&pool[i]);
	npool = 0;
	for (i = 0; i < (int)ARRAY_SIZE(others); i++)
		close(others[i]);
	job = NULL;
	sem_post(&job_go);
	pthread_join(worker, NULL);
	res->done = 1;
	return res->bad ? 1 : 0;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static int same_stats(const struct zvmo_stats *a, const struct zvmo_stats *b)
{
	return a->vmos == b->vmos && a->handles == b->handles &&
	       a->pages == b->pages && a->pinned_pages == b->pinned_pages &&
	       a->pmts == b->pmts && a->btis == b->btis &&
	       a->page_list_nodes == b->page_list_nodes;
}

FIXTURE(fuzz) {
	struct zvmo_stats before;
};

FIXTURE_SETUP(fuzz)
{
	if (zt_dev() < 0)
		SKIP(return, "no %s", ZVMO_DEVICE_PATH);
	ASSERT_EQ(0, zt_stats(&self->before));
	before = self->before;
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* The debug kernel, emulated, runs ten times slower: room for that. */
TEST_F_TIMEOUT(fuzz, ioctls, 900)
{
	struct zvmo_stats after;
	struct timespec t0;
	int status, i, tries;

	seed = env_ul("ZVMO_FUZZ_SEED", DEFAULT_SEED);
	iterations = env_ul("ZVMO_FUZZ_ITERATIONS", 0);
	if (!iterations) {
		iterations = DEFAULT_ITERS;
		cap_ms = DEFAULT_CAP_MS;
	}
	trace_from = env_ul("ZVMO_FUZZ_TRACE", ~0UL);
	injecting = env_ul("ZVMO_INJECTING", 0);
	TH_LOG("seed %#llx, %lu iterations (ZVMO_FUZZ_SEED, ZVMO_FUZZ_ITERATIONS)",
	       (unsigned long long)seed, iterations);
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	md = _metadata;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	status = zt_in_memcg("64M", fuzz_main);
	if (status == -1)
		SKIP(return, "no memory cgroup");
	TH_LOG("%lu iterations done in %.1f s, %lu misbehaviours",
	       res->iterations, elapsed_ms(&t0) / 1000.0, res->bad);
	for (i = 0; i < TG_NUM; i++)
		TH_LOG("%-12s %7lu succeeded %7lu failed", tg_name[i],
		       res->ok[i], res->failed[i]);
	TH_LOG("%lu pager answers (%lu late), %lu sheds, %lu SIGBUS, %lu SIGSEGV",
	       res->plays, res->stalls, res->sheds, res->sigbus,
	       res->sigsegv);
	if (!res->done)
		TH_LOG("the fuzzer stopped in iteration %lu, in %s (%#lx)%s",
		       res->cur_iter, res->cur_name ?: "?", res->cur_cmd,
		       status == 200 ? ": killed by a signal (the OOM killer?)" :
		       "");
	if (res->capped)
		TH_LOG("stopped by the time cap: ZVMO_FUZZ_ITERATIONS=%lu replays it",
		       res->iterations);
	EXPECT_EQ(0, status);
	EXPECT_EQ(1, res->done);
	EXPECT_EQ(0, res->bad);
	if (!res->capped)
		EXPECT_EQ(iterations, res->iterations);
	/* It got past the argument checks, into what the calls do. */
	if (res->iterations >= 2000) {
		EXPECT_LT(0, res->ok[TG_DEV]);
		EXPECT_LT(0, res->ok[TG_VMO]);
		EXPECT_LT(0, res->ok[TG_PAGER]);
		EXPECT_LT(0, res->ok[TG_PMT]);
		EXPECT_LT(0, res->ok[TG_BTI]);
		EXPECT_LT(0, res->ok[TG_RW]);
		EXPECT_LT(0, res->ok[TG_MMAP]);
		EXPECT_LT(0, res->failed[TG_RANDOM]);
	}

	/* Everything is closed: the module must hold nothing of ours. */
	for (tries = 0; tries < 40; tries++) {
		ASSERT_EQ(0, zt_stats(&after));
		if (same_stats(&self->before, &after))
			break;
		usleep(50000);
	}
	EXPECT_EQ(self->before.vmos, after.vmos);
	EXPECT_EQ(self->before.handles, after.handles);
	EXPECT_EQ(self->before.pages, after.pages);
	EXPECT_EQ(self->before.pinned_pages, after.pinned_pages);
	EXPECT_EQ(self->before.pmts, after.pmts);
	EXPECT_EQ(self->before.btis, after.btis);
	EXPECT_EQ(self->before.page_list_nodes, after.page_list_nodes);
	munmap(res, sizeof(*res));
}

TEST_HARNESS_MAIN
