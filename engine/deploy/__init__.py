"""verify-deploy (U42): prove the code on the box is the code you committed; verify-pull (U33):
prove the results you downloaded are the ones the box made.

    manifest.py  local tree -> {path: (size, sha256)}, git-aware, symlink-safe, capped
    remote.py    the one command to run on the box (sha256 listing + greps, marker-framed)
    listing.py   parse what the box printed (GNU/BSD/tagged shapes, CRLF, noise; refuses `..`)
    compare.py   manifest vs listing -> DeployReport / PullReport with per-file reasons
    ssh.py       run the command over ssh: argv only, validated host, BatchMode, timeouts
    verify.py    the entry points faces call: verify_deploy, print_command, verify_pull
"""

from gotcha_kb.engine.deploy.errors import DeployError, DeployInputError, ListingError, SshError, TooManyFiles
from gotcha_kb.engine.deploy.models import DeployReport, FileCheck, PullReport, PullVerdict, SymbolSpec, Verdict
from gotcha_kb.engine.deploy.ssh import SshOptions, SshTarget, parse_target
from gotcha_kb.engine.deploy.verify import parse_symbol, print_command, verify_deploy, verify_pull

__all__ = [
    "DeployError", "DeployInputError", "DeployReport", "FileCheck", "ListingError", "PullReport", "PullVerdict",
    "SshError", "SshOptions", "SshTarget", "SymbolSpec", "TooManyFiles", "Verdict",
    "parse_symbol", "parse_target", "print_command", "verify_deploy", "verify_pull",
]
