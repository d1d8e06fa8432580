#!/usr/bin/env python3
"""Write the seed corpus of the fuzz targets: test/fuzz/corpus/{text,binary,sparse}.

Hand-picked literals and wire images covering every branch of the parsers
(each error status, blanks, exponents, hex floats, NaN/Inf spellings,
subnormals, the float limits) plus a few small random vectors, generated
with a fixed seed so the files are reproducible.  The files are committed;
rerun this script only to change the seeds:  python3 test/fuzz/make-corpus.py
"""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

TEXT = [
    b"[1,2,3]", b"[1]", b" [ 1 , 2.5 , -3e-2 ] ", b"\t[\n1\r,\v2\f]\n",
    b"[]", b"[ ]", b"", b"1,2", b"(1,2)", b"[1,2", b"[1,,2]", b"[,1]",
    b"[1,]", b"[1 2]", b"[1]x", b"[1] ]", b"[1]]", b"[[1]]", b"[1;2]",
    b"[1e39]", b"[-1e39]", b"[3.4028235e38]", b"[3.4028236e38]",
    b"[1e-45]", b"[1e-50]", b"[-0]", b"[0x1p-149]", b"[0x1.fffffep127]",
    b"[0x1p128]", b"[nan]", b"[NaN]", b"[-nan]", b"[nan(123)]", b"[inf]",
    b"[-Infinity]", b"[infinity]", b"[1e]", b"[1e+]", b"[.5]", b"[5.]",
    b"[.]", b"[+1]", b"[--1]", b"[0x]", b"[1.17549435e-38]",
    b"[1.4e-45,-1.4e-45]", b"[16777217]", b"[0.1,0.2,0.30000001]",
]

SPARSE = [
    b"{1:1.5,3:3.5}/5", b" { 1 : 1.5 ,  3  :  3.5  } / 5 ", b"{}/1", b"{ }/1",
    b"{}", b"{}/", b"{}/1a", b"{", b"", b"[1]", b"{:}/1", b"{,}/1", b"{1,}/1",
    b"{:1}/1", b"{1:}/1", b"{1a:1}/1", b"{1:1a}/1", b"{1:1,}/1", b"{1:1}}/1",
    b"{1:0,2:1,3:0}/3", b"{2:1,1:1}/2", b"{1:1,1:1}/2", b"{1:1,2:1,1:1}/2",
    b"{0:0,9:0}/1", b"{0:1}/1", b"{2:1}/1", b"{-2147483649:1}/1",
    b"{2147483648:1}/1", b"{}/0", b"{}/-1", b"{}/1000000000", b"{}/1000000001",
    b"{}/9223372036854775808", b"{1:4e38}/1", b"{1:-4e38}/1", b"{1:1e-46}/1",
    b"{1:1.4e-45}/1", b"{1:nan}/1", b"{1:-Infinity}/1", b"{1:0x1p-149}/1",
    b"{+1:+1}/+1", b"{1:1 2:1}/3", b"{1;1}/3", b"\t{\n1\r:\v2\f}\n/\t3\n",
    b"{3:1,2:1,3:1,9:1}/3", b"{1:-0,2:-0.0}/2",
]


def f32(x):
    return struct.unpack("!f", struct.pack("!f", x))[0]


def wire(values, dim=None, unused=0, raw=None):
    dim = len(values) if dim is None else dim
    body = b"".join(struct.pack("!f", v) for v in values) if raw is None else raw
    return struct.pack("!hh", dim, unused) + body


BINARY = [
    wire([1.0, 2.0, 3.0]), wire([0.0]), wire([-0.0]), wire([1.5e-45]),
    wire([3.4028234663852886e38, -1.17549435e-38]), wire([1.0], unused=1),
    wire([1.0], unused=-1), wire([], dim=0), wire([], dim=-1),
    wire([], dim=16001), wire([], dim=16000), wire([1.0], dim=2),
    wire([1.0, 2.0])[:-1], wire([1.0]) + b"\x00", b"", b"\x00", b"\x00\x01",
    b"\x00\x01\x00", wire([], dim=1, raw=b"\x7f\xc0\x00\x00"),
    wire([], dim=1, raw=b"\xff\x80\x00\x00"),
    wire([], dim=2, raw=b"\x3f\x80\x00\x00\x7f\x80\x00\x01"),
    wire([], dim=2, raw=b"\x7f\x80\x00\x00\x3f"),
]


def random_vectors(rng):
    for n in (1, 2, 3, 7, 16, 33):
        vals = [f32(rng.uniform(-1, 1) * 10 ** rng.randint(-40, 38)) for _ in range(n)]
        vals = [v if abs(v) != float("inf") else 1.0 for v in vals]
        yield vals


def main():
    rng = random.Random(20261202)
    text = list(TEXT)
    binary = list(BINARY)
    for vals in random_vectors(rng):
        text.append(("[" + ",".join(repr(v) for v in vals) + "]").encode())
        text.append(("[" + ", ".join("%.9g" % v for v in vals) + " ]").encode())
        binary.append(wire(vals))
    sparse = list(SPARSE)
    for vals in random_vectors(rng):
        idx = sorted(rng.sample(range(1, 100), len(vals)))
        sparse.append(("{" + ",".join("%d:%r" % (i, v) for i, v in zip(idx, vals)) +
                       "}/100").encode())
    for name, items in (("text", text), ("binary", binary), ("sparse", sparse)):
        d = os.path.join(HERE, "corpus", name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        for i, data in enumerate(items):
            with open(os.path.join(d, "seed-%03d" % i), "wb") as fh:
                fh.write(data)
        print("%s: %d files" % (d, len(items)))


if __name__ == "__main__":
    main()
