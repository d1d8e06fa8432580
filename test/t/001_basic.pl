#
# 001_basic.pl
#	  Smoke test: starts a node, loads the library, creates the extension,
#	  checks a distance and a text round trip, an exact nearest-neighbour
#	  query by sequential scan, one error report, and that the data
#	  survives an immediate (crash) stop and restart.
#
#	  Run through test/run-tests (tier "tap"), which sets PATH, PG_REGRESS
#	  and TESTDIR as the PGXS prove_installcheck recipe does.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = PostgreSQL::Test::Cluster->new('basic', node_port_params(0));
$node->init;
$node->start;

# the shared library loads (no unresolved symbols, e.g. from a build with
# -DUSE_ASSERT_CHECKING against a server built without assertions)
$node->safe_psql('postgres', q{LOAD 'vecidx'});
pass('LOAD vecidx');

$node->safe_psql('postgres', 'CREATE EXTENSION vecidx');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM pg_extension WHERE extname = 'vecidx'"),
	'1',
	'CREATE EXTENSION vecidx');

# |(1,2,3) - (4,6,3)| = sqrt(9 + 16 + 0) = 5
is($node->safe_psql('postgres', q{SELECT '[1,2,3]'::vector <-> '[4,6,3]'::vector}),
	'5', 'L2 distance operator <->');

is($node->safe_psql('postgres', q{SELECT '[1.5, -2,3e2]'::vector::text}),
	'[1.5,-2,300]', 'vector text input is normalised on output');

# exact k-NN by sequential scan over a small table with a known answer
$node->safe_psql(
	'postgres', q{
	CREATE TABLE items (id int PRIMARY KEY, embedding vector(3));
	INSERT INTO items
		SELECT i, ARRAY[i, i % 7, -i]::real[]::vector
		FROM generate_series(1, 200) AS i;
});
is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
			SELECT id, embedding <-> '[50,1,-50]' AS d
			FROM items ORDER BY d, id LIMIT 3) s}),
	'50,49,51',
	'nearest neighbours of [50,1,-50] by sequential scan');

# bad input is reported, not crashed on or truncated
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', q{SELECT '[1,2,3]'::vector <-> '[1,2]'::vector});
isnt($ret, 0, 'distance between vectors of different dimensions fails');
like($stderr, qr/different vector dimensions 3 and 2/,
	'dimension mismatch error message');

# crash (immediate stop) and recovery keep committed rows
$node->stop('immediate');
$node->start;
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*), sum(embedding <-> '[0,0,0]') > 0 FROM items}),
	'200|t',
	'rows readable after crash recovery');

$node->stop;
done_testing();
