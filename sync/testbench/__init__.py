"""A local stand-in for the Google APIs the product uses (Sheets v4, Drive v3, OAuth 2.0 token,
IAM credentials, Gmail send), served over HTTP on loopback. See docs/testbench.md."""

from sync.testbench.server import Testbench, serve, start

__all__ = ["Testbench", "serve", "start"]
