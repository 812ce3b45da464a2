"""Environment dumps: `python -m torch.utils.collect_env` and `transformers-cli env` (the blocks
issue templates ask for).

Such a dump describes the install, not the failure, yet it is most of the words of a report that
carries one: versions, CPU flags, library lists. Its lines are claimed, so the text models read the
report's own words. A dump alone then leaves nothing to match, which is the honest answer.

Only what the dump shows to be wrong is a fact: torch cannot reach CUDA, or is a CPU-only build.
A healthy dump is no reading for or against any entry (it would count as "readings that back
nothing" under an unrelated error).
"""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment
from gotcha_kb.engine.unexplained import ERROR_LINE

NAME = "env_dump"
FACTS = {
    "torch.cuda_available": "0 when the dump says torch cannot use CUDA (`Is CUDA available: False`)",
    "torch.cpu_build": "1 when the installed torch is a CPU-only build (`+cpu`, `CUDA used to build PyTorch: None`)",
}

# The fields collect_env prints, in its own words: a line opening with one of them is the dump's.
_COLLECT_ENV_KEYS = (
    "Collecting environment information", "PyTorch version:", "Is debug build:", "CUDA used to build PyTorch:",
    "ROCM used to build PyTorch:", "OS:", "GCC version:", "Clang version:", "CMake version:", "Libc version:",
    "Python version:", "Python platform:", "Is CUDA available:", "CUDA runtime version:",
    "CUDA_MODULE_LOADING set to:", "GPU models and configuration:", "Nvidia driver version:", "cuDNN version:",
    "HIP runtime version:", "MIOpen runtime version:", "Is XNNPACK available:", "CPU:",
    "Versions of relevant libraries:", "Probably one of the following:",
)
_LIBRARY = re.compile(r"^\[(?:pip3?|conda)\] ")
_GPU = re.compile(r"^GPU \d+: ")
_LIBFILE = re.compile(r"^/\S+\.so(?:\.[\d.]+)?$")  # cuDNN's "Probably one of the following:" list
_LSCPU = re.compile(r"^[A-Z][\w ()/.,-]{0,60}:\s{2,}\S")  # `Model name:      AMD EPYC ...` (wide gap: lscpu)
# transformers-cli / huggingface-cli env: "- `transformers` version: 4.41.2", "- Platform: Linux-..."
_HF_FIELD = re.compile(r"^- [`\w][^:]{0,60}: ")
_HF_START = ("- `transformers` version:", "- huggingface_hub version:", "- `diffusers` version:", "- `accelerate` version:")
_TORCH_VERSION = re.compile(r"^PyTorch version:\s*(\S+)")
_HF_TORCH = re.compile(r"^- PyTorch version \(GPU\?\):\s*(\S+)\s*\((True|False)\)")


def sniff(seg: Segment) -> bool:
    return any(ln.text.startswith(("PyTorch version:", "Collecting environment information", *_HF_START)) for ln in seg.lines)


def parse(seg: Segment) -> Reading:
    r = Reading()
    in_dump = in_hf = False
    for ln in seg.lines:
        t = ln.text.rstrip()
        if t.startswith(_COLLECT_ENV_KEYS):
            in_dump = True
        elif t.startswith(_HF_START):
            in_hf = True
        elif not t:
            in_hf = False  # collect_env has blank lines between its groups; the HF list has none
            continue
        elif ERROR_LINE.search(t) or not ((in_dump and (_LIBRARY.match(t) or _GPU.match(t) or _LIBFILE.match(t) or _LSCPU.match(t)))
                                          or (in_hf and _HF_FIELD.match(t))):
            in_dump = in_hf = False  # the report goes on: its lines are its own
            continue
        r.claimed.add(ln.no)
        _facts(r, t, ln.no)
    return r


def _facts(r: Reading, t: str, no: int) -> None:
    if t.startswith("Is CUDA available:") and t.split(":", 1)[1].strip() == "False":
        r.facts.append(Fact("torch.cuda_available", 0, no))
    elif t.startswith("CUDA used to build PyTorch:") and t.split(":", 1)[1].strip() == "None":
        r.facts.append(Fact("torch.cpu_build", 1, no))
    elif (m := _TORCH_VERSION.match(t)) and m.group(1).endswith("+cpu"):
        r.facts.append(Fact("torch.cpu_build", 1, no))
    elif m := _HF_TORCH.match(t):
        if m.group(1).endswith("+cpu"):
            r.facts.append(Fact("torch.cpu_build", 1, no))
        if m.group(2) == "False":
            r.facts.append(Fact("torch.cuda_available", 0, no))
