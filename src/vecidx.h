/*-------------------------------------------------------------------------
 *
 * vecidx.h
 *	  Module-wide declarations: initialisation hooks of each subsystem.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_H
#define VECIDX_H

extern void vx_distance_guc_init(void);	/* distance_guc.c */
extern void hnsw_init(void);	/* hnsw/hnsw.c: GUCs, reloptions */

#endif							/* VECIDX_H */
