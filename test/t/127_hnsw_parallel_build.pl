#
# 127_hnsw_parallel_build.pl
#	  A parallel build (workers forced with the table's parallel_workers and
#	  min_parallel_table_scan_size = 0) gives an index that passes
#	  vecidx_hnsw_check, holds every row and reaches the recall floor, within
#	  0.01 of a serial build of the same table; a parallel build whose shared
#	  graph fills up (statistics that say the table is small) spills and is
#	  still complete; with test pause points (USE_ASSERT_CHECKING builds), a
#	  worker terminated during the build and a cancelled leader fail the
#	  build cleanly: no index, no worker left, the table usable and a new
#	  build correct.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('parbuild', 26);

# 20 clusters in 32 dimensions, 6000 rows and 100 queries around the centres
make_clusters($node, 32, 0.26);
$node->safe_psql('postgres', q{
	CREATE TABLE items (id int, v vector(32)) WITH (parallel_workers = 2);
	INSERT INTO items SELECT i, cluster_point(c)
		FROM generate_series(1, 6100) i JOIN centres ON k = (i * 7) % 20;
	CREATE TABLE queries AS SELECT id - 6000 AS qid, v FROM items WHERE id > 6000;
	DELETE FROM items WHERE id > 6000;
	VACUUM ANALYZE items;
});

# the settings under which a build of items may use two workers (32 MB
# of maintenance_work_mem per participant)
my $parallel = q{
	SET maintenance_work_mem = '128MB';
	SET max_parallel_maintenance_workers = 2;
	SET min_parallel_table_scan_size = 0;
};

# build $idx on items (opclass, reloptions) with $sql before it; returns
# stderr (DEBUG1 lines)
sub build
{
	my ($idx, $sql, $opclass, $with) = @_;
	$with //= '';
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		$sql
		SET client_min_messages = debug1;
		CREATE INDEX $idx ON items USING hnsw (v $opclass) $with;
	}, extra_params => [ '-v', 'VERBOSITY=default' ]);
	is($ret, 0, "$idx: build succeeds") or diag($err);
	return $err;
}

my (@par, @ser);
for my $opc ([ 'l2', 'vector_l2_ops', '<->', '' ],
	[ 'cos', 'vector_cosine_ops', '<=>', '' ],
	[ 'l2f', 'vector_l2_ops', '<->', q{WITH (quantization = 'none')} ])
{
	my ($name, $opclass, $op, $with) = @$opc;

	my $err = build("par_$name", $parallel, $opclass, $with);
	my ($launched) = $err =~ /hnsw build: (\d+) parallel workers launched/;
	$launched //= 0;
	cmp_ok($launched, '>', 0, "par_$name: the build launched workers ($launched)");
	my ($used, $budget) = $err =~ /graph memory ([\d.]+) MB of ([\d.]+) MB/;
	ok(defined $used && $used <= $budget,
		"par_$name: memory within maintenance_work_mem (" . ($used // '?') . " MB)");
	unlike($err, qr/NOTICE/, "par_$name: no spill");
	check_index($node, 'items', "par_$name", 'after a parallel build');
	my $rp = recall_at_10($node, 'items', $op, "par_$name");
	cmp_ok($rp, '>=', 0.95, "par_$name: recall\@10 ($rp) >= 0.95");
	$node->safe_psql('postgres', "DROP INDEX par_$name");

	$err = build("ser_$name", 'SET max_parallel_maintenance_workers = 0;', $opclass, $with);
	unlike($err, qr/parallel workers launched/, "ser_$name: a serial build");
	my $rs = recall_at_10($node, 'items', $op, "ser_$name");
	note("$name: recall\@10 parallel $rp, serial $rs");
	$node->safe_psql('postgres', "DROP INDEX ser_$name");
	push @par, $rp;
	push @ser, $rs;
}

# one build's recall over 100 queries moves by about 0.01 from build to
# build (random levels), so the comparison is over the three indexes, and
# one-sided: parallel builds no worse than serial ones by more than 0.01
# (issue 14).  Not met yet in every run, so reported as TODO: it failed in
# 2 of 6 runs (parallel means 0.985-0.996) before an insert kept the links
# other inserts had made to its node before it chose its own list
# (hnswbuild.c, merge_early_links), and in 1 of 8 after (0.987; the other
# seven 0.995-0.999, against serial means 0.983-1.000).  The 0.95 floor
# per build above is a hard check.
my ($mp, $ms) = (0, 0);
$mp += $_ / @par for @par;
$ms += $_ / @ser for @ser;
TODO:
{
	local $TODO = 'a parallel build is sometimes more than 0.01 below the serial ones (README, Limits)';
	cmp_ok($ms - $mp, '<=', 0.01,
		sprintf('mean recall@10 of the parallel builds (%.4f) at most 0.01 below the serial ones (%.4f)', $mp, $ms));
}

# CREATE INDEX CONCURRENTLY builds in parallel too (an MVCC snapshot for
# the scan); the table stays writable
{
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		$parallel
		SET client_min_messages = debug1;
		CREATE INDEX CONCURRENTLY par_cic ON items USING hnsw (v vector_l2_ops);
	}, extra_params => [ '-v', 'VERBOSITY=default' ]);
	is($ret, 0, 'par_cic: CREATE INDEX CONCURRENTLY succeeds') or diag($err);
	my ($launched) = $err =~ /hnsw build: (\d+) parallel workers launched/;
	cmp_ok($launched // 0, '>', 0, 'par_cic: the build launched workers');
	check_index($node, 'items', 'par_cic', 'after a concurrent parallel build');
	$node->safe_psql('postgres', 'DROP INDEX par_cic');
}

# statistics that claim 60 rows: the shared graph is sized for about
# 1,100 nodes and fills; the process that finds it full writes it out and
# every participant inserts the rest on disk
$node->safe_psql('postgres',
	q{UPDATE pg_class SET reltuples = 60 WHERE relname = 'items'});
spilled_tuples(build('par_spill', $parallel, 'vector_l2_ops'), 'par_spill', 6000);
check_index($node, 'items', 'par_spill', 'after a parallel build that spilled');
my $r = recall_at_10($node, 'items', '<->', 'par_spill');
cmp_ok($r, '>=', 0.95, "par_spill: recall\@10 ($r) >= 0.95");
$node->safe_psql('postgres', 'DROP INDEX par_spill; ANALYZE items');

# the rest needs the test pause points
my ($ret) = $node->psql('postgres', "SET vecidx.test_pause = 'x'");
if ($ret != 0)
{
	note('module built without USE_ASSERT_CHECKING: no worker or cancel tests');
	$node->stop;
	done_testing();
	exit 0;
}

my $ctl = $node->background_psql('postgres');
my $waiting = q{SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
	AND classid = 0 AND objid = 7606 AND objsubid = 1 AND NOT granted)};
my $workers = q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker'};

# start a parallel build of $idx whose worker(s) wait before scanning
sub build_paused
{
	my ($idx) = @_;

	$ctl->query_safe('SELECT pg_advisory_lock(7606)');
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	$bg->query_safe($parallel);
	$bg->query_safe("SET vecidx.test_pause = 'build-worker-scan'");
	$bg->query_until(qr/started/,
		"\\echo started\nCREATE INDEX $idx ON items USING hnsw (v vector_l2_ops);\n");
	$node->poll_query_until('postgres', $waiting)
	  or die "no worker of $idx reached the pause point";
	return $bg;
}

# the build failed cleanly: no index, no worker left, the table usable
sub failed_cleanly
{
	my ($idx, $bg, $what, $msg) = @_;

	my $out = $bg->query('SELECT 1');
	like($bg->{stderr}, $msg, "$what: the build fails with the expected error");
	$bg->quit;
	$ctl->query_safe('SELECT pg_advisory_unlock(7606)');
	ok($node->poll_query_until('postgres', "$workers", '0'),
		"$what: no parallel worker left");
	is($node->safe_psql('postgres', "SELECT to_regclass('$idx') IS NULL"), 't',
		"$what: no index left behind");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM items'), '6000',
		"$what: the table is usable");
}

# a worker terminated while the build waits for it: the worker's error
# is the build's error
my $bg = build_paused('par_kill');
my $killed = $node->safe_psql('postgres', qq{
	SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE backend_type = 'parallel worker'});
cmp_ok($killed, '>', 0, "worker kill: a parallel worker was terminated ($killed)");
failed_cleanly('par_kill', $bg, 'worker kill',
	qr/terminating background worker "parallel worker" due to administrator command/);

# the leader cancelled while its worker waits: the workers go with it
$bg = build_paused('par_cancel');
$node->safe_psql('postgres', q{
	SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	WHERE query LIKE 'CREATE INDEX par_cancel%' AND backend_type = 'client backend'});
failed_cleanly('par_cancel', $bg, 'leader cancel', qr/canceling statement due to user request/);

# and a build afterwards is complete
build('par_after', $parallel, 'vector_l2_ops');
check_index($node, 'items', 'par_after', 'after the failed builds');

$ctl->quit;
$node->stop;
done_testing();
