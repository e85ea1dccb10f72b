"""Console page: the manager dashboard — the sales funnel and lead intake by channel over a period (R-AN-4, R-LEAD-4).

Both charts are inline SVG drawn by the server (no chart library, nothing to download). The two questions go to
the services at once; each service decides what the person may see: a manager gets their team's funnel, a rep
their own, and the tenant-wide intake is for managers, marketing, auditors and admins. People whose work is not
in the funnel at all (service agents) get a friendly 403 page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import grpc
from flask import Blueprint, render_template, request

from crm.analytics.v1 import analytics_pb2
from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2
from services.core.i18n import t
from services.gateway.app import add_nav
from services.gateway.console.common import backend, say
from services.gateway.principal import current_principal, login_required
from services.gateway.problems import message_of

blueprint = Blueprint("dashboard", __name__, template_folder="../templates")

add_nav("dashboard.show", t("Dashboard"))

DASHBOARD_ROLES = ("manager", "admin", "auditor", "marketing", "sales")
PERIODS = {"7": t("Last 7 days"), "30": t("Last 30 days"), "90": t("Last 90 days"), "365": t("Last 12 months"),
           "quarter": t("This quarter"), "custom": t("Custom")}
STAGES = {"02": t("First contact"), "03": t("Intent confirmed"), "04": t("Negotiation"), "05": t("Won")}
LOSS_REASONS = {"price": t("Price"), "competitor": t("Competitor"), "no_budget": t("No budget"),
                "no_decision": t("No decision"), "other": t("Other")}
MAX_INTAKE_DAYS = 366  # GetLeadIntake's longest period
CHART_WIDTH = 300  # the bars' area in SVG user units (labels 130 left, notes 170 right); the SVG scales to its card


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def period_of(args) -> tuple[str, date, date]:  # noqa: ANN001 - request.args
    """(period key, first day, last day), UTC days, both inclusive."""
    today = datetime.now(UTC).date()
    key = args.get("period", "30")
    if key == "quarter":
        preset = (key, date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    else:
        days = int(key) if key in ("7", "30", "90", "365") else 30
        preset = (str(days), today - timedelta(days=days - 1), today)
    start, end = _day(args.get("start", "")), _day(args.get("end", ""))
    if key == "custom" and start and end and start <= end:  # static/leads.js picks "custom" when dates change
        return "custom", start, min(end, start + timedelta(days=MAX_INTAKE_DAYS))
    return preset


def _date(day: date) -> common_pb2.Date:
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


def funnel_chart(funnel: sales_pb2.GetFunnelResponse) -> dict:
    """Bars of the stages (width by reached count) and of the loss reasons, ready to draw."""
    top = max([stage.reached for stage in funnel.stages] + [1])
    bars = [{
        "stage": stage.stage, "label": say(STAGES.get(stage.stage, stage.stage)), "reached": stage.reached,
        "width": round(CHART_WIDTH * stage.reached / top, 1),
        "conversion": stage.conversion_from_previous, "from_first": stage.conversion_from_first,
        "dwell": stage.average_dwell_days, "exits": stage.exits,
    } for stage in funnel.stages]
    most = max([reason.count for reason in funnel.loss_reasons] + [1])
    losses = [{"label": say(LOSS_REASONS.get(reason.reason, reason.reason)), "count": reason.count,
               "width": round(CHART_WIDTH * reason.count / most, 1)} for reason in funnel.loss_reasons]
    return {"bars": bars, "losses": losses, "lost": funnel.lost}


def intake_chart(intake: analytics_pb2.GetLeadIntakeResponse, start: date, end: date) -> dict:
    """Leads per channel (bars, most first) and per day (columns) of the period."""
    per_channel: dict[str, int] = defaultdict(int)
    per_day: dict[date, int] = defaultdict(int)
    for row in intake.rows:
        per_channel[row.channel or "—"] += row.leads
        per_day[date(row.day.year, row.day.month, row.day.day)] += row.leads
    channels = sorted(per_channel.items(), key=lambda item: (-item[1], item[0]))
    most = max([count for _, count in channels] + [1])
    bars = [{"label": channel, "count": count, "width": round(CHART_WIDTH * count / most, 1),
             "share": f"{100 * count / intake.total:.0f}" if intake.total else "0"} for channel, count in channels]
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    peak = max([per_day[day] for day in days] + [1])
    step = (CHART_WIDTH + 300) / max(len(days), 1)
    columns = [{"x": round(index * step, 2), "width": round(max(step * 0.8, 0.6), 2),
                "height": round(100 * per_day[day] / peak, 1), "day": day.isoformat(), "count": per_day[day]}
               for index, day in enumerate(days)]
    return {"bars": bars, "total": intake.total, "columns": columns, "peak": peak,
            "first_day": days[0].isoformat() if days else "", "last_day": days[-1].isoformat() if days else ""}


@blueprint.get("/console/dashboard")
@login_required
def show():  # noqa: ANN201
    principal = current_principal()
    if not principal.has_any_role(*DASHBOARD_ROLES):
        return render_template("console/dashboard_forbidden.html"), 403
    key, start, end = period_of(request.args)
    team = request.args.get("team", "").strip()[:100]
    funnel_call = backend("sales").GetFunnel.future(sales_pb2.GetFunnelRequest(
        start_date=_date(start), end_date=_date(end), team=team))
    intake_call = backend("analytics").GetLeadIntake.future(analytics_pb2.GetLeadIntakeRequest(
        start_date=_date(start), end_date=_date(end)))
    parts: dict[str, dict | None] = {}
    notes: dict[str, str] = {}
    for name, call, draw in (("funnel", funnel_call, funnel_chart),
                             ("intake", intake_call, lambda answer: intake_chart(answer, start, end))):
        try:
            parts[name] = draw(call.result())
        except grpc.RpcError as error:
            parts[name] = None
            if error.code() == grpc.StatusCode.PERMISSION_DENIED:
                notes[name] = say(t("This chart is for managers, marketing and admins.")) if name == "intake" \
                    else message_of(error)
            else:
                notes[name] = message_of(error) or say(t("This chart is not available right now."))
    if parts["funnel"] is None and parts["intake"] is None and all(
            call.code() == grpc.StatusCode.PERMISSION_DENIED for call in (funnel_call, intake_call)):
        return render_template("console/dashboard_forbidden.html"), 403
    return render_template(
        "console/dashboard.html", funnel=parts["funnel"], intake=parts["intake"], notes=notes,
        periods={value: say(label) for value, label in PERIODS.items()}, period=key, start=start.isoformat(),
        end=end.isoformat(), team=team, chart_width=CHART_WIDTH,
        team_scope=principal.has_any_role("admin", "auditor"),
    )
