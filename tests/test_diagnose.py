"""engine/diagnose.py end to end: facts, signals, abstention, platforms, what the user sees."""

from __future__ import annotations

import json
import random

import pytest

from gotcha_kb.cli.main import main
from gotcha_kb.engine.probe import SECTIONS, probe_script


def test_diagnose_never_echoes_a_secret(engine):
    key = "hf_ZyXwVuTsRqPoNmLkJiHgFeDcBa98765"
    paste = f"HF_TOKEN={key} python train.py\n[ 12.3] Out of memory: Killed process 4242 (python) total-vm:1kB\nKilled\n"
    d = engine.diagnose(paste)
    assert key not in d.model_dump_json()


def test_inodes_beat_bytes_when_df_says_so(engine):
    paste = (
        "cp: cannot create regular file 'out/sample_91823.png': No space left on device\n"
        "$ df -h /root/autodl-tmp\nFilesystem      Size  Used Avail Use% Mounted on\n/dev/vdb        50G   17G   34G  34% /root/autodl-tmp\n"
        "$ df -i /root/autodl-tmp\nFilesystem     Inodes  IUsed IFree IUse% Mounted on\n/dev/vdb       3276800 3276800 0  100% /root/autodl-tmp\n"
    )
    d = engine.diagnose(paste)
    assert not d.abstained and d.matches[0].id == "U7"
    assert d.facts["df.inode_use_pct"] == 100 and d.facts["df.use_pct"] == 34
    kinds = {e.kind for e in d.matches[0].evidence}
    assert "fact" in kinds and any(e.line for e in d.matches[0].evidence)


def test_oom_kill_zero_argues_against_oom(engine):
    base = "my run died overnight, the log just ends with Killed\n"
    with_zero = engine.diagnose(base + "$ cat /sys/fs/cgroup/memory.events\nlow 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", top_k=10)
    with_kill = engine.diagnose(base + "$ cat /sys/fs/cgroup/memory.events\nlow 0\nhigh 0\nmax 12\noom 3\noom_kill 3\n", top_k=10)

    def score(d, eid):
        return next((m.score for m in d.matches if m.id == eid), float("-inf"))

    assert score(with_kill, "U9") > score(with_zero, "U9")
    assert with_kill.matches[0].id == "U9"


def test_ambiguous_death_suggests_the_discriminating_check(engine):
    d = engine.diagnose("training vanished overnight, no traceback, log just stops. was it OOM?")
    runs = [c.run for c in d.next_checks]
    assert any("oom_kill" in r for r in runs), runs


@pytest.mark.parametrize(
    "paste",
    [
        "ModuleNotFoundError: No module named 'timm'",
        "  File \"train.py\", line 12\n    print 'hello'\n          ^\nSyntaxError: Missing parentheses in call to 'print'",
        "! [rejected]        main -> main (non-fast-forward)\nerror: failed to push some refs",
        "what learning rate should I use for ViT-B on ImageNet?",
    ],
)
def test_out_of_scope_errors_abstain(engine, paste):
    d = engine.diagnose(paste)
    assert d.abstained and d.matches == []


def test_platform_values_are_filled_and_platform_inferred(engine):
    paste = "on AutoDL: cp fails with No space left on device but df -h says 30% used on /root/autodl-fs"
    d = engine.diagnose(paste)
    assert d.platform == "autodl" and d.platform_inferred
    d = engine.diagnose("No space left on device while df -h shows plenty free; df -i says 100%", platform="autodl", top_k=5)
    u7 = next(m for m in d.matches if m.id == "U7")
    assert u7.profile_values == {"inode_cap": "~200K"}


def test_unknown_platform_is_an_error(engine):
    with pytest.raises(ValueError, match="unknown platform"):
        engine.diagnose("Killed", platform="mars")


def test_probe_bundle_sections_reach_their_parsers(engine):
    script = probe_script()
    assert script.startswith("#!/bin/sh") and all(f"sec {name};" in script for name, _ in SECTIONS)
    bundle = (
        "\n===== gotcha-probe: uptime =====\n 10:00:01 up 3 min,  0 users,  load average: 0.10, 0.20, 0.10\n"
        "\n===== gotcha-probe: cgroup-memory-events =====\nlow 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"
        "\n===== gotcha-probe: dmesg =====\n"
        "\n===== gotcha-probe: nvidia-query =====\nindex, utilization.gpu [%], memory.used [MiB], memory.total [MiB]\n0, 0 %, 3 MiB, 81559 MiB\n"
    )
    d = engine.diagnose("the detached run is gone, log stops after 'Starting training'\n" + bundle)
    assert d.facts["uptime.minutes"] == 3 and d.facts["cgroup.oom_kill"] == 0 and d.facts["dmesg.oom_kill"] == 0
    assert d.matches and d.matches[0].id == "U3"


def test_huge_log_finds_the_error_at_the_end(engine):
    rng = random.Random(1)
    noise = "".join(f"epoch {i // 100} step {i} loss {rng.random():.4f} lr 3e-4\n" for i in range(20000))
    paste = noise + "[ 99.1] NVRM: Xid (PCI:0000:3b:00): 79, pid=4242, GPU has fallen off the bus.\n"
    assert len(paste) > 500_000
    d = engine.diagnose(paste)
    assert d.matches[0].id == "U22" and d.facts["dmesg.xid"] == [79]


def test_cli_diagnose_exit_codes_and_json(capsys):
    assert main(["diagnose", "--json", "[ 5.5] NVRM: Xid (PCI:0000:3b:00): 79, pid=1, GPU has fallen off the bus."]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["matches"][0]["id"] == "U22" and data["abstained"] is False
    assert {"id", "title", "confidence", "evidence", "fix"} <= set(data["matches"][0])
    assert isinstance(data["next_checks"], list)
    assert main(["diagnose", "--json", "ModuleNotFoundError: No module named 'timm'"]) == 1
    assert json.loads(capsys.readouterr().out)["abstained"] is True
    assert main(["diagnose", "   "]) == 2
    assert main(["diagnose", "Killed", "--platform", "mars"]) == 2
    assert main(["diagnose", "--file", "/nonexistent/log.txt"]) == 2


def test_probe_script_runs_under_sh_and_diagnose_reads_its_output(engine, tmp_path):
    import shutil
    import subprocess

    sh = shutil.which("sh")
    if sh is None:
        pytest.skip("no sh")
    script = tmp_path / "probe.sh"
    script.write_text(probe_script(), encoding="utf-8")
    assert subprocess.run([sh, "-n", str(script)], capture_output=True).returncode == 0
    out = subprocess.run([sh, str(script)], capture_output=True, text=True, timeout=60).stdout
    assert out.count("===== gotcha-probe:") == len(SECTIONS)
    d = engine.diagnose("the job on this box died\n" + out)
    # This machine has no GPU; the readings that exist everywhere must still come through.
    assert {"uptime.minutes", "df.use_pct", "df.inode_use_pct", "free.mem_total_mib"} <= set(d.facts)


@pytest.mark.parametrize(
    "paste, platform",
    [
        ("ssh -p 41822 root@connect.westb.seetacloud.com", "autodl"),
        ("du -sh /root/autodl-tmp/cache", "autodl"),
        ("Connection to ssh5.vast.ai closed.", "vastai"),
        ("runpodctl send ckpt.pt", "runpod"),
        ("ls /notebooks/data", "paperspace"),
        ("cd /mnt/c/Users/me/proj && python train.py", "local"),
        ("sbatch train.sh && squeue -u me", None),  # a scheduler is not a platform of ours
        ("在矩池云上跑训练", "china"),  # CJK hints match without word edges
        ("I hit Restart in the Lambda dashboard", "lambda"),
        ("key=lambda x: x[1]", None),  # Python's lambda is not the platform
        ("在 Lambda 上开了个 instance", "lambda"),  # the capitalised name is
        ("LAMBDA = 0.1  # loss weight", None),  # an ambiguous word matches only as the profile writes it
        ("ls /home/me/notebooks", None),  # a path that only ends like a hint
        ("runpodctl send a; vastai show instances", None),  # two platforms: do not guess
    ],
)
def test_platform_inferred_from_profile_hints(engine, paste, platform):
    assert engine._infer_platform(paste) == platform


def test_platform_gotchas_compete_when_the_platform_is_unknown(engine):
    a = engine.analyze("the bill keeps growing although the instance says powered off")
    assert a.platform is None
    placed = {c.entry.id: c.features["unplaced"] for c in a.scored}
    assert any(v == 1.0 and i[0].isalpha() and not i.startswith("U") for i, v in placed.items())
    assert all(v == 0.0 for i, v in placed.items() if i.startswith("U"))
    a = engine.analyze("the bill keeps growing although the instance says powered off", platform="lambda")
    assert {c.entry.platform for c in a.scored} <= {None, "lambda"}
    assert all(c.features["unplaced"] == 0.0 for c in a.scored)


def test_an_error_line_the_top_candidate_does_not_explain_is_flagged(engine):
    a = engine.analyze("ValueError: Expected input batch_size (64) to match target batch_size (32).")
    assert a.scored and a.scored[0].features["unexplained"] == 1.0
    a = engine.analyze("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB")
    assert a.scored[0].entry.id in ("U10", "U11") and a.scored[0].features["unexplained"] == 0.0


def test_readings_that_do_not_back_a_candidate_are_flagged(engine):
    full = "$ df -i /data\nFilesystem      Inodes   IUsed IFree IUse% Mounted on\n/dev/vdb      6553600 6553600     0  100% /data\n"
    a = engine.analyze(full + "cp: cannot create regular file: No space left on device")
    u7 = next(c for c in a.scored if c.entry.id == "U7")
    assert u7.features["unbacked"] == 0.0  # the inode reading speaks for U7
    healthy = "$ df -i /data\nFilesystem      Inodes IUsed   IFree IUse% Mounted on\n/dev/vdb      6553600 91000 6462600    2% /data\n"
    a = engine.analyze(healthy + "are my inodes ok?")
    u7 = next(c for c in a.scored if c.entry.id == "U7")
    assert u7.features["unbacked"] == 1.0
    a = engine.analyze("are my inodes running out?")  # no readings at all: nothing to hold against it
    assert all(c.features["unbacked"] == 0.0 for c in a.scored)


def test_scope_is_leave_one_out_in_evals(engine):
    case = next(c for c in engine.cases if not c.expect)
    inside = engine.analyze(case.input, platform=case.platform).context.scope
    held_out = engine.analyze(case.input, platform=case.platform, exclude_case=case.id).context.scope
    assert held_out > inside  # without its own words the negative looks less out-of-scope


@pytest.mark.parametrize(
    ("paste", "entry"),
    [
        (" 11:20:41 up 6 days,  4:02,  1 user,  load average: 3.12, 3.40, 3.28\n"
         "$ free -h\n               total        used        free      shared  buff/cache   available\n"
         "Mem:            62Gi        18Gi        21Gi       1.1Gi        23Gi        43Gi\n", "U41"),
        ("$ df -h\nFilesystem      Size  Used Avail Use% Mounted on\n/dev/vdb        500G   96G  405G  20% /data\n"
         "$ df -i\nFilesystem       Inodes  IUsed    IFree IUse% Mounted on\n/dev/vdb       32768000 412000 32356000    2% /data\n", "U7"),
    ],
)
def test_healthy_readings_count_against_the_entry_they_would_prove(engine, paste, entry):
    a = engine.analyze(paste + "is this normal?")
    cand = next(c for c in a.scored if c.entry.id == entry)
    assert cand.features["signal_neg"] < 0
    assert any(ev.weight < 0 and ev.kind == "fact" for ev in cand.evidence)


def test_a_paste_of_parsed_output_only_is_not_held_to_have_foreign_words(engine):
    paste = "$ df -i /data\nFilesystem      Inodes   IUsed IFree IUse% Mounted on\n/dev/vdb      6553600 6553600     0  100% /data\n"
    a = engine.analyze(paste)
    assert a.parsed.facts  # the parser read it all...
    assert a.context.coverage == 1.0  # ...so there are no words outside the domain to count against it
    assert engine.analyze("KeyError: 'zorblax' in quuxification").context.coverage < 1.0


def test_next_checks_only_separate_candidates_worth_showing(engine):
    """A check for a candidate too faint to be shown splits nothing the reader can see."""
    from gotcha_kb.engine.brief import FAINT, shown

    texts = [
        "torch.save failed: RuntimeError: PytorchStreamWriter failed writing file data/0: file write failed",
        "training died after 20 min, the log just ends with Killed, num_workers=16",
        "bash: ./run.sh: /bin/bash^M: bad interpreter: No such file or directory",
    ]
    faint_seen = 0
    for text in texts:
        d = engine.diagnose(text, top_k=5)
        assert not d.abstained
        visible = {m.id for m in shown(d.matches)}
        faint_seen += sum(1 for m in d.matches[:3] if m.confidence < FAINT)
        for check in d.next_checks:
            assert set(check.separates) <= visible, (text, check)
    assert faint_seen  # the texts do have faint candidates among the first three: the rule is exercised


def test_shared_words_shown_are_whole_words_before_chinese_bigrams(engine):
    import re

    d = engine.diagnose("训练到一半报错 OSError: [Errno 28] No space left on device，但是 df -h 显示还有 200G 空间", top_k=5)
    shown_words = [re.findall(r"'([^']+)'", ev.why) for m in d.matches for ev in m.evidence if ev.why.startswith("reads like")]
    assert shown_words
    for words in shown_words:
        cjk = [bool(re.match(r"[\u4e00-\u9fff]", w)) for w in words]
        assert cjk == sorted(cjk), words  # no bigram before a whole word


_ENV_DUMP = """Collecting environment information...
PyTorch version: 2.3.0+cu121
Is debug build: False
CUDA used to build PyTorch: 12.1
OS: Ubuntu 22.04.4 LTS (x86_64)
Python version: 3.10.14 (main, Mar 21 2024, 16:24:04) [GCC 11.2.0] (64-bit runtime)
Is CUDA available: True
GPU models and configuration: GPU 0: NVIDIA GeForce RTX 4090
Nvidia driver version: 550.54.15

Versions of relevant libraries:
[pip3] numpy==1.26.4
[pip3] torch==2.3.0
"""


def test_an_environment_dump_alone_is_no_symptom(engine):
    d = engine.diagnose(_ENV_DUMP)
    assert d.abstained and "environment listing" in d.reason
    assert "env_dump" in d.parsers


def test_an_environment_dump_does_not_change_what_the_error_means(engine):
    error = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.65 GiB total capacity)"
    alone, with_dump = engine.diagnose(error), engine.diagnose(_ENV_DUMP + "\n" + error)
    assert not with_dump.abstained
    assert with_dump.matches[0].id == alone.matches[0].id


def test_a_cpu_only_torch_in_the_dump_speaks_for_the_version_mismatch_entry(engine):
    dump = _ENV_DUMP.replace("2.3.0+cu121", "2.3.0+cpu").replace("CUDA used to build PyTorch: 12.1", "CUDA used to build PyTorch: None")
    d = engine.diagnose(dump + "\nAssertionError: Torch not compiled with CUDA enabled\n", top_k=5)
    assert d.facts.get("torch.cpu_build") == 1
    u28 = next(m for m in d.matches if m.id == "U28")
    assert any(ev.kind == "fact" and "CPU-only" in ev.why for ev in u28.evidence)


@pytest.mark.parametrize("paste", [
    "ssh session dropped and my training died; I ran it with python train.py in the foreground",
    "my ssh connection dropped overnight and the training process is gone",
])
def test_a_run_that_died_with_its_ssh_session_is_the_hangup_cause_of_u3(engine, paste):
    """Found by using the tool: these read like TensorBoard (U39) before U3 named the English wording."""
    d = engine.diagnose(paste)
    assert not d.abstained and d.matches[0].id == "U3"


_PROBE_BUNDLE = """
===== gotcha-probe: uptime =====
 21:56:13 up 13:21,  0 user,  load average: 0.56, 0.80, 0.91

===== gotcha-probe: cgroup-memory-events =====
cat: /sys/fs/cgroup/memory.events: No such file or directory

===== gotcha-probe: torch-threads =====
Traceback (most recent call last):
  File "<string>", line 1, in <module>
ModuleNotFoundError: No module named 'torch'

===== gotcha-probe: nvidia-smi =====
probe.sh: 15: nvidia-smi: not found

===== gotcha-probe: dmesg =====
[ 3956.822059] Out of memory: Killed process 23602 (python) total-vm:25898212kB, anon-rss:24309916kB, file-rss:100kB
[ 4114.120040] Out of memory: Killed process 23769 (python) total-vm:25898348kB, anon-rss:24374304kB, file-rss:196kB
"""


def test_the_probes_own_headers_and_complaints_are_not_the_users_words(engine):
    r = engine._read(_PROBE_BUNDLE)
    assert not [ln.text for ln in r.free]  # headers, missing files, a system python without torch
    noise = {ln.text for ln in r.parsed.lines if ln.no in r.parsed.probe_noise}
    assert "ModuleNotFoundError: No module named 'torch'" in noise and "===== gotcha-probe: dmesg =====" in noise
    assert r.parsed.all_output


def test_a_bundle_of_readings_names_what_its_signals_find(engine):
    """No words of the user's: two kernel OOM kills lead a missing nvidia-smi by the catalog's own
    weights, and that is an answer (the text models used to read the probe's headers instead)."""
    d = engine.diagnose(_PROBE_BUNDLE)
    assert not d.abstained and d.matches[0].id == "U9" and d.facts["dmesg.oom_kill"] == 2
    with_words = engine.diagnose("the training job on this box died overnight\n" + _PROBE_BUNDLE)
    assert not with_words.abstained and with_words.matches[0].id in {"U9", "U3"}
