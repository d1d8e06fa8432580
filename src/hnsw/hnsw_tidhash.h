/*-------------------------------------------------------------------------
 *
 * hnsw_tidhash.h
 *	  A lib/simplehash.h table keyed by packed TIDs (hnsw.h), hashed with
 *	  vx_hash64: define SH_PREFIX and SH_ELEMENT_TYPE (a struct with a
 *	  uint64 "key" and a char "status" for simplehash), then include this
 *	  file, once per table (no include guard, as simplehash.h itself).
 *	  The table's functions are static inline.
 *
 *-------------------------------------------------------------------------
 */
#define SH_KEY_TYPE		uint64
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	((uint32) vx_hash64(k))
#define SH_EQUAL(tb, a, b)	((a) == (b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"
