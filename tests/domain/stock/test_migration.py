"""Migration 0005 gives businesses that existed before stock what sign-up now gives."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import text

from comptoir import dbadmin
from domain.kit.db import make_engine


class TestStockBackfill:
    def test_a_business_older_than_stock_gets_its_warehouse_and_settings(
        self, server_url: str
    ) -> None:
        name = f"comptoir_stock_backfill_{secrets.token_hex(4)}"
        engine = make_engine(dbadmin.create_database(server_url, name))
        tenant = uuid.uuid4()
        try:
            dbadmin.migrate(engine, "0004")
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO tenants (id, name, slug, country, currency, locale, "
                        "timezone, is_active) VALUES (:id, 'Ancienne boutique', :slug, 'SN', "
                        "'XOF', 'fr-SN', 'Africa/Dakar', true)"
                    ),
                    {"id": tenant, "slug": f"old-{secrets.token_hex(3)}"},
                )
            dbadmin.migrate(engine)
            with engine.connect() as conn:
                row = conn.execute(
                    text(
                        "SELECT w.code, s.allow_negative_stock, "
                        "  (SELECT count(*) FROM stock_locations l "
                        "    WHERE l.tenant_id = s.tenant_id AND l.warehouse_id = w.id "
                        "      AND l.is_main) AS mains, "
                        "  (SELECT array_agg(l.kind ORDER BY l.kind) FROM stock_locations l "
                        "    WHERE l.tenant_id = s.tenant_id AND l.id IN "
                        "      (s.supplier_location_id, s.customer_location_id, "
                        "       s.inventory_location_id)) AS kinds "
                        "FROM stock_settings s JOIN warehouses w "
                        "  ON w.tenant_id = s.tenant_id AND w.id = s.default_warehouse_id "
                        "WHERE s.tenant_id = :id"
                    ),
                    {"id": tenant},
                ).one()
            assert (row.code, row.allow_negative_stock, row.mains) == ("PRINC", False, 1)
            assert row.kinds == ["customer", "inventory", "supplier"]
        finally:
            engine.dispose()
            dbadmin.drop_database(server_url, name)
