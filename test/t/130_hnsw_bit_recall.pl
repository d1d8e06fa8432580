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

# the index returns rows in the order of the operator's distances (nothing
# is rechecked: the order is the index's own)
sub in_order
{
	my ($table, $op, $idx) = @_;
	is($node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SELECT count(*) FROM (
			SELECT d, lag(d) OVER () AS prev
			FROM (SELECT v $op (SELECT v FROM queries WHERE qid = 3) AS d FROM $table
				  ORDER BY v $op (SELECT v FROM queries WHERE qid = 3) LIMIT 500) s) s
		WHERE d < prev;
	}), '0', "$idx: rows come in the operator's distance order");
}

for my $opc ([ 'ham', 'bit_hamming_ops', '<~>' ], [ 'jac', 'bit_jaccard_ops', '<%>' ])
{
	my ($name, $opclass, $op) = @$opc;
	my $table = "items_$name";
	my $idx = "items_${name}_idx";

	$node->safe_psql('postgres', qq{
		CREATE TABLE $table (id int, v bit(256));
		INSERT INTO $table SELECT id, v FROM pool WHERE id <= 4000;
		CREATE INDEX $idx ON $table USING hnsw (v $opclass);
	});
	check_index($node, $table, $idx, 'after build');
	my $r = recall_at_10($node, $table, $op, $idx, ties => 1);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after build ($r) >= 0.95");
	note("$name: recall\@10 after build = $r");
	in_order($table, $op, $idx);

	$node->safe_psql('postgres', "INSERT INTO $table SELECT id, v FROM pool WHERE id > 4000");
	check_index($node, $table, $idx, 'after inserts');
	$r = recall_at_10($node, $table, $op, $idx, ties => 1);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after inserts ($r) >= 0.95");
	note("$name: recall\@10 after inserts = $r");

	# a parallel build of the same rows
	$node->safe_psql('postgres', "ALTER TABLE $table SET (parallel_workers = 2)");
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		SET maintenance_work_mem = '128MB';
		SET max_parallel_maintenance_workers = 2;
		SET min_parallel_table_scan_size = 0;
		SET client_min_messages = debug1;
		REINDEX INDEX $idx;
	}, extra_params => [ '-v', 'VERBOSITY=default' ]);
	is($ret, 0, "$idx: parallel build succeeds") or diag($err);
	my ($launched) = $err =~ /hnsw build: (\d+) parallel workers launched/;
	cmp_ok($launched // 0, '>', 0, "$idx: the build launched workers (" . ($launched // 0) . ")");
	check_index($node, $table, $idx, 'after a parallel build');
	$r = recall_at_10($node, $table, $op, $idx, ties => 1);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after a parallel build ($r) >= 0.95");
	note("$name: recall\@10 after a parallel build = $r");
	in_order($table, $op, $idx);
}

$node->stop;
done_testing();
