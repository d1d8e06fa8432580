/*-------------------------------------------------------------------------
 *
 * hnswvalidate.c
 *	  amvalidate: check that an hnsw operator class is well formed.
 *
 * An hnsw opclass has exactly one ORDER BY operator, strategy 1, taking
 * (indexed type, indexed type) and returning float8, sorting with a btree
 * float8 family; support function 1, the same function as the operator's,
 * which tells the index which metric it serves; and, exactly when the
 * indexed type is not vector, one of support function 2, a cast to vector
 * with a cast function's signature vector(indexed type, integer, boolean)
 * (the type's values become vectors' INT8 codes), and support function 3,
 * internal(internal), which names a codec of the type's own (bit,
 * sparsevec).  The vector type is the one in the operator class's schema
 * (the extension's).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amvalidate.h"
#include "access/htup_details.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "hnsw.h"

bool
hnswvalidate(Oid opclassoid)
{
	bool		result = true;
	HeapTuple	classtup;
	Form_pg_opclass classform;
	Oid			opfamilyoid;
	Oid			opcintype;
	char	   *opclassname;
	CatCList   *oprlist;
	CatCList   *proclist;
	Oid			opfunc = InvalidOid;
	Oid			supfunc = InvalidOid;
	Oid			castfunc = InvalidOid;
	Oid			codecfunc = InvalidOid;
	Oid			vectoroid;

	classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	classform = (Form_pg_opclass) GETSTRUCT(classtup);
	opfamilyoid = classform->opcfamily;
	opcintype = classform->opcintype;
	opclassname = NameStr(classform->opcname);
	vectoroid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
								CStringGetDatum("vector"),
								ObjectIdGetDatum(classform->opcnamespace));

	oprlist = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(opfamilyoid));
	proclist = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(opfamilyoid));

	for (int i = 0; i < oprlist->n_members; i++)
	{
		Form_pg_amop op = (Form_pg_amop) GETSTRUCT(&oprlist->members[i]->tuple);

		if (op->amoplefttype != opcintype || op->amoprighttype != opcintype)
			continue;			/* another class of the family */
		if (op->amopstrategy != 1 || op->amoppurpose != AMOP_ORDER)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("hnsw operator class \"%s\" has operator %s with strategy %d, purpose %c: only ORDER BY strategy 1 is supported",
							opclassname, format_operator(op->amopopr),
							op->amopstrategy, op->amoppurpose)));
			result = false;
			continue;
		}
		if (!check_amop_signature(op->amopopr, FLOAT8OID, opcintype, opcintype))
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("hnsw operator class \"%s\" has operator %s with wrong signature",
							opclassname, format_operator(op->amopopr))));
			result = false;
		}
		if (!OidIsValid(op->amopsortfamily) ||
			get_opfamily_member(op->amopsortfamily, FLOAT8OID, FLOAT8OID,
								BTLessStrategyNumber) == InvalidOid)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("hnsw operator class \"%s\" has operator %s without a float8 sort family",
							opclassname, format_operator(op->amopopr))));
			result = false;
		}
		opfunc = get_opcode(op->amopopr);
	}

	for (int i = 0; i < proclist->n_members; i++)
	{
		Form_pg_amproc proc = (Form_pg_amproc) GETSTRUCT(&proclist->members[i]->tuple);

		if (proc->amproclefttype != opcintype || proc->amprocrighttype != opcintype)
			continue;
		if (proc->amprocnum == VX_TOVECTOR_PROC)
		{
			if (!OidIsValid(vectoroid) ||
				!check_amproc_signature(proc->amproc, vectoroid, true, 3, 3,
										opcintype, INT4OID, BOOLOID))
			{
				ereport(INFO,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("hnsw operator class \"%s\" has support function %s with wrong signature",
								opclassname, format_procedure(proc->amproc)),
						 errdetail("Support function %d casts the indexed type to vector: vector(%s, integer, boolean).",
								   VX_TOVECTOR_PROC, format_type_be(opcintype))));
				result = false;
			}
			castfunc = proc->amproc;
			continue;
		}
		if (proc->amprocnum == VX_CODEC_PROC)
		{
			if (!check_amproc_signature(proc->amproc, INTERNALOID, true, 1, 1,
										INTERNALOID))
			{
				ereport(INFO,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("hnsw operator class \"%s\" has support function %s with wrong signature",
								opclassname, format_procedure(proc->amproc)),
						 errdetail("Support function %d names the codec: internal(internal).",
								   VX_CODEC_PROC)));
				result = false;
			}
			codecfunc = proc->amproc;
			continue;
		}
		if (proc->amprocnum != VX_DISTANCE_PROC)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("hnsw operator class \"%s\" has invalid support function number %d",
							opclassname, proc->amprocnum)));
			result = false;
			continue;
		}
		if (!check_amproc_signature(proc->amproc, FLOAT8OID, true, 2, 2,
									opcintype, opcintype))
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("hnsw operator class \"%s\" has support function %s with wrong signature",
							opclassname, format_procedure(proc->amproc))));
			result = false;
		}
		supfunc = proc->amproc;
	}

	if (!OidIsValid(opfunc))
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("hnsw operator class \"%s\" has no ORDER BY operator",
						opclassname)));
		result = false;
	}
	if (!OidIsValid(supfunc))
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("hnsw operator class \"%s\" is missing support function %d",
						opclassname, VX_DISTANCE_PROC)));
		result = false;
	}
	else if (OidIsValid(opfunc) && opfunc != supfunc)
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("hnsw operator class \"%s\": support function 1 %s is not the ORDER BY operator's function %s",
						opclassname, format_procedure(supfunc), format_procedure(opfunc))));
		result = false;
	}

	if (opcintype != vectoroid && !OidIsValid(castfunc) && !OidIsValid(codecfunc))
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("hnsw operator class \"%s\" for type %s is missing support function %d or %d",
						opclassname, format_type_be(opcintype), VX_TOVECTOR_PROC, VX_CODEC_PROC),
				 errdetail("Support function %d casts an indexed type other than vector to vector; "
						   "support function %d names a codec of the type's own.",
						   VX_TOVECTOR_PROC, VX_CODEC_PROC)));
		result = false;
	}
	else if (OidIsValid(castfunc) && OidIsValid(codecfunc))
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("hnsw operator class \"%s\" has both support functions %d and %d",
						opclassname, VX_TOVECTOR_PROC, VX_CODEC_PROC)));
		result = false;
	}
	else if (opcintype == vectoroid && (OidIsValid(castfunc) || OidIsValid(codecfunc)))
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("hnsw operator class \"%s\" for type vector has support function %d",
						opclassname, OidIsValid(castfunc) ? VX_TOVECTOR_PROC : VX_CODEC_PROC)));
		result = false;
	}

	ReleaseCatCacheList(proclist);
	ReleaseCatCacheList(oprlist);
	ReleaseSysCache(classtup);
	return result;
}
