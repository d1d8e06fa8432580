#
# 126_hnsw_duplicates.pl
#	  Many identical vectors in one index.  Real tables often hold the same
#	  embedding many times; every live row must stay reachable from the
#	  entry point (otherwise no query can ever return it), whether the
#	  duplicates arrive through CREATE INDEX (300 copies of one vector
#	  beside 300 distinct rows) or through inserts into an existing index
#	  (300 copies, one statement each): vecidx_hnsw_check clean, every row
#	  a live node, none unreachable; an index scan for that vector returns
#	  10 of the copies.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $dim = 16;
my $same = '[' . join(',', 1 .. $dim) . ']';

my $node = new_node('duplicates', 0);

# built over 300 distinct rows and 300 copies of one vector
$node->safe_psql('postgres', qq{
	CREATE TABLE built (id bigserial PRIMARY KEY, v vector($dim));
	INSERT INTO built (v)
		SELECT (SELECT array_agg(random()::real)::vector
				FROM generate_series(1, $dim) WHERE i > 0)
		FROM generate_series(1, 300) AS i;
	INSERT INTO built (v) SELECT '$same' FROM generate_series(1, 300);
	CREATE INDEX built_hnsw ON built USING hnsw (v vector_l2_ops);
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM built'), '600', 'built: 600 rows');
check_index($node, 'built', 'built_hnsw', 'after a build with 300 duplicates');

# 300 copies of one vector inserted one statement at a time into an index
$node->safe_psql('postgres', qq{
	CREATE TABLE inserted (id bigserial PRIMARY KEY, v vector($dim));
	CREATE INDEX inserted_hnsw ON inserted USING hnsw (v vector_l2_ops);
});
$node->safe_psql('postgres',
	join("\n", map { "INSERT INTO inserted (v) VALUES ('$same');" } 1 .. 300));
is($node->safe_psql('postgres', 'SELECT count(*) FROM inserted'), '300', 'inserted: 300 rows');
check_index($node, 'inserted', 'inserted_hnsw', 'after 300 inserts of one vector');

# the duplicates are what a query for that vector finds
is( $node->safe_psql(
		'postgres', qq{
		SET enable_seqscan = off;
		SELECT count(*) FROM (SELECT id FROM inserted
			ORDER BY v <-> '$same' LIMIT 10) s}),
	'10',
	'an index scan returns 10 of the duplicates');

$node->stop;
done_testing();
