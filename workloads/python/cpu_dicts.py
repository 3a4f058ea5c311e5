"""cpu.dicts: dict and str churn, the way a web handler spends its time.

One operation is one request handled: a raw HTTP/1.1 request (request line,
five headers, a query string, a cookie) is formatted for request number op,
parsed into dicts (query parameters, headers by lower-case name, cookies),
a response dict is built from them, and serialized as key=value pairs
joined by '&' in sorted key order. The answer adds up the bytes of every
response body, so two implementations agree only if they produce the same
text.

The C twin (workloads/native/dicts.c) does the same with its own small
string hash table. Keep the request format, the response fields and the
serialization equal to the C file's: tests compare answers.
"""

METHODS = ("GET", "POST", "PUT", "DELETE")


def request(op):
    """The raw request number `op` (str)."""
    return (f"{METHODS[op % 4]} /api/v1/items/{op % 1000}?page={op % 7}"
            f"&limit={10 + op % 5}&sort=name&user=u{op % 97} HTTP/1.1\r\n"
            f"Host: example.com\r\n"
            f"User-Agent: gillab/1.0\r\n"
            f"Accept: application/json\r\n"
            f"X-Request-Id: {op}\r\n"
            f"Cookie: session=s{op % 31}; theme=dark")


def handle(raw):
    """Parses one raw request and returns the response body (str)."""
    line, *lines = raw.split("\r\n")
    method, target, _version = line.split(" ")
    path, _, query = target.partition("?")
    params = dict(p.split("=", 1) for p in query.split("&"))
    headers = {}
    for h in lines:
        name, _, value = h.partition(": ")
        headers[name.lower()] = value
    cookies = dict(c.split("=", 1) for c in headers["cookie"].split("; "))
    response = {
        "status": "200",
        "method": method,
        "path": path,
        "host": headers["host"],
        "user": params["user"],
        "page": params["page"],
        "items": str(int(params["limit"]) * (int(params["page"]) + 1)),
        "session": cookies["session"],
        "request-id": headers["x-request-id"],
    }
    return "&".join(f"{k}={response[k]}" for k in sorted(response))


def work(worker, nworkers, units):
    """Worker `worker` of `nworkers` handles its block of the `units`
    requests; returns (operations, sum of the response bodies' bytes)."""
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    total = 0
    for op in range(first, end):
        total += sum(handle(request(op)).encode())
    return end - first, total
