"""Redaction: a table of secret shapes, and a property over the whole diagnosis.

The property is the promise users get: whatever secret sits in a paste, no evidence line, reason,
fact or MCP text carries it back. It runs the real engine (built once for the module) over 2,000 (40 by default)
generated pastes, each holding a secret on the same line as an error the catalog knows, so that the
line is echoed as evidence and the redaction is really exercised.
"""

from __future__ import annotations

import json
import string

import pytest
from conftest import budget
from hypothesis import given, settings
from hypothesis import strategies as st

from gotcha_kb.engine.redact import MASK, SHAPES, load_shapes, redact

# -- the table ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "says"), [
    ("[[shape]]\nname = 'x'\npattern = '(unclosed'\nreplace = ''\nexample = 'a'\nsecret = 'a'\n", "shape 1 ('x'): bad pattern"),
    ("[[shape]]\nname = 'x'\npattern = 'a'\n", "shape 1 ('x'): needs the text fields"),
    ("[[shape]\nname = 'x'\n", "cannot read the secret shapes"),
    ("# nothing here\n", "no [[shape]] rows"),
])
def test_a_broken_shape_table_names_the_file_and_the_row(tmp_path, table, says):
    path = tmp_path / "shapes.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(ValueError) as e:
        load_shapes(path)
    assert str(path) in str(e.value) and says in str(e.value)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_each_shape_masks_its_example(shape):
    assert shape.secret in shape.example
    out = redact(shape.example)
    assert shape.secret not in out
    assert MASK in out


@pytest.mark.parametrize(
    "line, secret",
    [
        # The nine leaks of issue 16, each as found.
        ("CUDA out of memory while loading github_pat_000000000000000000000000000000", "github_pat_000000000000000000000000000000"),
        ("fatal: https://user:pa/ss9word@github.com/org/x.git not found", "pa/ss9word"),
        ("redis.exceptions.ConnectionError: redis://:S3cretPassw0rd@10.0.0.1:6379", "S3cretPassw0rd"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("mysql -u root -pS3cretPassw0rd", "S3cretPassw0rd"),
        ("postgres://admin:p@ss@word@db:5432/x refused", "p@ss@word"),
        ("postgres://admin:p@ss@word@db:5432/x refused", "ss@word"),
        # The providers people use on these boxes.
        ("HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123 python train.py", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123"),
        ("wandb: WANDB_API_KEY=0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567"),
        ("wandb login 0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567"),
        ("token gho_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "gho_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        ("ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 expired", "ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        ("ghu_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "ghu_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        ("ghr_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "ghr_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        ("AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"),
        ('"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkq\\n-----END PRIVATE KEY-----\\n",', "MIIEvQIBADANBgkq"),
        ("AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu==;EndpointSuffix=x", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu=="),
        ("GET /c/b?sv=2021&sig=abcDEF%2B123%3D HTTP/1.1 403", "abcDEF%2B123%3D"),
        ("OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWx", "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx"),
        ("anthropic: sk-ant-api03-AbCdEfGhIjKlMnOpQrSt-uvwx invalid", "sk-ant-api03-AbCdEfGhIjKlMnOpQrSt-uvwx"),
        ("slack xoxp-1234567890-abcdefghij failed", "xoxp-1234567890-abcdefghij"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("--password secretvalue1", "secretvalue1"),
        ("--password=secretvalue1", "secretvalue1"),
        ("ftp://anon:x9y8z7@mirror.example.org/pub", "x9y8z7"),
        ("MY_SERVICE_SECRET=abc", "abc"),
        ("DB_PASSWORD: 'two words'", "two words"),
        ("S3_KEY=AbCd1234", "AbCd1234"),
    ],
)
def test_leaks_stay_masked(line, secret):
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        # Evidence lines must stay readable: these hold no secret and must come back unchanged.
        "KeyError: 'problems'",
        "botocore.exceptions.NoCredentialsError: Unable to locate credentials",
        "openai.AuthenticationError: Incorrect API key provided",
        "mkdir -p /root/autodl-tmp/ckpt",
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
        "git clone https://github.com/org/repo.git",
        "OSError: [Errno 28] No space left on device: '/root/.cache/huggingface'",
    ],
)
def test_ordinary_lines_are_left_alone(line):
    assert redact(line) == line


# -- the property ------------------------------------------------------------------------------

_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
# Characters a password can hold in a URL or on a command line (no whitespace or quotes).
_PASSWORD = _ALNUM + "/@:!$%^&*()-_+=.,;~"


def _s(alphabet: str, lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=lo, max_size=hi)


def _password(lo: int = 8) -> st.SearchStrategy[str]:
    # At least one letter and one digit, like real passwords: a secret of pure punctuation could
    # coincide with punctuation the answer holds anyway.
    return st.tuples(_s(_PASSWORD, lo, 32), st.sampled_from(_ALNUM[:52]), st.sampled_from(string.digits)).map(lambda t: t[1] + t[0] + t[2])


# Each strategy gives (the text put in the paste, the secret inside it).
SECRETS: list[st.SearchStrategy[tuple[str, str]]] = [
    _s(_ALNUM, 30, 40).map(lambda s: ("github_pat_11" + s + "_" + s[::-1], "github_pat_11" + s + "_" + s[::-1])),
    st.tuples(st.sampled_from("pousr"), _s(_ALNUM, 36, 40)).map(lambda t: (f"gh{t[0]}_{t[1]}",) * 2),
    _s(_ALNUM, 30, 40).map(lambda s: (f"hf_{s}",) * 2),
    st.tuples(st.sampled_from(["WANDB_API_KEY=", "wandb login ", "export WANDB_API_KEY="]), _s(_HEX, 40, 40)).map(lambda t: (t[0] + t[1], t[1])),
    st.tuples(st.sampled_from(["AKIA", "ASIA"]), _s(string.ascii_uppercase + string.digits, 16, 16)).map(lambda t: (t[0] + t[1],) * 2),
    st.tuples(st.sampled_from(["aws_secret_access_key = ", "aws_secret_access_key=", "AWS_SECRET_ACCESS_KEY=", "aws configure set aws_secret_access_key "]),
              _s(_ALNUM + "/+", 40, 40)).map(lambda t: (t[0] + t[1], t[1])),
    _s(_ALNUM + "+/", 40, 64).map(lambda b: (f'"private_key": "-----BEGIN PRIVATE KEY-----\\n{b}\\n-----END PRIVATE KEY-----\\n"', b)),
    _s(_ALNUM + "+/", 40, 64).map(lambda b: (f"-----BEGIN OPENSSH PRIVATE KEY-----{b}-----END OPENSSH PRIVATE KEY-----", b)),
    _s(_ALNUM + "+/", 40, 88).map(lambda b: (f"DefaultEndpointsProtocol=https;AccountName=x;AccountKey={b}==;EndpointSuffix=core.windows.net", b)),
    _s(_ALNUM + "%", 20, 44).map(lambda b: (f"https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig={b}&se=2026-01-01", b)),
    st.tuples(st.sampled_from(["sk-", "sk-proj-", "sk-ant-api03-"]), _s(_ALNUM + "_-", 20, 60)).map(lambda t: (t[0] + t[1],) * 2),
    st.tuples(st.sampled_from("abposr"), _s(_ALNUM + "-", 12, 40)).map(lambda t: (f"xox{t[0]}-1{t[1]}",) * 2),
    st.tuples(_s(_ALNUM, 8, 30), _s(_ALNUM, 8, 30), _s(_ALNUM + "_-", 10, 40)).map(
        lambda t: ((j := f"eyJ{t[0]}.eyJ{t[1]}.{t[2]}"), j)),
    st.tuples(st.sampled_from(["https", "http", "git+ssh", "redis", "postgres", "mysql", "amqp", "s3", "ftp", "mongodb+srv"]),
              _s(_ALNUM + "._-", 0, 12), _password(), st.sampled_from(["github.com", "10.0.0.1:6379", "db.internal/x", "h"])).map(
        lambda t: (f"{t[0]}://{t[1]}:{t[2]}@{t[3]}", t[2])),
    _password().map(lambda p: (f"mysql -u root -p{p} -h db", p)),
    st.tuples(st.sampled_from(["--password=", "--password ", "--token ", "--api-key=", "-password "]), _password()).map(lambda t: (t[0] + t[1], t[1])),
    st.tuples(st.sampled_from(["Authorization: Bearer ", "authorization: basic ", "Authorization: token ", "-H 'Authorization: Bearer "]),
              _s(_ALNUM + "._-+/=", 12, 60)).map(lambda t: (t[0] + t[1], t[1])),
    st.tuples(st.sampled_from(["HF_TOKEN", "GITHUB_TOKEN", "AWS_SESSION_TOKEN", "S3_KEY", "API_KEY", "CLIENT_SECRET", "PASSWORD", "DB_PASSWORD", "my_secret"]),
              st.sampled_from(["=", ": ", " = ", "='", '="']), _password()).map(
        lambda t: (t[0] + t[1] + t[2] + ("'" if t[1].endswith("'") else '"' if t[1].endswith('"') else ""), t[2])),
    _password().map(lambda p: (f"machine api.wandb.ai login user password {p}", p)),
    _password().map(lambda p: (f"curl -u admin:{p} https://x", p)),
]

# Error lines the catalog knows: a secret on the same line comes back as that line's evidence.
ERRORS = [
    "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
    "OSError: [Errno 28] No space left on device",
    "Out of memory: Killed process 4242 (python) total-vm:1kB",
    "client_loop: send disconnect: Broken pipe",
    "Read-only file system",
    "Connection timed out",
    "huggingface_hub.errors.HfHubHTTPError: 401 Client Error",
    "Killed",
]
FILLER = ["", "Epoch 3/10", "step 1200 loss 0.412", "$ python train.py", "Traceback (most recent call last):"]


@st.composite
def pastes(draw) -> tuple[str, str]:
    text, secret = draw(st.one_of(SECRETS))
    error = draw(st.sampled_from(ERRORS))
    sep = draw(st.sampled_from([" ", " | ", "\t", ": "]))
    line = draw(st.sampled_from([f"{error}{sep}{text}", f"{text}{sep}{error}", f"{text} ; {error} {text}"]))
    before = draw(st.lists(st.sampled_from(FILLER + ERRORS), max_size=4))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    return "\n".join(before + [line] + after) + "\n", secret


def _echoed(d) -> list[str]:
    """Every string in a Diagnosis that comes from the paste or describes it."""
    out = [d.reason, json.dumps(d.facts)]
    for m in d.matches:
        out += [ev.text or "" for ev in m.evidence] + [ev.why for ev in m.evidence]
    return out


@pytest.fixture(scope="module")
def engine_once():
    from gotcha_kb.engine.api import build_engine

    return build_engine()


@settings(max_examples=budget(2000, smoke=40))  # each example is a whole diagnosis
@given(case=pastes())
def test_no_secret_survives_diagnosis(engine_once, case):
    paste, secret = case
    d = engine_once.diagnose(paste, top_k=5)
    for text in _echoed(d):
        assert secret not in text
    assert secret not in d.model_dump_json()


def test_the_property_would_see_a_leak(engine_once, monkeypatch):
    """Without redaction the same pastes do echo their secret: the property above is not vacuous."""
    import gotcha_kb.engine.diagnose as diag
    monkeypatch.setattr(diag, "redact", lambda s: s)
    secret = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123"
    d = engine_once.diagnose(f"torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB {secret}\n")
    assert any(secret in t for t in _echoed(d))


def test_mcp_text_carries_no_secret():
    """The MCP tool's text content (what an agent's transcript keeps) is redacted too."""
    import anyio
    from mcp import Client

    from gotcha_kb.mcp_server.server import build_server

    secret = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123"
    paste = ("git push https://u:Pa/ss@w0rd@github.com/x.git\nmysql -u root -pS3cretPassw0rd\n$ python train.py\nKilled\n"
             f"$ dmesg | tail -1\n[ 9.1] Out of memory: Killed process 4242 (python) loading {secret}\n")

    async def run() -> str:
        async with Client(build_server(local_tools=False)) as c:
            r = await c.call_tool("diagnose_symptom", {"text": paste})
            return json.dumps([getattr(b, "text", "") for b in r.content]) + json.dumps(r.structured_content)

    out = anyio.run(run)
    assert "Killed process 4242" in out  # the line did come back, masked
    for s in (secret, "Pa/ss@w0rd", "ss@w0rd", "S3cretPassw0rd"):
        assert s not in out


@pytest.mark.parametrize(
    "secret",
    [
        "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123",
        "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx",
        "0123456789abcdef0123456789abcdef01234567",
        "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "AKIAABCDEFGHIJKLMNOP",
    ],
)
def test_redaction_masks_token_shapes(secret):
    assert secret not in redact(f"export TOKEN_X={secret} and then {secret}")


def test_redaction_masks_passwords_in_urls_and_assignments():
    out = redact("git clone https://bob:hunter2@example.com/x.git; WANDB_API_KEY=abcd1234efgh")
    assert "hunter2" not in out and "abcd1234efgh" not in out and "bob" in out
