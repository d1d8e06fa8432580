/*-------------------------------------------------------------------------
 *
 * hnswverify.c
 *	  vecidx_hnsw_check(index regclass, heapallindexed bool): verify an hnsw
 *	  index's invariants, amcheck-style.  Every violation is an ERROR with
 *	  ERRCODE_INDEX_CORRUPTED naming the index, block and offset.
 *
 * Free slots (nodes vacuum unlinked, waiting for reuse) are not counted
 * as nodes.
 *
 * Checks, in order:
 *	 1. meta page: magic, version, options, quantizer pages;
 *	 2. every node: page type, size for its level, level within limits,
 *		neighbour lists compact, no self links, no duplicates;
 *	 3. every neighbour pointer names an existing node whose level reaches
 *		the layer; the entry point exists and has the highest level;
 *	 4. every live node is reachable from the entry point over layer-0 edges
 *		(which is what a scan, seeded with the entry point, can walk);
 *	 5. (heapallindexed) every row of the table that the index should hold
 *		has a live node with its TID; a node unreachable from the entry
 *		point is corruption only when its row is live (a crash during an
 *		insert can leave an unreachable node whose row never committed).
 * The table is locked in ShareLock for the duration: no concurrent writes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

#define NODE_DELETED	0x01
#define NODE_REACHED	0x02
#define NODE_FREE		0x04

/* open-addressing map: packed node TID -> node facts */
typedef struct NodeEntry
{
	uint64		key;			/* packed node TID, 0 = empty */
	uint64		heaptid;		/* packed heap TID */
	uint8		level;
	uint8		flags;
} NodeEntry;

typedef struct NodeMap
{
	NodeEntry  *e;
	uint64		mask;
	uint64		count;
} NodeMap;

typedef struct CheckState
{
	Relation	index;
	Relation	heap;
	VxIndexInfo *info;
	VxMetaPageData meta;
	NodeMap		nodes;
	VxTidSet	indexed;		/* heap TIDs of live nodes */
	VxTidSet	heaplive;		/* heap TIDs the index should hold */
	int64		ndeleted;
	int64		nfree;			/* slots vacuum freed for reuse */
	int64		nedges;
	int			maxlevel;
	float	   *xbuf;
	MemoryContext tmpcxt;
} CheckState;

static NodeEntry *
nodemap_lookup(NodeMap *m, uint64 key, bool insert)
{
	uint64		i = vx_hash64(key) & m->mask;

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

static void
corrupt(CheckState *cs, BlockNumber blk, OffsetNumber off, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("index \"%s\" is corrupted at block %u offset %u: %s",
					RelationGetRelationName(cs->index), blk, off, what)));
}

/* node pages are blocks 1+nqpages .. nblocks-1 */
typedef void (*NodeVisitor) (CheckState *cs, BlockNumber blk, OffsetNumber off,
							 VxNodeHeader *node, Size len);

static void
for_each_node(CheckState *cs, NodeVisitor visit)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(cs->index);

	for (BlockNumber blk = 1 + cs->meta.nqpages; blk < nblocks; blk++)
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

	e = nodemap_lookup(&cs->nodes, vx_tid_pack(&self), true);
	e->heaptid = vx_tid_pack(&node->heaptid);
	e->level = node->level;
	e->flags = (node->flags & VX_NODE_FREE) ? NODE_FREE :
		(node->flags & VX_NODE_DELETED) ? NODE_DELETED : 0;
	if (node->flags & VX_NODE_FREE)
		cs->nfree++;
	else if (node->flags & VX_NODE_DELETED)
		cs->ndeleted++;
	else
		vx_tidset_add(&cs->indexed, e->heaptid);
	if (node->level > cs->maxlevel && !(node->flags & VX_NODE_DEAD))
		cs->maxlevel = node->level;
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
			NodeEntry  *e = nodemap_lookup(&cs->nodes, vx_tid_pack(&nbrs[i]), false);

			if (e == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INDEX_CORRUPTED),
						 errmsg("index \"%s\" is corrupted at block %u offset %u: neighbour (%u,%u) on layer %d is not a node",
								RelationGetRelationName(cs->index), blk, off,
								ItemPointerGetBlockNumberNoCheck(&nbrs[i]),
								ItemPointerGetOffsetNumberNoCheck(&nbrs[i]), l)));
			if (e->flags & NODE_FREE)
				ereport(ERROR,
						(errcode(ERRCODE_INDEX_CORRUPTED),
						 errmsg("index \"%s\" is corrupted at block %u offset %u: neighbour (%u,%u) on layer %d is a free slot",
								RelationGetRelationName(cs->index), blk, off,
								ItemPointerGetBlockNumberNoCheck(&nbrs[i]),
								ItemPointerGetOffsetNumberNoCheck(&nbrs[i]), l)));
			if (e->level < l)
				ereport(ERROR,
						(errcode(ERRCODE_INDEX_CORRUPTED),
						 errmsg("index \"%s\" is corrupted at block %u offset %u: neighbour (%u,%u) on layer %d has level %d",
								RelationGetRelationName(cs->index), blk, off,
								ItemPointerGetBlockNumberNoCheck(&nbrs[i]),
								ItemPointerGetOffsetNumberNoCheck(&nbrs[i]), l, e->level)));
		}
	}
}

/* breadth-first walk from the entry point over layer-0 edges */
static void
mark_reachable(CheckState *cs)
{
	uint64	   *queue = MemoryContextAllocHuge(CurrentMemoryContext,
											   sizeof(uint64) * Max(cs->nodes.count, 1));
	uint64		head = 0,
				tail = 0;
	NodeEntry  *e = nodemap_lookup(&cs->nodes, vx_tid_pack(&cs->meta.entry), false);
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
			NodeEntry  *ne = nodemap_lookup(&cs->nodes, vx_tid_pack(&nbrs[i]), false);

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

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(cs->tmpcxt);
	indexed = vx_prepare_vector(cs->info, values[0], cs->xbuf);
	MemoryContextSwitchTo(old);
	MemoryContextReset(cs->tmpcxt);
	if (!indexed)
		return;
	vx_tidset_add(&cs->heaplive, vx_tid_pack(tid));
	if (!vx_tidset_has(&cs->indexed, vx_tid_pack(tid)))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("heap tuple (%u,%u) from table \"%s\" lacks a matching node in index \"%s\"",
						ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid),
						RelationGetRelationName(cs->heap), RelationGetRelationName(index))));
}

PG_FUNCTION_INFO_V1(vecidx_hnsw_check);
Datum
vecidx_hnsw_check(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	bool		heapallindexed = PG_GETARG_BOOL(1);
	Oid			heapoid = IndexGetRelation(indexoid, true);
	CheckState	cs;
	TupleDesc	tupdesc;
	Datum		vals[5];
	bool		nulls[5] = {false, false, false, false, false};
	int64		unreachable = 0;
	BlockNumber nblocks;

	if (!OidIsValid(heapoid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an index", get_rel_name(indexoid))));
	if (pg_class_aclcheck(heapoid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, get_rel_name(heapoid));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	memset(&cs, 0, sizeof(cs));
	cs.heap = table_open(heapoid, ShareLock);
	cs.index = index_open(indexoid, ShareLock);
	if (cs.index->rd_indam->ambuild != hnswbuild)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an hnsw index", RelationGetRelationName(cs.index))));

	vx_read_meta(cs.index, &cs.meta);
	cs.info = vx_get_info(cs.index);
	if (cs.meta.nqpages != vx_quant_pages(cs.info->dim, cs.info->quantized))
		corrupt(&cs, VX_METAPAGE_BLKNO, 0, "wrong number of quantizer pages");
	cs.maxlevel = -1;
	cs.tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "hnsw check",
									  ALLOCSET_DEFAULT_SIZES);
	cs.xbuf = palloc(sizeof(float) * VX_PREPARED_LEN(cs.info->dim));

	/* size the maps from the page count: a page holds at most this many nodes */
	nblocks = RelationGetNumberOfBlocks(cs.index);
	{
		uint64		maxnodes = (uint64) nblocks *
			(BLCKSZ / (vx_node_size(cs.info->m, 0, cs.info->codesize) + sizeof(ItemIdData)) + 1);
		uint64		cap = 1024;

		while (cap < maxnodes * 2)
			cap <<= 1;
		cs.nodes.e = MemoryContextAllocExtended(CurrentMemoryContext, sizeof(NodeEntry) * cap,
												MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		cs.nodes.mask = cap - 1;
		vx_tidset_init(&cs.indexed, maxnodes);
	}

	for_each_node(&cs, check_node);
	for_each_node(&cs, check_links);

	if (cs.meta.entry_level >= 0)
	{
		NodeEntry  *e = nodemap_lookup(&cs.nodes, vx_tid_pack(&cs.meta.entry), false);

		if (e == NULL || (e->flags & NODE_FREE))
			corrupt(&cs, VX_METAPAGE_BLKNO, 0, "entry point is not a node");
		if (e->level != cs.meta.entry_level)
			corrupt(&cs, VX_METAPAGE_BLKNO, 0, "entry point level differs from the meta page");
		if (cs.maxlevel > cs.meta.entry_level)
			corrupt(&cs, VX_METAPAGE_BLKNO, 0, "a node has a higher level than the entry point");
		mark_reachable(&cs);
	}
	else if ((int64) cs.nodes.count - cs.nfree - cs.ndeleted > 0)
		corrupt(&cs, VX_METAPAGE_BLKNO, 0, "index has live nodes but no entry point");

	if (heapallindexed)
	{
		IndexInfo  *ii = BuildIndexInfo(cs.index);
		vx_tidset_init(&cs.heaplive, cs.nodes.count);
		table_index_build_scan(cs.heap, cs.index, ii, true, false,
							   heap_callback, &cs, NULL);
	}

	for (uint64 i = 0; i <= cs.nodes.mask; i++)
	{
		NodeEntry  *e = &cs.nodes.e[i];

		if (e->key == 0 || (e->flags & (NODE_DELETED | NODE_FREE | NODE_REACHED)))
			continue;
		if (heapallindexed && vx_tidset_has(&cs.heaplive, e->heaptid))
		{
			ItemPointerData tid;

			vx_tid_unpack(e->key, &tid);
			corrupt(&cs, ItemPointerGetBlockNumber(&tid), ItemPointerGetOffsetNumber(&tid),
					"node of a live row is unreachable from the entry point");
		}
		unreachable++;
	}

	index_close(cs.index, ShareLock);
	table_close(cs.heap, ShareLock);

	vals[0] = Int64GetDatum((int64) cs.nodes.count - cs.nfree);
	vals[1] = Int64GetDatum(cs.ndeleted);
	vals[2] = Int64GetDatum(cs.nedges);
	vals[3] = Int32GetDatum(cs.maxlevel);
	vals[4] = Int64GetDatum(unreachable);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, vals, nulls)));
}
