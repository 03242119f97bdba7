"""The pipeline: opportunities created and moved, the summary by stage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.finance.documents.labels import french_date
from domain.kit import inputs
from domain.kit.errors import NotFound
from domain.kit.text import fold
from domain.sales import service as sales
from domain.sales.models import Opportunity, Partner, PipelineStage
from domain.sales.schemas import (
    OpportunityCreate,
)
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.finance.common import partner_name
from tools.sales._common import (
    currency_of,
    money,
    partner_named,
)

# --- the pipeline -----------------------------------------------------------------------


def _stage(ctx: ToolContext, said: str) -> PipelineStage:
    """The stage a person names (« négociation », « gagnée », « perdu »), or a question."""
    stages = sales.list_stages(ctx.session, ctx.principal)
    wanted = fold(said)
    exact = [s for s in stages if fold(s.name) == wanted]
    close = exact or [
        s for s in stages if wanted and (fold(s.name).startswith(wanted) or
                                         wanted.startswith(fold(s.name)))
    ]  # fmt: skip
    if len(close) == 1:
        return close[0]
    names = [s.name for s in close or stages]
    raise AskBack(f"Quelle étape ? {', '.join(names)}.", field="stage", options=names)


class CreateOpportunityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(min_length=1, max_length=200, description="Le client concerné")
    title: str | None = Field(
        default=None, max_length=200, description="Intitulé de l'affaire (défaut : le client)"
    )
    amount: inputs.Amount = Field(default=Decimal(0), ge=0, description="Montant espéré HT")
    stage: str | None = Field(default=None, max_length=60, description="Étape du pipeline")
    expected_close_date: date | None = Field(default=None, description="Date de signature visée")


class OpportunityOut(ToolResult):
    opportunity_id: str
    customer: str
    title: str
    amount: Decimal
    currency: str
    stage: str
    probability: int
    previous_stage: str | None = None
    expected_close_date: date | None = None

    def _what(self) -> str:
        amount = f", {money(self.amount, self.currency)}" if self.amount else ""
        return f"« {self.title} » ({self.customer}{amount})"

    def preview(self) -> str:
        if self.previous_stage is not None:
            return f"Passer l'affaire {self._what()} de {self.previous_stage} à {self.stage}."
        when = (
            f", signature visée le {french_date(self.expected_close_date)}"
            if self.expected_close_date
            else ""
        )
        return (
            f"Créer l'affaire {self._what()} à l'étape {self.stage} ({self.probability} %){when}."
        )

    def render(self) -> str:
        if self.previous_stage is not None:
            return f"Affaire {self._what()} passée de {self.previous_stage} à {self.stage}."
        return f"Affaire {self._what()} créée à l'étape {self.stage}."


def _opportunity_out(
    ctx: ToolContext, o: Opportunity, customer: str, previous: str | None = None
) -> OpportunityOut:
    stage_names = {s.id: s.name for s in sales.list_stages(ctx.session, ctx.principal)}
    return OpportunityOut(
        opportunity_id=str(o.id), customer=customer, title=o.title, amount=o.amount,
        currency=currency_of(ctx).value, stage=stage_names[o.stage_id],
        probability=o.probability,
        previous_stage=previous, expected_close_date=o.expected_close_date,
    )  # fmt: skip


@tool(
    "sales.create_opportunity",
    title="Créer une affaire",
    effect=Effect.WRITE,
    roles=sales.PIPELINE_WRITERS,
    creates="opportunity",
    acts_on=("quote",),
)
def create_opportunity(ctx: ToolContext, args: CreateOpportunityIn) -> OpportunityOut:
    """Ouvre une affaire (opportunité) avec un client dans le pipeline commercial.

    Exemples : « nouvelle affaire avec Diallo, 2 millions », « opportunité Dupont SAS :
    équipement bureau, 15 000 € », « ajoute une affaire pour Ndiaye en négociation »."""
    partner = partner_named(ctx, args.customer, "customer", "customer")
    stage = _stage(ctx, args.stage).name if args.stage else None
    data = OpportunityCreate(
        partner_id=partner.id, title=args.title or f"Affaire {partner.name}", amount=args.amount,
        stage=stage, expected_close_date=args.expected_close_date,
    )  # fmt: skip
    o = sales.create_opportunity(ctx.session, ctx.principal, data, clock=ctx.clock)
    return _opportunity_out(ctx, o, partner.name)


class MoveOpportunityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(min_length=1, max_length=200, description="Le client de l'affaire")
    stage: str = Field(min_length=1, max_length=60, description="Nouvelle étape (Négociation…)")
    title: str | None = Field(
        default=None, max_length=200, description="Intitulé, quand le client a plusieurs affaires"
    )
    lost_reason: str | None = Field(
        default=None, max_length=300, description="Raison de la perte (étape Perdu)"
    )


def _deal_of(ctx: ToolContext, partner: Partner, title: str | None) -> Opportunity:
    page = sales.list_opportunities(ctx.session, ctx.principal, partner_id=partner.id, limit=200)
    deals = page.items
    if title:
        wanted = fold(title)
        words = [w for w in wanted.split() if len(w) > 3]
        deals = (
            [o for o in deals if wanted in fold(o.title)]
            or [o for o in deals if words and all(w in fold(o.title) for w in words)]
            or deals
        )
    if len(deals) > 1:
        open_ids = {
            s.id for s in sales.list_stages(ctx.session, ctx.principal) if s.outcome == "open"
        }
        deals = [o for o in deals if o.stage_id in open_ids] or deals
    if not deals:
        raise NotFound(f"{partner.name} n'a aucune affaire dans le pipeline.")
    if len(deals) > 1:
        titles = [o.title for o in deals]
        raise AskBack(f"Quelle affaire de {partner.name} ?", field="title", options=titles)
    return deals[0]


@tool(
    "sales.move_opportunity",
    title="Changer l'étape d'une affaire",
    effect=Effect.WRITE,
    roles=sales.PIPELINE_WRITERS,
    acts_on=(
        "opportunity",
        "quote",
    ),
)
def move_opportunity(ctx: ToolContext, args: MoveOpportunityIn) -> OpportunityOut:
    """Fait avancer (ou reculer) une affaire d'un client dans le pipeline : Qualifié,
    Proposition, Négociation, Gagné, Perdu (avec la raison).

    Exemples : « passe l'affaire Diallo en négociation », « on a gagné Dupont ! »,
    « l'affaire Ndiaye est perdue, trop cher »."""
    partner = partner_named(ctx, args.customer, "customer", "customer")
    deal = _deal_of(ctx, partner, args.title)
    target = _stage(ctx, args.stage)
    if target.outcome == "lost" and not (args.lost_reason or "").strip():
        raise AskBack("Pour quelle raison l'affaire est-elle perdue ?", field="lost_reason")
    previous = next(
        s.name for s in sales.list_stages(ctx.session, ctx.principal) if s.id == deal.stage_id
    )
    moved = sales.move_opportunity(
        ctx.session, ctx.principal, deal.id, target.id, clock=ctx.clock,
        lost_reason=args.lost_reason,
    )  # fmt: skip
    return _opportunity_out(ctx, moved, partner.name, previous)


class PipelineSummaryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: str | None = Field(
        default=None,
        max_length=100,
        description="Une étape (« Négociation ») : ses affaires, une par une.",
    )


class DealLine(BaseModel):
    title: str
    customer: str
    amount: Decimal


class StageLine(BaseModel):
    name: str
    count: int
    total_amount: Decimal
    weighted_amount: Decimal


class PipelineSummaryOut(ToolResult):
    currency: str
    stages: list[StageLine]
    open_count: int
    open_amount: Decimal
    open_weighted_amount: Decimal
    stage: str | None = None  # the stage asked about, and its deals
    deals: list[DealLine] = []

    def render(self) -> str:
        if self.stage is not None:
            if not self.deals:
                return f"Aucune affaire à l'étape {self.stage}."
            rows = [
                f"- {d.title} · {d.customer} · {money(d.amount, self.currency)}" for d in self.deals
            ]
            total = sum((d.amount for d in self.deals), Decimal(0))
            head = (
                f"{len(self.deals)} affaire(s) à l'étape {self.stage}, "
                f"{money(total, self.currency)} au total :"
            )
            return "\n".join([head, *rows])
        head = (
            f"Pipeline : {self.open_count} affaire(s) en cours pour "
            f"{money(self.open_amount, self.currency)} "
            f"(pondéré : {money(self.open_weighted_amount, self.currency)})."
        )
        rows = [
            f"- {s.name} : {s.count} — {money(s.total_amount, self.currency)}" for s in self.stages
        ]
        return "\n".join([head, *rows])


@tool("sales.pipeline_summary", title="Résumer le pipeline", effect=Effect.READ)
def pipeline_summary(ctx: ToolContext, args: PipelineSummaryIn) -> PipelineSummaryOut:
    """Résume le pipeline commercial : nombre d'affaires et montants par étape, total
    pondéré des affaires en cours.

    Exemples : « où en est le pipeline ? », « combien d'affaires en cours ? »,
    « montre-moi les opportunités par étape »."""
    s = sales.pipeline_summary(ctx.session, ctx.principal)
    deals: list[DealLine] = []
    if args.stage is not None:
        page = sales.list_opportunities(ctx.session, ctx.principal, stage=args.stage, limit=50)
        deals = [
            DealLine(title=o.title, customer=partner_name(ctx, o.partner_id), amount=o.amount)
            for o in page.items
        ]
    return PipelineSummaryOut(
        currency=s.currency,
        stages=[StageLine.model_validate(st, from_attributes=True) for st in s.stages],
        open_count=s.open_count,
        open_amount=s.open_amount,
        open_weighted_amount=s.open_weighted_amount,
        stage=args.stage,
        deals=deals,
    )
