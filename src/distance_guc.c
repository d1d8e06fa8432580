/*-------------------------------------------------------------------------
 *
 * distance_guc.c
 *	  PostgreSQL glue for the distance kernel table: selection at load and
 *	  the vecidx.simd / vecidx.simd_active settings.
 *
 * vecidx.simd (USERSET enum: auto, scalar, avx2, avx512; default auto) pins
 * the kernel table of the session.  The check hook refuses a level this
 * CPU/OS cannot run, so vx_kern never points at code that would raise
 * SIGILL; the assign hook just switches the pointer (assign hooks must not
 * fail).  "avx512" means the AVX-512 table with VNNI uint8 kernels when the
 * CPU has VNNI, the plain AVX-512 table otherwise; likewise "avx2" means
 * table "avx2", or "avx2imul1" on CPUs with one vector integer multiply
 * pipe (distance.c).
 *
 * vecidx.simd_active (PGC_INTERNAL, read-only) shows the name of the table
 * in use ("scalar", "avx2imul1", "avx2", "avx512", "avx512vnni"), through a
 * show hook that reads vx_kern, so SHOW and pg_settings always tell which
 * kernels run.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "distance.h"
#include "vecidx.h"

#define VX_SIMD_AUTO (-1)

static const struct config_enum_entry simd_options[] = {
	{"auto", VX_SIMD_AUTO, false},
	{"scalar", VX_SIMD_SCALAR, false},
	{"avx2", VX_SIMD_AVX2, false},
	{"avx512", VX_SIMD_AVX512, false},
	{NULL, 0, false}
};

static int	vx_simd_setting = VX_SIMD_AUTO;
static char *vx_simd_active_value = NULL;

/* the table a setting stands for; NULL if this CPU cannot run it */
static const VxKernels *
kernels_for_setting(int setting)
{
	if (setting == VX_SIMD_AUTO)
		return vx_kernels_for(vx_simd_detect());
	return vx_kernels_for((VxSimdLevel) setting);
}

/* is any table for this level compiled into this build? */
static bool
level_compiled_in(int level)
{
	for (int i = 0; i < vx_kernels_count(); i++)
		if ((int) vx_kernels_nth(i)->level == level)
			return true;
	return false;
}

static bool
simd_check_hook(int *newval, void **extra, GucSource source)
{
	if (kernels_for_setting(*newval) != NULL)
		return true;

	GUC_check_errmsg("SIMD level \"%s\" is not supported on this machine",
					 vx_simd_level_name((VxSimdLevel) *newval));
	if (!level_compiled_in(*newval))
		GUC_check_errdetail("This build of vecidx has no \"%s\" kernels.",
							vx_simd_level_name((VxSimdLevel) *newval));
	else
		GUC_check_errdetail("This CPU and operating system support SIMD levels up to \"%s\".",
							vx_simd_level_name(vx_simd_detect()));
	GUC_check_errhint("Use \"auto\" to select the best supported level.");
	return false;
}

static void
simd_assign_hook(int newval, void *extra)
{
	const VxKernels *k = kernels_for_setting(newval);

	/* the check hook has vetted newval; keep the old table if not */
	if (k != NULL)
		vx_kernels_use(k);
}

static const char *
simd_active_show_hook(void)
{
	return vx_kern->name;
}

/*
 * Called once from _PG_init: detect the CPU, install the best kernel table,
 * define the settings.
 */
void
vx_distance_guc_init(void)
{
	vx_kernels_init();

	DefineCustomEnumVariable("vecidx.simd",
							 "Selects the SIMD instruction set of the distance kernels.",
							 "\"auto\" uses the best one this CPU supports; "
							 "\"scalar\" pins the portable reference kernels.",
							 &vx_simd_setting,
							 VX_SIMD_AUTO,
							 simd_options,
							 PGC_USERSET,
							 0,
							 simd_check_hook,
							 simd_assign_hook,
							 NULL);

	DefineCustomStringVariable("vecidx.simd_active",
							   "Shows the distance kernel table in use.",
							   NULL,
							   &vx_simd_active_value,
							   "scalar",
							   PGC_INTERNAL,
							   GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   NULL,
							   NULL,
							   simd_active_show_hook);
}
