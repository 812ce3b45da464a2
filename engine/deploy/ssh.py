"""Run the listing on the box over ssh: an argv list (no local shell), a validated host, no prompts.

The host is checked before ssh ever runs: a "host" of `-oProxyCommand=...` would be read by ssh
as an option and run a local command, so only `[user@]host` shapes that real hosts have pass.
Extra ssh settings come only as typed parameters (port, identity, known_hosts, config file), never
as free-form `-o` strings. ~/.ssh/config still applies, so `gpu-box:/root/proj` aliases work.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from gotcha_kb.engine.deploy.errors import DeployInputError, SshError

# Hostnames, IPv4 and ssh_config aliases: letters, digits, '.', '_', '-'; never a leading '-'.
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,252}")
_IPV6 = re.compile(r"[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9_.-]{1,32})?")
_TARGET = re.compile(r"\A(?:(?P<user>[^@\[\]:/]*)@)?(?:\[(?P<v6>[^\]]*)\]|(?P<host>[^:\[\]]*)):(?P<dir>.*)", re.DOTALL)

MAX_OUTPUT = 256 * 1024 * 1024  # a listing of a few hundred thousand files; more is not a code tree


class SshTarget(BaseModel):
    user: str | None = None
    host: str
    dir: str = Field(description="directory on the box, absolute, relative to the login dir, or ~/...")

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.user + '@' if self.user else ''}{host}:{self.dir}"


class SshOptions(BaseModel):
    port: int | None = Field(default=None, ge=1, le=65535)
    identity: Path | None = Field(default=None, description="private key file (-i), with IdentitiesOnly")
    known_hosts: Path | None = Field(default=None, description="UserKnownHostsFile instead of ~/.ssh/known_hosts")
    strict_host_key_checking: Literal["yes", "accept-new", "no"] | None = None
    config_file: Path | None = Field(default=None, description="ssh -F FILE (tests use /dev/null for isolation)")
    connect_timeout: int = Field(default=10, ge=1, le=600)
    timeout: float = Field(default=600, gt=0, description="whole run, seconds: hashing a big tree takes a while")


class SshResult(BaseModel):
    stdout: str
    stderr: str
    returncode: int


def validate_host(host: str, user: str | None = None) -> None:
    """Raise DeployInputError unless `host` (and `user`) can only be read by ssh as a destination."""
    for label, value in (("user", user), ("host", host)):
        if value is None:
            continue
        if not value:
            raise DeployInputError(f"ssh {label} is empty")
        if value.startswith("-"):
            raise DeployInputError(f"ssh {label} {value!r} starts with '-': ssh would read it as an option")
        if any(c.isspace() for c in value):
            raise DeployInputError(f"ssh {label} {value!r} contains whitespace")
        if label == "host" and ":" in value:
            if not _IPV6.fullmatch(value):
                raise DeployInputError(f"ssh host {value!r} is not an IPv6 address")
            continue
        if not _NAME.fullmatch(value):
            bad = sorted({c for c in value if not (c.isalnum() and c.isascii()) and c not in "._-"})
            raise DeployInputError(f"ssh {label} {value!r} has characters no {label} name has: {' '.join(bad) or value[:1]}")


def parse_target(spec: str) -> SshTarget:
    """`[user@]host:DIR`, or `[user@][v6addr]:DIR`; validated before anything runs."""
    m = _TARGET.fullmatch(spec)
    if not m:
        raise DeployInputError(f"--ssh {spec!r}: expected [user@]host:DIR, e.g. root@gpu-box:/root/proj")
    user, host = m.group("user"), m.group("v6") if m.group("v6") is not None else m.group("host")
    validate_host(host, user)
    directory = m.group("dir")
    if not directory:
        raise DeployInputError(f"--ssh {spec!r}: no directory after ':' (e.g. {spec}/root/proj)")
    if any(c in directory for c in "\0\n\r"):
        raise DeployInputError("--ssh: the directory contains a newline or NUL")
    return SshTarget(user=user, host=host, dir=directory)


def ssh_argv(target: SshTarget, command: str, options: SshOptions | None = None) -> list[str]:
    opts = options or SshOptions()
    validate_host(target.host, target.user)
    # BatchMode: fail instead of prompting for a password or a host key nobody will answer.
    argv = ["ssh", "-T", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={opts.connect_timeout}", "-o", "LogLevel=ERROR"]
    if opts.config_file is not None:
        argv += ["-F", str(opts.config_file)]
    if opts.port is not None:
        argv += ["-p", str(opts.port)]
    if opts.identity is not None:
        argv += ["-i", _token_safe(opts.identity), "-o", "IdentitiesOnly=yes"]
    if opts.known_hosts is not None:
        argv += ["-o", f"UserKnownHostsFile={_option_value(opts.known_hosts)}"]
    if opts.strict_host_key_checking is not None:
        argv += ["-o", f"StrictHostKeyChecking={opts.strict_host_key_checking}"]
    # '--' ends ssh's options; the command travels as ONE argument and only the box's shell parses it.
    return [*argv, "--", target.destination, command]


def run_ssh(target: SshTarget, command: str, options: SshOptions | None = None) -> SshResult:
    """Run `command` on the box. Raises SshError when ssh itself fails (exit 255, timeout, no ssh)."""
    opts = options or SshOptions()
    argv = ssh_argv(target, command, opts)
    # Output goes to files, not pipes: no deadlock on a full pipe, and the size can be checked.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, shell=False)
        except FileNotFoundError:
            raise SshError("ssh is not installed (no 'ssh' on PATH)") from None
        try:
            rc = proc.wait(timeout=opts.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise SshError(f"ssh to {target.destination} did not finish within {opts.timeout:g}s") from None
        size = os.fstat(out.fileno()).st_size
        out.seek(0)
        stdout = out.read(MAX_OUTPUT).decode("utf-8", "surrogateescape")
        err.seek(max(0, os.fstat(err.fileno()).st_size - 4000))
        stderr = err.read().decode("utf-8", "replace").strip()
    if rc == 255:  # ssh's own failures: refused, unreachable, auth, host key
        raise SshError(f"ssh to {target.destination} failed (exit 255): {stderr or 'no message from ssh'}")
    if size > MAX_OUTPUT:
        raise SshError(f"the box printed more than {MAX_OUTPUT // 2**20} MiB; that is not a code tree's listing")
    return SshResult(stdout=stdout, stderr=stderr, returncode=rc)


def _token_safe(path: Path) -> str:
    # ssh expands %-tokens in IdentityFile and UserKnownHostsFile; a literal % must be doubled.
    return str(path).replace("%", "%%")


def _option_value(path: Path) -> str:
    value = _token_safe(path)
    if any(c in value for c in '"\\\n'):
        raise DeployInputError(f"ssh option path {value!r} contains a quote, backslash or newline")
    # -o values are split on whitespace by ssh; double quotes keep a path with spaces whole.
    return f'"{value}"' if any(c.isspace() for c in value) else value
