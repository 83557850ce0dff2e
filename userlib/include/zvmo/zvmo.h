/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libzvmo, native layer: VMOs as file descriptors.
 *
 * Every call returns a new descriptor, 0, or a negative errno (the
 * convention of liburing and libbpf); none of them reads or sets errno as
 * its result. Descriptors are ordinary: close() them, dup() them, pass them
 * over Unix sockets. The rights a descriptor carries (ZVMO_RIGHT_*) are
 * checked by the kernel, which answers -EACCES when one is missing.
 *
 * Errors common to every call on a VMO descriptor: -EBADF for a descriptor
 * that is not open, -ENOTTY for one that is not a VMO, -EFAULT for a bad
 * pointer. The same holds for the calls on a BTI, a PMT or a pager
 * descriptor.
 */
#ifndef _ZVMO_ZVMO_H
#define _ZVMO_ZVMO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zvmo/uapi/zvmo.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * zvmo_open() - the /dev/zvmo descriptor of this process
 *
 * Opened (close-on-exec) on first use and shared by every caller and thread
 * afterwards; a failed open is tried again by the next call. Do not close
 * it. Returns the descriptor or a negative errno (-ENOENT when the module
 * is not loaded).
 */
int zvmo_open(void);

/*
 * zvmo_vmo_create() - make a VMO
 * @size: size in bytes, rounded up to whole pages (-ERANGE past
 *	ZVMO_VMO_MAX_SIZE)
 * @options: ZVMO_VMO_* options (-EINVAL for unknown ones, -EOPNOTSUPP for
 *	ones the module does not support yet)
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * Returns a descriptor with every right (ZVMO_RIGHT_RESIZE only if the VMO
 * is resizable), or a negative errno.
 */
int zvmo_vmo_create(uint64_t size, uint32_t options, uint32_t fd_flags);

/*
 * zvmo_vmo_read() - read [@offset, @offset + @len) into @buf
 * zvmo_vmo_write() - write @buf to [@offset, @offset + @len)
 *
 * All or nothing as far as the range goes: a range that does not lie wholly
 * inside the VMO is -ERANGE (a zero-length range may end exactly at the
 * end). Transfers of any length are split into pread()/pwrite() calls of at
 * most 1 GiB. A zero-length or multi-call transfer first checks the right
 * (ZVMO_RIGHT_READ or ZVMO_RIGHT_WRITE) and the range, so a long transfer
 * that cannot complete moves no byte (unless the VMO shrinks meanwhile).
 * Returns 0 or a negative errno.
 */
int zvmo_vmo_read(int vmo, void *buf, uint64_t offset, size_t len);
int zvmo_vmo_write(int vmo, const void *buf, uint64_t offset, size_t len);

/* zvmo_vmo_get_size() - the VMO's size in bytes (needs no right) */
int zvmo_vmo_get_size(int vmo, uint64_t *size);

/*
 * zvmo_vmo_set_size() - resize a VMO created with ZVMO_VMO_RESIZABLE
 *
 * Needs ZVMO_RIGHT_WRITE and ZVMO_RIGHT_RESIZE. -EPERM for a VMO that is
 * not resizable, -ERANGE for a size past ZVMO_VMO_MAX_SIZE.
 */
int zvmo_vmo_set_size(int vmo, uint64_t size);

/*
 * zvmo_vmo_op_range() - apply ZVMO_OP_@op to [@offset, @offset + @len)
 * @buf, @buf_size: the operation's buffer (ZVMO_OP_LOCK: a struct
 *	zvmo_vmo_lock_state), else NULL and 0
 *
 * -EINVAL for an unknown op, -EOPNOTSUPP for one the module does not
 * support (the cache operations; LOCK, TRY_LOCK and UNLOCK of a VMO that
 * is not discardable), -ERANGE for a range past the end (for the locks,
 * one that is not the whole VMO).
 */
int zvmo_vmo_op_range(int vmo, uint32_t op, uint64_t offset, uint64_t len,
		      void *buf, size_t buf_size);

/*
 * zvmo_vmo_info() - fill @info (argsz and reserved are set here)
 *
 * Needs no right; @info->rights are the rights of this descriptor.
 */
int zvmo_vmo_info(int vmo, struct zvmo_vmo_info *info);

/*
 * zvmo_vmo_dup() - a new descriptor for the same VMO
 * @rights: a subset of this descriptor's rights (else -EINVAL), or
 *	ZVMO_RIGHT_SAME_RIGHTS
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * Needs ZVMO_RIGHT_DUPLICATE. Returns the new descriptor.
 */
int zvmo_vmo_dup(int vmo, uint32_t rights, uint32_t fd_flags);

/*
 * zvmo_vmo_create_child() - a snapshot, slice or reference of @vmo
 * @options: ZVMO_CHILD_* options
 * @offset, @size: the child's range in @vmo (both 0 for a reference)
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * See struct zvmo_vmo_create_child for the rules and errors. Needs
 * ZVMO_RIGHT_DUPLICATE and ZVMO_RIGHT_READ. Returns the child's descriptor.
 */
int zvmo_vmo_create_child(int vmo, uint32_t options, uint64_t offset,
			  uint64_t size, uint32_t fd_flags);

/*
 * zvmo_vmo_set_name() - name the VMO
 *
 * The name is @name cut at its first NUL, at @len bytes, or at
 * ZVMO_NAME_LEN - 1 bytes, whichever comes first. Needs
 * ZVMO_RIGHT_SET_PROPERTY.
 */
int zvmo_vmo_set_name(int vmo, const char *name, size_t len);

/* zvmo_vmo_get_name() - the VMO's name, NUL-terminated and NUL-padded */
int zvmo_vmo_get_name(int vmo, char name[ZVMO_NAME_LEN]);

/*
 * zvmo_vmo_set_content_size() - set the content size property
 *
 * At most the VMO's size (else -ERANGE). Needs ZVMO_RIGHT_SET_PROPERTY.
 */
int zvmo_vmo_set_content_size(int vmo, uint64_t content_size);
int zvmo_vmo_get_content_size(int vmo, uint64_t *content_size);

/*
 * zvmo_vmo_pin() - pin [@offset, @offset + @size) of @vmo
 * @bti: the BTI descriptor to pin through, or -1 for a pin that only keeps
 *	the pages resident (charged to RLIMIT_MEMLOCK)
 * @options: ZVMO_PIN_* options, at least one permission
 * @addrs, @num_addrs: where the physical addresses go (NULL and 0 for
 *	none): @size / page size of them, or 1 with ZVMO_PIN_CONTIGUOUS;
 *	only a pin through a BTI can ask for them (else -EACCES)
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * See struct zvmo_vmo_pin for the rules and errors. Needs ZVMO_RIGHT_MAP,
 * and ZVMO_RIGHT_READ or ZVMO_RIGHT_WRITE for the permissions asked.
 * Returns the pin's (PMT's) descriptor; the pages stay pinned until
 * zvmo_pmt_unpin() or until its last descriptor is closed.
 */
int zvmo_vmo_pin(int vmo, int bti, uint32_t options, uint64_t offset,
		 uint64_t size, uint64_t *addrs, size_t num_addrs,
		 uint32_t fd_flags);

/*
 * zvmo_vmo_set_cache_policy() - set the memory type of the VMO's mappings
 * @policy: ZVMO_CACHE_* (else -EINVAL)
 *
 * Needs ZVMO_RIGHT_MAP. -EBUSY once the VMO has committed pages (unless
 * it is contiguous), mappings, pins, a parent or children.
 */
int zvmo_vmo_set_cache_policy(int vmo, uint32_t policy);

/*
 * zvmo_bti_create() - a bus transaction initiator: the right to learn
 *	physical addresses
 * @options: must be 0 (else -EINVAL)
 * @bti_id: the caller's name for it, reported by zvmo_bti_info()
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * Needs CAP_SYS_RAWIO (else -EACCES). Returns the BTI's descriptor.
 */
int zvmo_bti_create(uint32_t options, uint64_t bti_id, uint32_t fd_flags);

/*
 * zvmo_bti_info() - fill @info (argsz and reserved are set here)
 *
 * -ENOTTY for a descriptor that is not a BTI.
 */
int zvmo_bti_info(int bti, struct zvmo_bti_info *info);

/*
 * zvmo_vmo_create_contiguous() - a VMO of physically contiguous pages
 * @bti: a BTI descriptor (else -EBADF or -ENOTTY)
 * @size: size in bytes, rounded up to whole pages; not 0
 * @alignment_log2: log2 of the physical alignment of its first page: 0
 *	for a page, else from the page shift to
 *	ZVMO_CONTIGUOUS_MAX_ALIGN_LOG2 (else -EINVAL)
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * The pages are committed now and held until the VMO goes; -ENOMEM when
 * the page allocator has no such block. Returns a descriptor with every
 * right but ZVMO_RIGHT_RESIZE.
 */
int zvmo_vmo_create_contiguous(int bti, uint64_t size,
			       uint32_t alignment_log2, uint32_t fd_flags);

/*
 * zvmo_pmt_info() - fill @info (argsz and reserved are set here)
 *
 * -ENOTTY for a descriptor that is not a PMT.
 */
int zvmo_pmt_info(int pmt, struct zvmo_pmt_info *info);

/*
 * zvmo_pmt_unpin() - release the pin now
 *
 * The descriptor stays open (close it); every descriptor of the PMT sees
 * it unpinned. -ENOTTY for a descriptor that is not a PMT.
 */
int zvmo_pmt_unpin(int pmt);

/*
 * Pagers. A pager is a descriptor whose VMOs get their content from the
 * program holding it: an access to a page it has not supplied queues a
 * READ packet on the pager and waits until the pager supplies the pages,
 * fails them, or goes. See the "Pagers" comment in <zvmo/uapi/zvmo.h>.
 * Calls on a descriptor that is not a pager answer -ENOTTY (an epoll
 * descriptor answers -EINVAL since Linux 6.9); a @vmo that is not one of
 * @pager's VMOs is -EINVAL.
 */

/*
 * zvmo_pager_create() - make a pager
 * @options: must be 0 (else -EINVAL)
 * @fd_flags: ZVMO_FD_* flags of the new descriptor (set O_NONBLOCK with
 *	fcntl() for zvmo_pager_read_packets() to return -EAGAIN)
 *
 * Returns the pager's descriptor. Closing its last descriptor ends the
 * pager: it sends nothing more, and its VMOs keep the pages it supplied
 * but fail every access to a missing page with -EBUSY.
 */
int zvmo_pager_create(uint32_t options, uint32_t fd_flags);

/*
 * zvmo_pager_create_vmo() - make a VMO whose pages come from @pager
 * @options: ZVMO_VMO_RESIZABLE, ZVMO_VMO_TRAP_DIRTY (else -EINVAL)
 * @key: reported in every packet for this VMO
 * @size: size in bytes, rounded up to whole pages (-ERANGE past
 *	ZVMO_VMO_MAX_SIZE)
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * Returns a descriptor with every right (ZVMO_RIGHT_RESIZE only if
 * resizable) for a VMO that reports ZVMO_INFO_PAGER_BACKED. Which
 * operations it refuses (-EOPNOTSUPP) is told at struct
 * zvmo_pager_create_vmo.
 */
int zvmo_pager_create_vmo(int pager, uint32_t options, uint64_t key,
			  uint64_t size, uint32_t fd_flags);

/*
 * zvmo_pager_supply() - move pages of @aux into @vmo
 * @offset, @length: the page-aligned range of @vmo to supply
 * @aux: an ordinary VMO with ZVMO_RIGHT_READ and ZVMO_RIGHT_WRITE, and no
 *	parent, children or pins (else -EBUSY)
 * @aux_offset: page-aligned start of the pages in @aux
 *
 * [@aux_offset, @aux_offset + @length) of @aux reads zero afterwards (a
 * hole in it supplies a page of zeros); a page @vmo already has stays and
 * the one from @aux is freed. Whoever waited for the range goes on.
 * -EINVAL for an unaligned range, -ERANGE for one past either VMO's end,
 * -EBUSY if @vmo is detached, -EACCES for a missing right.
 */
int zvmo_pager_supply(int pager, int vmo, uint64_t offset, uint64_t length,
		      int aux, uint64_t aux_offset);

/*
 * zvmo_pager_op_range() - apply ZVMO_PAGER_OP_@op to a range of @vmo
 * @offset, @length: the page-aligned range
 * @data: the operation's argument
 *
 * ZVMO_PAGER_OP_FAIL fails the requests outstanding for the range: the
 * accesses waiting for them get the positive errno @data, which must be
 * EIO, EBADMSG, EBUSY, ENOSPC or ENOBUFS (else -EINVAL); a fault gets
 * SIGBUS. A later access asks again.
 *
 * ZVMO_PAGER_OP_DIRTY makes the range's clean content dirty and lets the
 * writes waiting on it go on (-ENOENT if a page was never supplied).
 * ZVMO_PAGER_OP_WRITEBACK_BEGIN (@data 0, or ZVMO_DIRTY_RANGE_IS_ZERO to
 * write back only what reads zeros) and ZVMO_PAGER_OP_WRITEBACK_END clean
 * what was dirty when the writeback began and was not written since.
 * @vmo needs ZVMO_RIGHT_WRITE (else -EACCES).
 */
int zvmo_pager_op_range(int pager, uint32_t op, int vmo, uint64_t offset,
			uint64_t length, uint64_t data);

/*
 * zvmo_pager_detach() - cut @vmo off from @pager
 *
 * Queues a COMPLETE packet for @vmo, fails every later access to a
 * missing page with -EBUSY (SIGBUS in a fault) and drops the pages that
 * were supplied and never written.
 */
int zvmo_pager_detach(int pager, int vmo);

/*
 * zvmo_pager_supply_copy() - supply [@offset, @offset + @length) of @vmo
 *	with a copy of @buf
 *
 * zvmo's own, beside the move of zvmo_pager_supply(): one call, as
 * userfaultfd's UFFDIO_COPY. The same rules and errors, and -EFAULT for a
 * bad buffer.
 */
int zvmo_pager_supply_copy(int pager, int vmo, uint64_t offset,
			   uint64_t length, const void *buf);

/*
 * zvmo_pager_query_dirty() - the runs of dirty content of a range of @vmo
 * @offset, @length: the range, rounded out to pages (-ERANGE past the end)
 * @ranges: filled with up to @count runs, in order
 * @actual: if not NULL, set to the runs written
 * @avail: if not NULL, set to the runs there are in the range in all
 *
 * Content awaiting clean counts as dirty. A run is pages or zeros
 * (ZVMO_DIRTY_RANGE_IS_ZERO), never both. When *@avail exceeds *@actual,
 * query again from the end of the last run. @vmo needs ZVMO_RIGHT_READ.
 */
int zvmo_pager_query_dirty(int pager, int vmo, uint64_t offset,
			   uint64_t length, struct zvmo_dirty_range *ranges,
			   size_t count, size_t *actual, size_t *avail);

/*
 * zvmo_pager_query_stats() - whether @vmo was modified
 * @options: 0, or ZVMO_PAGER_RESET_VMO_STATS to reset it as well
 * @modified: set to ZVMO_PAGER_VMO_STATS_MODIFIED if @vmo was written or
 *	resized since it was made or last reset, else 0
 */
int zvmo_pager_query_stats(int pager, int vmo, uint32_t options,
			   uint32_t *modified);

/*
 * zvmo_pager_info() - fill @info: the pager's koid, its attached VMOs and
 * the packets waiting (argsz and reserved are set here)
 */
int zvmo_pager_info(int pager, struct zvmo_pager_info *info);

/*
 * zvmo_pager_read_packets() - take up to @max packets off @pager's queue
 * @pkts: room for @max packets (@max must be at least 1, else -EINVAL)
 *
 * Blocks while the queue is empty, unless the descriptor is O_NONBLOCK
 * (then -EAGAIN); poll() reports POLLIN when it is not. A signal that
 * interrupts the wait is -EINTR. Returns the number of packets read.
 */
ssize_t zvmo_pager_read_packets(int pager, struct zvmo_pager_packet *pkts,
				size_t max);

/* zvmo_stats() - module-wide counters (argsz and reserved are set here) */
int zvmo_stats(struct zvmo_stats *stats);

/* zvmo_close() - close() as 0 or a negative errno */
int zvmo_close(int fd);

#ifdef __cplusplus
}
#endif

#endif /* _ZVMO_ZVMO_H */
