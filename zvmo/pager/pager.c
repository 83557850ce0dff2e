// SPDX-License-Identifier: GPL-2.0
/*
 * User pagers, after the seeds' PageSource and PageRequest.
 *
 * A pager is a file; read() on it returns packets. Each VMO it makes has a
 * page source: the pager's end of that VMO, which outlives both (waiters
 * hold it) and holds a reference to the pager's object (not its file).
 *
 * A request is a range some access waits for: missing pages (READ), or
 * clean content a write waits to be let through (DIRTY, for VMOs that trap
 * dirty). It is queued on the pager (a packet of its command) when it is
 * made, and done when a supply has filled all of it (READ), when the pager
 * made all of it dirty (DIRTY), when the pager fails it, or when the
 * source loses its pager (detach, or the pager's file closing). Accesses to a page
 * that an outstanding request covers wait for that request instead of
 * making another, so a range is asked for once. A waiter looks again at the
 * VMO whenever a supply bumps the source's generation, so a partial supply
 * lets it through at once. A request that every waiter left (killed)
 * before the pager read it is withdrawn.
 *
 * A fault that drops the mmap lock to wait cannot return the error it met
 * (the core retries it): it leaves the error in the source for its retry,
 * which finds it by task and offset.
 *
 * A waiter whose pager is likely to answer from another CPU, and usually
 * answers quickly, spins for a while before it sleeps (as a mutex waiter
 * spins while the owner runs): the answer then reaches a running task, and
 * costs neither side a remote wake-up. "Likely elsewhere" is where a
 * reader last waited for packets; "quickly" is twice the source's recent
 * mean answer time, within the pager_spin_us parameter.
 *
 * Lock order: the hierarchy lock, then a source's lock, then the pager's
 * lock. Both spin; nothing sleeps under them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "../cow/cow_mm.h"
#include "../fs.h"
#include "../handle.h"
#include "../vmo.h"
#include "../zvmo.h"
#include "pager.h"

/* Fault failures kept for retries, at most, per source. */
#define ZVMO_PAGER_FAILURES_MAX	64

static unsigned int zvmo_pager_spin_us = 250;
module_param_named(pager_spin_us, zvmo_pager_spin_us, uint, 0644);
MODULE_PARM_DESC(pager_spin_us,
		 "Longest a wait for a pager on another CPU spins before it sleeps, in microseconds; 0: never spin (default 250)");

/**
 * struct zvmo_pager_item - a packet waiting on a pager's queue
 * @link: in the pager's @queue, or empty
 * @command: ZVMO_PAGER_READ, ZVMO_PAGER_DIRTY or ZVMO_PAGER_COMPLETE
 */
struct zvmo_pager_item {
	struct list_head link;
	u16 command;
};

/**
 * struct zvmo_pager - a pager: the queue of its packets and its sources
 * @ref: one for its file, one per source attached to it
 * @lock: guards @queue, @sources and @closed
 * @queue: packets to read, in order
 * @sources: its attached sources (each with a reference for this list)
 * @wq: readers waiting for packets
 * @closed: its file went: it sends nothing more
 * @reader_cpu: the CPU a reader last waited for packets on, or -1: where
 *	the next packet is likely to be read
 * @koid: its id, and its index in zvmo_pagers
 * @owner: the effective uid that made it
 * @rcu: frees it, for introspection's lookups without a reference
 */
struct zvmo_pager {
	struct kref ref;
	spinlock_t lock;	/* see above */
	struct list_head queue;
	struct list_head sources;
	wait_queue_head_t wq;
	bool closed;
	int reader_cpu;
	u64 koid;
	kuid_t owner;
	struct rcu_head rcu;
};

/* Every pager alive, by koid, for introspection. */
static DEFINE_XARRAY(zvmo_pagers);

/**
 * struct zvmo_page_source - a pager-backed VMO's end of its pager
 * @ref: one for the leaf, one for the pager's list, one per queued
 *	COMPLETE packet, one per waiter that may outlive the VMO
 * @lock: guards everything below
 * @pager: the pager, with a reference, while attached; NULL after detach,
 *	or once the pager closed
 * @pager_koid: the pager that made it, for telling "another pager's VMO"
 *	from "detached"
 * @key: the key of its packets
 * @plink: in the pager's @sources
 * @requests: outstanding requests
 * @nr_requests: how many; read without the lock by introspection
 * @complete: its COMPLETE packet
 * @wq: tasks waiting for requests or supplies
 * @wakes: bumped by every wake-up of @wq, which spinning waiters watch
 * @answer_ns: how long the pager takes to answer a request it read, a
 *	moving mean, in nanoseconds (0: none answered yet)
 * @gen: bumped by every supply, and every ZVMO_PAGER_OP_DIRTY
 * @failures: fault failures kept for the faults' retries
 * @nr_failures: entries in @failures
 * @announced: its VMO reached userspace: its end is worth a COMPLETE
 */
struct zvmo_page_source {
	struct kref ref;
	spinlock_t lock;	/* see above */
	struct zvmo_pager *pager;
	u64 pager_koid;
	u64 key;
	struct list_head plink;
	struct list_head requests;
	unsigned long nr_requests;
	struct zvmo_pager_item complete;
	wait_queue_head_t wq;
	atomic_t wakes;
	u64 answer_ns;
	u64 gen;
	struct list_head failures;
	unsigned int nr_failures;
	bool announced;
};

/**
 * struct zvmo_page_request - a range of missing pages asked for
 * @item: its READ packet
 * @link: in its source's @requests while outstanding
 * @src: the source
 * @ref: one while outstanding, one while queued, one per waiter
 * @offset: start of the range
 * @length: its length
 * @asked: when it was queued (ktime_get_ns())
 * @waiters: tasks waiting for it
 * @done: answered: supplied, failed, or the pager went
 * @error: why it failed, or 0
 */
struct zvmo_page_request {
	struct zvmo_pager_item item;
	struct list_head link;
	struct zvmo_page_source *src;
	refcount_t ref;
	u64 offset;
	u64 length;
	u64 asked;
	unsigned int waiters;
	bool done;
	int error;
};

/* A failure a fault met after it dropped the mmap lock. */
struct zvmo_fault_failure {
	struct list_head link;
	struct task_struct *task;	/* compared, never dereferenced */
	pid_t pid;
	u64 off;
	int error;
};

static const struct file_operations zvmo_pager_fops;

static void zvmo_pager_free(struct kref *ref)
{
	struct zvmo_pager *pager = container_of(ref, struct zvmo_pager, ref);

	xa_erase(&zvmo_pagers, pager->koid);
	atomic_long_dec(&zvmo_counters.pagers);
	kfree_rcu(pager, rcu);
}

static void zvmo_pager_put(struct zvmo_pager *pager)
{
	kref_put(&pager->ref, zvmo_pager_free);
}

static void zvmo_page_source_free(struct kref *ref)
{
	struct zvmo_page_source *src =
		container_of(ref, struct zvmo_page_source, ref);
	struct zvmo_fault_failure *f, *next;

	WARN_ON_ONCE(src->pager || !list_empty(&src->requests));
	list_for_each_entry_safe(f, next, &src->failures, link)
		kfree(f);
	kfree(src);
}

/**
 * zvmo_page_source_get() - take a reference to a page source
 * @src: the source
 */
void zvmo_page_source_get(struct zvmo_page_source *src)
{
	kref_get(&src->ref);
}

/**
 * zvmo_page_source_put() - drop a reference to a page source
 * @src: the source
 */
void zvmo_page_source_put(struct zvmo_page_source *src)
{
	kref_put(&src->ref, zvmo_page_source_free);
}

static void zvmo_request_put(struct zvmo_page_request *req)
{
	if (refcount_dec_and_test(&req->ref))
		kfree(req);
}

/* Take @item off its pager's queue, if it is on it. Pager lock held. */
static bool zvmo_pager_unqueue(struct zvmo_pager_item *item)
{
	if (list_empty(&item->link))
		return false;
	list_del_init(&item->link);
	return true;
}

/*
 * Answer @req with @error (0: supplied): off the source's list and the
 * pager's queue, dropping their references. Source lock held.
 */
static void zvmo_request_end(struct zvmo_page_request *req, int error)
{
	struct zvmo_page_source *src = req->src;
	struct zvmo_pager *pager = src->pager;
	bool queued = false;
	u64 took;

	req->done = true;
	req->error = error;
	list_del_init(&req->link);
	WRITE_ONCE(src->nr_requests, src->nr_requests - 1);
	if (pager) {
		spin_lock(&pager->lock);
		queued = zvmo_pager_unqueue(&req->item);
		if (queued)
			zvmo_request_put(req);
		spin_unlock(&pager->lock);
	}
	/* An answer to a packet the pager read: how long answers take. */
	if (pager && !queued && !error) {
		took = ktime_get_ns() - req->asked;
		src->answer_ns = src->answer_ns ?
				 src->answer_ns - src->answer_ns / 8 + took / 8 :
				 took;
	}
	zvmo_request_put(req);
}

/* Wake whoever waits on @src, spinning or asleep. */
static void zvmo_source_wake_all(struct zvmo_page_source *src)
{
	atomic_inc(&src->wakes);
	wake_up_all(&src->wq);
}

/*
 * How long a wait for @src, whose pager is @pager, may spin before it
 * sleeps, in nanoseconds: twice the mean answer time, if that is within
 * pager_spin_us and the pager's reader is likely on another CPU; else 0.
 * Source lock held.
 */
static u64 zvmo_source_spin_ns(struct zvmo_page_source *src,
			       struct zvmo_pager *pager)
{
	u64 max = (u64)READ_ONCE(zvmo_pager_spin_us) * NSEC_PER_USEC;
	int cpu = READ_ONCE(pager->reader_cpu);

	if (!src->answer_ns || src->answer_ns > max || cpu < 0 ||
	    cpu == raw_smp_processor_id() || num_online_cpus() < 2)
		return 0;
	return min(2 * src->answer_ns, max);
}

/*
 * Spin for @req's answer, for at most @ns, yielding to whatever else
 * wants the CPU, until a fatal signal comes: done (or the generation
 * moved on from @gen) and @src's waiters woken since @wakes, so that the
 * supplier has dropped the hierarchy lock the retry takes. Whatever this
 * sees, the sleeping wait after it decides.
 */
static void zvmo_request_spin(struct zvmo_page_source *src,
			      struct zvmo_page_request *req, u64 gen,
			      int wakes, u64 ns)
{
	u64 end = ktime_get_ns() + ns;
	unsigned int i;

	atomic_long_inc(&zvmo_counters.pager_spins);
	for (i = 1; ; i++) {
		if (atomic_read(&src->wakes) != wakes &&
		    (READ_ONCE(req->done) || READ_ONCE(src->gen) != gen)) {
			atomic_long_inc(&zvmo_counters.pager_spin_hits);
			return;
		}
		if (fatal_signal_pending(current))
			return;
		if (!(i % 16) && ktime_get_ns() > end)
			return;
		/* Whatever else wants the CPU runs first. */
		cond_resched();
		cpu_relax();
	}
}

/* zvmo_requests_end() of every command. */
#define ZVMO_REQUESTS_ALL	U16_MAX

/*
 * Answer with @error every request of @src for @command (or of every
 * command) that overlaps [@start, @end) and, if @present is given, has
 * all of its range answered by it. Source lock held.
 */
static void zvmo_requests_end(struct zvmo_page_source *src, u16 command,
			      u64 start, u64 end, int error,
			      bool (*present)(void *ctx, u64 off), void *ctx)
{
	struct zvmo_page_request *req, *next;
	u64 off;

	list_for_each_entry_safe(req, next, &src->requests, link) {
		if (req->offset >= end || req->offset + req->length <= start)
			continue;
		if (command != ZVMO_REQUESTS_ALL &&
		    req->item.command != command)
			continue;
		if (present) {
			for (off = req->offset;
			     off < req->offset + req->length; off += PAGE_SIZE)
				if (!present(ctx, off))
					break;
			if (off < req->offset + req->length)
				continue;
		}
		zvmo_request_end(req, error);
	}
}

/**
 * zvmo_page_source_gen() - the source's supply generation
 * @src: the source
 *
 * Read under the hierarchy lock of the leaf, with the lookup that found a
 * page missing: a supply that comes after bumps it (it bumps it under the
 * same lock), and then zvmo_page_source_wait() does not ask again.
 *
 * Context: The hierarchy lock of the source's leaf is held.
 * Return: the generation.
 */
u64 zvmo_page_source_gen(struct zvmo_page_source *src)
{
	return READ_ONCE(src->gen);
}

/*
 * The outstanding request of @src for @command that covers @off, or NULL;
 * @next_start is where the next one of that command starts.
 */
static struct zvmo_page_request *
zvmo_request_find(struct zvmo_page_source *src, u16 command, u64 off,
		  u64 *next_start)
{
	struct zvmo_page_request *req;

	*next_start = U64_MAX;
	list_for_each_entry(req, &src->requests, link) {
		if (req->item.command != command)
			continue;
		if (req->offset <= off && off < req->offset + req->length)
			return req;
		if (req->offset > off && req->offset < *next_start)
			*next_start = req->offset;
	}
	return NULL;
}

static void zvmo_source_keep_failure(struct zvmo_page_source *src,
				     struct zvmo_fault_failure *f)
{
	struct zvmo_fault_failure *old;

	if (src->nr_failures == ZVMO_PAGER_FAILURES_MAX) {
		old = list_first_entry(&src->failures,
				       struct zvmo_fault_failure, link);
		list_del(&old->link);
		kfree(old);
		src->nr_failures--;
	}
	list_add_tail(&f->link, &src->failures);
	src->nr_failures++;
}

/**
 * zvmo_page_source_take_failure() - the failure a fault's earlier try met
 * @src: the source
 * @off: the offset of the fault, page aligned
 *
 * Context: Process context, in the faulting task.
 * Return: the error its earlier try kept (and no more), or 0.
 */
int zvmo_page_source_take_failure(struct zvmo_page_source *src, u64 off)
{
	struct zvmo_fault_failure *f, *found = NULL;
	int err = 0;

	if (!READ_ONCE(src->nr_failures))
		return 0;
	spin_lock(&src->lock);
	list_for_each_entry(f, &src->failures, link) {
		if (f->task == current && f->pid == current->pid &&
		    f->off == off) {
			found = f;
			list_del(&f->link);
			src->nr_failures--;
			err = f->error;
			break;
		}
	}
	spin_unlock(&src->lock);
	kfree(found);
	return err;
}

/**
 * zvmo_page_source_wait() - ask the pager for a range, and wait
 * @src: the source
 * @command: ZVMO_PAGER_READ for missing pages, ZVMO_PAGER_DIRTY for clean
 *	content a write waits to dirty
 * @off: the offset of the first page
 * @len: the length of the run of such pages from there, page aligned
 * @gen: the generation read with the lookup that found them so
 * @how: how to wait
 *
 * If a supply or a ZVMO_PAGER_OP_DIRTY came since the lookup, returns at
 * once for the caller to look again. Else waits for the outstanding
 * request for @command that covers @off, or makes one for the run (cut
 * where another one starts) and queues its packet. Returns when the
 * request is answered, or when a supply or an OP_DIRTY came that may have
 * answered it.
 *
 * Context: Process context; no lock held (in a fault, the mmap lock may
 * be). Sleeps; a fatal signal ends the wait.
 * Return: 0 to look again; the error the pager failed the request with;
 * -EBUSY if the source has no pager (detached, or the pager is gone);
 * -EAGAIN for ZVMO_WAIT_NONE; -EINTR for a fatal signal; -ENOMEM.
 */
int zvmo_page_source_wait(struct zvmo_page_source *src, u16 command,
			  u64 off, u64 len, u64 gen, enum zvmo_wait how)
{
	struct zvmo_page_request *req, *fresh;
	struct zvmo_fault_failure *fail = NULL;
	struct zvmo_pager *pager;
	u64 next_start, spin = 0;
	int err, wakes;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;

	spin_lock(&src->lock);
	if (src->gen != gen) {
		spin_unlock(&src->lock);
		err = 0;
		goto out;
	}
	pager = src->pager;
	if (!pager) {
		spin_unlock(&src->lock);
		err = -EBUSY;
		goto out_fail;
	}
	if (how != ZVMO_WAIT_NONE)
		spin = zvmo_source_spin_ns(src, pager);
	req = zvmo_request_find(src, command, off, &next_start);
	if (!req) {
		req = fresh;
		fresh = NULL;
		INIT_LIST_HEAD(&req->item.link);
		req->item.command = command;
		req->src = src;
		req->offset = off;
		req->length = min(len, next_start - off);
		req->asked = ktime_get_ns();
		refcount_set(&req->ref, 2);	/* the list's, the queue's */
		list_add_tail(&req->link, &src->requests);
		WRITE_ONCE(src->nr_requests, src->nr_requests + 1);
		atomic_long_inc(&zvmo_counters.requests);
		spin_lock(&pager->lock);
		list_add_tail(&req->item.link, &pager->queue);
		spin_unlock(&pager->lock);
		/*
		 * A synchronous wake-up if this task is about to sleep
		 * until the pager answers: the pager need not preempt it.
		 */
		if (spin)
			wake_up_interruptible(&pager->wq);
		else
			wake_up_interruptible_sync(&pager->wq);
	}
	refcount_inc(&req->ref);
	req->waiters++;
	wakes = atomic_read(&src->wakes);
	spin_unlock(&src->lock);

	if (how == ZVMO_WAIT_NONE) {
		err = -EAGAIN;
	} else {
		if (spin)
			zvmo_request_spin(src, req, gen, wakes, spin);
		err = wait_event_killable(src->wq, READ_ONCE(req->done) ||
					  READ_ONCE(src->gen) != gen);
		if (err)
			err = -EINTR;
	}

	/*
	 * The fault's retry reports what the pager failed it with: without
	 * this record it would ask again instead of raising SIGBUS. A few
	 * bytes, taken only when a pager failed a range: never refused.
	 */
	if (how == ZVMO_WAIT_FAULT && READ_ONCE(req->done) &&
	    READ_ONCE(req->error))
		fail = kzalloc(sizeof(*fail), GFP_KERNEL | __GFP_NOFAIL);
	spin_lock(&src->lock);
	if (!err && req->done)
		err = req->error;
	req->waiters--;
	/* Nobody waits and the pager has not read it: take it back. */
	if (!req->waiters && !req->done && how != ZVMO_WAIT_NONE &&
	    src->pager) {
		bool queued;

		spin_lock(&src->pager->lock);
		queued = !list_empty(&req->item.link);
		spin_unlock(&src->pager->lock);
		if (queued)
			zvmo_request_end(req, -EINTR);
	}
	if (err && err != -EINTR && err != -EAGAIN && fail) {
		fail->task = current;
		fail->pid = current->pid;
		fail->off = off;
		fail->error = err;
		zvmo_source_keep_failure(src, fail);
		fail = NULL;
	}
	spin_unlock(&src->lock);
	zvmo_request_put(req);
	goto out;

out_fail:
	if (how == ZVMO_WAIT_FAULT)
		fail = kzalloc(sizeof(*fail), GFP_KERNEL | __GFP_NOFAIL);
	if (fail) {
		fail->task = current;
		fail->pid = current->pid;
		fail->off = off;
		fail->error = err;
		spin_lock(&src->lock);
		zvmo_source_keep_failure(src, fail);
		spin_unlock(&src->lock);
		fail = NULL;
	}
out:
	kfree(fail);
	kfree(fresh);
	return err;
}

/**
 * zvmo_page_source_supplied() - pages came for a range
 * @src: the source
 * @start: page-aligned start of the range
 * @end: its end
 * @present: whether the leaf has content at an offset now
 * @ctx: passed to @present
 *
 * Ends the requests overlapping the range that are all present now, and
 * bumps the generation, so that waiters look again once
 * zvmo_page_source_wake() wakes them.
 *
 * Context: The hierarchy lock of the source's leaf is held.
 */
void zvmo_page_source_supplied(struct zvmo_page_source *src, u64 start,
			       u64 end, bool (*present)(void *ctx, u64 off),
			       void *ctx)
{
	spin_lock(&src->lock);
	WRITE_ONCE(src->gen, src->gen + 1);
	zvmo_requests_end(src, ZVMO_PAGER_READ, start, end, 0, present, ctx);
	spin_unlock(&src->lock);
}

/**
 * zvmo_page_source_dirtied() - the pager let writes dirty a range
 * @src: the source
 * @start: page-aligned start of the range
 * @end: its end
 * @dirty: whether the leaf's content at an offset is not clean now
 * @ctx: passed to @dirty
 *
 * As zvmo_page_source_supplied(), for the DIRTY requests.
 *
 * Context: The hierarchy lock of the source's leaf is held.
 */
void zvmo_page_source_dirtied(struct zvmo_page_source *src, u64 start,
			      u64 end, bool (*dirty)(void *ctx, u64 off),
			      void *ctx)
{
	spin_lock(&src->lock);
	WRITE_ONCE(src->gen, src->gen + 1);
	zvmo_requests_end(src, ZVMO_PAGER_DIRTY, start, end, 0, dirty, ctx);
	spin_unlock(&src->lock);
}

/**
 * zvmo_page_source_wake() - wake the waiters of a source after a supply
 * @src: the source
 *
 * Called once the hierarchy lock is dropped, so that the first thing a
 * woken fault does, taking that lock to map the page, does not wait for
 * the supplier.
 *
 * Context: Any; the caller holds a reference to @src.
 */
void zvmo_page_source_wake(struct zvmo_page_source *src)
{
	zvmo_source_wake_all(src);
}

/**
 * zvmo_page_source_cancel() - fail the requests of a range
 * @src: the source
 * @start: page-aligned start
 * @end: end
 * @error: what their waiters get, a negative errno
 *
 * For a pager's FAIL, and for a range the VMO no longer has.
 *
 * Context: Process context; no hierarchy lock held.
 */
void zvmo_page_source_cancel(struct zvmo_page_source *src, u64 start,
			     u64 end, int error)
{
	spin_lock(&src->lock);
	zvmo_requests_end(src, ZVMO_REQUESTS_ALL, start, end, error, NULL,
			  NULL);
	spin_unlock(&src->lock);
	zvmo_source_wake_all(src);
}

/*
 * Cut @src from its pager: fail every request (-EBUSY), and queue the
 * COMPLETE packet if @complete and the pager is open. Returns whether
 * the source was attached.
 */
static bool zvmo_page_source_cut(struct zvmo_page_source *src, bool complete)
{
	struct zvmo_pager *pager;
	bool listed = false;

	spin_lock(&src->lock);
	pager = src->pager;
	/* Requests are failed while the pager is there to unqueue them. */
	zvmo_requests_end(src, ZVMO_REQUESTS_ALL, 0, U64_MAX, -EBUSY, NULL,
			  NULL);
	src->pager = NULL;
	spin_unlock(&src->lock);
	zvmo_source_wake_all(src);
	if (!pager)
		return false;

	spin_lock(&pager->lock);
	if (!list_empty(&src->plink)) {
		list_del_init(&src->plink);
		listed = true;
	}
	if (complete && !pager->closed) {
		zvmo_page_source_get(src);
		list_add_tail(&src->complete.link, &pager->queue);
	}
	spin_unlock(&pager->lock);
	if (complete)
		wake_up_interruptible(&pager->wq);
	if (listed)
		zvmo_page_source_put(src);
	zvmo_pager_put(pager);
	return true;
}

/**
 * zvmo_page_source_end() - a pager-backed VMO is gone
 * @src: its source
 *
 * Its pager gets a COMPLETE packet (unless it was detached before, the
 * pager is closed, or the VMO never reached userspace); requests still
 * outstanding fail.
 *
 * Context: Process context.
 */
void zvmo_page_source_end(struct zvmo_page_source *src)
{
	zvmo_page_source_cut(src, READ_ONCE(src->announced));
}

/* The packet for @item, taken off the queue. */
static void zvmo_pager_packet(struct zvmo_pager_item *item,
			      struct zvmo_pager_packet *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->command = item->command;
	if (item->command == ZVMO_PAGER_COMPLETE) {
		pkt->key = container_of(item, struct zvmo_page_source,
					complete)->key;
	} else {
		struct zvmo_page_request *req =
			container_of(item, struct zvmo_page_request, item);

		pkt->key = req->src->key;
		pkt->offset = req->offset;
		pkt->length = req->length;
	}
}

/* Drop what the queue held of @item, taken off it. */
static void zvmo_pager_item_put(struct zvmo_pager_item *item)
{
	if (item->command == ZVMO_PAGER_COMPLETE)
		zvmo_page_source_put(container_of(item,
						  struct zvmo_page_source,
						  complete));
	else
		zvmo_request_put(container_of(item, struct zvmo_page_request,
					      item));
}

static bool zvmo_pager_has_packets(struct zvmo_pager *pager)
{
	return !list_empty_careful(&pager->queue);
}

static void zvmo_pager_release_queue(struct zvmo_pager *pager)
{
	struct zvmo_pager_item *item, *next;
	LIST_HEAD(gone);

	spin_lock(&pager->lock);
	list_splice_init(&pager->queue, &gone);
	spin_unlock(&pager->lock);
	list_for_each_entry_safe(item, next, &gone, link) {
		list_del_init(&item->link);
		zvmo_pager_item_put(item);
	}
}

static int zvmo_pager_release(struct inode *inode, struct file *file)
{
	struct zvmo_pager *pager = file->private_data;
	struct zvmo_page_source *src;

	/* No more packets; then every source loses its pager. */
	spin_lock(&pager->lock);
	pager->closed = true;
	spin_unlock(&pager->lock);
	zvmo_pager_release_queue(pager);
	for (;;) {
		spin_lock(&pager->lock);
		src = list_first_entry_or_null(&pager->sources,
					       struct zvmo_page_source, plink);
		if (src)
			zvmo_page_source_get(src);
		spin_unlock(&pager->lock);
		if (!src)
			break;
		zvmo_page_source_cut(src, false);
		zvmo_page_source_put(src);
	}
	zvmo_pager_put(pager);
	return 0;
}

/* Packets copied out per round trip of the lock. */
#define ZVMO_PAGER_READ_BATCH	16

static ssize_t zvmo_pager_read(struct file *file, char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct zvmo_pager_item *items[ZVMO_PAGER_READ_BATCH];
	struct zvmo_pager_packet pkts[ZVMO_PAGER_READ_BATCH];
	struct zvmo_pager *pager = file->private_data;
	size_t max = count / sizeof(pkts[0]), done = 0;
	unsigned int n, i;
	int err;

	if (!max)
		return -EINVAL;
	while (done < max) {
		n = 0;
		spin_lock(&pager->lock);
		while (n < ZVMO_PAGER_READ_BATCH && done + n < max &&
		       !list_empty(&pager->queue)) {
			items[n] = list_first_entry(&pager->queue,
						    struct zvmo_pager_item,
						    link);
			list_del_init(&items[n]->link);
			zvmo_pager_packet(items[n], &pkts[n]);
			n++;
		}
		spin_unlock(&pager->lock);
		if (!n) {
			if (done)
				break;
			if (file->f_flags & O_NONBLOCK)
				return -EAGAIN;
			WRITE_ONCE(pager->reader_cpu, raw_smp_processor_id());
			err = wait_event_interruptible(pager->wq,
						       zvmo_pager_has_packets(pager));
			if (err)
				return err;
			continue;
		}
		if (copy_to_user(buf + done * sizeof(pkts[0]), pkts,
				 n * sizeof(pkts[0]))) {
			/* Not delivered: back to the front, in order. */
			spin_lock(&pager->lock);
			for (i = n; i--;) {
				if (pager->closed)
					zvmo_pager_item_put(items[i]);
				else
					list_add(&items[i]->link,
						 &pager->queue);
			}
			spin_unlock(&pager->lock);
			return done ? done * sizeof(pkts[0]) : -EFAULT;
		}
		for (i = 0; i < n; i++)
			zvmo_pager_item_put(items[i]);
		done += n;
	}
	return done * sizeof(pkts[0]);
}

static __poll_t zvmo_pager_poll(struct file *file, poll_table *wait)
{
	struct zvmo_pager *pager = file->private_data;

	poll_wait(file, &pager->wq, wait);
	WRITE_ONCE(pager->reader_cpu, raw_smp_processor_id());
	return zvmo_pager_has_packets(pager) ? EPOLLIN | EPOLLRDNORM : 0;
}

/*
 * A new source of @pager, attached to it, with the caller's reference and
 * the pager's list's; its packets carry @key.
 */
static struct zvmo_page_source *zvmo_page_source_new(struct zvmo_pager *pager,
						     u64 key)
{
	struct zvmo_page_source *src;

	src = kzalloc(sizeof(*src), GFP_KERNEL_ACCOUNT);
	if (!src)
		return NULL;
	kref_init(&src->ref);
	spin_lock_init(&src->lock);
	INIT_LIST_HEAD(&src->plink);
	INIT_LIST_HEAD(&src->requests);
	INIT_LIST_HEAD(&src->complete.link);
	INIT_LIST_HEAD(&src->failures);
	init_waitqueue_head(&src->wq);
	src->complete.command = ZVMO_PAGER_COMPLETE;
	src->key = key;
	src->pager_koid = pager->koid;

	spin_lock(&pager->lock);
	kref_get(&pager->ref);
	src->pager = pager;
	zvmo_page_source_get(src);
	list_add_tail(&src->plink, &pager->sources);
	spin_unlock(&pager->lock);
	return src;
}

static long zvmo_pager_create_vmo(struct zvmo_pager *pager,
				  void __user *uarg)
{
	struct zvmo_pager_create_vmo args;
	struct zvmo_page_source *src;
	struct zvmo_vmo *vmo;
	u32 rights;
	int err, fd;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved || args.fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;
	if (args.options & ~(ZVMO_VMO_RESIZABLE | ZVMO_VMO_TRAP_DIRTY))
		return -EINVAL;

	src = zvmo_page_source_new(pager, args.key);
	if (!src)
		return -ENOMEM;
	/* The VMO takes our reference to @src, also when it fails. */
	err = zvmo_vmo_create_paged(args.size, args.options, src, &vmo);
	if (err)
		return err;
	rights = ZVMO_RIGHTS_ALL;
	if (!(args.options & ZVMO_VMO_RESIZABLE))
		rights &= ~ZVMO_RIGHT_RESIZE;
	fd = zvmo_handle_install(vmo, rights, args.fd_flags);
	/* Our reference keeps the VMO until this is set. */
	if (fd >= 0)
		WRITE_ONCE(src->announced, true);
	zvmo_vmo_put(vmo);
	return fd;
}

/*
 * The VMO behind @fd if this pager made it and the handle has @rights:
 * its handle, with its file in @filep to fput(). -EINVAL for another
 * pager's or an ordinary VMO, then -EACCES for a missing right.
 */
static struct zvmo_handle *zvmo_pager_vmo(struct zvmo_pager *pager, int fd,
					  u32 rights, struct file **filep)
{
	struct zvmo_handle *h = zvmo_handle_fget(fd, filep);
	struct zvmo_page_source *src;
	int err = 0;

	if (IS_ERR(h))
		return h;
	src = h->vmo->cow->source;
	if (h->vmo->source || !src || src->pager_koid != pager->koid)
		err = -EINVAL;
	else if ((h->rights & rights) != rights)
		err = -EACCES;
	if (err) {
		fput(*filep);
		return ERR_PTR(err);
	}
	return h;
}

/* Whether [@off, @off + @len) is page aligned and inside @vmo. */
static int zvmo_pager_range(struct zvmo_vmo *vmo, u64 off, u64 len)
{
	u64 end;

	if (!PAGE_ALIGNED(off) || !PAGE_ALIGNED(len))
		return -EINVAL;
	if (check_add_overflow(off, len, &end) || end > zvmo_vmo_size(vmo))
		return -ERANGE;
	return 0;
}

/*
 * The VMO behind @fd as the target of a supply or a FAIL: this pager's,
 * still attached (else -EBUSY), with [@off, @off + @len) page aligned and
 * inside it. Its file is in @filep to fput().
 */
static int zvmo_pager_usable(struct zvmo_handle *h, u64 off, u64 len)
{
	int err = zvmo_pager_range(h->vmo, off, len);

	if (!err && !READ_ONCE(h->vmo->cow->source->pager))
		err = -EBUSY;
	return err;
}

static struct zvmo_handle *zvmo_pager_target(struct zvmo_pager *pager,
					     int fd, u64 off, u64 len,
					     struct file **filep)
{
	struct zvmo_handle *h = zvmo_pager_vmo(pager, fd, 0, filep);
	int err;

	if (IS_ERR(h))
		return h;
	err = zvmo_pager_usable(h, off, len);
	if (err) {
		fput(*filep);
		return ERR_PTR(err);
	}
	return h;
}

static long zvmo_pager_supply(struct zvmo_pager *pager, void __user *uarg)
{
	struct zvmo_pager_supply args;
	struct zvmo_handle *h, *aux;
	struct file *file, *aux_file;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved)
		return -EINVAL;
	h = zvmo_pager_target(pager, args.vmo_fd, args.offset, args.length,
			      &file);
	if (IS_ERR(h))
		return PTR_ERR(h);
	aux = zvmo_handle_fget(args.aux_fd, &aux_file);
	if (IS_ERR(aux)) {
		err = PTR_ERR(aux);
		goto out;
	}
	err = -EACCES;
	if ((aux->rights & (ZVMO_RIGHT_READ | ZVMO_RIGHT_WRITE)) !=
	    (ZVMO_RIGHT_READ | ZVMO_RIGHT_WRITE))
		goto out_aux;
	err = zvmo_pager_range(aux->vmo, args.aux_offset, args.length);
	if (err)
		goto out_aux;
	/* Only an owner gives its pages away, never a slice or reference. */
	err = -EBUSY;
	if (aux->vmo->source || aux->vmo->num_children)
		goto out_aux;
	err = zvmo_cow_supply(h->vmo->cow, args.offset,
			      args.offset + args.length, aux->vmo->cow,
			      args.aux_offset);
	if (!err)
		atomic_long_add(args.length >> PAGE_SHIFT,
				&zvmo_counters.supplied);
out_aux:
	fput(aux_file);
out:
	fput(file);
	return err;
}

static long zvmo_pager_supply_copy(struct zvmo_pager *pager,
				   void __user *uarg)
{
	struct zvmo_pager_supply_copy args;
	struct zvmo_handle *h;
	struct file *file;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	h = zvmo_pager_target(pager, args.vmo_fd, args.offset, args.length,
			      &file);
	if (IS_ERR(h))
		return PTR_ERR(h);
	err = zvmo_cow_supply_copy(h->vmo->cow, args.offset,
				   args.offset + args.length,
				   u64_to_user_ptr(args.buffer));
	if (!err)
		atomic_long_add(args.length >> PAGE_SHIFT,
				&zvmo_counters.supplied);
	fput(file);
	return err;
}

/* Whether @data is an errno a pager may fail a range with. */
static bool zvmo_pager_fail_errno(u64 data)
{
	switch (data) {
	case EIO:
	case EBADMSG:
	case EBUSY:
	case ENOSPC:
	case ENOBUFS:
		return true;
	default:
		return false;
	}
}

static long zvmo_pager_op_range(struct zvmo_pager *pager, void __user *uarg)
{
	struct zvmo_pager_op args;
	struct zvmo_cow_pages *leaf;
	struct zvmo_handle *h;
	struct file *file;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved)
		return -EINVAL;
	/* Zircon's order: the handles, the rights, the op, its data, the range. */
	h = zvmo_pager_vmo(pager, args.vmo_fd, ZVMO_RIGHT_WRITE, &file);
	if (IS_ERR(h))
		return PTR_ERR(h);
	leaf = h->vmo->cow;
	switch (args.op) {
	case ZVMO_PAGER_OP_FAIL:
		err = zvmo_pager_fail_errno(args.data) ? 0 : -EINVAL;
		break;
	case ZVMO_PAGER_OP_WRITEBACK_BEGIN:
		err = args.data & ~ZVMO_DIRTY_RANGE_IS_ZERO ? -EINVAL : 0;
		break;
	case ZVMO_PAGER_OP_DIRTY:
	case ZVMO_PAGER_OP_WRITEBACK_END:
		break;
	default:
		err = -EOPNOTSUPP;
	}
	if (err)
		goto out;
	/* Writeback goes on after a detach: the dirty content is still there. */
	if (args.op == ZVMO_PAGER_OP_FAIL || args.op == ZVMO_PAGER_OP_DIRTY)
		err = zvmo_pager_usable(h, args.offset, args.length);
	else
		err = zvmo_pager_range(h->vmo, args.offset, args.length);
	if (err)
		goto out;
	if (args.op == ZVMO_PAGER_OP_FAIL)
		zvmo_page_source_cancel(leaf->source, args.offset,
					args.offset + args.length,
					-(int)args.data);
	else
		err = zvmo_cow_pager_op(leaf, args.op, args.offset,
					args.offset + args.length,
					args.data & ZVMO_DIRTY_RANGE_IS_ZERO);
out:
	fput(file);
	return err;
}

/* Most runs one query hands back. */
#define ZVMO_PAGER_QUERY_MAX	512

static long zvmo_pager_query_dirty(struct zvmo_pager *pager,
				   void __user *uarg)
{
	struct zvmo_pager_query_dirty args;
	struct zvmo_cow_dirty_range *runs;
	struct zvmo_dirty_range __user *out;
	u64 start, end, max, avail = 0, i;
	struct zvmo_handle *h;
	struct file *file;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved)
		return -EINVAL;
	h = zvmo_pager_vmo(pager, args.vmo_fd, ZVMO_RIGHT_READ, &file);
	if (IS_ERR(h))
		return PTR_ERR(h);
	/* Rounded out to pages, as Zircon does. */
	err = -ERANGE;
	if (check_add_overflow(args.offset, args.length, &end) ||
	    end > zvmo_vmo_size(h->vmo))
		goto out;
	start = args.offset & PAGE_MASK;
	end = PAGE_ALIGN(end);
	max = min_t(u64, args.count, ZVMO_PAGER_QUERY_MAX);
	runs = kvcalloc(max ?: 1, sizeof(*runs), GFP_KERNEL);
	err = -ENOMEM;
	if (!runs)
		goto out;
	err = zvmo_cow_query_dirty(h->vmo->cow, start, end, runs, max, &avail);
	out = u64_to_user_ptr(args.ranges);
	for (i = 0; !err && i < min(max, avail); i++) {
		struct zvmo_dirty_range r = {
			.offset = runs[i].offset,
			.length = runs[i].length,
			.options = runs[i].zero ? ZVMO_DIRTY_RANGE_IS_ZERO : 0,
		};

		if (copy_to_user(&out[i], &r, sizeof(r)))
			err = -EFAULT;
	}
	kvfree(runs);
	if (err)
		goto out;
	args.actual = min(max, avail);
	args.avail = avail;
	err = zvmo_copy_out(uarg, &args, sizeof(args));
out:
	fput(file);
	return err;
}

static long zvmo_pager_query_stats(struct zvmo_pager *pager,
				   void __user *uarg)
{
	struct zvmo_pager_vmo_stats args;
	struct zvmo_handle *h;
	struct file *file;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	h = zvmo_pager_vmo(pager, args.vmo_fd, ZVMO_RIGHT_READ, &file);
	if (IS_ERR(h))
		return PTR_ERR(h);
	if (args.options & ~ZVMO_PAGER_RESET_VMO_STATS) {
		err = -EINVAL;
	} else {
		args.modified = zvmo_cow_pager_stats(h->vmo->cow,
						     args.options) ?
				ZVMO_PAGER_VMO_STATS_MODIFIED : 0;
		err = zvmo_copy_out(uarg, &args, sizeof(args));
	}
	fput(file);
	return err;
}

static long zvmo_pager_detach(struct zvmo_pager *pager, void __user *uarg)
{
	struct zvmo_pager_detach args;
	struct zvmo_handle *h;
	struct file *file;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	h = zvmo_pager_vmo(pager, args.vmo_fd, 0, &file);
	if (IS_ERR(h))
		return PTR_ERR(h);
	/* As Zircon, detaching twice is fine: the second does nothing. */
	if (zvmo_page_source_cut(h->vmo->cow->source, true))
		zvmo_cow_pager_detached(h->vmo->cow);
	fput(file);
	return 0;
}

static long zvmo_pager_info(struct zvmo_pager *pager, void __user *uarg)
{
	struct zvmo_pager_info info;
	struct zvmo_pager_item *item;
	struct list_head *pos;
	u32 argsz;
	int err;

	err = zvmo_copy_out_args(uarg, &argsz);
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	info.argsz = argsz;
	info.koid = pager->koid;
	spin_lock(&pager->lock);
	list_for_each(pos, &pager->sources)
		info.vmos++;
	list_for_each_entry(item, &pager->queue, link)
		info.packets++;
	spin_unlock(&pager->lock);
	return zvmo_copy_out(uarg, &info, sizeof(info));
}

static long zvmo_pager_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct zvmo_pager *pager = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (ZVMO_IOC(cmd)) {
	case ZVMO_IOC(ZVMO_IOC_PAGER_CREATE_VMO):
		return zvmo_pager_create_vmo(pager, uarg);
	case ZVMO_IOC(ZVMO_IOC_PAGER_SUPPLY):
		return zvmo_pager_supply(pager, uarg);
	case ZVMO_IOC(ZVMO_IOC_PAGER_OP_RANGE):
		return zvmo_pager_op_range(pager, uarg);
	case ZVMO_IOC(ZVMO_IOC_PAGER_DETACH):
		return zvmo_pager_detach(pager, uarg);
	case ZVMO_IOC(ZVMO_IOC_PAGER_INFO):
		return zvmo_pager_info(pager, uarg);
	case ZVMO_IOC(ZVMO_IOC_PAGER_SUPPLY_COPY):
		return zvmo_pager_supply_copy(pager, uarg);
	case ZVMO_IOC(ZVMO_IOC_PAGER_QUERY_DIRTY):
		return zvmo_pager_query_dirty(pager, uarg);
	case ZVMO_IOC(ZVMO_IOC_PAGER_QUERY_STATS):
		return zvmo_pager_query_stats(pager, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations zvmo_pager_fops = {
	.owner = THIS_MODULE,
	.release = zvmo_pager_release,
	.read = zvmo_pager_read,
	.poll = zvmo_pager_poll,
	.unlocked_ioctl = zvmo_pager_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* A new pager, with one reference, among all pagers. */
static struct zvmo_pager *zvmo_pager_new(void)
{
	struct zvmo_pager *pager;
	int err;

	pager = kzalloc(sizeof(*pager), GFP_KERNEL_ACCOUNT);
	if (!pager)
		return ERR_PTR(-ENOMEM);
	kref_init(&pager->ref);
	spin_lock_init(&pager->lock);
	INIT_LIST_HEAD(&pager->queue);
	INIT_LIST_HEAD(&pager->sources);
	init_waitqueue_head(&pager->wq);
	pager->reader_cpu = -1;
	pager->koid = zvmo_new_koid();
	pager->owner = current_euid();
	err = xa_err(xa_store(&zvmo_pagers, pager->koid, pager,
			      GFP_KERNEL_ACCOUNT));
	if (err) {
		kfree(pager);
		return ERR_PTR(err);
	}
	atomic_long_inc(&zvmo_counters.pagers);
	return pager;
}

/**
 * zvmo_pager_create() - ZVMO_IOC_PAGER_CREATE
 * @uarg: struct zvmo_pager_create
 *
 * Context: Process context; may sleep.
 * Return: the pager's descriptor, or a negative errno.
 */
long zvmo_pager_create(void __user *uarg)
{
	struct zvmo_pager_create args;
	struct zvmo_pager *pager;
	struct inode *inode;
	int err, fd;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.options || args.reserved || args.fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;

	inode = zvmo_fs_new_inode();
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	pager = zvmo_pager_new();
	if (IS_ERR(pager)) {
		iput(inode);
		return PTR_ERR(pager);
	}
	fd = zvmo_fs_install(inode, "zvmo-pager", &zvmo_pager_fops, pager,
			     args.fd_flags);
	iput(inode);
	if (fd < 0)
		zvmo_pager_put(pager);
	return fd;
}

/**
 * zvmo_pager_report_next() - describe the next pager, for introspection
 * @index: the koid to look from; set past the pager found
 * @owner_only: only a pager made by this effective uid, or any if
 *	INVALID_UID
 * @r: filled in
 *
 * Context: Process context.
 * Return: true if a pager was found.
 */
bool zvmo_pager_report_next(unsigned long *index, kuid_t owner_only,
			    struct zvmo_pager_report *r)
{
	struct zvmo_page_source *src;
	struct zvmo_pager_item *item;
	struct zvmo_pager *pager;

	rcu_read_lock();
	for (pager = xa_find(&zvmo_pagers, index, ULONG_MAX, XA_PRESENT);
	     pager;
	     pager = xa_find_after(&zvmo_pagers, index, ULONG_MAX, XA_PRESENT))
		if ((!uid_valid(owner_only) ||
		     uid_eq(owner_only, pager->owner)) &&
		    kref_get_unless_zero(&pager->ref))
			break;
	rcu_read_unlock();
	if (!pager)
		return false;
	*index = pager->koid + 1;
	memset(r, 0, sizeof(*r));
	r->koid = pager->koid;
	r->owner = pager->owner;
	spin_lock(&pager->lock);
	r->closed = pager->closed;
	list_for_each_entry(item, &pager->queue, link)
		r->queued++;
	/* A source's lock comes before the pager's: its count, unlocked. */
	list_for_each_entry(src, &pager->sources, plink) {
		r->vmos++;
		r->requests += READ_ONCE(src->nr_requests);
	}
	spin_unlock(&pager->lock);
	zvmo_pager_put(pager);
	return true;
}

/**
 * zvmo_page_source_pager_koid() - the pager a source was made by
 * @src: the source
 *
 * Context: Any.
 * Return: its koid, attached or not.
 */
u64 zvmo_page_source_pager_koid(struct zvmo_page_source *src)
{
	return src->pager_koid;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "pager_kunit.c"
#endif
