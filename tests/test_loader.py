"""The loader on hand-made catalogs: every malformed case gives the right file:line message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from gotcha_kb.kb.loader import load_catalog

GOOD = """\
# Test catalog

## Disk

### T1 — Disk fills up

**Symptom**: `No space left on device` while writing.

**Root cause**: the disk is full.

**Fix**: free space, see T2.
```bash
df -h
```

```signals
keywords: [disk, full]
signals:
  - regex: '(?i)no space left on device'
    why: ENOSPC
checks:
  - run: df -h
    shows: Use% at 100%
```

### T2 — Inodes run out

**Symptom**: inodes.

**Root cause**: many files.

**Fix**: tar them.
"""


def write(tmp_path: Path, text: str, name: str = "cat.md") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def messages(tmp_path: Path, text: str) -> list[str]:
    p = write(tmp_path, text)
    cat = load_catalog([str(p)])
    return [f"{Path(pr.path).name}:{pr.line}: {pr.message}" for pr in cat.problems]


def test_good_catalog_parses_every_part(tmp_path):
    cat = load_catalog([str(write(tmp_path, GOOD))])
    assert cat.problems == []
    t1 = cat.get("t1")
    assert t1 is not None and t1.title == "Disk fills up" and t1.theme == "Disk"
    assert t1.symptom.startswith("`No space left on device`")
    assert t1.root_cause == "the disk is full."
    assert t1.fix.startswith("free space, see T2.")
    assert t1.commands == ["df -h"]
    assert t1.error_strings == ["No space left on device"]
    assert t1.keywords == ["disk", "full"]
    assert t1.signals[0].regex == "(?i)no space left on device" and t1.signals[0].weight == 2.0
    assert t1.checks[0].run == "df -h"
    assert t1.source.line == 5
    assert "signals" not in t1.fix  # the data block is not part of the prose


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda s: s.replace("### T2 — Inodes run out", "### T1 — Inodes run out"), "cat.md:26: duplicate id T1 (first at"),
        (lambda s: s.replace("**Symptom**: inodes.\n", ""), "cat.md:26: T2 has no **Symptom**"),
        (lambda s: s.replace("**Fix**: tar them.\n", ""), "cat.md:26: T2 has no **Fix**"),
        (lambda s: s.replace("**Root cause**: many files.\n", ""), "cat.md:26: T2 has no **Root cause**"),
        (lambda s: s.replace("see T2.", "see U99."), "cat.md:11: T1 refers to U99, which does not exist"),
        (lambda s: s.replace("### T2 — Inodes run out", "### Inodes run out"), "cat.md:26: malformed heading 'Inodes run out'"),
        (lambda s: s.replace("keywords: [disk, full]", "keywords: [disk, full"), "cat.md:18: bad YAML in signals block"),
        (lambda s: s.replace("'(?i)no space left on device'", "'(unclosed'"), "cat.md:19: signals[0]: regex '(unclosed' does not compile"),
        (lambda s: s.replace("    why: ENOSPC", "    fact: 'df.use_pct >>= 3'"), "cat.md:19: signals[0]: bad fact predicate"),
        (lambda s: s.replace("keywords: [disk, full]", "keyword: [disk]"), "cat.md:17: signals block: keyword: Extra inputs are not permitted"),
    ],
)
def test_malformed_catalog_reports_file_and_line(tmp_path, mutate, expected):
    got = messages(tmp_path, mutate(GOOD))
    assert any(m.startswith(expected) for m in got), got


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    bad = GOOD.replace("**Symptom**: inodes.\n", "").replace("see T2.", "see U98.")
    got = messages(tmp_path, bad)
    assert len(got) == 2


def test_unreadable_inputs_are_problems_not_crashes(tmp_path):
    (tmp_path / "bin.md").write_bytes(b"### U1 \x00\x01\x02")
    (tmp_path / "latin.md").write_bytes(b"## Theme\n\n### U1 - caf\xe9\n")
    cat = load_catalog([str(tmp_path / "bin.md"), str(tmp_path / "latin.md"), str(tmp_path / "missing.md")])
    msgs = sorted(f"{Path(p.path).name}:{p.line}: {p.message}" for p in cat.problems)
    assert msgs == [
        "bin.md:1: binary file (NUL byte), not Markdown",
        "latin.md:3: not UTF-8 text",
        "missing.md:0: no such file or folder",
    ]


def test_folder_source_reads_every_md_but_readme(tmp_path):
    write(tmp_path, GOOD, "a.md")
    write(tmp_path, "# Not an entry\n\n### X1 — would be malformed if read\n", "README.md")
    cat = load_catalog([str(tmp_path)])
    assert [e.id for e in cat.entries] == ["T1", "T2"] and cat.problems == []


def test_environment_variable_names_the_catalog(tmp_path, monkeypatch):
    import os

    a = write(tmp_path, GOOD, "a.md")
    b = write(tmp_path, GOOD.replace("T1", "T3").replace("T2", "T4"), "b.md")
    cat = load_catalog(environ={"GOTCHA_CATALOG": f"{a}{os.pathsep}{b}"})
    assert [e.id for e in cat.entries] == ["T1", "T2", "T3", "T4"]


def test_an_entry_that_only_points_elsewhere_is_an_error(tmp_path):
    """A one-paragraph entry whose advice lives in another document gives the reader nothing to do."""
    text = "## Experiments\n\n### U36 — cuDNN nondeterminism\n\nSame seed, different metric. Owned by the verifying-dl-experiments skill.\n"
    got = messages(tmp_path, text)
    assert "cat.md:3: U36 has no **Fix**" in got
    assert any(m.startswith("cat.md:5: refers to a named skill") for m in got), got


@pytest.mark.parametrize(
    "line, what",
    [
        ("Cross-link verifying-dl-experiments **REQUIRED**.", "a REQUIRED cross-link"),
        ("Trust artifacts, not notifications (principle #3).", "a numbered principle"),
        ("Watch `df -i` in Phase 0 and later.", "a numbered phase"),
        ("The full design is in `references/monitoring_patterns.md`.", "a references/*.md document"),
        ("See the corollary in monitoring_patterns §0.", "a numbered section"),
        ("Use the huggingface-skills:huggingface-trackio skill.", "a named skill"),
    ],
)
def test_references_to_outside_documents_are_errors_with_file_and_line(tmp_path, line, what):
    got = messages(tmp_path, GOOD.replace("**Fix**: free space, see T2.", "**Fix**: free space, see T2.\n" + line))
    assert any(m.startswith(f"cat.md:12: refers to {what}") for m in got), got


@pytest.mark.parametrize("line", ["Ubuntu 22.04 is required for H100.", "In the warm-up phase the loss jumps.", "A skill you learn once."])
def test_ordinary_words_are_not_outside_references(tmp_path, line):
    assert messages(tmp_path, GOOD.replace("**Fix**: free space, see T2.", "**Fix**: free space, see T2.\n" + line)) == []


def test_unknown_platform_id_is_an_error_on_its_line(tmp_path):
    profile = (ROOT / "profiles" / "runpod.md").read_text(encoding="utf-8")
    write(tmp_path, profile, "runpod.md")
    write(tmp_path, GOOD.replace("see T2.", "see T2 and RP77."))
    cat = load_catalog([str(tmp_path)])
    got = [f"{Path(p.path).name}:{p.line}: {p.message}" for p in cat.problems if p.path.endswith("cat.md")]
    assert got == ["cat.md:11: T1 refers to RP77, which does not exist"]  # RP prefix known from the profile
