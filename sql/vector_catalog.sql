-- catalog entries of the vector type: storage as in pgvector, every function
-- IMMUTABLE STRICT PARALLEL SAFE, operator properties

-- variable length, int4 alignment, main storage (pgvector 0.8: external)
SELECT typname, typlen, typbyval, typalign, typstorage, typcategory,
       typinput, typoutput, typreceive, typsend, typmodin, typmodout
FROM pg_type WHERE oid = 'vector'::regtype;

-- the extension is relocatable and its SQL objects live in its schema
SELECT e.extname, e.extrelocatable, e.extnamespace = t.typnamespace AS same_schema
FROM pg_extension e, pg_type t
WHERE e.extname = 'vecidx' AND t.oid = 'vector'::regtype;

-- every function that takes or returns a vector, or supports avg(vector)
SELECT p.oid::regprocedure AS function, p.prorettype::regtype AS returns,
       p.provolatile, p.proisstrict, p.proparallel, l.lanname
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE (p.prorettype = 'vector'::regtype OR 'vector'::regtype = ANY (p.proargtypes)
       OR p.proname = 'vector_combine')
  AND p.prokind = 'f'
ORDER BY p.proname, p.oid::regprocedure::text;

SELECT count(*) AS not_immutable_strict_safe
FROM pg_proc p
WHERE (p.prorettype = 'vector'::regtype OR 'vector'::regtype = ANY (p.proargtypes)
       OR p.proname = 'vector_combine')
  AND p.prokind = 'f'
  AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's');

-- operators on vector
SELECT o.oprname, o.oprleft::regtype, o.oprright::regtype, o.oprresult::regtype,
       o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator,
       o.oprrest, o.oprjoin
FROM pg_operator o
WHERE o.oprleft = 'vector'::regtype OR o.oprright = 'vector'::regtype
ORDER BY o.oprname;

-- the default btree operator class
SELECT opc.opcname, am.amname, opc.opcdefault
FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
WHERE opc.opcintype = 'vector'::regtype AND am.amname = 'btree';
SELECT amopstrategy, amopopr::regoperator
FROM pg_amop ap JOIN pg_opfamily f ON f.oid = ap.amopfamily
WHERE f.opfname = 'vector_ops' AND ap.amopmethod = (SELECT oid FROM pg_am WHERE amname = 'btree')
ORDER BY amopstrategy;
SELECT amprocnum, amproc::regprocedure
FROM pg_amproc ap JOIN pg_opfamily f ON f.oid = ap.amprocfamily
WHERE f.opfname = 'vector_ops'
  AND f.opfmethod = (SELECT oid FROM pg_am WHERE amname = 'btree')
ORDER BY amprocnum;
