/*-------------------------------------------------------------------------
 *
 * hnswpage.c
 *	  Page helpers: page initialisation, the meta page, the per-index
 *	  constants cached in rd_amcache, node tuple access with corruption
 *	  checks, relation extension, and the quantizer pages.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/generic_xlog.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "port/pg_bitutils.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "hnsw.h"

/* the distance functions of the opclasses (vector.c, halfvec.c, bitvec.c, sparsevec.c) */
extern Datum l2_distance(PG_FUNCTION_ARGS);
extern Datum vector_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum cosine_distance(PG_FUNCTION_ARGS);
extern Datum l1_distance(PG_FUNCTION_ARGS);
extern Datum halfvec_l2_distance(PG_FUNCTION_ARGS);
extern Datum halfvec_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum halfvec_cosine_distance(PG_FUNCTION_ARGS);
extern Datum halfvec_l1_distance(PG_FUNCTION_ARGS);
extern Datum hamming_distance(PG_FUNCTION_ARGS);
extern Datum jaccard_distance(PG_FUNCTION_ARGS);
extern Datum sparsevec_l2_distance(PG_FUNCTION_ARGS);
extern Datum sparsevec_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum sparsevec_cosine_distance(PG_FUNCTION_ARGS);
extern Datum sparsevec_l1_distance(PG_FUNCTION_ARGS);

/*
 * The metric each opclass distance function stands for, the codec its
 * type's codes take, and whether its type reaches the graph through a cast
 * to vector (support function 2).
 */
static const struct
{
	PGFunction	fn;
	VxMetric	metric;
	VxCodec		codec;
	bool		tovector;
}			metric_functions[] =
{
	{l2_distance, VX_METRIC_L2, VX_CODEC_INT8, false},
	{vector_negative_inner_product, VX_METRIC_IP, VX_CODEC_INT8, false},
	{cosine_distance, VX_METRIC_COSINE, VX_CODEC_INT8, false},
	{l1_distance, VX_METRIC_L1, VX_CODEC_INT8, false},
	{halfvec_l2_distance, VX_METRIC_L2, VX_CODEC_INT8, true},
	{halfvec_negative_inner_product, VX_METRIC_IP, VX_CODEC_INT8, true},
	{halfvec_cosine_distance, VX_METRIC_COSINE, VX_CODEC_INT8, true},
	{halfvec_l1_distance, VX_METRIC_L1, VX_CODEC_INT8, true},
	{hamming_distance, VX_METRIC_HAMMING, VX_CODEC_BITS, false},
	{jaccard_distance, VX_METRIC_JACCARD, VX_CODEC_BITS, false},
	{sparsevec_l2_distance, VX_METRIC_L2, VX_CODEC_SPARSE, false},
	{sparsevec_negative_inner_product, VX_METRIC_IP, VX_CODEC_SPARSE, false},
	{sparsevec_cosine_distance, VX_METRIC_COSINE, VX_CODEC_SPARSE, false},
	{sparsevec_l1_distance, VX_METRIC_L1, VX_CODEC_SPARSE, false},
};

void
vx_init_page(Page page, uint16 type)
{
	VxPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(VxPageOpaqueData));
	opaque = VxPageGetOpaque(page);
	opaque->page_type = type;
	opaque->unused = 0;
	opaque->page_id = VX_MAGIC;
}

static void
check_page(Relation index, Page page, BlockNumber blkno, uint16 type)
{
	VxPageOpaque opaque;

	if (PageIsNew(page) ||
		PageGetSpecialSize(page) != MAXALIGN(sizeof(VxPageOpaqueData)))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" contains unexpected zero or foreign page at block %u",
						RelationGetRelationName(index), blkno),
				 errhint("Please REINDEX it.")));
	opaque = VxPageGetOpaque(page);
	if (opaque->page_id != VX_MAGIC || (opaque->page_type & type) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has a page of the wrong type at block %u",
						RelationGetRelationName(index), blkno),
				 errdetail("Expected page type %u, found %u.", type, opaque->page_type),
				 errhint("Please REINDEX it.")));
}

/* copy the meta page (share lock held only while copying) */
void
vx_read_meta(Relation index, VxMetaPageData *meta)
{
	Buffer		buf = ReadBuffer(index, VX_METAPAGE_BLKNO);
	Page		page;
	VxMetaPage	m;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	check_page(index, page, VX_METAPAGE_BLKNO, VX_PAGE_META);
	m = VxPageGetMeta(page);
	if (m->magic != VX_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not an hnsw index", RelationGetRelationName(index))));
	if (m->version != VX_FORMAT_VERSION && m->version != VX_FORMAT_VERSION_INT8)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has on-disk format version %u, expected %u",
						RelationGetRelationName(index), m->version, VX_FORMAT_VERSION),
				 errhint("Please REINDEX it.")));
	memcpy(meta, m, sizeof(VxMetaPageData));
	UnlockReleaseBuffer(buf);

	/*
	 * Version 1 predates codecs: every such index is INT8 (its codec byte
	 * was unused, zero).  Writers keep the version they find: a version-1
	 * meta page stays version 1, whose readers ignore the byte.
	 */
	if (meta->version == VX_FORMAT_VERSION_INT8)
	{
		meta->codec = VX_CODEC_INT8;
		meta->dim_high = 0;
	}
}

/* bytes of a node's code; SPARSE: the largest, what a level-0 node holds at m */
Size
vx_code_size(VxCodec codec, int dim, int m, bool quantized)
{
	if (codec == VX_CODEC_BITS)
		return vx_bits_code_size(dim);
	if (codec == VX_CODEC_SPARSE)
		return vx_sparse_code_size(m);
	return quantized ? (Size) dim : (Size) dim * sizeof(float4);
}

/* highest level whose node tuple fits a page, -1 if none does */
int
vx_max_level(int m, Size codesize)
{
	int			level = -1;

	while (level < VX_MAX_LEVEL &&
		   vx_node_size(m, level + 1, codesize) <= VX_MAX_NODE_SIZE)
		level++;
	return level;
}

/*
 * The highest level a node with this code can have: info->maxlevel, or
 * under the SPARSE codec, whose codes vary, what the node's own code
 * leaves room for (a row with many non-zero elements stays on the lower
 * layers; README, "Codecs").
 */
int
vx_code_max_level(const VxIndexInfo *info, const char *code)
{
	if (info->codec != VX_CODEC_SPARSE)
		return info->maxlevel;
	return Min(info->maxlevel, vx_max_level(info->m, vx_sparse_code_len(code)));
}

/* load the quantizer offsets from their pages into info->offsets */
static void
read_quantizer(Relation index, const VxMetaPageData *meta, VxIndexInfo *info)
{
	int			done = 0;

	for (int p = 0; p < meta->nqpages; p++)
	{
		BlockNumber blkno = 1 + p;
		Buffer		buf = ReadBuffer(index, blkno);
		Page		page;
		int			n = Min((int) VX_QUANT_PER_PAGE, info->dim - done);

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		check_page(index, page, blkno, VX_PAGE_QUANT);
		memcpy(info->offsets + done, PageGetContents(page), sizeof(float4) * n);
		done += n;
		UnlockReleaseBuffer(buf);
	}
	if (done != info->dim)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has %d quantizer offsets, expected %d",
						RelationGetRelationName(index), done, info->dim)));
	info->quant.offset = info->offsets;
	info->quant.dim = info->dim;
	info->quant.scale = meta->qscale;
	vxq_finish(&info->quant);
}

/*
 * How many buffer hints an index of nblocks blocks gets: a power of two
 * (vx_recent_hint), room for a quarter more blocks, at least 1,024 and at
 * most 2^24 (64 MB of hints, a 128 GB index; larger ones share slots).
 */
static BlockNumber
vx_recent_size(BlockNumber nblocks)
{
	uint64		want = (uint64) nblocks * 5 / 4 + 64;

	return (BlockNumber) pg_nextpower2_64(Max(Min(want, UINT64CONST(1) << 24), 1024));
}

/*
 * The per-index constants.  Cached in rd_amcache once the quantizer is
 * trained (it never changes after that); before, every call reads the meta
 * page afresh into a palloc'd copy in the caller's context.
 */
VxIndexInfo *
vx_get_info(Relation index)
{
	VxMetaPageData meta;
	VxIndexInfo *info;
	MemoryContext cxt;
	BlockNumber nrecent;
	Size		offsets_size;

	if (index->rd_amcache != NULL)
		return (VxIndexInfo *) index->rd_amcache;

	vx_read_meta(index, &meta);
	cxt = meta.trained ? index->rd_indexcxt : CurrentMemoryContext;
	/* one allocation, as the relcache frees rd_amcache with one pfree */
	nrecent = meta.trained ? vx_recent_size(RelationGetNumberOfBlocks(index)) : 0;
	/* only the INT8 codec has a quantizer (a sparse dim can be 10^9) */
	offsets_size = meta.codec == VX_CODEC_INT8 ? MAXALIGN(sizeof(float) * meta.dim) : 0;
	info = MemoryContextAllocZero(cxt, offsetof(VxIndexInfo, offsets) +
								  offsets_size + sizeof(Buffer) * nrecent);
	info->nrecent = nrecent;
	info->recent = (Buffer *) ((char *) info->offsets + offsets_size);
	info->dim = (int) (((uint32) meta.dim_high << 16) | meta.dim);
	info->m = meta.m;
	info->ef_construction = meta.ef_construction;
	info->metric = (VxMetric) meta.metric;
	info->codec = (VxCodec) meta.codec;
	info->quantized = meta.quantized != 0;
	info->trained = meta.trained != 0;
	info->codesize = vx_code_size(info->codec, info->dim, info->m, info->quantized);
	info->prefetchsize = vx_prefetch_size(info->codec, info->codesize);
	info->maxlevel = vx_max_level(info->m, vx_min_code_size(info));
	info->quant.dim = info->codec == VX_CODEC_INT8 ? info->dim : 0;
	info->quant.offset = info->offsets;
	info->quant.scale = 1.0f;
	/* BITS takes Hamming or Jaccard; INT8 and SPARSE the four float metrics */
	if (info->m < VX_MIN_M || info->m > VX_MAX_M || info->maxlevel < 0 ||
		(info->codec == VX_CODEC_BITS ?
		 (info->metric != VX_METRIC_HAMMING && info->metric != VX_METRIC_JACCARD) :
		 (info->metric < VX_METRIC_L2 || info->metric > VX_METRIC_L1)) ||
		(info->codec != VX_CODEC_INT8 && info->quantized) ||
		(info->codec != VX_CODEC_SPARSE && meta.dim_high != 0) ||
		info->dim <= 0 || info->codec > VX_CODEC_SPARSE)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has an invalid meta page",
						RelationGetRelationName(index)),
				 errdetail("dim %d, m %d, metric %d, codec %d.",
						   info->dim, info->m, info->metric, info->codec)));
	if (info->quantized && info->trained)
		read_quantizer(index, &meta, info);
	if (meta.trained)
		index->rd_amcache = info;
	return info;
}

/*
 * ReadBuffer with a hint: remember, per block, the buffer it was last
 * found in, and try ReadRecentBuffer() there first, which pins it without
 * the shared buffer-mapping lookup when the page is still in that buffer.
 * The hint is only a hint: ReadRecentBuffer checks the buffer's tag.  The
 * hints are a direct-mapped array (vx_recent_hint: block number modulo a
 * power of two, at least 1.25 times the index's blocks when the cache
 * entry is made), so that blocks added later -- an index that grows by
 * inserts, or a build that goes on on disk -- still get hints, sharing
 * slots with older blocks once it has doubled.
 */
Buffer
vx_read_buffer(Relation index, const VxIndexInfo *info, BlockNumber blkno)
{
	Buffer	   *hint = vx_recent_hint(info, blkno);
	Buffer		buf;

	if (hint != NULL && BufferIsValid(*hint) &&
		ReadRecentBuffer(VX_REL_LOCATOR(index), MAIN_FORKNUM, blkno, *hint))
		return *hint;
	buf = ReadBuffer(index, blkno);
	if (hint != NULL)
		*hint = buf;
	return buf;
}

/*
 * Page edits.  Outside a build every change is one GenericXLog record.  A
 * build (CREATE INDEX, REINDEX, and their parallel workers) is the only
 * writer of an index nobody else can see yet, and nothing of it survives a
 * crash before its transaction commits: it changes its pages in place
 * (under the same buffer locks, marked dirty) and WAL-logs every page once
 * when it is done (log_newpage_range), as core's index builds do -- the
 * written graph and the rows a spilled build inserts on disk alike, so a
 * build that outgrows maintenance_work_mem does not pay a record (two page
 * copies and a comparison) per list it changes.  The index being built is
 * remembered by OID until its build ends or the transaction does.
 */
static Oid	vx_building = InvalidOid;
static bool vx_building_callback = false;

static void
vx_building_xact(XactEvent event, void *arg)
{
	vx_building = InvalidOid;
}

void
vx_build_edits_begin(Relation index)
{
	if (!vx_building_callback)
	{
		RegisterXactCallback(vx_building_xact, NULL);
		vx_building_callback = true;
	}
	vx_building = RelationGetRelid(index);
}

/*
 * The build of index is over in this process; the leader (or a serial
 * build) WAL-logs every page, after all workers are done.
 */
void
vx_build_edits_end(Relation index, bool leader)
{
	Assert(vx_building == RelationGetRelid(index));
	vx_building = InvalidOid;
	if (leader && RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);
}

void
vx_edit_start(VxEdit *e, Relation index)
{
	e->nbufs = 0;
	e->state = RelationGetRelid(index) == vx_building ? NULL : GenericXLogStart(index);
}

/* the page to change (exclusively locked); fresh: its old contents do not matter */
Page
vx_edit_page(VxEdit *e, Buffer buf, bool fresh)
{
	if (e->state != NULL)
		return GenericXLogRegisterBuffer(e->state, buf, fresh ? GENERIC_XLOG_FULL_IMAGE : 0);
	Assert(e->nbufs < MAX_GENERIC_XLOG_PAGES);
	e->bufs[e->nbufs++] = buf;
	return BufferGetPage(buf);
}

void
vx_edit_finish(VxEdit *e)
{
	if (e->state != NULL)
	{
		vx_test_record(GenericXLogFinish(e->state));
		return;
	}
	for (int i = 0; i < e->nbufs; i++)
		MarkBufferDirty(e->bufs[i]);
}

/* give up an edit whose pages were not changed (in place, nothing is undone) */
void
vx_edit_abort(VxEdit *e)
{
	if (e->state != NULL)
		GenericXLogAbort(e->state);
}

/*
 * The lowest page of the run of zeroed pages at the end of the index (at
 * most VX_ZERO_TAIL_LOOKBACK pages back), exclusively locked, or
 * InvalidBuffer.  Called with the extension lock held.  A page another
 * backend holds locked (it has just extended the index and is writing the
 * page's first image) ends the run: only a page nobody uses is handed out.
 * Block 0 is never considered.
 */
#define VX_ZERO_TAIL_LOOKBACK	8

static Buffer
zeroed_tail_page(Relation index)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	Buffer		found = InvalidBuffer;

	for (BlockNumber blk = nblocks; blk > 1 && nblocks - blk < VX_ZERO_TAIL_LOOKBACK;)
	{
		Buffer		buf;

		blk--;
		buf = ReadBuffer(index, blk);
		if (!ConditionalLockBuffer(buf))
		{
			ReleaseBuffer(buf);
			break;
		}
		if (!PageIsNew(BufferGetPage(buf)))
		{
			UnlockReleaseBuffer(buf);
			break;
		}
		if (BufferIsValid(found))
			UnlockReleaseBuffer(found);
		found = buf;
	}
	return found;
}

/*
 * A page for new contents, exclusively locked and not initialised: the
 * caller writes it whole as a full-page WAL image.  Reuses a zeroed page at
 * the end of the index if there is one, else extends the index by a page.
 *
 * Zeroed pages are what a crash leaves behind: PostgreSQL writes an
 * extension's zeros to the file at once, while the page's first image
 * reaches disk only with its WAL record.  Nothing points at such a page
 * (the meta page's insert hint moves in that same record), so it is free.
 * Zeroed pages a later extension has passed are not reused; every reader
 * skips them (vx_node_page_usable).
 */
Buffer
vx_new_buffer(Relation index)
{
	/* a parallel build's processes share a relation new in the transaction */
	bool		needlock = !RELATION_IS_LOCAL(index) || IsInParallelMode();
	Buffer		buf;

	if (needlock)
		LockRelationForExtension(index, ExclusiveLock);
	buf = zeroed_tail_page(index);
	if (!BufferIsValid(buf))
	{
		buf = ReadBuffer(index, P_NEW);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	}
	if (needlock)
		UnlockRelationForExtension(index, ExclusiveLock);

	/*
	 * A crash here leaves the zeroed page (test/t/120_hnsw_zero_page.pl).
	 * The test point waits on a lock, so it comes after the extension lock
	 * is released (an assert-enabled server forbids waiting on a lock while
	 * holding it); the test stops the server while the page is locked.
	 */
	vx_test_point("vx_new_buffer-extended");
	return buf;
}

/*
 * Should a walk over every page (vacuum, the verifier) read this node-page
 * block?  False for a zeroed page (free, see vx_new_buffer); an ERROR for
 * any other page that is not a well-formed node page.  Page locked by the
 * caller.
 */
bool
vx_node_page_usable(Relation index, Page page, BlockNumber blkno)
{
	if (PageIsNew(page))
		return false;
	if (!vx_page_is(page, VX_PAGE_NODE))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is corrupted at block %u offset 0: not a node page",
						RelationGetRelationName(index), blkno),
				 errhint("Please REINDEX it.")));
	return true;
}

static const char *sparse_node_problem(const VxIndexInfo *info,
									   const VxNodeHeader *node, Size lplen);

/*
 * What is wrong with the node tuple at offset off of a locked page, or
 * NULL if nothing is: the page is a well-formed node page (vx_page_is), off
 * is one of its line pointers, the item lies between pd_upper and the
 * special space, MAXALIGNed, and is large enough for the header and, for
 * the level the header states (at most info->maxlevel), for the neighbour
 * slots and code of that level (a SPARSE node: the code its own nnz gives,
 * sparse_node_problem).  A node may sit in a larger slot vacuum
 * freed.  After this, every access a node's level implies stays inside its
 * item.
 */
const char *
vx_node_problem(const VxIndexInfo *info, Page page, OffsetNumber off)
{
	PageHeader	ph = (PageHeader) page;
	ItemId		iid;
	Size		lpoff,
				lplen;
	const VxNodeHeader *node;

	if (PageIsNew(page))
		return "node pointer to a zeroed page";
	if (!vx_page_is(page, VX_PAGE_NODE))
		return "node pointer to a page that is not a node page";
	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		return "node pointer past the last line pointer";
	iid = PageGetItemId(page, off);
	if (!ItemIdIsNormal(iid))
		return "unused line pointer where a node was expected";
	lpoff = ItemIdGetOffset(iid);
	lplen = ItemIdGetLength(iid);
	if (lpoff < ph->pd_upper || lpoff + lplen > ph->pd_special ||
		lpoff != MAXALIGN(lpoff))
		return "line pointer outside the page's item space";
	if (lplen < VX_NODE_HDRSZ)
		return "item too small for a node header";
	node = (const VxNodeHeader *) PageGetItem(page, iid);
	if (node->level > info->maxlevel)
		return "node level out of range";
	if (unlikely(info->codec == VX_CODEC_SPARSE))
		return sparse_node_problem(info, node, lplen);
	if (lplen < vx_node_size(info->m, node->level, info->codesize))
		return "node is too small for its level";
	return NULL;
}

/*
 * vx_node_problem's size checks of a SPARSE node, whose code's size is its
 * own: an item of lplen bytes holds the header, the lists and the smallest
 * code before nnz is read, then nnz must be in range and its code fit.
 */
static pg_noinline const char *
sparse_node_problem(const VxIndexInfo *info, const VxNodeHeader *node, Size lplen)
{
	int32		nnz;

	if (lplen < vx_node_size(info->m, node->level, VX_SPARSE_CODE_SIZE(0)))
		return "node is too small for its level";
	nnz = *(const int32 *) ((const char *) node + vx_code_offset(info->m, node->level));
	if (nnz < 0 || nnz > vx_sparse_max_nnz(info->m))
		return "sparse code's element count out of range";
	if (lplen < vx_node_size(info->m, node->level, VX_SPARSE_CODE_SIZE(nnz)))
		return "node is too small for its code";
	return NULL;
}

/*
 * The node tuple at (blkno, off) of a locked page, checked by
 * vx_node_problem() so that a walk over a corrupt page errors out
 * (ERRCODE_INDEX_CORRUPTED) instead of reading past the item.  The index's
 * shape comes from its cached VxIndexInfo; before the cache exists (an
 * untrained index, which has no nodes) the meta page is read, which the
 * lock order allows (a node page, then the meta page).
 */
VxNodeHeader *
vx_page_node(Relation index, Page page, BlockNumber blkno, OffsetNumber off)
{
	const VxIndexInfo *info = (const VxIndexInfo *) index->rd_amcache;
	VxIndexInfo *fresh = NULL;
	const char *problem;

	if (info == NULL)
		info = fresh = vx_get_info(index);
	problem = vx_node_problem(info, page, off);
	if (fresh != NULL && index->rd_amcache != fresh)
		pfree(fresh);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is corrupted at block %u offset %u: %s",
						RelationGetRelationName(index), blkno, off, problem),
				 errhint("Please REINDEX it.")));
	return (VxNodeHeader *) PageGetItem(page, PageGetItemId(page, off));
}

/* copy a node's neighbour list at a layer; returns its length */
int
vx_node_neighbors(const VxIndexInfo *info, const VxNodeHeader *node, int layer,
				  ItemPointerData *out)
{
	const ItemPointerData *slots;
	int			nslots;
	int			n = 0;

	if (layer > node->level)
		return 0;
	slots = (const ItemPointerData *) ((const char *) node + vx_layer_offset(info->m, layer));
	nslots = vx_layer_slots(info->m, layer);
	while (n < nslots && ItemPointerIsValid(&slots[n]))
	{
		out[n] = slots[n];
		n++;
	}
	return n;
}

/* write a neighbour list into its slots: n entries, the rest invalid */
void
vx_set_list(ItemPointerData *slots, int nslots, const ItemPointerData *list, int n)
{
	for (int i = 0; i < nslots; i++)
	{
		if (i < n)
			slots[i] = list[i];
		else
			ItemPointerSetInvalid(&slots[i]);
	}
}

char *
vx_node_code(const VxIndexInfo *info, VxNodeHeader *node)
{
	return (char *) node + vx_code_offset(info->m, node->level);
}

/*
 * The codec an index's opclass names (called by the build; the meta page
 * keeps it): BITS when support function 3 is hnsw_bit_support, SPARSE when
 * it is hnsw_sparsevec_support, INT8 when there is no support function 3.
 */
VxCodec
vx_index_codec(Relation index)
{
	PGFunction	fn;

	if (!OidIsValid(index_getprocid(index, 1, VX_CODEC_PROC)))
		return VX_CODEC_INT8;
	fn = index_getprocinfo(index, 1, VX_CODEC_PROC)->fn_addr;
	if (fn == hnsw_bit_support)
		return VX_CODEC_BITS;
	if (fn == hnsw_sparsevec_support)
		return VX_CODEC_SPARSE;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			 errmsg("operator class of index \"%s\" has an unsupported support function %d",
					RelationGetRelationName(index), VX_CODEC_PROC),
			 errdetail("Support function %d names the codec: hnsw_bit_support(internal) or hnsw_sparsevec_support(internal).",
					   VX_CODEC_PROC)));
	return VX_CODEC_INT8;		/* keep compiler quiet */
}

/*
 * The metric an index's opclass stands for, from its distance function
 * (called by the build; the meta page keeps it).  A distance function of a
 * type other than vector needs the opclass's cast to vector (INT8 codec) or
 * codec of its own, and vector's must have neither: the graph would
 * otherwise read one type as the other.
 */
VxMetric
vx_index_metric(Relation index, VxCodec codec)
{
	FmgrInfo   *proc = index_getprocinfo(index, 1, VX_DISTANCE_PROC);
	bool		tovector = vx_tovector_proc(index) != NULL;

	for (int i = 0; i < lengthof(metric_functions); i++)
	{
		if (proc->fn_addr != metric_functions[i].fn)
			continue;
		if (metric_functions[i].codec != codec && codec != VX_CODEC_INT8 &&
			metric_functions[i].codec != VX_CODEC_INT8)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator class of index \"%s\" has a support function %d of another type",
							RelationGetRelationName(index), VX_CODEC_PROC),
					 errdetail("Support function %d names the codec of its type: hnsw_bit_support for bit, hnsw_sparsevec_support for sparsevec.",
							   VX_CODEC_PROC)));
		if (metric_functions[i].codec != codec)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator class of index \"%s\" %s support function %d",
							RelationGetRelationName(index),
							codec == VX_CODEC_INT8 ? "is missing" : "must not have",
							VX_CODEC_PROC),
					 errdetail("Support function %d names the codec of a type with codes of its own (bit, sparsevec).",
							   VX_CODEC_PROC)));
		if (metric_functions[i].tovector && !tovector)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator class of index \"%s\" is missing support function %d",
							RelationGetRelationName(index), VX_TOVECTOR_PROC),
					 errdetail("Support function %d casts an indexed type other than vector to vector.",
							   VX_TOVECTOR_PROC)));
		if (!metric_functions[i].tovector && tovector)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator class of index \"%s\" must not have support function %d",
							RelationGetRelationName(index), VX_TOVECTOR_PROC),
					 errdetail("Its distance function takes vector, which needs no cast.")));
		return metric_functions[i].metric;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			 errmsg("operator class of index \"%s\" has an unsupported distance function",
					RelationGetRelationName(index)),
			 errhint("Use one of vector_l2_ops, vector_ip_ops, vector_cosine_ops, vector_l1_ops, "
					 "their halfvec_* and sparsevec_* counterparts, bit_hamming_ops or bit_jaccard_ops.")));
	return VX_METRIC_L2;		/* keep compiler quiet */
}

/* dimensions of the indexed column, from its typmod */
int
vx_index_dim(Relation index)
{
	int			typmod = TupleDescAttr(RelationGetDescr(index), 0)->atttypmod;

	if (typmod < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column does not have dimensions"),
				 errhint("Declare the column with its dimensions, as in vector(1536), halfvec(1536) or sparsevec(30522), or index an expression cast to them, as in ((v::vector(1536))).")));
	return typmod;
}

/*
 * Write the quantizer offsets to their pages (blocks 1..meta->nqpages), one
 * WAL record per page.  The caller then marks the meta page trained in its
 * own record: that is the commit point, so a crash in between leaves an
 * untrained index that trains again.
 */
void
vx_write_quantizer(Relation index, const VxQuantizer *q, Buffer metabuf,
				   VxMetaPage meta)
{
	int			done = 0;

	for (int p = 0; p < meta->nqpages; p++)
	{
		Buffer		buf = ReadBuffer(index, 1 + p);
		VxEdit		e;
		Page		page;
		int			n = Min((int) VX_QUANT_PER_PAGE, q->dim - done);

		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		vx_edit_start(&e, index);
		page = vx_edit_page(&e, buf, true);
		vx_init_page(page, VX_PAGE_QUANT);
		memcpy(PageGetContents(page), q->offset + done, sizeof(float4) * n);
		((PageHeader) page)->pd_lower =
			(PageGetContents(page) - (char *) page) + sizeof(float4) * n;
		vx_edit_finish(&e);
		UnlockReleaseBuffer(buf);
		done += n;
	}
}

/*
 * The opclass's cast to vector (support function 2), or NULL when the
 * indexed type is vector itself.  The FmgrInfo is the relcache's: look it
 * up again rather than keep it across calls.
 */
FmgrInfo *
vx_tovector_proc(Relation index)
{
	if (!OidIsValid(index_getprocid(index, 1, VX_TOVECTOR_PROC)))
		return NULL;
	return index_getprocinfo(index, 1, VX_TOVECTOR_PROC);
}

/*
 * An indexed value or a query as a vector: detoasted (no copy when it is
 * not toasted), or cast with tovector (a new vector in the current memory
 * context; the cast checks the values and keeps every dimension, typmod -1).
 */
Vector *
vx_datum_vector(FmgrInfo *tovector, Datum value)
{
	if (tovector != NULL)
		value = FunctionCall3(tovector, value, Int32GetDatum(-1), BoolGetDatum(false));
	return DatumGetVector(value);
}

/*
 * The part of preparing a dense vector that values and queries share: v's
 * floats into out, its norm (in double) after them and returned; for
 * cosine, normalised unless the norm is 0.
 */
static double
prepare_dense(const VxIndexInfo *info, const Vector *v, float *out)
{
	double		norm = 0;

	memcpy(out, v->x, sizeof(float) * info->dim);
	for (int i = 0; i < info->dim; i++)
		norm += (double) out[i] * out[i];
	norm = sqrt(norm);
	out[info->dim] = (float) norm;
	if (info->metric == VX_METRIC_COSINE && norm != 0)
		for (int i = 0; i < info->dim; i++)
			out[i] = (float) (out[i] / norm);
	return norm;
}

/*
 * Turn an indexed datum into the prepared vector the graph stores (out has
 * VX_PREPARED_LEN(dim) floats): casts it to vector if the opclass says so,
 * checks the dimension; for cosine, normalises and returns false for a
 * zero vector (not indexed).  Under the BITS codec, the bits; under the
 * SPARSE codec, the sparse vector's code (codec_sparse.c).  May leave
 * the detoasted or cast value in the current memory context (callers
 * reset it per row).
 */
bool
vx_prepare_vector(Relation index, const VxIndexInfo *info, Datum value, float *out)
{
	Vector	   *v;
	double		norm;

	if (info->codec == VX_CODEC_BITS)
	{
		vx_bits_prepare(info, value, (char *) out, false);
		return true;
	}
	if (info->codec == VX_CODEC_SPARSE)
		return vx_sparse_prepare(info, value, (char *) out);
	v = vx_datum_vector(vx_tovector_proc(index), value);

	if (v->dim != info->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", info->dim, v->dim)));
	norm = prepare_dense(info, v, out);
	if ((Pointer) v != DatumGetPointer(value))
		pfree(v);
	return info->metric != VX_METRIC_COSINE || norm != 0;
}

/*
 * A query (not NULL) for an index of dense vectors (vector, or halfvec cast
 * with tovector) into out (VX_PREPARED_LEN(dim) floats), as
 * vx_prepare_vector prepares an indexed value, but with pgvector's error for
 * a query of other dimensions; a zero cosine query stays zero.  Sets *norm
 * to the query's norm and returns whether the query was cast.
 */
bool
vx_prepare_query(Relation index, const VxIndexInfo *info, Datum value, float *out,
				 double *norm)
{
	FmgrInfo   *tovector = vx_tovector_proc(index);
	Vector	   *v = vx_datum_vector(tovector, value);

	if (v->dim != info->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different %s dimensions %d and %d",
						format_type_be(TupleDescAttr(RelationGetDescr(index), 0)->atttypid),
						info->dim, v->dim)));
	*norm = prepare_dense(info, v, out);
	return tovector != NULL;
}
