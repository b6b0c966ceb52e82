"""Supplier profiles: identity, sites, capabilities, certifications, contacts, history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, new_id, utc_now

CHILD = {"cascade": "all, delete-orphan", "passive_deletes": True}


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    trade_name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    siren: Mapped[str | None] = mapped_column(String(9), index=True)
    vat_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    naf_code: Mapped[str | None] = mapped_column(String(10))
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    employees: Mapped[int | None] = mapped_column(Integer)
    founded_year: Mapped[int | None] = mapped_column(Integer)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    digital: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)

    sites: Mapped[list[Site]] = relationship(order_by="Site.position", **CHILD)
    capabilities: Mapped[list[SupplierCapability]] = relationship(
        order_by="SupplierCapability.position", **CHILD)
    certifications: Mapped[list[SupplierCertification]] = relationship(
        order_by="SupplierCertification.position", **CHILD)
    contacts: Mapped[list[Contact]] = relationship(order_by="Contact.position", **CHILD)

    # Every UPDATE checks and bumps the version: two writers holding the same
    # ETag cannot both succeed, even when their requests interleave.
    __mapper_args__ = {"version_id_col": version}


class _SupplierChild:
    """Columns every row owned by a supplier has: the owner and its place in the list."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


def _owner_column():
    return mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)


class Site(_SupplierChild, Base):
    __tablename__ = "supplier_sites"

    supplier_id: Mapped[str] = _owner_column()
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    department: Mapped[str | None] = mapped_column(String(3))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class SupplierCapability(_SupplierChild, Base):
    __tablename__ = "supplier_capabilities"

    supplier_id: Mapped[str] = _owner_column()
    code: Mapped[str] = mapped_column(String(100))
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_part_size: Mapped[str | None] = mapped_column(String(100))
    tolerance: Mapped[str | None] = mapped_column(String(100))
    capacity: Mapped[str | None] = mapped_column(String(200))


class SupplierCertification(_SupplierChild, Base):
    __tablename__ = "supplier_certifications"

    supplier_id: Mapped[str] = _owner_column()
    type: Mapped[str] = mapped_column(String(50))
    number: Mapped[str | None] = mapped_column(String(100))
    issuing_body: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    scope: Mapped[str | None] = mapped_column(String(500))


class Contact(_SupplierChild, Base):
    __tablename__ = "supplier_contacts"

    supplier_id: Mapped[str] = _owner_column()
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))


class SupplierChange(Base):
    """Who changed what and when. Kept after the supplier is deleted (no foreign key)."""

    __tablename__ = "supplier_changes"
    # A rebuild's catch-up looks for the deletions since it started: without this it read the
    # whole history (0.66 s at 100,000 suppliers, growing with it). Only deletions are in it.
    __table_args__ = (
        Index("ix_supplier_changes_deleted_at", "changed_at", postgresql_where=text("action = 'deleted'"),
              sqlite_where=text("action = 'deleted'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_key_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_organisation_id: Mapped[str | None] = mapped_column(String(36))
    import_id: Mapped[str | None] = mapped_column(String(36), index=True)  # the import that made it
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
