// hnswlib_native.cpp -- hnswlib (Debian's libhnswlib-dev headers) compiled with
// -O3 -march=native, driven by test/bench/inproc.py as a subprocess: the
// in-process reference "hnswlib-native" of the benchmark.  It is a measuring
// stick only; nothing of it is part of vecidx.
//
// Usage: hnswlib_native SPACE DIM M EF_CONSTRUCTION BASE.f32 QUERIES.f32 K
//   SPACE is l2 or ip (inner product on vectors the caller normalised: cosine).
//   The .f32 files are raw little-endian float32 rows of DIM values.
// Builds the index on one thread (the build time goes to stdout as
// "built SECONDS BYTES"), then reads commands from stdin, one per line:
//   run EF      search every query one at a time with ef = EF; answers
//               "ok NQ WALL_SECONDS" and then NQ*K int32 ids and NQ float64
//               per-query latencies (seconds) as raw bytes on stdout
//   quit
#include <hnswlib/hnswlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

static std::vector<float>
read_rows(const char *path, size_t dim, size_t *nrows)
{
	std::ifstream f(path, std::ios::binary | std::ios::ate);
	if (!f)
	{
		std::fprintf(stderr, "cannot open %s\n", path);
		std::exit(2);
	}
	size_t bytes = (size_t) f.tellg();
	if (bytes % (dim * sizeof(float)) != 0)
	{
		std::fprintf(stderr, "%s: not a whole number of rows\n", path);
		std::exit(2);
	}
	*nrows = bytes / (dim * sizeof(float));
	std::vector<float> v(bytes / sizeof(float));
	f.seekg(0);
	f.read(reinterpret_cast<char *>(v.data()), bytes);
	return v;
}

int
main(int argc, char **argv)
{
	if (argc != 8)
	{
		std::fprintf(stderr, "usage: %s l2|ip DIM M EF_CONSTRUCTION BASE QUERIES K\n", argv[0]);
		return 2;
	}
	std::string space_name = argv[1];
	size_t dim = std::strtoul(argv[2], nullptr, 10);
	size_t m = std::strtoul(argv[3], nullptr, 10);
	size_t efc = std::strtoul(argv[4], nullptr, 10);
	size_t k = std::strtoul(argv[7], nullptr, 10);
	size_t n, nq;
	std::vector<float> base = read_rows(argv[5], dim, &n);
	std::vector<float> queries = read_rows(argv[6], dim, &nq);

	hnswlib::SpaceInterface<float> *space;
	if (space_name == "l2")
		space = new hnswlib::L2Space(dim);
	else
		space = new hnswlib::InnerProductSpace(dim);

	auto t0 = std::chrono::steady_clock::now();
	auto *index = new hnswlib::HierarchicalNSW<float>(space, n, m, efc, 100);
	for (size_t i = 0; i < n; i++)
		index->addPoint(base.data() + i * dim, i);
	double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	size_t bytes = index->max_elements_ * index->size_data_per_element_;
	for (size_t i = 0; i < n; i++)
		bytes += index->element_levels_[i] > 0 ?
			index->size_links_per_element_ * index->element_levels_[i] : 0;
	std::printf("built %.6f %zu\n", build_s, bytes);
	std::fflush(stdout);

	std::vector<int32_t> ids(nq * k);
	std::vector<double> lat(nq);
	std::string cmd;
	while (std::cin >> cmd)
	{
		if (cmd == "quit")
			break;
		if (cmd != "run")
		{
			std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
			return 2;
		}
		size_t ef;
		std::cin >> ef;
		index->setEf(ef);
		std::fill(ids.begin(), ids.end(), -1);
		auto w0 = std::chrono::steady_clock::now();
		for (size_t q = 0; q < nq; q++)
		{
			auto q0 = std::chrono::steady_clock::now();
			auto res = index->searchKnn(queries.data() + q * dim, k);
			lat[q] = std::chrono::duration<double>(std::chrono::steady_clock::now() - q0).count();
			// the priority queue pops the farthest first
			for (size_t j = res.size(); j > 0; j--)
			{
				ids[q * k + j - 1] = (int32_t) res.top().second;
				res.pop();
			}
		}
		double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
		std::printf("ok %zu %.9f\n", nq, wall);
		std::fflush(stdout);
		std::fwrite(ids.data(), sizeof(int32_t), ids.size(), stdout);
		std::fwrite(lat.data(), sizeof(double), lat.size(), stdout);
		std::fflush(stdout);
	}
	delete index;
	delete space;
	return 0;
}
