/*-------------------------------------------------------------------------
 *
 * hnsw_page.h
 *	  What is on an hnsw index page: the one place that defines the on-disk
 *	  format.  See src/hnsw/README for the reasoning and byte sizes.
 *
 * Block 0 is the meta page.  Blocks 1..nqpages hold the quantizer's
 * per-dimension offsets (float4).  Every later block is a node page whose
 * items are node tuples:
 *
 *	 VxNodeHeader (20 bytes)
 *	 neighbour slots, ItemPointerData (6 bytes) each:
 *		 layer 0: 2*m slots, layers 1..level: m slots each
 *	 padding to 4 bytes
 *	 code: the codec's (meta page field codec):
 *		 INT8: dim bytes (uint8 codes) or dim float4 (quantization = none)
 *		 BITS: the bit string itself, ceil(dim / 8) bytes
 *		 SPARSE: the sparse vector itself, 4 + 8 nnz bytes: int32 nnz, nnz
 *		 int32 indices (ascending), nnz float4 values; the one code whose
 *		 size varies from node to node (a node's size follows from its nnz)
 *
 * A neighbour list is compact: its valid slots come first, the first
 * invalid slot ends it.  Node tuples never change size; neighbour lists are
 * rewritten in place.  A node whose heap row is dead is flagged DELETED; once
 * vacuum has unlinked it, FREE, and its item is reused by a later insert
 * whose node fits in it (the rest of a larger item is zeroed).
 *
 *-------------------------------------------------------------------------
 */
#ifndef HNSW_PAGE_H
#define HNSW_PAGE_H

#include "storage/bufpage.h"
#include "storage/itemptr.h"

#define VX_MAGIC			0x56584E57	/* "VXNW" */
#define VX_FORMAT_VERSION	2	/* 2: the meta page names the codec */
#define VX_FORMAT_VERSION_INT8	1	/* 1: before codecs, always INT8 */

#define VX_METAPAGE_BLKNO	0
#define VX_UPDATE_LOCK		0	/* heavyweight page lock "block" for writers */

/* page types, in the special space of every page */
#define VX_PAGE_META		0x01
#define VX_PAGE_QUANT		0x02
#define VX_PAGE_NODE		0x04

typedef struct VxPageOpaqueData
{
	uint16		page_type;
	uint16		unused;
	uint32		page_id;		/* VX_MAGIC: identifies our pages */
} VxPageOpaqueData;

typedef VxPageOpaqueData *VxPageOpaque;

#define VxPageGetOpaque(page) ((VxPageOpaque) PageGetSpecialPointer(page))

/*
 * Are the page header's bounds those of one of our pages: page size BLCKSZ,
 * pd_lower <= pd_upper <= pd_special = the start of our special space?
 * Every loop over a page's line pointers relies on this: it bounds
 * PageGetMaxOffsetNumber() by the page, so a corrupt pd_lower cannot send
 * it past the end.  (PostgreSQL checks the same when it reads a page from
 * disk, but not for pages already in shared buffers, nor for our special
 * space.)
 */
static inline bool
vx_page_header_ok(Page page)
{
	PageHeader	ph = (PageHeader) page;

	return PageGetPageSize(page) == BLCKSZ &&
		ph->pd_special == BLCKSZ - MAXALIGN(sizeof(VxPageOpaqueData)) &&
		ph->pd_lower >= SizeOfPageHeaderData &&
		ph->pd_lower <= ph->pd_upper &&
		ph->pd_upper <= ph->pd_special;
}

/*
 * Is this one of our pages of the given type?  Checks the header's bounds
 * before reading the special space, so that a zeroed, foreign or damaged
 * page is answered "no" rather than read out of bounds (or tripping an
 * assertion).  A zeroed (PageIsNew) page is a free page, not corruption:
 * see vx_node_page_usable().
 */
static inline bool
vx_page_is(Page page, uint16 type)
{
	VxPageOpaque opaque;

	if (PageIsNew(page) || !vx_page_header_ok(page))
		return false;
	opaque = VxPageGetOpaque(page);
	return opaque->page_id == VX_MAGIC && (opaque->page_type & type) != 0;
}

/*
 * The address of item off of a page read without its lock, for a prefetch
 * hint only: never dereferenced as a node.  Whatever the page holds (a
 * concurrent change, a corrupt pointer), only a line pointer inside the
 * page's header bounds is read, and the address is inside the page.
 */
static inline const char *
vx_peek_item(Page page, OffsetNumber off)
{
	ItemId		iid;

	if (off < FirstOffsetNumber ||
		off > (BLCKSZ - SizeOfPageHeaderData) / sizeof(ItemIdData) ||
		off > PageGetMaxOffsetNumber(page))
		return (const char *) page;
	iid = PageGetItemId(page, off);
	return (const char *) page + (ItemIdGetOffset(iid) & (BLCKSZ - 1));
}

/* metric, fixed at build from the opclass */
typedef enum VxMetric
{
	VX_METRIC_L2 = 1,
	VX_METRIC_IP = 2,
	VX_METRIC_COSINE = 3,
	VX_METRIC_L1 = 4,
	VX_METRIC_HAMMING = 5,
	VX_METRIC_JACCARD = 6
} VxMetric;

/*
 * What a node's code is, fixed at build from the opclass (README, "Codecs"):
 * INT8, the scalar quantizer's codes of a float vector (or the vector
 * itself with quantization = none); BITS, a bit string's own bits; SPARSE,
 * a sparse vector's own indices and values.
 */
typedef enum VxCodec
{
	VX_CODEC_INT8 = 0,
	VX_CODEC_BITS = 1,
	VX_CODEC_SPARSE = 2
} VxCodec;

typedef struct VxMetaPageData
{
	uint32		magic;
	uint32		version;
	uint16		dim;
	uint16		m;
	uint16		ef_construction;
	uint8		metric;			/* VxMetric */
	uint8		quantized;		/* 1: uint8 codes, 0: float4 vectors */
	uint8		trained;		/* quantizer parameters are valid */
	uint8		codec;			/* VxCodec; version 1 has 0 here: INT8 */
	uint16		nqpages;		/* quantizer pages, blocks 1..nqpages */
	float4		qscale;			/* quantizer step */
	int16		entry_level;	/* -1: graph is empty */
	uint16		dim_high;		/* dim's high 16 bits (SPARSE codec; else 0;
								 * version 1: not read) */
	ItemPointerData entry;		/* entry point node */
	BlockNumber insert_blkno;	/* last node page: where inserts try first */
	BlockNumber free_blkno;		/* first page that may hold a free slot */
} VxMetaPageData;

StaticAssertDecl(sizeof(VxMetaPageData) == 44, "meta page layout (README)");

typedef VxMetaPageData *VxMetaPage;

#define VxPageGetMeta(page) ((VxMetaPage) PageGetContents(page))

/* node flags */
#define VX_NODE_DELETED		0x01	/* heap row is gone: traverse, never return */
#define VX_NODE_FREE		0x02	/* unlinked by vacuum: a slot for a new node */
#define VX_NODE_DEAD		(VX_NODE_DELETED | VX_NODE_FREE)

typedef struct VxNodeHeader
{
	ItemPointerData heaptid;	/* 6 bytes */
	uint8		level;
	uint8		flags;
	float4		resid;			/* bound on ||x - x^|| (L1 norm for l1 metric);
								 * 0 under the BITS codec (exact) */
	float4		norm;			/* bound on ||x|| */
	float4		aux;			/* inner product: sum a_i c_i; cosine: the
								 * original (unnormalised) norm; else 0 */
} VxNodeHeader;

#define VX_NODE_HDRSZ		20
StaticAssertDecl(sizeof(VxNodeHeader) == VX_NODE_HDRSZ, "node header layout");

/* quantizer offsets per page */
#define VX_QUANT_PER_PAGE \
	((BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(VxPageOpaqueData))) / sizeof(float4))

/* largest node tuple a page can hold */
#define VX_MAX_NODE_SIZE \
	(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(VxPageOpaqueData)) - sizeof(ItemIdData))

#define VX_MAX_LEVEL		15

/* quantizer pages an index of this dimension has */
static inline int
vx_quant_pages(int dim, bool quantized)
{
	return quantized ? (dim + (int) VX_QUANT_PER_PAGE - 1) / (int) VX_QUANT_PER_PAGE : 0;
}

/* neighbour slot offset of layer l inside a node tuple */
static inline Size
vx_layer_offset(int m, int layer)
{
	return VX_NODE_HDRSZ +
		sizeof(ItemPointerData) * (layer == 0 ? 0 : 2 * m + (layer - 1) * m);
}

static inline int
vx_layer_slots(int m, int layer)
{
	return layer == 0 ? 2 * m : m;
}

static inline Size
vx_code_offset(int m, int level)
{
	return TYPEALIGN(4, vx_layer_offset(m, level + 1));
}

static inline Size
vx_node_size(int m, int level, Size codesize)
{
	return MAXALIGN(vx_code_offset(m, level) + codesize);
}

#endif							/* HNSW_PAGE_H */
