/*-------------------------------------------------------------------------
 *
 * hnswverify.c
 *	  vecidx_hnsw_check(index regclass, heapallindexed bool): verify an hnsw
 *	  index's invariants, amcheck-style.  Every violation is an ERROR with
 *	  ERRCODE_INDEX_CORRUPTED naming the index, block and offset.
 *
 * Free slots (nodes vacuum unlinked, waiting for reuse) are not counted
 * as nodes.  Zeroed pages (a crash after an extension) are free pages and
 * skipped.
 *
 * Checks, in order:
 *	 1. meta page: magic, version, options, quantizer pages;
 *	 2. every node page: header bounds, our special space; every node: line
 *		pointer inside the item space, size for its level, level within
 *		limits (vx_node_problem), valid heap TID, known flags, neighbour
 *		lists compact, no self links, no duplicates;
 *	 3. every neighbour pointer of a live node names an existing node (not
 *		a free slot) whose level reaches the layer; the entry point exists
 *		and has the highest level;
 *	 4. every live node is reachable from the entry point over layer-0 edges
 *		(which is what a scan, seeded with the entry point, can walk);
 *	 5. (heapallindexed) every row of the table that the index should hold
 *		has a live node with its TID; a node unreachable from the entry
 *		point is corruption only when its row is live (a crash during an
 *		insert can leave an unreachable node whose row never committed).
 * The table is locked in ShareLock for the duration: no concurrent writes.
 *
 * Concurrent mode, used during recovery (a hot standby, where ShareLock
 * cannot be taken and replay changes pages while we read them): the locks
 * are AccessShareLock and heapallindexed is refused.  Checks 1 and 2 are
 * unchanged (each page is read whole under its share lock, and every
 * record leaves it consistent).  Check 3 is made against pages read at
 * different times, so a link that looks wrong (to a node not seen, a free
 * slot, a node of a lower level) is read again (link_settles) and reported
 * only if it is still wrong; the entry point is read from the meta page
 * after the walks and must be a node of the stated level, but "no node has
 * a higher level" and "live nodes imply an entry point" are not checked
 * (vacuum moving the entry point passes through states where either looks
 * false).  Check 4 is counted, as always without heapallindexed, never an
 * error: an in-flight insert's node is unreachable until its back links
 * are written, and a DELETED node may still be linked.  The counts
 * returned are those of the pages as the walks saw them.
 *
 * Everything after the table is opened runs as the table's owner, with
 * SECURITY_RESTRICTED_OPERATION and a pinned search_path (as amcheck does):
 * the index expressions heapallindexed evaluates are the owner's code.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xlog.h"
#include "catalog/index.h"
#include "catalog/pg_class.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "hnsw.h"

#define NODE_DELETED	0x01
#define NODE_REACHED	0x02
#define NODE_FREE		0x04

/* heap rows, by packed heap TID (flags) */
#define ROW_INDEXED		0x01	/* a live node holds it */
#define ROW_IN_HEAP		0x02	/* the heap scan says the index should */

/*
 * A map keyed by a packed TID, for both maps of the check: node TID -> what
 * check_node() saw of the node (heaptid, level, NODE_* flags), and heap TID
 * -> ROW_* flags (heaptid and level unused).
 */
typedef struct NodeEntry
{
	uint64		key;			/* packed TID */
	uint64		heaptid;		/* packed heap TID */
	uint8		level;
	uint8		flags;
	char		status;			/* simplehash's */
} NodeEntry;

#define SH_PREFIX		tidmap
#define SH_ELEMENT_TYPE	NodeEntry
#include "hnsw_tidhash.h"

/* a link that looked wrong in concurrent mode, rechecked after the walk */
typedef struct Suspect
{
	ItemPointerData from;
	ItemPointerData to;
	int			layer;
} Suspect;

typedef struct CheckState
{
	Relation	index;
	Relation	heap;
	VxIndexInfo *info;
	VxMetaPageData meta;
	tidmap_hash *nodes;			/* every node slot of the node pages */
	tidmap_hash *rows;			/* heap TIDs of live nodes and heap rows */
	int64		ndeleted;
	int64		nfree;			/* slots vacuum freed for reuse */
	int64		nedges;
	int			maxlevel;
	BlockNumber nblocks;		/* pages the walks read */
	bool		concurrent;		/* writers may run: recheck before reporting */
	Suspect    *suspects;	/* concurrent mode: links to recheck */
	int			nsuspects;
	int			maxsuspects;
	float	   *xbuf;
	MemoryContext tmpcxt;
} CheckState;

/* the entry of packed TID key in map; a new one (no flags) if insert */
static NodeEntry *
map_entry(tidmap_hash *map, uint64 key, bool insert)
{
	NodeEntry  *e;
	bool		found;

	if (!insert)
		return tidmap_lookup(map, key);
	e = tidmap_insert(map, key, &found);
	if (!found)
	{
		e->heaptid = 0;
		e->level = 0;
		e->flags = 0;
	}
	return e;
}

static void
corrupt(CheckState *cs, BlockNumber blk, OffsetNumber off, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("index \"%s\" is corrupted at block %u offset %u: %s",
					RelationGetRelationName(cs->index), blk, off, what)));
}

/*
 * node pages are blocks 1+nqpages .. nblocks-1, nblocks as counted when the
 * maps were sized (in concurrent mode later pages are read only to recheck
 * a link)
 */
typedef void (*NodeVisitor) (CheckState *cs, BlockNumber blk, OffsetNumber off,
							 VxNodeHeader *node, Size len);

static void
for_each_node(CheckState *cs, NodeVisitor visit)
{
	for (BlockNumber blk = 1 + cs->meta.nqpages; blk < cs->nblocks; blk++)
	{
		Buffer		buf = ReadBuffer(cs->index, blk);
		Page		page;

		CHECK_FOR_INTERRUPTS();
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		/* a zeroed page is free (a crash after an extension), else a node page */
		if (!vx_node_page_usable(cs->index, page, blk))
		{
			UnlockReleaseBuffer(buf);
			continue;
		}
		for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			ItemId		iid = PageGetItemId(page, off);
			const char *problem = vx_node_problem(cs->info, page, off);

			if (problem != NULL)
				corrupt(cs, blk, off, problem);
			visit(cs, blk, off, (VxNodeHeader *) PageGetItem(page, iid), ItemIdGetLength(iid));
		}
		UnlockReleaseBuffer(buf);
	}
}

/* pass 1: each node on its own */
static void
check_node(CheckState *cs, BlockNumber blk, OffsetNumber off, VxNodeHeader *node, Size len)
{
	const VxIndexInfo *info = cs->info;
	ItemPointerData self;
	NodeEntry  *e;

	/* size and level were checked by vx_node_problem() */
	if (!ItemPointerIsValid(&node->heaptid))
		corrupt(cs, blk, off, "invalid heap TID");
	if (node->flags & ~VX_NODE_DEAD)
		corrupt(cs, blk, off, "unknown node flags");
	if ((node->flags & VX_NODE_FREE) && !(node->flags & VX_NODE_DELETED))
		corrupt(cs, blk, off, "free slot not flagged deleted");

	ItemPointerSet(&self, blk, off);
	for (int l = 0; l <= node->level; l++)
	{
		ItemPointerData *slots = (ItemPointerData *) ((char *) node + vx_layer_offset(info->m, l));
		int			nslots = vx_layer_slots(info->m, l);
		int			n = 0;

		while (n < nslots && ItemPointerIsValid(&slots[n]))
			n++;
		for (int i = n; i < nslots; i++)
			if (ItemPointerIsValid(&slots[i]))
				corrupt(cs, blk, off, "neighbour list is not compact");
		for (int i = 0; i < n; i++)
		{
			if (ItemPointerEquals(&slots[i], &self))
				corrupt(cs, blk, off, "node links to itself");
			for (int j = 0; j < i; j++)
				if (ItemPointerEquals(&slots[i], &slots[j]))
					corrupt(cs, blk, off, "duplicate neighbour");
		}
		/* edges of the nodes the result counts: a free slot's list is stale */
		if (!(node->flags & VX_NODE_FREE))
			cs->nedges += n;
	}

	e = map_entry(cs->nodes, vx_tid_pack(&self), true);
	e->heaptid = vx_tid_pack(&node->heaptid);
	e->level = node->level;
	e->flags = (node->flags & VX_NODE_FREE) ? NODE_FREE :
		(node->flags & VX_NODE_DELETED) ? NODE_DELETED : 0;
	if (node->flags & VX_NODE_FREE)
		cs->nfree++;
	else if (node->flags & VX_NODE_DELETED)
		cs->ndeleted++;
	else
		map_entry(cs->rows, e->heaptid, true)->flags |= ROW_INDEXED;
	if (node->level > cs->maxlevel && !(node->flags & VX_NODE_DEAD))
		cs->maxlevel = node->level;
}

/*
 * Is the node at tid, read now, a sound node (vx_node_problem), not a free
 * slot, reaching layer?  Takes and releases the share lock of its page.
 */
static bool
target_ok_now(CheckState *cs, ItemPointer tid, int layer)
{
	BlockNumber blk = ItemPointerGetBlockNumberNoCheck(tid);
	Buffer		buf;
	Page		page;
	bool		ok = false;

	if (blk >= RelationGetNumberOfBlocks(cs->index))
		return false;
	buf = ReadBuffer(cs->index, blk);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (vx_node_problem(cs->info, page, ItemPointerGetOffsetNumberNoCheck(tid)) == NULL)
	{
		VxNodeHeader *node = (VxNodeHeader *)
			PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumberNoCheck(tid)));

		ok = !(node->flags & VX_NODE_FREE) && node->level >= layer;
	}
	UnlockReleaseBuffer(buf);
	return ok;
}

/* does the node at (blk, off), read now, still link to tid on layer? */
static bool
source_links_now(CheckState *cs, BlockNumber blk, OffsetNumber off, int layer,
				 ItemPointer tid)
{
	ItemPointerData nbrs[2 * VX_MAX_M];
	Buffer		buf = ReadBuffer(cs->index, blk);
	VxNodeHeader *node;
	bool		found = false;
	int			n;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = vx_page_node(cs->index, BufferGetPage(buf), blk, off);
	n = (node->flags & VX_NODE_DEAD) ? 0 : vx_node_neighbors(cs->info, node, layer, nbrs);
	for (int i = 0; i < n && !found; i++)
		found = ItemPointerEquals(&nbrs[i], tid);
	UnlockReleaseBuffer(buf);
	return found;
}

/*
 * Concurrent mode: a link that looked wrong against the node map (built
 * from pages read earlier) may only be out of date.  Writers keep an order
 * that lets us tell: an insert writes a node before any link to it, and
 * vacuum removes every link to a node before it frees the slot.  So a link
 * is reported only if the target is wrong when read now, the source still
 * holds the link when read after that, and the target is still wrong when
 * read after that (a slot freed and reused in between is then live).
 */
static bool
link_settles(CheckState *cs, BlockNumber blk, OffsetNumber off, int layer,
			 ItemPointer tid)
{
	return target_ok_now(cs, tid, layer) ||
		!source_links_now(cs, blk, off, layer, tid) ||
		target_ok_now(cs, tid, layer);
}

/*
 * Report the neighbour pointer nbr on a layer of the node at blk/off as
 * corrupt; what says what it names ("is a free slot").
 */
pg_noreturn static void
bad_link(CheckState *cs, BlockNumber blk, OffsetNumber off, ItemPointer nbr, int layer,
		 const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("index \"%s\" is corrupted at block %u offset %u: neighbour (%u,%u) on layer %d %s",
					RelationGetRelationName(cs->index), blk, off,
					ItemPointerGetBlockNumberNoCheck(nbr),
					ItemPointerGetOffsetNumberNoCheck(nbr), layer, what)));
}

/*
 * pass 2: every neighbour pointer of a live node names a node (not a free
 * slot) reaching that layer.  Lists of deleted nodes may be stale: vacuum
 * no longer maintains them.
 */
static void
check_links(CheckState *cs, BlockNumber blk, OffsetNumber off, VxNodeHeader *node, Size len)
{
	ItemPointerData nbrs[2 * VX_MAX_M];

	if (node->flags & VX_NODE_DEAD)
		return;

	for (int l = 0; l <= node->level; l++)
	{
		int			n = vx_node_neighbors(cs->info, node, l, nbrs);

		for (int i = 0; i < n; i++)
		{
			NodeEntry  *e = map_entry(cs->nodes, vx_tid_pack(&nbrs[i]), false);

			if (cs->concurrent &&
				(e == NULL || (e->flags & NODE_FREE) || e->level < l))
			{
				/* decided after the walk, with no page locked (link_settles) */
				Suspect    *sp;

				if (cs->nsuspects == cs->maxsuspects)
				{
					cs->maxsuspects = Max(64, cs->maxsuspects * 2);
					cs->suspects = cs->suspects == NULL ?
						palloc(sizeof(Suspect) * cs->maxsuspects) :
						repalloc(cs->suspects, sizeof(Suspect) * cs->maxsuspects);
				}
				sp = &cs->suspects[cs->nsuspects++];
				ItemPointerSet(&sp->from, blk, off);
				sp->to = nbrs[i];
				sp->layer = l;
				continue;
			}
			if (e == NULL)
				bad_link(cs, blk, off, &nbrs[i], l, "is not a node");
			if (e->flags & NODE_FREE)
				bad_link(cs, blk, off, &nbrs[i], l, "is a free slot");
			if (e->level < l)
				bad_link(cs, blk, off, &nbrs[i], l, psprintf("has level %d", e->level));
		}
	}
}

/* breadth-first walk from the entry point over layer-0 edges */
static void
mark_reachable(CheckState *cs)
{
	uint64	   *queue = MemoryContextAllocHuge(CurrentMemoryContext,
											   sizeof(uint64) * Max(cs->nodes->members, 1));
	uint64		head = 0,
				tail = 0;
	NodeEntry  *e = map_entry(cs->nodes, vx_tid_pack(&cs->meta.entry), false);
	ItemPointerData nbrs[2 * VX_MAX_M];

	e->flags |= NODE_REACHED;
	queue[tail++] = e->key;
	while (head < tail)
	{
		ItemPointerData tid;
		Buffer		buf;
		VxNodeHeader *node;
		int			n;

		CHECK_FOR_INTERRUPTS();
		vx_tid_unpack(queue[head++], &tid);
		buf = ReadBuffer(cs->index, ItemPointerGetBlockNumber(&tid));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		node = vx_page_node(cs->index, BufferGetPage(buf), ItemPointerGetBlockNumber(&tid),
							ItemPointerGetOffsetNumber(&tid));
		n = vx_node_neighbors(cs->info, node, 0, nbrs);
		UnlockReleaseBuffer(buf);
		for (int i = 0; i < n; i++)
		{
			NodeEntry  *ne = map_entry(cs->nodes, vx_tid_pack(&nbrs[i]), false);

			if (ne != NULL && !(ne->flags & (NODE_REACHED | NODE_FREE)))
			{
				ne->flags |= NODE_REACHED;
				queue[tail++] = ne->key;
			}
		}
	}
	pfree(queue);
}

static void
heap_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			  bool tupleIsAlive, void *state)
{
	CheckState *cs = (CheckState *) state;
	MemoryContext old;
	bool		indexed;
	NodeEntry  *row;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(cs->tmpcxt);
	indexed = vx_prepare_vector(cs->index, cs->info, values[0], cs->xbuf);
	MemoryContextSwitchTo(old);
	MemoryContextReset(cs->tmpcxt);
	if (!indexed)
		return;
	row = map_entry(cs->rows, vx_tid_pack(tid), false);
	if (row == NULL || !(row->flags & ROW_INDEXED))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("heap tuple (%u,%u) from table \"%s\" lacks a matching node in index \"%s\"",
						ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid),
						RelationGetRelationName(cs->heap), RelationGetRelationName(index))));
	row->flags |= ROW_IN_HEAP;
}

/*
 * Concurrent mode: the entry point, from the meta page read now (an insert
 * moves it in the record that writes its new node, so the node exists),
 * must be a node of the level the meta page states; then mark what is
 * reachable from it.  The entry point may be a node the walk did not see
 * (written after its page was read): it joins the map.  That no node has a
 * higher level than the entry point, and that a graph with live nodes has
 * one, are not checked: vacuum moving the entry point off a node it
 * deleted passes through states where either looks false from pages read
 * at different times.
 */
static void
check_entry_concurrent(CheckState *cs)
{
	Buffer		buf;
	VxNodeHeader *node;
	NodeEntry  *e;
	BlockNumber blk;
	OffsetNumber off;

	vx_read_meta(cs->index, &cs->meta);
	if (cs->meta.entry_level < 0)
		return;
	blk = ItemPointerGetBlockNumberNoCheck(&cs->meta.entry);
	off = ItemPointerGetOffsetNumberNoCheck(&cs->meta.entry);
	if (blk >= RelationGetNumberOfBlocks(cs->index))
		corrupt(cs, VX_METAPAGE_BLKNO, 0, "entry point is not a node");
	buf = ReadBuffer(cs->index, blk);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = vx_page_node(cs->index, BufferGetPage(buf), blk, off);
	if (node->flags & VX_NODE_FREE)
		corrupt(cs, VX_METAPAGE_BLKNO, 0, "entry point is not a node");
	if (node->level != cs->meta.entry_level)
		corrupt(cs, VX_METAPAGE_BLKNO, 0, "entry point level differs from the meta page");
	e = map_entry(cs->nodes, vx_tid_pack(&cs->meta.entry), true);
	e->level = node->level;
	e->heaptid = vx_tid_pack(&node->heaptid);
	e->flags &= ~NODE_FREE;
	UnlockReleaseBuffer(buf);
	mark_reachable(cs);
}

/*
 * Refuse what cannot be checked, with the reason: an OID that names no
 * relation, a relation that is not an index, a partitioned index (it has
 * no storage: check each partition's index), an index of another access
 * method, another session's temporary index, an index a failed CREATE INDEX
 * CONCURRENTLY left invalid, an unlogged index during recovery (it has no
 * storage on a standby).  The first two are checked before any lock is
 * taken; the rest on the open index.
 */
static void
check_target_oid(Oid indexoid)
{
	char		relkind;

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(indexoid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", indexoid)));
	relkind = get_rel_relkind(indexoid);
	if (relkind == RELKIND_PARTITIONED_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot check partitioned index \"%s\"", get_rel_name(indexoid)),
				 errdetail("A partitioned index has no storage of its own."),
				 errhint("Check the index of each partition.")));
	if (relkind != RELKIND_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an index", get_rel_name(indexoid))));
}

static void
check_target_index(Relation index)
{
	if (index->rd_rel->relkind != RELKIND_INDEX ||
		index->rd_indam->ambuild != hnswbuild)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an hnsw index", RelationGetRelationName(index))));
	if (RELATION_IS_OTHER_TEMP(index))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot access temporary tables of other sessions"),
				 errdetail("Index \"%s\" is associated with a temporary relation.",
						   RelationGetRelationName(index))));
	if (!index->rd_index->indisvalid)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot check index \"%s\"", RelationGetRelationName(index)),
				 errdetail("Index is not valid."),
				 errhint("A failed CREATE INDEX CONCURRENTLY leaves an invalid index: drop it or REINDEX it.")));
	if (RecoveryInProgress() &&
		index->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot check unlogged index \"%s\" during recovery",
						RelationGetRelationName(index)),
				 errdetail("Unlogged relations have no contents on a standby.")));
}

/*
 * The checks proper, on an index and table the caller has opened and
 * locked: fills cs's counters; every violation is an ERROR.
 */
static void
check_graph(CheckState *cs, bool heapallindexed)
{
	BlockNumber nblocks;

	vx_read_meta(cs->index, &cs->meta);
	cs->info = vx_get_info(cs->index);
	if (cs->meta.nqpages != vx_quant_pages(cs->info->dim, cs->info->quantized))
		corrupt(cs, VX_METAPAGE_BLKNO, 0, "wrong number of quantizer pages");
	cs->maxlevel = -1;
	cs->tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "hnsw check",
									   ALLOCSET_DEFAULT_SIZES);
	cs->xbuf = palloc(vx_prepared_size(cs->info));

	/* size the maps from the page count: a page holds at most this many nodes */
	nblocks = RelationGetNumberOfBlocks(cs->index);
	cs->nblocks = nblocks;
	{
		uint64		maxnodes = (uint64) nblocks *
			(BLCKSZ / (vx_node_size(cs->info->m, 0, vx_min_code_size(cs->info)) +
					   sizeof(ItemIdData)) + 1);

		cs->nodes = tidmap_create(CurrentMemoryContext, maxnodes, NULL);
		cs->rows = tidmap_create(CurrentMemoryContext, maxnodes, NULL);
	}

	for_each_node(cs, check_node);
	vx_test_point("vecidx_hnsw_check-between-passes");
	for_each_node(cs, check_links);

	/* concurrent mode: links that looked wrong must still be wrong now */
	for (int i = 0; i < cs->nsuspects; i++)
	{
		Suspect    *sp = &cs->suspects[i];

		if (!link_settles(cs, ItemPointerGetBlockNumber(&sp->from),
						  ItemPointerGetOffsetNumber(&sp->from), sp->layer, &sp->to))
			bad_link(cs, ItemPointerGetBlockNumber(&sp->from),
					 ItemPointerGetOffsetNumber(&sp->from), &sp->to, sp->layer,
					 "is not a node of that layer");
	}

	if (cs->concurrent)
		elog(DEBUG1, "vecidx_hnsw_check: rechecked %d links that changed during the walk",
			 cs->nsuspects);
	if (cs->concurrent)
		check_entry_concurrent(cs);
	else if (cs->meta.entry_level >= 0)
	{
		NodeEntry  *e = map_entry(cs->nodes, vx_tid_pack(&cs->meta.entry), false);

		if (e == NULL || (e->flags & NODE_FREE))
			corrupt(cs, VX_METAPAGE_BLKNO, 0, "entry point is not a node");
		if (e->level != cs->meta.entry_level)
			corrupt(cs, VX_METAPAGE_BLKNO, 0, "entry point level differs from the meta page");
		if (cs->maxlevel > cs->meta.entry_level)
			corrupt(cs, VX_METAPAGE_BLKNO, 0, "a node has a higher level than the entry point");
		mark_reachable(cs);
	}
	else if ((int64) cs->nodes->members - cs->nfree - cs->ndeleted > 0)
		corrupt(cs, VX_METAPAGE_BLKNO, 0, "index has live nodes but no entry point");

	if (heapallindexed)
	{
		IndexInfo  *ii = BuildIndexInfo(cs->index);

		table_index_build_scan(cs->heap, cs->index, ii, true, false,
							   heap_callback, cs, NULL);
	}
}

/*
 * The live nodes the walk did not reach; with heapallindexed, one whose row
 * the heap holds live is corruption.
 */
static int64
count_unreachable(CheckState *cs, bool heapallindexed)
{
	tidmap_iterator iter;
	NodeEntry  *e;
	int64		unreachable = 0;

	tidmap_start_iterate(cs->nodes, &iter);
	while ((e = tidmap_iterate(cs->nodes, &iter)) != NULL)
	{
		NodeEntry  *row;

		if (e->flags & (NODE_DELETED | NODE_FREE | NODE_REACHED))
			continue;
		row = map_entry(cs->rows, e->heaptid, false);
		if (heapallindexed && row != NULL && (row->flags & ROW_IN_HEAP))
		{
			ItemPointerData tid;

			vx_tid_unpack(e->key, &tid);
			corrupt(cs, ItemPointerGetBlockNumber(&tid), ItemPointerGetOffsetNumber(&tid),
					"node of a live row is unreachable from the entry point");
		}
		unreachable++;
	}
	return unreachable;
}

PG_FUNCTION_INFO_V1(vecidx_hnsw_check);

/*
 * vecidx_hnsw_check(index regclass, heapallindexed bool)
 *
 * Locks the table, then the index, in ShareLock (no concurrent writes), or
 * during recovery in AccessShareLock, which a standby allows: then the
 * check runs in concurrent mode (see the file header) and heapallindexed
 * must be false.  As amcheck does, everything after the table is opened
 * runs as the table's owner with SECURITY_RESTRICTED_OPERATION, GUC
 * changes rolled back and search_path pinned: the index expressions and
 * predicate heapallindexed evaluates are the owner's code, and must not run
 * with the caller's privileges.
 */
Datum
vecidx_hnsw_check(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	bool		heapallindexed = PG_GETARG_BOOL(1);
	bool		concurrent = RecoveryInProgress();
	LOCKMODE	lockmode = concurrent ? AccessShareLock : ShareLock;
	Oid			heapoid;
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
	CheckState	cs;
	TupleDesc	tupdesc;
	Datum		vals[5];
	bool		nulls[5] = {false, false, false, false, false};
	int64		unreachable;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	check_target_oid(indexoid);
	if (concurrent && heapallindexed)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("heapallindexed cannot be checked during recovery"),
				 errhint("Call vecidx_hnsw_check(index, false) on a standby.")));
	heapoid = IndexGetRelation(indexoid, false);
	if (pg_class_aclcheck(heapoid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, get_rel_name(heapoid));

	memset(&cs, 0, sizeof(cs));
	cs.concurrent = concurrent;
	cs.heap = table_open(heapoid, lockmode);
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(cs.heap->rd_rel->relowner,
						   save_sec_context | SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	cs.index = index_open(indexoid, lockmode);
	/* the index may have been dropped and its OID reused before we locked */
	if (IndexGetRelation(indexoid, true) != heapoid)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("could not open parent table of index \"%s\"",
						RelationGetRelationName(cs.index))));
	check_target_index(cs.index);

	check_graph(&cs, heapallindexed);
	unreachable = count_unreachable(&cs, heapallindexed);

	index_close(cs.index, lockmode);
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	table_close(cs.heap, lockmode);

	vals[0] = Int64GetDatum((int64) cs.nodes->members - cs.nfree);
	vals[1] = Int64GetDatum(cs.ndeleted);
	vals[2] = Int64GetDatum(cs.nedges);
	vals[3] = Int32GetDatum(cs.maxlevel);
	vals[4] = Int64GetDatum(unreachable);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, vals, nulls)));
}
