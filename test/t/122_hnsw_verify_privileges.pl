#
# 122_hnsw_verify_privileges.pl
#	  vecidx_hnsw_check(index, true) evaluates the index's expressions for
#	  every row; they are the table owner's code and must run as the table
#	  owner, as amcheck, REINDEX, VACUUM and ANALYZE do.  A non-superuser
#	  owns a table with an expression index whose function makes its owner a
#	  superuser, and records the user it ran as, whenever it runs with
#	  superuser rights.  A superuser then checks the index: the owner must
#	  not have become a superuser, and the function must have run as the
#	  owner, with search_path pinned.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('priv', 22);

$node->safe_psql('postgres', q{
	CREATE ROLE mallory LOGIN;
	GRANT CREATE ON SCHEMA public TO mallory;
	GRANT EXECUTE ON FUNCTION vecidx_hnsw_check(regclass, boolean) TO mallory;
});

# as mallory: the table, a log of who ran the function, the trap
$node->safe_psql('postgres', q{
	SET ROLE mallory;
	CREATE TABLE ran_as (who name, path text);
	-- the work: volatile, so it may run ALTER ROLE when called
	CREATE FUNCTION mallory_escalate() RETURNS void LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO public.ran_as VALUES (current_user, current_setting('search_path'));
		IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
			ALTER ROLE mallory SUPERUSER;
		END IF;
	END
	$$;
	-- what the index calls: claims to be immutable
	CREATE FUNCTION mallory_f(v vector) RETURNS vector IMMUTABLE LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM public.mallory_escalate();
		RETURN v;
	END
	$$;
	CREATE TABLE items (id int, v vector(3));
	INSERT INTO items SELECT i, ARRAY[i, i % 5, 1]::vector FROM generate_series(1, 50) i;
	CREATE INDEX items_expr ON items USING hnsw ((mallory_f(v)::vector(3)) vector_l2_ops);
	DELETE FROM ran_as;
});
is($node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'"),
	'f', 'mallory is not a superuser after building the index');

my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT nodes, unreachable FROM vecidx_hnsw_check('items_expr', true)");
is($ret, 0, 'superuser check with heapallindexed runs') or diag($err);
is($out, '50|0', 'check counts every row');

is($node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'"),
	'f', 'the check did not run the index expression with superuser rights');
is($node->safe_psql('postgres', 'SELECT DISTINCT who FROM ran_as'), 'mallory',
	'the index expression ran as the table owner');
is($node->safe_psql('postgres', 'SELECT DISTINCT path FROM ran_as'), 'pg_catalog, pg_temp',
	'the index expression ran with search_path pinned');
is($node->safe_psql('postgres', 'SHOW search_path'), '"$user", public',
	'the caller\'s search_path is unchanged afterwards');

# the owner can check its own index too (EXECUTE granted above)
($ret, $out, $err) = $node->psql('postgres',
	"SET ROLE mallory; SELECT nodes FROM vecidx_hnsw_check('items_expr', true)");
is($ret, 0, 'the owner can check its own index') or diag($err);

$node->stop;
done_testing();
