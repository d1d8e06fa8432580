#
# 109_hnsw_corruption.pl
#	  vecidx_hnsw_check must be able to fail: with the server stopped, single
#	  fields of one node of an hnsw index are overwritten on disk (a
#	  neighbour pointer to a missing block, a self link, a duplicate
#	  neighbour, an out-of-range level, unknown flags, a heap TID pointing
#	  nowhere), then a node page's magic number is changed, and the
#	  meta page's magic number is changed.  Each time the check reports ERRCODE_INDEX_CORRUPTED
#	  (XX002), an index scan visiting every node (ef_search above the table
#	  size) ends in an error or a result but never crashes the server, and
#	  REINDEX repairs the index.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

# Pages are corrupted on disk: with data checksums (initdb's default from 18
# on) the buffer manager would reject them before the verifier sees them.
my $node = new_node('corrupt', 9, no_data_checksums => 1);
my $BLCKSZ = 8192;
my $m = 4;

$node->safe_psql('postgres', random_table('items', 2000, 8, seed => 0.91) . qq{
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops) WITH (m = $m, ef_construction = 16);
});
create_check_state($node);
is($node->safe_psql('postgres', "SELECT check_state('items_l2')"), 'clean', 'fresh index is clean');

# read, change and write back one block of the index with the server stopped
sub patch_block
{
	my ($blkno, $patch) = @_;
	my $path = $node->data_dir . '/'
	  . $node->safe_psql('postgres', "SELECT pg_relation_filepath('items_l2')");
	$node->stop;
	open(my $fh, '+<:raw', $path) or die "open $path: $!";
	seek($fh, $blkno * $BLCKSZ, 0) or die;
	my $page;
	read($fh, $page, $BLCKSZ) == $BLCKSZ or die 'short read';
	$page = $patch->($page);
	length($page) == $BLCKSZ or die 'patched page has the wrong size';
	seek($fh, $blkno * $BLCKSZ, 0) or die;
	print $fh $page;
	close($fh);
	$node->start;
}

# byte offset of item 1 of a page (lp_off of the first line pointer)
sub item_offset
{
	my ($page, $item) = @_;
	my $lp = unpack('V', substr($page, 24 + 4 * ($item - 1), 4));
	return $lp & 0x7FFF;
}

sub last_block
{
	return $node->safe_psql('postgres', "SELECT pg_relation_size('items_l2') / $BLCKSZ") - 1;
}

# a patch for case(): the bytes at offset $at of item $item (undef: of
# the page) replaced by $bytes
sub set_bytes
{
	my ($item, $at, $bytes) = @_;
	return sub {
		my ($p) = @_;
		$at += item_offset($p, $item) if defined $item;
		substr($p, $at, length $bytes) = $bytes;
		return $p;
	};
}

# one case: corrupt, expect the check to report it, scans not to crash,
# REINDEX to repair
sub case
{
	my ($name, $blkno, $patch, $expect) = @_;

	patch_block($blkno, $patch);
	my $state = $node->safe_psql('postgres', "SELECT check_state('items_l2')");
	like($state, qr/^XX002: .*$expect/, "$name: check reports corruption ($state)");
	my ($ret, $out, $err) = $node->psql('postgres', q{
		SET enable_seqscan = off;
		SET hnsw.ef_search = 100000;
		SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
	});
	note("$name: scan returned '$out', error '$err'");
	is($node->safe_psql('postgres', 'SELECT 1'), '1', "$name: server survives a scan");
	$node->safe_psql('postgres', 'REINDEX INDEX items_l2');
	is($node->safe_psql('postgres', "SELECT check_state('items_l2')"), 'clean', "$name: REINDEX repairs");
}

# node field offsets inside a node tuple: heap TID 0, level 6, flags 7,
# resid 8, norm 12, aux 16, layer-0 neighbour slots from 20 (6 bytes each)
my $slot0 = 20;

case('neighbour pointer to a missing block', last_block(),
	set_bytes(1, $slot0, node_tid(60000, 1)), 'neighbour|not a node|missing');

my $b = last_block();
case('node links to itself', $b, set_bytes(2, $slot0, node_tid($b, 2)), 'itself');

case('duplicate neighbour', last_block(), sub {
	my ($p) = @_;
	my $o = item_offset($p, 1);
	substr($p, $o + $slot0 + 6, 6) = substr($p, $o + $slot0, 6);
	return $p;
}, 'duplicate|compact');

case('level out of range', last_block(), set_bytes(1, 6, chr(200)), 'level');

case('unknown node flags', last_block(), set_bytes(1, 7, chr(0x80)), 'flags');

case('heap TID pointing nowhere', last_block(),
	set_bytes(1, 0, node_tid(9999, 1)), 'heap tuple|lacks|heap');

# (a zeroed page is a free page, not corruption: see 120_hnsw_zero_page.pl)
case('foreign special space on a node page', last_block(),
	set_bytes(undef, $BLCKSZ - 4, pack('V', 0xDEADBEEF)), 'not a node page');

case('meta page magic', 0, set_bytes(undef, 24, pack('V', 0xDEADBEEF)), 'hnsw|meta|magic|version');

$node->stop;
done_testing();
