"""Run a fake Screendesk in the foreground: ``python -m screendesk_async.testing``.

Prints ``READY <url>`` on stdout once listening, then the URL and the tokens as shell
``export`` lines to paste into another shell (see the README), and serves until SIGTERM or
SIGINT. The tokens are fake ones, derived from
``--seed`` (``FakeScreendesk(seed=N).admin_token`` in the parent process gives the same value)
unless given explicitly.

``--workers N`` (POSIX only) forks N server processes sharing one listening socket, for
benchmarks that need more than one core of server. Each worker holds its own copy of the
seeded data, so reads agree everywhere but a PATCH or SCIM write is seen by one worker only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import os
import signal
import socket
import ssl
import sys
from collections.abc import Sequence
from typing import Any, Final

from screendesk_async.testing._server import FakeScreendesk, _token

_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


#: The fake's own defaults (``FakeScreendesk``'s signature), which the options default to.
_DEFAULTS: Final = {
    name: parameter.default
    for name, parameter in inspect.signature(FakeScreendesk).parameters.items()
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m screendesk_async.testing",
        description="Run a fake Screendesk server with seeded sample data, until SIGTERM or "
        "Ctrl-C. It prints READY URL, then the shell export lines that point screendesk (or "
        "AsyncScreendesk()) at it.",
    )
    # Each option whose help ends in "(default: %(default)s)" shows the value it defaults to.
    default = " (default: %(default)s)"

    def option(flag: str, help_text: str, **kwargs: Any) -> None:
        name = flag.removeprefix("--").replace("-", "_")
        kwargs.setdefault("default", _DEFAULTS.get(name))
        shown = default if kwargs["default"] is not None else ""
        parser.add_argument(flag, help=help_text + shown, **kwargs)

    option("--host", "the address to listen on (a loopback one, unless you mean to share it)")
    option("--port", "the port to listen on; 0 picks a free one", type=int, metavar="PORT")
    option("--recordings", "how many sample recordings", type=int, metavar="N")
    option(
        "--users", "how many sample users (the same people in REST and SCIM)", type=int, metavar="N"
    )
    option("--page-size", "records per REST page", type=int, metavar="N")
    option("--latency", "seconds added to every request", type=float, default=0.0, metavar="S")
    fault = "fraction (0..1) of requests answered with a fault"
    option("--fault-rate", fault, type=float, default=0.0, metavar="FRACTION")
    option("--seed", "seed of the sample data and of the fake tokens", type=int, metavar="N")
    option("--tls-cert", "PEM certificate chain: serve https (with --tls-key)", metavar="PATH")
    option("--tls-key", "PEM private key for --tls-cert", metavar="PATH")
    derived = "the default is derived from --seed"
    option("--admin-token", f"the account owner's API token (an admin); {derived}", metavar="TOKEN")
    option("--member-token", f"a member's API token; {derived}", metavar="TOKEN")
    option("--scim-token", f"the SCIM token; {derived}", metavar="TOKEN")
    option(
        "--workers",
        "server processes sharing one socket (POSIX only)",
        type=int,
        default=1,
        metavar="N",
    )
    return parser


def announce(url: str, args: argparse.Namespace) -> None:
    """Print ``READY <url>``, then how to point ``screendesk`` (or any client) at this fake."""
    admin = args.admin_token or _token(args.seed, "admin")
    member = args.member_token or _token(args.seed, "member")
    scim = args.scim_token or _token(args.seed, "scim")
    print(
        f"READY {url}\n"
        "# A fake Screendesk with sample data. In another shell, paste:\n"
        f"export SCREENDESK_BASE_URL={url}\n"
        f"export SCREENDESK_API_TOKEN={admin}\n"
        f"export SCREENDESK_SCIM_TOKEN={scim}\n"
        f"# then e.g.: screendesk export recordings -o recordings.jsonl\n"
        f"# (the API token is the account owner's, an admin; a member sees only their own\n"
        f"# recordings: SCREENDESK_API_TOKEN={member})",
        flush=True,
    )


async def _serve(fake: FakeScreendesk, args: argparse.Namespace | None = None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in _STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    # A forked worker starts with these blocked: a stop that came before the handlers existed
    # was held, and is delivered to them now instead of killing the process.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    async with fake:
        if args is not None:
            announce(fake.url, args)
        await stop.wait()


def _serve_workers(args: argparse.Namespace, context: ssl.SSLContext | None) -> int:
    # The parent binds once and forks before any event loop exists; the kernel then spreads
    # connections over the workers accepting on the shared socket.
    listener = socket.create_server((args.host, args.port))
    # Blocked before forking, so a signal that comes early is held, not fatal to the parent or
    # to a worker whose handlers are not installed yet.
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    children = []
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                asyncio.run(_serve(_fake(args, context, listener)))
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    host, port = listener.getsockname()[:2]
    listener.close()
    announce(f"{'https' if context else 'http'}://{host}:{port}", args)
    signal.sigwait(_STOP_SIGNALS)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    return next((code for code in codes if code), 0)


def _fake(
    args: argparse.Namespace, context: ssl.SSLContext | None, sock: socket.socket | None = None
) -> FakeScreendesk:
    fake = FakeScreendesk(
        recordings=args.recordings,
        users=args.users,
        page_size=args.page_size,
        seed=args.seed,
        host=args.host,
        port=args.port,
        ssl_context=context,
        sock=sock,
        # Nobody can read the log of a separate process; keep memory flat on long runs.
        log_requests=False,
        admin_token=args.admin_token,
        member_token=args.member_token,
        scim_token=args.scim_token,
    )
    fake.faults.latency = args.latency
    fake.faults.rate = args.fault_rate
    return fake


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, serve until a signal, and return the exit status."""
    args = _parser().parse_args(argv)
    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    if args.workers > 1:
        return _serve_workers(args, context)
    asyncio.run(_serve(_fake(args, context), args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
