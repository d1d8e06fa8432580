#
# 112_hnsw_scan_counts.pl
#	  Rows returned at the default settings, against a sequential scan, on
#	  20,000 rows: an ORDER BY without a useful LIMIT (LIMIT 100000) in
#	  relaxed_order and strict_order returns nearly every row (pgvector
#	  0.8.6: 19,983 and 19,769), and a filter that keeps 20 rows fills a
#	  LIMIT 10 in every mode.  The scan budget (hnsw.max_scan_tuples,
#	  work_mem x hnsw.scan_mem_multiplier) ends the graph walk, not the
#	  rows it found: those are still returned.  README, "Iterative scans".
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('counts', 0);

$node->safe_psql('postgres', q{
	SELECT setseed(0.112);
	CREATE TABLE items (id int, v vector(32));
	INSERT INTO items
		SELECT i, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 32) WHERE i > 0)::vector
		FROM generate_series(1, 20000) i;
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops);
});

sub count_rows
{
	my ($mode, $filter, $limit) = @_;
	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SET hnsw.iterative_scan = $mode;
		SELECT count(*) FROM (SELECT id FROM items WHERE $filter
			ORDER BY v <-> (SELECT v FROM items WHERE id = 77) LIMIT $limit) s;
	});
}

for my $mode ('relaxed_order', 'strict_order')
{
	my $n = count_rows($mode, 'true', 100000);
	cmp_ok($n, '>=', 19000, "$mode at the defaults returns nearly every row ($n of 20000)");
}
for my $mode ('off', 'relaxed_order', 'strict_order')
{
	is(count_rows($mode, 'id <= 20', 10), 10, "$mode: a 20-row filter fills a LIMIT 10");
	is(count_rows($mode, 'id % 100 = 0', 10), 10, "$mode: a 1% filter fills a LIMIT 10");
}

# a plain LIMIT 10 still costs one batch
my ($ret, $out, $err) = $node->psql('postgres', q{
	SET enable_seqscan = off;
	SET client_min_messages = debug1;
	SELECT count(*) FROM (SELECT id FROM items
		ORDER BY v <-> (SELECT v FROM items WHERE id = 77) LIMIT 10) s;
});
like($err, qr/hnsw scan of "items_l2": \d+ distances, \d+ index page reads, 1 batches/,
	'a LIMIT 10 with no dead rows runs one batch');

$node->stop;
done_testing();
