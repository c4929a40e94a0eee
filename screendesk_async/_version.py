"""The package version, read by the build backend and sent in the User-Agent."""

# Nothing is released yet: this is the work towards 0.1.0 (PEP 440 orders 0.1.0.dev0 before it).
# A release sets "X.Y.Z" on its tagged commit, then the next commit "X.Y.(Z+1).dev0" (CHANGELOG.md).
__version__ = "0.1.0.dev0"
