#
# HnswTap.pm
#	  Helpers shared by the TAP tests (test/t/*.pl): 00x test the extension,
#	  1xx the hnsw index.
#
# new_node($name, $slot, %init_params): a PostgreSQL::Test::Cluster node,
#	initialised (with %init_params), started, jit off, with the vecidx
#	extension created in database postgres.  A conf => "name = value\n..."
#	entry of %init_params is not for init: it is appended to
#	postgresql.conf before the first start.  Ports come from
#	PostgreSQL::Test::Cluster unless VECIDX_TAP_PORT_BASE is set: then each
#	test file uses the ten ports from VECIDX_TAP_PORT_BASE + 10 * $slot
#	(its number minus 100 where that is small, else 0: files run one at a
#	time), so that a sandbox can keep to its port range.
# node_port_params($slot): the (port => N) argument for another node of the
#	same test file under VECIDX_TAP_PORT_BASE, or nothing.
# check_index($node, $table, $index, $what): vecidx_hnsw_check($index) runs
#	without error, reports no unreachable node, and as many live (not
#	deleted) nodes as $table has rows with a non-NULL vector (call it after
#	VACUUM (INDEX_CLEANUP ON) if rows were deleted or updated: a plain
#	VACUUM may skip index vacuuming when few pages have dead items).
#	Returns whether the check ran clean.
# has_test_hooks($node): whether the installed module has the test-only
#	hooks (vecidx.test_pause, test_level, test_crash_after_record: a build
#	with USE_ASSERT_CHECKING).  The library is loaded first: before that, a
#	SET of any vecidx.* name is accepted as a placeholder.
# skip_without_hooks($node, $what): skip the whole file (plan skip_all)
#	unless has_test_hooks, saying that the build has no $what.
# random_table($table, $rows, $dim, %opt): the SQL that creates table
#	$table (id int, v vector($dim)) and fills it with random_rows; with
#	id => 'serial' (or 'bigserial') the id column has that type and only
#	v is inserted, with with => '...' the table gets WITH (...).  Starts
#	with SELECT setseed($opt{seed}) when a seed is given.
# random_rows($table, $first, $last, $dim, %opt): the SQL that inserts
#	rows $first .. $last (ids i) of random vectors into $table, each
#	element random() * $opt{width} + $opt{lo} (defaults 1 and 0).
# random_queries($n, $dim, %opt): the SQL that creates table queries(qid,
#	v vector($dim)) of $n random vectors (elements as random_rows).
# entry_row($table, $id, $level, $x, $dim): the SQL that inserts row $id
#	with every element $x at node level $level (vecidx.test_level, a test
#	hook), the level of later inserts set back to 0 (drawn at random).
# random_vector($dim, %opt): one such vector's expression (correlated
#	with the row number i of the enclosing query).
# missing_rows($node, $table): how many rows of $table an exact-match
#	index query (ORDER BY v <-> its own vector LIMIT 1) does not find.
# full_scan($node, $table, $op, $qid): "distinct total" ids of a scan of
#	$table by $op from query $qid with ef_search above any table size
#	(a full scan: both equal the row count when every row comes once).
# spilled_tuples($err, $name, $rows): asserts that a build's $err has the
#	NOTICE (with DETAIL and HINT) of a graph that outgrew
#	maintenance_work_mem after n tuples, 0 < n < $rows; returns n.
# VECIDX_TAP_SERVER_ENV: see below (the asan tier's server environment).
# make_clusters($node, $dim, $seed [, queries => $n]): tables centres(k,
#	c float8[]) of 20 centres in [-1,1]^$dim, function cluster_point(c)
#	returning a point around a centre (each coordinate plus 0.5 times the
#	sum of three uniforms minus 1.5: a rough gaussian), and function
#	cluster_points(n) returning n such points, point i around centre
#	i % 20.  Uses setseed($seed).  With queries, also table queries(qid, v)
#	of $n points (query i around centre i % 20).
# cluster_table($node, $table, $dim, $n [, id => 'bigserial',
#	l2_with => 'm = 8']): table $table(id serial, v vector($dim)) of $n
#	cluster_points (make_clusters first) with indexes ${table}_l2
#	(vector_l2_ops, WITH (l2_with) if given) and ${table}_cos
#	(vector_cosine_ops).
# cut_off_graph($last): the SQL of TAP 128 and 133's graph (run with
#	vecidx.test_* hooks): table t (id, v vector(4)) with index t_idx (m = 4,
#	ef_construction = 16); the entry point far away ([50,50,50,50], level
#	3), a cluster C of rows 1 .. 400 around the origin (heap blocks 0-2),
#	rows L 1001 .. 1005 at its centre inserted after it, and rows 2001 ..
#	$last far from C (10 + random() * 2); every row but the entry of level
#	0.  Deleting C (DELETE FROM t WHERE (ctid::text::point)[0] < 3 AND id
#	> 0 AND id < 1000) leaves L linked only from C and from each other, and
#	the other rows reach the entry point through C.
# pause_vacuum($node, $db, $point): VACUUM (INDEX_CLEANUP ON) t started
#	in a background session of $db and paused at test point $point (the
#	advisory lock 7606 the pause waits on held by a second session);
#	returns a handle for cancel_paused.
# cancel_paused($node, $h): cancel that VACUUM, wait until it has stopped,
#	and end both sessions.
# recall_at_10($node, $table, $op, $idx [, ties => 1]): mean recall@10 of
#	the index on $table over the query vectors of table queries(qid, v),
#	against exact answers from a sequential scan; also asserts the plan
#	uses $idx.  With ties, a returned row counts when its distance is at
#	most the exact 10th distance (distances that tie, such as Hamming's).
#
package HnswTap;

use strict;
use warnings;

use Exporter 'import';
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use Test::More;

our @EXPORT = qw(new_node node_port_params check_index make_clusters cluster_table recall_at_10
  recall_steps create_check_state node_tid has_test_hooks skip_without_hooks
  random_table random_rows random_queries random_vector entry_row missing_rows full_scan spilled_tuples
  cut_off_graph pause_vacuum cancel_paused);

# VECIDX_TAP_SERVER_ENV ("NAME=value;NAME=value", set by the asan tier of
# test/run-tests): added to the environment of every server a test starts
# or restarts (the ASan runtime preloaded into postgres), not to the test's
# own processes (perl, psql).
if (my $extra = $ENV{VECIDX_TAP_SERVER_ENV})
{
	my %add = map { split /=/, $_, 2 } grep { /=/ } split /;/, $extra;

	no strict 'refs';
	no warnings 'redefine';
	for my $method (qw(start restart))
	{
		my $orig = \&{"PostgreSQL::Test::Cluster::$method"};
		*{"PostgreSQL::Test::Cluster::$method"} = sub {
			local @ENV{ keys %add } = values %add;
			return $orig->(@_);
		};
	}
}

my %used;

sub free_port
{
	my ($base) = @_;

	for my $port ($base .. $base + 9)
	{
		next if $used{$port};
		my $sock = IO::Socket::INET->new(
			LocalAddr => '127.0.0.1',
			LocalPort => $port,
			Proto => 'tcp',
			ReuseAddr => 1);
		next unless $sock;
		close($sock);
		$used{$port} = 1;
		return $port;
	}
	BAIL_OUT("no free port in $base .. " . ($base + 9));
}

sub node_port_params
{
	my ($slot) = @_;

	return () unless $ENV{VECIDX_TAP_PORT_BASE};
	return (port => free_port($ENV{VECIDX_TAP_PORT_BASE} + 10 * $slot));
}

sub new_node
{
	my ($name, $slot, %params) = @_;
	my $conf = delete $params{conf} // '';

	my $node = PostgreSQL::Test::Cluster->new($name, node_port_params($slot));
	$node->init(%params);
	$node->append_conf('postgresql.conf', "shared_buffers = 64MB\njit = off\n$conf");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION vecidx');
	return $node;
}

sub check_index
{
	my ($node, $table, $idx, $what) = @_;
	my ($ret, $out, $err) = $node->psql('postgres',
		"SELECT nodes - deleted, unreachable FROM vecidx_hnsw_check('$idx')");
	my $count = $node->safe_psql('postgres',
		"SELECT count(v) FROM $table");

	is($ret, 0, "$idx: vecidx_hnsw_check clean $what") or diag($err);
	is($out, "$count|0", "$idx: every row a live node, none unreachable $what");
	return $ret == 0;
}

sub has_test_hooks
{
	my ($node) = @_;
	my ($ret) = $node->psql('postgres',
		"LOAD 'vecidx'; SET vecidx.test_pause = ''; SET vecidx.test_crash_after_record = 0");
	return $ret == 0;
}

sub skip_without_hooks
{
	my ($node, $what) = @_;

	plan skip_all => "module built without USE_ASSERT_CHECKING (no $what)"
	  unless has_test_hooks($node);
}

sub random_vector
{
	my ($dim, %opt) = @_;
	my $x = 'random()';

	$x .= " * $opt{width}" if defined $opt{width};
	$x .= " + $opt{lo}" if defined $opt{lo};
	return "ARRAY(SELECT $x FROM generate_series(1, $dim) WHERE i > 0)::vector($dim)";
}

sub random_rows
{
	my ($table, $first, $last, $dim, %opt) = @_;
	my ($cols, $id) = ($opt{id} // '') =~ /serial/ ? ("$table (v)", '') : ($table, 'i, ');

	return "INSERT INTO $cols SELECT $id" . random_vector($dim, %opt)
	  . " FROM generate_series($first, $last) i;\n";
}

sub random_table
{
	my ($table, $rows, $dim, %opt) = @_;
	my $seed = defined $opt{seed} ? "SELECT setseed($opt{seed});\n" : '';
	my $with = defined $opt{with} ? " WITH ($opt{with})" : '';
	my $id = $opt{id} // 'int';

	return "${seed}CREATE TABLE $table (id $id, v vector($dim))$with;\n"
	  . random_rows($table, 1, $rows, $dim, %opt);
}

sub entry_row
{
	my ($table, $id, $level, $x, $dim) = @_;
	my $v = join(',', ($x) x $dim);

	return "SET vecidx.test_level = $level;\nINSERT INTO $table VALUES ($id, '[$v]');\n"
	  . "SET vecidx.test_level = 0;\n";
}

sub random_queries
{
	my ($n, $dim, %opt) = @_;

	return "CREATE TABLE queries AS SELECT i AS qid, " . random_vector($dim, %opt)
	  . " AS v FROM generate_series(1, $n) i;\n";
}

sub missing_rows
{
	my ($node, $table) = @_;

	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SELECT count(*) FROM $table t
		WHERE NOT EXISTS (SELECT 1 FROM (SELECT id FROM $table s ORDER BY s.v <-> t.v LIMIT 1) x
						  WHERE x.id = t.id);
	});
}

sub full_scan
{
	my ($node, $table, $op, $qid) = @_;

	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SET hnsw.ef_search = 100000;
		SELECT count(DISTINCT id) || ' ' || count(*)
		FROM (SELECT id FROM $table ORDER BY v $op (SELECT v FROM queries WHERE qid = $qid)) s;
	});
}

sub spilled_tuples
{
	my ($err, $name, $rows) = @_;

	like($err,
		qr/NOTICE:  hnsw graph no longer fits into maintenance_work_mem after (\d+) tuples\nDETAIL:  .+\.\nHINT:  .+\./,
		"$name: NOTICE with DETAIL and HINT");
	my ($n) = $err =~ /after (\d+) tuples/;
	$n //= 0;
	cmp_ok($n, '>', 0, "$name: some tuples were built in memory ($n)");
	cmp_ok($n, '<', $rows, "$name: not all of them");
	return $n;
}

sub make_clusters
{
	my ($node, $dim, $seed, %opt) = @_;
	my $queries = !$opt{queries} ? '' : qq{
		CREATE TABLE queries AS
			SELECT i AS qid, cluster_point(c) AS v
			FROM generate_series(1, $opt{queries}) i JOIN centres ON k = i % 20;
	};

	$node->safe_psql('postgres', qq{
		SELECT setseed($seed);
		CREATE TABLE centres AS
			SELECT k, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, $dim) WHERE k >= 0) AS c
			FROM generate_series(0, 19) k;
		CREATE FUNCTION cluster_point(c float8[]) RETURNS vector($dim)
			LANGUAGE sql VOLATILE
			RETURN ARRAY(SELECT c[j] + 0.5 * (random() + random() + random() - 1.5)
						 FROM generate_series(1, $dim) j)::vector;
		CREATE FUNCTION cluster_points(n int) RETURNS SETOF vector
			LANGUAGE sql VOLATILE
			BEGIN ATOMIC
				SELECT cluster_point(c) FROM generate_series(1, n) i JOIN centres ON k = i % 20;
			END;
	} . $queries);
}

sub cluster_table
{
	my ($node, $table, $dim, $n, %opt) = @_;
	my $id = $opt{id} // 'serial';
	my $with = $opt{l2_with} ? " WITH ($opt{l2_with})" : '';

	$node->safe_psql('postgres', qq{
		CREATE TABLE $table (id $id, v vector($dim));
		INSERT INTO $table (v) SELECT cluster_points($n);
		CREATE INDEX ${table}_l2 ON $table USING hnsw (v vector_l2_ops)$with;
		CREATE INDEX ${table}_cos ON $table USING hnsw (v vector_cosine_ops);
	});
}

sub cut_off_graph
{
	my ($last) = @_;

	return qq{
		SELECT setseed(0.5);
		CREATE TABLE t (id int, v vector(4)) WITH (fillfactor = 100, autovacuum_enabled = off);
		CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
		SET vecidx.test_level = 3;
		INSERT INTO t VALUES (0, '[50,50,50,50]');
		SET vecidx.test_level = 0;
		INSERT INTO t SELECT i, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 4) WHERE i > 0)
			FROM generate_series(1, 400) i;
		INSERT INTO t SELECT i, ARRAY(SELECT (random() - 0.5) * 0.02 FROM generate_series(1, 4) WHERE i > 0)
			FROM generate_series(1001, 1005) i;
		INSERT INTO t SELECT i, ARRAY(SELECT 10 + random() * 2 FROM generate_series(1, 4) WHERE i > 0)
			FROM generate_series(2001, $last) i;
	};
}

sub pause_vacuum
{
	my ($node, $db, $point) = @_;
	my $ctl = $node->background_psql($db);

	$ctl->query_safe('SELECT pg_advisory_lock(7606)');
	my $vac = $node->background_psql($db, on_error_stop => 0);
	$vac->query_safe("SET vecidx.test_pause = '$point'");
	my $pid = $vac->query_safe('SELECT pg_backend_pid()');
	$vac->query_until(qr/started/, "\\echo started\nVACUUM (INDEX_CLEANUP ON) t;\n");
	$node->poll_query_until($db, q{SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE locktype = 'advisory' AND objid = 7606 AND NOT granted)})
	  or die "VACUUM did not reach $point";
	return { db => $db, ctl => $ctl, vac => $vac, pid => $pid };
}

sub cancel_paused
{
	my ($node, $h) = @_;
	my $pid = $h->{pid};

	$node->safe_psql($h->{db}, "SELECT pg_cancel_backend($pid)");
	$node->poll_query_until($h->{db}, qq{SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity
		WHERE pid = $pid AND query LIKE 'VACUUM%' AND state = 'active')})
	  or die 'VACUUM was not cancelled';
	$h->{ctl}->query_safe('SELECT pg_advisory_unlock(7606)');
	$h->{vac}->quit;
	$h->{ctl}->quit;
}

sub recall_at_10
{
	my ($node, $table, $op, $idx, %opt) = @_;

	my $plan = $node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		EXPLAIN (COSTS OFF) SELECT id FROM $table ORDER BY v $op (SELECT v FROM queries WHERE qid = 1) LIMIT 10;
	});
	like($plan, qr/Index Scan using $idx/, "$idx: query plan uses the index");

	# ties => 1: a row is a hit when its distance is at most the exact 10th
	# (for distances that tie a lot, such as Hamming's integers)
	my ($exact, $approx, $hits) = $opt{ties}
	  ? ("(SELECT max(d) FROM (SELECT t.v $op q.v AS d FROM $table t ORDER BY t.v $op q.v LIMIT 10) s)",
		"ARRAY(SELECT t.v $op q.v FROM $table t ORDER BY t.v $op q.v LIMIT 10)",
		'(SELECT count(*) FROM unnest(a.r) d WHERE d <= e.r)')
	  : ("ARRAY(SELECT id FROM $table t ORDER BY t.v $op q.v LIMIT 10)",
		"ARRAY(SELECT id FROM $table t ORDER BY t.v $op q.v LIMIT 10)",
		'cardinality(ARRAY(SELECT unnest(e.r) INTERSECT SELECT unnest(a.r)))');
	return $node->safe_psql('postgres', qq{
		SET enable_indexscan = off;
		SET enable_bitmapscan = off;
		CREATE TEMP TABLE exact AS SELECT q.qid, $exact AS r FROM queries q;
		RESET enable_indexscan;
		SET enable_seqscan = off;
		CREATE TEMP TABLE approx AS SELECT q.qid, $approx AS r FROM queries q;
		SELECT round(avg($hits) / 10.0, 4)
		FROM exact e JOIN approx a USING (qid);
	});
}


# the rows of $table come in the order of the operator's distances to
# query 3 (nothing is rechecked: the order is the index's own)
sub rows_in_order
{
	my ($node, $table, $op, $idx) = @_;
	is($node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SELECT count(*) FROM (
			SELECT d, lag(d) OVER () AS prev
			FROM (SELECT v $op (SELECT v FROM queries WHERE qid = 3) AS d FROM $table
				  ORDER BY v $op (SELECT v FROM queries WHERE qid = 3) LIMIT 500) s) s
		WHERE d < prev;
	}), '0', "$idx: rows come in the operator's distance order");
}

# recall_steps($node, $name, $type, $opclass, $op, $first): the
# steps of an exact codec's recall test (130, 131) for one operator class.
# Table items_$name ($type column v) gets the rows of table pool whose id
# is at most $first, index items_${name}_idx is built, then the rows above
# $first are inserted, then the index is rebuilt by a parallel build
# (workers forced as in 127); after each step vecidx_hnsw_check is clean
# and recall@10 of table queries (qid, v) at the default ef_search, ties
# counted by distance, is at least 0.95; after the builds the rows come in
# the operator's order.
sub recall_steps
{
	my ($node, $name, $type, $opclass, $op, $first) = @_;
	my $table = "items_$name";
	my $idx = "items_${name}_idx";

	$node->safe_psql('postgres', qq{
		CREATE TABLE $table (id int, v $type);
		INSERT INTO $table SELECT id, v FROM pool WHERE id <= $first;
		CREATE INDEX $idx ON $table USING hnsw (v $opclass);
	});
	check_index($node, $table, $idx, 'after build');
	my $r = recall_at_10($node, $table, $op, $idx, ties => 1);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after build ($r) >= 0.95");
	note("$name: recall\@10 after build = $r");
	rows_in_order($node, $table, $op, $idx);

	$node->safe_psql('postgres', "INSERT INTO $table SELECT id, v FROM pool WHERE id > $first");
	check_index($node, $table, $idx, 'after inserts');
	$r = recall_at_10($node, $table, $op, $idx, ties => 1);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after inserts ($r) >= 0.95");
	note("$name: recall\@10 after inserts = $r");

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
	rows_in_order($node, $table, $op, $idx);
}

# check_state(idx regclass): 'clean', or 'XX002: <message>' when
# vecidx_hnsw_check() reports the index corrupted (the corruption tests)
sub create_check_state
{
	my ($node) = @_;
	$node->safe_psql('postgres', q{
	CREATE FUNCTION check_state(idx regclass) RETURNS text LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM vecidx_hnsw_check(idx);
		RETURN 'clean';
	EXCEPTION WHEN index_corrupted THEN
		RETURN 'XX002: ' || SQLERRM;
	END
	$$;
	});
}

# a node's TID as it is stored in a neighbour slot (ItemPointerData)
sub node_tid
{
	my ($blk, $off) = @_;
	return pack('vvv', $blk >> 16, $blk & 0xFFFF, $off);
}

1;
