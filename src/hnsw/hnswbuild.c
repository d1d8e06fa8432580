/*-------------------------------------------------------------------------
 *
 * hnswbuild.c
 *	  CREATE INDEX: scan the heap, train the quantizer, build the graph in
 *	  memory, write it out page by page in one pass.
 *
 * Phases (README, "Build"):
 *	 1. load: the heap scan hands each row to build_callback().  The first
 *		rows (as many as a quarter of maintenance_work_mem holds as floats)
 *		are kept as floats; the quantizer is trained on their per-dimension
 *		range, then they and every later row are coded and inserted into the
 *		in-memory graph with the exact uint8 kernels.
 *	 2. repair: a breadth-first walk from the entry point over layer 0
 *		marks what is reachable; every node it misses is linked from the
 *		nearest reachable node a search finds (else from the entry point),
 *		so that every row can be found (README, departure 2);
 *	 3. write: nodes are laid out in breadth-first order from the entry
 *		point, so that a node's neighbours tend to share its page, and the
 *		pages are written in block order, changed in place (VxEdit, no
 *		record per page).  Repair and write report the progress phase
 *		"writing index pages";
 *	 4. log: once the last page is written (by a parallel build's leader,
 *		once its workers are done), every page of the index is WAL-logged
 *		as a full-page image (vx_build_edits_end, log_newpage_range).
 *	 Memory: every node is admitted only if the build's memory contexts
 *	 (training buffer, graph, and what the write phase will need for it)
 *	 stay within maintenance_work_mem; the training buffer's flush is no
 *	 exception.  Otherwise what is built so far is written out and the
 *	 remaining rows -- the rest of the training buffer included -- go
 *	 through the ordinary insert path (a NOTICE says so).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/generic_xlog.h"
#include "access/parallel.h"
#include "access/detoast.h"
#include "access/heaptoast.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/lwlock.h"
#include "storage/smgr.h"
#include "storage/spin.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "hnsw.h"

/*
 * A node of the in-memory graph.  Its variable part (code, layer-0
 * distances and diversity flags, list lengths, neighbour ids) is one block
 * of the arena at offset "data" from VxBuildState.base: a pointer in a
 * serial build (base 0), an offset into the shared graph in a parallel one
 * (base: where this process mapped it), so the same code serves both.
 */
typedef struct BNode
{
	ItemPointerData heaptid;
	ItemPointerData tid;		/* where it goes on disk (layout) */
	uint8		level;
	bool		div0ok;			/* div0 flags valid (below) */
	float		resid;
	float		norm;
	float		aux;
	Size		data;			/* the arena block, see bn_*() */

	/*
	 * Layer 0 while nodes are inserted (not after the repair pass): the
	 * list is kept in ascending distance order, d0[i] is the distance to
	 * member i, div0[i] says whether member i is "diverse" (the heuristic
	 * would keep it: no closer diverse member is nearer to it than this
	 * node is).  div0 is valid only when div0ok.
	 */
} BNode;

/*
 * What a parallel build shares (README, "Parallel build"): set up by the
 * leader, in the DSM segment under VX_KEY_SHARED.  The graph itself (node
 * array, node locks, arena) is under VX_KEY_GRAPH, the parallel heap scan
 * under VX_KEY_SCAN, the quantizer's offsets under VX_KEY_OFFSETS.
 */
typedef struct VxBuildShared
{
	/* constant once the workers run */
	Oid			heaprelid;
	Oid			indexrelid;
	bool		isconcurrent;
	bool		trained;
	float		qscale;
	int			tranche;		/* of the LWLocks below and in the graph */
	int64		capnodes;		/* node array length */
	Size		arena_size;		/* bytes of arena after the node locks */

	/* the allocator: nnodes and arena_used, under mutex */
	slock_t		mutex;
	int64		nnodes;
	Size		arena_used;
	double		reltuples;		/* sum over participants, under mutex */
	pg_atomic_uint64 indtuples; /* rows indexed so far (progress) */

	/*
	 * graph_lock: held shared by a process while it adds a node to the
	 * graph, exclusively by the one that writes the graph out when it is
	 * full (flushed then says so; the remaining rows go to disk).
	 * entry_lock: guards entry and entry_level; held exclusively for a
	 * whole insert by a node that may become the entry point.
	 * Lock order: graph_lock, entry_lock, one node lock (never two).
	 */
	LWLock		graph_lock;
	LWLock		entry_lock;
	bool		flushed;
	int64		entry;
	int			entry_level;
} VxBuildShared;

#define VX_KEY_SHARED	UINT64CONST(0xA000000000000001)
#define VX_KEY_SCAN		UINT64CONST(0xA000000000000002)
#define VX_KEY_GRAPH	UINT64CONST(0xA000000000000003)
#define VX_KEY_OFFSETS	UINT64CONST(0xA000000000000004)

typedef struct VxBuildState
{
	Relation	heap;
	Relation	index;
	VxIndexInfo *info;

	/* training buffer */
	VxRange		range;
	float	   *trainbuf;
	ItemPointerData *traintids;
	int			ntrain;
	int			traincap;

	/* the graph */
	BNode	   *nodes;
	int64		nnodes;
	int64		capnodes;
	int64		entry;
	int			entry_level;
	uint32	   *tags;			/* visited tags, one per node */
	uint32		tag;
	VxQuery		query;
	uintptr_t	base;			/* BNode.data is relative to this */
	Size		off_d0;			/* offsets in a node's arena block */
	Size		off_div0;
	Size		off_cnt;

	/* parallel build: NULL in a serial one */
	VxBuildShared *shared;
	LWLock	   *locks;			/* one per node; NULL: no concurrency */
	bool		leader;			/* reports progress */

	/* memory */
	char	   *arena;
	Size		arena_left;
	Size		mem_budget;		/* maintenance_work_mem */
	Size		mem_peak;		/* most the build contexts held (DEBUG1) */
	Size		mem_shared;		/* parallel: the graph segment, all tags */
	bool		ondisk;			/* spilled: rows go through the insert path */

	double		reltuples;
	double		indtuples;
	MemoryContext buildcxt;		/* parent of the two below: the budget */
	MemoryContext graphcxt;		/* the in-memory graph; reset by a spill */
	MemoryContext traincxt;		/* training buffer; deleted after the flush */
	MemoryContext tmpcxt;		/* per row, outside the budget */
	float	   *xbuf;
} VxBuildState;

#define ARENA_CHUNK (4 * 1024 * 1024)

/*
 * What the write phase allocates per node on top of the graph: the repair
 * pass's reached flags and queue (freed before the layout), the layout's
 * order array; plus a fixed allowance for the small allocations of the
 * searches and of node tuples.
 */
#define WRITE_BYTES_PER_NODE	(1 + 2 * sizeof(int64))
#define BUILD_MEM_SLACK			(2 * ALLOCSET_DEFAULT_INITSIZE)

/* what the build's contexts hold now (graph, training buffer); notes the peak */
static Size
build_memory(VxBuildState *bs)
{
	Size		used = MemoryContextMemAllocated(bs->buildcxt, true);

	if (used > bs->mem_peak)
		bs->mem_peak = used;
	return used;
}

/*
 * The part of maintenance_work_mem not yet taken: what the build holds,
 * plus what the write phase will need for the nodes in the graph, plus the
 * fixed allowance.
 */
static Size
budget_left(VxBuildState *bs)
{
	Size		taken = build_memory(bs) + BUILD_MEM_SLACK +
		WRITE_BYTES_PER_NODE * (Size) bs->nnodes;

	return taken < bs->mem_budget ? bs->mem_budget - taken : 0;
}

/*
 * Arena bytes of one node of this level with a code of codelen bytes: what
 * add_node takes from it.  The block holds, in this order, the layer-0
 * distances (2m floats), the diversity flags (2m), the list lengths
 * (level + 1), the neighbour ids (2m, then m per upper layer) and the code
 * (last: the SPARSE codec's codes vary in size), each part MAXALIGNed.
 */
static Size
node_arena_size(const VxIndexInfo *info, int level, Size codelen)
{
	int			slots = 2 * info->m + level * info->m;

	return MAXALIGN(sizeof(float) * 2 * info->m) + MAXALIGN(sizeof(bool) * 2 * info->m) +
		MAXALIGN(level + 1) + MAXALIGN(sizeof(int32) * slots) + MAXALIGN(codelen);
}

/*
 * The code size the budget's estimates count per node: the code, or for
 * the SPARSE codec, whose codes vary, a quarter of the largest (a guess:
 * it only divides the budget between node array and arena ahead of time,
 * and a wrong one means an earlier spill).
 */
static Size
typical_code_size(const VxIndexInfo *info)
{
	return info->codec == VX_CODEC_SPARSE ? info->codesize / 4 : info->codesize;
}

/* bytes of quantizer offsets (INT8 codec only: a sparse dim can be 10^9) */
static Size
offsets_bytes(const VxIndexInfo *info)
{
	return info->codec == VX_CODEC_INT8 ? sizeof(float) * info->dim : 0;
}

/* the fixed offsets of a node's arena block (node_arena_size) */
static void
set_node_offsets(VxBuildState *bs)
{
	const VxIndexInfo *info = bs->info;

	bs->off_d0 = 0;
	bs->off_div0 = bs->off_d0 + MAXALIGN(sizeof(float) * 2 * info->m);
	bs->off_cnt = bs->off_div0 + MAXALIGN(sizeof(bool) * 2 * info->m);
}

static inline float *
bn_d0(const VxBuildState *bs, const BNode *n)
{
	return (float *) (bs->base + n->data + bs->off_d0);
}

static inline bool *
bn_div0(const VxBuildState *bs, const BNode *n)
{
	return (bool *) (bs->base + n->data + bs->off_div0);
}

static inline uint8 *
bn_cnt(const VxBuildState *bs, const BNode *n)
{
	return (uint8 *) (bs->base + n->data + bs->off_cnt);
}

/* the neighbour ids, layer 0 first */
static inline int32 *
bn_nbr(const VxBuildState *bs, const BNode *n)
{
	return (int32 *) (bs->base + n->data + bs->off_cnt + MAXALIGN(n->level + 1));
}

static inline char *
bn_code(const VxBuildState *bs, const BNode *n)
{
	return (char *) bn_nbr(bs, n) +
		MAXALIGN(sizeof(int32) * (2 * bs->info->m + n->level * bs->info->m));
}

/*
 * Node locks (parallel build only; no-ops otherwise).  A process holds at
 * most one node lock at a time, and never waits for anything else while
 * it holds one: reading a list takes it shared, changing a list (or the
 * distances and flags beside it) exclusively.  Codes and levels never
 * change once a node is linked, so distances need no lock.
 */
static inline void
node_lock(VxBuildState *bs, int64 id, LWLockMode mode)
{
	if (bs->locks)
		LWLockAcquire(&bs->locks[id], mode);
}

static inline void
node_unlock(VxBuildState *bs, int64 id)
{
	if (bs->locks)
		LWLockRelease(&bs->locks[id]);
}

/*
 * The size of the arena chunk that a request of size bytes would take, with
 * left bytes of the budget free: small enough that a small budget is not
 * eaten at once, and no larger than what is left (but at least size).
 */
static inline Size
arena_chunk_size(const VxBuildState *bs, Size size, Size left)
{
	Size		chunk = Max(Min(ARENA_CHUNK, bs->mem_budget / 16), 65536);

	return Max(Min(chunk, left), size);
}

/*
 * How many entries the node arrays grow by when full (with left bytes of
 * the budget free): double, or only as many as the budget could still
 * hold nodes for, so that a full array does not end the in-memory build
 * while a third of the budget is unused.
 */
static int64
nodes_growth(const VxBuildState *bs, Size left)
{
	Size		per = node_arena_size(bs->info, 0, typical_code_size(bs->info)) +
		sizeof(BNode) + sizeof(uint32) + WRITE_BYTES_PER_NODE;

	return Max(1, Min(bs->capnodes, (int64) (left / per)));
}

static char *
arena_alloc(VxBuildState *bs, Size size)
{
	char	   *p;

	size = MAXALIGN(size);
	if (size > bs->arena_left)
	{
		Size		chunk = arena_chunk_size(bs, size, budget_left(bs));

		bs->arena = MemoryContextAllocHuge(bs->graphcxt, chunk);
		bs->arena_left = chunk;
	}
	p = bs->arena;
	bs->arena += size;
	bs->arena_left -= size;
	return p;
}

static inline int32 *
bnode_list(const VxBuildState *bs, BNode *n, int layer)
{
	int			m = bs->info->m;

	return bn_nbr(bs, n) + (layer == 0 ? 0 : 2 * m + (layer - 1) * m);
}

static inline float
bnode_distance(VxBuildState *bs, BNode *n)
{
	return vx_distance(&bs->query, bn_code(bs, n), n->aux);
}

/* in-memory expand for the shared layer search */
static int
mem_expand(void *graph, uint64 id, int layer, float bound, VxCand *out)
{
	VxBuildState *bs = (VxBuildState *) graph;
	BNode	   *n = &bs->nodes[id];
	int32	   *list = bnode_list(bs, n, layer);
	int			cnt;
	int32		todo[2 * VX_MAX_M];
	int			k = 0;

	node_lock(bs, (int64) id, LW_SHARED);
	cnt = bn_cnt(bs, n)[layer];
	for (int i = 0; i < cnt; i++)
	{
		int32		nb = list[i];

		if (bs->tags[nb] != bs->tag)
		{
			bs->tags[nb] = bs->tag;
			todo[k++] = nb;
			__builtin_prefetch(bn_code(bs, &bs->nodes[nb]));
		}
	}
	node_unlock(bs, (int64) id);
	for (int i = 0; i < k; i++)
	{
		out[i].id = todo[i];
		out[i].dist = bnode_distance(bs, &bs->nodes[todo[i]]);
	}
	return k;
}

/*
 * Heuristic selection over in-memory candidates (ascending): indexes into
 * cands go to chosen.  Returns how many (<= keep); vx_top_up adds pruned
 * ones after them.
 */
static int
mem_choose(VxBuildState *bs, VxCand *cands, int n, int keep, int *chosen)
{
	char	   *codes[2 * VX_MAX_M + VX_MAX_EF_CONSTRUCTION + 1];
	float		auxes[2 * VX_MAX_M + VX_MAX_EF_CONSTRUCTION + 1];
	VxCandCodes cc;

	for (int i = 0; i < n; i++)
	{
		codes[i] = bn_code(bs, &bs->nodes[cands[i].id]);
		auxes[i] = bs->nodes[cands[i].id].aux;
	}
	cc.cands = cands;
	cc.codes = codes;
	cc.auxes = auxes;
	cc.n = n;
	return vx_select_neighbors(bs->info, &cc, keep, 0, chosen);
}

/*
 * mem_choose topped up to fill (at most keep) with pruned candidates,
 * writing the chosen ids to out
 */
static int
mem_select(VxBuildState *bs, VxCand *cands, int n, int keep, int fill, int32 *out)
{
	int			chosen[2 * VX_MAX_M + VX_MAX_EF_CONSTRUCTION + 1];
	int			k = vx_top_up(n, chosen, mem_choose(bs, cands, n, keep, chosen),
							  Min(fill, keep));

	for (int i = 0; i < k; i++)
		out[i] = (int32) cands[chosen[i]].id;
	return k;
}

/*
 * Add a link from -> to on an upper layer, pruning a full list with the
 * heuristic (layer 0 has its own rule: mem_link0).
 */
static void
mem_link_upper_locked(VxBuildState *bs, int64 from, int layer, int64 to)
{
	const VxIndexInfo *info = bs->info;
	BNode	   *f = &bs->nodes[from];
	int32	   *list = bnode_list(bs, f, layer);
	int			cap = vx_layer_slots(info->m, layer);
	int			cnt = bn_cnt(bs, f)[layer];
	VxCand		cands[2 * VX_MAX_M + 1];

	if (cnt < cap)
	{
		list[cnt] = (int32) to;
		bn_cnt(bs, f)[layer]++;
		return;
	}
	for (int i = 0; i < cnt; i++)
	{
		BNode	   *o = &bs->nodes[list[i]];

		cands[i].id = list[i];
		cands[i].dist = vx_code_distance(info, bn_code(bs, f), f->aux, bn_code(bs, o), o->aux);
	}
	cands[cnt].id = to;
	cands[cnt].dist = vx_code_distance(info, bn_code(bs, f), f->aux,
									   bn_code(bs, &bs->nodes[to]), bs->nodes[to].aux);
	vx_sort_cands(cands, cnt + 1);
	bn_cnt(bs, f)[layer] = (uint8) mem_select(bs, cands, cnt + 1, cap, 0, list);
}

/* distance between two in-memory nodes */
static inline float
bnode_pair_distance(VxBuildState *bs, int64 a, int64 b)
{
	return vx_code_distance(bs->info, bn_code(bs, &bs->nodes[a]), bs->nodes[a].aux,
							bn_code(bs, &bs->nodes[b]), bs->nodes[b].aux);
}

/* (re)compute the diversity flags of a sorted layer-0 list */
static void
bnode_div0(VxBuildState *bs, BNode *f)
{
	VxCand		cands[2 * VX_MAX_M];
	int			chosen[2 * VX_MAX_M + VX_MAX_EF_CONSTRUCTION + 1];
	int			cnt = bn_cnt(bs, f)[0];
	int			k;

	for (int i = 0; i < cnt; i++)
	{
		cands[i].id = bn_nbr(bs, f)[i];
		cands[i].dist = bn_d0(bs, f)[i];
	}
	k = mem_choose(bs, cands, cnt, cnt, chosen);
	memset(bn_div0(bs, f), 0, sizeof(bool) * cnt);
	for (int i = 0; i < k; i++)
		bn_div0(bs, f)[chosen[i]] = true;
	f->div0ok = true;
}

/*
 * Add a link from -> to on layer 0, to at distance d from "from".
 *
 * Layer-0 lists stay full (the paper's keepPrunedConnections, as pgvector
 * does): a list with room takes the new member; a full list drops one
 * member of the cap + 1, the farthest one the heuristic would prune, or the
 * farthest of all if it would prune none.  That is what selecting with the
 * heuristic and topping up with the closest pruned members yields, but
 * computed incrementally from cached distances and diversity flags: only
 * the new member's distances to the diverse members are computed (about a
 * dozen), not the heuristic's quadratic pass over 2m + 1 members.  A member
 * that becomes pruned by the new one is flagged; members it alone pruned
 * are not re-examined (the flags can err towards "pruned", never lose a
 * list's diverse core to a cheap error: they only decide which member
 * goes).
 */
static void
mem_link0_locked(VxBuildState *bs, int64 from, int64 to, float d)
{
	BNode	   *f = &bs->nodes[from];
	int32	   *list = bn_nbr(bs, f);
	int			cap = vx_layer_slots(bs->info->m, 0);
	int			cnt = bn_cnt(bs, f)[0];
	int			p = cnt;
	bool		newdiv = true;
	int			drop;

	while (p > 0 && bn_d0(bs, f)[p - 1] > d)
		p--;

	if (cnt < cap)
	{
		memmove(list + p + 1, list + p, sizeof(int32) * (cnt - p));
		memmove(bn_d0(bs, f) + p + 1, bn_d0(bs, f) + p, sizeof(float) * (cnt - p));
		list[p] = (int32) to;
		bn_d0(bs, f)[p] = d;
		bn_cnt(bs, f)[0]++;
		f->div0ok = false;
		return;
	}

	if (!f->div0ok)
		bnode_div0(bs, f);
	for (int j = 0; j < p && newdiv; j++)
		if (bn_div0(bs, f)[j] && bnode_pair_distance(bs, to, list[j]) < d)
			newdiv = false;
	if (newdiv)
		for (int i = p; i < cnt; i++)
			if (bn_div0(bs, f)[i] && bnode_pair_distance(bs, list[i], to) < bn_d0(bs, f)[i])
				bn_div0(bs, f)[i] = false;

	/*
	 * The one to drop, in the merged order (members before p, the new one
	 * at p, the rest shifted by one): the farthest pruned, else the last.
	 */
	drop = cnt;
	for (int i = cnt; i >= 0; i--)
	{
		bool		div = i == p ? newdiv : bn_div0(bs, f)[i < p ? i : i - 1];

		if (!div)
		{
			drop = i;
			break;
		}
	}
	if (drop == p)
		return;					/* the new member is the one to go */
	if (drop < p)
	{
		/* remove drop, shift drop+1 .. p-1 down, insert at p - 1 */
		memmove(list + drop, list + drop + 1, sizeof(int32) * (p - 1 - drop));
		memmove(bn_d0(bs, f) + drop, bn_d0(bs, f) + drop + 1, sizeof(float) * (p - 1 - drop));
		memmove(bn_div0(bs, f) + drop, bn_div0(bs, f) + drop + 1, sizeof(bool) * (p - 1 - drop));
		p--;
	}
	else
	{
		/* drop is merged index > p: old index drop - 1; shift p .. drop-2 up */
		memmove(list + p + 1, list + p, sizeof(int32) * (drop - 1 - p));
		memmove(bn_d0(bs, f) + p + 1, bn_d0(bs, f) + p, sizeof(float) * (drop - 1 - p));
		memmove(bn_div0(bs, f) + p + 1, bn_div0(bs, f) + p, sizeof(bool) * (drop - 1 - p));
	}
	list[p] = (int32) to;
	bn_d0(bs, f)[p] = d;
	bn_div0(bs, f)[p] = newdiv;
}

/*
 * Whether from's list at this layer names to already.  Only a parallel
 * build can get there: to's search reached from through a layer above,
 * from chose to as a neighbour on this layer before to had set its own
 * list here, and to then chose from.
 */
static bool
mem_has_link(VxBuildState *bs, int64 from, int layer, int64 to)
{
	BNode	   *f = &bs->nodes[from];
	int32	   *list = bnode_list(bs, f, layer);

	for (int i = 0; i < bn_cnt(bs, f)[layer]; i++)
		if (list[i] == (int32) to)
			return true;
	return false;
}

/* the two link rules under the lock of the node whose list changes */
static void
mem_link_upper(VxBuildState *bs, int64 from, int layer, int64 to)
{
	node_lock(bs, from, LW_EXCLUSIVE);
	if (bs->locks == NULL || !mem_has_link(bs, from, layer, to))
		mem_link_upper_locked(bs, from, layer, to);
	node_unlock(bs, from);
}

static void
mem_link0(VxBuildState *bs, int64 from, int64 to, float d)
{
	node_lock(bs, from, LW_EXCLUSIVE);
	if (bs->locks == NULL || !mem_has_link(bs, from, 0, to))
		mem_link0_locked(bs, from, to, d);
	node_unlock(bs, from);
}

/*
 * Set a new node's own layer-0 list from its search results (ascending):
 * the heuristic's choice topped up to the full 2m with the closest
 * candidates it pruned, stored in ascending order with distances and flags.
 */
static void
mem_own0(VxBuildState *bs, BNode *n, VxCand *res, int nres)
{
	int			chosen[2 * VX_MAX_M + VX_MAX_EF_CONSTRUCTION + 1];
	int8		pick[VX_MAX_EF_CONSTRUCTION + 2 * VX_MAX_M + 1];	/* 0 out, 1 pruned, 2 diverse */
	int			cap = vx_layer_slots(bs->info->m, 0);
	int			ndiv = mem_choose(bs, res, nres, cap, chosen);
	int			k = vx_top_up(nres, chosen, ndiv, cap);
	int			c = 0;

	memset(pick, 0, nres);
	for (int i = 0; i < k; i++)
		pick[chosen[i]] = i < ndiv ? 2 : 1;
	/* in index order = ascending distance */
	for (int i = 0; i < nres; i++)
		if (pick[i])
		{
			bn_nbr(bs, n)[c] = (int32) res[i].id;
			bn_d0(bs, n)[c] = res[i].dist;
			bn_div0(bs, n)[c] = pick[i] == 2;
			c++;
		}
	bn_cnt(bs, n)[0] = (uint8) c;
	n->div0ok = true;
}

/*
 * Where an insert starts: the entry point and its level.  In a parallel
 * build, a node whose level is above the entry point's keeps the entry
 * lock for its whole insert (*held; end_insert releases it), so that two
 * such nodes cannot each link only below the other's level.
 */
static void
begin_insert(VxBuildState *bs, int level, bool *held)
{
	VxBuildShared *sh = bs->shared;

	*held = false;
	if (sh == NULL)
		return;
	LWLockAcquire(&sh->entry_lock, LW_SHARED);
	if (level > sh->entry_level)
	{
		LWLockRelease(&sh->entry_lock);
		LWLockAcquire(&sh->entry_lock, LW_EXCLUSIVE);
		*held = level > sh->entry_level;
	}
	bs->entry = sh->entry;
	bs->entry_level = sh->entry_level;
	if (!*held)
		LWLockRelease(&sh->entry_lock);
}

/* make id the entry point if its level is above the current one */
static void
end_insert(VxBuildState *bs, int64 id, int level, bool held)
{
	if (level > bs->entry_level)
	{
		bs->entry = id;
		bs->entry_level = level;
	}
	if (held)
	{
		bs->shared->entry = bs->entry;
		bs->shared->entry_level = bs->entry_level;
		LWLockRelease(&bs->shared->entry_lock);
	}
}

/*
 * In a parallel build another insert can link to node n on a layer before
 * n has set its own list there: it reached n through a layer above, where
 * n already linked back.  Those members are n's neighbours too; they join
 * n's search results (ascending, no duplicates) before n chooses its list,
 * which would otherwise overwrite them and lose the link (TAP 127 measured
 * parallel builds' recall below serial ones).  Called under n's lock;
 * res has room for 2m more.  Returns the new count.
 */
static int
merge_early_links(VxBuildState *bs, BNode *n, int layer, VxCand *res, int nres)
{
	int			cnt = bn_cnt(bs, n)[layer];
	int32	   *list = bnode_list(bs, n, layer);
	int			added = 0;

	for (int i = 0; i < cnt; i++)
	{
		bool		have = false;

		for (int j = 0; j < nres && !have; j++)
			have = res[j].id == (uint64) list[i];
		if (have)
			continue;
		res[nres + added].id = list[i];
		res[nres + added].dist = layer == 0 ? bn_d0(bs, n)[i] :
			vx_code_distance(bs->info, bn_code(bs, n), n->aux,
							 bn_code(bs, &bs->nodes[list[i]]), bs->nodes[list[i]].aux);
		added++;
	}
	if (added > 0)
		vx_sort_cands(res, nres + added);
	return nres + added;
}

/*
 * Insert node id (already coded) into the in-memory graph.  In a parallel
 * build other processes insert at the same time: the node's own lists are
 * set under its lock and copied before the back links are made, since
 * other inserts may link to it (and prune its lists) as soon as one of its
 * neighbours names it.
 */
static void
mem_insert(VxBuildState *bs, int64 id)
{
	const VxIndexInfo *info = bs->info;
	BNode	   *n = &bs->nodes[id];
	int			level = n->level;
	VxSearch	s;
	VxCand	   *eps;
	VxCand	   *res;
	int			neps = 1;
	int			ef = info->ef_construction;
	bool		held;
	int32		mine[2 * VX_MAX_M];
	float		mined[2 * VX_MAX_M];

	begin_insert(bs, level, &held);
	if (bs->entry < 0)
	{
		end_insert(bs, id, level, held);
		return;
	}

	vx_query_set_code(&bs->query, bn_code(bs, n), n->aux);

	s.graph = bs;
	s.expand = mem_expand;
	s.max_out = 2 * info->m;
	eps = palloc(sizeof(VxCand) * (ef + 2 * info->m));
	res = palloc(sizeof(VxCand) * (ef + 2 * info->m));
	eps[0].id = bs->entry;
	eps[0].dist = bnode_distance(bs, &bs->nodes[bs->entry]);

	for (int layer = bs->entry_level; layer >= 0; layer--)
	{
		int			nres;
		int			k;

		bs->tag++;
		bs->tags[id] = bs->tag;
		for (int i = 0; i < neps; i++)
			bs->tags[eps[i].id] = bs->tag;

		if (layer > level)
		{
			nres = vx_search_layer(&s, eps, neps, 1, layer, res);
			eps[0] = res[0];
			neps = 1;
			continue;
		}
		nres = vx_search_layer(&s, eps, neps, ef, layer, res);
		node_lock(bs, id, LW_EXCLUSIVE);
		nres = merge_early_links(bs, n, layer, res, nres);
		if (layer == 0)
		{
			mem_own0(bs, n, res, nres);
			k = bn_cnt(bs, n)[0];
			memcpy(mined, bn_d0(bs, n), sizeof(float) * k);
		}
		else
			k = bn_cnt(bs, n)[layer] =
				(uint8) mem_select(bs, res, nres, vx_layer_slots(info->m, layer), 0,
								   bnode_list(bs, n, layer));
		memcpy(mine, bnode_list(bs, n, layer), sizeof(int32) * k);
		node_unlock(bs, id);
		for (int i = 0; i < k; i++)
		{
			if (layer == 0)
				mem_link0(bs, mine[i], id, mined[i]);
			else
				mem_link_upper(bs, mine[i], layer, id);
		}
		memcpy(eps, res, sizeof(VxCand) * nres);
		neps = nres;
	}
	pfree(eps);
	pfree(res);
	end_insert(bs, id, level, held);
}

/* mark everything reachable from start over layer-0 edges */
static void
mark_from(VxBuildState *bs, uint8 *reached, int64 start, int64 *queue)
{
	int64		head = 0,
				tail = 0;

	if (reached[start])
		return;
	reached[start] = 1;
	queue[tail++] = start;
	while (head < tail)
	{
		BNode	   *n = &bs->nodes[queue[head++]];
		int32	   *list = bnode_list(bs, n, 0);

		for (int i = 0; i < bn_cnt(bs, n)[0]; i++)
			if (!reached[list[i]])
			{
				reached[list[i]] = 1;
				queue[tail++] = list[i];
			}
	}
}

/*
 * Link u from v on layer 0 without losing any node's reachability: append
 * if v has room, else u takes the place of v's farthest neighbour w, which
 * u links to instead.  Returns false only if v links to nothing but u.
 */
static bool
repair_link(VxBuildState *bs, int64 v, int64 u)
{
	const VxIndexInfo *info = bs->info;
	BNode	   *bv = &bs->nodes[v];
	BNode	   *bu = &bs->nodes[u];
	int32	   *vl = bnode_list(bs, bv, 0);
	int32	   *ul = bnode_list(bs, bu, 0);
	int			cap = vx_layer_slots(info->m, 0);
	int			far = -1;
	float		fard = -FLT_MAX;	/* inner-product distances are negative */
	bool		has = false;

	if (bn_cnt(bs, bv)[0] < cap)
	{
		vl[bn_cnt(bs, bv)[0]++] = (int32) u;
		return true;
	}
	for (int i = 0; i < bn_cnt(bs, bv)[0]; i++)
	{
		BNode	   *o = &bs->nodes[vl[i]];
		float		d = vx_code_distance(info, bn_code(bs, bv), bv->aux, bn_code(bs, o), o->aux);

		if ((far < 0 || d > fard) && vl[i] != u)
		{
			fard = d;
			far = i;
		}
	}
	if (far < 0)
		return false;
	for (int i = 0; i < bn_cnt(bs, bu)[0]; i++)
		if (ul[i] == vl[far])
			has = true;
	if (!has)
	{
		/*
		 * u is unreachable, so its own edges carry nobody's reachability:
		 * when its list is full, w may overwrite the last one.
		 */
		if (bn_cnt(bs, bu)[0] >= cap)
			ul[cap - 1] = vl[far];
		else
			ul[bn_cnt(bs, bu)[0]++] = vl[far];
	}
	vl[far] = (int32) u;
	return true;
}

/*
 * Heuristic pruning can leave a node with no way in.  Find every node not
 * reachable from the entry point and link it from the nearest reachable
 * node a search finds, so that after the build every row is findable.
 * Returns how many nodes were reconnected.
 */
static int64
repair_reachability(VxBuildState *bs)
{
	const VxIndexInfo *info = bs->info;
	uint8	   *reached;
	int64	   *queue;
	int64		fixed = 0;
	VxCand	   *res;
	VxSearch	s;

	if (bs->entry < 0)
		return 0;
	reached = palloc_extended(bs->nnodes, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	queue = palloc_extended(sizeof(int64) * bs->nnodes, MCXT_ALLOC_HUGE);
	res = palloc(sizeof(VxCand) * info->ef_construction);
	build_memory(bs);
	s.graph = bs;
	s.expand = mem_expand;
	s.max_out = 2 * info->m;

	mark_from(bs, reached, bs->entry, queue);
	for (int64 u = 0; u < bs->nnodes; u++)
	{
		BNode	   *bu = &bs->nodes[u];
		VxCand		ep;
		int			nres = 0;

		if (reached[u])
			continue;
		CHECK_FOR_INTERRUPTS();
		vx_query_set_code(&bs->query, bn_code(bs, bu), bu->aux);
		ep.id = bs->entry;
		ep.dist = bnode_distance(bs, &bs->nodes[bs->entry]);
		for (int layer = bs->entry_level; layer >= 0; layer--)
		{
			bs->tag++;
			bs->tags[ep.id] = bs->tag;
			bs->tags[u] = bs->tag;
			nres = vx_search_layer(&s, &ep, 1, layer > 0 ? 1 : info->ef_construction,
								   layer, res);
			ep = res[0];
		}
		for (int i = 0; i < nres && !reached[u]; i++)
			if (reached[res[i].id] && (int64) res[i].id != u &&
				repair_link(bs, (int64) res[i].id, u))
			{
				fixed++;
				mark_from(bs, reached, u, queue);
			}

		/*
		 * The search went through upper layers to nodes layer 0 does not
		 * reach (small m, inner product): link from the entry point, which
		 * layer 0 reaches by definition.
		 */
		if (!reached[u] && u != bs->entry && repair_link(bs, bs->entry, u))
		{
			fixed++;
			mark_from(bs, reached, u, queue);
		}
	}
	pfree(reached);
	pfree(queue);
	pfree(res);
	return fixed;
}

/*
 * Whether the graph can take one more node of this level within
 * maintenance_work_mem: what the build holds now, plus what adding the node
 * allocates (a new arena chunk, the node arrays grown), plus what the
 * write phase will need for every node then in the graph.  Every phase
 * that adds nodes (the training buffer's flush, the rest of the load)
 * asks before each node, so the build never holds more than its budget.
 */
static bool
graph_has_room(VxBuildState *bs, int level, Size codelen)
{
	Size		size = node_arena_size(bs->info, level, codelen);
	Size		left = budget_left(bs);
	Size		need = WRITE_BYTES_PER_NODE;

	if (size > bs->arena_left)
		need += arena_chunk_size(bs, size, left);
	if (bs->nnodes == bs->capnodes)
		need += (sizeof(BNode) + sizeof(uint32)) * (Size) nodes_growth(bs, left);
	return need <= left;
}

/*
 * Set up node id, whose arena block is at offset data, for row x: code it,
 * no neighbours yet.
 */
static void
fill_node(VxBuildState *bs, int64 id, Size data, const float *x,
		  ItemPointer heaptid, int level)
{
	const VxIndexInfo *info = bs->info;
	BNode	   *n = &bs->nodes[id];
	VxCodeInfo	ci;

	n->heaptid = *heaptid;
	n->level = (uint8) level;
	n->data = data;
	n->div0ok = false;
	memset(bn_cnt(bs, n), 0, level + 1);
	vx_encode(info, x, bn_code(bs, n), &ci);
	n->resid = info->metric == VX_METRIC_L1 ? ci.resid_l1 : ci.resid_l2;
	n->norm = ci.norm;
	n->aux = ci.offset_dot;
}

/*
 * Code a prepared vector and add it to the in-memory graph with the given
 * level.  Allocates in bs->graphcxt; the caller has checked the budget
 * (graph_has_room).
 */
static void
add_node(VxBuildState *bs, const float *x, ItemPointer heaptid, int level)
{
	char	   *block;

	if (bs->nnodes == bs->capnodes)
	{
		int64		grow = nodes_growth(bs, budget_left(bs));

		bs->nodes = repalloc_huge(bs->nodes, sizeof(BNode) * (bs->capnodes + grow));
		bs->tags = repalloc_huge(bs->tags, sizeof(uint32) * (bs->capnodes + grow));
		memset(bs->tags + bs->capnodes, 0, sizeof(uint32) * grow);
		bs->capnodes += grow;
	}
	block = arena_alloc(bs, node_arena_size(bs->info, level,
											vx_code_len(bs->info, (const char *) x)));
	fill_node(bs, bs->nnodes, (uintptr_t) block - bs->base, x, heaptid, level);
	mem_insert(bs, bs->nnodes);
	bs->nnodes++;
}

static void spill(VxBuildState *bs);
static bool shared_add_node(VxBuildState *bs, const float *x, ItemPointer heaptid,
							int level);
static void shared_spill(VxBuildState *bs);

/*
 * Add one prepared row (trained quantizer): to the in-memory graph while
 * the budget holds it; otherwise, after writing out the graph (spill, the
 * first time), through the insert path.  In a parallel build the graph is
 * the shared one, and the first process that finds it full writes it out.
 */
static void
add_row(VxBuildState *bs, const float *x, ItemPointer heaptid)
{
	MemoryContext old;

	if (!bs->ondisk)
	{
		int			level = Min(vx_random_level(bs->info),
								vx_code_max_level(bs->info, (const char *) x));

		if (bs->shared)
		{
			if (shared_add_node(bs, x, heaptid, level))
				return;
			shared_spill(bs);
		}
		else if (graph_has_room(bs, level, vx_code_len(bs->info, (const char *) x)))
		{
			old = MemoryContextSwitchTo(bs->graphcxt);
			add_node(bs, x, heaptid, level);
			MemoryContextSwitchTo(old);
			build_memory(bs);
			return;
		}
		else
			spill(bs);
	}
	old = MemoryContextSwitchTo(bs->tmpcxt);
	vx_insert_vector(bs->index, x, heaptid);
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpcxt);
}

/*
 * Train the quantizer on the buffered rows, then add them (add_row: within
 * the budget, or on disk once the graph is full), then free the buffer.
 */
static void
train_and_flush(VxBuildState *bs)
{
	VxIndexInfo *info = bs->info;

	if (info->quantized)
	{
		if (bs->ntrain > 0)
			vxq_train(&info->quant, &bs->range);
		info->trained = bs->ntrain > 0;
	}
	for (int i = 0; i < bs->ntrain; i++)
	{
		CHECK_FOR_INTERRUPTS();
		add_row(bs, bs->trainbuf + (Size) i * VX_PREPARED_LEN(info->dim), &bs->traintids[i]);
	}
	MemoryContextDelete(bs->traincxt);
	bs->traincxt = NULL;
	bs->trainbuf = NULL;
	bs->traintids = NULL;
	bs->ntrain = 0;
	bs->traincap = 0;
}

/*
 * Fill a meta page image.
 */
static void
fill_meta(Page page, const VxIndexInfo *info, int nqpages, ItemPointer entry,
		  int entry_level, BlockNumber insert_blkno)
{
	VxMetaPage	meta;

	vx_init_page(page, VX_PAGE_META);
	meta = VxPageGetMeta(page);
	memset(meta, 0, sizeof(VxMetaPageData));
	meta->magic = VX_MAGIC;
	meta->version = VX_FORMAT_VERSION;
	meta->dim = (uint16) (info->dim & 0xFFFF);
	meta->dim_high = (uint16) ((uint32) info->dim >> 16);
	meta->m = (uint16) info->m;
	meta->ef_construction = (uint16) info->ef_construction;
	meta->metric = (uint8) info->metric;
	meta->codec = (uint8) info->codec;
	meta->quantized = info->quantized ? 1 : 0;
	meta->trained = info->trained ? 1 : 0;
	meta->nqpages = (uint16) nqpages;
	meta->qscale = info->quant.scale;
	meta->entry_level = (int16) entry_level;
	if (entry_level >= 0)
		meta->entry = *entry;
	else
		ItemPointerSetInvalid(&meta->entry);
	meta->insert_blkno = insert_blkno;
	meta->free_blkno = InvalidBlockNumber;
	((PageHeader) page)->pd_lower =
		((char *) meta + sizeof(VxMetaPageData)) - (char *) page;
}

static int
quant_pages(const VxIndexInfo *info)
{
	return vx_quant_pages(info->dim, info->quantized);
}

/* fill quantizer page p (0-based) */
static void
fill_quant(Page page, const VxIndexInfo *info, int p)
{
	int			first = p * VX_QUANT_PER_PAGE;
	int			n = Min((int) VX_QUANT_PER_PAGE, info->dim - first);

	vx_init_page(page, VX_PAGE_QUANT);
	memcpy(PageGetContents(page), info->offsets + first, sizeof(float) * n);
	((PageHeader) page)->pd_lower =
		(PageGetContents(page) - (char *) page) + sizeof(float) * n;
}

/* append a page image to the index (WAL-logged when the build ends) */
static void
write_page(Relation index, Page image)
{
	Buffer		buf = vx_new_buffer(index);
	VxEdit		e;

	vx_edit_start(&e, index);
	memcpy(vx_edit_page(&e, buf, true), image, BLCKSZ);
	vx_edit_finish(&e);
	UnlockReleaseBuffer(buf);
}

/*
 * Lay nodes out breadth-first over layer 0 from the entry point, so a
 * node's neighbours tend to share pages, and give each its on-disk TID.
 * Returns the order (node ids) and the last node block.
 */
static int64 *
layout_nodes(VxBuildState *bs, BlockNumber firstblk, BlockNumber *lastblk)
{
	const VxIndexInfo *info = bs->info;
	int64	   *order = palloc_extended(sizeof(int64) * Max(bs->nnodes, 1), MCXT_ALLOC_HUGE);
	int64		head = 0,
				tail = 0;
	BlockNumber blk = firstblk;
	Size		used = 0;
	OffsetNumber off = 0;
	Size		room = BLCKSZ - MAXALIGN(SizeOfPageHeaderData) -
		MAXALIGN(sizeof(VxPageOpaqueData));

	bs->tag++;
	if (bs->entry >= 0)
	{
		order[tail++] = bs->entry;
		bs->tags[bs->entry] = bs->tag;
	}
	for (int64 start = 0; start < bs->nnodes || head < tail;)
	{
		if (head == tail)
		{
			/* nodes layer 0 does not reach (should not happen): append */
			while (start < bs->nnodes && bs->tags[start] == bs->tag)
				start++;
			if (start >= bs->nnodes)
				break;
			order[tail++] = start;
			bs->tags[start] = bs->tag;
		}
		{
			BNode	   *n = &bs->nodes[order[head++]];
			int32	   *list = bnode_list(bs, n, 0);

			for (int i = 0; i < bn_cnt(bs, n)[0]; i++)
				if (bs->tags[list[i]] != bs->tag)
				{
					bs->tags[list[i]] = bs->tag;
					order[tail++] = list[i];
				}
		}
	}

	for (int64 i = 0; i < bs->nnodes; i++)
	{
		BNode	   *n = &bs->nodes[order[i]];
		Size		need = vx_node_size(info->m, n->level, vx_code_len(info, bn_code(bs, n))) +
			sizeof(ItemIdData);

		if (used + need > room)
		{
			blk++;
			used = 0;
			off = 0;
		}
		used += need;
		off++;
		ItemPointerSet(&n->tid, blk, off);
	}
	*lastblk = blk;
	return order;
}

/* form node n's tuple and add it to page at the offset layout_nodes gave it */
static void
add_node_tuple(VxBuildState *bs, Page page, BNode *n)
{
	ItemPointerData lists[VX_MAX_LEVEL + 1][2 * VX_MAX_M];
	ItemPointerData *lp[VX_MAX_LEVEL + 1];
	int			counts[VX_MAX_LEVEL + 1];
	VxCodeInfo	ci;
	VxNodeForm	form;
	Size		size;
	char	   *tup;

	for (int l = 0; l <= n->level; l++)
	{
		int32	   *list = bnode_list(bs, n, l);

		counts[l] = bn_cnt(bs, n)[l];
		for (int j = 0; j < counts[l]; j++)
			lists[l][j] = bs->nodes[list[j]].tid;
		lp[l] = lists[l];
	}
	ci.resid_l1 = ci.resid_l2 = n->resid;
	ci.norm = n->norm;
	ci.offset_dot = n->aux;
	form.heaptid = &n->heaptid;
	form.level = n->level;
	form.ci = &ci;
	form.code = bn_code(bs, n);
	form.lists = lp;
	form.counts = counts;
	tup = vx_form_node(bs->info, &form, &size);
	if (PageAddItem(page, (Item) tup, size, InvalidOffsetNumber, false, false) !=
		ItemPointerGetOffsetNumber(&n->tid))
		elog(ERROR, "hnsw build: node layout does not match page for block %u",
			 ItemPointerGetBlockNumber(&n->tid));
	pfree(tup);
}

/* write meta, quantizer and node pages for the in-memory graph */
static void
write_graph(VxBuildState *bs)
{
	const VxIndexInfo *info = bs->info;
	int			nq = quant_pages(info);
	BlockNumber firstblk = 1 + nq;
	BlockNumber lastblk;
	int64	   *order;
	PGAlignedBlock image;
	Page		page = (Page) image.data;
	ItemPointerData entrytid;
	int64		i = 0;
	MemoryContext old = MemoryContextSwitchTo(bs->graphcxt);

	{
		const int	params[] = {PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_CREATEIDX_TUPLES_TOTAL,
		PROGRESS_CREATEIDX_TUPLES_DONE};
		const int64 values[] = {VX_PHASE_WRITE, bs->nnodes, 0};

		/* tuples: the nodes written out of those in the graph */
		pgstat_progress_update_multi_param(3, params, values);
	}
	vx_test_point("build-write");
	repair_reachability(bs);
	order = layout_nodes(bs, firstblk, &lastblk);
	build_memory(bs);
	if (bs->entry >= 0)
		entrytid = bs->nodes[bs->entry].tid;
	fill_meta(page, info, nq, &entrytid, bs->entry >= 0 ? bs->entry_level : -1,
			  bs->nnodes > 0 ? lastblk : InvalidBlockNumber);
	write_page(bs->index, page);
	for (int p = 0; p < nq; p++)
	{
		fill_quant(page, info, p);
		write_page(bs->index, page);
	}

	while (i < bs->nnodes)
	{
		BlockNumber blk = ItemPointerGetBlockNumber(&bs->nodes[order[i]].tid);

		CHECK_FOR_INTERRUPTS();
		vx_init_page(page, VX_PAGE_NODE);
		for (; i < bs->nnodes && ItemPointerGetBlockNumber(&bs->nodes[order[i]].tid) == blk; i++)
		{
			add_node_tuple(bs, page, &bs->nodes[order[i]]);
		}
		write_page(bs->index, page);
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, i);
	}
	build_memory(bs);
	pfree(order);
	MemoryContextSwitchTo(old);
}

/*
 * The graph cannot take the next row within maintenance_work_mem: write it
 * and go on from disk.  Frees the graph (not the training buffer, which
 * has its own context: a flush that spills inserts the rest of it).
 */
static void
spill_notice(int64 nnodes)
{
	ereport(NOTICE,
			(errmsg("hnsw graph no longer fits into maintenance_work_mem after " INT64_FORMAT " tuples",
					nnodes),
			 errdetail("The remaining rows are inserted into the index on disk, which is much slower."),
			 errhint("Increase maintenance_work_mem to speed up builds.")));
}

static void
spill(VxBuildState *bs)
{
	spill_notice(bs->nnodes);
	write_graph(bs);
	bs->ondisk = true;
	MemoryContextReset(bs->graphcxt);
	bs->nodes = NULL;
	bs->tags = NULL;
	bs->arena = NULL;
	bs->arena_left = 0;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, VX_PHASE_LOAD);
}

/* a scanned row into bs->xbuf, prepared; false for a row not to index */
static bool
prepare_row(VxBuildState *bs, Datum *values, bool *isnull)
{
	MemoryContext old;
	bool		ok;

	if (isnull[0])
		return false;
	old = MemoryContextSwitchTo(bs->tmpcxt);
	ok = vx_prepare_vector(bs->index, bs->info, values[0], bs->xbuf);
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpcxt);
	return ok;
}

static void
build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			   bool tupleIsAlive, void *state)
{
	VxBuildState *bs = (VxBuildState *) state;

	if (!prepare_row(bs, values, isnull))
		return;

	bs->indtuples++;
	if (bs->trainbuf != NULL)
	{
		memcpy(bs->trainbuf + (Size) bs->ntrain * VX_PREPARED_LEN(bs->info->dim), bs->xbuf,
			   sizeof(float) * VX_PREPARED_LEN(bs->info->dim));
		bs->traintids[bs->ntrain++] = *tid;
		vxq_range_add(&bs->range, bs->xbuf);
		if (bs->ntrain == bs->traincap)
			train_and_flush(bs);
	}
	else
		add_row(bs, bs->xbuf, tid);
	if (bs->shared == NULL)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) bs->indtuples);
	else
	{
		uint64		done = pg_atomic_add_fetch_u64(&bs->shared->indtuples, 1);

		if (bs->leader)
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) done);
	}
}

static void
check_options(VxIndexInfo *info, Relation index)
{
	VxOptions  *opts = (VxOptions *) index->rd_options;

	info->m = opts ? opts->m : VX_DEFAULT_M;
	info->ef_construction = opts ? opts->ef_construction : VX_DEFAULT_EF_CONSTRUCTION;
	/* the BITS codec's codes are exact: there is nothing to quantize */
	info->quantized = info->codec == VX_CODEC_INT8 &&
		(opts ? opts->quantization == VX_QUANT_INT8 : true);
	if (info->ef_construction < 2 * info->m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ef_construction must be greater than or equal to 2 * m")));
}

/*
 * The largest dimension whose level-0 node fits a page (and the meta
 * page's 16-bit field), for the codec and options in info.
 */
static int
max_dim(const VxIndexInfo *info)
{
	int			lo = 0;
	int			hi = PG_UINT16_MAX;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo + 1) / 2;

		if (vx_node_size(info->m, 0, vx_code_size(info->codec, mid, info->m, info->quantized)) <=
			VX_MAX_NODE_SIZE)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static VxIndexInfo *
build_info(Relation index)
{
	VxCodec		codec = vx_index_codec(index);
	int			dim;
	VxIndexInfo *info;
	int			maxdim;

	if (codec == VX_CODEC_BITS)
		vx_bits_check_column(index);
	dim = vx_index_dim(index);
	/* quantizer offsets for the INT8 codec only (offsets_bytes) */
	info = palloc0(offsetof(VxIndexInfo, offsets) +
				   (codec == VX_CODEC_INT8 ? sizeof(float) * dim : 0));
	info->dim = dim;
	info->codec = codec;
	check_options(info, index);
	info->metric = vx_index_metric(index, codec);
	/* a sparse code's size is its nnz's, checked per row (vx_sparse_prepare) */
	maxdim = codec == VX_CODEC_SPARSE ? dim : max_dim(info);
	if (dim > maxdim)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column cannot have more than %d dimensions for hnsw index", maxdim),
				 errdetail("A graph node with m = %d must fit in one %d-byte page.", info->m, BLCKSZ)));
	info->codesize = vx_code_size(codec, dim, info->m, info->quantized);
	info->prefetchsize = vx_prefetch_size(codec, info->codesize);
	info->maxlevel = vx_max_level(info->m, vx_min_code_size(info));
	Assert(info->maxlevel >= 0);
	info->quant.dim = codec == VX_CODEC_INT8 ? dim : 0;
	info->quant.offset = info->offsets;
	info->quant.scale = 1.0f;
	info->trained = !info->quantized;
	return info;
}

/* how many rows train the quantizer: as many as a quarter of the budget holds */
static int
train_rows(const VxBuildState *bs)
{
	Size		floatsz = sizeof(float) * VX_PREPARED_LEN(bs->info->dim);

	return (int) Max(1, Min((bs->mem_budget / 4) / (floatsz + sizeof(ItemPointerData)),
							1000000));
}

/*
 * The training buffer: as many rows as a quarter of maintenance_work_mem
 * holds as floats (with their heap TIDs), in its own context under the
 * budget (bs->buildcxt), so that a flush that spills the graph keeps the
 * rows it has not yet added.
 */
static void
init_trainbuf(VxBuildState *bs)
{
	const VxIndexInfo *info = bs->info;
	Size		floatsz = sizeof(float) * VX_PREPARED_LEN(info->dim);
	MemoryContext old;

	bs->traincxt = AllocSetContextCreate(bs->buildcxt, "hnsw build training buffer",
										 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(bs->traincxt);
	bs->traincap = train_rows(bs);
	bs->trainbuf = palloc_extended(floatsz * bs->traincap, MCXT_ALLOC_HUGE);
	bs->traintids = palloc_extended(sizeof(ItemPointerData) * bs->traincap, MCXT_ALLOC_HUGE);
	bs->range.dim = info->dim;
	bs->range.lo = palloc(sizeof(float) * info->dim);
	bs->range.hi = palloc(sizeof(float) * info->dim);
	MemoryContextSwitchTo(old);
}

/* ---------------------------------------------------------------------
 * Parallel build (README, "Parallel build")
 *
 * The leader trains the quantizer on the first rows (a range scan of the
 * first blocks, the rows a serial build would buffer), sets up a DSM
 * segment with the shared graph sized from the budget, and launches the
 * workers; every participant scans its share of the heap (one parallel
 * heap scan) and inserts its rows into the one shared graph, node locks
 * guarding the lists.  When the workers are done the leader writes the
 * graph out, as a serial build does.  A graph that fills up is written
 * out by the process that finds it full, and all of them go on through
 * the insert path.  Worker errors reach the leader through the parallel
 * machinery (WaitForParallelWorkersToFinish, or the leader's next
 * CHECK_FOR_INTERRUPTS).
 * ---------------------------------------------------------------------
 */

/* the state every build process starts from, graph not yet set up */
static void
init_build_state(VxBuildState *bs, Relation heap, Relation index)
{
	memset(bs, 0, sizeof(*bs));
	bs->heap = heap;
	bs->index = index;
	bs->info = build_info(index);
	bs->query.info = bs->info;
	set_node_offsets(bs);
	bs->entry = -1;
	bs->entry_level = -1;
	bs->mem_budget = (Size) maintenance_work_mem * 1024;
	bs->buildcxt = AllocSetContextCreate(CurrentMemoryContext, "hnsw build",
										 ALLOCSET_SMALL_SIZES);
	bs->graphcxt = AllocSetContextCreate(bs->buildcxt, "hnsw build graph",
										 ALLOCSET_DEFAULT_SIZES);
	bs->tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "hnsw build tuple",
									   ALLOCSET_DEFAULT_SIZES);
	bs->xbuf = palloc(vx_prepared_size(bs->info));
}

static void
free_build_state(VxBuildState *bs)
{
	MemoryContextDelete(bs->buildcxt);
	MemoryContextDelete(bs->tmpcxt);
}

/*
 * Bytes per node of a parallel build, all processes together: the node,
 * its lock, its arena block at level 0 plus the expected share of upper
 * layers (a node has an upper layer with probability 1/m; counted twice
 * over), every participant's visited tag, and the write phase's share.
 */
static Size
shared_node_bytes(const VxIndexInfo *info, int nparticipants)
{
	Size		upper = 2 * (MAXALIGN(sizeof(int32) * info->m) + MAXALIGN(1)) /
		(Size) Max(info->m - 1, 1);

	return sizeof(BNode) + sizeof(LWLock) +
		node_arena_size(info, 0, typical_code_size(info)) + upper +
		sizeof(uint32) * nparticipants + WRITE_BYTES_PER_NODE;
}

/*
 * How many rows the table may hold: pg_class's density times the current
 * number of blocks, with a fifth more for error; with no statistics, the
 * most rows of a vector this wide that fit a block (toasted vectors take
 * a toast pointer).  The shared graph is sized for the smaller of that
 * and what the budget holds, so that a small table does not take a
 * segment of maintenance_work_mem.  An estimate that is short only means
 * a spill.
 */
static int64
estimate_rows(Relation heap, const VxIndexInfo *info)
{
	BlockNumber pages = RelationGetNumberOfBlocks(heap);
	double		reltuples = heap->rd_rel->reltuples;
	BlockNumber relpages = heap->rd_rel->relpages;
	double		perpage;
	Size		width = VARHDRSZ + 4 + (info->codec == VX_CODEC_BITS ?
										 info->codesize : sizeof(float) * info->dim);

	/* a sparsevec's width is its nnz's: count the smallest (dim, nnz, unused) */
	if (info->codec == VX_CODEC_SPARSE)
		width = VARHDRSZ + 3 * sizeof(int32);

	if (reltuples > 0 && relpages > 0)
		perpage = 1.2 * reltuples / relpages;
	else
	{
		if (width > TOAST_TUPLE_THRESHOLD)
			width = TOAST_POINTER_SIZE;
		perpage = (double) (BLCKSZ - SizeOfPageHeaderData) /
			(MAXALIGN(SizeofHeapTupleHeader + width) + sizeof(ItemIdData));
		perpage = Min(perpage, MaxHeapTuplesPerPage);
	}
	return (int64) (perpage * pages) + 1024;
}

/* the shared graph's size: node array, node locks, arena */
static Size
shared_graph_size(int64 capnodes, Size arena)
{
	return MAXALIGN(sizeof(BNode) * capnodes) + MAXALIGN(sizeof(LWLock) * capnodes) + arena;
}

/* point bs at the shared graph in graph (this process's mapping) */
static void
attach_graph(VxBuildState *bs, VxBuildShared *sh, char *graph, int nparticipants)
{
	MemoryContext old = MemoryContextSwitchTo(bs->graphcxt);

	bs->shared = sh;
	bs->capnodes = sh->capnodes;
	bs->nodes = (BNode *) graph;
	bs->locks = (LWLock *) (graph + MAXALIGN(sizeof(BNode) * sh->capnodes));
	bs->base = (uintptr_t) ((char *) bs->locks + MAXALIGN(sizeof(LWLock) * sh->capnodes));
	bs->tags = palloc_extended(sizeof(uint32) * Max(sh->capnodes, 1),
							   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	bs->mem_shared = shared_graph_size(sh->capnodes, sh->arena_size) +
		sizeof(uint32) * sh->capnodes * (nparticipants - 1);
	MemoryContextSwitchTo(old);
}

/*
 * Add a row to the shared graph: false if the graph is full or already
 * written out (the caller spills).  The node's id and arena block come
 * from the allocator under the spinlock; the insert runs under graph_lock
 * (shared), so that a spill waits for it.
 */
static bool
shared_add_node(VxBuildState *bs, const float *x, ItemPointer heaptid, int level)
{
	VxBuildShared *sh = bs->shared;
	Size		size = node_arena_size(bs->info, level,
									   vx_code_len(bs->info, (const char *) x));
	int64		id = -1;
	Size		data = 0;

	LWLockAcquire(&sh->graph_lock, LW_SHARED);
	if (!sh->flushed)
	{
		SpinLockAcquire(&sh->mutex);
		if (sh->nnodes < sh->capnodes && sh->arena_used + size <= sh->arena_size)
		{
			id = sh->nnodes++;
			data = sh->arena_used;
			sh->arena_used += size;
		}
		SpinLockRelease(&sh->mutex);
	}
	if (id < 0)
	{
		LWLockRelease(&sh->graph_lock);
		return false;
	}
	fill_node(bs, id, data, x, heaptid, level);
	mem_insert(bs, id);
	LWLockRelease(&sh->graph_lock);
	return true;
}

/*
 * The shared graph is full: the first process here waits for the inserts
 * in progress (graph_lock exclusively), writes the graph out and says so;
 * every process then goes on through the insert path.
 */
static void
shared_spill(VxBuildState *bs)
{
	VxBuildShared *sh = bs->shared;

	LWLockAcquire(&sh->graph_lock, LW_EXCLUSIVE);
	if (!sh->flushed)
	{
		bs->nnodes = sh->nnodes;
		bs->entry = sh->entry;
		bs->entry_level = sh->entry_level;
		bs->locks = NULL;		/* nobody else is in the graph */
		spill_notice(bs->nnodes);
		write_graph(bs);
		sh->flushed = true;
	}
	LWLockRelease(&sh->graph_lock);
	bs->ondisk = true;
}

/* range scan callback of train_prescan: the rows a serial build buffers */
static void
train_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			   bool tupleIsAlive, void *state)
{
	VxBuildState *bs = (VxBuildState *) state;

	if (bs->ntrain >= bs->traincap || !prepare_row(bs, values, isnull))
		return;
	vxq_range_add(&bs->range, bs->xbuf);
	bs->ntrain++;
}

/*
 * Train the quantizer before the workers start, on the same rows a serial
 * build would (the first train_rows() in block order): range scans over
 * the first blocks, the range doubling until enough rows are seen.  Only
 * the per-dimension range is kept, not the rows (the parallel scan adds
 * them to the graph).
 */
static void
train_prescan(VxBuildState *bs, IndexInfo *indexInfo)
{
	VxIndexInfo *info = bs->info;
	BlockNumber nblocks = RelationGetNumberOfBlocks(bs->heap);
	BlockNumber start = 0;
	BlockNumber step = 32;
	MemoryContext old = MemoryContextSwitchTo(bs->buildcxt);

	bs->traincap = train_rows(bs);
	bs->range.dim = info->dim;
	bs->range.lo = palloc(sizeof(float) * info->dim);
	bs->range.hi = palloc(sizeof(float) * info->dim);
	MemoryContextSwitchTo(old);

	while (start < nblocks && bs->ntrain < bs->traincap)
	{
		BlockNumber n = Min(step, nblocks - start);

		CHECK_FOR_INTERRUPTS();
		(void) table_index_build_range_scan(bs->heap, bs->index, indexInfo,
											false, false, false, start, n,
											train_callback, bs, NULL);
		start += n;
		step = Min(step * 2, 8192);
	}
	if (bs->ntrain > 0)
		vxq_train(&info->quant, &bs->range);
	info->trained = bs->ntrain > 0;
	bs->ntrain = 0;
	bs->traincap = 0;
}

/* one participant's share of the heap scan, leader or worker */
static void
participate(VxBuildState *bs, IndexInfo *indexInfo, ParallelTableScanDesc pscan)
{
	TableScanDesc scan = table_beginscan_parallel(bs->heap, pscan);
	double		reltuples;

	reltuples = table_index_build_scan(bs->heap, bs->index, indexInfo, true,
									   bs->leader, build_callback, bs, scan);
	SpinLockAcquire(&bs->shared->mutex);
	bs->shared->reltuples += reltuples;
	SpinLockRelease(&bs->shared->mutex);
}

/* the one tranche of the build's LWLocks, allocated once per backend */
static int
build_tranche(void)
{
	static int	tranche = 0;

	if (tranche == 0)
		tranche = LWLockNewTrancheId();
	LWLockRegisterTranche(tranche, "hnsw build");
	return tranche;
}

/* the shared state of a parallel build, in the DSM segment (VX_KEY_SHARED) */
static VxBuildShared *
init_shared(ParallelContext *pcxt, VxBuildState *bs, IndexInfo *indexInfo,
			int64 capnodes, Size arena)
{
	VxBuildShared *sh = shm_toc_allocate(pcxt->toc, sizeof(VxBuildShared));

	memset(sh, 0, sizeof(VxBuildShared));
	sh->heaprelid = RelationGetRelid(bs->heap);
	sh->indexrelid = RelationGetRelid(bs->index);
	sh->isconcurrent = indexInfo->ii_Concurrent;
	sh->trained = bs->info->trained;
	sh->qscale = bs->info->quant.scale;
	sh->tranche = build_tranche();
	sh->capnodes = capnodes;
	sh->arena_size = arena;
	SpinLockInit(&sh->mutex);
	pg_atomic_init_u64(&sh->indtuples, 0);
	LWLockInitialize(&sh->graph_lock, sh->tranche);
	LWLockInitialize(&sh->entry_lock, sh->tranche);
	sh->entry = -1;
	sh->entry_level = -1;
	shm_toc_insert(pcxt->toc, VX_KEY_SHARED, sh);
	return sh;
}

/*
 * The leader's part of a parallel build with nworkers requested.  The
 * quantizer is trained before the segment is set up; after the workers
 * finish, the graph (unless a spill wrote it) is written from the segment.
 */
static void
parallel_build(VxBuildState *bs, IndexInfo *indexInfo, int nworkers)
{
	VxIndexInfo *info = bs->info;
	int			nparticipants = nworkers + 1;
	ParallelContext *pcxt;
	Snapshot	snapshot;
	Size		pscansize;
	Size		per = shared_node_bytes(info, nparticipants);
	Size		room = bs->mem_budget > BUILD_MEM_SLACK ? bs->mem_budget - BUILD_MEM_SLACK : 0;
	int64		capnodes;
	Size		arena;
	Size		graphsize;
	VxBuildShared *sh;
	ParallelTableScanDesc pscan;
	float	   *offsets;
	char	   *graph;

	if (info->quantized)
		train_prescan(bs, indexInfo);

	capnodes = Max(1, Min((int64) (room / per), estimate_rows(bs->heap, info)));
	arena = capnodes * (per - sizeof(BNode) - sizeof(LWLock) -
						sizeof(uint32) * nparticipants - WRITE_BYTES_PER_NODE);
	graphsize = shared_graph_size(capnodes, arena);

	EnterParallelMode();
	pcxt = CreateParallelContext("vecidx", "vx_build_worker_main", nworkers);
	snapshot = indexInfo->ii_Concurrent ? RegisterSnapshot(GetTransactionSnapshot()) : SnapshotAny;
	pscansize = table_parallelscan_estimate(bs->heap, snapshot);
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(VxBuildShared));
	shm_toc_estimate_chunk(&pcxt->estimator, pscansize);
	shm_toc_estimate_chunk(&pcxt->estimator, graphsize);
	shm_toc_estimate_chunk(&pcxt->estimator, Max(offsets_bytes(info), sizeof(float)));
	shm_toc_estimate_keys(&pcxt->estimator, 4);
	InitializeParallelDSM(pcxt);

	sh = init_shared(pcxt, bs, indexInfo, capnodes, arena);

	pscan = shm_toc_allocate(pcxt->toc, pscansize);
	table_parallelscan_initialize(bs->heap, pscan, snapshot);
	shm_toc_insert(pcxt->toc, VX_KEY_SCAN, pscan);

	offsets = shm_toc_allocate(pcxt->toc, Max(offsets_bytes(info), sizeof(float)));
	memcpy(offsets, info->offsets, offsets_bytes(info));
	shm_toc_insert(pcxt->toc, VX_KEY_OFFSETS, offsets);

	graph = shm_toc_allocate(pcxt->toc, graphsize);
	shm_toc_insert(pcxt->toc, VX_KEY_GRAPH, graph);
	attach_graph(bs, sh, graph, nparticipants);
	for (int64 i = 0; i < capnodes; i++)
		LWLockInitialize(&bs->locks[i], sh->tranche);

	LaunchParallelWorkers(pcxt);
	bs->leader = true;
	if (parallel_leader_participation || pcxt->nworkers_launched == 0)
		participate(bs, indexInfo, pscan);
	WaitForParallelWorkersToFinish(pcxt);

	bs->nnodes = sh->nnodes;
	bs->entry = sh->entry;
	bs->entry_level = sh->entry_level;
	bs->reltuples = sh->reltuples;
	bs->indtuples = (double) pg_atomic_read_u64(&sh->indtuples);
	bs->locks = NULL;
	if (!sh->flushed)
		write_graph(bs);
	else
		bs->ondisk = true;
	bs->nnodes = sh->nnodes;
	ereport(DEBUG1,
			(errmsg_internal("hnsw build: %d parallel workers launched of %d requested",
							 pcxt->nworkers_launched, nworkers)));

	DestroyParallelContext(pcxt);
	if (IsMVCCSnapshot(snapshot))
		UnregisterSnapshot(snapshot);
	ExitParallelMode();
}

/*
 * A parallel build's worker: open the relations (the leader holds the
 * same locks; lock groups make that safe), take the quantizer and the
 * graph from the segment, and scan its share of the heap.
 */
void
vx_build_worker_main(dsm_segment *seg, shm_toc *toc)
{
	VxBuildShared *sh = shm_toc_lookup(toc, VX_KEY_SHARED, false);
	ParallelTableScanDesc pscan = shm_toc_lookup(toc, VX_KEY_SCAN, false);
	float	   *offsets = shm_toc_lookup(toc, VX_KEY_OFFSETS, false);
	char	   *graph = shm_toc_lookup(toc, VX_KEY_GRAPH, false);
	LOCKMODE	heaplock = sh->isconcurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE	indexlock = sh->isconcurrent ? RowExclusiveLock : AccessExclusiveLock;
	Relation	heap = table_open(sh->heaprelid, heaplock);
	Relation	index = index_open(sh->indexrelid, indexlock);
	IndexInfo  *indexInfo = BuildIndexInfo(index);
	VxBuildState bs;

	LWLockRegisterTranche(sh->tranche, "hnsw build");
	indexInfo->ii_Concurrent = sh->isconcurrent;
	init_build_state(&bs, heap, index);
	memcpy(bs.info->offsets, offsets, offsets_bytes(bs.info));
	bs.info->quant.scale = sh->qscale;
	bs.info->trained = sh->trained;
	vxq_finish(&bs.info->quant);
	attach_graph(&bs, sh, graph, 1);
	vx_build_edits_begin(index);
	vx_test_point("build-worker-scan");
	participate(&bs, indexInfo, pscan);
	vx_build_edits_end(index, false);
	free_build_state(&bs);

	index_close(index, indexlock);
	table_close(heap, heaplock);
}

/*
 * The table's rows as the planner would estimate them (pg_class.reltuples
 * scaled to the current number of pages), for the progress view's
 * tuples_total while the build loads; 0 (unknown) before the table was
 * ever vacuumed or analysed.
 */
static int64
progress_rows_estimate(Relation heap)
{
	double		reltuples = heap->rd_rel->reltuples;
	BlockNumber relpages = heap->rd_rel->relpages;

	if (reltuples < 0 || relpages == 0)
		return 0;
	return (int64) rint(reltuples / relpages * RelationGetNumberOfBlocks(heap));
}

IndexBuildResult *
hnswbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IndexBuildResult *result;
	VxBuildState bs;
	int			nworkers;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	init_build_state(&bs, heap, index);
	vx_build_edits_begin(index);
	nworkers = vx_build_workers(heap, index, indexInfo);
	{
		const int	params[] = {PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_CREATEIDX_TUPLES_TOTAL};
		const int64 values[] = {VX_PHASE_LOAD, progress_rows_estimate(heap)};

		/* tuples: the rows read of the table's estimated rows */
		pgstat_progress_update_multi_param(2, params, values);
	}
	vx_test_point("build-load");
	if (nworkers > 0)
		parallel_build(&bs, indexInfo, nworkers);
	else
	{
		MemoryContext old = MemoryContextSwitchTo(bs.graphcxt);

		bs.capnodes = 1024;
		bs.nodes = palloc(sizeof(BNode) * bs.capnodes);
		bs.tags = palloc0(sizeof(uint32) * bs.capnodes);
		MemoryContextSwitchTo(old);
		if (bs.info->quantized)
			init_trainbuf(&bs);

		bs.reltuples = table_index_build_scan(heap, index, indexInfo, true, true,
											  build_callback, &bs, NULL);
		if (bs.trainbuf != NULL)
			train_and_flush(&bs);
		if (!bs.ondisk)
			write_graph(&bs);
	}
	vx_build_edits_end(index, true);
	ereport(DEBUG1,
			(errmsg_internal("hnsw build: %lld of %.0f tuples built in memory, graph memory %.3f MB of %.3f MB (peak, training buffer included)",
							 (long long) bs.nnodes, bs.indtuples,
							 (bs.mem_peak + bs.mem_shared) / 1048576.0,
							 bs.mem_budget / 1048576.0)));
	free_build_state(&bs);

	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = bs.reltuples;
	result->index_tuples = bs.indtuples;
	return result;
}

/*
 * The init fork of an unlogged index: an empty, untrained meta page and
 * blank quantizer pages, written directly and WAL-logged as full pages.
 */
void
hnswbuildempty(Relation index)
{
	VxIndexInfo *info = build_info(index);
	int			nq = quant_pages(info);
	VxIOBlock	image;
	Page		page = (Page) image.data;

	for (int b = 0; b <= nq; b++)
	{
		if (b == 0)
			fill_meta(page, info, nq, NULL, -1, InvalidBlockNumber);
		else
			fill_quant(page, info, b - 1);
		PageSetChecksumInplace(page, b);
		smgrextend(RelationGetSmgr(index), INIT_FORKNUM, b, (char *) page, true);
		log_newpage(&VX_SMGR_LOCATOR(RelationGetSmgr(index)), INIT_FORKNUM, b, page, true);
	}
	smgrimmedsync(RelationGetSmgr(index), INIT_FORKNUM);
}
