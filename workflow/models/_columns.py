"""Shared column helpers for the models."""

from sqlalchemy import Enum
from sqlalchemy.orm import mapped_column


def enum_column(enum_cls, **kwargs):
    """Enums are stored by name in a VARCHAR (portable, readable, migration-friendly)."""
    return mapped_column(
        Enum(enum_cls, native_enum=False, length=24, validate_strings=True,
             name=enum_cls.__name__.lower()),
        **kwargs,
    )
