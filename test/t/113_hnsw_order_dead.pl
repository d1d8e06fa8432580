#
# 113_hnsw_order_dead.pl
#	  The default mode (hnsw.iterative_scan = off) and strict_order never
#	  return rows out of order when rows deleted but not vacuumed make the
#	  scan go on to further batches, whose lower bounds can lie below rows
#	  already returned.  Queried from new sessions, once the deleted rows
#	  are dead to every snapshot (so the executor also reports them dead,
#	  as it does on a primary).  Cosine bounds are the loosest; small
#	  batches make the continuation frequent.  README, "Iterative scans".
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('order', 0);

my %uniform = (width => 2, lo => -1);
$node->safe_psql('postgres',
	random_table('items', 3000, 16, seed => 0.113, with => 'autovacuum_enabled = off', %uniform) . q{
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32);
	CREATE INDEX items_cos ON items USING hnsw (v vector_cosine_ops) WITH (m = 8, ef_construction = 32);
} . random_queries(40, 16, %uniform) . q{
	-- each query's 60 nearest rows deleted (found by a sequential scan)
	SET enable_indexscan = off;
	DELETE FROM items WHERE id IN
		(SELECT n.id FROM queries q,
			 LATERAL (SELECT id FROM items t ORDER BY t.v <-> q.v LIMIT 60) n);
});

# the queries answered out of order, and those not filling their LIMIT
sub run_queries
{
	my ($mode, $ef, $op) = @_;
	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SET hnsw.iterative_scan = $mode;
		SET hnsw.ef_search = $ef;
		SELECT count(*) FILTER (WHERE d <> ARRAY(SELECT unnest(d) ORDER BY 1)),
			   count(*) FILTER (WHERE coalesce(cardinality(d), 0) <> 10)
		FROM (SELECT ARRAY(SELECT t.v $op q.v FROM items t ORDER BY t.v $op q.v LIMIT 10) AS d
			  FROM queries q) s;
	});
}

for my $mode ('off', 'strict_order')
{
	for my $ef (10, 20, 40)
	{
		for my $op ('<=>', '<->')
		{
			is(run_queries($mode, $ef, $op), '0|0',
				"$mode, ef_search $ef, $op: 40 queries in order, every LIMIT 10 filled");
		}
	}
}

$node->stop;
done_testing();
