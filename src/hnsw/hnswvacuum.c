/*-------------------------------------------------------------------------
 *
 * hnswvacuum.c
 *	  VACUUM support: unlink the nodes of dead rows from the graph, keep
 *	  every live node reachable, and make the dead nodes' slots reusable.
 *
 * ambulkdelete runs five passes (README, "Vacuum"):
 *	 1. mark:	   flag every node whose heap row is dead DELETED, and copy
 *				   the neighbour lists of all DELETED nodes into memory;
 *	 (barrier)	   wait for inserts that started before the flags were set
 *				   (they could still link to a DELETED node);
 *	 2. repair:    in every live node's lists, drop each DELETED member and
 *				   fill the list up to capacity with the live members of
 *				   the DELETED members' own lists closest to the node
 *				   (codes cached in pass 1, no page reads);
 *	 3. entry:	   if the entry point is DELETED, the live node of highest
 *				   level takes its place;
 *	 4. reach:	   walk layer 0 from the entry point; link every live node
 *				   the walk misses from the nearest reached node a search
 *				   finds (the insert path's reachability-preserving link);
 *	 5. free:	   flag the DELETED nodes FREE, and point the meta page's
 *				   free-slot hint at the first page holding one: later
 *				   inserts of the same size reuse those slots.
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
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"

#include "hnsw.h"

/* a DELETED node: its lists, copied in pass 1 */
typedef struct DeadNode
{
	uint64		key;			/* packed node TID; 0 = empty entry */
	int			level;
	ItemPointerData *slots;		/* all layers' slots, as on the page */
} DeadNode;

/* DELETED nodes by packed TID (open addressing; 0 never names a node) */
typedef struct DeadMap
{
	DeadNode   *e;
	uint64		mask;
	uint64		count;
} DeadMap;

typedef struct VacState
{
	IndexVacuumInfo *vinfo;
	Relation	index;
	VxIndexInfo *info;
	BlockNumber first;			/* first node page */
	DeadMap		dead;
	uint64	   *live;			/* live nodes seen in pass 2 */
	int64		nlive;
	int64		caplive;
	uint64		top;			/* a live node of the highest level */
	int			toplevel;
	BlockNumber first_free;		/* lowest page given a free slot */
	int64		newly_deleted;	/* nodes flagged DELETED by this vacuum */

	/*
	 * Codes of live nodes, copied in pass 1 while they fit in
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
	/* scratch for repaired_list: (2m)^2 candidates + 2m members */
	VxCand	   *cands;
	char	  **scodes;
	float	   *sauxes;
	int		   *chosen;
	int64		nrepaired;		/* statistics */
	int64		nreconnected;
} VacState;

static DeadNode *dead_lookup(DeadMap *m, uint64 key, bool insert);

static void
dead_grow(DeadMap *m)
{
	DeadNode   *old = m->e;
	uint64		oldcap = m->mask + 1;

	m->e = MemoryContextAllocExtended(CurrentMemoryContext, sizeof(DeadNode) * oldcap * 2,
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

	vacuum_delay_point();
	buf = vac_read(vs, blk);
	LockBuffer(buf, mode);
	if (!vx_node_page_usable(vs->index, BufferGetPage(buf), blk))
	{
		UnlockReleaseBuffer(buf);
		return InvalidBuffer;
	}
	return buf;
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
		   vx_node_code(vs->info, node), vs->info->codesize);
	vs->auxes[vs->ncodes] = node->aux;
	vs->ncodes++;
}

/* size the code cache: as many nodes as the index can hold, within budget */
static void
cache_init(VacState *vs, BlockNumber nblocks)
{
	Size		per = vs->info->codesize + sizeof(float) + 2 * (sizeof(uint64) + sizeof(int32));
	Size		budget = (Size) maintenance_work_mem * 1024 / 2;
	int64		want = (int64) nblocks *
		(BLCKSZ / (vx_node_size(vs->info->m, 0, vs->info->codesize) + sizeof(ItemIdData)) + 1);
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

/* remember a DELETED node and its lists (page locked by the caller) */
static void
remember_dead(VacState *vs, BlockNumber blk, OffsetNumber off, VxNodeHeader *node)
{
	ItemPointerData tid;
	DeadNode   *d;
	Size		sz = vx_layer_offset(vs->info->m, node->level + 1) - VX_NODE_HDRSZ;

	ItemPointerSet(&tid, blk, off);
	d = dead_lookup(&vs->dead, vx_tid_pack(&tid), true);
	d->level = node->level;
	d->slots = palloc(sz);
	memcpy(d->slots, (char *) node + VX_NODE_HDRSZ, sz);
}

/*
 * Pass 1: flag the nodes of dead rows DELETED (callback may be NULL: only
 * count).  Returns the number of live nodes seen.
 */
static double
pass_mark(VacState *vs, IndexBulkDeleteCallback callback, void *callback_state)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);
	double		live = 0;

	if (callback != NULL)
		cache_init(vs, nblocks);
	for (BlockNumber blk = vs->first; blk < nblocks; blk++)
	{
		Buffer		buf;
		Page		page;
		GenericXLogState *state = NULL;

		buf = lock_node_page(vs, blk, callback ? BUFFER_LOCK_EXCLUSIVE : BUFFER_LOCK_SHARE);
		if (!BufferIsValid(buf))
			continue;
		page = BufferGetPage(buf);
		for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			VxNodeHeader *node = vx_page_node(vs->index, page, blk, off);

			if (node->flags & VX_NODE_FREE)
				continue;
			if (!(node->flags & VX_NODE_DELETED) && callback != NULL &&
				callback(&node->heaptid, callback_state))
			{
				if (state == NULL)
				{
					state = GenericXLogStart(vs->index);
					page = GenericXLogRegisterBuffer(state, buf, 0);
					node = vx_page_node(vs->index, page, blk, off);
				}
				node->flags |= VX_NODE_DELETED;
				vs->newly_deleted++;
			}
			if (node->flags & VX_NODE_DELETED)
			{
				if (callback != NULL)
					remember_dead(vs, blk, off, node);
			}
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
			GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
	}
	return live;
}

/*
 * The new list of a live node at a layer: live members kept; the slots of
 * DELETED members go to the closest live members of those members' own
 * lists (distances from the codes cached in pass 1; where a code is not
 * cached, the first live member of the list is taken).  Returns the new
 * length, or -1 if the list has no DELETED member.  selfcode/selfaux: the
 * node's own code.
 */
static int
repaired_list(VacState *vs, uint64 self, const char *selfcode, float selfaux,
			  ItemPointerData *slots, int nslots, int layer, ItemPointerData *out)
{
	const VxIndexInfo *info = vs->info;
	VxCand	   *cands = vs->cands;
	int			ncand = 0;
	int			n = 0;
	int			k = 0;
	int			ndead = 0;

	while (n < nslots && ItemPointerIsValid(&slots[n]))
		n++;
	for (int i = 0; i < n; i++)
		if (dead_lookup(&vs->dead, vx_tid_pack(&slots[i]), false) == NULL)
			out[k++] = slots[i];
		else
			ndead++;
	if (ndead == 0)
		return -1;

	for (int i = 0; i < n; i++)
	{
		DeadNode   *d = dead_lookup(&vs->dead, vx_tid_pack(&slots[i]), false);
		ItemPointerData *dl;
		int			dn;
		bool		took_first = false;

		if (d == NULL || d->level < layer)
			continue;
		dl = (ItemPointerData *) ((char *) d->slots +
								  vx_layer_offset(info->m, layer) - VX_NODE_HDRSZ);
		dn = vx_layer_slots(info->m, layer);
		for (int j = 0; j < dn && ItemPointerIsValid(&dl[j]); j++)
		{
			uint64		r = vx_tid_pack(&dl[j]);
			bool		have = r == self;
			const char *code;
			float		aux;

			for (int x = 0; x < k && !have; x++)
				have = ItemPointerEquals(&out[x], &dl[j]);
			for (int x = 0; x < ncand && !have; x++)
				have = cands[x].id == r;
			if (have || dead_lookup(&vs->dead, r, false) != NULL)
				continue;
			code = cached_code(vs, r, &aux);
			if (code != NULL)
			{
				cands[ncand].id = r;
				cands[ncand].dist = vx_code_distance(info, selfcode, selfaux, code, aux);
				ncand++;
			}
			else if (!took_first && k < n)
			{
				/* no code cached: the first live member, as lists are sorted */
				out[k++] = dl[j];
				took_first = true;
			}
		}
	}

	/*
	 * Free slots go to the closest candidates, up to the list's capacity:
	 * filling only as many slots as were DELETED lost recall after repeated
	 * churn on clustered data (0.975 against 0.996 for a fresh build, three
	 * rounds of 20%); topping up kept it (0.996).
	 */
	vx_sort_cands(cands, ncand);
	if (ncand > nslots - k)
	{
		/*
		 * More candidates than free slots: the heuristic's choice first (a
		 * candidate no closer to any member already in the list than to
		 * this node: a new direction), then the closest of the rest.
		 * Filling by distance alone turned lists into near-neighbour lists
		 * over repeated churn and cut the paths between clusters.  The
		 * members with a cached code go in front as fixed candidates.
		 */
		uint64		fixed[2 * VX_MAX_M];
		int			nk = 0;
		int			free = nslots - k;
		int			kk;
		float		aux;

		for (int x = 0; x < k; x++)
			if (cached_code(vs, vx_tid_pack(&out[x]), &aux) != NULL)
				fixed[nk++] = vx_tid_pack(&out[x]);
		memmove(cands + nk, cands, sizeof(VxCand) * ncand);
		for (int f = 0; f < nk; f++)
		{
			cands[f].id = fixed[f];
			cands[f].dist = 0;	/* not read: fixed members are not tested */
		}
		for (int i = 0; i < nk + ncand; i++)
			vs->scodes[i] = (char *) cached_code(vs, cands[i].id, &vs->sauxes[i]);
		kk = vx_select_neighbors(info, cands, nk + ncand, vs->scodes, vs->sauxes,
								 nk + free, nk, vs->chosen);
		kk = vx_top_up(nk + ncand, vs->chosen, kk, nk + free);
		for (int i = nk; i < kk; i++)
			vx_tid_unpack(cands[vs->chosen[i]].id, &out[k++]);
	}
	else
		for (int i = 0; i < ncand; i++)
			vx_tid_unpack(cands[i].id, &out[k++]);
	return k;
}

static void
add_live(VacState *vs, uint64 id, int level)
{
	if (vs->nlive == vs->caplive)
	{
		vs->caplive *= 2;
		vs->live = repalloc_huge(vs->live, sizeof(uint64) * vs->caplive);
	}
	vs->live[vs->nlive++] = id;
	if (level > vs->toplevel)
	{
		vs->toplevel = level;
		vs->top = id;
	}
}

/*
 * Pass 2: repair every live node's lists.  The replacement lists need only
 * what pass 1 copied, so each page is fixed under its exclusive lock in one
 * go, concurrent inserts' changes included.
 */
static void
pass_repair(VacState *vs)
{
	const VxIndexInfo *info = vs->info;
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);
	ItemPointerData out[2 * VX_MAX_M];

	for (BlockNumber blk = vs->first; blk < nblocks; blk++)
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
			VxNodeHeader *node = vx_page_node(vs->index, page, blk, off);
			ItemPointerData self;

			if (node->flags & VX_NODE_DEAD)
				continue;
			ItemPointerSet(&self, blk, off);
			add_live(vs, vx_tid_pack(&self), node->level);
			for (int l = 0; l <= node->level; l++)
			{
				ItemPointerData *slots = (ItemPointerData *) ((char *) node +
															  vx_layer_offset(info->m, l));
				int			nslots = vx_layer_slots(info->m, l);
				int			k = repaired_list(vs, vx_tid_pack(&self),
											  vx_node_code(info, node), node->aux,
											  slots, nslots, l, out);

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
				vx_set_list(slots, nslots, out, k);
			}
		}
		if (state != NULL)
			GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
	}
}

/* Pass 3: move the entry point off a DELETED node */
static void
pass_entry(VacState *vs)
{
	Buffer		metabuf;
	VxMetaPage	meta;

	LockPage(vs->index, VX_UPDATE_LOCK, ExclusiveLock);
	metabuf = ReadBuffer(vs->index, VX_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = VxPageGetMeta(BufferGetPage(metabuf));
	if (meta->entry_level >= 0 &&
		dead_lookup(&vs->dead, vx_tid_pack(&meta->entry), false) != NULL)
	{
		GenericXLogState *state = GenericXLogStart(vs->index);

		meta = VxPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
		if (vs->toplevel >= 0)
		{
			vx_tid_unpack(vs->top, &meta->entry);
			meta->entry_level = (int16) vs->toplevel;
		}
		else
		{
			ItemPointerSetInvalid(&meta->entry);
			meta->entry_level = -1;
		}
		GenericXLogFinish(state);
	}
	UnlockReleaseBuffer(metabuf);
	UnlockPage(vs->index, VX_UPDATE_LOCK, ExclusiveLock);
}

/* mark, breadth-first over layer 0, what start reaches */
static void
walk_from(VacState *vs, VxTidSet *reached, uint64 start, uint64 *queue)
{
	uint64		head = 0,
				tail = 0;
	ItemPointerData nbrs[2 * VX_MAX_M];

	if (!vx_tidset_add(reached, start))
		return;
	queue[tail++] = start;
	while (head < tail)
	{
		ItemPointerData tid;
		Buffer		buf;
		VxNodeHeader *node;
		int			n;

		if ((head & 1023) == 0)
			vacuum_delay_point();
		vx_tid_unpack(queue[head++], &tid);
		buf = vac_read(vs, ItemPointerGetBlockNumber(&tid));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		node = vx_page_node(vs->index, BufferGetPage(buf), ItemPointerGetBlockNumber(&tid),
							ItemPointerGetOffsetNumber(&tid));
		n = vx_node_neighbors(vs->info, node, 0, nbrs);
		UnlockReleaseBuffer(buf);
		for (int i = 0; i < n; i++)
		{
			uint64		id = vx_tid_pack(&nbrs[i]);

			/* the queue holds the live nodes of pass 2; newer ones are skipped */
			if (tail < (uint64) vs->nlive + 1 && vx_tidset_add(reached, id))
				queue[tail++] = id;
		}
	}
}

/*
 * Link an unreached live node from the nearest reached node a search from
 * the entry point finds.  Returns false if it could not be linked.
 */
static bool
reconnect(VacState *vs, VxTidSet *reached, uint64 u, VxMetaPageData *meta)
{
	const VxIndexInfo *info = vs->info;
	ItemPointerData utid;
	Buffer		buf;
	VxNodeHeader *node;
	char	   *code = palloc(info->codesize);
	float		aux;
	bool		dead;
	VxDiskGraph g;
	VxCand	   *layers[VX_MAX_LEVEL + 1];
	int			nlayers[VX_MAX_LEVEL + 1];
	int			n;
	bool		linked = false;

	vx_tid_unpack(u, &utid);
	buf = vac_read(vs, ItemPointerGetBlockNumber(&utid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = vx_page_node(vs->index, BufferGetPage(buf), ItemPointerGetBlockNumber(&utid),
						ItemPointerGetOffsetNumber(&utid));
	memcpy(code, vx_node_code(info, node), info->codesize);
	aux = node->aux;
	dead = (node->flags & VX_NODE_DEAD) != 0;
	UnlockReleaseBuffer(buf);
	if (dead)
		return true;

	vx_disk_graph_init(&g, vs->index, info, info->ef_construction * info->m);
	vx_query_set_code(&g.query, code, aux);
	n = vx_disk_search(&g, info->ef_construction, 0, layers, nlayers,
					   &meta->entry, meta->entry_level);
	vx_disk_graph_free(&g);

	for (int i = 0; i < n && !linked; i++)
	{
		ItemPointerData vtid;

		if (layers[0][i].id == u || !vx_tidset_has(reached, layers[0][i].id) ||
			dead_lookup(&vs->dead, layers[0][i].id, false) != NULL)
			continue;
		vx_tid_unpack(layers[0][i].id, &vtid);
		linked = vx_link(vs->index, info, &vtid, 0, &utid, code, aux);
	}
	/* the search found no reached node (it went through upper layers): entry */
	if (!linked && vx_tid_pack(&meta->entry) != u)
		linked = vx_link(vs->index, info, &meta->entry, 0, &utid, code, aux);
	return linked;
}

/* Pass 4: every live node reachable from the entry point over layer 0 */
static int64
pass_reach(VacState *vs)
{
	VxMetaPageData meta;
	VxTidSet	reached;
	uint64	   *queue;
	int64		unlinked = 0;

	vx_read_meta(vs->index, &meta);
	if (meta.entry_level < 0 || vs->nlive == 0)
		return 0;
	vx_tidset_init(&reached, vs->nlive + 1);
	queue = MemoryContextAllocExtended(CurrentMemoryContext,
									   sizeof(uint64) * (vs->nlive + 1), MCXT_ALLOC_HUGE);

	walk_from(vs, &reached, vx_tid_pack(&meta.entry), queue);
	for (int64 i = 0; i < vs->nlive; i++)
	{
		if (vx_tidset_has(&reached, vs->live[i]))
			continue;
		CHECK_FOR_INTERRUPTS();
		if (reconnect(vs, &reached, vs->live[i], &meta))
		{
			vs->nreconnected++;
			walk_from(vs, &reached, vs->live[i], queue);
		}
		else
			unlinked++;
	}
	pfree(queue);
	vx_tidset_free(&reached);
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
			GenericXLogFinish(state);
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
		GenericXLogFinish(state);
	}
	UnlockReleaseBuffer(metabuf);
}

static void
vac_init(VacState *vs, IndexVacuumInfo *info)
{
	VxMetaPageData meta;

	memset(vs, 0, sizeof(VacState));
	vs->vinfo = info;
	vs->index = info->index;
	vs->info = vx_get_info(info->index);
	vx_read_meta(info->index, &meta);
	vs->first = 1 + meta.nqpages;
	vs->dead.e = palloc0(sizeof(DeadNode) * 1024);
	vs->dead.mask = 1023;
	vs->caplive = 1024;
	vs->live = palloc(sizeof(uint64) * vs->caplive);
	vs->toplevel = -1;
	{
		int			nscratch = 4 * vs->info->m * vs->info->m + 2 * vs->info->m;

		vs->cands = palloc(sizeof(VxCand) * nscratch);
		vs->scodes = palloc(sizeof(char *) * nscratch);
		vs->sauxes = palloc(sizeof(float) * nscratch);
		vs->chosen = palloc(sizeof(int) * nscratch);
	}
}

IndexBulkDeleteResult *
hnswbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			   IndexBulkDeleteCallback callback, void *callback_state)
{
	VacState	vs;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	double		before;
	int64		unlinked;

	if (stats == NULL)
		stats = MemoryContextAllocZero(old, sizeof(IndexBulkDeleteResult));
	vac_init(&vs, info);

	before = pass_mark(&vs, callback, callback_state);
	stats->tuples_removed += vs.newly_deleted;
	if (vs.dead.count > 0)
	{
		/* barrier: inserts that may not have seen the new flags are done */
		LockPage(info->index, VX_UPDATE_LOCK, ExclusiveLock);
		UnlockPage(info->index, VX_UPDATE_LOCK, ExclusiveLock);

		pass_repair(&vs);
		pass_entry(&vs);
		unlinked = pass_reach(&vs);
		if (unlinked > 0)
			ereport(WARNING,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("hnsw vacuum could not relink " INT64_FORMAT " nodes of index \"%s\"",
							unlinked, RelationGetRelationName(info->index)),
					 errdetail("Their neighbours' lists are full and so are theirs."),
					 errhint("REINDEX the index to rebuild its graph.")));
		pass_free(&vs);
		stats->num_index_tuples = vs.nlive;
		elog(DEBUG1, "hnsw vacuum of \"%s\": " INT64_FORMAT " nodes unlinked, " INT64_FORMAT
			 " lists repaired (%s), " INT64_FORMAT " nodes relinked, " INT64_FORMAT " live",
			 RelationGetRelationName(info->index), (int64) vs.dead.count, vs.nrepaired,
			 vs.cache_full ? "codes partly cached" : "codes cached",
			 vs.nreconnected, vs.nlive);
	}
	else
		stats->num_index_tuples = before;

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return stats;
}

IndexBulkDeleteResult *
hnswvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;
	if (stats == NULL)
	{
		/* no bulk delete ran: count the live nodes */
		VacState	vs;

		stats = palloc0(sizeof(IndexBulkDeleteResult));
		vac_init(&vs, info);
		stats->num_index_tuples = pass_mark(&vs, NULL, NULL);
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
