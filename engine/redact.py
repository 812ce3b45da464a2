"""Never echo a secret: mask tokens, keys and passwords in any line we show back."""

from __future__ import annotations

import re

MASK = "[REDACTED]"
_PATTERNS = [
    # user:password@ in URLs
    (re.compile(r"(?<=://)([^/\s:@]{1,200}):([^/\s@]{1,200})@"), r"\1:" + MASK + "@"),
    # KEY=value / KEY: value for secret-looking names
    (re.compile(r"(?i)\b([A-Z0-9_]{0,40}(?:API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|ACCESS_KEY|PRIVATE_KEY|AUTH)[A-Z0-9_]{0,40})(\s*[=:]\s*)(['\"]?)[^\s'\"]{4,}\3"), r"\1\2\3" + MASK + r"\3"),
    (re.compile(r"(?i)\b(authorization:\s*(?:bearer|token|basic)\s+)\S+"), r"\1" + MASK),
    (re.compile(r"(?i)(\bpassword\s+)\S+"), r"\1" + MASK),
    # well-known token shapes
    (re.compile(r"\b(?:sk|rk|pk)-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}"), MASK),
    (re.compile(r"\bhf_[A-Za-z0-9]{20,}"), MASK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), MASK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), MASK),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"), MASK),
    # netrc: `machine api.wandb.ai login user password <40 hex>`; a bare 40-hex wandb key
    (re.compile(r"(?i)(\bpassword\s+)[^\s]+"), r"\1" + MASK),
    (re.compile(r"\b[0-9a-f]{40}\b"), MASK),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), MASK),
]


def redact(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text
