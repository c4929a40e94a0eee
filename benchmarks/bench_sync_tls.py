"""3 (continued). Sync facade per call over TLS loopback, and against ``requests.Session``.

``bench_sync_overhead.py`` measures async / sync facade / naive wrapper on plain loopback. This
adds what item 3 also asks for, in one run:

- ``requests.Session`` (keep-alive, ``.json()``) next to the facade, on plain loopback;
- all four over TLS loopback: the fake serves https with a certificate from a throw-away CA made
  here with ``trustme`` (the real API is https, and a TLS handshake is what the naive wrapper
  pays on every call).

The clients trust that CA the way an application would without code changes:
``SSL_CERT_FILE`` (read by the default SSL context that aiohttp creates when it is imported, so
it is set before the measuring child process starts) and ``REQUESTS_CA_BUNDLE``. The sync
facade takes no ``session`` or SSL context argument, so the environment variable is the only way
to make it trust a private CA.

The variants are the functions of ``bench_sync_overhead.py`` (imported, not copied), plus one
for ``requests``. The naive wrapper makes fewer calls (``--naive-calls``): each one costs a new
event loop, session and TLS handshake, and its per-call time is what is compared.

    python -m benchmarks.bench_sync_tls [--quick] [--calls N] [--naive-calls N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import requests
import trustme

from benchmarks import _processes
from benchmarks import bench_sync_overhead as theirs
from benchmarks._common import Samples, interleaved, ratio_line, scratch_dir, table, verdicts
from benchmarks._fake import SEED, FakeProcess
from screendesk_async.testing import FakeScreendesk

RECORDINGS = 100


@dataclass(frozen=True)
class Size:
    calls: int = 1000
    naive_calls: int = 200
    repeat: int = 5


QUICK = Size(calls=5, naive_calls=2, repeat=1)

ASYNC, SYNC, NAIVE, REQUESTS = (
    "(a) `AsyncScreendesk`",
    "(b) `Screendesk` (sync facade)",
    "(c) naive `asyncio.run()` per call",
    "(d) `requests.Session`",
)


def time_requests(url: str, token: str, uuid: str, calls: int) -> float:
    """Seconds per ``get`` with one ``requests.Session`` (keep-alive), decoding the JSON."""
    import time

    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        target = f"{url}/api/v2/recordings/{uuid}"
        session.get(target, timeout=30).json()  # warm-up: connection (and handshake)
        started = time.perf_counter()
        for _ in range(calls):
            reply = session.get(target, timeout=30)
            reply.raise_for_status()
            reply.json()
        return (time.perf_counter() - started) / calls


VARIANTS: dict[str, Callable[[str, str, str, int], float]] = {
    ASYNC: theirs.time_async,
    SYNC: theirs.time_sync,
    NAIVE: theirs.time_naive,
    REQUESTS: time_requests,
}


def _child(plain_url: str, tls_url: str, size: Size) -> dict[str, dict[str, list[float]]]:
    """Runs in the child process (SSL_CERT_FILE set): per-call seconds of every variant."""
    fake = FakeScreendesk(recordings=RECORDINGS, seed=SEED)  # tokens and data only
    token, uuid = fake.admin_token, fake.recordings_raw(last_page=1)[0]["uuid"]
    variants: dict[str, Callable[[], float]] = {}
    for transport, url in (("plain", plain_url), ("tls", tls_url)):
        for name, measure in VARIANTS.items():
            if transport == "plain" and name in (ASYNC, NAIVE):
                continue  # bench_sync_overhead.py has them
            calls = size.naive_calls if name == NAIVE else size.calls

            def one(
                measure: Callable[..., float] = measure, url: str = url, n: int = calls
            ) -> float:
                return measure(url, token, uuid, n)

            variants[f"{transport}|{name}"] = one
    samples = interleaved(variants, size.repeat, warmup=False)  # each call warms itself up
    out: dict[str, dict[str, list[float]]] = {"plain": {}, "tls": {}}
    for key, series in samples.items():
        transport, name = key.split("|")
        out[transport][name] = series.values
    return out


@dataclass
class Result:
    size: Size
    plain: dict[str, Samples]
    tls: dict[str, Samples]

    def ratio(self, transport: str, over: str, under: str) -> float:
        series = self.plain if transport == "plain" else self.tls
        return series[over].median / series[under].median


def run(size: Size) -> Result:
    with scratch_dir() as tmp:
        ca = trustme.CA()
        server_cert = ca.issue_cert("127.0.0.1", "localhost")
        ca_file, cert_file, key_file = tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"
        ca.cert_pem.write_to_path(str(ca_file))
        server_cert.private_key_pem.write_to_path(str(key_file))
        with cert_file.open("wb") as chain:
            for blob in server_cert.cert_chain_pems:
                chain.write(blob.bytes())
        env = {**os.environ, "SSL_CERT_FILE": str(ca_file), "REQUESTS_CA_BUNDLE": str(ca_file)}
        env.pop("SSL_CERT_DIR", None)
        with (
            FakeProcess(recordings=RECORDINGS, page_size=25, seed=SEED) as plain,
            FakeProcess(
                recordings=RECORDINGS, page_size=25, seed=SEED, tls=(cert_file, key_file)
            ) as tls,
        ):
            if not tls.url.startswith("https://"):
                raise AssertionError(f"the TLS fake serves {tls.url}")
            command = [sys.executable, "-m", "benchmarks.bench_sync_tls", "--child"]
            command += ["--plain-url", plain.url, "--tls-url", tls.url]
            command += ["--calls", str(size.calls), "--naive-calls", str(size.naive_calls)]
            command += ["--repeat", str(size.repeat)]
            output = _processes.run(command, env)
    data = json.loads(output)
    return Result(
        size,
        {name: Samples(name, values) for name, values in data["plain"].items()},
        {name: Samples(name, values) for name, values in data["tls"].items()},
    )


def _targets(result: Result) -> list[tuple[str, float, str, bool]]:
    sync_async = result.ratio("tls", SYNC, ASYNC)
    naive_sync = result.ratio("tls", NAIVE, SYNC)
    requests_plain = result.ratio("plain", REQUESTS, SYNC)
    requests_tls = result.ratio("tls", REQUESTS, SYNC)
    return [
        ("TLS: facade / async per call", sync_async, "<= 1.3", sync_async <= 1.3),
        ("TLS: naive / facade", naive_sync, ">= 4", naive_sync >= 4),
        ("plain: requests / facade", requests_plain, "> 1", requests_plain > 1),
        ("TLS: requests / facade", requests_tls, "> 1", requests_tls > 1),
    ]


def _pretty(target: str) -> str:
    return target.replace("<=", "≤").replace(">=", "≥")


def targets(result: Result) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    return [
        (f"3. {label.replace('/', '÷')} {_pretty(target)}", f"{value:.2f}", ok)
        for label, value, target, ok in _targets(result)
    ]


def report(result: Result) -> list[str]:
    s = result.size
    lines = [
        f"sync facade over TLS and vs requests: {s.calls} calls ({s.naive_calls} naive), "
        f"{s.repeat} runs"
    ]
    for transport, series in (("plain", result.plain), ("TLS", result.tls)):
        for name, samples in series.items():
            lines.append(
                f"  {transport:5} {name:38} median {samples.median * 1e6:8.0f} us/call "
                f"(min {samples.low * 1e6:.0f}, max {samples.high * 1e6:.0f})"
            )
    for label, value, target, ok in _targets(result):
        lines.append("  " + ratio_line(label, value, target, ok))
    return lines


def markdown(result: Result) -> list[str]:
    s = result.size
    rows = []
    for name in VARIANTS:
        plain = result.plain.get(name)
        tls = result.tls[name]
        rows.append(
            [
                name,
                "(above)" if plain is None else f"{plain.median * 1e6:.0f}",
                "" if plain is None else plain.spread(1e6, 0),
                f"{tls.median * 1e6:.0f}",
                tls.spread(1e6, 0),
            ]
        )
    return [
        "### Over TLS, and against `requests.Session`",
        "",
        f"{s.calls:,} sequential `recordings.get()` calls per run ({s.naive_calls} for the "
        "naive wrapper, whose per-call cost is the point), "
        f"{s.repeat} runs of each variant interleaved, in one process; plain loopback and TLS "
        "loopback (a certificate from a throw-away CA made with `trustme`, trusted through "
        "`SSL_CERT_FILE` / `REQUESTS_CA_BUNDLE`; the sync facade accepts no SSL context, so "
        "the environment is how it trusts a private CA). Variants (a)–(c) are "
        "`bench_sync_overhead.py`'s own functions.",
        "",
        *table(
            ["variant", "plain µs/call", "plain min–max", "TLS µs/call", "TLS min–max"],
            rows,
            align="l",
        ),
        "",
        *verdicts(
            (label.replace("/", "÷"), f"{value:.2f} (target {_pretty(target)})", ok)
            for label, value, target, ok in _targets(result)
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny size (smoke test)")
    parser.add_argument("--calls", type=int, help="calls per run")
    parser.add_argument("--naive-calls", type=int, help="calls per run of the naive wrapper")
    parser.add_argument("--repeat", type=int, help="runs of each variant")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plain-url", help=argparse.SUPPRESS)
    parser.add_argument("--tls-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    size = QUICK if args.quick else Size()
    size = Size(
        calls=args.calls or size.calls,
        naive_calls=args.naive_calls or size.naive_calls,
        repeat=args.repeat or size.repeat,
    )
    if args.child:
        print(json.dumps(_child(args.plain_url, args.tls_url, size)))
        return 0
    print("\n".join(report(run(size))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
