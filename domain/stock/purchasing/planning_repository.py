"""The replenishment queries: each answers for a whole tenant in one SQL statement.

Available quantities come from the ``stock_levels`` cache (internal locations only),
summed per warehouse through ``stock_locations.warehouse_id``; quantities still to receive
from the lines of open purchase orders (draft, sent, partially received); sales velocity
from the moves whose destination is the tenant's customer location.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.orm import Session

# Rules of active stockable products, with what each warehouse has and expects.
_POSITIONS = """
WITH rules AS (
    SELECT r.product_id, r.warehouse_id, r.min_quantity, r.max_quantity
    FROM reorder_rules r
    JOIN products p ON p.tenant_id = r.tenant_id AND p.id = r.product_id
    WHERE r.tenant_id = :tenant AND p.is_active AND p.is_stockable
), levels AS (
    SELECT l.product_id, loc.warehouse_id, sum(l.on_hand - l.reserved) AS available
    FROM stock_levels l
    JOIN stock_locations loc ON loc.tenant_id = l.tenant_id AND loc.id = l.location_id
    WHERE l.tenant_id = :tenant AND loc.kind = 'internal'
    GROUP BY l.product_id, loc.warehouse_id
), incoming AS (
    SELECT pl.product_id, po.warehouse_id,
           sum(greatest(pl.quantity - pl.received_quantity, 0)) AS incoming
    FROM purchase_order_lines pl
    JOIN purchase_orders po ON po.tenant_id = pl.tenant_id AND po.id = pl.order_id
    WHERE po.tenant_id = :tenant AND po.status IN ('draft', 'sent', 'partially_received')
    GROUP BY pl.product_id, po.warehouse_id
), positions AS (
    SELECT rules.*, coalesce(levels.available, 0) AS available,
           coalesce(incoming.incoming, 0) AS incoming
    FROM rules
    LEFT JOIN levels USING (product_id, warehouse_id)
    LEFT JOIN incoming USING (product_id, warehouse_id)
)
"""

SUGGESTIONS = (
    _POSITIONS
    + """
, short AS (
    SELECT * FROM positions WHERE available + incoming <= min_quantity
), chosen AS (
    -- The preferred supplier, else the cheapest (terms without a price buy at the
    -- product's purchase price), else the first referenced.
    SELECT DISTINCT ON (ps.product_id)
           ps.product_id, ps.supplier_id, ps.price, ps.lead_time_days, ps.min_order_quantity
    FROM product_suppliers ps
    JOIN partners s ON s.tenant_id = ps.tenant_id AND s.id = ps.supplier_id
    JOIN products pp ON pp.tenant_id = ps.tenant_id AND pp.id = ps.product_id
    WHERE ps.tenant_id = :tenant AND s.is_active
      AND ps.product_id IN (SELECT product_id FROM short)
    ORDER BY ps.product_id, ps.is_preferred DESC,
             coalesce(ps.price, pp.purchase_price) ASC NULLS LAST, ps.created_at
)
SELECT short.product_id, p.name AS product_name, p.sku, p.unit,
       short.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name,
       short.min_quantity, short.max_quantity, short.available, short.incoming,
       chosen.supplier_id, s.name AS supplier_name,
       coalesce(chosen.price, p.purchase_price) AS unit_price,
       coalesce(chosen.min_order_quantity, 1) AS min_order_quantity,
       coalesce(chosen.lead_time_days, s.lead_time_days) AS lead_time_days,
       coalesce(sold.quantity, 0) AS sold
FROM short
JOIN products p ON p.tenant_id = :tenant AND p.id = short.product_id
JOIN warehouses w ON w.tenant_id = :tenant AND w.id = short.warehouse_id
LEFT JOIN chosen ON chosen.product_id = short.product_id
LEFT JOIN partners s ON s.tenant_id = :tenant AND s.id = chosen.supplier_id
LEFT JOIN LATERAL (
    -- What this warehouse sent to customers over the window (index: product, moved_at).
    SELECT sum(m.quantity) AS quantity
    FROM stock_moves m
    JOIN stock_locations src ON src.tenant_id = m.tenant_id AND src.id = m.from_location_id
    JOIN stock_locations dst ON dst.tenant_id = m.tenant_id AND dst.id = m.to_location_id
    WHERE m.tenant_id = :tenant AND m.product_id = short.product_id
      AND m.moved_at >= :since AND m.moved_at < :until
      AND dst.kind = 'customer' AND src.warehouse_id = short.warehouse_id
) sold ON true
ORDER BY s.name NULLS LAST, p.name, w.code
"""
)

LOW_STOCK = (
    _POSITIONS
    + """
SELECT positions.product_id, p.name AS product_name, p.sku, p.unit,
       positions.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name,
       positions.min_quantity, positions.max_quantity, positions.available, positions.incoming
FROM positions
JOIN products p ON p.tenant_id = :tenant AND p.id = positions.product_id
JOIN warehouses w ON w.tenant_id = :tenant AND w.id = positions.warehouse_id
WHERE positions.available < positions.min_quantity
  AND (CAST(:warehouse AS uuid) IS NULL OR positions.warehouse_id = CAST(:warehouse AS uuid))
ORDER BY positions.available - positions.min_quantity, p.name, w.code
"""
)

FORECAST = """
WITH sold AS (
    SELECT m.product_id, sum(m.quantity) AS quantity
    FROM stock_moves m
    JOIN stock_locations dst ON dst.tenant_id = m.tenant_id AND dst.id = m.to_location_id
    WHERE m.tenant_id = :tenant AND m.moved_at >= :since AND m.moved_at < :until
      AND dst.kind = 'customer'
      AND (CAST(:product AS uuid) IS NULL OR m.product_id = CAST(:product AS uuid))
    GROUP BY m.product_id
), stock AS (
    SELECT l.product_id, sum(l.on_hand - l.reserved) AS available
    FROM stock_levels l
    JOIN stock_locations loc ON loc.tenant_id = l.tenant_id AND loc.id = l.location_id
    WHERE l.tenant_id = :tenant AND loc.kind = 'internal'
      AND (CAST(:product AS uuid) IS NULL OR l.product_id = CAST(:product AS uuid))
    GROUP BY l.product_id
)
SELECT p.id AS product_id, p.name AS product_name, p.sku, p.unit,
       coalesce(stock.available, 0) AS available, coalesce(sold.quantity, 0) AS sold
FROM products p
LEFT JOIN stock ON stock.product_id = p.id
LEFT JOIN sold ON sold.product_id = p.id
WHERE p.tenant_id = :tenant AND p.is_stockable AND p.is_active
  AND (CAST(:product AS uuid) IS NULL OR p.id = CAST(:product AS uuid))
"""


def _rows(session: Session, sql: str, params: dict[str, Any]) -> Sequence[Any]:
    return session.execute(text(sql), params).all()


def shortages(session: Session, tenant_id: UUID, since: datetime, until: datetime) -> Sequence[Any]:
    """(product, warehouse) positions at or under their minimum, with supplier and sales."""
    return _rows(session, SUGGESTIONS, {"tenant": tenant_id, "since": since, "until": until})


def low_stock(session: Session, tenant_id: UUID, warehouse_id: UUID | None) -> Sequence[Any]:
    return _rows(session, LOW_STOCK, {"tenant": tenant_id, "warehouse": warehouse_id})


def sales_and_stock(
    session: Session, tenant_id: UUID, since: datetime, until: datetime, product_id: UUID | None
) -> Sequence[Any]:
    return _rows(
        session,
        FORECAST,
        {"tenant": tenant_id, "since": since, "until": until, "product": product_id},
    )
