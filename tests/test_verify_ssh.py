"""verify-deploy --ssh: host validation and argv shape (no shell, no option injection), then the
whole path through a REAL sshd started on 127.0.0.1 with throwaway keys (skipped without sshd)."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from gotcha_kb.engine.deploy import DeployInputError, SshOptions, SshTarget, Verdict, parse_symbol, parse_target, verify_deploy
from gotcha_kb.engine.deploy.ssh import run_ssh, ssh_argv
from gotcha_kb.cli.main import main

from test_verify_deploy import commit_all, deploy, git

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)


# --- targets and argv, no network --------------------------------------------------------------

@pytest.mark.parametrize("spec, user, host, directory", [
    ("root@gpu-box:/root/proj", "root", "gpu-box", "/root/proj"),
    ("gpu_box:relative/dir", None, "gpu_box", "relative/dir"),
    ("connect.westb.seetacloud.com:~/proj", None, "connect.westb.seetacloud.com", "~/proj"),
    ("ubuntu@10.0.0.7:/home/ubuntu/my proj", "ubuntu", "10.0.0.7", "/home/ubuntu/my proj"),
    ("root@[::1]:/d", "root", "::1", "/d"),
    ("[fe80::1%eth0]:/d", None, "fe80::1%eth0", "/d"),
    ("box:/runs/a@b:c", None, "box", "/runs/a@b:c"),
])
def test_parse_target_splits_host_and_dir(spec: str, user, host, directory):
    t = parse_target(spec)
    assert (t.user, t.host, t.dir) == (user, host, directory)


@pytest.mark.parametrize("spec", [
    "-oProxyCommand=touch /tmp/pwned:/x",
    "-oProxyCommand=touch${IFS}/tmp/pwned:/x",
    "host;rm -rf /:/x",
    " host:/x",
    "host :/x",
    "ho\tst:/x",
    "-l@box:/x",
    "$(id)@box:/x",
    "box`id`:/x",
    "a|b:/x",
    "a&b:/x",
    "box\n:/x",
    "[::1;id]:/x",
    "[-oProxyCommand=x]:/x",
    "box",
    "box:",
    ":/x",
    "@box:/x",
])
def test_hostile_or_malformed_targets_are_rejected(spec: str):
    with pytest.raises(DeployInputError):
        parse_target(spec)


@pytest.fixture
def recorded_popen(monkeypatch):
    """Record what would be started, start nothing (only for ssh; git and friends run for real)."""
    calls: list[tuple[list[str], dict]] = []
    real = subprocess.Popen

    def fake(args, *a, **kw):
        if isinstance(args, list) and args[:1] == ["ssh"]:
            calls.append((args, kw))
            raise FileNotFoundError("recorded, not started")
        return real(args, *a, **kw)

    monkeypatch.setattr(subprocess, "Popen", fake)
    return calls


def test_ssh_argv_is_a_list_with_batchmode_timeout_and_one_command_argument(recorded_popen, tmp_path: Path):
    (tmp_path / "a.py").write_text("a")
    target = parse_target("root@box:/root/p")
    opts = SshOptions(port=2222, identity=Path("/k/id_%u"), known_hosts=Path("/tmp/my hosts"))
    argv = ssh_argv(target, "echo hi; rm -rf /", opts)
    assert argv[0] == "ssh" and argv[-3:] == ["--", "root@box", "echo hi; rm -rf /"]
    joined = " ".join(argv)
    assert "-o BatchMode=yes" in joined and "-o ConnectTimeout=10" in joined and "-p 2222" in joined
    assert "-i /k/id_%%u" in joined  # ssh %-tokens are escaped, not expanded
    assert 'UserKnownHostsFile="/tmp/my hosts"' in argv
    report_ssh_not_installed = verify_deploy(tmp_path, ssh=target)
    (args, kw), = recorded_popen
    assert isinstance(args, list) and kw.get("shell", False) is False and kw["stdin"] == subprocess.DEVNULL
    assert args[-2] == "root@box" and "find . " in args[-1]
    assert report_ssh_not_installed.verdict == Verdict.UNVERIFIABLE
    assert "ssh is not installed" in report_ssh_not_installed.summary


@pytest.mark.parametrize("host", ["-oProxyCommand=touch /tmp/pwned", "host;rm -rf /", " host", "-p", ""])
def test_rejected_hosts_never_reach_ssh(recorded_popen, tmp_path: Path, host: str):
    (tmp_path / "a.py").write_text("a")
    with pytest.raises(DeployInputError):
        verify_deploy(tmp_path, ssh=SshTarget(host=host, dir="/x"))
    with pytest.raises(DeployInputError):
        run_ssh(SshTarget(host=host, dir="/x"), "true")
    assert recorded_popen == []


def test_option_paths_that_would_break_ssh_parsing_are_refused():
    with pytest.raises(DeployInputError):
        ssh_argv(parse_target("box:/x"), "true", SshOptions(known_hosts=Path('/tmp/a"b')))


# --- a real sshd ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_banner(port: int, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited with {proc.returncode}: {proc.stderr.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(64).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("sshd did not answer within 10 s")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """sshd -D on a free 127.0.0.1 port; host key, user key, authorized_keys all throwaway."""
    if SSHD is None or not shutil.which("ssh-keygen") or not shutil.which("ssh"):
        pytest.skip("openssh-server / ssh-keygen / ssh not installed (`.ci/run` installs them)")
    d = tmp_path_factory.mktemp("sshd")
    for name in ("host_key", "user_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True)
    (d / "authorized_keys").write_text((d / "user_key.pub").read_text())
    os.chmod(d / "authorized_keys", 0o600)
    port = _free_port()
    (d / "sshd_config").write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {d / 'host_key'}
AuthorizedKeysFile {d / 'authorized_keys'}
PidFile {d / 'sshd.pid'}
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
LogLevel ERROR
""")
    # Pinned host key: the connection is checked (StrictHostKeyChecking=yes), not trusted on first use.
    host_pub = (d / "host_key.pub").read_text().split()
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n")
    if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(d / "sshd_config")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        try:
            _wait_for_banner(port, proc, time.monotonic() + 10)
        except RuntimeError as e:
            pytest.skip(f"could not start a test sshd: {e}")
        opts = SshOptions(port=port, identity=d / "user_key", known_hosts=d / "known_hosts",
                          strict_host_key_checking="yes", config_file=Path("/dev/null"), timeout=60)
        yield {"port": port, "dir": d, "opts": opts, "user": getpass.getuser()}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    r = tmp_path / "proj"
    (r / "pkg").mkdir(parents=True)
    git(r, "init", "-q")
    (r / "train.py").write_text("def old_fn():\n    return 1\n")
    (r / "pkg" / "util.py").write_text("X = 1\n")
    commit_all(r, "init")
    return r


def _target(sshd, box: Path) -> SshTarget:
    return parse_target(f"{sshd['user']}@127.0.0.1:{box}")


def test_ssh_deployed_through_a_real_sshd(sshd, tmp_path: Path, project: Path):
    box = deploy(project, tmp_path / "box")
    report = verify_deploy(project, ssh=_target(sshd, box), ssh_options=sshd["opts"])
    assert report.verdict == Verdict.DEPLOYED, report.summary
    assert report.counts.ok == 2 and report.source.startswith("ssh ")


def test_ssh_stale_and_partial_through_a_real_sshd(sshd, tmp_path: Path, project: Path):
    box = deploy(project, tmp_path / "box")
    (project / "train.py").write_text("def new_fn():\n    return 2\n")
    sym = [parse_symbol("train.py:def new_fn")]
    stale = verify_deploy(project, ssh=_target(sshd, box), ssh_options=sshd["opts"], symbols=sym)
    assert stale.verdict == Verdict.STALE and stale.files[0].path == "train.py"
    assert stale.symbols[0].found_on_box is False
    shutil.copy(project / "train.py", box / "train.py")
    (box / "pkg" / "util.py").unlink()
    partial = verify_deploy(project, ssh=_target(sshd, box), ssh_options=sshd["opts"], symbols=sym)
    assert partial.verdict == Verdict.PARTIAL and partial.symbols[0].box_lines == ["1:def new_fn():"]


def test_ssh_changed_since_names_only_the_fix(sshd, tmp_path: Path, project: Path):
    base = git(project, "rev-parse", "HEAD").strip()
    box = deploy(project, tmp_path / "box")
    (box / "pkg" / "util.py").write_text("edited on the box, not part of the fix\n")
    (project / "train.py").write_text("def new_fn():\n    return 2\n")
    commit_all(project, "fix")
    report = verify_deploy(project, ssh=_target(sshd, box), ssh_options=sshd["opts"], changed_since=base)
    assert report.verdict == Verdict.STALE and report.counts.total == 1
    shutil.copy(project / "train.py", box / "train.py")
    report = verify_deploy(project, ssh=_target(sshd, box), ssh_options=sshd["opts"], changed_since=base)
    assert report.verdict == Verdict.DEPLOYED, report.summary


def test_ssh_to_a_hostile_directory_name_is_quoted(sshd, tmp_path: Path, project: Path):
    box = deploy(project, tmp_path / "it's $(touch PWNED) a dir")
    report = verify_deploy(project, ssh=_target(sshd, box), ssh_options=sshd["opts"])
    assert report.verdict == Verdict.DEPLOYED, report.summary
    assert not (tmp_path / "PWNED").exists() and not (Path.home() / "PWNED").exists()


def test_ssh_missing_remote_directory_is_unverifiable(sshd, tmp_path: Path, project: Path):
    report = verify_deploy(project, ssh=_target(sshd, tmp_path / "nowhere"), ssh_options=sshd["opts"])
    assert report.verdict == Verdict.UNVERIFIABLE and "cannot cd" in report.summary


def test_ssh_auth_failure_is_a_clear_unverifiable(sshd, tmp_path: Path, project: Path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "wrong_key")], check=True)
    opts = sshd["opts"].model_copy(update={"identity": tmp_path / "wrong_key"})
    t = time.monotonic()
    report = verify_deploy(project, ssh=_target(sshd, project), ssh_options=opts)
    assert report.verdict == Verdict.UNVERIFIABLE
    assert "exit 255" in report.summary and "Permission denied" in report.summary
    assert time.monotonic() - t < 30  # BatchMode: no password prompt to hang on


def test_ssh_connection_refused_is_a_clear_unverifiable(sshd, project: Path):
    opts = sshd["opts"].model_copy(update={"port": _free_port()})
    report = verify_deploy(project, ssh=_target(sshd, project), ssh_options=opts)
    assert report.verdict == Verdict.UNVERIFIABLE and "Connection refused" in report.summary


def test_cli_ssh_through_a_real_sshd(sshd, tmp_path: Path, project: Path, capsys):
    box = deploy(project, tmp_path / "box")
    argv = ["verify-deploy", str(project), "--ssh", f"{sshd['user']}@127.0.0.1:{box}", "--port", str(sshd["port"]),
            "--identity", str(sshd["dir"] / "user_key"), "--known-hosts", str(sshd["dir"] / "known_hosts"), "--json"]
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    (box / "train.py").write_text("old\n")
    assert main(argv) == 1
    assert '"verdict": "STALE"' in capsys.readouterr().out
