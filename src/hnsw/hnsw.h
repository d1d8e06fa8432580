/*-------------------------------------------------------------------------
 *
 * hnsw.h
 *	  Runtime structures of the hnsw access method, shared by build,
 *	  insert, search, scan, vacuum and verify.  The on-disk format is in
 *	  hnsw_page.h; the design is in src/hnsw/README.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HNSW_H
#define HNSW_H

#include "postgres.h"

#include "compat.h"

#include "access/amapi.h"
#include "access/genam.h"
#include "access/generic_xlog.h"
#include "lib/pairingheap.h"
#include "storage/dsm.h"
#include "storage/shm_toc.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "hnsw_page.h"
#include "quantize.h"
#include "vector.h"

/* reloption defaults and limits (pgvector's) */
#define VX_DEFAULT_M				16
#define VX_MIN_M					2
#define VX_MAX_M					100
#define VX_DEFAULT_EF_CONSTRUCTION	64
#define VX_MIN_EF_CONSTRUCTION		4
#define VX_MAX_EF_CONSTRUCTION		1000
#define VX_DEFAULT_EF_SEARCH		40
#define VX_MIN_EF_SEARCH			1
#define VX_MAX_EF_SEARCH			100000

/*
 * A scan keeps about 480 bytes per node it visits at m = 16 (the node's
 * copied neighbour list, its visited-map entry, its place in the heaps and
 * the pool; README, "Iterative scans"): three times the default work_mem
 * lets hnsw.max_scan_tuples (default 20,000) rather than memory end a
 * scan, as pgvector's smaller per-node footprint does at one work_mem.
 */
#define VX_DEFAULT_MAX_SCAN_TUPLES		20000
#define VX_DEFAULT_SCAN_MEM_MULTIPLIER	3

/* quantization reloption */
#define VX_QUANT_INT8				0
#define VX_QUANT_NONE				1

/*
 * Support functions of an hnsw operator class (hnswvalidate.c):
 * 1 the distance, the ORDER BY operator's own function (it names the metric);
 * 2 optional, for a type other than vector: a cast to vector, with a cast
 *   function's signature (value, typmod, explicit), applied to every indexed
 *   value and to the query before anything else sees them (halfvec_to_vector
 *   for the halfvec operator classes; README, "Other indexed types");
 * 3 optional, for a type with a codec of its own: internal(internal), the
 *   function that names the codec (hnsw_bit_support for the bit classes,
 *   hnsw_sparsevec_support for the sparsevec ones, as pgvector declares
 *   them; README, "Codecs").  A class has at most one of
 *   2 and 3; vector's has neither (the INT8 codec).
 */
#define VX_DISTANCE_PROC			1
#define VX_TOVECTOR_PROC			2
#define VX_CODEC_PROC				3
#define VX_NPROCS					3

/* build progress sub-phases (pg_stat_progress_create_index.phase) */
#define VX_PHASE_LOAD				2
#define VX_PHASE_WRITE				3

typedef struct VxOptions
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int			m;
	int			ef_construction;
	int			quantization;	/* VX_QUANT_* */
} VxOptions;

/* GUCs */
extern int	vx_ef_search;
extern bool vx_walk_quantized;
extern int	vx_iterative_scan;
extern int	vx_max_scan_tuples;
extern double vx_scan_mem_multiplier;

/* hnsw.iterative_scan */
#define VX_ITERATIVE_OFF		0
#define VX_ITERATIVE_RELAXED	1
#define VX_ITERATIVE_STRICT		2

/*
 * Per-index constants, cached in rd_amcache once the quantizer is trained.
 * Everything here is frozen at build time (a REINDEX makes a new relfilenode
 * and so a new cache entry).
 */
typedef struct VxIndexInfo
{
	int			dim;
	int			m;
	int			ef_construction;
	VxMetric	metric;
	VxCodec		codec;			/* what a code is (hnsw_page.h) */
	bool		quantized;		/* INT8 codec: uint8 codes, not floats */
	bool		trained;
	int			maxlevel;		/* highest level whose node fits a page */
	Size		codesize;		/* bytes of code in a node; SPARSE: the
								 * largest code (codes vary, vx_code_len) */
	Size		prefetchsize;	/* bytes of code a walk prefetches: codesize;
								 * SPARSE: the first VX_SPARSE_PREFETCH */
	VxQuantizer quant;			/* offset -> offsets[] below */
	BlockNumber nrecent;		/* buffer hints (0 or a power of two), see
								 * vx_read_buffer() */
	Buffer	   *recent;			/* (same allocation, after offsets) */
	float		offsets[FLEXIBLE_ARRAY_MEMBER];
} VxIndexInfo;

/*
 * An index and its cached constants, as one argument: the pair the list
 * edits of hnswinsert.c take (read_list, write_list, add_backlink and the
 * rest), and vx_link, vacuum's relinking.  The page walker (VxDiskGraph)
 * and the page helpers take the two separately.
 */
typedef struct VxRel
{
	Relation	index;
	const VxIndexInfo *info;
} VxRel;

/* the buffer hint slot of a block (NULL before the index is trained) */
static inline Buffer *
vx_recent_hint(const VxIndexInfo *info, BlockNumber blkno)
{
	return info->nrecent == 0 ? NULL : &info->recent[blkno & (info->nrecent - 1)];
}

/*
 * A candidate in a search: a node and its distance to the query.  Node ids
 * are in-memory array indexes during the build and packed TIDs on disk.
 */
typedef struct VxCand
{
	float		dist;
	uint64		id;
} VxCand;

/*
 * Packed TIDs: a node (or heap row) as one uint64, block number above the
 * 16-bit offset number, so that packed TIDs sort in page order.  Packed TID
 * 0 (block 0 offset 0) names no node and no heap row.  These four helpers
 * are the only code that knows the layout.
 */
static inline uint64
vx_tid_pack(ItemPointer tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << 16) |
		ItemPointerGetOffsetNumberNoCheck(tid);
}

/* the packed form of TID (blk, off) */
static inline uint64
vx_tid_make(BlockNumber blk, OffsetNumber off)
{
	return ((uint64) blk << 16) | off;
}

static inline BlockNumber
vx_tid_block(uint64 id)
{
	return (BlockNumber) (id >> 16);
}

static inline OffsetNumber
vx_tid_offset(uint64 id)
{
	return (OffsetNumber) (id & 0xFFFF);
}

static inline void
vx_tid_unpack(uint64 id, ItemPointer tid)
{
	ItemPointerSet(tid, vx_tid_block(id), vx_tid_offset(id));
}

/*
 * The query side of a distance: what a node's code is compared with.
 * Float queries (scans) use the asymmetric kernels; code queries (build and
 * insert) use the exact uint8 kernels on two codes.
 */
typedef struct VxQuery
{
	const VxIndexInfo *info;
	bool		is_code;		/* query is itself a code (build/insert) */
	const float *qf;			/* float query: u = (q-a)/s, or q itself */
	const uint8 *qc;			/* code query */
	float		qaux;			/* ip: <q,a> (float) or sum a_i c_i (code);
								 * SPARSE: the query's aux (cosine: its sum
								 * of squares) */
} VxQuery;

extern void vx_prefetch_page_heads(const VxIndexInfo *info, const uint64 *ids, int k);
extern float vx_distance(const VxQuery *q, const char *code, float aux);
extern void vx_query_set_code(VxQuery *q, const char *code, float aux);
extern float vx_code_distance(const VxIndexInfo *info,
							  const char *c1, float aux1,
							  const char *c2, float aux2);

/* binary heap of candidates; max heaps keep the farthest on top */
typedef struct VxHeap
{
	VxCand	   *a;
	int			n;
	int			cap;
	bool		max;
} VxHeap;

/*
 * A layer search that can be resumed for the next batch of results
 * (iterative scans): the frontier and every node found but not returned
 * survive between batches.
 */
typedef struct VxLayerSearch
{
	VxHeap		cand;			/* frontier, closest first */
	VxHeap		found;			/* found, not yet returned, closest first */
	bool		keep_found;		/* false: one batch only (build, insert) */
} VxLayerSearch;

/*
 * Graph access for the shared layer search: expand() returns the not yet
 * visited neighbours of a node at a layer, with their distances to the
 * query, marking them visited.  bound: the distance a neighbour must beat
 * to join the frontier now (infinity while the result is not full); one
 * that does not may never be expanded, so its list need not be kept.
 */
typedef int (*VxExpandFn) (void *graph, uint64 id, int layer, float bound,
						   VxCand *out);

typedef struct VxSearch
{
	void	   *graph;
	VxExpandFn	expand;
	int			max_out;		/* most neighbours one expand() returns */
} VxSearch;

extern int	vx_search_layer(VxSearch *s, VxCand *eps, int neps, int ef,
							int layer, VxCand *result);
extern void vx_layer_search_init(VxLayerSearch *st, VxCand *eps, int neps,
								 bool keep_found);
extern int	vx_layer_search_next(VxSearch *s, VxLayerSearch *st, int ef,
								 int layer, VxCand *result);
extern int	vx_layer_search_drain(VxLayerSearch *st, int n, VxCand *result);
extern float vx_layer_search_floor(const VxLayerSearch *st, bool expanding);

/*
 * Candidates for the neighbour-selection heuristic with their codes:
 * codes[i] and auxes[i] belong to cands[i].
 */
typedef struct VxCandCodes
{
	VxCand	   *cands;
	char	  **codes;
	const float *auxes;
	int			n;
} VxCandCodes;

extern int	vx_select_neighbors(const VxIndexInfo *info, const VxCandCodes *cc,
								int keep, int nfixed, int *chosen);
extern int	vx_top_up(int n, int *chosen, int k, int target);
extern int	vx_random_level(const VxIndexInfo *info);

/*
 * An inserted node's own layer-0 list (insert path, after the build): the
 * heuristic's choice, topped up with the closest candidates it pruned to
 * 1.5 m (README, departure 3; the build fills lists to 2m).
 */
#define VX_OWN_FILL(m)	((3 * (m)) / 2)

/* on-disk graph walker (hnswsearch.c) */
typedef struct VxVisited VxVisited;

typedef struct VxDiskGraph
{
	Relation	index;
	const VxIndexInfo *info;
	VxQuery		query;
	VxVisited  *visited;
	int			layer;			/* layer being searched */
	ItemPointerData *lists;		/* copied neighbour lists, 2m slots each */
	uint8	   *listlen;
	int32		nlists;
	int32		listcap;
	uint64		ndistances;		/* statistics */
	uint64		npages;
	bool		kept;			/* arrays kept between scans (hnswsearch.c) */
} VxDiskGraph;

extern void vx_disk_graph_init(VxDiskGraph *g, Relation index,
							   const VxIndexInfo *info, int expected);
extern void vx_disk_graph_free(VxDiskGraph *g);
extern void vx_disk_graph_init_kept(VxDiskGraph *g, Relation index,
									const VxIndexInfo *info, int expected);
extern void vx_disk_graph_release_kept(VxDiskGraph *g);
extern Size vx_disk_graph_bytes(const VxDiskGraph *g);
extern int	vx_disk_expand(void *graph, uint64 id, int layer, float bound,
						   VxCand *out);
extern bool vx_disk_visit(VxDiskGraph *g, uint64 id);

/* a full descent's result on each layer (vx_disk_search) */
typedef struct VxLayerResults
{
	VxCand	   *cands[VX_MAX_LEVEL + 1];	/* palloc'd, ascending */
	int			n[VX_MAX_LEVEL + 1];
} VxLayerResults;

extern int	vx_disk_search(VxDiskGraph *g, int ef, int target_level,
						   VxLayerResults *out, ItemPointer entry, int entry_level);
extern float vx_disk_node_distance(VxDiskGraph *g, uint64 id, bool *found);
extern void vx_disk_begin_layer(VxDiskGraph *g, int layer, VxCand *eps, int neps);
extern VxCand vx_disk_descend(VxDiskGraph *g, ItemPointer entry, int entry_level,
							  int to_layer);
extern void vx_sort_cands(VxCand *c, int n);

/*
 * The hash of a packed TID, for hash tables keyed by one (the verifier's
 * simplehash maps, vacuum's tables; the first half of MurmurHash3's 64-bit
 * finaliser: PostgreSQL 15's common/hashfn.h mixes only 32-bit keys).
 */
static inline uint64
vx_hash64(uint64 k)
{
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return k;
}

/* pages and metadata (hnswpage.c) */
extern void vx_init_page(Page page, uint16 type);
extern void vx_read_meta(Relation index, VxMetaPageData *meta);
extern VxIndexInfo *vx_get_info(Relation index);
/*
 * One change to up to MAX_GENERIC_XLOG_PAGES locked pages: a GenericXLog
 * record, or, inside a build (vx_build_edits_begin), the pages changed in
 * place and WAL-logged when the build ends (hnswpage.c).
 */
typedef struct VxEdit
{
	GenericXLogState *state;	/* NULL for an edit in place */
	int			nbufs;
	Buffer		bufs[MAX_GENERIC_XLOG_PAGES];
} VxEdit;

extern void vx_edit_start(VxEdit *e, Relation index);
extern Page vx_edit_page(VxEdit *e, Buffer buf, bool fresh);
extern void vx_edit_finish(VxEdit *e);
extern void vx_edit_abort(VxEdit *e);
extern void vx_build_edits_begin(Relation index);
extern void vx_build_edits_end(Relation index, bool leader);
extern Buffer vx_new_buffer(Relation index);
extern Buffer vx_read_buffer(Relation index, const VxIndexInfo *info, BlockNumber blkno);
extern VxNodeHeader *vx_page_node(Relation index, Page page, BlockNumber blkno,
								  OffsetNumber off);
extern const char *vx_node_problem(const VxIndexInfo *info, Page page, OffsetNumber off);
extern bool vx_node_page_usable(Relation index, Page page, BlockNumber blkno);
extern int	vx_node_neighbors(const VxIndexInfo *info, const VxNodeHeader *node,
							  int layer, ItemPointerData *out);
extern char *vx_node_code(const VxIndexInfo *info, VxNodeHeader *node);
extern void vx_set_list(ItemPointerData *slots, int nslots,
						const ItemPointerData *list, int n);
extern VxMetric vx_index_metric(Relation index, VxCodec codec);
extern VxCodec vx_index_codec(Relation index);
extern int	vx_index_dim(Relation index);
extern int	vx_max_level(int m, Size codesize);
extern Size vx_code_size(VxCodec codec, int dim, int m, bool quantized);
extern int	vx_code_max_level(const VxIndexInfo *info, const char *code);
extern void vx_write_quantizer(Relation index, const VxQuantizer *q,
							   Buffer metabuf, VxMetaPage meta);
/*
 * A prepared vector: dim floats (normalised for cosine), then one more
 * holding the original vector's norm (cosine nodes keep it in aux, so a
 * scan knows when the operator's float arithmetic degenerates).  Under the
 * BITS codec the buffer holds the bit string's ceil(dim / 8) bytes instead,
 * under the SPARSE codec the sparse vector's code (vx_prepared_size bytes).
 */
#define VX_PREPARED_LEN(dim)	((dim) + 1)

static inline Size
vx_prepared_size(const VxIndexInfo *info)
{
	if (info->codec == VX_CODEC_SPARSE)
		return info->codesize;
	return sizeof(float) * VX_PREPARED_LEN(info->dim);
}
extern bool vx_prepare_vector(Relation index, const VxIndexInfo *info, Datum value,
							  float *out);
extern bool vx_prepare_query(Relation index, const VxIndexInfo *info, Datum value,
							 float *out, double *norm);
extern FmgrInfo *vx_tovector_proc(Relation index);
extern Vector *vx_datum_vector(FmgrInfo *tovector, Datum value);

/*
 * The BITS codec (codec_bits.c; README, "Codecs"): the code is the bit
 * string, every distance exact.  The graph code calls these where
 * info->codec is VX_CODEC_BITS; the INT8 codec is the code around them
 * (vx_encode, vx_distance, vx_code_distance, the scan's lower bounds).
 */
extern Datum hnsw_bit_support(PG_FUNCTION_ARGS);
extern Size vx_bits_code_size(int dim);
extern void vx_bits_check_column(Relation index);
extern void vx_bits_prepare(const VxIndexInfo *info, Datum value, char *out,
							bool query);
extern void vx_bits_encode(const VxIndexInfo *info, const char *bits, char *code,
						   VxCodeInfo *ci);
extern float vx_bits_distance(const VxIndexInfo *info, const char *a, const char *b);
extern double vx_bits_exact(const VxIndexInfo *info, const char *a, const char *b);

/*
 * The SPARSE codec (codec_sparse.c; README, "Codecs"): the code is the
 * sparse vector (int32 nnz, nnz int32 indices, nnz float4 values), every
 * distance exact.  Its codes vary in size: vx_code_len is a code's own
 * length (info->codesize for the other codecs), vx_min_code_size the
 * smallest a node can have (for bounds on nodes per page).
 */
#define VX_SPARSE_CODE_SIZE(nnz)	(sizeof(int32) + (sizeof(int32) + sizeof(float)) * (Size) (nnz))
#define VX_SPARSE_PREFETCH			256

/* info->prefetchsize (set with codesize; the walk reads it, not the codec) */
static inline Size
vx_prefetch_size(VxCodec codec, Size codesize)
{
	return codec == VX_CODEC_SPARSE ? Min(codesize, VX_SPARSE_PREFETCH) : codesize;
}

static inline Size
vx_sparse_code_len(const char *code)
{
	return VX_SPARSE_CODE_SIZE(*(const int32 *) code);
}

static inline Size
vx_code_len(const VxIndexInfo *info, const char *code)
{
	if (info->codec != VX_CODEC_SPARSE)
		return info->codesize;
	return vx_sparse_code_len(code);
}

static inline Size
vx_min_code_size(const VxIndexInfo *info)
{
	return info->codec == VX_CODEC_SPARSE ? VX_SPARSE_CODE_SIZE(0) : info->codesize;
}

extern Datum hnsw_sparsevec_support(PG_FUNCTION_ARGS);
extern int	vx_sparse_max_nnz(int m);
extern Size vx_sparse_code_size(int m);
extern bool vx_sparse_prepare(const VxIndexInfo *info, Datum value, char *out);
extern char *vx_sparse_query(const VxIndexInfo *info, Datum value);
extern float vx_sparse_aux(const VxIndexInfo *info, const char *code);
extern void vx_sparse_encode(const VxIndexInfo *info, const char *prepared, char *code,
							 VxCodeInfo *ci);
extern float vx_sparse_distance(const VxIndexInfo *info, const char *a, float aux_a,
								const char *b, float aux_b);
extern double vx_sparse_exact(const VxIndexInfo *info, const char *row, const char *query);

/* shared insert path (hnswinsert.c), also used by a build past its budget */
extern void vx_insert_vector(Relation index, const float *x, ItemPointer heaptid);

/*
 * What a node tuple is formed from (vx_form_node): the heap row, the level,
 * the code and its bounds, and the neighbour list of each layer 0..level,
 * lists[l] with counts[l] entries (lists NULL: all lists empty).
 */
typedef struct VxNodeForm
{
	ItemPointer heaptid;
	int			level;
	const VxCodeInfo *ci;
	const char *code;
	ItemPointerData **lists;
	const int  *counts;
} VxNodeForm;

/*
 * A node and a copy of its code and aux: the end of a link to be made
 * (vx_link), or a node being inserted.
 */
typedef struct VxNodeCode
{
	ItemPointerData tid;
	const char *code;
	float		aux;
} VxNodeCode;

extern char *vx_form_node(const VxIndexInfo *info, const VxNodeForm *f, Size *size);
extern void vx_encode(const VxIndexInfo *info, const float *x, char *code,
					  VxCodeInfo *ci);
extern bool vx_link(const VxRel *r, ItemPointer from, int layer,
					const VxNodeCode *to, bool to_reachable);

/*
 * Test-only hooks (hnswtest.c): named pause points, a forced node level
 * and a crash after the n-th WAL record, compiled only with
 * USE_ASSERT_CHECKING; no-ops otherwise (vx_test_record still evaluates
 * its argument, the GenericXLogFinish call).
 */
#ifdef USE_ASSERT_CHECKING
extern void vx_test_init(void);
extern void vx_test_point(const char *name);
extern int	vx_test_level(int level);
extern void vx_test_record(XLogRecPtr lsn);
#else
#define vx_test_init()			((void) 0)
#define vx_test_point(name)		((void) 0)
#define vx_test_level(level)	(level)
#define vx_test_record(lsn)		((void) (lsn))
#endif

/* AM callbacks */
extern IndexBuildResult *hnswbuild(Relation heap, Relation index, IndexInfo *indexInfo);
extern void hnswbuildempty(Relation index);
extern PGDLLEXPORT void vx_build_worker_main(dsm_segment *seg, shm_toc *toc);
extern bool hnswinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
					   Relation heap, IndexUniqueCheck checkUnique,
					   bool indexUnchanged, IndexInfo *indexInfo);
extern IndexBulkDeleteResult *hnswbulkdelete(IndexVacuumInfo *info,
											 IndexBulkDeleteResult *stats,
											 IndexBulkDeleteCallback callback,
											 void *callback_state);
extern IndexBulkDeleteResult *hnswvacuumcleanup(IndexVacuumInfo *info,
												IndexBulkDeleteResult *stats);
extern IndexScanDesc hnswbeginscan(Relation index, int nkeys, int norderbys);
extern void hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
extern bool hnswgettuple(IndexScanDesc scan, ScanDirection dir);
extern void hnswendscan(IndexScanDesc scan);
extern bool hnswvalidate(Oid opclassoid);
extern void hnswcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
							 Cost *indexStartupCost, Cost *indexTotalCost,
							 Selectivity *indexSelectivity, double *indexCorrelation,
							 double *indexPages);
extern bytea *hnswoptions(Datum reloptions, bool validate);

#endif							/* HNSW_H */
