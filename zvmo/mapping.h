/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZVMO_MAPPING_H
#define _ZVMO_MAPPING_H

#include <linux/fs.h>
#include <linux/mm_types.h>

struct zvmo_vmo;

int zvmo_mapping_mmap(struct file *file, struct vm_area_struct *vma);
u64 zvmo_mapping_share_count(struct zvmo_vmo *vmo);

#endif /* _ZVMO_MAPPING_H */
