"""A minimal HTTP/1.1 keep-alive client on asyncio streams for the load test (scripts/loadtest.py):
one connection, one request at a time, JSON bodies, Content-Length or chunked replies. Small and
predictable on purpose: the generator must cost far less CPU than the centre it measures."""
import asyncio
import json


class HTTPError(Exception):
    """A reply that is not 2xx (the status and the start of the body say why)."""


class HTTPConn:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.reconnects = 0

    def close(self):
        if self.writer:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, token, body=None, timeout=30):
        try:
            return await self._request(method, path, token, body, timeout)
        except TimeoutError:
            raise TimeoutError(f"{method} {path.split('?')[0]}: no reply within {timeout} s") from None

    async def _request(self, method, path, token, body, timeout):
        """(status, body bytes) of a 2xx reply; raises HTTPError, OSError or TimeoutError.
        A reused keep-alive connection the server closed meanwhile (nothing read back) is
        reopened once and the request sent again, as HTTP clients do."""
        data = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Length: {len(data)}\r\n" + ("Content-Type: application/json\r\n" if body is not None else "")
                + "\r\n").encode()
        async with asyncio.timeout(timeout):
            while True:
                reused = self.writer is not None
                if not reused:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
                try:
                    self.writer.write(head + data)
                    line = await self.reader.readuntil(b"\r\n\r\n")
                    break
                except (ConnectionError, asyncio.IncompleteReadError) as e:
                    self.close()
                    if not reused or (isinstance(e, asyncio.IncompleteReadError) and e.partial):
                        raise
                    self.reconnects += 1
                except BaseException:
                    self.close()
                    raise
            try:
                status, headers = parse_head(line)
                if "chunked" in headers.get("transfer-encoding", ""):
                    payload = await self.read_chunked()
                else:
                    payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
            except BaseException:
                self.close()
                raise
        if headers.get("connection", "").lower() == "close":
            self.close()
        if not 200 <= status < 300:
            raise HTTPError(f"{method} {path.split('?')[0]} answered {status}: {payload[:200].decode(errors='replace')}")
        return status, payload

    async def read_chunked(self):
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def parse_head(raw):
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HTTPError(f"not an HTTP/1.1 reply: {lines[0][:100]!r}")
    headers = {}
    for l in lines[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return int(parts[1]), headers
