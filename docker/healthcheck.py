"""Health check of the web container: GET /healthz must answer {"status": "ok"}.

Sends the first ALLOWED_HOSTS entry as Host header, so that Django does not refuse the request
(a bare 127.0.0.1 is not an allowed host in production). /healthz is exempt from the HTTPS
redirect and needs no login; it answers only when the database does.
"""

import json
import os
import sys
import urllib.request

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
port = os.environ.get("PORT", "8000")
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed http URL)
        healthy = response.status == 200 and json.load(response) == {"status": "ok"}
except Exception as exc:  # any failure is "unhealthy"; say why in `docker inspect`
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
sys.exit(0 if healthy else 1)
