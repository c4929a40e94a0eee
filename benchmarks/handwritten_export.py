"""The script a user would write instead of ``screendesk export``: aiohttp + orjson, ~20 lines.

python benchmarks/handwritten_export.py URL TOKEN OUTPUT CONCURRENCY
"""

import asyncio
import sys

import aiohttp
import orjson


async def main(url: str, token: str, output: str, concurrency: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    limit = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(headers=headers) as session:

        async def fetch(page: int) -> dict:  # type: ignore[type-arg]
            async with limit, session.get(f"{url}/api/v2/recordings?page={page}") as reply:
                reply.raise_for_status()
                return orjson.loads(await reply.read())  # type: ignore[no-any-return]

        first = await fetch(1)
        rest = await asyncio.gather(*map(fetch, range(2, first["pagination"]["pages"] + 1)))
        with open(output, "wb") as stream:  # noqa: ASYNC230 - as such a script does
            for page in [first, *rest]:
                stream.writelines(
                    orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in page["records"]
                )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
