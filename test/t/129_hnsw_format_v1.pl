#
# 129_hnsw_format_v1.pl
#	  On-disk format version 1 (before the meta page named the codec) must
#	  still be read, as the INT8 codec.  With the server stopped, the meta
#	  page of a vector index is turned into a version-1 one (version 1, and
#	  a stray 1 in the byte that became the codec field, so that a reader
#	  that trusted the byte would take the BITS codec); scans must return
#	  what they returned before, the verifier must pass, and inserts and
#	  VACUUM must go on (leaving the version as it was).  A bit index whose
#	  meta page says version 1 is an INT8 index with a bit metric: the meta
#	  page is invalid (XX002), not misread.  An unknown version is refused.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

# pages are patched on disk: no data checksums (18's default)
my $node = new_node('formatv1', 29, no_data_checksums => 1);
my $BLCKSZ = 8192;
# VxMetaPageData at the page contents (24): version at 4, codec at 17
my $VERSION_AT = 24 + 4;
my $CODEC_AT = 24 + 17;

$node->safe_psql('postgres', q{
	SELECT setseed(0.29);
	CREATE TABLE items (id int, v vector(16));
	INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0)::vector
		FROM generate_series(1, 1000) i;
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops);
	CREATE TABLE bits (id int, v bit(64));
	INSERT INTO bits SELECT i, (i * 2654435761)::bit(64) FROM generate_series(1, 200) i;
	CREATE INDEX bits_ham ON bits USING hnsw (v bit_hamming_ops);
});

my $query = q{
	SET enable_seqscan = off;
	SELECT string_agg(id::text, ',') FROM (
		SELECT id FROM items ORDER BY v <-> (SELECT v FROM items WHERE id = 7) LIMIT 20) s;
};
my $before = $node->safe_psql('postgres', $query);

sub index_path
{
	my ($idx) = @_;
	return $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('$idx')");
}

# overwrite bytes of block 0 of a relation file
sub patch_meta
{
	my ($path, %bytes) = @_;
	open(my $fh, '+<:raw', $path) or die "open $path: $!";
	my $page;
	read($fh, $page, $BLCKSZ) == $BLCKSZ or die 'short read';
	substr($page, $_, length($bytes{$_})) = $bytes{$_} for keys %bytes;
	seek($fh, 0, 0) or die;
	print $fh $page;
	close($fh);
}

sub read_meta_bytes
{
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or die "open $path: $!";
	my $page;
	read($fh, $page, $BLCKSZ) == $BLCKSZ or die 'short read';
	close($fh);
	return (unpack('V', substr($page, $VERSION_AT, 4)), unpack('C', substr($page, $CODEC_AT, 1)));
}

my $items = index_path('items_l2');
my $bits = index_path('bits_ham');
$node->safe_psql('postgres', 'CHECKPOINT');
my ($version, $codec) = read_meta_bytes($items);
is($version, 2, 'a new index is written as format version 2');
is($codec, 0, 'a vector index names the INT8 codec');
($version, $codec) = read_meta_bytes($bits);
is($codec, 1, 'a bit index names the BITS codec');

$node->stop;
patch_meta($items, $VERSION_AT => pack('V', 1), $CODEC_AT => pack('C', 1));
patch_meta($bits, $VERSION_AT => pack('V', 1));
$node->start;

is($node->safe_psql('postgres', $query), $before, 'version 1: the scan returns what it did');
is($node->safe_psql('postgres',
	"SELECT nodes, unreachable FROM vecidx_hnsw_check('items_l2', true)"),
	'1000|0', 'version 1: the verifier passes');
$node->safe_psql('postgres', q{
	INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0)::vector
		FROM generate_series(1001, 1100) i;
	DELETE FROM items WHERE id % 3 = 0;
	VACUUM items;
});
is($node->safe_psql('postgres',
	"SELECT nodes - deleted, unreachable FROM vecidx_hnsw_check('items_l2', true)"),
	$node->safe_psql('postgres', 'SELECT count(*) FROM items') . '|0',
	'version 1: insert and vacuum go on, the verifier passes');
$node->safe_psql('postgres', 'CHECKPOINT');
($version) = read_meta_bytes($items);
is($version, 1, 'writers keep the version they found');

my ($ret, $out, $err) = $node->psql('postgres',
	"SET enable_seqscan = off; SELECT id FROM bits ORDER BY v <~> 1::bit(64) LIMIT 1");
isnt($ret, 0, 'a version-1 bit index is refused');
like($err, qr/has an invalid meta page/, '... as an invalid meta page');

$node->stop;
patch_meta($items, $VERSION_AT => pack('V', 3));
$node->start;
($ret, $out, $err) = $node->psql('postgres', $query);
like($err, qr/has on-disk format version 3, expected 2/, 'an unknown version is refused');

$node->safe_psql('postgres', 'REINDEX INDEX items_l2; REINDEX INDEX bits_ham');
is($node->safe_psql('postgres',
	"SELECT nodes, unreachable FROM vecidx_hnsw_check('bits_ham', true)"),
	'200|0', 'REINDEX writes a valid bit index again');
$node->safe_psql('postgres', 'CHECKPOINT');
($version, $codec) = read_meta_bytes(index_path('items_l2'));
is("$version|$codec", '2|0', 'REINDEX writes version 2');

done_testing();
