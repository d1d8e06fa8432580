/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The one place that maps PostgreSQL API differences between the
 *	  supported majors (15 to 18), so that the rest of the code reads the
 *	  same on every version.  Include it after postgres.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_COMPAT_H
#define VECIDX_COMPAT_H

#include "postgres.h"

#include "access/relscan.h"
#include "commands/vacuum.h"
#include "nodes/pathnodes.h"
#include "utils/rel.h"

/* 16 moved the varlena macros (VARSIZE, VARDATA, ...) out of postgres.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * 18 replaced the trailing pg_attribute_noreturn() with a leading
 * pg_noreturn; earlier majors have only the former.  Declarations here use
 * the leading form.
 */
#ifndef pg_noreturn
#if defined(__GNUC__) || defined(__clang__)
#define pg_noreturn __attribute__((noreturn))
#else
#define pg_noreturn
#endif
#endif

/* 16 renamed RelFileNode (rd_node) to RelFileLocator (rd_locator) */
#if PG_VERSION_NUM >= 160000
#define VX_REL_LOCATOR(rel)		((rel)->rd_locator)
#define VX_SMGR_LOCATOR(smgr)	((smgr)->smgr_rlocator.locator)
#else
#define VX_REL_LOCATOR(rel)		((rel)->rd_node)
#define VX_SMGR_LOCATOR(smgr)	((smgr)->smgr_rnode.node)
#endif

/*
 * 16 requires buffers handed to smgr to be aligned for direct I/O
 * (PG_IO_ALIGN_SIZE); 15 has only the plain aligned block.
 */
#if PG_VERSION_NUM >= 160000
typedef PGIOAlignedBlock VxIOBlock;
#else
typedef PGAlignedBlock VxIOBlock;
#endif

/* 17 renamed IsAutoVacuumWorkerProcess() to AmAutoVacuumWorkerProcess() */
#if PG_VERSION_NUM >= 170000
#include "miscadmin.h"
#define vx_am_autovacuum_worker()	AmAutoVacuumWorkerProcess()
#else
#include "postmaster/autovacuum.h"
#define vx_am_autovacuum_worker()	IsAutoVacuumWorkerProcess()
#endif

/* 18: vacuum_delay_point(bool is_analyze) */
static inline void
vx_vacuum_delay_point(void)
{
#if PG_VERSION_NUM >= 180000
	vacuum_delay_point(false);
#else
	vacuum_delay_point();
#endif
}

/*
 * 18's EXPLAIN ANALYZE shows "Index Searches": each access method counts
 * the searches (descents) a scan makes.
 */
static inline void
vx_count_index_search(IndexScanDesc scan)
{
#if PG_VERSION_NUM >= 180000
	if (scan->instrument)
		scan->instrument->nsearches++;
#endif
}

/*
 * 18's planner compares the number of disabled nodes before costs, so an
 * infinite cost alone no longer keeps a path out when enable_seqscan = off
 * disables the alternative: mark the path disabled as well (more than the
 * one disabled node of the sequential scan it competes with).
 */
static inline void
vx_disable_path(IndexPath *path)
{
#if PG_VERSION_NUM >= 180000
	path->path.disabled_nodes = 2;
#endif
}

/*
 * Workers for a parallel build.  17 added amcanbuildparallel and plans the
 * workers in index_build() for every access method that sets it
 * (ii_ParallelWorkers); 15 and 16 plan them there for btree only, so the
 * build asks plan_create_index_workers() itself, under the same condition
 * (normal processing; it honours max_parallel_maintenance_workers, the
 * table's parallel_workers, min_parallel_table_scan_size and 32 MB of
 * maintenance_work_mem per participant).  An empty heap (TRUNCATE's
 * rebuild) is built in one process on every major.
 */
#if PG_VERSION_NUM < 170000
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#endif
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"

static inline int
vx_build_workers(Relation heap, Relation index, IndexInfo *indexInfo)
{
	if (RelationGetNumberOfBlocks(heap) == 0)
		return 0;
#if PG_VERSION_NUM >= 170000
	return indexInfo->ii_ParallelWorkers;
#else
	if (!IsNormalProcessingMode())
		return 0;
	return plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));
#endif
}

#endif							/* VECIDX_COMPAT_H */
