#
# 002_upgrade.pl
#	  Walks every vecidx upgrade path to the default version.  Reads the
#	  installed extension directory ($(pg_config --sharedir)/extension, the
#	  files ALTER EXTENSION really uses): default_version from
#	  vecidx.control, install scripts vecidx--V.sql and update scripts
#	  vecidx--A--B.sql.  For every version other than the default it
#	  creates the extension at that version, applies ALTER EXTENSION vecidx
#	  UPDATE TO one step at a time along the shortest update path, and
#	  compares a catalog fingerprint of the result (every member object,
#	  plus the attributes of functions, operators, types, casts,
#	  aggregates, operator classes and access methods) with a fresh install
#	  of the default version.  With only one version there is nothing to
#	  walk; the test still checks that a fresh install is at
#	  default_version.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $pg_config = $ENV{PG_CONFIG} || 'pg_config';
my $sharedir = `"$pg_config" --sharedir`;
die "could not run $pg_config --sharedir" if $? != 0;
chomp $sharedir;
my $extdir = "$sharedir/extension";

# default_version from the control file
my $control = slurp_file("$extdir/vecidx.control");
my ($default) = $control =~ /^\s*default_version\s*=\s*'([^']+)'/m;
ok(defined $default, "vecidx.control names a default_version");
$default //= '';

# scripts: vecidx--V.sql installs V; vecidx--A--B.sql updates A to B
my (%install, %next);
opendir(my $dh, $extdir) or die "could not open $extdir: $!";
for my $f (sort readdir $dh)
{
	next unless $f =~ /^vecidx--(.+)\.sql$/;
	my @v = split /--/, $1;
	if (@v == 1) { $install{ $v[0] } = 1; }
	elsif (@v == 2) { push @{ $next{ $v[0] } }, $v[1]; }
	else { fail("unexpected script name $f"); }
}
closedir $dh;
ok($install{$default}, "install script vecidx--$default.sql exists");

# shortest update path from $from to $default (breadth-first), or undef
sub update_path
{
	my ($from) = @_;
	my %prev = ($from => undef);
	my @queue = ($from);
	while (@queue)
	{
		my $v = shift @queue;
		if ($v eq $default)
		{
			my @path;
			for (my $w = $v; defined $w; $w = $prev{$w}) { unshift @path, $w; }
			return \@path;
		}
		for my $n (@{ $next{$v} || [] })
		{
			next if exists $prev{$n};
			$prev{$n} = $v;
			push @queue, $n;
		}
	}
	return undef;
}

# One text line per catalog fact about the extension's members.  OIDs never
# appear, only names, so two databases can be compared line by line.
my $fingerprint_sql = q{
WITH m AS (
	SELECT d.classid, d.objid, d.objsubid
	FROM pg_depend d JOIN pg_extension e
		ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
	WHERE e.extname = 'vecidx' AND d.deptype = 'e'
)
SELECT 'member: ' || pg_describe_object(classid, objid, objsubid) FROM m
UNION ALL
SELECT format('function: %s returns %s%s vol=%s strict=%s par=%s cost=%s rows=%s kind=%s src=%s',
		p.oid::regprocedure, CASE WHEN p.proretset THEN 'setof ' ELSE '' END,
		p.prorettype::regtype, p.provolatile, p.proisstrict, p.proparallel,
		p.procost, p.prorows, p.prokind, p.prosrc)
FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT format('operator: %s(%s,%s) returns %s code=%s com=%s neg=%s rest=%s join=%s',
		o.oprname, o.oprleft::regtype, o.oprright::regtype, o.oprresult::regtype,
		o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator,
		o.oprrest, o.oprjoin)
FROM m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
UNION ALL
SELECT format('type: %s len=%s byval=%s align=%s storage=%s in=%s out=%s recv=%s send=%s modin=%s modout=%s analyze=%s subscript=%s',
		t.oid::regtype, t.typlen, t.typbyval, t.typalign, t.typstorage,
		t.typinput, t.typoutput, t.typreceive, t.typsend,
		t.typmodin, t.typmodout, t.typanalyze, t.typsubscript)
FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
UNION ALL
SELECT format('cast: %s -> %s func=%s context=%s method=%s',
		c.castsource::regtype, c.casttarget::regtype,
		c.castfunc::regprocedure, c.castcontext, c.castmethod)
FROM m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND m.objid = c.oid
UNION ALL
SELECT format('aggregate: %s kind=%s trans=%s final=%s combine=%s serial=%s deserial=%s stype=%s init=%s',
		a.aggfnoid::regprocedure, a.aggkind, a.aggtransfn, a.aggfinalfn,
		a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
		a.aggtranstype::regtype, a.agginitval)
FROM m JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
UNION ALL
SELECT format('access method: %s type=%s handler=%s', am.amname, am.amtype, am.amhandler)
FROM m JOIN pg_am am ON m.classid = 'pg_am'::regclass AND m.objid = am.oid
UNION ALL
SELECT format('opclass: %s/%s type=%s default=%s key=%s family=%s',
		am.amname, oc.opcname, oc.opcintype::regtype, oc.opcdefault,
		oc.opckeytype::regtype, of.opfname)
FROM m JOIN pg_opclass oc ON m.classid = 'pg_opclass'::regclass AND m.objid = oc.oid
	JOIN pg_am am ON am.oid = oc.opcmethod
	JOIN pg_opfamily of ON of.oid = oc.opcfamily
UNION ALL
SELECT format('amop: %s/%s %s(%s,%s) strategy=%s purpose=%s sortfamily=%s',
		am.amname, of.opfname, ao.amopopr::regoperator,
		ao.amoplefttype::regtype, ao.amoprighttype::regtype,
		ao.amopstrategy, ao.amoppurpose, sf.opfname)
FROM pg_amop ao JOIN pg_opfamily of ON of.oid = ao.amopfamily
	JOIN pg_am am ON am.oid = of.opfmethod
	LEFT JOIN pg_opfamily sf ON sf.oid = ao.amopsortfamily
WHERE of.oid IN (SELECT objid FROM m WHERE classid = 'pg_opfamily'::regclass)
UNION ALL
SELECT format('amproc: %s/%s (%s,%s) support=%s %s',
		am.amname, of.opfname, ap.amproclefttype::regtype,
		ap.amprocrighttype::regtype, ap.amprocnum, ap.amproc::regprocedure)
FROM pg_amproc ap JOIN pg_opfamily of ON of.oid = ap.amprocfamily
	JOIN pg_am am ON am.oid = of.opfmethod
WHERE of.oid IN (SELECT objid FROM m WHERE classid = 'pg_opfamily'::regclass)
ORDER BY 1
};

my $node = PostgreSQL::Test::Cluster->new('upgrade', node_port_params(0));
$node->init;
$node->start;

sub fingerprint
{
	my ($db) = @_;
	return [ split /\n/, $node->safe_psql($db, $fingerprint_sql) ];
}

sub extversion
{
	my ($db) = @_;
	return $node->safe_psql($db,
		"SELECT extversion FROM pg_extension WHERE extname = 'vecidx'");
}

# reference: a fresh install of the default version
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION vecidx');
is(extversion('fresh'), $default,
	"fresh install is at default_version $default");
is( $node->safe_psql(
		'fresh',
		"SELECT default_version FROM pg_available_extensions WHERE name = 'vecidx'"),
	$default,
	'pg_available_extensions reports the same default_version');
my $want = fingerprint('fresh');
cmp_ok(scalar(grep { /^member: / } @$want), '>', 0,
	'fresh install has member objects');

# every other version that appears in a script name must reach the default
my %versions = map { $_ => 1 } keys %install, keys %next, map { @$_ } values %next;
delete $versions{$default};
note("default version $default; other versions: "
	  . (join(', ', sort keys %versions) || 'none'));

my $dbno = 0;
for my $from (sort keys %versions)
{
	my $path = update_path($from);
	ok(defined $path, "an update path leads from $from to $default")
	  or next;

	my $db = 'from_' . ++$dbno;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION vecidx VERSION '$from'");
	is(extversion($db), $from, "installed version $from");

	for my $i (1 .. $#$path)
	{
		my $to = $path->[$i];
		$node->safe_psql($db, "ALTER EXTENSION vecidx UPDATE TO '$to'");
		is(extversion($db), $to, "updated $path->[$i - 1] to $to");
	}

	my $got = fingerprint($db);
	my %in_want = map { $_ => 1 } @$want;
	my %in_got = map { $_ => 1 } @$got;
	my @missing = grep { !$in_got{$_} } @$want;
	my @extra = grep { !$in_want{$_} } @$got;
	ok( !@missing && !@extra,
		"catalog after updating from $from matches a fresh $default install")
	  or diag(join("\n",
			(map { "missing after update: $_" } @missing),
			(map { "extra after update:   $_" } @extra)));
}

$node->stop;
done_testing();
