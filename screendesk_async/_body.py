"""Reading a response body under ``max_response_size``, without holding more than the cap."""

from __future__ import annotations

import aiohttp

from . import _constants as C


async def read_body(response: aiohttp.ClientResponse, limit: int | None) -> bytes | None:
    """The whole (decompressed) body, or ``None`` as soon as it passes ``limit`` bytes.

    Read in chunks, so no more than about ``limit`` is ever held. aiohttp (>= 3.13.3)
    inflates a compressed body a bounded piece at a time as it is read, so a small gzip bomb
    is counted, and refused, like any other large body. A ``Content-Length`` over the cap is
    refused before anything is read.
    """
    if limit is None:
        return await response.read()
    length = response.content_length
    encoding = response.headers.get("Content-Encoding", "identity").lower()
    if length is not None and length > limit and encoding == "identity":
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(C.READ_CHUNK_SIZE):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
