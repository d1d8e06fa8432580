#!/usr/bin/python3
"""Run pgvector's own regression files against vecidx, statement by statement.

pgvector's regression suite (test/sql and test/expected inside the source
archive in ../shared/peers) is the specification of the SQL surface vecidx
replaces.  This script extracts it at test time (nothing of it is copied into
the project), runs it with pg_regress against a running server with
--load-extension=vecidx, and compares every statement's output with
pgvector's expected output.  Each statement that differs is one of:

  unsupported   it uses an access method vecidx does not have (ivfflat),
                or sits in a section of a file about it;
  deliberate    a documented difference (DELIBERATE below; the README's
                "Differences from pgvector" says why);
  unexpected    anything else: a behaviour difference that is a bug.

Exit status 1 when any statement is unexpected (or nothing ran), 0 otherwise;
the last line is "N passed, N failed" over the statements compared (the
unsupported ones are reported, not counted).

Usage: pgvector_compat.py [--archive PATH] [--pg-regress PATH] [--bindir DIR]
                          [--host H --port P] [--keep DIR] [FILE ...]
Environment: PGHOST, PGPORT, PGUSER as for psql.  Without an archive (CI
without ../shared) it prints SKIP and exits 0.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_ARCHIVE = os.path.join(os.path.dirname(REPO), "shared", "peers", "pgvector-0.8.6.tar.gz")

# the access method of pgvector that vecidx does not provide: ivfflat (the
# halfvec, sparsevec and bit types and their hnsw operator classes are there)
UNSUPPORTED_WORDS = re.compile(r"\b(ivfflat)\b", re.I)
# whole files about it
UNSUPPORTED_FILES = {"ivfflat_bit", "ivfflat_halfvec", "ivfflat_vector"}
# section comments that open a part of a file about one of them (none left
# since sparsevec arrived; btree.sql and copy.sql have "-- sparsevec" parts)
UNSUPPORTED_SECTION = re.compile(r"^--\s*(ivfflat)\s*$")

# (file, regular expression matched against the statement, why we differ)
DELIBERATE = [
    ("vector_type", r"^SELECT vector_combine\('\{0\}', '\{0\}'\);$",
     "the combine of two empty avg/sum states is the empty state {0} (parallel avg over an "
     "empty table needs it); pgvector raises an error"),
    ("hnsw_vector", r"^SET hnsw\.ef_search = (0|1001);$",
     "hnsw.ef_search goes up to 100,000 (pgvector: 1,000): ef_search is also our rescore "
     "depth and the iterative scans' batch size, so the message names another range and "
     "1001 is accepted"),
    ("hnsw_vector", r"^SHOW hnsw\.scan_mem_multiplier;$",
     "hnsw.scan_mem_multiplier defaults to 3 (pgvector: 1): a scan holds about 485 bytes per "
     "visited node at m = 16 (copied neighbour lists), so at 1 the default 4 MB work_mem ended "
     "iterative scans near 14,000 visited nodes, long before hnsw.max_scan_tuples"),
    ("hnsw_vector", r"^CREATE INDEX ON t USING hnsw \(val vector_l2_ops\);$",
     "vecidx indexes up to 7,940 dimensions at m = 16 (pgvector: 2,000); this statement "
     "runs on a vector(2001) column"),
    ("hnsw_halfvec", r"^CREATE INDEX ON t USING hnsw \(val halfvec_l2_ops\);$",
     "vecidx indexes halfvec up to 7,940 dimensions at m = 16, as vector (pgvector: 4,000); "
     "this statement runs on a halfvec(4001) column"),
    ("hnsw_bit", r"^CREATE INDEX ON t USING hnsw \(val bit_hamming_ops\);$",
     "vecidx indexes bit up to 63,520 bits at m = 16, what one node holds in a page "
     "(pgvector: 64,000): bit(64000) is refused, bit(64001) with our limit in the message"),
    ("hnsw_bit", r"^CREATE INDEX ON t USING hnsw \(\(val::bit\(64001\)\) bit_hamming_ops\);$",
     "vecidx indexes bit up to 63,520 bits at m = 16 (pgvector: 64,000): the message "
     "names our limit"),
    ("hnsw_sparsevec", r"^CREATE INDEX ON t USING hnsw \(val sparsevec_l2_ops\);$",
     "vecidx indexes sparsevec rows of up to 992 non-zero elements at m = 16, what one node "
     "holds in a page (pgvector: 1,000): the message names our limit, with a DETAIL"),
    ("hnsw_sparsevec", r"^INSERT INTO t \(val\) VALUES \(array_fill\(1, ARRAY\[1001\]\)::vector::sparsevec\);$",
     "vecidx indexes sparsevec rows of up to 992 non-zero elements at m = 16 (pgvector: "
     "1,000): the insert's message names our limit, with a DETAIL"),
]


def split_statements(sql_text):
    """psql input as pgvector's files write it: backslash commands and comment lines
    are one line each; other statements run to a line ending in ';'."""
    out, cur = [], []
    for line in sql_text.split("\n"):
        if not cur and (line.startswith("\\") or line.startswith("--") or not line.strip()):
            if line.strip():
                out.append([line])
            continue
        cur.append(line)
        if line.rstrip().endswith(";"):
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def split_output(out_text, statements):
    """Output of each statement in a psql -a transcript: the lines after its echo
    up to the echo of the next one."""
    lines = out_text.split("\n")
    pos, starts = 0, []
    for st in statements:
        n = len(st)
        found = None
        for i in range(pos, len(lines) - n + 1):
            if lines[i:i + n] == st:
                found = i
                break
        if found is None:
            starts.append(None)
            continue
        starts.append(found)
        pos = found + n
    res = []
    for k, st in enumerate(statements):
        if starts[k] is None:
            res.append(None)
            continue
        end = len(lines)
        for later in starts[k + 1:]:
            if later is not None:
                end = later
                break
        res.append("\n".join(lines[starts[k] + len(st):end]).strip("\n"))
    return res


def classify(name, statements, expected, actual):
    rows = []
    unsupported_section = name in UNSUPPORTED_FILES
    for st, exp, act in zip(statements, expected, actual):
        text = "\n".join(st)
        if st[0].startswith("--"):
            if UNSUPPORTED_SECTION.match(st[0]):
                unsupported_section = True
            elif re.match(r"^--\s*\w+\s*$", st[0]) and name not in UNSUPPORTED_FILES:
                unsupported_section = False
            continue
        if exp is not None and act is not None and exp == act:
            rows.append(("same", text, None))
            continue
        if unsupported_section or UNSUPPORTED_WORDS.search(text):
            rows.append(("unsupported", text, None))
            continue
        why = next((w for f, rx, w in DELIBERATE
                    if f == name and re.search(rx, text, re.S)), None)
        if why:
            rows.append(("deliberate", text, why))
            continue
        rows.append(("unexpected", text, (exp, act)))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--archive", default=os.environ.get("VECIDX_PGVECTOR_ARCHIVE", DEFAULT_ARCHIVE))
    ap.add_argument("--pg-regress", required=True)
    ap.add_argument("--bindir", required=True, help="directory of psql")
    ap.add_argument("--host", default=os.environ.get("PGHOST"))
    ap.add_argument("--port", default=os.environ.get("PGPORT"))
    ap.add_argument("--keep", help="keep the extracted files and results in this directory")
    ap.add_argument("files", nargs="*", help="pgvector test names (default: all)")
    args = ap.parse_args(argv)

    if not os.path.exists(args.archive):
        print("SKIP: pgvector source archive not found at %s" % args.archive)
        return 0
    work = args.keep or tempfile.mkdtemp(prefix="vecidx-pgvector-compat-")
    os.makedirs(work, exist_ok=True)
    try:
        with tarfile.open(args.archive) as tar:
            members = [m for m in tar.getmembers()
                       if re.search(r"/test/(sql|expected)/[^/]+\.(sql|out)$", m.name)]
            tar.extractall(work, members=members)
        top = os.path.join(work, members[0].name.split("/")[0])
        names = args.files or sorted(f[:-4] for f in os.listdir(os.path.join(top, "test", "sql")))
        outdir = os.path.join(work, "out")
        os.makedirs(os.path.join(outdir, "results"), exist_ok=True)
        cmd = [args.pg_regress, "--inputdir=" + os.path.join(top, "test"),
               "--outputdir=" + outdir, "--bindir=" + args.bindir,
               "--load-extension=vecidx", "--dbname=vecidx_pgvector_compat"]
        if args.host:
            cmd.append("--host=" + args.host)
        if args.port:
            cmd.append("--port=" + str(args.port))
        # copy.sql writes results/vector.bin relative to psql's working directory
        subprocess.run(cmd + names, cwd=outdir, stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT)
        totals = {"same": 0, "deliberate": 0, "unsupported": 0, "unexpected": 0}
        for name in names:
            with open(os.path.join(top, "test", "sql", name + ".sql")) as f:
                statements = split_statements(f.read())
            with open(os.path.join(top, "test", "expected", name + ".out")) as f:
                expected = split_output(f.read(), statements)
            res_path = os.path.join(outdir, "results", name + ".out")
            if not os.path.exists(res_path):
                print("%-16s no output (pg_regress did not run it)" % name)
                totals["unexpected"] += 1
                continue
            with open(res_path) as f:
                actual = split_output(f.read(), statements)
            rows = classify(name, statements, expected, actual)
            counts = {k: sum(1 for r in rows if r[0] == k) for k in totals}
            for k in totals:
                totals[k] += counts[k]
            print("%-16s %3d same, %2d deliberate, %3d unsupported, %2d unexpected" % (
                name, counts["same"], counts["deliberate"], counts["unsupported"],
                counts["unexpected"]))
            for kind, text, info in rows:
                if kind == "deliberate":
                    print("    deliberate: %s\n        %s" % (text.replace("\n", " "), info))
                elif kind == "unexpected":
                    exp, act = info
                    print("    UNEXPECTED: %s" % text.replace("\n", " "))
                    print("      pgvector: %s" % (exp or "(not found)").replace("\n", "\n                "))
                    print("      vecidx:   %s" % (act or "(not found)").replace("\n", "\n                "))
        compared = totals["same"] + totals["deliberate"] + totals["unexpected"]
        print("pgvector 0.8.6 regression statements: %d compared, %d same, %d deliberate "
              "differences, %d unexpected; %d not compared (ivfflat, which vecidx lacks)" % (
                  compared, totals["same"], totals["deliberate"], totals["unexpected"],
                  totals["unsupported"]))
        print("%d passed, %d failed" % (totals["same"] + totals["deliberate"], totals["unexpected"]))
        return 1 if totals["unexpected"] or compared == 0 else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
