#
# 104_hnsw_crash.pl
#	  Crash recovery: two sessions insert rows (one transaction per row)
#	  into a table with an l2 and a cosine hnsw index while the server is
#	  stopped in immediate mode.  After restart and WAL replay:
#	  vecidx_hnsw_check is clean (every committed row indexed and reachable),
#	  again after VACUUM, and every committed row is found by an index scan
#	  for its own vector (ORDER BY v <op> own vector LIMIT 1 returns it, at
#	  hnsw.ef_search = 100).  Inserts go on working after the restart.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('crash', 4);

$node->safe_psql('postgres',
	random_table('items', 1000, 16, seed => 0.41, id => 'bigserial', width => 2, lo => -1) . q{
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops);
	CREATE INDEX items_cos ON items USING hnsw (v vector_cosine_ops) WITH (m = 8, ef_construction = 32);
	CREATE PROCEDURE ins_loop(n int) LANGUAGE plpgsql AS $$
	BEGIN
		FOR i IN 1 .. n LOOP
			INSERT INTO items (v)
				SELECT ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 16))::vector;
			COMMIT;
		END LOOP;
	END
	$$;
});

# two sessions inserting until the crash
my @sessions;
for my $i (1 .. 2)
{
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	$bg->query_until(qr/started/, "\\echo started\nCALL ins_loop(1000000);\n");
	push @sessions, $bg;
}
$node->poll_query_until('postgres', 'SELECT count(*) >= 4000 FROM items')
  or die 'inserts did not progress';

$node->stop('immediate');
for my $bg (@sessions)
{
	eval { $bg->quit; };
}
$node->start;

my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM items');
cmp_ok($rows, '>=', 4000, "committed rows survived the crash ($rows)");

for my $idx ('items_l2', 'items_cos')
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"SELECT nodes - deleted >= (SELECT count(*) FROM items), unreachable FROM vecidx_hnsw_check('$idx')");
	# heapallindexed: an unreachable node of a committed row is an ERROR;
	# the crash may leave the node of an insert that never committed
	# unreachable (placed, no back link yet: README, "WAL and crashes")
	is($ret, 0, "$idx: vecidx_hnsw_check clean after crash recovery") or diag($err);
	like($out, qr/^t\|\d+$/, "$idx: every committed row indexed and reachable");
	note("$idx: unreachable nodes of uncommitted rows: " . (split /\|/, $out)[1])
	  if $ret == 0;
}

# every committed row is found by a search for its own vector
for my $op ('<->', '<=>')
{
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		SET enable_seqscan = off;
		SET hnsw.ef_search = 100;
		SELECT count(*) FROM items a
		WHERE a.id <> (SELECT b.id FROM items b ORDER BY b.v $op a.v LIMIT 1);
	});
	is($ret, 0, "$op: exact-match queries run") or diag($err);
	is($out, '0', "$op: every committed row is found by its own vector");
}

# after VACUUM the aborted inserts' nodes are marked deleted
$node->safe_psql('postgres', 'VACUUM (INDEX_CLEANUP ON) items');
check_index($node, 'items', $_, 'after crash recovery and VACUUM')
  for ('items_l2', 'items_cos');

# writes go on
$node->safe_psql('postgres', 'CALL ins_loop(500)');
check_index($node, 'items', $_, 'after more inserts') for ('items_l2', 'items_cos');

$node->stop;
done_testing();
