"""Imports every model so that ``metadata`` is complete (Alembic, drift test)."""

from sqlalchemy import CheckConstraint, Column, LargeBinary, SmallInteger, Table

from domain.audit import models as audit_models  # noqa: F401
from domain.automations import models as automation_models  # noqa: F401
from domain.conversations import models as conversation_models  # noqa: F401
from domain.documents import models as document_models  # noqa: F401
from domain.events import models as event_models  # noqa: F401
from domain.finance import models as finance_models  # noqa: F401
from domain.finance.einvoicing import models as einvoicing_models  # noqa: F401
from domain.finance.payables import models as payables_models  # noqa: F401
from domain.hr import models as hr_models  # noqa: F401
from domain.identity import models as identity_models  # noqa: F401
from domain.kit import sequences  # noqa: F401
from domain.kit.base import Base
from domain.sales import models as sales_models  # noqa: F401
from domain.stock import models as stock_models  # noqa: F401
from domain.stock.purchasing import models as purchasing_models  # noqa: F401
from domain.whatsapp import models as whatsapp_models  # noqa: F401

metadata = Base.metadata

# The RLS signing key (see domain.kit.rls). Readable by the owner only.
tenant_guard = Table(
    "tenant_guard",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("inner_key", LargeBinary, nullable=False),
    Column("outer_key", LargeBinary, nullable=False),
    CheckConstraint("id = 1", name="singleton"),
)
