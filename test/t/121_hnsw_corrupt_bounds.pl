#
# 121_hnsw_corrupt_bounds.pl
#	  Corrupt line pointers and node headers must be caught before anything
#	  reads past a node's item.  With the server stopped, one field of the
#	  entry point's node (which every scan and insert reads first) is
#	  overwritten on disk: its item length below what its level needs, its
#	  level above what its item holds, its level above the index's largest
#	  level (an index whose nodes nearly fill a page, so that level is below
#	  15), its line pointer's offset into the page header; its neighbour
#	  pointers past the last line pointer of its page; the page's pd_lower
#	  past its last item.  Each time vecidx_hnsw_check must fail with
#	  ERRCODE_INDEX_CORRUPTED (XX002), and so must an index scan, an insert
#	  and VACUUM wherever they read the damaged field (all of them for the
#	  node's own fields); the server must survive every statement, and
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

# pages are corrupted on disk: no data checksums (18's default)
my $node = new_node('bounds', 21, no_data_checksums => 1);
my $BLCKSZ = 8192;

# 7,000 dimensions at m = 16: a level-0 node takes 7,216 bytes, so the
# largest level that fits a page is 9
$node->safe_psql('postgres', random_table('items', 2000, 8, seed => 0.21) . q{
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
} . random_table('wide', 40, 7000) . q{
	CREATE INDEX wide_l2 ON wide USING hnsw (v vector_l2_ops) WITH (m = 16);
});
create_check_state($node);
for my $idx ('items_l2', 'wide_l2')
{
	is($node->safe_psql('postgres', "SELECT check_state('$idx')"), 'clean', "$idx: fresh index is clean");
}

sub index_path
{
	my ($idx) = @_;
	return $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('$idx')");
}

sub read_block
{
	my ($path, $blkno) = @_;
	open(my $fh, '<:raw', $path) or die "open $path: $!";
	seek($fh, $blkno * $BLCKSZ, 0) or die;
	my $page;
	read($fh, $page, $BLCKSZ) == $BLCKSZ or die 'short read';
	close($fh);
	return $page;
}

sub write_block
{
	my ($path, $blkno, $page) = @_;
	length($page) == $BLCKSZ or die 'patched page has the wrong size';
	open(my $fh, '+<:raw', $path) or die "open $path: $!";
	seek($fh, $blkno * $BLCKSZ, 0) or die;
	print $fh $page;
	close($fh);
}

# the entry point's TID from the meta page: block 0, contents at 24,
# entry at 28 bytes into VxMetaPageData
sub entry_point
{
	my ($meta) = @_;
	my ($hi, $lo, $off) = unpack('vvv', substr($meta, 24 + 28, 6));
	return (($hi << 16) | $lo, $off);
}

# line pointer $off of a page: (lp_off, lp_flags, lp_len)
sub get_lp
{
	my ($page, $off) = @_;
	my $lp = unpack('V', substr($page, 24 + 4 * ($off - 1), 4));
	return ($lp & 0x7FFF, ($lp >> 15) & 3, $lp >> 17);
}

sub set_lp
{
	my ($page, $off, $lpoff, $flags, $len) = @_;
	substr($page, 24 + 4 * ($off - 1), 4) = pack('V', $lpoff | ($flags << 15) | ($len << 17));
	return $page;
}


# expect an XX002 error from psql's stderr (verbose errors show SQLSTATE);
# with $must false, only that the statement does not crash the server
sub expect_corrupted
{
	my ($name, $what, $must, $sql) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	if ($must)
	{
		like($err, qr/ERROR:  XX002: index "\w+" is corrupted/, "$name: $what fails with XX002")
		  or diag("ret $ret out '$out' err '$err'");
	}
	else
	{
		note("$name: $what: ret $ret err '$err'");
	}
	is($node->safe_psql('postgres', 'SELECT 1'), '1', "$name: server survives $what");
}

# one case: with the server stopped, $patch->($page, $entryblk, $entryoff)
# changes the entry point's page (with $last, the index's last page and
# its first item); then the check and the statements named
# in $must (scan, insert, vacuum) must report it, the others not crash
sub case
{
	my ($name, $idx, $table, $dim, $patch, $expect, $must, $last) = @_;
	my %must = map { $_ => 1 } @$must;
	my $path = index_path($idx);
	my $nblocks = $node->safe_psql('postgres', "SELECT pg_relation_size('$idx') / $BLCKSZ");
	$node->stop;
	my ($eblk, $eoff) = entry_point(read_block($path, 0));
	($eblk, $eoff) = ($nblocks - 1, 1) if $last;
	write_block($path, $eblk, $patch->(read_block($path, $eblk), $eblk, $eoff));
	$node->start;

	my $state = $node->safe_psql('postgres', "SELECT check_state('$idx')");
	like($state, qr/^XX002: .*$expect/, "$name: check reports corruption ($state)");
	my $q = "'[" . join(',', ('0.5') x $dim) . "]'";
	expect_corrupted($name, 'index scan', $must{scan}, qq{
		SET enable_seqscan = off;
		SELECT id FROM $table ORDER BY v <-> $q LIMIT 5;
	});
	expect_corrupted($name, 'insert', $must{insert}, "INSERT INTO $table VALUES (0, $q)");
	$node->safe_psql('postgres', "DELETE FROM $table WHERE id = 1");
	expect_corrupted($name, 'vacuum', $must{vacuum}, "VACUUM (INDEX_CLEANUP ON) $table");
	$node->safe_psql('postgres', "REINDEX INDEX $idx");
	is($node->safe_psql('postgres', "SELECT check_state('$idx')"), 'clean', "$name: REINDEX repairs");
}

my @all = ('scan', 'insert', 'vacuum');

# a patch for case(): the node's level byte (offset 6 of the item) set to $level
sub set_level
{
	my ($level) = @_;
	return sub {
		my ($p, $blk, $off) = @_;
		my ($lpoff) = get_lp($p, $off);
		substr($p, $lpoff + 6, 1) = chr($level);
		return $p;
	};
}

case('item length below the node size', 'items_l2', 'items', 8, sub {
	my ($p, $blk, $off) = @_;
	my ($lpoff, $flags, $len) = get_lp($p, $off);
	return set_lp($p, $off, $lpoff, $flags, 24);
}, 'too small', \@all);

case('level above what the item holds', 'items_l2', 'items', 8, set_level(15), 'level', \@all);

case('level above the index maximum', 'wide_l2', 'wide', 7000, set_level(12), 'level', \@all);

case('line pointer into the page header', 'items_l2', 'items', 8, sub {
	my ($p, $blk, $off) = @_;
	my ($lpoff, $flags, $len) = get_lp($p, $off);
	return set_lp($p, $off, 8, $flags, $len);
}, 'outside the page', \@all);

# every neighbour slot of the entry point, on every layer: a scan and an
# insert start there (vacuum never follows a live node's pointers)
case('neighbour pointers past the last line pointer', 'items_l2', 'items', 8, sub {
	my ($p, $blk, $off) = @_;
	my ($lpoff) = get_lp($p, $off);
	my $level = ord(substr($p, $lpoff + 6, 1));
	for my $i (0 .. 2 * 4 + 4 * $level - 1)
	{
		substr($p, $lpoff + 20 + 6 * $i, 6) = node_tid($blk, 60000 + $i);
	}
	return $p;
}, 'not a node', ['scan', 'insert']);

# the last page's pd_lower raised over zeroed free space: line pointers
# past the real ones,
# unused (PostgreSQL itself rejects a pd_lower past pd_upper when it reads
# the page, so that case cannot be made on disk)
case('maxoff past the last item', 'items_l2', 'items', 8, sub {
	my ($p, $blk, $off) = @_;
	my ($lower, $upper) = unpack('vv', substr($p, 12, 4));
	substr($p, 12, 2) = pack('v', $lower + 4 * int(($upper - $lower) / 8));
	return $p;
}, 'unused line pointer', ['vacuum'], 1);

$node->stop;
done_testing();
