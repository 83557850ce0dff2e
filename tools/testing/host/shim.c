// SPDX-License-Identifier: GPL-2.0
/*
 * Host shim: userspace stand-ins for the kernel services zvmo's page list
 * uses. Written for these tests; none of it is kernel code.
 *
 * - A red-black tree behind the kernel's rbtree API.
 * - Slab caches and kmalloc() over the C library's allocator, counted, and
 *   with fault injection.
 * - Fake struct pages, WARN/BUG that abort, pr_*() to stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/printk.h>
#include <linux/rbtree.h>
#include <linux/slab.h>

#include "shim.h"

/* --- WARN, BUG, printk --------------------------------------------------- */

void shim_bug(const char *kind, const char *file, int line,
	      const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "# %s at %s:%d: ", kind, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static unsigned long printk_count;
static bool printk_quiet;

int shim_printk(const char *level, const char *fmt, ...)
{
	va_list ap;
	int n;

	printk_count++;
	if (printk_quiet)
		return 0;
	fflush(stdout);
	fprintf(stderr, "# pr_%s: ", level);
	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

unsigned long shim_printk_count(void)
{
	return printk_count;
}

void shim_printk_quiet(bool quiet)
{
	printk_quiet = quiet;
}

/* --- red-black tree ------------------------------------------------------ */

/*
 * The classic scheme: a new node is red, and insertion repairs red-red
 * pairs by recolouring upwards and at most two rotations; erase splices
 * out a node with at most one child (the successor, when the erased node
 * has two) and, if that removed a black node, pushes the missing black up
 * or fixes it with at most three rotations. Absent children are black.
 */

static inline bool rb_is_red(const struct rb_node *node)
{
	return node && node->rb_red;
}

/* Make @new take the place of @old under @parent (or at the root). */
static void rb_replace_child(struct rb_root *root, struct rb_node *parent,
			     struct rb_node *old, struct rb_node *new)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
}

/* @x's right child takes its place; @x becomes its left child. */
static void rb_rotate_left(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->rb_right;

	x->rb_right = y->rb_left;
	if (y->rb_left)
		y->rb_left->rb_parent = x;
	y->rb_parent = x->rb_parent;
	rb_replace_child(root, x->rb_parent, x, y);
	y->rb_left = x;
	x->rb_parent = y;
}

/* @x's left child takes its place; @x becomes its right child. */
static void rb_rotate_right(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->rb_left;

	x->rb_left = y->rb_right;
	if (y->rb_right)
		y->rb_right->rb_parent = x;
	y->rb_parent = x->rb_parent;
	rb_replace_child(root, x->rb_parent, x, y);
	y->rb_right = x;
	x->rb_parent = y;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *parent, *gparent, *uncle;

	node->rb_red = true;
	while ((parent = node->rb_parent) && parent->rb_red) {
		/* A red node is never the root: @gparent exists. */
		gparent = parent->rb_parent;
		if (parent == gparent->rb_left) {
			uncle = gparent->rb_right;
			if (rb_is_red(uncle)) {
				parent->rb_red = false;
				uncle->rb_red = false;
				gparent->rb_red = true;
				node = gparent;
				continue;
			}
			if (node == parent->rb_right) {
				rb_rotate_left(root, parent);
				node = parent;
				parent = node->rb_parent;
			}
			parent->rb_red = false;
			gparent->rb_red = true;
			rb_rotate_right(root, gparent);
		} else {
			uncle = gparent->rb_left;
			if (rb_is_red(uncle)) {
				parent->rb_red = false;
				uncle->rb_red = false;
				gparent->rb_red = true;
				node = gparent;
				continue;
			}
			if (node == parent->rb_left) {
				rb_rotate_right(root, parent);
				node = parent;
				parent = node->rb_parent;
			}
			parent->rb_red = false;
			gparent->rb_red = true;
			rb_rotate_left(root, gparent);
		}
		break;
	}
	root->rb_node->rb_red = false;
}

/*
 * The subtree at @x (maybe NULL), child of @parent, has one black node
 * fewer on each path than its sibling's: fix that.
 */
static void rb_erase_fixup(struct rb_root *root, struct rb_node *x,
			   struct rb_node *parent)
{
	struct rb_node *w;

	while (x != root->rb_node && !rb_is_red(x)) {
		/*
		 * If @x is NULL and so is @parent->rb_left, @x is that left
		 * child: the sibling of a black-deficient subtree is never
		 * NULL.
		 */
		if (x == parent->rb_left) {
			w = parent->rb_right;
			if (w->rb_red) {
				w->rb_red = false;
				parent->rb_red = true;
				rb_rotate_left(root, parent);
				w = parent->rb_right;
			}
			if (!rb_is_red(w->rb_left) && !rb_is_red(w->rb_right)) {
				w->rb_red = true;
				x = parent;
				parent = x->rb_parent;
				continue;
			}
			if (!rb_is_red(w->rb_right)) {
				w->rb_left->rb_red = false;
				w->rb_red = true;
				rb_rotate_right(root, w);
				w = parent->rb_right;
			}
			w->rb_red = parent->rb_red;
			parent->rb_red = false;
			w->rb_right->rb_red = false;
			rb_rotate_left(root, parent);
		} else {
			w = parent->rb_left;
			if (w->rb_red) {
				w->rb_red = false;
				parent->rb_red = true;
				rb_rotate_right(root, parent);
				w = parent->rb_left;
			}
			if (!rb_is_red(w->rb_left) && !rb_is_red(w->rb_right)) {
				w->rb_red = true;
				x = parent;
				parent = x->rb_parent;
				continue;
			}
			if (!rb_is_red(w->rb_left)) {
				w->rb_right->rb_red = false;
				w->rb_red = true;
				rb_rotate_left(root, w);
				w = parent->rb_left;
			}
			w->rb_red = parent->rb_red;
			parent->rb_red = false;
			w->rb_left->rb_red = false;
			rb_rotate_right(root, parent);
		}
		x = root->rb_node;
	}
	if (x)
		x->rb_red = false;
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *child, *parent, *succ;
	bool removed_red;

	if (!node->rb_left || !node->rb_right) {
		child = node->rb_left ? node->rb_left : node->rb_right;
		parent = node->rb_parent;
		removed_red = node->rb_red;
		if (child)
			child->rb_parent = parent;
		rb_replace_child(root, parent, node, child);
	} else {
		/* Splice out the successor and put it where @node was. */
		succ = node->rb_right;
		while (succ->rb_left)
			succ = succ->rb_left;
		child = succ->rb_right;
		removed_red = succ->rb_red;
		if (succ->rb_parent == node) {
			parent = succ;
		} else {
			parent = succ->rb_parent;
			parent->rb_left = child;
			if (child)
				child->rb_parent = parent;
			succ->rb_right = node->rb_right;
			node->rb_right->rb_parent = succ;
		}
		succ->rb_left = node->rb_left;
		node->rb_left->rb_parent = succ;
		succ->rb_parent = node->rb_parent;
		rb_replace_child(root, node->rb_parent, node, succ);
		succ->rb_red = node->rb_red;
	}
	if (!removed_red)
		rb_erase_fixup(root, child, parent);
	node->rb_parent = NULL;
	node->rb_left = NULL;
	node->rb_right = NULL;
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *node = root->rb_node;

	if (!node)
		return NULL;
	while (node->rb_left)
		node = node->rb_left;
	return node;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *node = root->rb_node;

	if (!node)
		return NULL;
	while (node->rb_right)
		node = node->rb_right;
	return node;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *n, *p;

	if (node->rb_right) {
		n = node->rb_right;
		while (n->rb_left)
			n = n->rb_left;
		return n;
	}
	n = (struct rb_node *)node;
	while ((p = n->rb_parent) && n == p->rb_right)
		n = p;
	return p;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *n, *p;

	if (node->rb_left) {
		n = node->rb_left;
		while (n->rb_right)
			n = n->rb_right;
		return n;
	}
	n = (struct rb_node *)node;
	while ((p = n->rb_parent) && n == p->rb_left)
		n = p;
	return p;
}

/* The black height of @node's subtree (NULL leaves count 1), or -1. */
static int rb_check_sub(const struct rb_node *node,
			const struct rb_node *parent, unsigned long *count,
			unsigned int depth, unsigned int *height)
{
	int lh, rh;

	if (!node) {
		if (depth > *height)
			*height = depth;
		return 1;
	}
	if (node->rb_parent != parent) {
		fprintf(stderr, "# rbtree: node %p: parent %p, expected %p\n",
			(void *)node, (void *)node->rb_parent, (void *)parent);
		return -1;
	}
	if (node->rb_red &&
	    (rb_is_red(node->rb_left) || rb_is_red(node->rb_right))) {
		fprintf(stderr, "# rbtree: red node %p has a red child\n",
			(void *)node);
		return -1;
	}
	(*count)++;
	lh = rb_check_sub(node->rb_left, node, count, depth + 1, height);
	if (lh < 0)
		return -1;
	rh = rb_check_sub(node->rb_right, node, count, depth + 1, height);
	if (rh < 0)
		return -1;
	if (lh != rh) {
		fprintf(stderr, "# rbtree: node %p: black heights %d, %d\n",
			(void *)node, lh, rh);
		return -1;
	}
	return lh + !node->rb_red;
}

int shim_rb_check(const struct rb_root *root, unsigned long *count,
		  unsigned int *height)
{
	*count = 0;
	*height = 0;
	if (rb_is_red(root->rb_node)) {
		fprintf(stderr, "# rbtree: red root\n");
		return -1;
	}
	return rb_check_sub(root->rb_node, NULL, count, 0, height) < 0 ? -1 : 0;
}

/* --- allocation and fault injection -------------------------------------- */

struct kmem_cache {
	char name[64];
	unsigned int size;
	unsigned int align;
	long live;
};

static unsigned long alloc_calls, faults_injected, fail_countdown;
static uint32_t fail_ppm;
static uint64_t fail_rng;
static long live_allocs, live_pages;
static unsigned long page_serial;

void shim_fail_nth(unsigned long n)
{
	fail_countdown = n;
}

void shim_fail_prob(uint32_t ppm, uint64_t seed)
{
	fail_ppm = ppm;
	fail_rng = seed;
}

void shim_fault_off(void)
{
	fail_countdown = 0;
	fail_ppm = 0;
}

unsigned long shim_alloc_calls(void)
{
	return alloc_calls;
}

unsigned long shim_faults_injected(void)
{
	return faults_injected;
}

long shim_live_allocs(void)
{
	return live_allocs;
}

/* splitmix64: small and good enough to decide which allocations fail. */
static uint64_t shim_prng(void)
{
	uint64_t z = (fail_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool shim_should_fail(gfp_t gfp)
{
	bool fail = false;

	alloc_calls++;
	if (fail_countdown && !--fail_countdown)
		fail = true;
	if (fail_ppm && shim_prng() % 1000000 < fail_ppm)
		fail = true;
	if (!fail || (gfp & __GFP_NOFAIL))
		return false;
	faults_injected++;
	return true;
}

/* Fresh memory not asked to be zeroed holds this, as slub debugging does. */
#define SHIM_POISON	0x6b

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *cache;

	(void)flags;
	if (ctor)
		shim_bug("BUG", __FILE__, __LINE__, "ctor not supported");
	cache = calloc(1, sizeof(*cache));
	if (!cache)
		return NULL;
	snprintf(cache->name, sizeof(cache->name), "%s", name);
	if (align < sizeof(void *))
		align = sizeof(void *);
	if (align & (align - 1))
		shim_bug("BUG", __FILE__, __LINE__, "bad align %u", align);
	cache->align = align;
	cache->size = (size + align - 1) & ~(align - 1);
	return cache;
}

void kmem_cache_destroy(struct kmem_cache *cache)
{
	if (!cache)
		return;
	if (cache->live)
		fprintf(stderr, "# kmem_cache_destroy(%s): %ld objects left\n",
			cache->name, cache->live);
	free(cache);
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	void *obj;

	if (!cache)
		shim_bug("BUG", __FILE__, __LINE__, "allocation from no cache");
	if (shim_should_fail(gfp))
		return NULL;
	obj = aligned_alloc(cache->align, cache->size);
	if (!obj)
		shim_bug("BUG", __FILE__, __LINE__, "out of memory");
	memset(obj, (gfp & __GFP_ZERO) ? 0 : SHIM_POISON, cache->size);
	cache->live++;
	live_allocs++;
	return obj;
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	if (!obj)
		return;
	if (cache->live <= 0)
		shim_bug("BUG", __FILE__, __LINE__,
			 "free to %s, which has nothing out", cache->name);
	cache->live--;
	live_allocs--;
	free(obj);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	void *obj;

	if (shim_should_fail(gfp))
		return NULL;
	obj = malloc(size ? size : 1);
	if (!obj)
		shim_bug("BUG", __FILE__, __LINE__, "out of memory");
	memset(obj, (gfp & __GFP_ZERO) ? 0 : SHIM_POISON, size);
	live_allocs++;
	return obj;
}

void kfree(const void *obj)
{
	if (!obj)
		return;
	live_allocs--;
	free((void *)obj);
}

/* --- fake pages ---------------------------------------------------------- */

struct page *shim_page_alloc(void)
{
	struct page *page;

	page = aligned_alloc(64, sizeof(*page));
	if (!page)
		shim_bug("BUG", __FILE__, __LINE__, "out of memory");
	memset(page, 0, sizeof(*page));
	page->index = ++page_serial;
	live_pages++;
	return page;
}

void shim_page_free(struct page *page)
{
	if (!page)
		return;
	live_pages--;
	free(page);
}

long shim_live_pages(void)
{
	return live_pages;
}
