"""Sales services: partners and their fuzzy resolution, the catalog, the pipeline, activities.

Every function takes ``(session, principal, ...)``, checks the principal's roles, validates
everything before writing, flushes (never commits), and records each write as a domain
event and an audit entry in the caller's transaction.

Resolving a name (``resolve_customer``, ``resolve_supplier``, ``resolve_partner``,
``resolve_product``) picks a candidate only when it is clearly the one meant, by the rule of
``domain.kit.resolution``: an identifier (code, e-mail, phone, SKU, legal id) or the name's
very words, then a name holding every word said (« Grands Moulins »), then a clear trigram
winner. Otherwise the caller gets the candidates to ask the user (``Ambiguous*``), or a
clear « aucun … ne correspond » (``*NotFound``).
"""

from domain.kit.resolution import (
    RESOLVE_MIN_MARGIN,
    RESOLVE_MIN_SCORE,
)
from domain.sales.service._common import (
    AMOUNT_MAX,
    PAGE_MAX,
    PIPELINE_WRITERS,
    READERS,
    STAGE_ADMINS,
    WRITERS,
    tenant_currency,
)
from domain.sales.service.activities import (
    complete_activity,
    get_activity,
    list_activities,
    log_activity,
)
from domain.sales.service.catalog import (
    FALLBACK_VAT_RATES,
    STANDARD_VAT_RATE,
    VAT_RATE_NAMES,
    archive_product,
    create_product,
    get_product,
    list_products,
    resolve_product,
    search_products,
    update_product,
    vat_rates,
)
from domain.sales.service.partners import (
    PartnerRoleFilter,
    add_contact,
    archive_partner,
    create_partner,
    get_partner,
    get_partners,
    list_contacts,
    list_partners,
    partners_in_city,
    resolve_customer,
    resolve_partner,
    resolve_supplier,
    search_partners,
    update_partner,
)
from domain.sales.service.pipeline import (
    DEFAULT_STAGES,
    create_opportunity,
    create_stage,
    get_opportunity,
    list_opportunities,
    list_stages,
    move_opportunity,
    pipeline_summary,
    prepare_tenant,
    reorder,
    update_stage,
)

__all__ = [
    "AMOUNT_MAX",
    "DEFAULT_STAGES",
    "FALLBACK_VAT_RATES",
    "PAGE_MAX",
    "PIPELINE_WRITERS",
    "PartnerRoleFilter",
    "READERS",
    "RESOLVE_MIN_MARGIN",
    "RESOLVE_MIN_SCORE",
    "STAGE_ADMINS",
    "STANDARD_VAT_RATE",
    "VAT_RATE_NAMES",
    "WRITERS",
    "add_contact",
    "archive_partner",
    "archive_product",
    "complete_activity",
    "create_opportunity",
    "create_partner",
    "create_product",
    "create_stage",
    "get_activity",
    "get_opportunity",
    "get_partner",
    "get_partners",
    "get_product",
    "list_activities",
    "list_contacts",
    "list_opportunities",
    "list_partners",
    "partners_in_city",
    "list_products",
    "list_stages",
    "log_activity",
    "move_opportunity",
    "pipeline_summary",
    "prepare_tenant",
    "reorder",
    "resolve_customer",
    "resolve_partner",
    "resolve_supplier",
    "resolve_product",
    "search_partners",
    "search_products",
    "tenant_currency",
    "update_partner",
    "update_product",
    "vat_rates",
    "update_stage",
]
