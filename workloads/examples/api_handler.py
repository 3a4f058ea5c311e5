"""A JSON API handler, as a web service runs it for every request: parse
the body, validate fields with regular expressions, price the order and
serialize the reply.

This is pure Python work (json's C accelerator and re both hold the GIL), so
under threads on a GIL build the requests take turns; processes, own-GIL
subinterpreters or a free-threaded build can run them side by side.

A unit is one request. The answer is a checksum of the replies, the same
whichever model or runtime ran them.
"""
import json
import re

UNITS = 60000  # requests: about 0.8 s of one worker's time here (3.11)

EMAIL = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
SKU = re.compile(r"^[A-Z]{3}-[0-9]{4}$")
COUPONS = {"SAVE10": 0.90, "SAVE25": 0.75}


def make_request(n):
    """The body of request n, as a client would send it."""
    items = [
        {
            "sku": f"{'ABCDEFGH'[(n + i) % 8] * 3}-{(n * 7 + i) % 10000:04d}",
            "qty": 1 + (n + i) % 5,
            "price": ((n * 31 + i * 17) % 10000) / 100,
        }
        for i in range(1 + n % 8)
    ]
    if n % 11 == 0:
        items[0]["sku"] = "bad sku"  # some requests fail validation
    body = {
        "id": n,
        "email": f"user{n % 977}@shop{n % 13}.example.com",
        "items": items,
        "coupon": ("SAVE10", "SAVE25", None, None)[n % 4],
    }
    return json.dumps(body)


def handle(body):
    """Parses, validates, prices and answers one request (a str)."""
    req = json.loads(body)
    errors = []
    if not EMAIL.match(req.get("email", "")):
        errors.append({"field": "email", "error": "not an address"})
    total = 0.0
    for i, item in enumerate(req.get("items", [])):
        if not SKU.match(item.get("sku", "")):
            errors.append({"field": f"items[{i}].sku", "error": "bad format"})
            continue
        total += item["qty"] * item["price"]
    total *= COUPONS.get(req.get("coupon"), 1.0)
    reply = {
        "id": req["id"],
        "status": 422 if errors else 200,
        "errors": errors,
        "total": round(total, 2),
    }
    return json.dumps(reply, sort_keys=True)


def work(worker, nworkers, units):
    first = units * worker // nworkers
    last = units * (worker + 1) // nworkers
    checksum = 0
    for n in range(first, last):
        reply = handle(make_request(n))
        checksum = (checksum * 31 + len(reply)) & 0xFFFFFFFF
    return last - first, checksum


async def awork(worker, nworkers, units):
    """The same handler in an event loop, giving other tasks a turn after
    every request, as an async framework does between requests."""
    import asyncio

    first = units * worker // nworkers
    last = units * (worker + 1) // nworkers
    checksum = 0
    for n in range(first, last):
        reply = handle(make_request(n))
        checksum = (checksum * 31 + len(reply)) & 0xFFFFFFFF
        await asyncio.sleep(0)
    return last - first, checksum
