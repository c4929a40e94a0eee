"""Word lists the fake's recordings are drawn from: ~2.5 KB of realistic JSON per record."""

from __future__ import annotations

PROBLEMS = (
    "Checkout button does nothing", "Invoice PDF fails to download", "Cannot upload CSV",
    "Login loops back to the sign-in page", "Dashboard charts stay blank", "Coupon code rejected",
    "Password reset email never arrives", "Search returns no results", "Video call drops audio",
    "Export to Excel times out", "Cart empties itself", "Profile photo upload fails",
    "Two-factor code not accepted", "Order history missing items", "Settings do not save",
    "Payment form shows an error",
)  # fmt: skip
CONTEXTS = (
    "on Safari", "after login", "in the mobile app", "for team accounts", "since the last update",
    "on slow connections", "with SSO enabled", "on the pricing page", "for EU customers",
    "in the admin panel", "after changing plans", "on Windows 11", "in dark mode",
    "with an ad blocker", "for new users", "during checkout",
)  # fmt: skip
SENTENCES = (
    "The customer clicks the primary button and nothing visible happens on the page.",
    "A spinner appears for a few seconds and then the form resets without any message.",
    "The network tab shows a request failing with a server error right after submit.",
    "Reloading the page does not help and clearing the cache only fixes it for one attempt.",
    "The issue started this morning and several customers from the same company report it.",
    "The customer is on a corporate network with a proxy that rewrites some headers.",
    "Switching to a private window reproduces the problem on the first try.",
    "The console shows an uncaught type error coming from the bundled application script.",
    "Support confirmed the account is in good standing and the subscription is active.",
    "The recording shows the customer trying three times before giving up in frustration.",
    "An older browser version on the same machine does not show the problem at all.",
    "The customer mentions a deadline today and asks for a workaround as soon as possible.",
    "Engineering suspects a race between the autosave request and the navigation event.",
    "The layout shifts while loading, so the click lands on a different element than intended.",
    "After the failure the customer is logged out and has to sign in again to continue.",
    "The same steps work for the agent, which suggests account-specific configuration.",
)
LOG_LINES = (
    "Uncaught TypeError: Cannot read properties of undefined (reading 'id')",
    "GET https://{company}.example.com/api/v1/cart 500 (Internal Server Error)",
    "POST https://{company}.example.com/api/v1/orders 422 (Unprocessable Entity)",
    "[Violation] 'click' handler took 412ms",
    'Warning: Each child in a list should have a unique "key" prop.',
    "Failed to load resource: net::ERR_BLOCKED_BY_CLIENT",
    "Refused to apply style from 'https://cdn.{company}.example.com/app.css' (MIME type)",
    "WebSocket connection to 'wss://rt.{company}.example.com/socket' failed",
    "ResizeObserver loop completed with undelivered notifications.",
    "Unhandled Promise Rejection: Error: Request aborted",
)
COMPANIES = (
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
    "soylent", "vandelay", "piedpiper", "cyberdyne", "dynamics", "oscorp", "aperture",
)  # fmt: skip
#: platform slug, recording_source, and which helpdesk_info ids that helpdesk fills in.
HELPDESKS = (
    ("zendesk", "Zendesk Ticket", ("ticket_id", "user_id", "operator_id")),
    ("zendesk", "Zendesk Ticket", ("ticket_id", "user_id", "operator_id")),
    ("intercom", "Intercom Operator", ("conversation_id", "operator_id", "customer_id")),
    ("freshdesk", "Freshdesk Ticket", ("ticket_id", "customer_id")),
    ("helpscout", "Help Scout Conversation", ("conversation_id", "ticket_id", "customer_id")),
    ("hubspot", "HubSpot Ticket", ("ticket_id", "customer_id")),
    ("jira", "Jira Issue", ("issue_id", "user_id")),
)
HELPDESK_IDS = (
    "conversation_id", "ticket_id", "user_id", "operator_id", "customer_id", "issue_id",
)  # fmt: skip
TYPES = ("Received", "Received", "Received", "Received", "Sent", "Live")
#: Where customers record from: (timezone, ISP, IPv4 prefix from the documentation ranges).
NETWORKS = (
    ("Europe/Berlin", "Deutsche Telekom AG", "203.0.113."),
    ("Europe/Paris", "Orange S.A.", "198.51.100."),
    ("Europe/London", "British Telecommunications PLC", "192.0.2."),
    ("America/New_York", "Comcast Cable Communications, LLC", "203.0.113."),
    ("America/Los_Angeles", "Charter Communications Inc", "198.51.100."),
    ("America/Sao_Paulo", "Claro S.A.", "192.0.2."),
    ("Asia/Kolkata", "Reliance Jio Infocomm Limited", "203.0.113."),
    ("Asia/Tokyo", "NTT Communications Corporation", "198.51.100."),
    ("Australia/Sydney", "Telstra Corporation Ltd", "192.0.2."),
    ("Europe/Madrid", "Telefonica de Espana S.A.U.", "203.0.113."),
)
NETWORK_TYPES = ("wifi", "wifi", "wifi", "ethernet", "cellular", "4g", None)
#: navigator.vendor of each browser (Firefox sends an empty one: null here).
VENDORS = {"Chrome": "Google Inc.", "Edge": "Google Inc.", "Safari": "Apple Computer, Inc."}
BROWSERS = (
    ("Chrome", ("120.0", "121.0", "122.0", "124.0")),
    ("Chrome", ("120.0", "123.0")),
    ("Firefox", ("121.0", "123.0", "125.0")),
    ("Safari", ("17.2", "17.4")),
    ("Edge", ("120.0", "122.0")),
)
#: os, user agent platform, device, device_type.
SYSTEMS = (
    ("macOS", "Macintosh; Intel Mac OS X 10_15_7", "MacBook Pro", "desktop"),
    ("Windows", "Windows NT 10.0; Win64; x64", "Windows PC", "desktop"),
    ("iOS", "iPhone; CPU iPhone OS 17_2 like Mac OS X", "iPhone", "mobile"),
    ("Android", "Linux; Android 14; Pixel 8", "Pixel 8", "mobile"),
    ("Linux", "X11; Linux x86_64", "Linux PC", "desktop"),
    ("iPadOS", "iPad; CPU OS 17_2 like Mac OS X", "iPad", "tablet"),
)
VARIANTS = 2048
TAGS = ("billing", "bug", "onboarding", "vip", "mobile", "escalated", "refund", "sso")
