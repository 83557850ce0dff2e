/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZVMO_MAPPING_H
#define _ZVMO_MAPPING_H

#include <linux/fs.h>
#include <linux/mm_types.h>

int zvmo_mapping_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* _ZVMO_MAPPING_H */
