"""Sequential timing of queries, shared by the server (pgserver) and in-process (inproc) runs."""

import time

import numpy as np


def time_each(items, run, done=None):
    """run(item) for each item, one at a time.

    Returns (results, latency seconds per item, wall seconds).  A latency
    covers run() alone; done(result), when given, turns the result into what
    is kept (checks, decoding) outside the latency but inside the wall time.
    """
    results = []
    lat = np.empty(len(items))
    perf = time.perf_counter
    t_start = perf()
    for i, item in enumerate(items):
        t0 = perf()
        res = run(item)
        lat[i] = perf() - t0
        results.append(res if done is None else done(res))
    return results, lat, perf() - t_start
