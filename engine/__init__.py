import os
import sys

if "numpy" not in sys.modules:
    # The engine's matrix products are small (engine/minilm.py: at most 256 x 1536): BLAS threads
    # cost more than they save, and a server's requests or several processes already share the
    # cores (the test suite ran 2.6x slower with them). A caller who set these keeps its value.
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
