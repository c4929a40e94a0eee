"""Every default of the client in one place, so the README and the code cannot disagree."""

from __future__ import annotations

from ._version import __version__

DEFAULT_BASE_URL = "https://app.screendesk.io"
#: Where the REST v2 API lives under the base URL, and the SCIM 2.0 API under that.
REST_PATH = "/api/v2"
SCIM_PATH = f"{REST_PATH}/scim"

ENV_API_TOKEN = "SCREENDESK_API_TOKEN"
ENV_SCIM_TOKEN = "SCREENDESK_SCIM_TOKEN"
ENV_BASE_URL = "SCREENDESK_BASE_URL"

USER_AGENT = f"screendesk-async/{__version__}"

#: Seconds one attempt may take in total, and between two reads of the socket.
DEFAULT_TIMEOUT = 30.0
#: Seconds to establish a connection (capped by the timeout).
CONNECT_TIMEOUT = 10.0
#: Retries after the first try.
DEFAULT_MAX_RETRIES = 3
#: Requests in flight at once across everything one client does.
DEFAULT_MAX_CONCURRENCY = 8

#: Exponential backoff: the first retry waits about INITIAL_BACKOFF, doubling up to MAX_BACKOFF;
#: each wait is reduced by up to BACKOFF_JITTER of itself at random so clients do not retry in step.
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
BACKOFF_JITTER = 0.25
#: A Retry-After longer than this is not slept: the RateLimitError is raised at once.
MAX_RETRY_AFTER = 60.0
#: One call (all its attempts and waits) never sleeps past this many seconds from its start.
CALL_DEADLINE = 300.0

#: Statuses worth another try: the server did not act, or asked us to come back.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Methods that can be replayed safely (this API's PATCH sets fields, so it is idempotent too).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})

SCIM_MEDIA_TYPE = "application/scim+json"
#: The core schema every SCIM user sent carries (RFC 7643 §4.1).
SCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
#: Bytes a response body may have once decompressed (``max_response_size``; ``None`` = no cap).
DEFAULT_MAX_RESPONSE_SIZE = 64 * 2**20
#: Bytes read from the socket at a time, so a body over the cap is refused before it is held.
READ_CHUNK_SIZE = 64 * 2**10
#: Redirect hops a GET follows; other methods follow none.
MAX_REDIRECTS = 5
#: Statuses whose ``Location`` a GET follows.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Levels of nesting a JSON body the client keeps may have (SCIM bodies, error bodies): far
#: above any documented shape (a SCIM ListResponse nests 7), far below what reads it later
#: recursively (orjson writes at most 254 levels, Python's recursion limit is 1,000 frames).
MAX_JSON_DEPTH = 64
#: The largest page number, page count, record count or index a page may give: a signed 32-bit
#: int, what servers' own page parameters are. No listing past it could be read (at 100 records
#: a page it is 214 billion records), so a larger figure is a broken server, not a plan of
#: requests to follow.
MAX_PAGE_INT = 2**31 - 1
