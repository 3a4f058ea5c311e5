"""A tiny product API, written as its authors would, knowing only that
the server calls handle(request_bytes) and sends back what it returns."""
import json

PRODUCTS = {i: {"id": i, "name": f"item-{i}", "price": round(i * 1.25, 2)}
            for i in range(100)}


def handle(request):
    line = request.split(b"\r\n", 1)[0].decode()
    method, target, _ = line.split(" ")
    # /c<conn>/<seq>: the second number picks a product
    seq = int(target.rsplit("/", 1)[-1])
    product = PRODUCTS[seq % 100]
    return json.dumps({"method": method, "product": product}).encode()


async def ahandle(request):
    return handle(request)


def crashy(request):
    seq = int(request.split(b" ")[1].rsplit(b"/", 1)[-1])
    if seq % 4 == 3:
        raise KeyError(f"no such order {seq}")
    return b"fine"
