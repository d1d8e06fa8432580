#
# 130_hnsw_bit_recall.pl
#	  Recall@10 of bit_hamming_ops and bit_jaccard_ops at the default
#	  hnsw.ef_search, on binary_quantize of clustered data, after a serial
#	  build, after a round of inserts, and after a parallel build (workers
#	  forced as in 127); vecidx_hnsw_check clean after each step, and the
#	  rows in the order of the operator's distances (nothing is rechecked).
#
# Data: 20 clusters in 256 dimensions (HnswTap::make_clusters), 4000 rows
# before the build, 1000 inserted after it, 50 queries around the same
# centres; the indexed value is binary_quantize(v)::bit(256).  Hamming
# distances are integers and tie a lot, so recall counts a returned row as
# a hit when its exact distance is at most the exact 10th distance (capped
# at 10 per query), not by id.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('bitrecall', 30);

make_clusters($node, 256, 0.13);
$node->safe_psql('postgres', q{
	CREATE TABLE pool AS
		SELECT i AS id, binary_quantize(cluster_point(c))::bit(256) AS v
		FROM generate_series(1, 5050) i JOIN centres ON k = (i * 7) % 20;
	CREATE TABLE queries AS SELECT id - 5000 AS qid, v FROM pool WHERE id > 5000;
	DELETE FROM pool WHERE id > 5000;
});

recall_steps($node, 'ham', 'bit(256)', 'bit_hamming_ops', '<~>', 4000);
recall_steps($node, 'jac', 'bit(256)', 'bit_jaccard_ops', '<%>', 4000);

$node->stop;
done_testing();
