#
# 125_hnsw_build_budget.pl
#	  A build stays within maintenance_work_mem in every phase, the flush of
#	  the training buffer included.  At small dimensions a graph node is many
#	  times larger than the row it was buffered as, so a table that the
#	  training buffer holds whole can need a graph several times the budget:
#	  the flush must check the budget like the rest of the load and spill
#	  (NOTICE with DETAIL and HINT), and the index must still be complete.
#	  The build reports its peak memory (MemoryContextMemAllocated of its
#	  memory contexts) at DEBUG1; the test asserts on that line.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('budget', 0);

$node->safe_psql('postgres', q{
	SELECT setseed(0.125);
	CREATE TABLE big (id int, v vector(2));
	INSERT INTO big SELECT i, ARRAY[random(), random()]::vector
		FROM generate_series(1, 6000) i;
	CREATE TABLE small (id int, v vector(2));
	INSERT INTO small SELECT i, ARRAY[random(), random()]::vector
		FROM generate_series(1, 1000) i;
});

# build $idx on $table with $with at maintenance_work_mem = 1MB; returns
# stderr after checking success, the DEBUG1 memory line and the budget
sub build
{
	my ($table, $idx, $with) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		SET maintenance_work_mem = '1MB';
		SET client_min_messages = debug1;
		CREATE INDEX $idx ON $table USING hnsw (v) WITH ($with);
	}, extra_params => [ '-v', 'VERBOSITY=default' ]);
	is($ret, 0, "$idx: build with maintenance_work_mem = 1MB succeeds") or diag($err);
	my ($used, $budget) = $err =~ /hnsw build: .*graph memory ([\d.]+) MB of ([\d.]+) MB/;
	ok(defined $used, "$idx: build reports its graph memory at DEBUG1") or diag($err);
	$used //= 'inf';
	$budget //= 0;
	note("$idx: graph memory $used MB of $budget MB");
	cmp_ok($budget, '==', 1, "$idx: the budget is maintenance_work_mem");
	cmp_ok($used, '<=', $budget, "$idx: graph memory within maintenance_work_mem");
	return $err;
}

# 6,000 rows of 2 dimensions: the training buffer holds the whole table
# (18 bytes a row), the graph needs about 2.5 MB at m = 16 and 6 MB at m = 48:
# the flush itself must spill
for my $with ('m = 16', 'm = 48, ef_construction = 100')
{
	my ($m) = $with =~ /m = (\d+)/;
	spilled_tuples(build('big', "big_m$m", $with), "big_m$m", 6000);
	check_index($node, 'big', "big_m$m", 'after a build that spilled while flushing');
	$node->safe_psql('postgres', "DROP INDEX big_m$m");
}

# a table whose graph fits: no NOTICE, still within the budget
my $err = build('small', 'small_m16', 'm = 16');
unlike($err, qr/NOTICE/, 'small_m16: no NOTICE when the graph fits');
check_index($node, 'small', 'small_m16', 'after an in-memory build');

$node->stop;
done_testing();
