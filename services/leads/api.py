"""gRPC servicer of crm.leads.v1.LeadsService: proto <-> domain, nothing else."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crm.common.v1 import common_pb2
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.auth import current_caller
from services.core.paging import next_page, page_window
from services.core.service import ServiceContext
from services.leads import (
    access,
    assignment,
    followups,
    forms,
    leads,
    pool,
    pool_api,
    reps,
    rescoring,
    rules,
    scoring,
    scoring_api,
)
from services.leads.masking import mask_email, mask_phone
from services.leads.models import Lead, WebForm


def _stamp(field, value) -> None:  # noqa: ANN001
    if value is not None:
        field.FromDatetime(value)


def lead_to_proto(lead: Lead, *, masked: bool = False, claim_blocked_until: datetime | None = None
                  ) -> leads_pb2.Lead:
    """`masked`: the caller may see the pool lead but not its contact details until they claim it;
    `claim_blocked_until`: a cool-down keeps the caller from claiming it until then."""
    message = leads_pb2.Lead(
        id=lead.id,
        name=lead.name,
        company=lead.company,
        email=mask_email(lead.email) if masked else lead.email,
        phone=mask_phone(lead.phone) if masked else lead.phone,
        channel=lead.channel,
        owner_id=lead.owner_id,
        customer_id=lead.customer_id,
        industry=lead.industry,
        region=lead.region,
        employees=lead.employees,
        status=lead.status,
        duplicate_of=lead.duplicate_of,
        in_pool=lead.pooled_at is not None,
        score=lead.score,
        temperature=lead.temperature,
        contact_masked=masked,
    )
    if lead.budget is not None:
        message.budget.CopyFrom(common_pb2.Money(amount=str(lead.budget), currency=""))
    message.create_time.FromDatetime(lead.created_at)
    _stamp(message.assign_time, lead.assigned_at)
    _stamp(message.last_follow_up_time, lead.last_follow_up_at)
    _stamp(message.first_contact_due_time, lead.first_contact_due)
    _stamp(message.claim_blocked_until_time, claim_blocked_until)
    return message


def web_form_to_proto(form: WebForm) -> leads_pb2.WebForm:
    message = leads_pb2.WebForm(key=form.key, name=form.name, channel=form.channel,
                                rate_per_minute=form.rate_per_minute, active=form.active)
    message.create_time.FromDatetime(form.created_at)
    return message


class LeadsApi(leads_pb2_grpc.LeadsServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database
        self.plugins = context.plugins
        scoring.use_plugin_host(context.plugins)  # consumers and timers score through the service's host too
        assignment.use_plugin_host(context.plugins)  # capture and reclaim timers assign through it too

    def CreateLead(self, request: leads_pb2.CreateLeadRequest, context) -> leads_pb2.CreateLeadResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            lead = leads.create_lead(
                session,
                tenant=caller.tenant_id,
                caller=caller,
                name=request.name,
                company=request.company,
                email=request.email,
                phone=request.phone,
                channel=request.channel,
                owner_id=request.owner_id,
                request_id=request.request_id,
                industry=request.industry,
                region=request.region,
                employees=request.employees,
                budget=request.budget.amount,
            )
            return leads_pb2.CreateLeadResponse(lead=lead_to_proto(lead), repeat=bool(lead.duplicate_of))

    def GetLead(self, request: leads_pb2.GetLeadRequest, context) -> leads_pb2.GetLeadResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            lead = leads.get_lead(session, caller=caller, lead_id=request.id)
            blocked = pool.claim_blocks(session, caller, [lead])
            return leads_pb2.GetLeadResponse(lead=lead_to_proto(lead, masked=access.contact_masked(caller, lead),
                                                                claim_blocked_until=blocked.get(lead.id)))

    # --- capture -------------------------------------------------------------------------------------------

    def CreateWebForm(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            form = forms.create_web_form(session, caller=caller, name=request.name, channel=request.channel,
                                         rate_per_minute=request.rate_per_minute)
            return leads_pb2.CreateWebFormResponse(form=web_form_to_proto(form))

    def ListWebForms(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return leads_pb2.ListWebFormsResponse(
                forms=[web_form_to_proto(form) for form in forms.list_web_forms(session, caller=caller)]
            )

    def SubmitWebForm(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            lead = forms.submit_web_form(
                session, caller=caller, form_key=request.form_key, honeypot=request.honeypot,
                client_address=request.client_address, submission_id=request.submission_id,
                name=request.name, company=request.company, email=request.email, phone=request.phone,
                region=request.region, industry=request.industry,
            )
            return leads_pb2.SubmitWebFormResponse(accepted=lead is not None, lead_id=lead.id if lead else "")

    # --- import --------------------------------------------------------------------------------------------

    def GetImportTemplate(self, request, context):  # noqa: N802, ANN001, ANN201
        from services.leads import importing

        current_caller()
        fmt = "csv" if request.format == leads_pb2.IMPORT_FORMAT_CSV else "xlsx"
        content, file_name = importing.template(fmt)
        return leads_pb2.GetImportTemplateResponse(content=content, file_name=file_name,
                                                   content_type=importing.CONTENT_TYPES[fmt])

    def StartImport(self, request_iterator, context):  # noqa: N802, ANN001, ANN201
        from services.core.errors import FieldViolation, InvalidArgument
        from services.core.i18n import t
        from services.leads import importing

        caller = current_caller()
        caller.require_role(*importing.IMPORT_ROLES)
        header, pieces, size = None, [], 0
        for message in request_iterator:
            if header is None:
                if message.WhichOneof("part") != "header":
                    raise InvalidArgument(FieldViolation("header", t("the first message must carry the header")))
                header = message.header
                continue
            size += len(message.chunk)
            if size > importing.MAX_FILE_BYTES:
                raise InvalidArgument(FieldViolation("file", t("must be at most {max} MB",
                                                                max=importing.MAX_FILE_BYTES >> 20)))
            pieces.append(message.chunk)
        if header is None:
            raise InvalidArgument(FieldViolation("header", t("the first message must carry the header")))
        with self.database.session(caller.tenant_id) as session:
            job = importing.start_import(
                session, caller=caller, file_name=header.file_name, content=b"".join(pieces),
                fmt=_IMPORT_FORMATS.get(header.format, ""), default_channel=header.default_channel,
            )
            return leads_pb2.StartImportResponse(job=import_job_to_proto(job))

    def GetImportJob(self, request, context):  # noqa: N802, ANN001, ANN201
        from services.leads import importing

        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            job = importing.get_job(session, caller=caller, job_id=request.id)
            return leads_pb2.GetImportJobResponse(job=import_job_to_proto(job))

    def ListImportJobs(self, request, context):  # noqa: N802, ANN001, ANN201
        from services.leads import importing

        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = importing.list_jobs(session, caller=caller, offset=offset, limit=size)
            return leads_pb2.ListImportJobsResponse(jobs=[import_job_to_proto(job) for job in found],
                                                    page=next_page(offset, size, more))

    def ListImportRowErrors(self, request, context):  # noqa: N802, ANN001, ANN201
        from services.leads import importing

        caller = current_caller()
        offset, size = page_window(request.page)
        locale = _import_locale(context)
        with self.database.session(caller.tenant_id) as session:
            found, more = importing.list_row_errors(session, caller=caller, job_id=request.job_id, offset=offset,
                                                    limit=size)
            return leads_pb2.ListImportRowErrorsResponse(
                errors=[leads_pb2.ImportRowError(row=error.row_no, column=error.column_name,
                                                 reason=importing.localized_reason(error, locale))
                        for error in found],
                page=next_page(offset, size, more),
            )

    def GetImportErrorReport(self, request, context):  # noqa: N802, ANN001, ANN201
        from services.leads import importing

        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            job = importing.get_job(session, caller=caller, job_id=request.job_id)
            content = importing.error_report(session, job_id=job.id, locale=_import_locale(context), bom=True)
            return leads_pb2.GetImportErrorReportResponse(content=content, file_name=f"import-{job.id}-errors.csv")

    def ListIndustries(self, request, context):  # noqa: N802, ANN001, ANN201
        from services.leads import industries

        current_caller()
        by_section = {}
        for item in industries.divisions():
            by_section.setdefault(item.section, []).append(
                leads_pb2.Industry(code=item.code, name_zh=item.name_zh, name_en=item.name_en))
        return leads_pb2.ListIndustriesResponse(sections=[
            leads_pb2.IndustrySection(
                section=leads_pb2.Industry(code=item.code, name_zh=item.name_zh, name_en=item.name_en),
                divisions=by_section[item.section],
            )
            for item in industries.sections()
        ])

    # --- scoring and behaviour -----------------------------------------------------------------------------

    def RecordBehaviour(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        occurred_at = request.occurred_time.ToDatetime(tzinfo=UTC) if request.HasField("occurred_time") else None
        with self.database.session(caller.tenant_id) as session:
            scored = scoring.record_behaviour(
                session, caller=caller, kind=request.kind, lead_id=request.lead_id, email=request.email,
                phone=request.phone, occurred_at=occurred_at, source=request.source, detail=request.detail,
                event_key=request.event_key, plugins=self.plugins,
            )
            lead = scored.lead
            score = scoring_api.score_to_proto(
                lead_id=lead.id, score=lead.score, temperature=lead.temperature, model=scored.model,
                factors=scored.score.factors, scored_at=None, locale=scoring_api.caller_locale(context),
            )
            return leads_pb2.RecordBehaviourResponse(lead_id=lead.id, duplicate=scored.duplicate, score=score,
                                                     status=lead.status)

    def GetLeadScore(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = scoring.lead_score(session, caller=caller, lead_id=request.lead_id)
            score = scoring_api.score_to_proto(
                lead_id=view.lead.id, score=view.score.score, temperature=view.lead.temperature, model=view.model,
                factors=view.score.factors, scored_at=view.scored_at, locale=scoring_api.caller_locale(context),
            )
            return leads_pb2.GetLeadScoreResponse(score=score, behaviour_counts=view.counts)

    def ListScoreHistory(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        size = request.page.page_size or 50
        before = int(request.page.page_token) if request.page.page_token.isdigit() else None
        with self.database.session(caller.tenant_id) as session:
            rows = scoring.score_history(session, caller=caller, lead_id=request.lead_id,
                                         limit=min(max(size, 1), 500), before_id=before)
            locale = scoring_api.caller_locale(context)
            page = common_pb2.PageResponse(next_page_token=str(rows[-1].id) if len(rows) == size else "")
            return leads_pb2.ListScoreHistoryResponse(
                scores=[scoring_api.record_to_proto(row, locale) for row in rows], page=page
            )

    def GetScoringSettings(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            settings = scoring.read_settings(session, caller=caller)
            return leads_pb2.GetScoringSettingsResponse(settings=scoring_api.settings_to_proto(settings))

    def UpdateScoringSettings(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            settings = scoring.update_settings(session, caller=caller,
                                               values=scoring_api.settings_from_proto(request.settings),
                                               fields=list(request.update_mask))
            return leads_pb2.UpdateScoringSettingsResponse(settings=scoring_api.settings_to_proto(settings))

    def GetScoringModel(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            choice = scoring.get_model(session, caller=caller)
            return leads_pb2.GetScoringModelResponse(plugin=choice.plugin, settings_json=json.dumps(choice.settings),
                                                     available=scoring.installed_models(self.plugins))

    def SetScoringModel(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        try:
            settings = json.loads(request.settings_json) if request.settings_json.strip() else {}
        except ValueError:
            settings = None  # reported by set_model as not a JSON object
        with self.database.session(caller.tenant_id) as session:
            choice = scoring.set_model(session, caller=caller, plugin=request.plugin,
                                       settings=settings if isinstance(settings, dict) else [], plugins=self.plugins)
            return leads_pb2.SetScoringModelResponse(plugin=choice.plugin)

    def RescoreLeads(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        caller.require_role("admin")
        result = rescoring.rescore_tenant(self.database, caller.tenant_id, plugins=self.plugins)
        return leads_pb2.RescoreLeadsResponse(leads=result.leads, changed=result.changed, qualified=result.qualified,
                                              turned_hot=result.turned_hot, nurtured=result.nurtured,
                                              model=result.model)

    # --- assignment, reps and public pool ------------------------------------------------------------------

    def UpsertRep(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            rep, created = reps.upsert_rep(
                session, caller=caller, user_id=request.user_id, name=request.name, team=request.team,
                takes_leads=request.takes_leads if request.HasField("takes_leads") else True,
                active=request.active if request.HasField("active") else True, regions=list(request.regions),
                industries=list(request.industries), daily_cap=request.daily_cap, holding_limit=request.holding_limit,
            )
            return leads_pb2.UpsertRepResponse(rep=pool_api.rep_to_proto(reps.get_view(session, rep)),
                                               created=created)

    def ListReps(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = reps.list_reps(session, caller=caller, team=request.team, offset=offset, limit=size)
            return leads_pb2.ListRepsResponse(reps=[pool_api.rep_to_proto(view) for view in found],
                                              page=next_page(offset, size, more))

    def SetRepAbsence(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            rep = reps.set_absence(session, caller=caller, user_id=request.user_id,
                                   start=pool_api.time_of(request, "absence_start_time"),
                                   end=pool_api.time_of(request, "absence_end_time"))
            return leads_pb2.SetRepAbsenceResponse(rep=pool_api.rep_to_proto(reps.get_view(session, rep)))

    def GetAssignmentRules(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            settings = rules.get(session, caller=caller)
        return leads_pb2.GetAssignmentRulesResponse(rules=[pool_api.rule_to_proto(r) for r in settings.rules],
                                                    auto_assign_new_leads=settings.auto_assign_new_leads)

    def UpdateAssignmentRules(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        auto = request.auto_assign_new_leads if request.HasField("auto_assign_new_leads") else None
        with self.database.session(caller.tenant_id) as session:
            settings = rules.update_rules(session, caller=caller, auto_assign_new_leads=auto,
                                          rules=[pool_api.rule_from_proto(rule) for rule in request.rules])
        return leads_pb2.UpdateAssignmentRulesResponse(rules=[pool_api.rule_to_proto(r) for r in settings.rules],
                                                       auto_assign_new_leads=settings.auto_assign_new_leads)

    def GetPoolSettings(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            settings = rules.get(session, caller=caller)
        return leads_pb2.GetPoolSettingsResponse(settings=pool_api.pool_to_proto(settings.pool))

    def UpdatePoolSettings(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            settings = rules.update_pool(session, caller=caller, values=pool_api.pool_values(request.settings),
                                         fields=list(request.update_fields))
        return leads_pb2.UpdatePoolSettingsResponse(settings=pool_api.pool_to_proto(settings.pool))

    def AssignLead(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            lead, outcome = assignment.assign_lead(session, caller=caller, lead_id=request.lead_id,
                                                   owner_id=request.owner_id, note=request.note, plugins=self.plugins)
            return leads_pb2.AssignLeadResponse(
                lead=lead_to_proto(lead, masked=access.contact_masked(caller, lead)),
                outcome=pool_api.outcome_to_proto(outcome, pool_api.caller_locale(context)),
            )

    def BulkReassign(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            results = assignment.bulk_reassign(session, caller=caller, lead_ids=list(request.lead_ids),
                                               owner_id=request.owner_id, note=request.note, plugins=self.plugins)
        locale = pool_api.caller_locale(context)
        return leads_pb2.BulkReassignResponse(results=[pool_api.bulk_result_to_proto(r, locale) for r in results])

    def ClaimLead(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            lead = pool.claim(session, caller=caller, lead_id=request.lead_id)
            return leads_pb2.ClaimLeadResponse(lead=lead_to_proto(lead))

    def ReleaseLead(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            lead = pool.release(session, caller=caller, lead_id=request.lead_id, note=request.note)
            return leads_pb2.ReleaseLeadResponse(lead=lead_to_proto(lead, masked=access.contact_masked(caller, lead)))

    def ListLeadOwnership(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            rows, more = assignment.ownership_history(session, caller=caller, lead_id=request.lead_id, offset=offset,
                                                      limit=size)
            return leads_pb2.ListLeadOwnershipResponse(changes=[pool_api.ownership_to_proto(row) for row in rows],
                                                       page=next_page(offset, size, more))

    def ListLeads(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = access.list_leads(
                session, caller=caller, status=request.status, in_pool=pool_api.POOL_FILTERS.get(request.pool),
                owner_id=request.owner_id, temperature=request.temperature, channel=request.channel,
                order=pool_api.ORDERS.get(request.order, ""), offset=offset, limit=size,
            )
            blocked = pool.claim_blocks(session, caller, found)
            return leads_pb2.ListLeadsResponse(
                leads=[lead_to_proto(lead, masked=access.contact_masked(caller, lead),
                                     claim_blocked_until=blocked.get(lead.id)) for lead in found],
                page=next_page(offset, size, more),
            )

    # --- follow-ups and reminders --------------------------------------------------------------------------

    @staticmethod
    def _follow_up_to_proto(follow_up) -> leads_pb2.FollowUp:  # noqa: ANN001
        message = leads_pb2.FollowUp(
            id=follow_up.id, lead_id=follow_up.lead_id, kind=follow_up.kind, content=follow_up.content,
            objection=follow_up.objection, budget_cycle=follow_up.budget_cycle, next_step=follow_up.next_step,
            author_id=follow_up.author_id,
        )
        message.occur_time.FromDatetime(follow_up.occurred_at)
        message.create_time.FromDatetime(follow_up.created_at)
        return message

    @staticmethod
    def _reminder_to_proto(reminder) -> leads_pb2.Reminder:  # noqa: ANN001
        message = leads_pb2.Reminder(
            id=reminder.id, lead_id=reminder.lead_id, follow_up_id=reminder.follow_up_id,
            recipient_id=reminder.recipient_id, note=reminder.note, status=reminder.status,
            created_by=reminder.created_by, anchor=reminder.anchor,
        )
        message.remind_time.FromDatetime(reminder.remind_at)
        message.create_time.FromDatetime(reminder.created_at)
        _stamp(message.fire_time, reminder.fired_at)
        _stamp(message.cancel_time, reminder.cancelled_at)
        return message

    @staticmethod
    def _reminder_time(when: leads_pb2.ReminderTime) -> followups.ReminderTime:
        return followups.ReminderTime(
            at=when.at.ToDatetime(tzinfo=UTC) if when.HasField("at") else None, anchor=when.anchor.strip(),
            quarter=when.quarter, year=when.year, month=when.month, count=when.count,
        )

    def AddFollowUp(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        reminder = None
        if request.HasField("reminder"):
            reminder = followups.ReminderRequest(
                when=self._reminder_time(request.reminder.when), note=request.reminder.note,
                recipient_id=request.reminder.recipient_id,
            )
        with self.database.session(caller.tenant_id) as session:
            follow_up, created = followups.add_follow_up(
                session, caller=caller, lead_id=request.lead_id, kind=request.kind.strip(), content=request.content,
                objection=request.objection, budget_cycle=request.budget_cycle, next_step=request.next_step,
                occurred_at=request.occur_time.ToDatetime(tzinfo=UTC) if request.HasField("occur_time") else None,
                reminder=reminder,
            )
            response = leads_pb2.AddFollowUpResponse(follow_up=self._follow_up_to_proto(follow_up))
            if created is not None:
                response.reminder.CopyFrom(self._reminder_to_proto(created))
            return response

    def ListFollowUps(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = followups.list_follow_ups(session, caller=caller, lead_id=request.lead_id, offset=offset,
                                                    limit=size)
            return leads_pb2.ListFollowUpsResponse(
                follow_ups=[self._follow_up_to_proto(follow_up) for follow_up in found],
                page=next_page(offset, size, more),
            )

    def ScheduleReminder(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            reminder = followups.schedule_reminder(
                session, caller=caller, lead_id=request.lead_id, when=self._reminder_time(request.when),
                note=request.note, recipient_id=request.recipient_id, follow_up_id=request.follow_up_id,
            )
            return leads_pb2.ScheduleReminderResponse(reminder=self._reminder_to_proto(reminder))

    def CancelReminder(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            reminder = followups.cancel_reminder(session, caller=caller, reminder_id=request.reminder_id)
            return leads_pb2.CancelReminderResponse(reminder=self._reminder_to_proto(reminder))

    def ListReminders(self, request, context):  # noqa: N802, ANN001, ANN201
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = followups.list_reminders(session, caller=caller, status=request.status.strip(),
                                                   lead_id=request.lead_id, offset=offset, limit=size)
            return leads_pb2.ListRemindersResponse(
                reminders=[self._reminder_to_proto(reminder) for reminder in found],
                page=next_page(offset, size, more),
            )


# --- import: proto mapping -------------------------------------------------------------------------------------

_IMPORT_FORMATS = {leads_pb2.IMPORT_FORMAT_CSV: "csv", leads_pb2.IMPORT_FORMAT_XLSX: "xlsx"}
_IMPORT_STATUSES = {"queued": leads_pb2.IMPORT_JOB_STATUS_QUEUED, "running": leads_pb2.IMPORT_JOB_STATUS_RUNNING,
                    "succeeded": leads_pb2.IMPORT_JOB_STATUS_SUCCEEDED, "failed": leads_pb2.IMPORT_JOB_STATUS_FAILED}


def import_job_to_proto(job) -> leads_pb2.ImportJob:  # noqa: ANN001 - services.leads.models.ImportJob
    message = leads_pb2.ImportJob(
        id=job.id, status=_IMPORT_STATUSES.get(job.status, leads_pb2.IMPORT_JOB_STATUS_UNSPECIFIED),
        file_name=job.file_name, format={"csv": leads_pb2.IMPORT_FORMAT_CSV, "xlsx": leads_pb2.IMPORT_FORMAT_XLSX}
        .get(job.format, leads_pb2.IMPORT_FORMAT_UNSPECIFIED), total_rows=job.total_rows,
        processed_rows=job.processed_rows, imported_rows=job.imported_rows, rejected_rows=job.rejected_rows,
        error=job.error, requested_by=job.requested_by,
    )
    message.create_time.FromDatetime(job.created_at)
    _stamp(message.start_time, job.started_at)
    _stamp(message.finish_time, job.finished_at)
    return message


def _import_locale(context) -> str:  # noqa: ANN001
    from services.core.i18n import negotiate

    for key, value in context.invocation_metadata() or ():
        if key == "accept-language":
            return negotiate(value)
    return "en"
