/*-------------------------------------------------------------------------
 *
 * hnswsearch.c
 *	  The HNSW search, shared by build, insert and scan: distances between a
 *	  query and a node's code, the layer search (Malkov & Yashunin,
 *	  Algorithm 2), the neighbour-selection heuristic (Algorithm 4), and the
 *	  walker that runs the layer search over index pages.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "storage/buf_internals.h"
#include "storage/bufmgr.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "distance.h"
#include "hnsw.h"

/* pages an expansion keeps pinned at once (PrivateRefCount array has 8) */
#define VX_PIN_BATCH 6

/*
 * Distance from a query to a node code.  L2 and cosine return squared L2
 * (cosine on unit vectors), inner product returns the negative dot product,
 * L1 the L1 distance; all are exact for the decoded vector x^.  The BITS
 * codec's distances (Hamming, Jaccard) are the operators' own, the SPARSE
 * codec's those of the sparse vectors (cosine: 2 (1 - similarity)).  The
 * INT8 codes come first: only an unquantized index looks at the codec.
 */
float
vx_distance(const VxQuery *q, const char *code, float aux)
{
	const VxIndexInfo *info = q->info;
	const uint8 *c = (const uint8 *) code;
	int			n = info->dim;
	float		s = info->quant.scale;

	if (!info->quantized)
	{
		const float *x = (const float *) code;

		if (info->codec == VX_CODEC_BITS)
			return vx_bits_distance(info, (const char *) q->qf, code);
		if (info->codec == VX_CODEC_SPARSE)
			return vx_sparse_distance(info, (const char *) q->qf, q->qaux, code, aux);
		switch (info->metric)
		{
			case VX_METRIC_IP:
				return -vx_kern->dot_f32(q->qf, x, n);
			case VX_METRIC_L1:
				return vx_kern->l1_f32(q->qf, x, n);
			default:
				return vx_kern->l2sq_f32(q->qf, x, n);
		}
	}

	if (q->is_code)
		return vx_code_distance(info, (const char *) q->qc, q->qaux, code, aux);

	switch (info->metric)
	{
		case VX_METRIC_IP:
			return -(q->qaux + s * vx_kern->dot_f32u8(q->qf, c, n));
		case VX_METRIC_L1:
			return s * vx_kern->l1_f32u8(q->qf, c, n);
		default:
			return s * s * vx_kern->l2sq_f32u8(q->qf, c, n);
	}
}

/*
 * Make a stored code (and its aux value) the query: compared code to code
 * when quantized; with quantization off the code is the float vector (the
 * BITS and SPARSE codecs: their code, which qf then points at; SPARSE
 * reads qaux).  q->info must be set.
 */
void
vx_query_set_code(VxQuery *q, const char *code, float aux)
{
	if (q->info->quantized)
	{
		q->is_code = true;
		q->qc = (const uint8 *) code;
		q->qaux = aux;
	}
	else
	{
		q->qf = (const float *) code;
		q->qaux = aux;
	}
}

/* distance between two stored codes, same measure as vx_distance */
float
vx_code_distance(const VxIndexInfo *info, const char *c1, float aux1,
				 const char *c2, float aux2)
{
	int			n = info->dim;
	float		s = info->quant.scale;
	const uint8 *a = (const uint8 *) c1;
	const uint8 *b = (const uint8 *) c2;

	if (!info->quantized)
	{
		const float *x = (const float *) c1;
		const float *y = (const float *) c2;

		if (info->codec == VX_CODEC_BITS)
			return vx_bits_distance(info, c1, c2);
		if (info->codec == VX_CODEC_SPARSE)
			return vx_sparse_distance(info, c1, aux1, c2, aux2);
		switch (info->metric)
		{
			case VX_METRIC_IP:
				return -vx_kern->dot_f32(x, y, n);
			case VX_METRIC_L1:
				return vx_kern->l1_f32(x, y, n);
			default:
				return vx_kern->l2sq_f32(x, y, n);
		}
	}

	switch (info->metric)
	{
		case VX_METRIC_IP:
			return -(float) (info->quant.offset_sqnorm +
							 (double) s * ((double) aux1 + aux2) +
							 (double) s * s * vx_kern->dot_u8(a, b, n));
		case VX_METRIC_L1:
			return s * (float) vx_kern->l1_u8(a, b, n);
		default:
			return s * s * (float) vx_kern->l2sq_u8(a, b, n);
	}
}

/*
 * Binary heaps of candidates (VxHeap, hnsw.h).
 */
static inline bool
heap_above(const VxHeap *h, const VxCand *x, const VxCand *y)
{
	return h->max ? x->dist > y->dist : x->dist < y->dist;
}

static void
heap_push(VxHeap *h, VxCand c)
{
	int			i;

	if (h->n == h->cap)
	{
		h->cap *= 2;
		h->a = repalloc(h->a, sizeof(VxCand) * h->cap);
	}
	i = h->n++;
	while (i > 0)
	{
		int			p = (i - 1) / 2;

		if (!heap_above(h, &c, &h->a[p]))
			break;
		h->a[i] = h->a[p];
		i = p;
	}
	h->a[i] = c;
}

static VxCand
heap_pop(VxHeap *h)
{
	VxCand		top = h->a[0];
	VxCand		last = h->a[--h->n];
	int			i = 0;

	for (;;)
	{
		int			l = 2 * i + 1;
		int			best;

		if (l >= h->n)
			break;
		best = l;
		if (l + 1 < h->n && heap_above(h, &h->a[l + 1], &h->a[l]))
			best = l + 1;
		if (!heap_above(h, &h->a[best], &last))
			break;
		h->a[i] = h->a[best];
		i = best;
	}
	if (h->n > 0)
		h->a[i] = last;
	return top;
}

static void
heap_init(VxHeap *h, int cap, bool max)
{
	h->cap = Max(cap, 16);
	h->a = palloc(sizeof(VxCand) * h->cap);
	h->n = 0;
	h->max = max;
}

/*
 * Start a layer search from the given entry points (already marked
 * visited).  keep_found: remember every node found, for later batches.
 */
void
vx_layer_search_init(VxLayerSearch *st, VxCand *eps, int neps, bool keep_found)
{
	heap_init(&st->cand, Max(neps, 64), false);
	heap_init(&st->found, Max(neps, 64), false);
	st->keep_found = keep_found;
	for (int i = 0; i < neps; i++)
		heap_push(&st->found, eps[i]);
}

/*
 * The next batch of a layer search (Algorithm 2): the ef closest nodes
 * among those found and not yet returned, after expanding the frontier
 * until no candidate can improve them.  Writes them to result in ascending
 * order of distance (result has room for ef) and returns how many there
 * are: fewer than ef only when the reachable graph is exhausted.  The
 * first batch of a search is exactly the classic layer search.
 */
int
vx_layer_search_next(VxSearch *s, VxLayerSearch *st, int ef, int layer,
					 VxCand *result)
{
	VxHeap		best;
	VxCand	   *out = palloc(sizeof(VxCand) * s->max_out);
	int			n;

	heap_init(&best, ef + 1, true);
	/* the best nodes found so far seed this batch, and may be expanded */
	while (best.n < ef && st->found.n > 0)
	{
		VxCand		c = heap_pop(&st->found);

		heap_push(&best, c);
		heap_push(&st->cand, c);
	}

	while (st->cand.n > 0)
	{
		VxCand		c = heap_pop(&st->cand);
		int			nout;

		if (best.n >= ef && c.dist > best.a[0].dist)
		{
			if (st->keep_found)
				heap_push(&st->cand, c);	/* still frontier next batch */
			break;
		}

		nout = s->expand(s->graph, c.id, layer,
						 best.n >= ef ? best.a[0].dist : get_float4_infinity(), out);
		for (int i = 0; i < nout; i++)
		{
			if (best.n < ef || out[i].dist < best.a[0].dist)
			{
				heap_push(&st->cand, out[i]);
				heap_push(&best, out[i]);
				if (best.n > ef)
				{
					VxCand		worst = heap_pop(&best);

					if (st->keep_found)
						heap_push(&st->found, worst);
				}
			}
			else if (st->keep_found)
				heap_push(&st->found, out[i]);
		}
	}

	n = best.n;
	for (int i = n - 1; i >= 0; i--)
		result[i] = heap_pop(&best);
	pfree(out);
	pfree(best.a);
	return n;
}

/*
 * The next n nodes found but not yet returned, closest first, without
 * expanding the frontier: what a scan past its budget still has to return
 * (result has room for n).  Returns how many there were.
 */
int
vx_layer_search_drain(VxLayerSearch *st, int n, VxCand *result)
{
	int			k = 0;

	Assert(st->keep_found);
	while (k < n && st->found.n > 0)
		result[k++] = heap_pop(&st->found);
	return k;
}

/*
 * The smallest distance a node of a later batch is expected to have: the
 * closest node found but not returned and, if the search may expand
 * further, the closest frontier node (a batch ends when the frontier's
 * closest is farther than its farthest result, so both are at least that
 * far).  Not a bound: a frontier node can lead to a closer node than
 * itself.  Infinity when nothing is left.
 */
float
vx_layer_search_floor(const VxLayerSearch *st, bool expanding)
{
	float		f = get_float4_infinity();

	if (st->found.n > 0)
		f = Min(f, st->found.a[0].dist);
	if (expanding && st->cand.n > 0)
		f = Min(f, st->cand.a[0].dist);
	return f;
}

/*
 * Search one layer from the given entry points (already marked visited),
 * keeping the ef closest nodes: one batch of a layer search.  result must
 * have room for Max(ef, neps) entries.
 */
int
vx_search_layer(VxSearch *s, VxCand *eps, int neps, int ef, int layer,
				VxCand *result)
{
	VxLayerSearch st;
	int			n;

	vx_layer_search_init(&st, eps, neps, false);
	/* with fewer slots than entry points, keep the best ef of them */
	n = vx_layer_search_next(s, &st, Max(ef, 1), layer, result);
	pfree(st.cand.a);
	pfree(st.found.a);
	return n;
}

/* sort candidates by ascending distance (stable; lists are short) */
void
vx_sort_cands(VxCand *c, int n)
{
	for (int i = 1; i < n; i++)
	{
		VxCand		x = c[i];
		int			j = i - 1;

		while (j >= 0 && c[j].dist > x.dist)
		{
			c[j + 1] = c[j];
			j--;
		}
		c[j + 1] = x;
	}
}

/*
 * The neighbour-selection heuristic: walk the candidates in ascending
 * distance to the base node and keep one only if it is closer to the base
 * than to every candidate already kept.  The first nfixed candidates are
 * members a list already holds: kept as they are, in front, and checked
 * against like any kept one; the rest must be sorted.  Writes the kept
 * indexes into cc->cands to chosen[], returns their number (<= keep).
 */
int
vx_select_neighbors(const VxIndexInfo *info, const VxCandCodes *cc, int keep,
					int nfixed, int *chosen)
{
	const VxCand *cands = cc->cands;
	char	  **codes = cc->codes;
	const float *auxes = cc->auxes;
	int			n = cc->n;
	int			k = 0;

	for (int i = 0; i < n && k < keep; i++)
	{
		bool		good = true;

		if (i < nfixed)
		{
			chosen[k++] = i;
			continue;
		}

		for (int j = 0; j < k; j++)
		{
			int			o = chosen[j];

			if (vx_code_distance(info, codes[i], auxes[i],
								 codes[o], auxes[o]) < cands[i].dist)
			{
				good = false;
				break;
			}
		}
		if (good)
			chosen[k++] = i;
	}
	return k;
}

/*
 * Top a selection up to target with the closest candidates it left out
 * (cands ascending, chosen as vx_select_neighbors wrote it).  Returns the
 * new count.
 */
int
vx_top_up(int n, int *chosen, int k, int target)
{
	for (int i = 0; i < n && k < target; i++)
	{
		bool		have = false;

		for (int j = 0; j < k && !have; j++)
			have = chosen[j] == i;
		if (!have)
			chosen[k++] = i;
	}
	return k;
}

/* level of a new node: floor(-ln(U) / ln(m)), capped to what fits a page */
int
vx_random_level(const VxIndexInfo *info)
{
	double		u = pg_prng_double(&pg_global_prng_state);
	int			level;

	if (u <= 0)
		u = 1e-300;
	level = (int) floor(-log(u) / log((double) info->m));
	return Min(level, info->maxlevel);
}

/*
 * Visited map for walks over index pages: open addressing on packed TIDs,
 * each entry carrying the slot of the node's cached neighbour list (-1:
 * not cached).  An entry counts only if its generation is the current
 * one, so starting a new layer is one increment, not a memset.  Key,
 * generation and slot share one 16-byte entry, so a probe touches one
 * cache line, not three.
 */
typedef struct VxVisitEntry
{
	uint64		key;
	uint32		gen;
	int32		slot;
} VxVisitEntry;

struct VxVisited
{
	VxVisitEntry *e;
	uint32		gen;
	uint32		mask;
	uint32		count;
	uint32		ngrow;			/* growths so far: entry pointers move */
};

static VxVisited *
visited_create(MemoryContext cxt, int expected)
{
	VxVisited  *v = MemoryContextAlloc(cxt, sizeof(VxVisited));
	uint32		cap = 256;

	/* room for expected nodes, at most 64k to begin with: it grows */
	while (cap < (uint32) expected * 2 && cap < 65536)
		cap <<= 1;
	v->e = MemoryContextAllocZero(cxt, sizeof(VxVisitEntry) * cap);
	v->gen = 1;
	v->mask = cap - 1;
	v->count = 0;
	v->ngrow = 0;
	return v;
}

static inline uint32
visited_hash(uint64 k)
{
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return (uint32) k;
}

static void
visited_reset(VxVisited *v)
{
	/* a scan's map is reused by later scans: the generation may wrap */
	if (++v->gen == 0)
	{
		memset(v->e, 0, sizeof(VxVisitEntry) * ((Size) v->mask + 1));
		v->gen = 1;
	}
	v->count = 0;
}

static int32 *visited_insert(VxVisited *v, uint64 id, bool *isnew);

static void
visited_grow(VxVisited *v)
{
	VxVisitEntry *old = v->e;
	uint32		oldcap = v->mask + 1;

	/* in the old array's context: a scan's reused arrays stay reusable */
	v->e = MemoryContextAllocZero(GetMemoryChunkContext(old),
								  sizeof(VxVisitEntry) * oldcap * 2);
	v->mask = oldcap * 2 - 1;
	v->count = 0;
	v->ngrow++;
	for (uint32 i = 0; i < oldcap; i++)
		if (old[i].gen == v->gen)
		{
			bool		isnew;

			*visited_insert(v, old[i].key, &isnew) = old[i].slot;
		}
	pfree(old);
}

/* find or add id; returns its slot field (-1 for a new entry) */
static int32 *
visited_insert(VxVisited *v, uint64 id, bool *isnew)
{
	uint32		i;
	VxVisitEntry *e;

	if ((v->count + 1) * 2 > v->mask)
		visited_grow(v);
	i = visited_hash(id) & v->mask;
	for (e = &v->e[i]; e->gen == v->gen; e = &v->e[i])
	{
		if (e->key == id)
		{
			*isnew = false;
			return &e->slot;
		}
		i = (i + 1) & v->mask;
	}
	e->key = id;
	e->gen = v->gen;
	e->slot = -1;
	v->count++;
	*isnew = true;
	return &e->slot;
}

/* the arrays of a VxDiskGraph, allocated in cxt for about expected nodes */
static void
disk_graph_alloc(VxDiskGraph *g, MemoryContext cxt, int expected, int listcap)
{
	g->visited = visited_create(cxt, expected);
	g->listcap = listcap;
	g->lists = MemoryContextAlloc(cxt, sizeof(ItemPointerData) * 2 * g->info->m * g->listcap);
	g->listlen = MemoryContextAlloc(cxt, sizeof(uint8) * g->listcap);
}

/* a VxDiskGraph of index, no arrays yet */
static void
disk_graph_reset(VxDiskGraph *g, Relation index, const VxIndexInfo *info)
{
	memset(g, 0, sizeof(VxDiskGraph));
	g->index = index;
	g->info = info;
	g->query.info = info;
}

void
vx_disk_graph_init(VxDiskGraph *g, Relation index, const VxIndexInfo *info,
				   int expected)
{
	disk_graph_reset(g, index, info);
	disk_graph_alloc(g, CurrentMemoryContext, expected, 64);
}

void
vx_disk_graph_free(VxDiskGraph *g)
{
	pfree(g->visited->e);
	pfree(g->visited);
	pfree(g->lists);
	pfree(g->listlen);
	g->visited = NULL;
}

/*
 * Arrays kept for the next index scan or insert of this backend.  A
 * search's visited map and list copies take about 100-400 kB at ef_search
 * 40-100 (more at ef_construction); allocated and freed per query they
 * cost page faults and kernel page clearing every time (perf: ~9% of a
 * bible query at ef_search 40), and grown from a small start they are
 * copied at every doubling (an insert: ~5% of a build that goes on on
 * disk), so one set is kept in TopMemoryContext between searches.  A
 * search takes it if no other one holds it (a nested scan allocates its
 * own), gives it back at rescan or end; an error in between leaves it
 * held, and the end of the transaction makes it free again (nothing of a
 * search outlives its transaction).  A set grown past VX_SCAN_KEEP_BYTES
 * is freed, not kept.
 */
#define VX_SCAN_KEEP_BYTES	(4 * 1024 * 1024)

static struct
{
	MemoryContext cxt;			/* holds the kept arrays; NULL: none yet */
	bool		busy;			/* a scan holds them */
	int			m;				/* the lists' width is 2m */
	VxVisited  *visited;
	ItemPointerData *lists;
	uint8	   *listlen;
	int32		listcap;
} scan_keep;

static void
scan_keep_xact(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		scan_keep.busy = false;
}

/* bytes held by a graph's arrays */
Size
vx_disk_graph_bytes(const VxDiskGraph *g)
{
	uint64		vcap = (uint64) g->visited->mask + 1;

	return vcap * sizeof(VxVisitEntry) +
		(Size) g->listcap * (sizeof(ItemPointerData) * 2 * g->info->m + 1);
}

/*
 * vx_disk_graph_init for an index scan or an insert: the kept arrays if
 * they are free (g->kept), else fresh ones in the current context.
 */
void
vx_disk_graph_init_kept(VxDiskGraph *g, Relation index, const VxIndexInfo *info,
						int expected)
{
	disk_graph_reset(g, index, info);
	if (scan_keep.busy)
	{
		disk_graph_alloc(g, CurrentMemoryContext, expected, 64);
		return;
	}
	if (scan_keep.cxt == NULL)
	{
		scan_keep.cxt = AllocSetContextCreate(TopMemoryContext, "hnsw scan arrays",
											  ALLOCSET_DEFAULT_SIZES);
		RegisterXactCallback(scan_keep_xact, NULL);
	}
	scan_keep.busy = true;
	g->kept = true;
	if (scan_keep.visited == NULL || scan_keep.m != info->m)
	{
		/* lists for the nodes a search of this size reads, grown if need be */
		MemoryContextReset(scan_keep.cxt);
		disk_graph_alloc(g, scan_keep.cxt, expected, Max(64, Min(expected, 2048)));
		scan_keep.m = info->m;
		return;
	}
	g->visited = scan_keep.visited;
	g->lists = scan_keep.lists;
	g->listlen = scan_keep.listlen;
	g->listcap = scan_keep.listcap;
	visited_reset(g->visited);
	scan_keep.visited = NULL;
}

/* give kept arrays back (or free them if they grew too large) */
void
vx_disk_graph_release_kept(VxDiskGraph *g)
{
	if (!g->kept)
		return;
	Assert(scan_keep.busy);
	if (vx_disk_graph_bytes(g) > VX_SCAN_KEEP_BYTES)
		MemoryContextReset(scan_keep.cxt);
	else
	{
		scan_keep.visited = g->visited;
		scan_keep.lists = g->lists;
		scan_keep.listlen = g->listlen;
		scan_keep.listcap = g->listcap;
	}
	scan_keep.busy = false;
	g->visited = NULL;
	g->kept = false;
}

bool
vx_disk_visit(VxDiskGraph *g, uint64 id)
{
	bool		isnew;

	visited_insert(g->visited, id, &isnew);
	return isnew;
}

/*
 * The length of a compact list (valid slots first, then invalid ones, as
 * every writer leaves it and the verifier checks): full lists are the
 * common case, then a binary search.  On a corrupt, non-compact list the
 * length may take in invalid slots; their offset 0 is refused when read.
 */
static inline int
compact_list_length(const ItemPointerData *slots, int nslots)
{
	int			lo = 0,
				hi = nslots;

	if (nslots == 0 || slots[nslots - 1].ip_posid != 0)
		return nslots;
	/* slots[hi] is invalid; find the first invalid slot in [lo, hi] */
	hi = nslots - 1;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (slots[mid].ip_posid != 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Keep a copy of a node's list on the current layer for its expansion:
 * the slots are copied whole, the length is where the first invalid slot
 * (offset 0) is.
 */
static int32
cache_list(VxDiskGraph *g, const VxNodeHeader *node)
{
	int			cap = 2 * g->info->m;
	ItemPointerData *dst;
	int			n = 0;
	int			nslots;

	if (g->nlists == g->listcap)
	{
		g->listcap *= 2;
		g->lists = repalloc(g->lists, sizeof(ItemPointerData) * cap * g->listcap);
		g->listlen = repalloc(g->listlen, sizeof(uint8) * g->listcap);
	}
	dst = g->lists + (Size) cap * g->nlists;
	if (g->layer <= node->level)
	{
		nslots = vx_layer_slots(g->info->m, g->layer);
		memcpy(dst, (const char *) node + vx_layer_offset(g->info->m, g->layer),
			   sizeof(ItemPointerData) * nslots);
		n = compact_list_length(dst, nslots);
	}
	g->listlen[g->nlists] = (uint8) n;
	return g->nlists++;
}

/* sort helper: order TIDs by block so each page is read once; p[] alongside */
static void
sort_by_block_with(uint64 *ids, int32 **p, int n)
{
	for (int i = 1; i < n; i++)
	{
		uint64		x = ids[i];
		int32	   *px = p[i];
		int			j = i - 1;

		while (j >= 0 && ids[j] > x)
		{
			ids[j + 1] = ids[j];
			p[j + 1] = p[j];
			j--;
		}
		ids[j + 1] = x;
		p[j + 1] = px;
	}
}

/*
 * Before an expansion pins its pages (or an insert reads a list's
 * members): prefetch, for every page whose buffer the hint array names,
 * the lines the checked read touches before it gets to the node (the
 * buffer descriptor the pin works on, the page header with the first line
 * pointers, the line pointer of each node, the special space at the page's
 * end), so that the misses of all the pages overlap instead of coming one
 * page after the other.  Only addresses are computed here: a
 * hint may name a buffer that now holds another page, which costs a useless
 * prefetch and nothing else (vx_read_buffer checks the tag when it pins).
 */
void
vx_prefetch_page_heads(const VxIndexInfo *info, const uint64 *ids, int k)
{
	BlockNumber last = InvalidBlockNumber;
	const char *page = NULL;

	for (int x = 0; x < k; x++)
	{
		BlockNumber blk = vx_tid_block(ids[x]);
		OffsetNumber off = vx_tid_offset(ids[x]);

		if (blk != last)
		{
			Buffer	   *slot = vx_recent_hint(info, blk);
			Buffer		hint = slot != NULL ? *slot : InvalidBuffer;

			last = blk;
			page = NULL;
			if (!BufferIsValid(hint) || BufferIsLocal(hint))
				continue;
			__builtin_prefetch(GetBufferDescriptor(hint - 1));
			page = (const char *) BufferGetBlock(hint);
			__builtin_prefetch(page);
			__builtin_prefetch(page + BLCKSZ - 64);
		}
		if (page != NULL && off >= FirstOffsetNumber &&
			off <= (BLCKSZ - SizeOfPageHeaderData) / sizeof(ItemIdData))
			__builtin_prefetch(page + SizeOfPageHeaderData + (off - 1) * sizeof(ItemIdData));
	}
}

/*
 * The neighbour list of a node being expanded at the current layer: the
 * copy taken when the node was visited, or, for an entry point, read from
 * its page into own.
 */
static int
expanded_list(VxDiskGraph *g, uint64 id, ItemPointerData *own, ItemPointerData **nbrs)
{
	const VxIndexInfo *info = g->info;
	bool		isnew;
	int32		slot = *visited_insert(g->visited, id, &isnew);
	ItemPointerData tid;
	Buffer		buf;
	VxNodeHeader *node;
	int			nn;

	if (slot >= 0)
	{
		*nbrs = g->lists + (Size) 2 * info->m * slot;
		return g->listlen[slot];
	}
	vx_tid_unpack(id, &tid);
	buf = vx_read_buffer(g->index, info, ItemPointerGetBlockNumber(&tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = vx_page_node(g->index, BufferGetPage(buf), ItemPointerGetBlockNumber(&tid),
						ItemPointerGetOffsetNumber(&tid));
	nn = vx_node_neighbors(info, node, g->layer, own);
	UnlockReleaseBuffer(buf);
	g->npages++;
	*nbrs = own;
	return nn;
}

/* the neighbours an expansion reads: packed TIDs sorted by block, their visited entries */
typedef struct VxToRead
{
	uint64		ids[2 * VX_MAX_M];
	int32	   *slotp[2 * VX_MAX_M];
	int			k;
	bool		moved;			/* the visited map grew: slotp[] are stale */
	float		bound;			/* only a node closer than this may be expanded */
} VxToRead;

/*
 * Read the nodes r->ids[i ..] of up to VX_PIN_BATCH pages: pin those
 * pages and prefetch the nodes' headers and code starts before the first
 * is read, so that their cache misses overlap (staying within the
 * backend's small array of private pin counts); then, one share lock at a
 * time, compute each node's distance into out[*nout] and, if the search
 * may expand it (it is within r->bound), copy its list, storing the copy's
 * slot in its visited entry (*r->slotp[x], or looked up again if the map
 * moved).  The unlocked peek at a line pointer only computes a prefetch
 * address; every real read happens under the lock, with checks.  Returns
 * the index after the last node read.
 */
static int
read_node_batch(VxDiskGraph *g, VxToRead *r, int i, VxCand *out, int *nout)
{
	const VxIndexInfo *info = g->info;
	const uint64 *ids = r->ids;
	int			k = r->k;
	Size		pf_end = vx_code_offset(info->m, 0) + info->prefetchsize;
	Buffer		bufs[VX_PIN_BATCH];
	int			starts[VX_PIN_BATCH + 1];
	int			nb = 0;
	int			j = i;
	bool		isnew;

	while (j < k && nb < VX_PIN_BATCH)
	{
		BlockNumber blk = vx_tid_block(ids[j]);
		Page		page;

		bufs[nb] = vx_read_buffer(g->index, info, blk);
		page = BufferGetPage(bufs[nb]);
		starts[nb++] = j;
		for (; j < k && vx_tid_block(ids[j]) == blk; j++)
		{
			const char *item = vx_peek_item(page, vx_tid_offset(ids[j]));

			__builtin_prefetch(item);
			for (Size p = vx_layer_offset(info->m, 0) + 64; p < pf_end; p += 64)
				__builtin_prefetch(item + p);
		}
	}
	starts[nb] = j;
	g->npages += nb;

	for (int b = 0; b < nb; b++)
	{
		BlockNumber blk = vx_tid_block(ids[starts[b]]);
		Page		page = BufferGetPage(bufs[b]);

		LockBuffer(bufs[b], BUFFER_LOCK_SHARE);
		for (int x = starts[b]; x < starts[b + 1]; x++)
		{
			VxNodeHeader *node = vx_page_node(g->index, page, blk, vx_tid_offset(ids[x]));
			float		d = vx_distance(&g->query, vx_node_code(info, node), node->aux);
			int32		ls;

			out[*nout].id = ids[x];
			out[*nout].dist = d;
			(*nout)++;
			/*
			 * Most nodes read are farther than the bound and never expanded
			 * (or only in a later batch of a scan, which reads the page
			 * again): keep the lists of the others only -- of every node
			 * while the bound is infinite (the result not yet full), which
			 * the search takes whatever its distance (infinite or NaN).
			 */
			if (!isinf(r->bound) && !(d < r->bound))
				continue;
			ls = cache_list(g, node);
			/* nothing else adds to the map here: only a growth moves entries */
			if (!r->moved)
				*r->slotp[x] = ls;
			else
				*visited_insert(g->visited, ids[x], &isnew) = ls;
		}
		UnlockReleaseBuffer(bufs[b]);
	}
	return j;
}

/*
 * Expand a node on disk at the current layer: its neighbour list
 * (expanded_list); then the neighbours not yet visited are entered in the
 * visited map, sorted by block, their pages' first lines prefetched, and
 * read batch by batch (read_node_batch): one page read per distinct block,
 * one buffer lock at a time, never held across another read.
 */
int
vx_disk_expand(void *graph, uint64 id, int layer, float bound, VxCand *out)
{
	VxDiskGraph *g = (VxDiskGraph *) graph;
	ItemPointerData own[2 * VX_MAX_M];
	ItemPointerData *nbrs;
	VxToRead	r;
	uint32		ngrow;
	int			nn;
	int			nout = 0;

	Assert(layer == g->layer);
	nn = expanded_list(g, id, own, &nbrs);
	r.k = 0;
	r.bound = bound;
	ngrow = g->visited->ngrow;
	for (int i = 0; i < nn; i++)
	{
		uint64		nid = vx_tid_pack(&nbrs[i]);
		bool		isnew;
		int32	   *sp = visited_insert(g->visited, nid, &isnew);

		if (isnew)
		{
			r.slotp[r.k] = sp;
			r.ids[r.k++] = nid;
		}
	}
	if (r.k == 0)
		return 0;
	r.moved = g->visited->ngrow != ngrow;
	/* slotp[] follows ids[] through the sort */
	sort_by_block_with(r.ids, r.slotp, r.k);
	vx_prefetch_page_heads(g->info, r.ids, r.k);
	for (int i = 0; i < r.k;)
		i = read_node_batch(g, &r, i, out, &nout);
	g->ndistances += nout;
	return nout;
}

/* distance from the query to one node, read from its page */
float
vx_disk_node_distance(VxDiskGraph *g, uint64 id, bool *found)
{
	ItemPointerData tid;
	Buffer		buf;
	VxNodeHeader *node;
	float		d;

	vx_tid_unpack(id, &tid);
	buf = vx_read_buffer(g->index, g->info, ItemPointerGetBlockNumber(&tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = vx_page_node(g->index, BufferGetPage(buf), ItemPointerGetBlockNumber(&tid),
						ItemPointerGetOffsetNumber(&tid));
	d = vx_distance(&g->query, vx_node_code(g->info, node), node->aux);
	UnlockReleaseBuffer(buf);
	g->npages++;
	g->ndistances++;
	*found = true;
	return d;
}

/* start searching a layer: fresh visited set seeded with the entry points */
void
vx_disk_begin_layer(VxDiskGraph *g, int layer, VxCand *eps, int neps)
{
	visited_reset(g->visited);
	g->nlists = 0;
	g->layer = layer;
	for (int i = 0; i < neps; i++)
		vx_disk_visit(g, eps[i].id);
}

/*
 * Greedy descent (ef = 1) from the entry point through the layers above
 * to_layer; returns the entry point for to_layer with its distance.
 */
VxCand
vx_disk_descend(VxDiskGraph *g, ItemPointer entry, int entry_level, int to_layer)
{
	VxSearch	s;
	VxCand		ep;
	bool		found;

	s.graph = g;
	s.expand = vx_disk_expand;
	s.max_out = 2 * g->info->m;
	ep.id = vx_tid_pack(entry);
	ep.dist = vx_disk_node_distance(g, ep.id, &found);
	for (int layer = entry_level; layer > to_layer; layer--)
	{
		VxCand		one;

		CHECK_FOR_INTERRUPTS();
		vx_disk_begin_layer(g, layer, &ep, 1);
		if (vx_search_layer(&s, &ep, 1, 1, layer, &one) > 0)
			ep = one;
	}
	return ep;
}

/*
 * Full descent from the entry point: greedy through the layers above
 * target_level, then a layer search with ef on each layer from
 * min(target_level, entry_level) down to 0.  The result of layer l goes to
 * out->cands[l] (palloc'd, ascending), its size to out->n[l], for
 * l = 0 .. min(target_level, entry_level).  Returns the size at layer 0.
 */
int
vx_disk_search(VxDiskGraph *g, int ef, int target_level, VxLayerResults *out,
			   ItemPointer entry, int entry_level)
{
	VxSearch	s;
	int			top = Min(target_level, entry_level);
	VxCand	   *eps = palloc(sizeof(VxCand) * Max(ef, 1));
	int			neps = 1;

	s.graph = g;
	s.expand = vx_disk_expand;
	s.max_out = 2 * g->info->m;
	eps[0] = vx_disk_descend(g, entry, entry_level, top);

	for (int layer = top; layer >= 0; layer--)
	{
		VxCand	   *res = palloc(sizeof(VxCand) * Max(ef, neps));
		int			n;

		CHECK_FOR_INTERRUPTS();
		vx_disk_begin_layer(g, layer, eps, neps);
		n = vx_search_layer(&s, eps, neps, ef, layer, res);
		out->cands[layer] = res;
		out->n[layer] = n;
		/* the next layer starts from this layer's result */
		memcpy(eps, res, sizeof(VxCand) * n);
		neps = n;
	}
	pfree(eps);
	return out->n[0];
}
