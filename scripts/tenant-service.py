#!/usr/bin/env python3
"""A stand-in tenant service for the demo and scripts/check-observability.sh: serves one tenants document on
127.0.0.1 the way docs/tenant-service.md's contract asks.

Usage: tenant-service.py --port PORT --file FILE [--path /tenants.json]

GET PATH answers 200 with the file's bytes and an ETag (their SHA-256), or 304 when If-None-Match names that
ETag; any other path is 404. The file is read at every request, so a script can change it (or break it) while
the server runs and the gateway sees the change at its next poll. `python3 -m http.server` would do without
ETags, and the gateway would then take every poll for a new document and reload each time.
"""

import argparse
import hashlib
import http.server


def handler_for(path, file):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != path:
                self.send_error(404)
                return
            with open(file, "rb") as f:
                body = f.read()
            etag = '"%s"' % hashlib.sha256(body).hexdigest()
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--path", default="/tenants.json")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(args.path, args.file))
    server.serve_forever()


if __name__ == "__main__":
    main()
