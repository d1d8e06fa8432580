/*-------------------------------------------------------------------------
 *
 * hnswtest.c
 *	  Test-only hooks that make races and crashes deterministic: named pause
 *	  points, a forced node level and a crash after the n-th WAL record.
 *	  Compiled only with
 *	  USE_ASSERT_CHECKING (CI builds the module with it); otherwise hnsw.h
 *	  turns every hook into a no-op.
 *
 * vecidx.test_pause = 'name': a backend reaching vx_test_point("name")
 *	  waits for a share lock on advisory key VX_TEST_LOCK_KEY (the bigint
 *	  form, pg_advisory_lock(7606)).  A test holds that lock, sets the GUC in
 *	  the session it wants to stop, waits until pg_locks shows the session
 *	  waiting (locktype 'advisory', objid 7606, not granted), does what it
 *	  wants to interleave (or stops the server in immediate mode), and
 *	  releases the lock.  The wait is an ordinary lock wait: it can be
 *	  cancelled, and it is never entered while a buffer lock is held.
 * vecidx.test_level = n (>= 0): every node this backend inserts gets level
 *	  n (capped to what fits a page) instead of a random one, so a test can
 *	  make a new entry point on demand.
 * vecidx.test_crash_after_record = n (> 0): the n-th GenericXLog record
 *	  this backend writes through vx_test_record() (the insert and vacuum
 *	  paths) is flushed and the server is brought down with PANIC, so that
 *	  a test can crash at every record boundary in turn.
 *
 * Pause points (each named where it is called):
 *	 insert-after-place		a node is on its page, no back link written yet
 *	 vacuum-after-mark		bulkdelete after pass 1 (mark), before the barrier
 *	 vacuum-after-repair	bulkdelete between pass 2 (repair) and pass 3/4
 *							(also in a cleanup that finishes an interrupted round)
 *	 vacuum-before-reach	pass 4's walk is about to start (inserts wait
 *							only if the entry point's row was deleted)
 *	 vx_new_buffer-extended	the index was extended by a page, not yet
 *							initialised or WAL-logged (a crash leaves it zero)
 *	 build-worker-scan		a parallel build's worker, attached, before its
 *							share of the heap scan
 *	 build-load				a build, its progress total set, before it
 *							loads the table
 *	 build-write			a build's write phase, its progress counts set,
 *							before the repair pass (serial builds and a
 *							parallel build's leader: a parallel spill writes
 *							under an LWLock, where no pause may wait)
 *	 vecidx_hnsw_check-between-passes	the verifier between its node pass
 *							and its link pass (both before the walk)
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "hnsw.h"

#ifdef USE_ASSERT_CHECKING

#include "access/xlog.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/guc.h"

#define VX_TEST_LOCK_KEY	7606

static char *vx_test_pause_name = NULL;
static int	vx_test_level_value = -1;
static int	vx_test_crash_record = 0;
static int	vx_test_nrecords = 0;

void
vx_test_init(void)
{
	DefineCustomStringVariable("vecidx.test_pause",
							   "Test only: name of the pause point this session waits at.",
							   "The session waits for advisory lock 7606 at that point.",
							   &vx_test_pause_name, "", PGC_USERSET,
							   GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	DefineCustomIntVariable("vecidx.test_level",
							"Test only: level of every node this session inserts (-1: random).",
							NULL, &vx_test_level_value, -1, -1, VX_MAX_LEVEL,
							PGC_USERSET, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	DefineCustomIntVariable("vecidx.test_crash_after_record",
							"Test only: PANIC after this many index WAL records of this session (0: never).",
							NULL, &vx_test_crash_record, 0, 0, INT_MAX,
							PGC_SUSET, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
}

/*
 * Wait at pause point "name" if vecidx.test_pause names it.  The caller
 * holds no buffer lock (heavyweight locks are fine: the wait is a lock
 * wait, so the deadlock detector sees it).
 */
void
vx_test_point(const char *name)
{
	LOCKTAG		tag;

	if (vx_test_pause_name == NULL || strcmp(vx_test_pause_name, name) != 0)
		return;
	elog(LOG, "vecidx test point \"%s\" reached", name);
	/* the locktag of pg_advisory_lock(bigint): high, low word, field4 1 */
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, 0, VX_TEST_LOCK_KEY, 1);
	(void) LockAcquire(&tag, ShareLock, false, false);
	LockRelease(&tag, ShareLock, false);
	elog(LOG, "vecidx test point \"%s\" released", name);
}

/* the level to give a new node: vecidx.test_level if set, else level */
int
vx_test_level(int level)
{
	return vx_test_level_value >= 0 ? vx_test_level_value : level;
}

/*
 * Count a GenericXLog record just written (its end lsn); PANIC after the
 * one vecidx.test_crash_after_record names, once it is flushed.  Callers
 * may hold buffer locks: a PANIC does not care.
 */
void
vx_test_record(XLogRecPtr lsn)
{
	if (vx_test_crash_record <= 0)
		return;
	if (++vx_test_nrecords == vx_test_crash_record)
	{
		XLogFlush(lsn);
		elog(PANIC, "vecidx test crash after index WAL record %d", vx_test_nrecords);
	}
}

#endif							/* USE_ASSERT_CHECKING */
