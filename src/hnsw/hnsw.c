/*-------------------------------------------------------------------------
 *
 * hnsw.c
 *	  The hnsw access method's handler, reloptions, GUCs and cost estimate.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <limits.h>
#include <math.h>

#include "access/amapi.h"
#include "access/reloptions.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"

#include "hnsw.h"
#include "vecidx.h"
#include "vector_cost.h"

int			vx_ef_search = VX_DEFAULT_EF_SEARCH;
bool		vx_walk_quantized = true;
int			vx_iterative_scan = VX_ITERATIVE_OFF;
int			vx_max_scan_tuples = VX_DEFAULT_MAX_SCAN_TUPLES;
double		vx_scan_mem_multiplier = VX_DEFAULT_SCAN_MEM_MULTIPLIER;

static const struct config_enum_entry iterative_scan_options[] = {
	{"off", VX_ITERATIVE_OFF, false},
	{"relaxed_order", VX_ITERATIVE_RELAXED, false},
	{"strict_order", VX_ITERATIVE_STRICT, false},
	{NULL, 0, false}
};

static relopt_kind vx_relopt_kind;

static relopt_enum_elt_def quantization_values[] = {
	{"int8", VX_QUANT_INT8},
	{"none", VX_QUANT_NONE},
	{(const char *) NULL}
};

/* module load: reloptions and GUCs of the index */
void
hnsw_init(void)
{
	vx_relopt_kind = add_reloption_kind();
	add_int_reloption(vx_relopt_kind, "m", "Max number of connections",
					  VX_DEFAULT_M, VX_MIN_M, VX_MAX_M, AccessExclusiveLock);
	add_int_reloption(vx_relopt_kind, "ef_construction",
					  "Size of the dynamic candidate list for construction",
					  VX_DEFAULT_EF_CONSTRUCTION, VX_MIN_EF_CONSTRUCTION,
					  VX_MAX_EF_CONSTRUCTION, AccessExclusiveLock);
	add_enum_reloption(vx_relopt_kind, "quantization",
					   "How the graph stores vectors: int8 codes or float4",
					   quantization_values, VX_QUANT_INT8,
					   "Valid values are \"int8\" and \"none\".",
					   AccessExclusiveLock);

	DefineCustomIntVariable("hnsw.ef_search", "Sets the size of the dynamic candidate list for search",
							"Valid range is 1..100000.", &vx_ef_search,
							VX_DEFAULT_EF_SEARCH, VX_MIN_EF_SEARCH, VX_MAX_EF_SEARCH,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("hnsw.iterative_scan",
							 "Sets the mode for iterative scans",
							 "Every mode goes on to further batches of ef_search candidates while "
							 "the query wants rows; off and strict_order never return rows out "
							 "of order, relaxed_order may, slightly.",
							 &vx_iterative_scan, VX_ITERATIVE_OFF, iterative_scan_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("hnsw.max_scan_tuples",
							"Sets the max number of tuples to visit for iterative scans",
							NULL, &vx_max_scan_tuples, VX_DEFAULT_MAX_SCAN_TUPLES, 1, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("hnsw.scan_mem_multiplier",
							 "Sets the multiple of work_mem to use for iterative scans",
							 NULL, &vx_scan_mem_multiplier,
							 VX_DEFAULT_SCAN_MEM_MULTIPLIER, 1, 1000,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("vecidx.walk_quantized",
							 "Walks the graph with the query's INT8 code instead of its float values",
							 "Final candidates are always scored from the float query.",
							 &vx_walk_quantized, true, PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("hnsw");
	vx_test_init();
}

bytea *
hnswoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt tab[] = {
		{"m", RELOPT_TYPE_INT, offsetof(VxOptions, m)},
		{"ef_construction", RELOPT_TYPE_INT, offsetof(VxOptions, ef_construction)},
		{"quantization", RELOPT_TYPE_ENUM, offsetof(VxOptions, quantization)},
	};

	return (bytea *) build_reloptions(reloptions, validate, vx_relopt_kind,
									  sizeof(VxOptions), tab, lengthof(tab));
}

static char *
hnswbuildphasename(int64 phasenum)
{
	switch (phasenum)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case VX_PHASE_LOAD:
			return "loading tuples";
		case VX_PHASE_WRITE:
			return "writing index pages";
		default:
			return NULL;
	}
}

/*
 * Cost (README "Planner costs").  An hnsw scan only serves ORDER BY
 * <distance>.  Its first batch -- the descent and a layer-0 walk with a
 * candidate list of ef_search (or of the LIMIT, if larger) -- is done
 * before the first row comes back: that is the startup cost.  The walk
 * evaluates about VX_COST_WALK_FRACTION of the 2m neighbours of each of
 * (ef + VX_COST_WALK_BASE) expansions (EXPLAIN BUFFERS of
 * test/bench/planner_matrix.py), never more nodes than the index holds;
 * each evaluation is a code distance (about a sixth of a float one) plus
 * the buffer access and bookkeeping (VX_COST_NODE), and the distinct pages
 * behind them (index_pages_fetched) are charged at seq_page_cost, not at
 * random_page_cost: the build lays nodes out breadth-first, so a walk reads
 * runs of neighbouring pages (at random_page_cost the planner chose a
 * sequential scan on 10,000 rows of 128 dimensions that took 7 ms against
 * the index's 0.4 to 4 ms, ef_search 10 to 1,000).  Every further row (a
 * WHERE clause filtered rows out, or they were dead) costs one more
 * expansion, 2m node evaluations (measured: 13 to 45 buffer accesses per
 * row a 1% filter passes over): the total cost is the startup plus that
 * for every row of the table, so that the planner's LIMIT interpolation
 * charges a filtered query for the rows it has to pass over.
 * The heap rows fetched and their exact distances are charged by the
 * planner (cost_index, and the distance's support function).
 */
#define VX_COST_WALK_BASE		200.0
#define VX_COST_WALK_FRACTION	0.15
#define VX_COST_NODE			100.0
#define VX_COST_CODE_PER_DIM	(1.0 / 64)

/* expected node evaluations of a walk with candidate list ef, capped by n */
static double
walk_evaluations(double ef, int m, double n)
{
	double		x = VX_COST_WALK_FRACTION * 2 * m * (ef + VX_COST_WALK_BASE);

	if (n < 1)
		return 1;
	/* the walk cannot evaluate a node twice: saturate towards n */
	return Max(1, n * (1 - exp(-x / n)));
}

void
hnswcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
				 Cost *indexStartupCost, Cost *indexTotalCost,
				 Selectivity *indexSelectivity, double *indexCorrelation,
				 double *indexPages)
{
	GenericCosts costs;
	IndexOptInfo *info = path->indexinfo;
	int			m = VX_DEFAULT_M;
	int			dim = VX_COST_DEFAULT_DIM;
	double		ef = vx_ef_search;
	double		visits;
	double		node_cost;
	double		pages;
	double		spc_seq_page_cost;
	double		spc_random_page_cost;

	if (path->indexorderbys == NIL)
	{
		/* the index can only answer ORDER BY distance: never use it otherwise */
		*indexStartupCost = get_float8_infinity();
		*indexTotalCost = get_float8_infinity();
		*indexSelectivity = 0;
		*indexCorrelation = 0;
		*indexPages = 0;
		vx_disable_path(path);
		return;
	}

	{
		Relation	index = index_open(info->indexoid, NoLock);
		VxOptions  *opts = (VxOptions *) index->rd_options;
		int32		typmod = TupleDescAttr(RelationGetDescr(index), 0)->atttypmod;

		if (opts)
			m = opts->m;
		if (typmod > 0)
			dim = typmod;
		/* a code byte costs about what an INT8 dimension does */
		if (vx_index_codec(index) == VX_CODEC_BITS)
			dim = (int) vx_bits_code_size(dim);
		/* a sparse code's size is its row's: the default, not the typmod */
		if (vx_index_codec(index) == VX_CODEC_SPARSE)
			dim = VX_COST_DEFAULT_DIM;
		index_close(index, NoLock);
	}

	/* selectivity of index quals (none today), as every AM computes it */
	MemSet(&costs, 0, sizeof(costs));
	genericcostestimate(root, path, loop_count, &costs);
	get_tablespace_page_costs(info->reltablespace,
							  &spc_random_page_cost, &spc_seq_page_cost);

	if (root->limit_tuples > ef)
		ef = root->limit_tuples;
	visits = walk_evaluations(ef, m, info->tuples);
	node_cost = cpu_operator_cost * (VX_COST_NODE + dim * VX_COST_CODE_PER_DIM);
	pages = index_pages_fetched(visits, info->pages, (double) info->pages, root);

	*indexStartupCost = pages * spc_seq_page_cost + visits * node_cost;
	*indexTotalCost = *indexStartupCost + info->tuples * 2 * m * node_cost +
		Max(info->pages - pages, 0) * spc_seq_page_cost;
	*indexSelectivity = costs.indexSelectivity;
	*indexCorrelation = 0;
	*indexPages = pages;
}

PG_FUNCTION_INFO_V1(hnswhandler);
Datum
hnswhandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *amroutine = makeNode(IndexAmRoutine);

	amroutine->amstrategies = 0;
	amroutine->amsupport = VX_NPROCS;
	amroutine->amoptsprocnum = 0;
	amroutine->amcanorder = false;
	amroutine->amcanorderbyop = true;
#if PG_VERSION_NUM >= 180000
	amroutine->amcanhash = false;
	amroutine->amconsistentequality = false;
	amroutine->amconsistentordering = false;
#endif
	amroutine->amcanbackward = false;
	amroutine->amcanunique = false;
	amroutine->amcanmulticol = false;
	amroutine->amoptionalkey = true;
	amroutine->amsearcharray = false;
	amroutine->amsearchnulls = false;
	amroutine->amstorage = false;
	amroutine->amclusterable = false;
	amroutine->ampredlocks = false;
	amroutine->amcanparallel = false;
#if PG_VERSION_NUM >= 170000
	amroutine->amcanbuildparallel = true;	/* hnswbuild.c, "Parallel build" */
#endif
	amroutine->amcaninclude = false;
	amroutine->amusemaintenanceworkmem = false;
#if PG_VERSION_NUM >= 160000
	amroutine->amsummarizing = false;
#endif
	amroutine->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	amroutine->amkeytype = InvalidOid;

	amroutine->ambuild = hnswbuild;
	amroutine->ambuildempty = hnswbuildempty;
	amroutine->aminsert = hnswinsert;
#if PG_VERSION_NUM >= 170000
	amroutine->aminsertcleanup = NULL;
#endif
	amroutine->ambulkdelete = hnswbulkdelete;
	amroutine->amvacuumcleanup = hnswvacuumcleanup;
	amroutine->amcanreturn = NULL;
	amroutine->amcostestimate = hnswcostestimate;
#if PG_VERSION_NUM >= 180000
	amroutine->amgettreeheight = NULL;
#endif
	amroutine->amoptions = hnswoptions;
	amroutine->amproperty = NULL;
	amroutine->ambuildphasename = hnswbuildphasename;
	amroutine->amvalidate = hnswvalidate;
	amroutine->amadjustmembers = NULL;
	amroutine->ambeginscan = hnswbeginscan;
	amroutine->amrescan = hnswrescan;
	amroutine->amgettuple = hnswgettuple;
	amroutine->amgetbitmap = NULL;
	amroutine->amendscan = hnswendscan;
	amroutine->ammarkpos = NULL;
	amroutine->amrestrpos = NULL;
	amroutine->amestimateparallelscan = NULL;
	amroutine->aminitparallelscan = NULL;
	amroutine->amparallelrescan = NULL;
#if PG_VERSION_NUM >= 180000
	amroutine->amtranslatestrategy = NULL;
	amroutine->amtranslatecmptype = NULL;
#endif

	PG_RETURN_POINTER(amroutine);
}
