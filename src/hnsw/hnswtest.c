/*-------------------------------------------------------------------------
 *
 * hnswtest.c
 *	  Test-only pause points, so that TAP tests can make races
 *	  deterministic.  Compiled in only with USE_ASSERT_CHECKING (CI builds
 *	  the module with it); otherwise vx_test_point() is an empty function
 *	  and the GUC does not exist.
 *
 * SET vecidx.test_pause = 'name' makes the backend stop at
 * vx_test_point("name"): it takes advisory lock VX_TEST_PAUSE_KEY in share
 * mode and releases it at once, so it waits (visible in pg_stat_activity as
 * wait_event 'advisory') for as long as another session holds that lock in
 * exclusive mode: SELECT pg_advisory_lock(<key>) before, pg_advisory_unlock
 * after.  Advisory locks work on a standby too.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/guc.h"

#include "hnsw.h"

#ifdef USE_ASSERT_CHECKING

static char *vx_test_pause = NULL;

void
vx_test_init(void)
{
	DefineCustomStringVariable("vecidx.test_pause",
							   "Test only: the vx_test_point() at which to wait",
							   "The backend waits there while advisory lock "
							   CppAsString2(VX_TEST_PAUSE_KEY) " is held.",
							   &vx_test_pause, "", PGC_USERSET, GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);
}

/* wait at this point if vecidx.test_pause names it; see the file header */
void
vx_test_point(const char *name)
{
	LOCKTAG		tag;

	if (vx_test_pause == NULL || strcmp(vx_test_pause, name) != 0)
		return;
	/* what pg_advisory_lock_shared(bigint) locks, key in the low 32 bits */
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, 0, VX_TEST_PAUSE_KEY, 1);
	(void) LockAcquire(&tag, ShareLock, false, false);
	LockRelease(&tag, ShareLock, false);
}

#else

void
vx_test_init(void)
{
}

void
vx_test_point(const char *name)
{
}

#endif							/* USE_ASSERT_CHECKING */
