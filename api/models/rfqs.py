"""Requests for quotation, invitations and quotes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, new_id, utc_now

MONEY = Numeric(14, 4)


class Rfq(Base):
    __tablename__ = "rfqs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    buyer_organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    required_capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    required_certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    quantity: Mapped[Decimal] = mapped_column(MONEY)
    unit: Mapped[str] = mapped_column(String(30))
    delivery_place: Mapped[str | None] = mapped_column(String(200))
    delivery_latitude: Mapped[float] = mapped_column(Float)
    delivery_longitude: Mapped[float] = mapped_column(Float)
    max_distance_km: Mapped[float | None] = mapped_column(Float)
    response_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    needed_by: Mapped[date] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(10))
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    budget: Mapped[Decimal | None] = mapped_column(MONEY)
    budget_visible: Mapped[bool] = mapped_column(Boolean, default=False)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    awarded_quote_id: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invitations: Mapped[list[Invitation]] = relationship(back_populates="rfq", order_by="Invitation.invited_at")
    quotes: Mapped[list[Quote]] = relationship(back_populates="rfq", order_by="Quote.created_at")

    __mapper_args__ = {"version_id_col": version}

    # A published RFQ closes when its response deadline passes. Reads derive that (a read
    # never writes); the worker records it soon after, with its event.
    @hybrid_property
    def current_state(self) -> str:
        return "closed" if self.overdue else self.state

    @current_state.inplace.expression
    @classmethod
    def _current_state_expression(cls):
        return case((and_(cls.state == "published", cls.response_deadline <= utc_now()), "closed"),
                    else_=cls.state)

    @property
    def overdue(self) -> bool:
        """Published, with its deadline passed: closed, but not recorded as closed yet."""
        return self.state == "published" and self.response_deadline <= utc_now()

    @property
    def current_closed_at(self) -> datetime | None:
        return self.response_deadline if self.overdue else self.closed_at


class Invitation(Base):
    __tablename__ = "rfq_invitations"
    __table_args__ = (UniqueConstraint("rfq_id", "supplier_id", name="one_invitation_per_supplier"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rfq_id: Mapped[str] = mapped_column(ForeignKey("rfqs.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="invited")
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(20))
    decline_comment: Mapped[str | None] = mapped_column(String(1000))

    rfq: Mapped[Rfq] = relationship(back_populates="invitations")


class Quote(Base):
    """A supplier's answer; one row per supplier and RFQ, revised in place."""

    __tablename__ = "rfq_quotes"
    __table_args__ = (UniqueConstraint("rfq_id", "supplier_id", name="one_quote_per_supplier"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rfq_id: Mapped[str] = mapped_column(ForeignKey("rfqs.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[Decimal] = mapped_column(MONEY)
    lead_time_days: Mapped[int] = mapped_column(Integer)
    valid_until: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(String(2000))
    state: Mapped[str] = mapped_column(String(12), default="submitted")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    rfq: Mapped[Rfq] = relationship(back_populates="quotes")

    __mapper_args__ = {"version_id_col": version}

    @property
    def total_price(self) -> Decimal:
        return self.unit_price * self.quantity
