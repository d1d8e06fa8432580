--
-- hnsw_validate: amvalidate accepts the shipped operator classes and rejects
-- malformed ones (each problem reported as an INFO message).
--

SELECT opcname, amvalidate(oid)
FROM pg_opclass
WHERE opcmethod = (SELECT oid FROM pg_am WHERE amname = 'hnsw')
ORDER BY opcname;

SELECT amname, amhandler, amtype FROM pg_am WHERE amname = 'hnsw';

-- operator class whose support function is not the operator's function
CREATE OPERATOR CLASS hnsw_bad_func_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 cosine_distance(vector, vector);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_bad_func_ops';

-- support function with the wrong signature
CREATE FUNCTION hnsw_bad_sig(vector, vector) RETURNS float4
	AS 'SELECT 0::float4' LANGUAGE sql IMMUTABLE;
CREATE OPERATOR CLASS hnsw_bad_sig_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 hnsw_bad_sig(vector, vector);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_bad_sig_ops';

-- support function number out of range: refused by CREATE OPERATOR CLASS
CREATE OPERATOR CLASS hnsw_func4_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(vector, vector),
	FUNCTION 4 l1_distance(vector, vector);

-- support function 3 (the codec) with the wrong signature, on a vector
-- operator class, which needs none
CREATE OPERATOR CLASS hnsw_func3_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(vector, vector),
	FUNCTION 3 l1_distance(vector, vector);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_func3_ops';
-- the bit codec on a vector class: amvalidate says so, the build refuses
CREATE OPERATOR CLASS hnsw_v_bits_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(vector, vector),
	FUNCTION 3 hnsw_bit_support(internal);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_v_bits_ops';
CREATE TABLE hnsw_val_v3 (v vector(2));
CREATE INDEX ON hnsw_val_v3 USING hnsw (v hnsw_v_bits_ops);
-- another function as support function 3: no known codec
CREATE INDEX ON hnsw_val_v3 USING hnsw (v hnsw_func3_ops);
DROP TABLE hnsw_val_v3;
-- a bit class without its codec: amvalidate says so, the build refuses
CREATE OPERATOR CLASS hnsw_bit_nocodec_ops FOR TYPE bit USING hnsw AS
	OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
	FUNCTION 1 hamming_distance(bit, bit);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_bit_nocodec_ops';
CREATE TABLE hnsw_val_bit (v bit(4));
CREATE INDEX ON hnsw_val_bit USING hnsw (v hnsw_bit_nocodec_ops);
DROP TABLE hnsw_val_bit;
-- a sparsevec class without its codec, and one with the bit codec:
-- amvalidate checks signatures only, the build refuses both
CREATE OPERATOR CLASS hnsw_sv_nocodec_ops FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <-> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(sparsevec, sparsevec);
CREATE OPERATOR CLASS hnsw_sv_bits_ops FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <-> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(sparsevec, sparsevec),
	FUNCTION 3 hnsw_bit_support(internal);
SELECT opcname, amvalidate(oid) FROM pg_opclass
WHERE opcname IN ('hnsw_sv_nocodec_ops', 'hnsw_sv_bits_ops') ORDER BY opcname;
CREATE TABLE hnsw_val_sv (v sparsevec(4));
CREATE INDEX ON hnsw_val_sv USING hnsw (v hnsw_sv_nocodec_ops);
CREATE INDEX ON hnsw_val_sv USING hnsw (v hnsw_sv_bits_ops);
DROP TABLE hnsw_val_sv;
DROP OPERATOR CLASS hnsw_func3_ops USING hnsw;
DROP OPERATOR CLASS hnsw_v_bits_ops USING hnsw;
DROP OPERATOR CLASS hnsw_bit_nocodec_ops USING hnsw;
DROP OPERATOR CLASS hnsw_sv_nocodec_ops USING hnsw;
DROP OPERATOR CLASS hnsw_sv_bits_ops USING hnsw;

-- support function 2 (the cast to vector) with the wrong signature, and on
-- a vector operator class, which needs none
CREATE OPERATOR CLASS hnsw_func2_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(vector, vector),
	FUNCTION 2 l1_distance(vector, vector);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_func2_ops';

-- a halfvec operator class without its cast to vector: amvalidate says so,
-- and no index can be built with it
CREATE OPERATOR CLASS hnsw_hv_nocast_ops FOR TYPE halfvec USING hnsw AS
	OPERATOR 1 <-> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(halfvec, halfvec);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_hv_nocast_ops';
CREATE TABLE hnsw_val_hv (v halfvec(2));
CREATE INDEX ON hnsw_val_hv USING hnsw (v hnsw_hv_nocast_ops);
-- nor with a vector operator class that casts
CREATE TABLE hnsw_val_v (v vector(2));
CREATE INDEX ON hnsw_val_v USING hnsw (v hnsw_func2_ops);
-- the well-formed copy of halfvec_l1_ops passes
CREATE OPERATOR CLASS hnsw_hv_good_ops FOR TYPE halfvec USING hnsw AS
	OPERATOR 1 <+> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 l1_distance(halfvec, halfvec),
	FUNCTION 2 halfvec_to_vector(halfvec, integer, boolean);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_hv_good_ops';
INSERT INTO hnsw_val_hv VALUES ('[0,0]'), ('[1,1]'), ('[2,2]');
CREATE INDEX ON hnsw_val_hv USING hnsw (v hnsw_hv_good_ops);
SET enable_seqscan = off;
SELECT v FROM hnsw_val_hv ORDER BY v <+> '[1.9,1.9]';
RESET enable_seqscan;
DROP TABLE hnsw_val_hv;
DROP TABLE hnsw_val_v;
DROP OPERATOR CLASS hnsw_func2_ops USING hnsw;
DROP OPERATOR CLASS hnsw_hv_nocast_ops USING hnsw;
DROP OPERATOR CLASS hnsw_hv_good_ops USING hnsw;

-- no support function
CREATE OPERATOR CLASS hnsw_no_func_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops;
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_no_func_ops';

-- a search operator (not ORDER BY)
CREATE OPERATOR CLASS hnsw_search_op_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 = (vector, vector),
	FUNCTION 1 l2_distance(vector, vector);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_search_op_ops';

-- an ORDER BY operator at another strategy number
CREATE OPERATOR CLASS hnsw_strategy_ops FOR TYPE vector USING hnsw AS
	OPERATOR 2 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(vector, vector);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_strategy_ops';

-- the well-formed copy of vector_l2_ops passes and serves an index
CREATE OPERATOR CLASS hnsw_good_ops FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(vector, vector);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'hnsw_good_ops';
CREATE TABLE hnsw_val (id int, v vector(2));
INSERT INTO hnsw_val VALUES (1, '[0,0]'), (2, '[1,1]'), (3, '[2,2]');
CREATE INDEX hnsw_val_good ON hnsw_val USING hnsw (v hnsw_good_ops);
SET enable_seqscan = off;
SELECT id FROM hnsw_val ORDER BY v <-> '[1.9,1.9]';
RESET enable_seqscan;
-- an index cannot be built with a support function that is no known metric
CREATE INDEX ON hnsw_val USING hnsw (v hnsw_bad_sig_ops);
DROP TABLE hnsw_val;

DROP OPERATOR CLASS hnsw_bad_func_ops USING hnsw;
DROP OPERATOR CLASS hnsw_bad_sig_ops USING hnsw;
DROP OPERATOR CLASS hnsw_no_func_ops USING hnsw;
DROP OPERATOR CLASS hnsw_search_op_ops USING hnsw;
DROP OPERATOR CLASS hnsw_strategy_ops USING hnsw;
DROP OPERATOR CLASS hnsw_good_ops USING hnsw;
DROP FUNCTION hnsw_bad_sig;
