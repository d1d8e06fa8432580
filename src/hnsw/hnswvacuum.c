/*-------------------------------------------------------------------------
 *
 * hnswvacuum.c
 *	  VACUUM support: unlink the nodes of dead rows from the graph, keep
 *	  every live node reachable, and make the dead nodes' slots reusable.
 *
 * ambulkdelete runs in rounds of five passes (README, "Vacuum"):
 *	 1. mark:	   flag every node whose heap row is dead DELETED, and copy
 *				   the neighbour lists of the DELETED nodes into memory --
 *				   as many as a quarter of maintenance_work_mem holds; when
 *				   that is full the round goes on with what it has and
 *				   another round follows (like nbtree's index scans per
 *				   batch of dead TIDs);
 *	 (barrier)	   wait for inserts that started before the flags were set
 *				   (they could still link to a DELETED node);
 *	 (plan)		   choose the entry point the round ends with, walk layer 0
 *				   from it over the lists pass 2 will write, and force each
 *				   live node the walk misses into the list of its adopter,
 *				   a reached node with a path to it through DELETED nodes
 *				   only; move the entry point (one record) if it changes.
 *				   Every planned edge then exists on the pages, directly or
 *				   through DELETED nodes (whose lists nobody rewrites before
 *				   pass 5), before and after its list is written: no record
 *				   of pass 2 leaves a live node unreachable;
 *	 2. repair:    in every live node's lists, drop each DELETED member and
 *				   fill the list up to capacity from the live members of
 *				   the DELETED members' own lists (breadth first through up
 *				   to VX_REPAIR_DEEPER further DELETED nodes for a list left
 *				   with no live member): those the neighbour heuristic keeps
 *				   first, then the closest of the rest (codes cached in
 *				   pass 1, no page reads); then, on layer 0, the plan's
 *				   forced links;
 *	 3. entry:	   (a second barrier) the entry point moved with the plan;
 *				   if an insert made it a DELETED node again, as before the
 *				   plan: the live node of highest level takes its place at
 *				   the end of pass 4, once it reaches every live node;
 *	 4. reach:	   walk layer 0 from the (new) entry point over live nodes;
 *				   then scan every page: fix the lists that inserts since
 *				   pass 2 pointed at a DELETED node, and link every live
 *				   node the walk missed -- including nodes inserted during
 *				   the vacuum -- from the nearest reached node a search
 *				   finds (the insert path's reachability-preserving link),
 *				   and so each node the plan forced, to be found by search;
 *	 5. free:	   flag the DELETED nodes FREE, and point the meta page's
 *				   free-slot hint at the first page holding one: a later
 *				   insert reuses the smallest such slot that fits it.
 * amvacuumcleanup without a bulk delete runs such a round too when it meets
 * DELETED nodes (a vacuum interrupted after pass 1).
 * Every page change is one GenericXLog record; one exclusive buffer lock
 * at a time.  Scans may still walk through a DELETED or FREE node they
 * reached before it was unlinked; they never return one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "postmaster/autovacuum.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"

#include "hnsw.h"

/*
 * Pass 2: beyond a list's own DELETED members, at most this many further
 * DELETED nodes whose lists a repaired list draws on
 */
#define VX_REPAIR_DEEPER	64
/* and at most this many of a list's slots go to what lies that deep */
#define VX_REPAIR_DEEP_SLOTS	2

/* a DELETED node: its lists, copied in pass 1 */
typedef struct DeadNode
{
	uint64		key;			/* packed node TID; 0 = empty entry */
	int			level;
	ItemPointerData *slots;		/* all layers' slots, as on the page */
	uint64		origin;			/* the plan's region walk: the reached live
								 * node it was first found from, or 0 */
} DeadNode;

/* DELETED nodes by packed TID (open addressing; 0 never names a node) */
typedef struct DeadMap
{
	DeadNode   *e;
	uint64		mask;
	uint64		count;
} DeadMap;

/*
 * The plan of a round's repair (pass_plan): a live node met in the deleted
 * region of a node the plan walk reached (that node, its adopter, has a
 * path to it through DELETED nodes only), or a node given a forced link.
 */
typedef struct PlanNode
{
	uint64		key;			/* packed node TID */
	uint64		adopter;		/* first reached node whose region holds it */
	uint64		parent;			/* the plan walk first reached it through a
								 * new member of this node's list (0: through
								 * an old member, or not yet reached) */
	int32		forced;			/* first forced link into its list, or -1 */
	char		status;			/* simplehash's */
} PlanNode;

#define SH_PREFIX		planmap
#define SH_ELEMENT_TYPE	PlanNode
#include "hnsw_tidhash.h"

/* a member the plan forces into a node's layer-0 list, in place of dropped */
typedef struct ForcedLink
{
	uint64		to;
	uint64		dropped;		/* 0: the list had room */
	int32		next;			/* the node's next forced link, or -1 */
} ForcedLink;

typedef struct VacState
{
	IndexVacuumInfo *vinfo;
	Relation	index;
	VxIndexInfo *info;
	BlockNumber first;			/* first node page */
	MemoryContext cxt;			/* everything below; its size is reported */
	MemoryContext roundcxt;		/* dead map, code cache, maps: one round */
	MemoryContext tmpcxt;		/* one reconnection */
	Size		budget;			/* maintenance_work_mem in bytes */
	DeadMap		dead;
	char	   *arena;			/* DELETED nodes' lists, packed */
	Size		arena_left;
	Size		dead_bytes;		/* dead map plus arena */
	bool		budget_full;	/* pass 1 stopped remembering: another round */
	int64		nlive;			/* live nodes pass 4 saw */
	BlockNumber first_free;		/* lowest page given a free slot */
	int64		newly_deleted;	/* nodes flagged DELETED by this vacuum */
	int64		ndeleted_seen;	/* DELETED nodes the last pass 1 met */

	/*
	 * Codes of live nodes, copied in pass 1 while they fit in half of
	 * maintenance_work_mem, so that pass 2 can choose replacements by
	 * distance without reading other pages.
	 */
	uint64	   *ckeys;			/* packed TID; 0 = empty */
	int32	   *cidx;
	uint64		cmask;
	char	   *codes;
	float	   *auxes;
	int64		ncodes;
	int64		capcodes;
	bool		cache_full;

	/*
	 * Pass 4: one bit per node slot in each map, slot (blk, off) at bit
	 * (blk - first) * perpage + off - 1 (a slot takes dozens of bytes), so
	 * the walk needs no queue and no memory per node.
	 */
	uint64	   *reached;
	uint64	   *pending;		/* reached, neighbours not yet read */
	uint64		nwords;
	uint64		npending;
	int			perpage;		/* most node slots a page can hold */
	/* scratch for repaired_list: (2m)^2 candidates + 2m members */
	VxCand	   *cands;
	char	  **scodes;
	float	   *sauxes;
	int		   *chosen;
	int64		nrepaired;		/* statistics of a round */
	int64		nreconnected;

	/*
	 * The plan of pass 2's layer-0 lists (pass_plan): adopters and the
	 * forced links, within a quarter of maintenance_work_mem; NULL outside
	 * passes 2 and its plan.
	 */
	planmap_hash *plan;
	uint32		plan_cap;		/* most entries the plan map may hold */
	bool		planning;		/* reach_walk follows the planned lists */
	DeadNode  **region;			/* the region walk's queue (one per node) */
	uint64		nregion;		/* DELETED nodes queued so far */
	uint64		regionhead;		/* the next to read */
	ForcedLink *forced;
	int32		nforced;
	int32		maxforced;
	int64		nforcedlinks;	/* statistics of a round */
	int64		nplanmissed;	/* live nodes the plan could not reach */
} VacState;

static DeadNode *dead_lookup(DeadMap *m, uint64 key, bool insert);

static void
dead_grow(DeadMap *m)
{
	DeadNode   *old = m->e;
	uint64		oldcap = m->mask + 1;

	m->e = MemoryContextAllocExtended(GetMemoryChunkContext(old),
									  sizeof(DeadNode) * oldcap * 2,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	m->mask = oldcap * 2 - 1;
	m->count = 0;
	for (uint64 i = 0; i < oldcap; i++)
		if (old[i].key != 0)
			*dead_lookup(m, old[i].key, true) = old[i];
	pfree(old);
}

static DeadNode *
dead_lookup(DeadMap *m, uint64 key, bool insert)
{
	uint64		i;

	if (insert && (m->count + 1) * 2 > m->mask)
		dead_grow(m);
	i = vx_hash64(key) & m->mask;
	while (m->e[i].key != 0)
	{
		if (m->e[i].key == key)
			return &m->e[i];
		i = (i + 1) & m->mask;
	}
	if (!insert)
		return NULL;
	m->e[i].key = key;
	m->count++;
	return &m->e[i];
}

static Buffer
vac_read(VacState *vs, BlockNumber blk)
{
	return ReadBufferExtended(vs->index, MAIN_FORKNUM, blk, RBM_NORMAL,
							  vs->vinfo->strategy);
}

/*
 * The next node page, locked in mode; InvalidBuffer for a zeroed page (free,
 * skipped); an ERROR for a page that is neither.  Each page is a vacuum
 * delay point.
 */
static Buffer
lock_node_page(VacState *vs, BlockNumber blk, int mode)
{
	Buffer		buf;

	vx_vacuum_delay_point();
	buf = vac_read(vs, blk);
	LockBuffer(buf, mode);
	if (!vx_node_page_usable(vs->index, BufferGetPage(buf), blk))
	{
		UnlockReleaseBuffer(buf);
		return InvalidBuffer;
	}
	return buf;
}

/*
 * The next node after *off (InvalidOffsetNumber to start) on locked node
 * page blk that is neither DELETED nor FREE, *off set to its offset; NULL
 * past the page's last node.
 */
static VxNodeHeader *
next_live(VacState *vs, Page page, BlockNumber blk, OffsetNumber *off)
{
	while (++(*off) <= PageGetMaxOffsetNumber(page))
	{
		VxNodeHeader *node = vx_page_node(vs->index, page, blk, *off);

		if (!(node->flags & VX_NODE_DEAD))
			return node;
	}
	return NULL;
}

/* the cached code of a live node, or NULL */
static const char *
cached_code(VacState *vs, uint64 key, float *aux)
{
	uint64		i;

	if (vs->ckeys == NULL)
		return NULL;
	i = vx_hash64(key) & vs->cmask;
	while (vs->ckeys[i] != 0)
	{
		if (vs->ckeys[i] == key)
		{
			*aux = vs->auxes[vs->cidx[i]];
			return vs->codes + (Size) vs->cidx[i] * vs->info->codesize;
		}
		i = (i + 1) & vs->cmask;
	}
	return NULL;
}

/* copy a live node's code into the cache, if there is room */
static void
cache_code(VacState *vs, uint64 key, VxNodeHeader *node)
{
	uint64		i;

	if (vs->cache_full || vs->ncodes == vs->capcodes)
	{
		vs->cache_full = true;
		return;
	}
	i = vx_hash64(key) & vs->cmask;
	while (vs->ckeys[i] != 0)
		i = (i + 1) & vs->cmask;
	vs->ckeys[i] = key;
	vs->cidx[i] = (int32) vs->ncodes;
	memcpy(vs->codes + (Size) vs->ncodes * vs->info->codesize,
		   vx_node_code(vs->info, node), vx_code_len(vs->info, vx_node_code(vs->info, node)));
	vs->auxes[vs->ncodes] = node->aux;
	vs->ncodes++;
}

/*
 * Size the code cache: as many nodes as the index can hold, within budget.
 * Codes are info->codesize apart (the largest a SPARSE code can be).
 */
static void
cache_init(VacState *vs, BlockNumber nblocks)
{
	Size		per = vs->info->codesize + sizeof(float) + 2 * (sizeof(uint64) + sizeof(int32));
	Size		budget = vs->budget / 2;
	int64		want = (int64) nblocks *
		(BLCKSZ / (vx_node_size(vs->info->m, 0, vx_min_code_size(vs->info)) +
				   sizeof(ItemIdData)) + 1);
	int64		cap = Min(want, (int64) (budget / per));
	uint64		slots = 1024;

	if (cap < 1)
	{
		vs->cache_full = true;
		return;
	}
	while (slots < (uint64) cap * 2)
		slots <<= 1;
	vs->ckeys = MemoryContextAllocExtended(CurrentMemoryContext, sizeof(uint64) * slots,
										   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	vs->cidx = MemoryContextAllocExtended(CurrentMemoryContext, sizeof(int32) * slots,
										  MCXT_ALLOC_HUGE);
	vs->cmask = slots - 1;
	vs->codes = MemoryContextAllocExtended(CurrentMemoryContext, vs->info->codesize * cap,
										   MCXT_ALLOC_HUGE);
	vs->auxes = MemoryContextAllocExtended(CurrentMemoryContext, sizeof(float) * cap,
										   MCXT_ALLOC_HUGE);
	vs->capcodes = cap;
}

/*
 * Remember a DELETED node and its lists (page locked by the caller), if
 * the round's budget (a quarter of maintenance_work_mem) has room; else
 * set budget_full and return false.  The lists are packed into an arena;
 * the map's cost counts the table it may grow to.
 */
static bool
remember_dead(VacState *vs, BlockNumber blk, OffsetNumber off, VxNodeHeader *node)
{
	ItemPointerData tid;
	DeadNode   *d;
	Size		sz = vx_layer_offset(vs->info->m, node->level + 1) - VX_NODE_HDRSZ;
	Size		table = sizeof(DeadNode) * (vs->dead.mask + 1);
	bool		grows = (vs->dead.count + 1) * 2 > vs->dead.mask;

	if (vs->budget_full ||
		(vs->dead.count > 0 &&
		 vs->dead_bytes + sz + (grows ? 2 * table : 0) > vs->budget / 4))
	{
		vs->budget_full = true;
		return false;
	}
	if (vs->arena_left < sz)
	{
		Size		chunk = Max(sz, 64 * 1024);

		vs->arena = MemoryContextAlloc(vs->roundcxt, chunk);
		vs->arena_left = chunk;
		vs->dead_bytes += chunk;
	}
	ItemPointerSet(&tid, blk, off);
	d = dead_lookup(&vs->dead, vx_tid_pack(&tid), true);
	if (grows)
		vs->dead_bytes += table;
	d->level = node->level;
	d->slots = (ItemPointerData *) vs->arena;
	memcpy(d->slots, (char *) node + VX_NODE_HDRSZ, sz);
	vs->arena += MAXALIGN(sz);
	vs->arena_left -= Min(vs->arena_left, MAXALIGN(sz));
	return true;
}

/*
 * Pass 1: flag the nodes of dead rows DELETED (callback may be NULL: only
 * count) and remember the DELETED nodes, until the round's budget is full
 * (budget_full; the nodes after that are left for the next round).
 * Returns the number of live nodes seen.
 */
static double
pass_mark(VacState *vs, IndexBulkDeleteCallback callback, void *callback_state)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);
	double		live = 0;

	vs->ndeleted_seen = 0;
	if (callback != NULL)
		cache_init(vs, nblocks);
	for (BlockNumber blk = vs->first; blk < nblocks; blk++)
	{
		Buffer		buf;
		Page		page;
		GenericXLogState *state = NULL;
		bool		marking = callback != NULL && !vs->budget_full;

		buf = lock_node_page(vs, blk, marking ? BUFFER_LOCK_EXCLUSIVE : BUFFER_LOCK_SHARE);
		if (!BufferIsValid(buf))
			continue;
		page = BufferGetPage(buf);
		for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			VxNodeHeader *node = vx_page_node(vs->index, page, blk, off);

			if (node->flags & VX_NODE_FREE)
				continue;
			/* a node already DELETED (an interrupted vacuum) is taken too */
			if (marking && !vs->budget_full &&
				((node->flags & VX_NODE_DELETED) ||
				 callback(&node->heaptid, callback_state)))
			{
				if (!(node->flags & VX_NODE_DELETED))
				{
					if (state == NULL)
					{
						state = GenericXLogStart(vs->index);
						page = GenericXLogRegisterBuffer(state, buf, 0);
						node = vx_page_node(vs->index, page, blk, off);
					}
					/* flag it only if it can be remembered in this round */
					if (remember_dead(vs, blk, off, node))
					{
						node->flags |= VX_NODE_DELETED;
						vs->newly_deleted++;
					}
				}
				else
					(void) remember_dead(vs, blk, off, node);
			}
			if (node->flags & VX_NODE_DELETED)
				vs->ndeleted_seen++;
			else
			{
				live++;
				if (callback != NULL)
				{
					ItemPointerData tid;

					ItemPointerSet(&tid, blk, off);
					cache_code(vs, vx_tid_pack(&tid), node);
				}
			}
		}
		if (state != NULL)
			vx_test_record(GenericXLogFinish(state));
		UnlockReleaseBuffer(buf);
	}
	return live;
}

/*
 * One list being repaired (repaired_list and its steps): whose it is, the
 * new list being built and the candidates for its free slots (in
 * vs->cands).
 */
typedef struct RepairList
{
	uint64		self;			/* the node whose list this is (packed TID) */
	const char *selfcode;		/* its code and the code's aux value */
	float		selfaux;
	int			layer;
	int			n;				/* members in the old list */
	int			nslots;			/* the list's capacity */
	ItemPointerData *out;		/* the new list: k members so far */
	int			k;
	int			nkept;			/* live members kept */
	int			ncand;			/* candidates in vs->cands */
	int			n1;				/* candidates from the first hop, -1 until known */
} RepairList;

/*
 * The old list's live members into rl->out; returns how many members are
 * DELETED.
 */
static int
keep_live_members(VacState *vs, RepairList *rl, ItemPointerData *slots)
{
	int			ndead = 0;

	rl->n = 0;
	while (rl->n < rl->nslots && ItemPointerIsValid(&slots[rl->n]))
		rl->n++;
	rl->k = 0;
	for (int i = 0; i < rl->n; i++)
		if (dead_lookup(&vs->dead, vx_tid_pack(&slots[i]), false) == NULL)
			rl->out[rl->k++] = slots[i];
		else
			ndead++;
	rl->nkept = rl->k;
	return ndead;
}

/*
 * The members of DELETED node d's list at rl's layer: live ones not yet in
 * the new list or among the candidates become candidates (distance from the
 * cached codes; where a code is not cached, the first such member goes into
 * the list itself, as lists are sorted); DELETED ones join the queue, up to
 * VX_REPAIR_DEEPER beyond its nseed seeds.
 */
static void
scan_dead_list(VacState *vs, RepairList *rl, DeadNode *d,
			   DeadNode **queue, int *nq, int nseed)
{
	const VxIndexInfo *info = vs->info;
	VxCand	   *cands = vs->cands;
	int			maxcand = 4 * info->m * info->m;	/* vs->cands holds 4m^2 + 2m */
	ItemPointerData *dl;
	int			dn;
	bool		took_first = false;

	dl = (ItemPointerData *) ((char *) d->slots +
							  vx_layer_offset(info->m, rl->layer) - VX_NODE_HDRSZ);
	dn = vx_layer_slots(info->m, rl->layer);
	for (int j = 0; j < dn && ItemPointerIsValid(&dl[j]); j++)
	{
		uint64		r = vx_tid_pack(&dl[j]);
		bool		have = r == rl->self;
		const char *code;
		float		aux;
		DeadNode   *dd;

		for (int x = 0; x < rl->k && !have; x++)
			have = ItemPointerEquals(&rl->out[x], &dl[j]);
		for (int x = 0; x < rl->ncand && !have; x++)
			have = cands[x].id == r;
		if (have)
			continue;
		dd = dead_lookup(&vs->dead, r, false);
		if (dd != NULL)
		{
			bool		queued = false;

			for (int x = 0; x < *nq && !queued; x++)
				queued = queue[x] == dd;
			if (!queued && *nq < nseed + VX_REPAIR_DEEPER && dd->level >= rl->layer)
				queue[(*nq)++] = dd;
			continue;
		}
		if (rl->ncand == maxcand)
			continue;
		code = cached_code(vs, r, &aux);
		if (code != NULL)
		{
			cands[rl->ncand].id = r;
			cands[rl->ncand].dist = vx_code_distance(info, rl->selfcode, rl->selfaux,
													 code, aux);
			rl->ncand++;
		}
		else if (!took_first && rl->k < rl->n)
		{
			rl->out[rl->k++] = dl[j];
			took_first = true;
		}
	}
}

/*
 * The candidates for rl's free slots: the members of the DELETED members'
 * lists; then, for a list none of whose members is live (its node's whole
 * neighbourhood was deleted) and while the live candidates found cannot
 * fill it, the lists of the DELETED nodes those name, and so on, up to
 * VX_REPAIR_DEEPER further DELETED nodes, of which the closest live ones
 * take at most VX_REPAIR_DEEP_SLOTS slots.  When a whole region is deleted,
 * one hop finds only DELETED nodes and the region's own live members, so
 * live nodes behind the region were cut off from the entry point until
 * pass 4 (test/t/128_hnsw_vacuum_cancel.pl: 28,005 of 28,006 one hop deep, 5
 * now).  Going deeper for every list short of candidates, or giving the
 * deeper nodes every free slot, looked worse for recall after churn (TAP
 * 107, items_l2: 0.930 and 0.857 in single runs); this rule matched one hop
 * over 7 runs each (median 0.960 against 0.963; the test's spread is
 * 0.93-0.99 either way).  Sets rl->ncand and rl->n1.
 */
static void
gather_candidates(VacState *vs, RepairList *rl, ItemPointerData *slots)
{
	DeadNode   *queue[2 * VX_MAX_M + VX_REPAIR_DEEPER];
	int			nq = 0;
	int			nseed;

	for (int i = 0; i < rl->n; i++)
	{
		DeadNode   *d = dead_lookup(&vs->dead, vx_tid_pack(&slots[i]), false);

		if (d != NULL && d->level >= rl->layer)
			queue[nq++] = d;
	}
	nseed = nq;
	rl->ncand = 0;
	rl->n1 = -1;
	for (int qi = 0; qi < nq; qi++)
	{
		if (qi == nseed)
			rl->n1 = rl->ncand;
		if (qi >= nseed && (rl->nkept > 0 || rl->ncand + rl->k >= rl->nslots))
			break;				/* go no deeper */
		scan_dead_list(vs, rl, queue[qi], queue, &nq, nseed);
	}
	if (rl->n1 < 0)
		rl->n1 = rl->ncand;		/* no deeper node was looked at */
}

/*
 * More candidates (sorted) than free slots: the heuristic's choice first (a
 * candidate no closer to any member already in the list than to this node:
 * a new direction), then the closest of the rest.  Filling by distance alone
 * turned lists into near-neighbour lists over repeated churn and cut the
 * paths between clusters.  The members with a cached code go in front as
 * fixed candidates.
 */
static void
fill_by_heuristic(VacState *vs, RepairList *rl)
{
	VxCand	   *cands = vs->cands;
	uint64		fixed[2 * VX_MAX_M];
	int			nk = 0;
	int			free = rl->nslots - rl->k;
	VxCandCodes cc;
	int			kk;
	float		aux;

	for (int x = 0; x < rl->k; x++)
		if (cached_code(vs, vx_tid_pack(&rl->out[x]), &aux) != NULL)
			fixed[nk++] = vx_tid_pack(&rl->out[x]);
	memmove(cands + nk, cands, sizeof(VxCand) * rl->ncand);
	for (int f = 0; f < nk; f++)
	{
		cands[f].id = fixed[f];
		cands[f].dist = 0;		/* not read: fixed members are not tested */
	}
	for (int i = 0; i < nk + rl->ncand; i++)
		vs->scodes[i] = (char *) cached_code(vs, cands[i].id, &vs->sauxes[i]);
	cc.cands = cands;
	cc.codes = vs->scodes;
	cc.auxes = vs->sauxes;
	cc.n = nk + rl->ncand;
	kk = vx_select_neighbors(vs->info, &cc, nk + free, nk, vs->chosen);
	kk = vx_top_up(nk + rl->ncand, vs->chosen, kk, nk + free);
	for (int i = nk; i < kk; i++)
		vx_tid_unpack(cands[vs->chosen[i]].id, &rl->out[rl->k++]);
}

/*
 * Free slots go to the closest candidates, up to the list's capacity:
 * filling only as many slots as were DELETED lost recall after repeated
 * churn on clustered data (0.975 against 0.996 for a fresh build, three
 * rounds of 20%); topping up kept it (0.996).
 */
static void
fill_free_slots(VacState *vs, RepairList *rl)
{
	VxCand	   *cands = vs->cands;

	if (rl->ncand > rl->n1)
	{
		/*
		 * The search went past the first hop: the first hop's candidates
		 * could not fill the list, so they all go in (closest first), then
		 * the closest VX_REPAIR_DEEP_SLOTS of the deeper ones.  They do not
		 * compete through the heuristic: it favours new directions, and far
		 * nodes behind a deleted region then displaced near ones.
		 */
		vx_sort_cands(cands, rl->n1);
		vx_sort_cands(cands + rl->n1, rl->ncand - rl->n1);
		for (int i = 0; i < rl->n1; i++)
			vx_tid_unpack(cands[i].id, &rl->out[rl->k++]);
		for (int i = rl->n1; i < rl->ncand && i < rl->n1 + VX_REPAIR_DEEP_SLOTS &&
			 rl->k < rl->nslots; i++)
			vx_tid_unpack(cands[i].id, &rl->out[rl->k++]);
		return;
	}
	vx_sort_cands(cands, rl->ncand);
	if (rl->ncand > rl->nslots - rl->k)
		fill_by_heuristic(vs, rl);
	else
		for (int i = 0; i < rl->ncand; i++)
			vx_tid_unpack(cands[i].id, &rl->out[rl->k++]);
}

/*
 * The new list of a live node at a layer (rl: self, selfcode, selfaux,
 * layer, nslots and out set by the caller) from its old one, slots: live
 * members kept; the slots of DELETED members go to the closest live
 * members of those members' own lists (distances from the codes cached in
 * pass 1; where a code is not cached, the first live member of the list is
 * taken).  Returns the new length (in rl->out), or -1 if the list has no
 * DELETED member.
 */
static int
repaired_list(VacState *vs, RepairList *rl, ItemPointerData *slots)
{
	if (keep_live_members(vs, rl, slots) == 0)
		return -1;
	gather_candidates(vs, rl, slots);
	fill_free_slots(vs, rl);
	return rl->k;
}

/*
 * The forced links of the plan into rl's list (layer 0), applied in the
 * order they were made: each takes the place of the member it dropped, or
 * a free slot; a list that changed since it was planned (a concurrent
 * insert) gives up its last new member instead, or takes none (pass 4 is
 * the net).  Returns whether the list changed.
 */
static bool
apply_forced(VacState *vs, RepairList *rl)
{
	PlanNode   *e;
	bool		changed = false;

	if (vs->plan == NULL || rl->layer != 0 ||
		(e = planmap_lookup(vs->plan, rl->self)) == NULL)
		return false;
	for (int32 f = e->forced; f >= 0; f = vs->forced[f].next)
	{
		ForcedLink *fl = &vs->forced[f];
		int			at = -1;
		bool		have = false;

		for (int i = 0; i < rl->k && !have; i++)
		{
			uint64		id = vx_tid_pack(&rl->out[i]);

			have = id == fl->to;
			if (id == fl->dropped && i >= rl->nkept)
				at = i;
		}
		if (have)
			continue;
		if (at < 0 && rl->k < rl->nslots)
			at = rl->k++;
		else if (at < 0 && rl->k - 1 >= rl->nkept)
			at = rl->k - 1;
		if (at < 0)
			continue;
		vx_tid_unpack(fl->to, &rl->out[at]);
		changed = true;
	}
	return changed;
}

/*
 * The list pass 2 writes for a live node at a layer (rl set up as for
 * repaired_list): its repaired list, and on layer 0 the plan's forced
 * links.  rl->out[0 .. rl->nkept) are old live members, the rest new.
 * Returns the new length, or -1 if the list stays as it is.
 */
static int
planned_list(VacState *vs, RepairList *rl, ItemPointerData *slots)
{
	bool		repaired = repaired_list(vs, rl, slots) >= 0;

	/* without a DELETED member, keep_live_members copied the list whole */
	if (apply_forced(vs, rl) || repaired)
		return rl->k;
	return -1;
}

/*
 * Set up rl for the list of live node tid (node, on a page the caller has
 * locked) at a layer, its new list to go to out; returns the old list.
 */
static ItemPointerData *
rl_init(VacState *vs, RepairList *rl, ItemPointer tid, VxNodeHeader *node, int layer,
		ItemPointerData *out)
{
	memset(rl, 0, sizeof(RepairList));
	rl->self = vx_tid_pack(tid);
	rl->selfcode = vx_node_code(vs->info, node);
	rl->selfaux = node->aux;
	rl->layer = layer;
	rl->nslots = vx_layer_slots(vs->info->m, layer);
	rl->out = out;
	return (ItemPointerData *) ((char *) node + vx_layer_offset(vs->info->m, layer));
}

/*
 * Fix the lists of the live nodes on one page: DELETED members replaced
 * and the plan's forced links made (planned_list), the page changed under
 * its exclusive lock in one record if any list changed.
 */
static void
repair_page(VacState *vs, BlockNumber blk)
{
	const VxIndexInfo *info = vs->info;
	ItemPointerData out[2 * VX_MAX_M];
	Buffer		buf;
	Page		page;
	GenericXLogState *state = NULL;
	OffsetNumber off = InvalidOffsetNumber;
	VxNodeHeader *node;

	buf = lock_node_page(vs, blk, BUFFER_LOCK_EXCLUSIVE);
	if (!BufferIsValid(buf))
		return;
	page = BufferGetPage(buf);
	/* page is the record's image once one is started: read on from it */
	while ((node = next_live(vs, page, blk, &off)) != NULL)
	{
		ItemPointerData self;

		ItemPointerSet(&self, blk, off);
		for (int l = 0; l <= node->level; l++)
		{
			RepairList	rl;
			ItemPointerData *slots = rl_init(vs, &rl, &self, node, l, out);
			int			k = planned_list(vs, &rl, slots);

			if (k < 0)
				continue;
			vs->nrepaired++;
			if (state == NULL)
			{
				state = GenericXLogStart(vs->index);
				page = GenericXLogRegisterBuffer(state, buf, 0);
				node = vx_page_node(vs->index, page, blk, off);
				slots = (ItemPointerData *) ((char *) node + vx_layer_offset(info->m, l));
			}
			vx_set_list(slots, rl.nslots, out, k);
		}
	}
	if (state != NULL)
		vx_test_record(GenericXLogFinish(state));
	UnlockReleaseBuffer(buf);
}

/*
 * Pass 2: repair every live node's lists.  The replacement lists need only
 * what pass 1 copied, so each page is fixed under its exclusive lock in one
 * go, concurrent inserts' changes included.
 */
static void
pass_repair(VacState *vs)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);

	for (BlockNumber blk = vs->first; blk < nblocks; blk++)
		repair_page(vs, blk);
}

static void pass_plan(VacState *vs, uint64 start);
static uint64 round_start(VacState *vs, int *level, bool *move, bool *had_entry);
static void set_entry(VacState *vs, uint64 top, int level);

/*
 * Pass 2 with its plan: the entry point the round ends with is chosen
 * first (the old one if live), the repair planned from it, the entry point
 * moved (one record) if it changes, and only then are lists written.  If
 * the old entry point was DELETED, inserts wait from the choice until the
 * move (round_start).
 */
static void
plan_and_repair(VacState *vs)
{
	bool		move;
	bool		had_entry;
	int			level;
	uint64		start = round_start(vs, &level, &move, &had_entry);

	if (start != 0)
		pass_plan(vs, start);
	if (move)
	{
		if (start != 0 || had_entry)
			set_entry(vs, start, level);
		UnlockPage(vs->index, VX_UPDATE_LOCK, ExclusiveLock);
	}
	pass_repair(vs);
	vs->plan = NULL;			/* freed with the round's context */
}

/* the bit of a node slot in the pass-4 maps, or -1 if it names none */
static int64
slot_bit(VacState *vs, uint64 id)
{
	BlockNumber blk = vx_tid_block(id);
	int			off = (int) vx_tid_offset(id);

	if (blk < vs->first || off < 1 || off > vs->perpage)
		return -1;
	return (int64) (blk - vs->first) * vs->perpage + off - 1;
}

/* grow both maps to hold bit (pages added since pass 4 began) */
static void
maps_cover(VacState *vs, uint64 bit)
{
	uint64		nwords = vs->nwords;

	if (bit / 64 < nwords)
		return;
	while (nwords <= bit / 64)
		nwords *= 2;
	vs->reached = repalloc_huge(vs->reached, sizeof(uint64) * nwords);
	vs->pending = repalloc_huge(vs->pending, sizeof(uint64) * nwords);
	memset(vs->reached + vs->nwords, 0, sizeof(uint64) * (nwords - vs->nwords));
	memset(vs->pending + vs->nwords, 0, sizeof(uint64) * (nwords - vs->nwords));
	vs->nwords = nwords;
}

static void
maps_init(VacState *vs)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);
	uint64		nbits = (uint64) Max(nblocks, vs->first + 1) * vs->perpage;

	vs->nwords = nbits / 64 + 1;
	vs->reached = MemoryContextAllocExtended(vs->roundcxt, sizeof(uint64) * vs->nwords,
											 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	vs->pending = MemoryContextAllocExtended(vs->roundcxt, sizeof(uint64) * vs->nwords,
											 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	vs->npending = 0;
}

static bool
is_reached(VacState *vs, uint64 id)
{
	int64		bit = slot_bit(vs, id);

	return bit >= 0 && (uint64) bit / 64 < vs->nwords &&
		(vs->reached[bit / 64] & (UINT64CONST(1) << (bit % 64))) != 0;
}

/*
 * Mark a node reached, to have its neighbours read -- unless it was
 * already, or it is one of the DELETED nodes this round frees: a path
 * through one of those does not count.
 */
static void
reach_mark(VacState *vs, uint64 id)
{
	int64		bit = slot_bit(vs, id);
	uint64		b;

	if (bit < 0)
		return;
	maps_cover(vs, bit);
	b = UINT64CONST(1) << (bit % 64);
	if ((vs->reached[bit / 64] & b) || dead_lookup(&vs->dead, id, false) != NULL)
		return;
	vs->reached[bit / 64] |= b;
	vs->pending[bit / 64] |= b;
	vs->npending++;
}

/*
 * The plan map's entry for live node id, made if there is none and the map
 * has room (else NULL); adopter (if not 0) becomes its adopter unless it
 * has one.
 */
static PlanNode *
plan_adopt(VacState *vs, uint64 id, uint64 adopter)
{
	PlanNode   *e = planmap_lookup(vs->plan, id);
	bool		found;

	if (e == NULL && vs->plan->members + vs->nforced < vs->plan_cap)
	{
		e = planmap_insert(vs->plan, id, &found);
		e->adopter = 0;
		e->parent = 0;
		e->forced = -1;
	}
	if (e != NULL && e->adopter == 0)
		e->adopter = adopter;
	return e;
}

/*
 * The region walk: from the DELETED members of reached live nodes, breadth
 * first through the DELETED nodes' own layer-0 lists (the copies pass 1
 * made, equal to the pages until pass 5 frees them), each DELETED node
 * once.  A live node met in the list of a DELETED node first found from
 * reached node L gets L as its adopter: L -> D ... -> it, through DELETED
 * nodes only, is a path on the pages until pass 5.  Linear in the DELETED
 * nodes' lists.
 */
static void
region_seed(VacState *vs, uint64 origin, ItemPointerData *slots, int n)
{
	for (int i = 0; i < n && ItemPointerIsValid(&slots[i]); i++)
	{
		DeadNode   *d = dead_lookup(&vs->dead, vx_tid_pack(&slots[i]), false);

		if (d != NULL && d->origin == 0)
		{
			d->origin = origin;
			vs->region[vs->nregion++] = d;
		}
	}
}

/*
 * Live node x, met in the list of a DELETED node found from origin: origin
 * becomes its adopter if it has none, or if origin is nearer to it than its
 * adopter (codes cached in pass 1): a forced link from a near node is one
 * a search for x follows.
 */
static void
region_adopt(VacState *vs, uint64 x, uint64 origin)
{
	PlanNode   *e = plan_adopt(vs, x, origin);
	const char *xc;
	const char *ac;
	const char *oc;
	float		xa,
				aa,
				oa;

	if (e == NULL || e->adopter == origin ||
		(xc = cached_code(vs, x, &xa)) == NULL ||
		(oc = cached_code(vs, origin, &oa)) == NULL)
		return;
	if ((ac = cached_code(vs, e->adopter, &aa)) == NULL ||
		vx_code_distance(vs->info, xc, xa, oc, oa) <
		vx_code_distance(vs->info, xc, xa, ac, aa))
		e->adopter = origin;
}

static void
region_walk(VacState *vs)
{
	while (vs->regionhead < vs->nregion)
	{
		DeadNode   *d = vs->region[vs->regionhead++];
		ItemPointerData *dl = (ItemPointerData *) ((char *) d->slots +
												   vx_layer_offset(vs->info->m, 0) -
												   VX_NODE_HDRSZ);
		int			dn = vx_layer_slots(vs->info->m, 0);

		region_seed(vs, d->origin, dl, dn);
		for (int j = 0; j < dn && ItemPointerIsValid(&dl[j]); j++)
			if (dead_lookup(&vs->dead, vx_tid_pack(&dl[j]), false) == NULL)
				region_adopt(vs, vx_tid_pack(&dl[j]), d->origin);
	}
}

/*
 * reach_mark, for the plan walk: the walk got to id through a member of
 * parent's list that is new there (0: an old member), which the plan then
 * never drops to make room for a forced link.
 */
static void
reach_mark_from(VacState *vs, uint64 id, uint64 parent)
{
	PlanNode   *e;

	if (is_reached(vs, id))
		return;
	reach_mark(vs, id);
	if (parent != 0 && is_reached(vs, id) && (e = plan_adopt(vs, id, 0)) != NULL)
		e->parent = parent;
}

/*
 * The layer-0 list the plan walk follows from node tid (its page locked
 * by the caller): the list pass 2 will write (planned_list), or for a
 * DELETED node of a later round, which pass 2 leaves, the list as it is.
 * *nkept: how many of the members are old ones.
 */
static int
plan_neighbors(VacState *vs, ItemPointer tid, VxNodeHeader *node, ItemPointerData *out,
			   int *nkept)
{
	RepairList	rl;
	ItemPointerData *slots;

	if (node->flags & VX_NODE_DEAD)
	{
		*nkept = vx_node_neighbors(vs->info, node, 0, out);
		return *nkept;
	}
	slots = rl_init(vs, &rl, tid, node, 0, out);
	region_seed(vs, rl.self, slots, rl.nslots);
	(void) planned_list(vs, &rl, slots);
	*nkept = rl.nkept;
	return rl.k;
}

/*
 * Read the layer-0 lists of every pending node until none is left: what
 * the nodes marked so far reach -- over the lists as they are on the pages
 * (pass 4), or as pass 2 will write them (vs->planning: the plan walk).
 * Pages are read in block order, sweep after sweep over the pending map.
 */
static void
reach_walk(VacState *vs)
{
	ItemPointerData nbrs[2 * VX_MAX_M];
	uint64		nread = 0;

	while (vs->npending > 0)
	{
		for (uint64 w = 0; w < vs->nwords && vs->npending > 0; w++)
		{
			while (vs->pending[w] != 0)
			{
				int			b = pg_rightmost_one_pos64(vs->pending[w]);
				uint64		bit = w * 64 + b;
				ItemPointerData tid;
				Buffer		buf;
				VxNodeHeader *node;
				int			n = 0;
				int			nkept = 0;

				vs->pending[w] &= ~(UINT64CONST(1) << b);
				vs->npending--;
				if ((++nread & 1023) == 0)
					vx_vacuum_delay_point();
				ItemPointerSet(&tid, vs->first + (BlockNumber) (bit / vs->perpage),
							   (OffsetNumber) (bit % vs->perpage + 1));
				buf = vac_read(vs, ItemPointerGetBlockNumber(&tid));
				LockBuffer(buf, BUFFER_LOCK_SHARE);
				node = vx_page_node(vs->index, BufferGetPage(buf),
									ItemPointerGetBlockNumber(&tid),
									ItemPointerGetOffsetNumber(&tid));
				if (node->flags & VX_NODE_FREE)
					n = 0;
				else if (vs->planning)
					n = plan_neighbors(vs, &tid, node, nbrs, &nkept);
				else
					nkept = n = vx_node_neighbors(vs->info, node, 0, nbrs);
				UnlockReleaseBuffer(buf);
				for (int i = 0; i < n; i++)
					reach_mark_from(vs, vx_tid_pack(&nbrs[i]),
									i < nkept ? 0 : vx_tid_pack(&tid));
			}
		}
	}
}

/*
 * Link a live node from the nearest reached node a search from the entry
 * point finds: a node the walk missed (reachable false), or one the plan
 * linked only from a far adopter (reachable true: its own edges are kept).
 * Returns false if it could not be linked.  Works in tmpcxt, reset here.
 */
static bool
reconnect(VacState *vs, uint64 u, ItemPointer entry, int entry_level, bool reachable)
{
	const VxIndexInfo *info = vs->info;
	MemoryContext old = MemoryContextSwitchTo(vs->tmpcxt);
	ItemPointerData utid;
	Buffer		buf;
	VxNodeHeader *node;
	char	   *code = palloc(info->codesize);
	float		aux;
	bool		dead;
	VxDiskGraph g;
	VxLayerResults layers;
	VxRel		r;
	VxNodeCode	to;
	int			n;
	bool		linked = false;

	vx_tid_unpack(u, &utid);
	buf = vac_read(vs, ItemPointerGetBlockNumber(&utid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = vx_page_node(vs->index, BufferGetPage(buf), ItemPointerGetBlockNumber(&utid),
						ItemPointerGetOffsetNumber(&utid));
	memcpy(code, vx_node_code(info, node), vx_code_len(info, vx_node_code(info, node)));
	aux = node->aux;
	dead = (node->flags & VX_NODE_DEAD) != 0;
	UnlockReleaseBuffer(buf);
	if (dead)
		linked = true;
	else
	{
		vx_disk_graph_init(&g, vs->index, info, info->ef_construction * info->m);
		vx_query_set_code(&g.query, code, aux);
		n = vx_disk_search(&g, info->ef_construction, 0, &layers, entry, entry_level);
		vx_disk_graph_free(&g);

		r.index = vs->index;
		r.info = info;
		to.tid = utid;
		to.code = code;
		to.aux = aux;
		for (int i = 0; i < n && !linked; i++)
		{
			ItemPointerData vtid;

			if (layers.cands[0][i].id == u || !is_reached(vs, layers.cands[0][i].id))
				continue;
			vx_tid_unpack(layers.cands[0][i].id, &vtid);
			linked = vx_link(&r, &vtid, 0, &to, reachable);
		}
		/* the search found no reached node (it went through upper layers) */
		if (!linked && vx_tid_pack(entry) != u)
			linked = vx_link(&r, entry, 0, &to, reachable);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(vs->tmpcxt);
	return linked;
}

/*
 * Pass 4, second half: scan every node page (up to the end of the index,
 * which concurrent inserts may extend).  A live list that still names a
 * DELETED node of this round -- a new entry point's link to the old one,
 * made by an insert between the barrier and pass 3 -- is repaired; a live
 * node the walk did not reach -- among them nodes inserted during the
 * vacuum whose candidates were all DELETED -- is linked in, and what it
 * reaches is walked.  Returns the number of nodes that could not be linked.
 */
static int64
reach_scan(VacState *vs, ItemPointer entry, int entry_level)
{
	int64		unlinked = 0;
	uint64	   *unreached = palloc(sizeof(uint64) * vs->perpage);
	ItemPointerData nbrs[2 * VX_MAX_M];

	for (BlockNumber blk = vs->first; blk < RelationGetNumberOfBlocks(vs->index); blk++)
	{
		Buffer		buf = lock_node_page(vs, blk, BUFFER_LOCK_SHARE);
		Page		page;
		int			nu = 0;
		bool		fix = false;
		OffsetNumber off = InvalidOffsetNumber;
		VxNodeHeader *node;

		if (!BufferIsValid(buf))
			continue;
		page = BufferGetPage(buf);
		/* DELETED nodes of a later round need not be reached */
		while ((node = next_live(vs, page, blk, &off)) != NULL)
		{
			vs->nlive++;
			for (int l = 0; l <= node->level && !fix; l++)
			{
				int			n = vx_node_neighbors(vs->info, node, l, nbrs);

				for (int i = 0; i < n && !fix; i++)
					fix = dead_lookup(&vs->dead, vx_tid_pack(&nbrs[i]), false) != NULL;
			}
			if (!is_reached(vs, vx_tid_make(blk, off)) && nu < vs->perpage)
				unreached[nu++] = vx_tid_make(blk, off);
		}
		UnlockReleaseBuffer(buf);

		if (fix)
		{
			repair_page(vs, blk);
			/* the replacements may lead on: read this page's reached lists again */
			for (int off = 1; off <= vs->perpage; off++)
			{
				ItemPointerData tid;
				int64		bit;

				ItemPointerSet(&tid, blk, off);
				bit = slot_bit(vs, vx_tid_pack(&tid));
				if (is_reached(vs, vx_tid_pack(&tid)) &&
					!(vs->pending[bit / 64] & (UINT64CONST(1) << (bit % 64))))
				{
					vs->pending[bit / 64] |= UINT64CONST(1) << (bit % 64);
					vs->npending++;
				}
			}
			reach_walk(vs);
		}
		for (int i = 0; i < nu; i++)
		{
			if (is_reached(vs, unreached[i]))
				continue;
			CHECK_FOR_INTERRUPTS();
			if (reconnect(vs, unreached[i], entry, entry_level, false))
			{
				vs->nreconnected++;
				reach_mark(vs, unreached[i]);
				reach_walk(vs);
			}
			else
				unlinked++;
		}
	}
	pfree(unreached);
	return unlinked;
}

/*
 * The live node of the highest level (the first such in block order), or 0
 * if there is none.  Called with the update lock held exclusively, so no
 * insert is under way.
 */
static uint64
find_top(VacState *vs, int *level)
{
	uint64		top = 0;

	*level = -1;
	for (BlockNumber blk = vs->first; blk < RelationGetNumberOfBlocks(vs->index); blk++)
	{
		Buffer		buf = lock_node_page(vs, blk, BUFFER_LOCK_SHARE);
		OffsetNumber off = InvalidOffsetNumber;
		VxNodeHeader *node;

		if (!BufferIsValid(buf))
			continue;
		while ((node = next_live(vs, BufferGetPage(buf), blk, &off)) != NULL)
			if (node->level > *level)
			{
				top = vx_tid_make(blk, off);
				*level = node->level;
			}
		UnlockReleaseBuffer(buf);
	}
	return top;
}

/* make node top (0: none, the graph is empty) the entry point: one record */
static void
set_entry(VacState *vs, uint64 top, int level)
{
	Buffer		metabuf = ReadBuffer(vs->index, VX_METAPAGE_BLKNO);
	GenericXLogState *state;
	VxMetaPage	meta;

	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(vs->index);
	meta = VxPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
	if (top != 0)
	{
		vx_tid_unpack(top, &meta->entry);
		meta->entry_level = (int16) level;
	}
	else
	{
		ItemPointerSetInvalid(&meta->entry);
		meta->entry_level = -1;
	}
	vx_test_record(GenericXLogFinish(state));
	UnlockReleaseBuffer(metabuf);
}

/*
 * The node the plan walk and pass 4 start from, with its level: the entry
 * point if it is live, else (*move) the live node of highest level, found
 * with the update lock held exclusively -- which the caller then keeps, so
 * that no insert runs until the node has become the entry point -- or 0 if
 * no node is live.  *had_entry: whether the index had an entry point.
 */
static uint64
round_start(VacState *vs, int *level, bool *move, bool *had_entry)
{
	VxMetaPageData meta;

	LockPage(vs->index, VX_UPDATE_LOCK, ExclusiveLock);
	vx_read_meta(vs->index, &meta);
	*had_entry = meta.entry_level >= 0;
	*move = meta.entry_level < 0 ||
		dead_lookup(&vs->dead, vx_tid_pack(&meta.entry), false) != NULL;
	if (*move)
		return find_top(vs, level);
	UnlockPage(vs->index, VX_UPDATE_LOCK, ExclusiveLock);
	*level = meta.entry_level;
	return vx_tid_pack(&meta.entry);
}

/*
 * Force unreached live node u into the planned layer-0 list of reached
 * node adopter, from whose deleted region the walk knows it: into a free
 * slot, or in place of the last new member that the walk did not reach
 * through adopter (so that everything reached stays reached).  Returns
 * false if no member can go or the plan map is full.
 */
static bool
plan_force(VacState *vs, uint64 adopter, uint64 u)
{
	ItemPointerData out[2 * VX_MAX_M];
	ItemPointerData tid;
	RepairList	rl;
	Buffer		buf;
	VxNodeHeader *node;
	uint64		dropped = 0;
	bool		found = false;
	bool		dead;
	PlanNode   *e;
	int32	   *link;

	vx_tid_unpack(adopter, &tid);
	buf = vac_read(vs, ItemPointerGetBlockNumber(&tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = vx_page_node(vs->index, BufferGetPage(buf), ItemPointerGetBlockNumber(&tid),
						ItemPointerGetOffsetNumber(&tid));
	dead = (node->flags & VX_NODE_DEAD) != 0;
	if (!dead)
		(void) planned_list(vs, &rl, rl_init(vs, &rl, &tid, node, 0, out));
	UnlockReleaseBuffer(buf);
	if (dead)
		return false;
	found = rl.k < rl.nslots;
	for (int i = rl.k - 1; i >= rl.nkept && !found; i--)
	{
		PlanNode   *r = planmap_lookup(vs->plan, vx_tid_pack(&out[i]));

		if (r != NULL && r->parent != adopter)
		{
			dropped = vx_tid_pack(&out[i]);
			found = true;
		}
	}
	if (!found || vs->plan->members + vs->nforced + 1 >= vs->plan_cap ||
		(e = plan_adopt(vs, adopter, 0)) == NULL)
		return false;
	if (vs->nforced == vs->maxforced)
	{
		vs->maxforced *= 2;
		vs->forced = repalloc(vs->forced, sizeof(ForcedLink) * vs->maxforced);
	}
	vs->forced[vs->nforced].to = u;
	vs->forced[vs->nforced].dropped = dropped;
	vs->forced[vs->nforced].next = -1;
	for (link = &e->forced; *link >= 0; link = &vs->forced[*link].next)
		;
	*link = vs->nforced++;
	vs->nforcedlinks++;
	return true;
}

/*
 * The plan walk missed some live nodes: force each into the list of its
 * adopter, if that was reached, and walk on from it.  Sweeps the pages
 * until a sweep forces nothing; returns the number of live nodes still
 * unreached.
 */
static int64
plan_adopt_missed(VacState *vs)
{
	uint64	   *missed = palloc(sizeof(uint64) * vs->perpage);
	int64		nmissed;
	bool		progress = true;

	while (progress)
	{
		progress = false;
		nmissed = 0;
		for (BlockNumber blk = vs->first; blk < RelationGetNumberOfBlocks(vs->index); blk++)
		{
			Buffer		buf = lock_node_page(vs, blk, BUFFER_LOCK_SHARE);
			int			nu = 0;
			OffsetNumber off = InvalidOffsetNumber;

			if (!BufferIsValid(buf))
				continue;
			while (next_live(vs, BufferGetPage(buf), blk, &off) != NULL)
				if (!is_reached(vs, vx_tid_make(blk, off)) && nu < vs->perpage)
					missed[nu++] = vx_tid_make(blk, off);
			UnlockReleaseBuffer(buf);
			for (int i = 0; i < nu; i++)
			{
				PlanNode   *e = planmap_lookup(vs->plan, missed[i]);
				uint64		adopter = e != NULL ? e->adopter : 0;

				if (is_reached(vs, missed[i]))
					continue;
				CHECK_FOR_INTERRUPTS();
				if (adopter != 0 && is_reached(vs, adopter) &&
					plan_force(vs, adopter, missed[i]))
				{
					reach_mark_from(vs, missed[i], adopter);
					reach_walk(vs);
					region_walk(vs);
					progress = true;
				}
				else
					nmissed++;
			}
		}
	}
	pfree(missed);
	return nmissed;
}

/*
 * Plan pass 2's layer-0 lists so that writing them in any order keeps
 * every live node reachable (README "Vacuum"): walk from start over the
 * lists as pass 2 will write them, recording for each live node met in a
 * reached node's deleted region that node as its adopter; force the live
 * nodes the walk missed into their adopters' lists.  What the plan keeps
 * is the adopters and the forced links (the lists themselves are computed
 * again, the same, by pass 2).  Leaves vs->plan for pass 2.
 */
static void
pass_plan(VacState *vs, uint64 start)
{
	vs->plan = planmap_create(vs->roundcxt, 1024, NULL);
	vs->plan_cap = (uint32) Min((Size) PG_UINT32_MAX / 2,
								vs->budget / 4 / (2 * sizeof(PlanNode) + sizeof(ForcedLink)));
	vs->maxforced = 64;
	vs->nforced = 0;
	vs->forced = MemoryContextAlloc(vs->roundcxt, sizeof(ForcedLink) * vs->maxforced);
	vs->region = MemoryContextAllocExtended(vs->roundcxt, sizeof(DeadNode *) * vs->dead.count,
											MCXT_ALLOC_HUGE);
	vs->nregion = vs->regionhead = 0;
	maps_init(vs);
	vs->planning = true;
	reach_mark(vs, start);
	reach_walk(vs);
	region_walk(vs);
	vs->nplanmissed = plan_adopt_missed(vs);
	vs->planning = false;
	pfree(vs->region);
	pfree(vs->reached);
	pfree(vs->pending);
	vs->region = NULL;
	vs->reached = vs->pending = NULL;
	vs->nwords = vs->npending = 0;
}

/*
 * Passes 3 and 4: the entry point, then every live node reachable from it
 * over layer 0.
 *
 * Taking the update lock exclusively is a second barrier: every insert
 * that began before pass 2 had fixed the lists it read is done, so its node
 * is on a page the scan of pass 4 reads.  An insert that begins later
 * walks repaired lists from a live entry point and finds live neighbours
 * (the entry point itself, at least), links back from them, and so is
 * reachable once they are.
 *
 * If the entry point is one of this round's DELETED nodes, the live node
 * of highest level is found under that lock (exactly: no insert runs), the
 * lock is kept -- inserts wait -- while pass 4 makes everything reachable
 * from it, and only then does it become the entry point.  A cancelled or
 * crashed vacuum so never leaves an entry point that does not reach what
 * it reached before.  Otherwise the lock is released at once and pass 4
 * runs beside inserts.  Returns the number of nodes that could not be
 * linked.
 */
static int64
pass_reach(VacState *vs)
{
	bool		move;
	bool		had_entry;
	int			level;
	uint64		start = round_start(vs, &level, &move, &had_entry);
	ItemPointerData starttid;
	int64		unlinked = 0;

	vx_test_point("vacuum-before-reach");

	if (start != 0)
	{
		vx_tid_unpack(start, &starttid);
		maps_init(vs);
		reach_mark(vs, start);
		reach_walk(vs);
		unlinked = reach_scan(vs, &starttid, level);

		/*
		 * A node the plan forced into its adopter's list is reachable, but
		 * perhaps only from far away (the adopter is where the walk came
		 * upon its deleted region): link it from the nearest node a search
		 * for it finds too, as pass 4 does a node it missed, so that
		 * searches find it.
		 */
		for (int32 f = 0; f < vs->nforced; f++)
		{
			CHECK_FOR_INTERRUPTS();
			if (reconnect(vs, vs->forced[f].to, &starttid, level, true))
				vs->nreconnected++;
		}
	}
	if (move)
	{
		if (start != 0 || had_entry)
			set_entry(vs, start, level);
		UnlockPage(vs->index, VX_UPDATE_LOCK, ExclusiveLock);
	}
	return unlinked;
}

/* Pass 5: DELETED nodes become FREE slots; the hint points at the first */
static void
pass_free(VacState *vs)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);
	Buffer		metabuf;
	VxMetaPage	meta;

	vs->first_free = InvalidBlockNumber;
	for (BlockNumber blk = vs->first; blk < nblocks && vs->dead.count > 0; blk++)
	{
		Buffer		buf;
		Page		page;
		GenericXLogState *state = NULL;

		buf = lock_node_page(vs, blk, BUFFER_LOCK_EXCLUSIVE);
		if (!BufferIsValid(buf))
			continue;
		page = BufferGetPage(buf);
		for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			ItemPointerData tid;
			VxNodeHeader *node;

			ItemPointerSet(&tid, blk, off);
			if (dead_lookup(&vs->dead, vx_tid_pack(&tid), false) == NULL)
				continue;
			if (state == NULL)
			{
				state = GenericXLogStart(vs->index);
				page = GenericXLogRegisterBuffer(state, buf, 0);
			}
			node = vx_page_node(vs->index, page, blk, off);
			node->flags |= VX_NODE_FREE;
			if (!BlockNumberIsValid(vs->first_free))
				vs->first_free = blk;
		}
		if (state != NULL)
			vx_test_record(GenericXLogFinish(state));
		UnlockReleaseBuffer(buf);
	}

	if (!BlockNumberIsValid(vs->first_free))
		return;
	metabuf = ReadBuffer(vs->index, VX_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = VxPageGetMeta(BufferGetPage(metabuf));
	if (!BlockNumberIsValid(meta->free_blkno) || meta->free_blkno > vs->first_free)
	{
		GenericXLogState *state = GenericXLogStart(vs->index);

		meta = VxPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
		meta->free_blkno = vs->first_free;
		vx_test_record(GenericXLogFinish(state));
	}
	UnlockReleaseBuffer(metabuf);
}

/*
 * Set up the state of a bulk delete or cleanup in a new context "hnsw
 * vacuum" under the current one; the caller deletes vs->cxt.
 */
static void
vac_init(VacState *vs, IndexVacuumInfo *info)
{
	VxMetaPageData meta;
	int			mem;
	Size		minnode;

	memset(vs, 0, sizeof(VacState));
	vs->cxt = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum",
									ALLOCSET_DEFAULT_SIZES);
	vs->roundcxt = AllocSetContextCreate(vs->cxt, "hnsw vacuum round",
										 ALLOCSET_DEFAULT_SIZES);
	vs->tmpcxt = AllocSetContextCreate(vs->cxt, "hnsw vacuum relink",
									   ALLOCSET_DEFAULT_SIZES);
	vs->vinfo = info;
	vs->index = info->index;
	vs->info = vx_get_info(info->index);
	vx_read_meta(info->index, &meta);
	vs->first = 1 + meta.nqpages;
	mem = vx_am_autovacuum_worker() && autovacuum_work_mem != -1 ?
		autovacuum_work_mem : maintenance_work_mem;
	vs->budget = (Size) mem * 1024;
	minnode = vx_node_size(vs->info->m, 0, vx_min_code_size(vs->info)) + sizeof(ItemIdData);
	vs->perpage = (int) ((BLCKSZ - SizeOfPageHeaderData) / minnode) + 1;
	{
		int			nscratch = 4 * vs->info->m * vs->info->m + 2 * vs->info->m;

		vs->cands = MemoryContextAlloc(vs->cxt, sizeof(VxCand) * nscratch);
		vs->scodes = MemoryContextAlloc(vs->cxt, sizeof(char *) * nscratch);
		vs->sauxes = MemoryContextAlloc(vs->cxt, sizeof(float) * nscratch);
		vs->chosen = MemoryContextAlloc(vs->cxt, sizeof(int) * nscratch);
	}
}

/* start a round: the round context emptied, an empty dead map */
static void
vac_round_begin(VacState *vs)
{
	MemoryContextReset(vs->roundcxt);
	vs->dead.e = MemoryContextAllocZero(vs->roundcxt, sizeof(DeadNode) * 1024);
	vs->dead.mask = 1023;
	vs->dead.count = 0;
	vs->dead_bytes = sizeof(DeadNode) * 1024;
	vs->arena = NULL;
	vs->arena_left = 0;
	vs->budget_full = false;
	vs->ckeys = NULL;
	vs->cidx = NULL;
	vs->codes = NULL;
	vs->auxes = NULL;
	vs->ncodes = vs->capcodes = 0;
	vs->cache_full = false;
	vs->reached = vs->pending = NULL;
	vs->nwords = vs->npending = 0;
	vs->nlive = 0;
	vs->nrepaired = vs->nreconnected = 0;
	vs->plan = NULL;
	vs->planning = false;
	vs->forced = NULL;
	vs->nforced = vs->maxforced = 0;
	vs->nforcedlinks = vs->nplanmissed = 0;
}

/*
 * ambulkdelete: rounds of passes 1-5 until pass 1 has remembered every
 * DELETED node.  Memory: a round's dead map and lists take at most a
 * quarter of maintenance_work_mem, its code cache at most half, the reach
 * maps two bits per node slot; each round's DEBUG1 line
 * reports the size of the vacuum's memory context.
 */
/* the bulk-delete callback of a cleanup: no row is newly dead */
static bool
none_dead(ItemPointer tid, void *state)
{
	return false;
}

/*
 * Rounds of passes 1-5 until pass 1 has remembered every DELETED node (see
 * hnswbulkdelete); callback NULL: no row is newly dead, the rounds finish
 * the nodes an interrupted vacuum left DELETED.
 */
static void
vac_rounds(VacState *vs, IndexBulkDeleteResult *stats,
		   IndexBulkDeleteCallback callback, void *callback_state)
{
	IndexVacuumInfo *info = vs->vinfo;
	double		before;
	int64		unlinked;

	for (int round = 1;; round++)
	{
		Size		mem;

		vac_round_begin(vs);
		before = pass_mark(vs, callback != NULL ? callback : none_dead,
						   callback_state);
		if (vs->dead.count == 0)
		{
			stats->num_index_tuples = before;
			break;
		}
		mem = MemoryContextMemAllocated(vs->cxt, true);
		vx_test_point("vacuum-after-mark");

		/* barrier: inserts that may not have seen the new flags are done */
		LockPage(info->index, VX_UPDATE_LOCK, ExclusiveLock);
		UnlockPage(info->index, VX_UPDATE_LOCK, ExclusiveLock);

		plan_and_repair(vs);
		mem = Max(mem, MemoryContextMemAllocated(vs->cxt, true));
		vx_test_point("vacuum-after-repair");
		unlinked = pass_reach(vs);
		if (unlinked > 0)
			ereport(WARNING,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("hnsw vacuum could not relink " INT64_FORMAT " nodes of index \"%s\"",
							unlinked, RelationGetRelationName(info->index)),
					 errdetail("Their neighbours' lists are full and so are theirs."),
					 errhint("REINDEX the index to rebuild its graph.")));
		mem = Max(mem, MemoryContextMemAllocated(vs->cxt, true));
		pass_free(vs);
		stats->num_index_tuples = vs->nlive;
		elog(DEBUG1, "hnsw vacuum of \"%s\", round %d: " INT64_FORMAT " nodes unlinked, "
			 INT64_FORMAT " lists repaired (%s), " INT64_FORMAT " links forced by the plan, "
			 INT64_FORMAT " nodes it missed, " INT64_FORMAT " nodes relinked, "
			 INT64_FORMAT " live, memory %zu kB (maintenance_work_mem %zu kB)%s%s",
			 RelationGetRelationName(info->index), round, (int64) vs->dead.count,
			 vs->nrepaired, vs->cache_full ? "codes partly cached" : "codes cached",
			 vs->nforcedlinks, vs->nplanmissed, vs->nreconnected, vs->nlive, mem / 1024, vs->budget / 1024,
			 vs->budget_full ? ", another round follows" : "",
			 callback == NULL ? ", finishing an interrupted vacuum" : "");
		if (!vs->budget_full)
			break;
	}
	stats->tuples_removed += vs->newly_deleted;
}

/*
 * ambulkdelete: rounds of passes 1-5 until pass 1 has remembered every
 * DELETED node.  Memory: a round's dead map and lists take at most a
 * quarter of maintenance_work_mem, its code cache at most half, the reach
 * maps two bits per node slot; each round's DEBUG1 line
 * reports the size of the vacuum's memory context.
 */
IndexBulkDeleteResult *
hnswbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			   IndexBulkDeleteCallback callback, void *callback_state)
{
	VacState	vs;
	MemoryContext old = CurrentMemoryContext;

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	vac_init(&vs, info);
	MemoryContextSwitchTo(vs.roundcxt);
	vac_rounds(&vs, stats, callback, callback_state);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(vs.cxt);
	return stats;
}

/*
 * amvacuumcleanup.  When no bulk delete ran (nothing to remove, or VACUUM
 * skipped index vacuuming because few heap pages have dead items), count
 * the live nodes; if that count meets DELETED nodes, a vacuum was cancelled
 * or crashed after pass 1 -- perhaps after pass 2 had unlinked them, with
 * live nodes reachable only through them until pass 4 -- and the rest of
 * its round runs now, so that any later VACUUM restores reachability.
 */
IndexBulkDeleteResult *
hnswvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;
	if (stats == NULL)
	{
		VacState	vs;
		MemoryContext old = CurrentMemoryContext;
		stats = palloc0(sizeof(IndexBulkDeleteResult));
		vac_init(&vs, info);
		MemoryContextSwitchTo(vs.roundcxt);
		vac_round_begin(&vs);
		stats->num_index_tuples = pass_mark(&vs, NULL, NULL);
		if (vs.ndeleted_seen > 0)
			vac_rounds(&vs, stats, NULL, NULL);
		MemoryContextSwitchTo(old);
		MemoryContextDelete(vs.cxt);
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
