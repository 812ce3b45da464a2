"""Adding a gotcha is one Markdown section and no code or test change: this test does exactly that."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = """
### {id} — Saving a checkpoint fails with `zipfile.LargeZipFile` on an old torch

**Symptom**: `torch.save` of a large model stops with `zipfile.LargeZipFile: Filesize would require
ZIP64 extensions`, and the half-written file is left behind.

**Root cause**: the installed torch writes its archive without ZIP64 support, so files over 4 GiB fail.

**Fix**: upgrade torch, or save the state dict in shards:
```bash
pip install -U torch
```

```signals
keywords: [zip64, largezipfile, "checkpoint over 4gb"]
signals:
  - regex: 'Filesize would require ZIP64 extensions'
    weight: 6
    why: the archive writer refused a file over 4 GiB
checks:
  - run: python -c "import torch; print(torch.__version__)"
    shows: the torch version that wrote the archive
```
"""


def _next_id(gotchas: Path) -> str:
    used = [int(n) for f in gotchas.glob("*.md") for n in re.findall(r"^### U(\d+) ", f.read_text(encoding="utf-8"), re.M)]
    return f"U{max(used) + 1}"


def test_a_new_section_is_a_new_entry_everywhere(tmp_path):
    from gotcha_kb.engine.diagnose import Engine
    from gotcha_kb.kb.index import build_index
    from gotcha_kb.kb.loader import load_catalog
    from gotcha_kb.kb.search import SearchIndex, lookup

    for folder in ("gotchas", "profiles"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    new_id = _next_id(tmp_path / "gotchas")
    target = sorted((tmp_path / "gotchas").glob("[0-9]*.md"))[-1]
    target.write_text(target.read_text(encoding="utf-8") + SECTION.format(id=new_id), encoding="utf-8")

    cat = load_catalog([str(tmp_path / "gotchas"), str(tmp_path / "profiles")])
    assert not [p for p in cat.problems if p.severity == "error"], cat.problems[:3]
    entry = cat.get(new_id)
    assert entry is not None and entry.commands and entry.checks

    index = build_index(cat)
    found = lookup(index, SearchIndex(index), "LargeZipFile")["matches"]
    assert found and found[0]["id"] == new_id

    d = Engine(cat).diagnose("RuntimeError: zipfile.LargeZipFile: Filesize would require ZIP64 extensions")
    assert d.matches and d.matches[0].id == new_id
