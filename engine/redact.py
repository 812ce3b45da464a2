"""Never echo a secret: mask tokens, keys and passwords in any line we show back.

The engine reads the paste as given (a secret on a line does not change what broke); only text it
echoes (evidence lines) goes through `redact`. The table below is the list of secret shapes, one
row per shape, each with an example that tests/test_redact.py checks. Masking more than needed
costs a little readability in an evidence line; masking less leaks a credential into an agent's
transcript, so every pattern errs wide.

Every quantifier over user text is bounded or anchored on a literal, so each pattern is linear on
a 4000-character line (tests/test_redos.py times them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MASK = "[REDACTED]"

# Words that make the value after them a secret: `HF_TOKEN=`, `aws_secret_access_key =`,
# `"private_key": "..."`, `password: x`. `key` alone is too common a word in logs ("key error"),
# so it needs an assignment right after it to count.
_SECRET_NAME = (
    r"[A-Za-z0-9_.-]{0,60}?(?:token|secret|passw(?:or)?d|pwd|api_?key|access_?key|private_?key|"
    r"account_?key|auth_?token|credentials?|key)(?:_[A-Za-z0-9_]{0,40})?"
)


@dataclass(frozen=True)
class Shape:
    name: str
    pattern: re.Pattern[str]
    repl: str
    example: str  # a line holding a secret of this shape
    secret: str  # the part of `example` that must never be echoed


def _shape(name: str, pattern: str, repl: str, example: str, secret: str) -> Shape:
    return Shape(name, re.compile(pattern), repl, example, secret)


SHAPES: list[Shape] = [
    # Multi-character structures first, so a later, narrower rule does not split them.
    _shape(
        "pem private key",
        r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----(?:[^-]{0,20000}-----END [A-Z ]{0,40}PRIVATE KEY-----)?",
        MASK,
        "key: -----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo-----END RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo",
    ),
    # A line of a PEM body on its own (the paste is split into lines before anything is echoed).
    _shape("pem body line", r"^[A-Za-z0-9+/]{40,}={0,2}$", MASK,
           "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2MoVg0OkaJQm7", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2MoVg0OkaJQm7"),
    # GCP service-account JSON and any JSON "...key/token/secret/password": "value".
    _shape(
        "json secret field",
        r'(?i)("' + _SECRET_NAME + r'"\s{0,10}:\s{0,10}")(?:[^"\\]|\\.){1,8192}(")',
        r"\1" + MASK + r"\2",
        '{"type": "service_account", "private_key_id": "3f9a0c1d2e", "client_email": "x@y.iam"}',
        "3f9a0c1d2e",
    ),
    # user:password@ in a URL of any scheme. The password may hold `/`, `:` or `@`: it runs to the
    # last `@` of the URL. The user may be empty (redis://:pw@host).
    _shape(
        "url userinfo",
        r"(?<=://)([^\s:/@]{0,256}):\S{0,1024}@(?=[^\s@]{0,1024}(?:\s|$))",
        r"\1:" + MASK + "@",
        "git clone https://bob:pa/ss@9w:rd@github.com/org/repo.git",
        "pa/ss@9w:rd",
    ),
    _shape("authorization header", r"(?i)(\bauthorization\s{0,5}[:=]\s{0,5}(?:bearer|basic|token|digest)?\s{0,5})[^\s'\"]{1,4096}",
           r"\1" + MASK, 'curl -H "Authorization: Bearer abc.DEF-123_xyz" https://api', "abc.DEF-123_xyz"),
    _shape("bearer token", r"(?i)(\bbearer\s{1,5})[A-Za-z0-9._~+/=-]{8,4096}", r"\1" + MASK,
           "sent bearer Zm9vYmFyYmF6cXV4 upstream", "Zm9vYmFyYmF6cXV4"),
    _shape("azure account key", r"(?i)\b((?:Account|SharedAccess)Key\s{0,3}=\s{0,3})[^;\s'\"]{1,4096}", r"\1" + MASK,
           "DefaultEndpointsProtocol=https;AccountName=ml;AccountKey=q8Zx+Yw/Vu0==;EndpointSuffix=core.windows.net",
           "q8Zx+Yw/Vu0=="),
    _shape("azure sas signature", r"(?i)([?&;\s]sig=)[^&;\s'\"]{1,4096}", r"\1" + MASK,
           "https://ml.blob.core.windows.net/c?sv=2022-11-02&sig=Xk2%2Bq9Z0abc%3D&se=2026", "Xk2%2Bq9Z0abc%3D"),
    # Well-known token shapes, wherever they stand.
    _shape("github fine-grained token", r"github_pat_[A-Za-z0-9_]{10,255}", MASK,
           "remote: github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz denied", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
    _shape("github token", r"\bgh[pousr]_[A-Za-z0-9]{16,255}", MASK,
           "GH=ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 git push", "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
    _shape("huggingface token", r"\bhf_[A-Za-z0-9]{16,255}", MASK,
           "huggingface-cli login hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123"),
    _shape("openai/anthropic key", r"(?<![A-Za-z0-9])(?:sk|rk|pk)-[A-Za-z0-9_-]{16,512}", MASK,
           "openai.AuthenticationError: Incorrect API key provided: sk-ant-api03-AbCdEfGhIjKlMnOp_qrst", "sk-ant-api03-AbCdEfGhIjKlMnOp_qrst"),
    _shape("slack token", r"\bxox[abposr]-[A-Za-z0-9-]{8,255}", MASK,
           "SLACK=xoxb-123456789012-abcdefABCDEF posting", "xoxb-123456789012-abcdefABCDEF"),
    _shape("aws key id", r"(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}", MASK,
           "aws_access_key_id AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    _shape("jwt", r"eyJ[A-Za-z0-9_-]{2,4096}\.eyJ[A-Za-z0-9_-]{2,4096}\.[A-Za-z0-9_-]{0,4096}", MASK,
           "cookie=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sflKxwRJSMeKKF2QT4f", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sflKxwRJSMeKKF2QT4f"),
    # Secrets given as command-line arguments.
    _shape("aws secret after its name", r"(?i)(\baws_secret_access_key['\"]?\s{0,5}[=:\s]\s{0,5}['\"]?)[^\s'\"]{1,1024}",
           r"\1" + MASK, "aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    _shape("wandb login", r"(?i)(\bwandb\s{1,5}login\s{1,5}(?:--?[a-z-]{1,20}\s{1,5})*)(?!-)[^\s'\"]{1,1024}", r"\1" + MASK,
           "wandb login --relogin 0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567"),
    _shape("password option", r"(?i)((?<!\S)--?(?:password|passwd|pass|token|api[-_]?key|secret|access[-_]key)(?:=|\s{1,5}))(?!-)[^\s'\"]{1,1024}",
           r"\1" + MASK, "mlflow server --password=hunter22 --port 5000", "hunter22"),
    # mysql/mariadb `-pSECRET` (glued to the flag). Also hits `ssh -p2222`: a port masked is harmless.
    _shape("glued -p password", r"((?<!\S)-p)[^\s'\"-][^\s'\"]{0,1023}", r"\1" + MASK,
           "mysql -u root -pS3cretPassw0rd -h db", "S3cretPassw0rd"),
    _shape("curl user:password", r"((?<!\S)(?:-u|--user)\s{1,5}[^\s:]{1,256}:)[^\s'\"]{1,1024}", r"\1" + MASK,
           "curl -u admin:Tr0ub4dor https://x", "Tr0ub4dor"),
    # A wandb key alone on a line (`cat` of a key file). A git commit id has the same shape and gets
    # masked too: an evidence line rarely needs one.
    _shape("bare 40-hex key", r"(?<![0-9A-Za-z])[0-9a-f]{40}(?![0-9A-Za-z])", MASK,
           "key 0123456789abcdef0123456789abcdef01234567 loaded", "0123456789abcdef0123456789abcdef01234567"),
    # NAME=value, NAME: value, export NAME="va lue" for secret-looking names.
    _shape(
        "secret assignment",
        r"(?i)(\b" + _SECRET_NAME + r"['\"]?\s{0,5}[=:]\s{0,5})(?:\"[^\"\n]{1,4096}\"|'[^'\n]{1,4096}'|[^\s'\"]{1,4096})",
        r"\1" + MASK,
        'export WANDB_API_KEY="0123456789abcdef0123456789abcdef01234567"',
        "0123456789abcdef0123456789abcdef01234567",
    ),
    # netrc: `machine api.wandb.ai login user password <key>`.
    _shape("password word", r"(?i)(\bpass(?:word|wd)?\s{1,5})(?!-)[^\s'\"]{1,1024}", r"\1" + MASK,
           "machine api.wandb.ai login user password 0123456789abcdef01234567", "0123456789abcdef01234567"),
]


def redact(text: str) -> str:
    """`text` with every secret of a shape in SHAPES replaced by [REDACTED]."""
    for shape in SHAPES:
        text = shape.pattern.sub(shape.repl, text)
    return text
