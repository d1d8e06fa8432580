/*-------------------------------------------------------------------------
 *
 * hnswscan.c
 *	  Index scans: ORDER BY <distance> LIMIT k.
 *
 * The first amgettuple call walks the graph over the nodes' codes (greedy
 * descent, then a layer-0 search with hnsw.ef_search; with the query's own
 * INT8 code, or its float vector when vecidx.walk_quantized is off or the
 * code would be clipped), then turns each result's exact distance to its
 * decoded vector and its stored residual into a lower bound of the true
 * distance (README, "Rescore").  Results are returned in lower-bound order
 * with xs_recheckorderby set: the executor computes the exact distance
 * from the heap row it fetches anyway and reorders, exactly as for GiST's
 * KNN scans.  A node whose code is exact (zero residual under INT8, every
 * node of the BITS and SPARSE codecs) is returned with the operator's own
 * value and no recheck, except under an operator class that casts to
 * vector (cast_bound).  So rows come back in exact distance order with
 * exact distances, and the index holds no float copy.
 *
 * When the executor asks for more rows than a batch holds, the search
 * resumes for the next batch, in every hnsw.iterative_scan mode; the rows
 * of all batches wait in one pool ordered by bound, and the tail of a
 * batch is released only once the next batch is fetched or no row of it
 * is expected below that tail (README, "Iterative scans").
 *
 * The scan relies on its MVCC snapshot for safety against vacuum: a TID
 * that vacuum removes belongs to a row dead to every snapshot, and a new
 * row that reuses its slot is invisible to this scan's snapshot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/relscan.h"
#include "lib/pairingheap.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "distance.h"
#include "hnsw.h"

/* a row found by the search, waiting in the scan's pool */
typedef struct VxResult
{
	pairingheap_node ph;		/* in so->pool, smallest bound first */
	ItemPointerData heaptid;
	bool		exact;			/* lb is the operator's exact value */
	int			batch;			/* number of the batch that found it */
	double		lb;
} VxResult;

typedef struct VxScanOpaqueData
{
	bool		searched;		/* search started */
	bool		exhausted;		/* no further batch can come */
	bool		over_budget;	/* stop expanding, return what was found */
	bool		qnull;
	Datum		query;			/* detoasted copy in scan cxt */
	/* the query as the graph sees it, and the search state between batches */
	float	   *q;				/* float query (normalised for cosine) */
	double		qnorm;
	bool		nanquery;		/* every distance is NaN (zero cosine query) */
	bool		cast;			/* the opclass casts its type to vector */
	VxQuery		exact;			/* float form, for the final candidates */
	VxDiskGraph g;
	VxSearch	search;
	VxLayerSearch layer0;
	float	   *xbuf;

	/*
	 * Rows of every batch fetched so far and not yet returned, smallest
	 * bound first (README, "Iterative scans").  A row of the newest batch
	 * is released only while its bound is at or below horizon, the bound
	 * a row of the next batch is expected to have at least; rows of older
	 * batches are released in bound order.
	 */
	pairingheap *pool;
	double		horizon;
	double		slack_max;		/* largest gap between walk and bound seen */
	double		last_lb;		/* largest bound returned so far */
	int			batches;
	int64		returned;
	int64		skipped;		/* rows a late batch brought below last_lb */
	int64		killed;			/* returned rows the executor found dead to all */
	MemoryContext cxt;			/* per-search allocations, reset on rescan */
} VxScanOpaqueData;

typedef VxScanOpaqueData *VxScanOpaque;

IndexScanDesc
hnswbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	VxScanOpaque so = palloc0(sizeof(VxScanOpaqueData));

	so->cxt = AllocSetContextCreate(CurrentMemoryContext, "hnsw scan",
									ALLOCSET_DEFAULT_SIZES);
	scan->opaque = so;
	scan->xs_orderbyvals = palloc0(sizeof(Datum) * Max(norderbys, 1));
	scan->xs_orderbynulls = palloc(sizeof(bool) * Max(norderbys, 1));
	memset(scan->xs_orderbynulls, true, sizeof(bool) * Max(norderbys, 1));
	return scan;
}

void
hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	VxScanOpaque so = (VxScanOpaque) scan->opaque;
	MemoryContext old;

	vx_disk_graph_release_kept(&so->g);
	MemoryContextReset(so->cxt);
	so->searched = false;
	so->exhausted = false;
	so->over_budget = false;
	so->pool = NULL;
	so->horizon = -get_float8_infinity();
	so->slack_max = 0;
	so->batches = 0;
	so->returned = 0;
	so->skipped = 0;
	so->killed = 0;
	so->last_lb = -get_float8_infinity();
	memset(&so->g, 0, sizeof(so->g));

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));

	so->qnull = scan->numberOfOrderBys == 0 ||
		(scan->orderByData[0].sk_flags & SK_ISNULL) != 0;
	if (!so->qnull)
	{
		old = MemoryContextSwitchTo(so->cxt);
		so->query = PointerGetDatum(PG_DETOAST_DATUM_COPY(scan->orderByData[0].sk_argument));
		MemoryContextSwitchTo(old);
	}
}

/*
 * Floating-point slack for lower bounds.  Two kinds of rounding separate
 * the exact bound from what is computed:
 * - relative to the distance: float accumulation over n terms, on our side
 *   and in the executor's recomputation: 2 (n + 8) eps;
 * - relative to the inputs' magnitudes: mapping the query into code space
 *   and decoding rounds each coordinate with an error proportional to the
 *   coordinate, not to the difference -- so when the query is (nearly) one
 *   of the rows, the computed distance to its code can exceed the stored
 *   residual by a few eps times ||q|| + ||a|| + ||x||.  (The test suite's
 *   exact-match queries caught that a purely relative slack was not
 *   enough.)
 */
static inline double
fp_slack(const VxIndexInfo *info)
{
	return 2.0 * (info->dim + 8) * FLT_EPSILON;
}

static inline double
magnitude_slack(const VxIndexInfo *info, const VxNodeHeader *node, double qn)
{
	double		anorm = info->quantized ? sqrt(info->quant.offset_sqnorm) : 0;

	return 16.0 * FLT_EPSILON * (qn + anorm + node->norm + node->resid);
}

/*
 * Vectors whose norm is this far from 1 make the operators' float sums
 * underflow or overflow (a float4 sum of squares of 1e-20 is 0; of 1e20,
 * infinity), so the executor's value is not the true distance: for such a
 * query or row the bound is the weakest one (0, or -infinity for inner
 * product) and the executor's recheck decides.
 */
#define VX_TAME_NORM_MIN	1e-18
#define VX_TAME_NORM_MAX	1e18

static inline bool
tame_norm(double norm)
{
	return norm >= VX_TAME_NORM_MIN && norm <= VX_TAME_NORM_MAX;
}

/*
 * Lower bound of the true distance from the walk distance d (exact for the
 * decoded vector, up to rounding) and the node's residual, minus
 * floating-point slack.  qnorm is the norm of the query as searched (1 for
 * cosine).
 */
static double
lower_bound_raw(const VxIndexInfo *info, double d, const VxNodeHeader *node, double qnorm)
{
	double		slack = fp_slack(info);
	double		mag = magnitude_slack(info, node, qnorm);
	double		lb;

	/* original norm of the row: cosine nodes keep it in aux */
	if (!tame_norm(info->metric == VX_METRIC_COSINE ? node->aux : node->norm))
		return info->metric == VX_METRIC_IP ? -get_float8_infinity() : 0;

	switch (info->metric)
	{
		case VX_METRIC_L2:
			{
				double		e = sqrt(Max(d, 0));

				lb = e - node->resid - slack * (e + node->resid) - mag;
				return Max(lb, 0);
			}
		case VX_METRIC_COSINE:
			{
				double		t = sqrt(Max(d, 0)) - node->resid - mag;

				lb = t > 0 ? t * t / 2 : 0;
				lb -= slack * 4;
				return Max(lb, 0);
			}
		case VX_METRIC_IP:
			return d - qnorm * node->resid -
				slack * qnorm * (node->norm + node->resid) - mag * qnorm;
		case VX_METRIC_L1:
			lb = d - node->resid - slack * (fabs(d) + node->resid) -
				mag * sqrt((double) info->dim);
			return Max(lb, 0);
		case VX_METRIC_HAMMING:
		case VX_METRIC_JACCARD:
			/* the BITS codec: exact, never bounded (exact_distance) */
			break;
	}
	return 0;
}

/*
 * The bound, or the weakest one where float arithmetic overflowed on our
 * side (extreme quantizer offsets make <q, a> overflow float4, say).
 */
static double
lower_bound(const VxIndexInfo *info, double d, const VxNodeHeader *node, double qnorm)
{
	double		lb = lower_bound_raw(info, d, node, qnorm);

	if (isnan(lb) || isinf(lb))
		return info->metric == VX_METRIC_IP ? -get_float8_infinity() : 0;
	return lb;
}

/*
 * A node with zero residual holds its vector exactly (the code decodes to
 * it bit for bit, or quantization is off): compute the operator's own
 * value, bit-identical to what the executor would compute from the heap
 * row, so that row needs no recheck.  Not for cosine, whose INT8 codes
 * hold the normalised vector.  Every node of the BITS and SPARSE codecs is
 * exact (q is then the query's code; sparse cosine codes keep the row's
 * values).
 */
static double
exact_distance(const VxIndexInfo *info, VxNodeHeader *node, const float *q, float *xbuf)
{
	const char *code = vx_node_code(info, node);
	const float *x = (const float *) code;

	if (info->codec == VX_CODEC_BITS)
		return vx_bits_exact(info, code, (const char *) q);
	if (info->codec == VX_CODEC_SPARSE)
		return vx_sparse_exact(info, code, (const char *) q);
	if (info->quantized)
	{
		/*
		 * Zero residual means a_i + s c_i equals x_i exactly, so the single
		 * rounding of the fused multiply-add gives x_i back bit for bit.
		 */
		vx_kern->decode_u8((const uint8 *) code, info->quant.scale,
						   info->quant.offset, xbuf, info->dim);
		x = xbuf;
	}
	switch (info->metric)
	{
		case VX_METRIC_IP:
			return vector_negative_inner_product_values(x, q, info->dim);
		case VX_METRIC_L1:
			return vector_l1_distance_values(x, q, info->dim);
		default:
			return vector_l2_distance_values(x, q, info->dim);
	}
}

/*
 * The zero vector (its norm bound is 0, cosine nodes keep the original
 * norm in aux) needs no code for its distance: the operator's value on an
 * all-zero row, NaN for cosine as the operator has it.  Without this its
 * bound would be the weakest one (its norm is not tame), and a weakest
 * bound met in a later batch is below every bound returned before it.
 */
static bool
zero_row(const VxIndexInfo *info, const VxNodeHeader *node)
{
	return (info->metric == VX_METRIC_COSINE ? node->aux : node->norm) == 0;
}

static double
zero_row_distance(const VxIndexInfo *info, const float *q, float *xbuf)
{
	memset(xbuf, 0, sizeof(float) * info->dim);
	switch (info->metric)
	{
		case VX_METRIC_COSINE:
			return get_float8_nan();
		case VX_METRIC_IP:
			return vector_negative_inner_product_values(xbuf, q, info->dim);
		case VX_METRIC_L1:
			return vector_l1_distance_values(xbuf, q, info->dim);
		default:
			return vector_l2_distance_values(xbuf, q, info->dim);
	}
}

/*
 * An exact value (exact_distance, zero_row_distance) of an opclass that
 * casts its type to vector, as a lower bound to recheck.  The value is
 * vector's kernel on the row's exact values, while the executor runs the
 * type's own operator (halfvec: the f16 kernels, which sum the same terms
 * in another order -- other tails, AVX2 where vector's table is AVX-512):
 * the two can differ in the last bits, and an index value above the
 * executor's would raise "index returned tuples in wrong order".  Minus
 * the accumulation slack, the row is rechecked.
 */
static double
cast_bound(const VxIndexInfo *info, const VxNodeHeader *node, double value, double qnorm)
{
	double		slack = fp_slack(info);

	if (isnan(value))
		return value;
	if (info->metric == VX_METRIC_IP)
		return value - slack * qnorm * node->norm;
	return Max(value - slack * value, 0);
}

/*
 * The scan's memory: its context, and the search arrays when they are the
 * ones kept between scans (hnswsearch.c), which live outside it.
 */
static Size
scan_memory(VxScanOpaque so)
{
	return MemoryContextMemAllocated(so->cxt, true) +
		(so->g.kept ? vx_disk_graph_bytes(&so->g) : 0);
}

/*
 * Pool order: a pairing heap keeps the "largest" on top, so the row with
 * the smaller bound compares larger.  NaN sorts last, as float8 ordering
 * has it.
 */
static int
cmp_pool(const pairingheap_node *a, const pairingheap_node *b, void *arg)
{
	double		x = ((const VxResult *) a)->lb;
	double		y = ((const VxResult *) b)->lb;

	if (isnan(x))
		return isnan(y) ? 0 : -1;
	if (isnan(y))
		return 1;
	return x < y ? 1 : (x > y ? -1 : 0);
}

/*
 * A walk distance on the scale of the lower bounds (L2 walks on squared
 * distances, cosine on squared distances of unit vectors).
 */
static inline double
walk_scale(const VxIndexInfo *info, double w)
{
	switch (info->metric)
	{
		case VX_METRIC_L2:
			return sqrt(Max(w, 0));
		case VX_METRIC_COSINE:
			return Max(w, 0) / 2;
		default:
			return w;
	}
}

static int
cmp_cand_id(const void *a, const void *b)
{
	uint64		x = ((const VxCand *) a)->id;
	uint64		y = ((const VxCand *) b)->id;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Make the query's own INT8 code the walk's query (vecidx.walk_quantized),
 * if coding it loses no more than coding a trained row can; otherwise wq
 * keeps the float query and the walk uses the asymmetric float x code
 * kernels.  q is the float query as searched (normalised for cosine); wq
 * already holds its float form.  The code is allocated in the current
 * memory context.
 *
 * Inner product: the order of <lambda q, x> over x does not depend on
 * lambda > 0, so q is coded at the scale that makes it span the trained
 * range (vxq_fit_scale).  Coded as it is, a query much smaller than the
 * rows rounds to nearly one code point and loses its direction, and one
 * much larger clips to the corners of the code range.  The walk's
 * distances are then those of lambda q: they only rank nodes against each
 * other; nothing compares them with the lower bounds.
 *
 * Every metric: a query outside the trained range (l2, l1; cosine's unit
 * vectors in a direction the rows do not take) is clipped when coded.  The
 * walk then uses the float query, which keeps its exact distance to every
 * node's decoded vector; a clipped code would rank nodes by their distance
 * to the nearest point of the code range instead.  A residual above the
 * in-range bound s sqrt(dim) / 2 is what says a value was clipped (and by
 * more than rounding moves a trained row).
 */
static void
set_walk_code(VxQuery *wq, const float *q)
{
	const VxIndexInfo *info = wq->info;
	const float *x = q;
	float	   *scaled = NULL;
	uint8	   *qcode = palloc(info->codesize);
	float		resid,
				offset_dot;

	if (info->metric == VX_METRIC_IP)
	{
		double		lambda = vxq_fit_scale(&info->quant, q);

		if (lambda > 0)
		{
			scaled = palloc(sizeof(float) * info->dim);
			for (int i = 0; i < info->dim; i++)
				scaled[i] = (float) (lambda * q[i]);
			x = scaled;
		}
	}
	vxq_encode_query(&info->quant, x, qcode, &resid, &offset_dot);
	if (scaled)
		pfree(scaled);
	if (resid <= vxq_max_resid(&info->quant))
		vx_query_set_code(wq, (const char *) qcode, offset_dot);
	else
		pfree(qcode);
}

/*
 * The query as the scan keeps it (so->q): dim floats (normalised for
 * cosine), or the codec's code; a NULL query is zeros.  Sets so->qnorm,
 * so->nanquery (the operator's distances are NaN: a NULL query, or a zero
 * cosine query) and so->cast.
 */
static float *
prepare_query(VxScanOpaque so, Relation index, const VxIndexInfo *info)
{
	float	   *q;

	so->qnorm = 0;
	so->nanquery = false;
	so->cast = false;
	if (so->qnull)
	{
		so->nanquery = true;
		return palloc0(vx_prepared_size(info));
	}
	if (info->codec == VX_CODEC_SPARSE)
	{
		q = (float *) vx_sparse_query(info, so->query);
		so->nanquery = info->metric == VX_METRIC_COSINE && *(int32 *) q == 0;
		return q;
	}
	q = palloc(vx_prepared_size(info));
	if (info->codec == VX_CODEC_BITS)
		vx_bits_prepare(info, so->query, (char *) q, true);
	else
	{
		so->cast = vx_prepare_query(index, info, so->query, q, &so->qnorm);
		so->nanquery = info->metric == VX_METRIC_COSINE && so->qnorm == 0;
	}
	return q;
}

/*
 * The walk's query from the prepared query q: under a quantizer the query
 * in the quantizer's space (or, for inner product, q with its dot product
 * with the offsets); under the SPARSE codec q with its aux value.
 */
static void
set_graph_query(VxQuery *query, const VxIndexInfo *info, float *q)
{
	if (info->quantized && info->metric != VX_METRIC_IP)
	{
		float	   *u = palloc(sizeof(float) * info->dim);

		vxq_query_transform(&info->quant, q, u);
		query->qf = u;
	}
	else
	{
		query->qf = q;
		if (info->codec == VX_CODEC_SPARSE)
			query->qaux = vx_sparse_aux(info, (const char *) q);
		if (info->quantized)
		{
			double		qa = 0;

			for (int i = 0; i < info->dim; i++)
				qa += (double) q[i] * info->quant.offset[i];
			query->qaux = (float) qa;
		}
	}
}

/*
 * Start a search: prepare the query, descend to layer 0 and set up the
 * layer-0 search state.  Leaves so->exhausted set if the index is empty.
 */
static void
start_search(IndexScanDesc scan)
{
	VxScanOpaque so = (VxScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;
	VxIndexInfo *info = vx_get_info(index);
	VxMetaPageData meta;
	VxDiskGraph *g = &so->g;
	VxCand		eps[2];
	int			neps;
	float	   *q;

	vx_read_meta(index, &meta);
	if (meta.entry_level < 0 || !info->trained)
	{
		so->exhausted = true;
		return;
	}

	so->xbuf = info->codec == VX_CODEC_INT8 ? palloc(sizeof(float) * info->dim) : NULL;
	so->q = q = prepare_query(so, index, info);

	vx_disk_graph_init_kept(g, index, info, vx_ef_search * info->m);
	set_graph_query(&g->query, info, q);

	/*
	 * Walk with the query's own code and the exact uint8 kernels (two to
	 * three times cheaper than float x code) when the code keeps the
	 * query's direction; the candidates' distances for the lower bounds are
	 * computed from the float query in any case (so->exact).
	 */
	so->exact = g->query;
	if (info->quantized && vx_walk_quantized)
		set_walk_code(&g->query, q);

	/*
	 * Layer 0 starts from where the descent ends and from the entry point
	 * itself: every node is reachable from the entry point over layer-0
	 * edges (README, "every node stays reachable"), so a scan that goes on
	 * long enough finds every row.
	 */
	eps[0] = vx_disk_descend(g, &meta.entry, meta.entry_level, 0);
	neps = 1;
	if (eps[0].id != vx_tid_pack(&meta.entry))
	{
		bool		found;

		eps[1].id = vx_tid_pack(&meta.entry);
		eps[1].dist = vx_disk_node_distance(g, eps[1].id, &found);
		neps = 2;
	}
	vx_disk_begin_layer(g, 0, eps, neps);
	so->search.graph = g;
	so->search.expand = vx_disk_expand;
	so->search.max_out = 2 * info->m;
	/* found nodes are kept even without iterative scans: see hnswgettuple */
	vx_layer_search_init(&so->layer0, eps, neps, true);
}

/*
 * Fetch the next batch into the pool: the next ef_search nodes of the
 * layer-0 search (or, past the budget, of the nodes it found but did not
 * return), each with a lower bound of (or, for lossless nodes, exactly)
 * its distance; deleted nodes are dropped.  Then sets the horizon, and
 * so->exhausted when no further batch can follow (graph exhausted, or the
 * budget reached and every node found returned).  Must run in so->cxt.
 */
static void
fetch_batch(IndexScanDesc scan)
{
	VxScanOpaque so = (VxScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;
	const VxIndexInfo *info = so->g.info;
	VxCand	   *res = palloc(sizeof(VxCand) * vx_ef_search);
	VxResult   *rows;
	int			n;

	if (so->over_budget)
		n = vx_layer_search_drain(&so->layer0, vx_ef_search, res);
	else
		n = vx_layer_search_next(&so->search, &so->layer0, vx_ef_search, 0, res);
	so->batches++;
	pgstat_count_index_tuples(index, n);

	/*
	 * Read each result's header once per page: heap TID, residual, flags.
	 * The rows stay in this array until the scan ends (the pool links
	 * them).
	 */
	qsort(res, n, sizeof(VxCand), cmp_cand_id);
	rows = palloc(sizeof(VxResult) * Max(n, 1));
	for (int i = 0; i < n;)
	{
		BlockNumber blk = vx_tid_block(res[i].id);
		Buffer		buf = vx_read_buffer(index, info, blk);
		Page		page;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		for (; i < n && vx_tid_block(res[i].id) == blk; i++)
		{
			VxNodeHeader *node = vx_page_node(index, page, blk,
											  vx_tid_offset(res[i].id));
			VxResult   *r = &rows[i];
			bool		regular = true;

			if (node->flags & VX_NODE_DEAD)
				continue;
			r->heaptid = node->heaptid;
			r->exact = false;
			r->batch = so->batches;
			if (so->nanquery)
			{
				r->lb = get_float8_nan();
				regular = false;
			}
			else if (node->resid == 0 &&
					 (info->metric != VX_METRIC_COSINE || info->codec != VX_CODEC_INT8))
			{
				r->lb = exact_distance(info, node, so->q, so->xbuf);
				r->exact = true;
			}
			else if (zero_row(info, node))
			{
				r->lb = zero_row_distance(info, so->q, so->xbuf);
				r->exact = true;
				regular = false;
			}
			else if (!tame_norm(so->qnorm))
			{
				r->lb = info->metric == VX_METRIC_IP ? -get_float8_infinity() : 0;
				regular = false;
			}
			else
				r->lb = lower_bound(info,
									vx_distance(&so->exact, vx_node_code(info, node), node->aux),
									node, info->metric == VX_METRIC_COSINE ? 1.0 : so->qnorm);
			if (r->exact && so->cast)
			{
				r->lb = cast_bound(info, node, r->lb, so->qnorm);
				r->exact = false;
			}

			/*
			 * How far below its walk distance this row's bound lies: the
			 * largest such gap seen estimates how far below the next
			 * batch's walk distances its bounds can lie.  Rows with the
			 * weakest bound (untamed norms) say nothing about the others.
			 */
			if (regular)
			{
				double		gap = walk_scale(info, res[i].dist) - r->lb;

				if (!isnan(gap) && !isinf(gap) && gap > so->slack_max)
					so->slack_max = gap;
			}
			pairingheap_add(so->pool, &r->ph);
		}
		UnlockReleaseBuffer(buf);
	}
	pfree(res);

	if (!so->over_budget &&
		(so->g.ndistances >= (uint64) vx_max_scan_tuples ||
		 scan_memory(so) > (Size) ((double) work_mem * 1024.0 * vx_scan_mem_multiplier)))
		so->over_budget = true;
	if (n < vx_ef_search)
		so->exhausted = true;
	else if (so->over_budget &&
			 isinf(vx_layer_search_floor(&so->layer0, false)))
		so->exhausted = true;

	if (so->exhausted || so->nanquery)
		so->horizon = get_float8_infinity();
	else
		so->horizon = walk_scale(info, vx_layer_search_floor(&so->layer0, !so->over_budget)) -
			so->slack_max;
}

/*
 * Return the next row: the pool's row of smallest bound, once no later
 * batch is expected to hold a smaller one -- its bound is at or below the
 * horizon, or the batch after its own has been fetched (README,
 * "Iterative scans").
 * The scan goes on to further batches in every mode, for as long as the
 * executor asks for rows and the budget lasts: a LIMIT whose rows were
 * filtered out or found dead (on a standby as on a primary) is filled from
 * the next batches.
 */
bool
hnswgettuple(IndexScanDesc scan, ScanDirection dir)
{
	VxScanOpaque so = (VxScanOpaque) scan->opaque;
	MemoryContext old;
	VxResult   *r;

	if (!so->searched)
	{
		if (scan->orderByData == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot scan hnsw index without order")));
		/* pg_stat_*_indexes.idx_scan, and 18's EXPLAIN "Index Searches" */
		pgstat_count_index_scan(scan->indexRelation);
		vx_count_index_search(scan);
		old = MemoryContextSwitchTo(so->cxt);
		so->pool = pairingheap_allocate(cmp_pool, NULL);
		start_search(scan);
		MemoryContextSwitchTo(old);
		so->searched = true;
	}

	/* statistics only: on a standby the executor never says so */
	if (scan->kill_prior_tuple)
		so->killed++;

	for (;;)
	{
		r = pairingheap_is_empty(so->pool) ? NULL :
			pairingheap_container(VxResult, ph, pairingheap_first(so->pool));
		if (!so->exhausted &&
			(r == NULL ||
			 (r->batch == so->batches && !so->nanquery && !(r->lb <= so->horizon))))
		{
			CHECK_FOR_INTERRUPTS();
			old = MemoryContextSwitchTo(so->cxt);
			fetch_batch(scan);
			MemoryContextSwitchTo(old);
			continue;
		}
		if (r == NULL)
			return false;
		(void) pairingheap_remove_first(so->pool);

		/*
		 * A row whose bound is below one already returned came with a
		 * later batch than the horizon expected.  The executor may have
		 * emitted rows farther than it: relaxed_order returns it (the
		 * output may then be slightly out of order), off and strict_order
		 * skip it.
		 */
		if (r->lb < so->last_lb && vx_iterative_scan != VX_ITERATIVE_RELAXED)
		{
			so->skipped++;
			continue;
		}
		break;
	}

	if (r->lb > so->last_lb)
		so->last_lb = r->lb;
	so->returned++;
	scan->xs_heaptid = r->heaptid;
	scan->xs_recheck = false;
	scan->xs_orderbyvals[0] = Float8GetDatum(r->lb);
	scan->xs_orderbynulls[0] = so->qnull;

	/*
	 * The index orders by the first ORDER BY key only.  A later key gets
	 * the weakest bound, minus infinity, and so always a recheck: the
	 * executor then orders rows that tie on the first key by the others.
	 */
	scan->xs_recheckorderby = !r->exact || scan->numberOfOrderBys > 1;
	for (int i = 1; i < scan->numberOfOrderBys; i++)
	{
		scan->xs_orderbyvals[i] = Float8GetDatum(-get_float8_infinity());
		scan->xs_orderbynulls[i] = false;
	}
	return true;
}

void
hnswendscan(IndexScanDesc scan)
{
	VxScanOpaque so = (VxScanOpaque) scan->opaque;

	if (so->searched && so->g.index != NULL)
		elog(DEBUG1, "hnsw scan of \"%s\": " UINT64_FORMAT " distances, " UINT64_FORMAT
			 " index page reads, %d batches, " INT64_FORMAT " rows returned, "
			 INT64_FORMAT " skipped out of order, " INT64_FORMAT " reported dead, %zu kB",
			 RelationGetRelationName(scan->indexRelation), so->g.ndistances, so->g.npages,
			 so->batches, so->returned, so->skipped, so->killed,
			 scan_memory(so) / 1024);
	vx_disk_graph_release_kept(&so->g);
	MemoryContextDelete(so->cxt);
	pfree(so);
	scan->opaque = NULL;
}
