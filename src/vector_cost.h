/*-------------------------------------------------------------------------
 *
 * vector_cost.h
 *	  Planner costs of the vector and halfvec distances: what a call costs,
 *	  and what fetching a value stored out of line costs (shared by the distance
 *	  functions' support function and the hnsw cost estimate).
 *
 * Costs are in the planner's units.  The constants are CPU times measured
 * relative to int4pl (COST 1, i.e. cpu_operator_cost) by
 * test/bench/function_cost.py; test/bench/planner_matrix.py checks the
 * resulting plan choices (README "Planner costs").
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_VECTOR_COST_H
#define VECIDX_VECTOR_COST_H

#include "nodes/pathnodes.h"

/* float distance call (fmgr, kernel): base + per dimension, in int4pl calls */
#define VX_COST_FLOAT_CALL		30.0
#define VX_COST_FLOAT_PER_DIM	(1.0 / 16)
/* one out-of-line value: index probe and copy, base + per TOAST chunk */
#define VX_COST_TOAST_VALUE		100.0
#define VX_COST_TOAST_CHUNK		200.0
/* dimension assumed when neither the type modifier nor the value tells */
#define VX_COST_DEFAULT_DIM		1024

extern Cost vx_float_distance_cost(int dim);
extern Cost vx_toast_fetch_cost(int dim, Size elemsize);
extern bool vx_vector_stored_out_of_line(PlannerInfo *root, Node *arg, Size elemsize,
										 int *dim);

#endif							/* VECIDX_VECTOR_COST_H */
