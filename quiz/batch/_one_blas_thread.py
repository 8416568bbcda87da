"""Imported first by the fork server of the batch's workers (``pool.PRELOAD``), before NumPy: one BLAS thread.

A worker grades one candidate at a time and there is a worker per core, so more BLAS threads would only compete;
and a fork server whose NumPy had started BLAS threads would fork from a multi-threaded process, which is what
the fork server is there to avoid. An explicit setting in the environment is kept.
"""

from __future__ import annotations

import os

BLAS_THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
)

for _name in BLAS_THREAD_VARIABLES:
    os.environ.setdefault(_name, "1")
