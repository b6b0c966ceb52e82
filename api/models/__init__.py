"""Database models; importing this package registers every table on Base.metadata."""

from ..db import Base

__all__ = ["Base"]
