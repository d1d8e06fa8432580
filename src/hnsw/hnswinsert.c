/*-------------------------------------------------------------------------
 *
 * hnswinsert.c
 *	  Inserting one vector into an existing index (aminsert, and a build
 *	  that ran past its memory budget).
 *
 * Order of work (see README, "Writes"); each write is its own WAL record,
 * and the graph is searchable after every one of them:
 *	 1. search the graph for the new node's neighbours (share locks only);
 *	 2. add the node tuple, its own neighbour lists complete, to a page (and,
 *		in the same record, move the entry point if the node is the highest:
 *		its layer-0 list then already links to the old entry point);
 *	 3. add a link back from each neighbour, one page at a time: a full list
 *		takes the new node only if the build's heuristic keeps it, in place
 *		of one member that is first linked from the new node; if every
 *		layer-0 neighbour refuses, one link is forced.
 *
 * Lock order: the heavyweight VX_UPDATE_LOCK (share for an ordinary insert,
 * exclusive when the entry point may move or the quantizer is trained),
 * then at most one node page buffer lock, then the meta page buffer lock.
 * Quantizer pages are only locked while holding the meta page.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/generic_xlog.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

/*
 * Build the node tuple f describes in palloc'd memory; its size goes to
 * *size.
 */
char *
vx_form_node(const VxIndexInfo *info, const VxNodeForm *f, Size *size)
{
	const VxCodeInfo *ci = f->ci;
	int			level = f->level;
	Size		len = vx_code_len(info, f->code);
	Size		sz = vx_node_size(info->m, level, len);
	char	   *tup = palloc0(sz);
	VxNodeHeader *node = (VxNodeHeader *) tup;

	node->heaptid = *f->heaptid;
	node->level = (uint8) level;
	node->flags = 0;
	node->resid = info->metric == VX_METRIC_L1 ? ci->resid_l1 : ci->resid_l2;
	node->norm = ci->norm;
	node->aux = ci->offset_dot;
	for (int l = 0; l <= level; l++)
	{
		vx_set_list((ItemPointerData *) (tup + vx_layer_offset(info->m, l)),
					vx_layer_slots(info->m, l),
					f->lists ? f->lists[l] : NULL, f->lists ? f->counts[l] : 0);
	}
	memcpy(tup + vx_code_offset(info->m, level), f->code, len);
	*size = sz;
	return tup;
}

/*
 * Code a prepared vector (VX_PREPARED_LEN floats): uint8 code and bounds,
 * or (quantization off) the float vector itself with zero residual; under
 * the BITS and SPARSE codecs, a prepared value is its own code.
 */
void
vx_encode(const VxIndexInfo *info, const float *x, char *code, VxCodeInfo *ci)
{
	if (info->quantized)
		vxq_encode(&info->quant, x, (uint8 *) code, ci);
	else if (info->codec == VX_CODEC_BITS)
	{
		vx_bits_encode(info, (const char *) x, code, ci);
		return;
	}
	else if (info->codec == VX_CODEC_SPARSE)
	{
		vx_sparse_encode(info, (const char *) x, code, ci);
		return;
	}
	else
	{
		double		n2 = 0;

		for (int i = 0; i < info->dim; i++)
			n2 += (double) x[i] * x[i];
		memcpy(code, x, info->codesize);
		ci->resid_l1 = ci->resid_l2 = 0;
		ci->norm = (float) (sqrt(n2) * (1 + 1e-6));
		ci->offset_dot = 0;
	}
	/* cosine codes hold the normalised vector; aux keeps the original norm */
	if (info->metric == VX_METRIC_COSINE)
		ci->offset_dot = x[info->dim];
}

/*
 * Train the quantizer of an index built on an empty table from its first
 * vector.  Takes the update lock exclusively; does nothing if another
 * backend trained it first.
 */
static void
train_from_first(Relation index, const float *x)
{
	Buffer		metabuf;
	VxMetaPage	meta;

	LockPage(index, VX_UPDATE_LOCK, ExclusiveLock);
	metabuf = ReadBuffer(index, VX_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = VxPageGetMeta(BufferGetPage(metabuf));
	if (!meta->trained)
	{
		VxQuantizer q;
		VxEdit		e;

		q.dim = meta->dim;
		q.offset = palloc(sizeof(float) * q.dim);
		vxq_train_single(&q, x);
		vx_write_quantizer(index, &q, metabuf, meta);

		vx_edit_start(&e, index);
		meta = VxPageGetMeta(vx_edit_page(&e, metabuf, false));
		meta->qscale = q.scale;
		meta->trained = 1;
		vx_edit_finish(&e);
		pfree(q.offset);
	}
	UnlockReleaseBuffer(metabuf);
	UnlockPage(index, VX_UPDATE_LOCK, ExclusiveLock);
}

/*
 * Copy the codes, aux values and flags of the given nodes.  Codes go to one
 * palloc'd block, info->codesize apart.
 */
static void
fetch_codes(const VxRel *r, const uint64 *ids, int n, char **codes, float *auxes,
			uint8 *flags)
{
	Relation	index = r->index;
	const VxIndexInfo *info = r->info;
	char	   *store = palloc(info->codesize * Max(n, 1));

	vx_prefetch_page_heads(info, ids, n);
	for (int i = 0; i < n; i++)
	{
		ItemPointerData tid;
		Buffer		buf;
		VxNodeHeader *node;

		vx_tid_unpack(ids[i], &tid);
		buf = vx_read_buffer(index, info, ItemPointerGetBlockNumber(&tid));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		node = vx_page_node(index, BufferGetPage(buf), ItemPointerGetBlockNumber(&tid),
							ItemPointerGetOffsetNumber(&tid));
		codes[i] = store + info->codesize * i;
		memcpy(codes[i], vx_node_code(info, node),
			   vx_code_len(info, vx_node_code(info, node)));
		auxes[i] = node->aux;
		flags[i] = node->flags;
		UnlockReleaseBuffer(buf);
	}
}

/*
 * A free slot at least this large on a locked page (the smallest such), or
 * InvalidOffsetNumber; *anyfree tells whether the page has a free slot of
 * any size.
 */
static OffsetNumber
find_free_slot(Relation index, Page page, BlockNumber blkno, Size size, bool *anyfree)
{
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	OffsetNumber best = InvalidOffsetNumber;
	Size		bestlen = 0;

	*anyfree = false;
	if (!vx_page_is(page, VX_PAGE_NODE))
		return InvalidOffsetNumber;
	for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
	{
		ItemId		iid = PageGetItemId(page, off);

		if (!ItemIdIsNormal(iid) ||
			!(vx_page_node(index, page, blkno, off)->flags & VX_NODE_FREE))
			continue;
		*anyfree = true;
		if (ItemIdGetLength(iid) >= size &&
			(best == InvalidOffsetNumber || ItemIdGetLength(iid) < bestlen))
		{
			best = off;
			bestlen = ItemIdGetLength(iid);
		}
	}
	return best;
}

/*
 * The exclusively locked page a node of size bytes goes to (place_node):
 * a free slot (*off) on one of the up to 8 pages from the meta page's
 * free-slot hint, else the insert page if it has room, else a new page
 * (*fresh).  *free_hint is where the hint should point next.
 */
static Buffer
choose_node_page(Relation index, const VxMetaPageData *meta, Size size,
				 OffsetNumber *off, BlockNumber *free_hint, bool *fresh)
{
	Buffer		buf = InvalidBuffer;

	*off = InvalidOffsetNumber;
	*fresh = false;
	*free_hint = meta->free_blkno;
	if (BlockNumberIsValid(meta->free_blkno))
	{
		BlockNumber nblocks = RelationGetNumberOfBlocks(index);
		BlockNumber blk = meta->free_blkno;

		bool		skipping = true;

		/*
		 * The hint moves forward only past pages with no free slot at all:
		 * slots too small for this node stay for smaller ones.
		 */
		*free_hint = InvalidBlockNumber;
		for (int tries = 0; tries < 8 && blk < nblocks; tries++, blk++)
		{
			bool		anyfree;

			buf = ReadBuffer(index, blk);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			*off = find_free_slot(index, BufferGetPage(buf), blk, size, &anyfree);
			if (anyfree && skipping)
			{
				*free_hint = blk;
				skipping = false;
			}
			if (*off != InvalidOffsetNumber)
				return buf;
			UnlockReleaseBuffer(buf);
			buf = InvalidBuffer;
		}
		if (skipping)
			*free_hint = blk < nblocks ? blk : InvalidBlockNumber;
	}
	if (BlockNumberIsValid(meta->insert_blkno) && meta->insert_blkno > meta->nqpages)
	{
		buf = ReadBuffer(index, meta->insert_blkno);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		if (PageGetFreeSpace(BufferGetPage(buf)) >= size)
			return buf;
		UnlockReleaseBuffer(buf);
	}
	*fresh = true;
	return vx_new_buffer(index);
}

/*
 * Put a node tuple on a page: into the smallest slot vacuum freed that
 * fits it on the first of up to 8 pages from the meta page's free-slot hint
 * that has one (the hint moves forward past pages without any); else onto the insert page
 * named by the meta page if it has room; else onto a new page.  Moves the
 * entry point in the same WAL record when set_entry.  Sets *result to the
 * new node's TID.  Takes and releases the page locks itself; the caller
 * holds VX_UPDATE_LOCK (exclusively when set_entry).
 */
static void
place_node(Relation index, const char *tup, Size size, bool set_entry,
		   int level, ItemPointer result)
{
	VxMetaPageData meta;
	Buffer		buf;
	Buffer		metabuf;
	VxEdit		e;
	Page		page;
	bool		fresh;
	OffsetNumber off;
	BlockNumber free_hint;

	vx_read_meta(index, &meta);
	buf = choose_node_page(index, &meta, size, &off, &free_hint, &fresh);
	vx_edit_start(&e, index);
	page = vx_edit_page(&e, buf, fresh);
	if (fresh)
		vx_init_page(page, VX_PAGE_NODE);
	if (off != InvalidOffsetNumber)
	{
		/* a larger slot keeps its length; the bytes past the node are zeroed */
		ItemId		iid = PageGetItemId(page, off);

		memset(PageGetItem(page, iid), 0, ItemIdGetLength(iid));
		memcpy(PageGetItem(page, iid), tup, size);
	}
	else
		off = PageAddItem(page, (Item) tup, size, InvalidOffsetNumber, false, false);
	if (off == InvalidOffsetNumber)
		elog(ERROR, "failed to add node of %zu bytes to index \"%s\"",
			 size, RelationGetRelationName(index));
	ItemPointerSet(result, BufferGetBlockNumber(buf), off);

	metabuf = InvalidBuffer;
	if (fresh || set_entry || free_hint != meta.free_blkno)
	{
		VxMetaPage m;

		metabuf = ReadBuffer(index, VX_METAPAGE_BLKNO);
		LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
		m = VxPageGetMeta(vx_edit_page(&e, metabuf, false));
		if (fresh)
			m->insert_blkno = BufferGetBlockNumber(buf);
		if (set_entry && level > m->entry_level)
		{
			m->entry = *result;
			m->entry_level = level;
		}
		/* move the hint forward only if vacuum has not moved it since */
		if (m->free_blkno == meta.free_blkno)
			m->free_blkno = free_hint;
	}
	vx_edit_finish(&e);
	if (BufferIsValid(metabuf))
		UnlockReleaseBuffer(metabuf);
	UnlockReleaseBuffer(buf);
}

/* where a neighbour list is: node tid's list at one layer */
typedef struct VxListAt
{
	ItemPointerData tid;
	int			layer;
} VxListAt;

/*
 * Copy the neighbour list at (and the node's code and aux if code is not
 * NULL) under a share lock.  Returns the list length.
 */
static int
read_list(const VxRel *r, const VxListAt *at, ItemPointerData *list, char *code,
		  float *aux)
{
	Relation	index = r->index;
	const VxIndexInfo *info = r->info;
	const ItemPointerData *tid = &at->tid;
	int			layer = at->layer;
	Buffer		buf = vx_read_buffer(index, info, ItemPointerGetBlockNumber(tid));
	VxNodeHeader *node;
	int			n;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = vx_page_node(index, BufferGetPage(buf), ItemPointerGetBlockNumber(tid),
						ItemPointerGetOffsetNumber(tid));
	n = vx_node_neighbors(info, node, layer, list);
	if (code != NULL)
	{
		memcpy(code, vx_node_code(info, node),
			   vx_code_len(info, vx_node_code(info, node)));
		*aux = node->aux;
	}
	UnlockReleaseBuffer(buf);
	return n;
}

/*
 * Replace the neighbour list at by newlist (nnew entries), if it still
 * equals expect (n entries).  One WAL record.  Returns false, changing nothing, if the
 * list changed since it was read, or if the node is DELETED or FREE: the
 * list of a node vacuum has flagged is never rewritten (vacuum plans its
 * repair on the lists it copied when it set the flag, README "Vacuum").
 * Only a neighbour's list can be such; the new node's own cannot (its row
 * is not dead while it is inserted), so ensure_link's loop ends.
 */
static bool
write_list(const VxRel *r, const VxListAt *at, const ItemPointerData *expect, int n,
		   const ItemPointerData *newlist, int nnew)
{
	Relation	index = r->index;
	const VxIndexInfo *info = r->info;
	const ItemPointerData *tid = &at->tid;
	int			layer = at->layer;
	Buffer		buf = vx_read_buffer(index, info, ItemPointerGetBlockNumber(tid));
	VxEdit		e;
	VxNodeHeader *node;
	ItemPointerData now[2 * VX_MAX_M];
	ItemPointerData *slots;
	int			cap = vx_layer_slots(info->m, layer);

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	vx_edit_start(&e, index);
	node = vx_page_node(index, vx_edit_page(&e, buf, false),
						ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
	if ((node->flags & VX_NODE_DEAD) ||
		vx_node_neighbors(info, node, layer, now) != n ||
		memcmp(now, expect, sizeof(ItemPointerData) * n) != 0)
	{
		vx_edit_abort(&e);
		UnlockReleaseBuffer(buf);
		return false;
	}
	slots = (ItemPointerData *) ((char *) node + vx_layer_offset(info->m, layer));
	vx_set_list(slots, cap, newlist, nnew);
	vx_edit_finish(&e);
	UnlockReleaseBuffer(buf);
	return true;
}

/*
 * Make sure the list at links to target.  Returns false if the list is
 * full (nothing changed).
 */
static bool
ensure_link(const VxRel *r, const VxListAt *at, ItemPointer target)
{
	ItemPointerData list[2 * VX_MAX_M];

	for (;;)
	{
		int			n = read_list(r, at, list, NULL, NULL);

		for (int i = 0; i < n; i++)
			if (ItemPointerEquals(&list[i], target))
				return true;
		if (n >= vx_layer_slots(r->info->m, at->layer))
			return false;
		list[n] = *target;
		if (write_list(r, at, list, n, list, n + 1))
			return true;
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Make the full list at of an unreachable node link to target, giving up
 * its last edge (which carries nobody's reachability: nothing reaches the
 * node).  Returns false if the list is not full or changed meanwhile.
 */
static bool
overwrite_last(const VxRel *r, const VxListAt *at, ItemPointer target)
{
	ItemPointerData list[2 * VX_MAX_M];
	ItemPointerData newlist[2 * VX_MAX_M];
	int			n = read_list(r, at, list, NULL, NULL);

	if (n < vx_layer_slots(r->info->m, at->layer))
		return false;
	memcpy(newlist, list, sizeof(ItemPointerData) * n);
	newlist[n - 1] = *target;
	return write_list(r, at, list, n, newlist, n);
}

/* how add_backlink may link */
typedef enum VxLinkMode
{
	LINK_HEURISTIC,				/* only if the neighbour's heuristic keeps self */
	LINK_FORCE,					/* always (self replaces the farthest member) */
	LINK_FORCE_UNREACHABLE		/* always; self is known unreachable, so its own
								 * full list may give up its last edge */
} VxLinkMode;

/* the two ends of a back link nbr -> self, with their codes (add_backlink) */
typedef struct VxLinkEnds
{
	const char *nbrcode;
	float		nbraux;
	const VxNodeCode *self;
	bool		force;			/* link even if the heuristic drops self */
} VxLinkEnds;

/*
 * Which member of nbr's full list (n members) self takes the place of:
 * a member whose node is DELETED or FREE first (*dead: it makes room
 * without re-homing); else, judged with the build's heuristic over the
 * members plus self, the farthest member the heuristic drops (forced: the
 * farthest member).  -1 if self is not kept (not forced) or none can go.
 */
static int
member_to_replace(const VxRel *r, ItemPointerData *list, int n, const VxLinkEnds *ends,
				  bool *dead)
{
	const VxIndexInfo *info = r->info;
	VxCand		cands[2 * VX_MAX_M + 1];
	char	   *codes[2 * VX_MAX_M + 1];
	float		auxes[2 * VX_MAX_M + 1];
	char	   *scodes[2 * VX_MAX_M + 1];
	float		sauxes[2 * VX_MAX_M + 1];
	uint64		ids[2 * VX_MAX_M];
	int			chosen[2 * VX_MAX_M + 1];
	bool		kept[2 * VX_MAX_M + 1];
	uint8		flags[2 * VX_MAX_M + 1];
	VxCandCodes cc;
	int			k;

	*dead = false;
	for (int i = 0; i < n; i++)
		ids[i] = vx_tid_pack(&list[i]);
	fetch_codes(r, ids, n, codes, auxes, flags);
	/* a member whose row is dead makes room: vacuum unlinks it anyway */
	for (int i = 0; i < n; i++)
		if (flags[i] & VX_NODE_DEAD)
		{
			*dead = true;
			return i;
		}
	codes[n] = (char *) ends->self->code;
	auxes[n] = ends->self->aux;
	/* cands[i].id is the index into codes[] (n = self) */
	for (int i = 0; i <= n; i++)
	{
		cands[i].id = i;
		cands[i].dist = vx_code_distance(info, ends->nbrcode, ends->nbraux, codes[i], auxes[i]);
	}
	vx_sort_cands(cands, n + 1);
	for (int i = 0; i <= n; i++)
	{
		scodes[i] = codes[cands[i].id];
		sauxes[i] = auxes[cands[i].id];
	}
	cc.cands = cands;
	cc.codes = scodes;
	cc.auxes = sauxes;
	cc.n = n + 1;
	k = vx_select_neighbors(info, &cc, n, 0, chosen);
	memset(kept, 0, sizeof(kept));
	for (int i = 0; i < k; i++)
		kept[cands[chosen[i]].id] = true;
	if (!kept[n] && !ends->force)
		return -1;
	for (int i = n; i >= 0; i--)
		if (cands[i].id != (uint64) n && (ends->force || !kept[cands[i].id]))
			return (int) cands[i].id;
	return -1;
}

/*
 * Link node "self" from the list "nbr" (a neighbour's list at a layer).
 *
 * A list with room just gets self appended.  A full list is judged with
 * the build's heuristic over its members plus self: if self is not kept,
 * nothing changes; if it is, self replaces the farthest member w the
 * heuristic would drop -- and w is first linked from self, so every node
 * reachable before stays reachable (nbr -> self -> w).  If self's own list
 * has no room for w, the back link is skipped.  Each list is read under a
 * share lock and rewritten under an exclusive lock only if unchanged;
 * otherwise the decision is made again (at most three attempts).
 *
 * A member whose node is DELETED or FREE makes room without re-homing.
 *
 * mode: LINK_HEURISTIC links only if the heuristic keeps self;
 * LINK_FORCE links self even if it would not (self then replaces the
 * farthest member); LINK_FORCE_UNREACHABLE as well, and self, known to be
 * unreachable, may give up the last edge of its own full list to hold w.
 * Returns whether nbr now links to self.
 */
static bool
add_backlink(const VxRel *r, const VxListAt *nbr, const VxNodeCode *self,
			 VxLinkMode mode)
{
	int			cap = vx_layer_slots(r->info->m, nbr->layer);
	VxListAt	selfat;
	ItemPointerData list[2 * VX_MAX_M];
	ItemPointerData newlist[2 * VX_MAX_M];
	char	   *nbrcode = palloc(r->info->codesize);
	VxLinkEnds	ends;

	ends.nbrcode = nbrcode;
	ends.self = self;
	ends.force = mode != LINK_HEURISTIC;
	selfat.tid = self->tid;
	selfat.layer = nbr->layer;
	for (int attempt = 0; attempt < 3; attempt++)
	{
		int			n;
		int			w;
		bool		dead;

		n = read_list(r, nbr, list, nbrcode, &ends.nbraux);
		for (int i = 0; i < n; i++)
			if (ItemPointerEquals(&list[i], &selfat.tid))
				return true;

		memcpy(newlist, list, sizeof(ItemPointerData) * n);
		if (n < cap)
		{
			newlist[n] = self->tid;
			if (write_list(r, nbr, list, n, newlist, n + 1))
				return true;
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		w = member_to_replace(r, list, n, &ends, &dead);
		if (w < 0)
			return false;
		/* w is re-homed first: linked from self (nbr -> self -> w) */
		if (!dead &&
			!ensure_link(r, &selfat, &list[w]) &&
			!(mode == LINK_FORCE_UNREACHABLE &&
			  overwrite_last(r, &selfat, &list[w])))
			return false;
		newlist[w] = self->tid;
		if (write_list(r, nbr, list, n, newlist, n))
			return true;
		CHECK_FOR_INTERRUPTS();
	}
	return false;
}

/*
 * Make node "from" link to node "to" (with its code) at a layer (vacuum's
 * reconnection of a node it found unreachable): see add_backlink; links
 * even against the heuristic, and unless to_reachable (a link that only
 * shortens a path: to's edges may carry others' reachability) may give up
 * to's last edge to re-home from's farthest.
 */
bool
vx_link(const VxRel *r, ItemPointer from, int layer, const VxNodeCode *to,
		bool to_reachable)
{
	VxListAt	at;

	at.tid = *from;
	at.layer = layer;
	return add_backlink(r, &at, to, to_reachable ? LINK_FORCE : LINK_FORCE_UNREACHABLE);
}

/*
 * Choose the neighbours of a new node at one layer from the layer search's
 * result (ascending).  Writes TIDs to out, returns how many.
 */
static int
choose_neighbors(const VxRel *r, VxCand *res, int n, int layer, ItemPointerData *out)
{
	const VxIndexInfo *info = r->info;
	char	  **codes = palloc(sizeof(char *) * Max(n, 1));
	float	   *auxes = palloc(sizeof(float) * Max(n, 1));
	uint64	   *ids = palloc(sizeof(uint64) * Max(n, 1));
	uint8	   *flags = palloc(sizeof(uint8) * Max(n, 1));
	int		   *chosen = palloc(sizeof(int) * Max(n, 1));
	VxCand	   *live = palloc(sizeof(VxCand) * Max(n, 1));
	int			nlive = 0;
	VxCandCodes cc;
	int			k;

	for (int i = 0; i < n; i++)
		ids[i] = res[i].id;
	fetch_codes(r, ids, n, codes, auxes, flags);

	/* never link to a node whose row is dead: vacuum is about to unlink it */
	for (int i = 0; i < n; i++)
		if ((flags[i] & VX_NODE_DEAD) == 0)
		{
			live[nlive] = res[i];
			codes[nlive] = codes[i];
			auxes[nlive] = auxes[i];
			nlive++;
		}
	/*
	 * Leave one slot of layer 0 free: if every neighbour refuses the new
	 * node, the forced link re-homes a neighbour's neighbour here (see
	 * vx_insert_vector), which must not fail for want of room -- as it
	 * would among many identical vectors, all at distance zero.
	 */
	cc.cands = live;
	cc.codes = codes;
	cc.auxes = auxes;
	cc.n = nlive;
	k = vx_select_neighbors(info, &cc,
							vx_layer_slots(info->m, layer) - (layer == 0 ? 1 : 0),
							0, chosen);
	if (layer == 0)
		k = vx_top_up(nlive, chosen, k, Min(VX_OWN_FILL(info->m),
											vx_layer_slots(info->m, 0) - 1));
	for (int i = 0; i < k; i++)
		vx_tid_unpack(live[chosen[i]].id, &out[i]);
	return k;
}

/* a node being inserted (vx_insert_vector) */
typedef struct VxNewNode
{
	VxNodeCode	self;			/* its TID (once placed), code and aux */
	int			level;
	int			top;			/* highest layer with neighbours from the search */
	ItemPointerData *lists[VX_MAX_LEVEL + 1];
	int			counts[VX_MAX_LEVEL + 1];
} VxNewNode;

/*
 * Search the graph from the entry point for the new node's candidates on
 * each layer it shares with the graph, and choose its lists from them.
 */
static void
choose_lists(const VxRel *r, VxMetaPageData *meta, VxNewNode *nn)
{
	const VxIndexInfo *info = r->info;
	VxLayerResults layers;
	VxDiskGraph g;

	/* arrays not kept are freed with the caller's per-row context */
	vx_disk_graph_init_kept(&g, r->index, info, info->ef_construction * info->m * 2);
	vx_query_set_code(&g.query, nn->self.code, nn->self.aux);
	vx_disk_search(&g, info->ef_construction, nn->level, &layers,
				   &meta->entry, meta->entry_level);
	vx_disk_graph_release_kept(&g);

	nn->top = Min(nn->level, meta->entry_level);
	for (int l = 0; l <= nn->level; l++)
	{
		nn->lists[l] = palloc(sizeof(ItemPointerData) * vx_layer_slots(info->m, l));
		nn->counts[l] = l <= nn->top ?
			choose_neighbors(r, layers.cands[l], layers.n[l], l, nn->lists[l]) : 0;
	}
}

/*
 * A new entry point must reach everything the old one reached: its
 * layer-0 list links to the old entry from the start, so that placing the
 * node and moving the entry point is one WAL record with the link in it.
 * The old entry may be DELETED (a vacuum between its passes 1 and 3, or one
 * cancelled there): the link is kept all the same, as DELETED nodes stay
 * walkable until vacuum frees them, and vacuum's pass 4 replaces it before
 * pass 5 frees the old entry.  Its own edges go to nodes the old entry
 * reaches, so if the list is full the farthest gives way; the slot
 * choose_neighbors leaves free for the forced link stays free.  The caller
 * holds the update lock exclusively, so the entry cannot move meanwhile.
 */
static void
link_old_entry(const VxIndexInfo *info, const VxMetaPageData *meta, VxNewNode *nn)
{
	bool		have = false;

	for (int i = 0; i < nn->counts[0] && !have; i++)
		have = ItemPointerEquals(&nn->lists[0][i], (ItemPointer) &meta->entry);
	if (!have && nn->counts[0] < vx_layer_slots(info->m, 0) - 1)
		nn->lists[0][nn->counts[0]++] = meta->entry;
	else if (!have)
		nn->lists[0][nn->counts[0] - 1] = meta->entry;
}

/* link the placed node back from its neighbours, top layer down */
static void
link_back(const VxRel *r, VxNewNode *nn)
{
	for (int l = nn->top; l >= 0; l--)
	{
		bool		linked = false;
		VxListAt	nbr;

		nbr.layer = l;
		for (int i = 0; i < nn->counts[l]; i++)
		{
			CHECK_FOR_INTERRUPTS();
			nbr.tid = nn->lists[l][i];
			if (add_backlink(r, &nbr, &nn->self, LINK_HEURISTIC))
				linked = true;
		}

		/*
		 * Every neighbour's heuristic may refuse the new node (common under
		 * inner product, where a few long vectors are everybody's nearest).
		 * On layer 0 that would leave it unreachable: force one link, from
		 * the nearest neighbour that can take it.
		 */
		for (int i = 0; l == 0 && !linked && i < nn->counts[0]; i++)
		{
			nbr.tid = nn->lists[0][i];
			linked = add_backlink(r, &nbr, &nn->self, LINK_FORCE);
		}
	}
}

/*
 * Insert one prepared vector (normalised for cosine) for heap row heaptid.
 */
void
vx_insert_vector(Relation index, const float *x, ItemPointer heaptid)
{
	VxIndexInfo *info = vx_get_info(index);
	VxMetaPageData meta;
	VxCodeInfo	ci;
	VxNewNode	nn;
	VxNodeForm	form;
	VxRel		r;
	char	   *code;
	LOCKMODE	mode = ShareLock;
	char	   *tup;
	Size		size;

	if (!info->trained)
	{
		train_from_first(index, x);
		info = vx_get_info(index);
	}
	r.index = index;
	r.info = info;
	code = palloc(info->codesize);
	vx_encode(info, x, code, &ci);
	nn.self.code = code;
	nn.self.aux = ci.offset_dot;
	nn.level = Min(vx_test_level(vx_random_level(info)), vx_code_max_level(info, code));

	LockPage(index, VX_UPDATE_LOCK, mode);
	vx_read_meta(index, &meta);
	if (nn.level > meta.entry_level)
	{
		/* may become the entry point: serialise with other such inserts */
		UnlockPage(index, VX_UPDATE_LOCK, mode);
		mode = ExclusiveLock;
		LockPage(index, VX_UPDATE_LOCK, mode);
		vx_read_meta(index, &meta);
	}

	form.heaptid = heaptid;
	form.level = nn.level;
	form.ci = &ci;
	form.code = code;
	form.lists = NULL;
	form.counts = NULL;
	if (meta.entry_level < 0)
	{
		tup = vx_form_node(info, &form, &size);
		place_node(index, tup, size, true, nn.level, &nn.self.tid);
		UnlockPage(index, VX_UPDATE_LOCK, mode);
		return;
	}

	choose_lists(&r, &meta, &nn);
	if (nn.level > meta.entry_level)
		link_old_entry(info, &meta, &nn);
	form.lists = nn.lists;
	form.counts = nn.counts;
	tup = vx_form_node(info, &form, &size);
	place_node(index, tup, size, nn.level > meta.entry_level, nn.level, &nn.self.tid);
	vx_test_point("insert-after-place");
	link_back(&r, &nn);
	UnlockPage(index, VX_UPDATE_LOCK, mode);
}

/*
 * aminsert: index one heap row.  NULLs, and zero vectors under cosine, are
 * not indexed.  Works in a temporary context freed before returning.
 */
bool
hnswinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
		   Relation heap, IndexUniqueCheck checkUnique,
		   bool indexUnchanged, IndexInfo *indexInfo)
{
	MemoryContext tmp;
	MemoryContext old;
	VxIndexInfo *info;
	float	   *x;

	if (isnull[0])
		return false;

	tmp = AllocSetContextCreate(CurrentMemoryContext, "hnsw insert",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);
	info = vx_get_info(index);
	x = palloc(vx_prepared_size(info));
	if (vx_prepare_vector(index, info, values[0], x))
		vx_insert_vector(index, x, heap_tid);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	return false;
}
