"""« Tableau de bord »: per role, revenue by month (invoiced and collected), receivables by
age, top customers, stock health, this week's absences and what waits for a decision.
Every chart is a ``figure`` with a caption and the table of its numbers."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import ContainerDep, declare_channel
from api.web import charts, figures
from api.web.deps import PageRoute, WebUserDep, render
from domain.kit.principal import Channel

router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)


def _charts(board: figures.Dashboard) -> dict[str, charts.Chart]:
    drawn: dict[str, charts.Chart] = {}
    if board.finance is not None:
        drawn["revenue"] = charts.columns(
            [
                (charts.MONTHS[p.period.month - 1], [p.invoiced_net, p.collected])
                for p in board.finance.months
            ],
            ["bar-invoiced", "bar-collected"],
            ["Facturé HT", "Encaissé"],
        )
        drawn["ageing"] = charts.bars(board.finance.ageing.rows())
        drawn["top"] = charts.bars(
            [(t.name, t.invoiced_net) for t in board.finance.kpis.top_customers]
        )
    if board.stock is not None and board.stock.stockouts:
        drawn["cover"] = charts.bars(
            [(f.product_name, f.days_of_cover or Decimal(0)) for f in board.stock.stockouts],
            css="bar-warn",
        )
    return drawn


@router.get("/tableau-de-bord")
def dashboard_page(request: Request, c: ContainerDep, user: WebUserDep) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        board = figures.dashboard(session, user.principal, c.clock)
    return render(
        request,
        "dashboard.html",
        {"title": "Tableau de bord", "board": board, "charts": _charts(board)},
    )
