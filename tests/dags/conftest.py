"""Fixtures shared by the DAG tests: the S3 server on 127.0.0.1 (tests/fixtures/s3_server.py)."""

from __future__ import annotations

from tests.fixtures.s3_server import s3_archive, s3_server

__all__ = ["s3_archive", "s3_server"]
