/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every header of the plugin interface shares: the mark of an
 * exported function, simulated time, the page size, and the handles of
 * the kernel model's objects.
 *
 * The handles are opaque: a plugin holds pointers to them and reads what
 * it may through the functions of faultsim/task.h, faultsim/mm.h and the
 * slot headers, so the simulator's structures can change without a new
 * plugin ABI.
 */
#ifndef FAULTSIM_TYPES_H
#define FAULTSIM_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* A function of the plugin interface: exported by libfaultsim.so and by
 * the faultsim command to the plugins it loads (everything else in them
 * is hidden).  Every FS_API function is listed in faultsim.sym. */
#define FS_API __attribute__((visibility("default")))

/* Simulated time: nanoseconds since the start of a run. */
typedef int64_t sim_time_t;

#define NSEC_PER_USEC	1000LL
#define NSEC_PER_MSEC	1000000LL
#define NSEC_PER_SEC	1000000000LL

/* A page index in an address space (struct page's index, a file page). */
typedef uint64_t pgoff_t;

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)

/* A simulated thread (faultsim/task.h). */
struct sim_task;
/* A page of an address space, and an address space: a file's page cache
 * or the anonymous memory of a process (faultsim/mm.h). */
struct page;
struct address_space;
/* A process's address space and one of its VMAs (faultsim/mm.h).
 * Virtual addresses are page numbers, not byte addresses. */
struct mm_struct;
struct vm_area_struct;

#endif /* FAULTSIM_TYPES_H */
