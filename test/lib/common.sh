# test/lib/common.sh -- shell helpers shared by test/run-tests, test/setup-demo
# and test/install-deps.
#
# Sourced, never executed.  Every function either succeeds or calls vx_die;
# callers run under "set -eu".  Nothing here touches the system PostgreSQL
# cluster (port 5432): our clusters live in a private directory, listen on a
# Unix socket in that directory only (listen_addresses = ''), so they cannot
# collide with any other server whatever port number they are given.

# Packages a fresh Debian 12 needs to build vecidx and run every test tier.
# postgresql-server-dev-15 pulls in clang-14 and llvm-14-dev, which PGXS uses
# to emit JIT bitcode (Debian's server is built --with-llvm); we name them
# anyway so the list says what the build uses.  The fuzz tier needs libFuzzer
# and clang's sanitizer runtimes (libclang-rt-14-dev); the asan tier uses
# gcc's (libasan8, libubsan1, which build-essential's gcc-12 pulls in);
# the valgrind tier, valgrind.  The python tier's asyncpg and Django tests
# use bookworm's python3-asyncpg, python3-pytest-asyncio and python3-django
# (3.2); test/python-vendor adds trixie's newer versions for a second pass
# without installing them; python3-venv/pip/setuptools/wheel let the install
# test run the README's venv instructions offline.
VX_APT_PACKAGES="
	postgresql-15 postgresql-server-dev-15 postgresql-client-15
	build-essential gcc make clang-14 llvm-14
	libclang-rt-14-dev libasan8 libubsan1 valgrind
	bison flex zlib1g-dev dpkg-dev
	perl libipc-run-perl
	python3 python3-pytest python3-psycopg python3-psycopg2
	python3-sqlalchemy python3-numpy python3-hnswlib python3-faiss
	python3-asyncpg python3-pytest-asyncio python3-django python3-scipy
	python3-venv python3-pip python3-setuptools python3-wheel
	python3-matplotlib libhnswlib-dev g++
"

vx_log()
{
	printf '==> %s\n' "$*" >&2
}

vx_die()
{
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# vx_install_deps: install VX_APT_PACKAGES with apt-get (root only).  Runs
# "apt-get update" first unless every package is already installed.
vx_install_deps()
{
	local missing="" p
	[ "$(id -u)" -eq 0 ] || vx_die "installing packages needs root (run as root or use sudo)"
	for p in $VX_APT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		vx_log "all required Debian packages are installed"
		return 0
	fi
	vx_log "installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $VX_APT_PACKAGES
}

# vx_resolve_pg: set PG_CONFIG (default: pg_config from PATH) and derive
# PG_BINDIR, PG_SHAREDIR, PG_PKGLIBDIR, PG_PGXSDIR.
vx_resolve_pg()
{
	PG_CONFIG="${PG_CONFIG:-pg_config}"
	command -v "$PG_CONFIG" >/dev/null 2>&1 ||
		vx_die "pg_config not found (\"$PG_CONFIG\"); install postgresql-server-dev-15 or set PG_CONFIG"
	PG_CONFIG="$(command -v "$PG_CONFIG")"
	PG_BINDIR="$("$PG_CONFIG" --bindir)"
	PG_SHAREDIR="$("$PG_CONFIG" --sharedir)"
	PG_PKGLIBDIR="$("$PG_CONFIG" --pkglibdir)"
	PG_PGXSDIR="$(dirname "$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")")"
	case "$("$PG_CONFIG" --version)" in
		"PostgreSQL 15"*|"PostgreSQL 16"*|"PostgreSQL 17"*|"PostgreSQL 18"*) ;;
		*) vx_log "warning: $PG_CONFIG is $("$PG_CONFIG" --version); vecidx supports PostgreSQL 15 to 18" ;;
	esac
	[ -x "$PG_BINDIR/postgres" ] ||
		vx_die "no server binary in $PG_BINDIR; install postgresql-15 (or point PG_CONFIG at a full installation)"
	export PG_CONFIG
}

# vx_cluster_user: the OS user that owns throwaway clusters.  The server
# refuses to run as root, so root uses "postgres"; anyone else uses themself.
vx_cluster_user()
{
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || vx_die "user postgres does not exist (install postgresql-15)"
		echo postgres
	else
		id -un
	fi
}

# vx_as_cluster_user CMD...: run CMD as the cluster user, keeping the
# environment we pass explicitly with env(1).
vx_as_cluster_user()
{
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# vx_build_install: build and install the extension into PG_CONFIG's
# installation; PG_CFLAGS, if set, is passed to make.  Returns non-zero on
# failure (explicitly: callers may run it where "set -e" is suspended).
vx_build_install()
{
	local jobs stamp
	jobs="$(nproc 2>/dev/null || echo 2)"
	# objects built against another PostgreSQL (or other flags) do not mix:
	# PGXS tracks neither, so a stamp does
	stamp="$("$PG_CONFIG" --version) $("$PG_CONFIG" --includedir-server) ${PG_CFLAGS:-}"
	if [ "$(cat .vecidx-build-stamp 2>/dev/null)" != "$stamp" ]; then
		make -s clean PG_CONFIG="$PG_CONFIG" >/dev/null 2>&1 || true
		echo "$stamp" > .vecidx-build-stamp
	fi
	vx_log "building vecidx with $PG_CONFIG${PG_CFLAGS:+ (PG_CFLAGS=$PG_CFLAGS)}"
	make -j"$jobs" PG_CONFIG="$PG_CONFIG" ${PG_CFLAGS:+PG_CFLAGS="$PG_CFLAGS"} || return 1
	if [ ! -w "$PG_PKGLIBDIR" ]; then
		echo "error: cannot write $PG_PKGLIBDIR; run as root or set PG_CONFIG to a writable installation" >&2
		return 1
	fi
	vx_log "installing into $PG_PKGLIBDIR and $PG_SHAREDIR/extension"
	make PG_CONFIG="$PG_CONFIG" ${PG_CFLAGS:+PG_CFLAGS="$PG_CFLAGS"} install >/dev/null || return 1
}

# vx_cluster_start DIR PORT [VAR=VALUE...] [-- PG_CTL_OPTION...]: initdb a
# new cluster in DIR/data (DIR must not hold one) with superuser "postgres"
# and trust authentication, sockets in DIR/socket only, and start it.  DIR
# is created and handed to the cluster user.  The VAR=VALUE pairs are put
# into the server's environment (not initdb's); options after "--" go to
# "pg_ctl start" (e.g. -p WRAPPER, -t SECONDS).  Server log: DIR/server.log.
vx_cluster_start()
{
	local dir="$1" port="$2" user
	local -a senv=() ctlopts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		senv+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	ctlopts=("$@")
	user="$(vx_cluster_user)"
	mkdir -p "$dir/socket"
	chown -R "$user" "$dir"
	chmod 755 "$dir"
	vx_log "initdb $dir/data (owner $user, port $port, socket $dir/socket)"
	vx_as_cluster_user "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust \
		--no-locale -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; vx_die "initdb failed"; }
	cat >>"$dir/data/postgresql.conf" <<CONF

# throwaway cluster made by test/lib/common.sh
port = $port
listen_addresses = ''
unix_socket_directories = '$dir/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
CONF
	vx_as_cluster_user env ${senv[@]+"${senv[@]}"} \
		"$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		${ctlopts[@]+"${ctlopts[@]}"} start >/dev/null ||
		{ tail -n 30 "$dir/server.log" >&2; vx_die "could not start the cluster in $dir/data"; }
}

# vx_cluster_stop DIR: stop the cluster in DIR/data if it is running.
vx_cluster_stop()
{
	vx_cluster_stop_datadir "$1/data"
}

# vx_cluster_stop_datadir PGDATA: stop the server of data directory PGDATA
# if it is running (fast shutdown, immediate if that fails).
vx_cluster_stop_datadir()
{
	local pgdata="$1"
	if [ -f "$pgdata/postmaster.pid" ]; then
		vx_as_cluster_user "$PG_BINDIR/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			vx_as_cluster_user "$PG_BINDIR/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 ||
			true
	fi
}
