"""ASGI entry for several workers: `uvicorn gotcha_kb.mcp_server.asgi:app --host 0.0.0.0 --port 8000 --workers 4`.

Stateless HTTP, so the workers share nothing and a load balancer may send any request anywhere.
Set GOTCHA_MCP_HOST to the bind host when it is loopback, to keep DNS-rebinding protection on.
"""

from __future__ import annotations

import os

from gotcha_kb.mcp_server.run import http_app, setup_logging
from gotcha_kb.mcp_server.state import warm_up

setup_logging(os.environ.get("GOTCHA_MCP_LOG_LEVEL", "info"))
app = http_app(os.environ.get("GOTCHA_MCP_HOST", "0.0.0.0"))
warm_up()
