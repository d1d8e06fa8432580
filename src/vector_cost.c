/*-------------------------------------------------------------------------
 *
 * vector_cost.c
 *	  Planner support for the distance functions: the cost of one call from
 *	  the vectors' dimension and from where they are stored.
 *
 * The same support serves halfvec's distances (halfvec_distance_support):
 * both types have the same header (varlena length, int16 dim, int16
 * unused), they differ in the element size (4 and 2 bytes), so halfvec
 * goes out of line from about 1,000 dimensions.  The per-call arithmetic is
 * charged as for vector (the f16 kernels widen each element and then run
 * the float steps; not measured separately).
 *
 * A distance's cost grows with the dimension, and a vector stored out of
 * line (STORAGE external, pgvector's default, past the TOAST threshold of
 * about 2 kB, i.e. from about 500 dimensions; STORAGE main, vecidx's
 * default, past about 8 kB, 2,000 dimensions) is fetched from the TOAST table and
 * copied on every call: at 768 dimensions that fetch costs ten times the
 * arithmetic.  A sequential scan pays it for every row, an index scan only
 * for the rows it returns, so a plain COST, the same for every column,
 * cannot tell the planner which is cheaper.  The SupportRequestCost answer
 * here charges both; COST in the install script is what the planner uses
 * where it does not ask (a measured typical value).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/detoast.h"
#include "access/heaptoast.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "vector.h"
#include "vector_cost.h"

/* stored size of a vector or halfvec of dim elements of elemsize bytes */
static inline Size
value_size(int dim, Size elemsize)
{
	return offsetof(Vector, x) + elemsize * dim;
}

/* cost of one float distance call between two vectors of `dim` dimensions */
Cost
vx_float_distance_cost(int dim)
{
	return cpu_operator_cost * (VX_COST_FLOAT_CALL + dim * VX_COST_FLOAT_PER_DIM);
}

/*
 * Cost of fetching one out-of-line value of `dim` dimensions of elemsize
 * bytes: a probe of the TOAST index, the chunks copied together, and their
 * pages, charged as a sequential scan charges the heap's
 * (TOAST_TUPLES_PER_PAGE chunks a page).
 */
Cost
vx_toast_fetch_cost(int dim, Size elemsize)
{
	double		chunks = ceil((double) value_size(dim, elemsize) / TOAST_MAX_CHUNK_SIZE);

	return cpu_operator_cost * (VX_COST_TOAST_VALUE + chunks * VX_COST_TOAST_CHUNK) +
		seq_page_cost * chunks / TOAST_TUPLES_PER_PAGE;
}

/* the column's attstorage, or 0 if unknown */
static char
attribute_storage(Oid relid, AttrNumber attnum)
{
	HeapTuple	tp = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
									 Int16GetDatum(attnum));
	char		storage = 0;

	if (HeapTupleIsValid(tp))
	{
		storage = ((Form_pg_attribute) GETSTRUCT(tp))->attstorage;
		ReleaseSysCache(tp);
	}
	return storage;
}

/*
 * Is the vector (or halfvec: elemsize) argument `arg` a table column whose
 * values are stored out of line?  Sets *dim to its dimension where known
 * (type modifier, a constant's value, or the column's average stored
 * width), else 0.
 *
 * Out of line: by the column's statistics where ANALYZE has run (an average
 * stored width well below the vector's size means TOAST pointers), else by
 * the size rule (a vector larger than the TOAST threshold of about 2 kB,
 * or for a STORAGE main column -- the types' default -- than what fits a
 * page, about 8 kB; never for STORAGE plain).
 */
bool
vx_vector_stored_out_of_line(PlannerInfo *root, Node *arg, Size elemsize, int *dim)
{
	Var		   *var;
	RangeTblEntry *rte;
	int32		width;
	char		storage;

	while (arg && IsA(arg, RelabelType))
		arg = (Node *) ((RelabelType *) arg)->arg;
	*dim = Max(exprTypmod(arg), 0);
	if (arg && IsA(arg, Const) && !((Const *) arg)->constisnull)
	{
		/* a halfvec's dim is where a vector's is */
		Vector	   *v = DatumGetVector(((Const *) arg)->constvalue);

		*dim = v->dim;
		return false;
	}
	if (root == NULL || arg == NULL || !IsA(arg, Var))
		return false;
	var = (Var *) arg;
	if (var->varlevelsup != 0 || var->varattno <= 0 ||
		var->varno < 1 || var->varno >= root->simple_rel_array_size)
		return false;
	rte = planner_rt_fetch(var->varno, root);
	if (rte->rtekind != RTE_RELATION)
		return false;

	storage = attribute_storage(rte->relid, var->varattno);
	if (storage == TYPSTORAGE_PLAIN)
		return false;
	width = get_attavgwidth(rte->relid, var->varattno);
	if (width > 0)
	{
		if (*dim > 0)
			return width < value_size(*dim, elemsize) / 2;
		if (width > 2 * TOAST_POINTER_SIZE)
		{
			*dim = (width - value_size(0, elemsize)) / elemsize;
			return false;
		}
		return true;
	}
	/* STORAGE main moves a value out of line only if the row cannot fit a page */
	return *dim > 0 && value_size(*dim, elemsize) >
		(storage == TYPSTORAGE_MAIN ? TOAST_TUPLE_TARGET_MAIN : TOAST_TUPLE_THRESHOLD);
}

/*
 * SupportRequestCost for the distance functions of two vectors or two
 * halfvecs (elemsize) and their operators.  Per call: the float distance at
 * the larger argument dimension, plus a TOAST fetch for every argument
 * stored out of line.  Other requests are not answered.
 */
static Datum
distance_support(FunctionCallInfo fcinfo, Size elemsize)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestCost *req;
	List	   *args;
	ListCell   *lc;
	int			dim = 0;
	Cost		fetch = 0;

	if (!IsA(rawreq, SupportRequestCost))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestCost *) rawreq;
	if (req->node == NULL)
		PG_RETURN_POINTER(NULL);
	if (IsA(req->node, OpExpr))
		args = ((OpExpr *) req->node)->args;
	else if (IsA(req->node, FuncExpr))
		args = ((FuncExpr *) req->node)->args;
	else
		PG_RETURN_POINTER(NULL);

	foreach(lc, args)
	{
		int			d;
		bool		out_of_line = vx_vector_stored_out_of_line(req->root, lfirst(lc),
																elemsize, &d);

		if (out_of_line)
			fetch += vx_toast_fetch_cost(d > 0 ? d : VX_COST_DEFAULT_DIM, elemsize);
		dim = Max(dim, d);
	}
	req->startup = 0;
	req->per_tuple = vx_float_distance_cost(dim > 0 ? dim : VX_COST_DEFAULT_DIM) + fetch;
	PG_RETURN_POINTER(req);
}

/* vector_distance_support(internal): for the distances of two vectors */
PGDLLEXPORT PG_FUNCTION_INFO_V1(vector_distance_support);
Datum
vector_distance_support(PG_FUNCTION_ARGS)
{
	return distance_support(fcinfo, sizeof(float));
}

/* halfvec_distance_support(internal): for the distances of two halfvecs */
PGDLLEXPORT PG_FUNCTION_INFO_V1(halfvec_distance_support);
Datum
halfvec_distance_support(PG_FUNCTION_ARGS)
{
	return distance_support(fcinfo, sizeof(uint16));
}
