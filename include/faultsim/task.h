/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Simulated threads and the time they take.
 *
 * A policy's operation runs on the simulated thread it was called for
 * (the faulting task, khugepaged, the writer): code between two blocking
 * calls takes no simulated time, so whatever the modelled kernel path
 * computes must be spent with cpu_work(), on the thread's core, and
 * whatever it waits for is a blocking call (a lock, I/O, sim_sleep()).
 */
#ifndef FAULTSIM_TASK_H
#define FAULTSIM_TASK_H

#include "faultsim/types.h"

G_BEGIN_DECLS

/* Compute for @ns of CPU time on the core @t holds (longer in wall time
 * when preempted; just time passing for a task without a CPU). */
FS_API void cpu_work(struct sim_task *t, sim_time_t ns);
/* Let @ns of simulated time pass, off the CPU. */
FS_API void sim_sleep(struct sim_task *t, sim_time_t ns);
/* The task's name (e.g. "app[0]/3": group, process, thread), for messages. */
FS_API const char *sim_task_name(const struct sim_task *t);

G_END_DECLS

#endif /* FAULTSIM_TASK_H */
