#
# 101_hnsw_recall.pl
#	  Recall@10 of the hnsw index against exact answers, per opclass (vector
#	  and halfvec), after the build and again after a round of inserts, at
#	  the default hnsw.ef_search; vecidx_hnsw_check clean after each step.
#
# Data: 20 gaussian-ish clusters in 32 dimensions generated in SQL from a
# fixed seed; 3500 rows before the build, 1500 inserted after it; 50 query
# vectors drawn around the same centres.  Exact answers come from a
# sequential scan (index scans off).  Recall is averaged over the queries.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('recall', 1);

# 20 clusters (HnswTap::make_clusters); 5000 rows and 50 queries
make_clusters($node, 32, 0.11);
$node->safe_psql('postgres', q{
	CREATE TABLE pool AS
		SELECT i AS id, cluster_point(c) AS v
		FROM generate_series(1, 5050) i JOIN centres ON k = (i * 7) % 20;
	CREATE TABLE queries AS SELECT id - 5000 AS qid, v FROM pool WHERE id > 5000;
	DELETE FROM pool WHERE id > 5000;
});

# name => [ column type, operator class, operator ]; the halfvec columns
# hold the same rows rounded to half (the vector queries are cast to halfvec)
my %ops = (
	l2 => [ 'vector', 'vector_l2_ops', '<->' ],
	ip => [ 'vector', 'vector_ip_ops', '<#>' ],
	cosine => [ 'vector', 'vector_cosine_ops', '<=>' ],
	l1 => [ 'vector', 'vector_l1_ops', '<+>' ],
	hv_l2 => [ 'halfvec', 'halfvec_l2_ops', '<->' ],
	hv_ip => [ 'halfvec', 'halfvec_ip_ops', '<#>' ],
	hv_cosine => [ 'halfvec', 'halfvec_cosine_ops', '<=>' ],
	hv_l1 => [ 'halfvec', 'halfvec_l1_ops', '<+>' ],);

# with ef_search above the table size a scan must return every row
sub every_row
{
	my ($table, $op, $idx) = @_;
	my $count = $node->safe_psql('postgres', "SELECT count(*) FROM $table");
	is(full_scan($node, $table, $op, 2), "$count $count",
		"$idx: a scan with ef_search above the table size returns every row");
}

for my $name (sort keys %ops)
{
	my ($type, $opclass, $op) = @{ $ops{$name} };
	my $table = "items_$name";
	my $idx = "items_${name}_idx";

	$node->safe_psql('postgres', qq{
		CREATE TABLE $table (id int, v $type(32));
		INSERT INTO $table SELECT id, v FROM pool WHERE id <= 3500;
		CREATE INDEX $idx ON $table USING hnsw (v $opclass);
	});
	check_index($node, $table, $idx, 'after build');
	every_row($table, $op, $idx);
	my $r = recall_at_10($node, $table, $op, $idx);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after build ($r) >= 0.95");
	note("$name: recall\@10 after build = $r");

	$node->safe_psql('postgres',
		"INSERT INTO $table SELECT id, v FROM pool WHERE id > 3500");
	check_index($node, $table, $idx, 'after inserts');
	every_row($table, $op, $idx);
	$r = recall_at_10($node, $table, $op, $idx);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after inserts ($r) >= 0.95");
	note("$name: recall\@10 after inserts = $r");
}

# int8 codes against float4 nodes: both meet the bar on the same data
$node->safe_psql('postgres', q{
	CREATE TABLE items_l2f (id int, v vector(32));
	INSERT INTO items_l2f SELECT id, v FROM pool;
	CREATE INDEX items_l2f_idx ON items_l2f USING hnsw (v) WITH (quantization = 'none');
});
check_index($node, 'items_l2f', 'items_l2f_idx', 'after build');
my $r = recall_at_10($node, 'items_l2f', '<->', 'items_l2f_idx');
cmp_ok($r, '>=', 0.95, "l2, quantization none: recall\@10 ($r) >= 0.95");

$node->stop;
done_testing();
