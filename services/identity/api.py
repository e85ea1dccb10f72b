"""gRPC servicer of crm.identity.v1.IdentityService: proto <-> domain, nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from crm.common.v1.common_pb2 import RecordRef
from crm.identity.v1 import identity_pb2 as pb
from crm.identity.v1 import identity_pb2_grpc
from services.core.auth import current_caller
from services.core.errors import Validator
from services.core.i18n import t
from services.core.paging import next_page, page_window
from services.core.service import ServiceContext
from services.identity import golden, graph, identities, jobs, privacy, quality, review
from services.identity.models import Customer, DedupJob, PrivacyRequest, PrivacyStep, SourceRecord

LEVELS = {"exact": pb.MATCH_LEVEL_EXACT, "close": pb.MATCH_LEVEL_CLOSE, "fuzzy": pb.MATCH_LEVEL_FUZZY,
          "disagree": pb.MATCH_LEVEL_DISAGREE, "missing": pb.MATCH_LEVEL_MISSING}
DECISIONS = {identities.LINK: pb.MATCH_DECISION_LINK, identities.REVIEW: pb.MATCH_DECISION_REVIEW,
             identities.NONE: pb.MATCH_DECISION_NONE}
ACTIONS = {graph.LINK: pb.LINK_ACTION_LINK, graph.MERGE: pb.LINK_ACTION_MERGE, graph.UNMERGE: pb.LINK_ACTION_UNMERGE,
           graph.RELINK: pb.LINK_ACTION_RELINK}
REVIEW_STATUSES = {review.OPEN: pb.REVIEW_STATUS_OPEN, review.ACCEPTED: pb.REVIEW_STATUS_ACCEPTED,
                   review.REJECTED: pb.REVIEW_STATUS_REJECTED, review.SUPERSEDED: pb.REVIEW_STATUS_SUPERSEDED}
JOB_STATES = {jobs.QUEUED: pb.DEDUP_JOB_STATE_QUEUED, jobs.RUNNING: pb.DEDUP_JOB_STATE_RUNNING,
              jobs.SUCCEEDED: pb.DEDUP_JOB_STATE_SUCCEEDED, jobs.FAILED: pb.DEDUP_JOB_STATE_FAILED}
ISSUES = {quality.INVALID_PHONE: pb.DATA_ISSUE_INVALID_PHONE, quality.INVALID_EMAIL: pb.DATA_ISSUE_INVALID_EMAIL,
          quality.INVALID_CREDIT_CODE: pb.DATA_ISSUE_INVALID_CREDIT_CODE,
          quality.MISSING_NAME: pb.DATA_ISSUE_MISSING_NAME, quality.MISSING_CONTACT: pb.DATA_ISSUE_MISSING_CONTACT}
RULES = {golden.MOST_RECENT: pb.SURVIVORSHIP_RULE_MOST_RECENT, golden.MOST_FREQUENT: pb.SURVIVORSHIP_RULE_MOST_FREQUENT,
         golden.MOST_COMPLETE: pb.SURVIVORSHIP_RULE_MOST_COMPLETE,
         golden.SOURCE_PRIORITY: pb.SURVIVORSHIP_RULE_SOURCE_PRIORITY}
RULES_READ_ROLES = ("manager", "admin", "auditor")
PRIVACY_KINDS = {privacy.EXPORT: pb.PRIVACY_REQUEST_KIND_EXPORT, privacy.ERASE: pb.PRIVACY_REQUEST_KIND_ERASE}
PRIVACY_STATUSES = {privacy.PENDING: pb.PRIVACY_REQUEST_STATUS_PENDING,
                    privacy.RUNNING: pb.PRIVACY_REQUEST_STATUS_RUNNING,
                    privacy.COMPLETED: pb.PRIVACY_REQUEST_STATUS_COMPLETED,
                    privacy.FAILED: pb.PRIVACY_REQUEST_STATUS_FAILED}
PRIVACY_STEP_STATUSES = {privacy.PENDING: pb.PRIVACY_STEP_STATUS_PENDING,
                         privacy.COMPLETED: pb.PRIVACY_STEP_STATUS_COMPLETED,
                         privacy.FAILED: pb.PRIVACY_STEP_STATUS_FAILED, privacy.SKIPPED: pb.PRIVACY_STEP_STATUS_SKIPPED}


class IdentityApi(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database
        self.plugins = context.plugins
        self.jobs = jobs.DedupRunner(context.database)

    # -- intake -----------------------------------------------------------------------------------------------

    def ResolveRecord(self, request, context) -> pb.ResolveRecordResponse:  # noqa: N802, ANN001
        caller = current_caller()
        caller.require_role(*identities.RESOLVE_ROLES)
        record = _record_input(request, owner_id=request.owner_id or ("" if caller.is_service else caller.subject),
                               observed_at=_time(request, "observe_time"))
        with self.database.session(caller.tenant_id) as session:
            resolution = identities.resolve(session, tenant=caller.tenant_id, record=record, actor=caller.subject,
                                            plugins=self.plugins)
        return pb.ResolveRecordResponse(
            customer_id=resolution.customer_id, created=resolution.created, matched_on=list(resolution.matched_on),
            probability=resolution.probability, candidates=[_candidate(c) for c in resolution.candidates],
            review_pair_id=resolution.review_pair_id,
        )

    def MatchRecord(self, request, context) -> pb.MatchRecordResponse:  # noqa: N802, ANN001
        caller = current_caller()
        caller.require_role(*identities.RESOLVE_ROLES)
        check = Validator()
        check.check(0 <= request.limit <= identities.MAX_CANDIDATES, "limit",
                    t("must be between {min} and {max}", min=0, max=identities.MAX_CANDIDATES))
        check.raise_if_any()
        with self.database.session(caller.tenant_id) as session:
            found = identities.match(session, record=_record_input(request), limit=request.limit or 5,
                                     plugins=self.plugins)
        return pb.MatchRecordResponse(candidates=[_candidate(c) for c in found.candidates],
                                      auto_link_threshold=found.auto_link, review_threshold=found.review)

    def GetCustomer(self, request, context) -> pb.GetCustomerResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = identities.get_customer(session, caller=caller, customer_id=request.id)
            return pb.GetCustomerResponse(customer=_customer(view.customer, view.records), merged_id=view.resolved_from)

    # -- the graph ----------------------------------------------------------------------------------------------

    def MergeCustomers(self, request, context) -> pb.MergeCustomersResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            outcome = graph.merge(session, caller=caller, survivor_id=request.survivor_id,
                                  absorbed_id=request.absorbed_id, dry_run=request.dry_run, reason=request.reason)
            survivor = session.get(Customer, (caller.tenant_id, outcome.survivor_id))
            records = golden.records_of(session, survivor.id)
            if request.dry_run:
                records = [*records, *outcome.records]
            message = _customer(survivor, sorted(records, key=lambda r: r.id), values=outcome.golden_after)
            return pb.MergeCustomersResponse(merge_id=outcome.merge_id, changes=_changes(outcome.changes),
                                             records=[_ref(r) for r in outcome.records], survivor=message)

    def UnmergeCustomers(self, request, context) -> pb.UnmergeCustomersResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            outcome = graph.unmerge(session, caller=caller, merge_id=request.merge_id, dry_run=request.dry_run,
                                    reason=request.reason)
            survivor = session.get(Customer, (caller.tenant_id, outcome.survivor_id))
            restored = session.get(Customer, (caller.tenant_id, outcome.restored_id))
            moved = {r.id for r in outcome.records}
            survivor_records = [r for r in golden.records_of(session, survivor.id) if r.id not in moved]
            after = golden.compute(session, survivor_records) if outcome.dry_run else None
            return pb.UnmergeCustomersResponse(
                merge_id=outcome.merge_id, survivor_changes=_changes(outcome.survivor_changes),
                records=[_ref(r) for r in outcome.records],
                survivor=_customer(survivor, survivor_records, values=after),
                restored=_customer(restored, outcome.records, values=outcome.restored),
            )

    def ListLinkChanges(self, request, context) -> pb.ListLinkChangesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            entries, more = graph.list_audit(session, caller=caller, customer_id=request.customer_id,
                                             merge_id=request.merge_id, offset=offset, limit=size)
            changes = []
            for item in entries:
                entry = item.entry
                change = pb.LinkChange(
                    action=ACTIONS.get(entry.action, pb.LINK_ACTION_UNSPECIFIED),
                    record=_ref(item.record) if item.record is not None else None,
                    from_customer_id=entry.from_customer_id, to_customer_id=entry.to_customer_id,
                    merge_id=entry.merge_id, actor=entry.actor, reason=entry.reason,
                )
                change.change_time.FromDatetime(entry.at)
                changes.append(change)
        return pb.ListLinkChangesResponse(changes=changes, page=next_page(offset, size, more))

    # -- review queue ------------------------------------------------------------------------------------------

    def ListReviewPairs(self, request, context) -> pb.ListReviewPairsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        status = {value: key for key, value in REVIEW_STATUSES.items()}.get(request.status, "")
        with self.database.session(caller.tenant_id) as session:
            views, more = review.list_pairs(session, caller=caller, status=status, offset=offset, limit=size)
            pairs = [_review_pair(view) for view in views]
        return pb.ListReviewPairsResponse(pairs=pairs, page=next_page(offset, size, more))

    def DecideReviewPair(self, request, context) -> pb.DecideReviewPairResponse:  # noqa: N802, ANN001
        caller = current_caller()
        check = Validator()
        check.check(request.decision in (pb.REVIEW_DECISION_ACCEPT, pb.REVIEW_DECISION_REJECT), "decision",
                    t("is required"))
        check.raise_if_any()
        with self.database.session(caller.tenant_id) as session:
            decision = review.decide(session, caller=caller, pair_id=request.id,
                                     accept=request.decision == pb.REVIEW_DECISION_ACCEPT, reason=request.reason)
            return pb.DecideReviewPairResponse(pair=_review_pair(decision.view), merge_id=decision.merge_id)

    # -- dedup jobs and data quality ---------------------------------------------------------------------------

    def StartDedupJob(self, request, context) -> pb.StartDedupJobResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            job = jobs.start_job(session, caller=caller, auto_merge=request.auto_merge)
            message = _job(job)
        self.jobs.submit(caller.tenant_id, job.id)  # after the commit: the thread reads the row
        return pb.StartDedupJobResponse(job=message)

    def GetDedupJob(self, request, context) -> pb.GetDedupJobResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return pb.GetDedupJobResponse(job=_job(jobs.get_job(session, caller=caller, job_id=request.id)))

    def ListDedupJobs(self, request, context) -> pb.ListDedupJobsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = jobs.list_jobs(session, caller=caller, offset=offset, limit=size)
            return pb.ListDedupJobsResponse(jobs=[_job(job) for job in found], page=next_page(offset, size, more))

    def GetDataQualityReport(self, request, context) -> pb.GetDataQualityReportResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            found = quality.report(session, caller=caller, max_examples=request.max_examples)
            response = pb.GetDataQualityReportResponse(
                records=found.records, customers=found.customers, records_with_issues=found.records_with_issues,
                issue_counts=[pb.IssueCount(issue=ISSUES[issue], records=found.counts.get(issue, 0))
                              for issue in quality.ISSUES],
                records_with_issue=[
                    pb.RecordIssues(record=RecordRef(service=item.service, kind=item.kind, id=item.record_id),
                                    customer_id=item.customer_id, issues=[ISSUES[issue] for issue in item.issues])
                    for item in found.examples
                ],
                duplicate_clusters=[pb.DuplicateCluster(customer_ids=c["customer_ids"], records=c["records"])
                                    for c in found.clusters],
            )
            if found.job is not None:
                response.dedup_job.CopyFrom(_job(found.job))
            response.generate_time.FromDatetime(found.generated_at)
        return response

    # -- survivorship rules ------------------------------------------------------------------------------------

    def GetSurvivorshipRules(self, request, context) -> pb.GetSurvivorshipRulesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        caller.require_role(*RULES_READ_ROLES)
        with self.database.session(caller.tenant_id) as session:
            rules = golden.load_rules(session)
        return pb.GetSurvivorshipRulesResponse(rules=_rules(rules), source_priority=list(rules.source_priority))

    def UpdateSurvivorshipRules(self, request, context) -> pb.UpdateSurvivorshipRulesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        names = {value: key for key, value in RULES.items()}
        by_field = {rule.field: names.get(rule.rule, "") for rule in request.rules}
        with self.database.session(caller.tenant_id) as session:
            rules = golden.save_rules(session, caller=caller, by_field=by_field,
                                      source_priority=list(request.source_priority))
        return pb.UpdateSurvivorshipRulesResponse(rules=_rules(rules), source_priority=list(rules.source_priority))

    # -- personal data requests (R-SEC-5) -----------------------------------------------------------------------

    def StartPrivacyRequest(self, request, context) -> pb.StartPrivacyRequestResponse:  # noqa: N802, ANN001
        caller = current_caller()
        kinds = {value: key for key, value in PRIVACY_KINDS.items()}
        with self.database.session(caller.tenant_id) as session:
            found, _ = privacy.start(session, tenant=caller.tenant_id, caller=caller, customer_id=request.customer_id,
                                     kind=kinds.get(request.kind, ""), reason=request.reason,
                                     request_id=request.request_id)
            return pb.StartPrivacyRequestResponse(request=_privacy_request(found.request, found.steps))

    def GetPrivacyRequest(self, request, context) -> pb.GetPrivacyRequestResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            found = privacy.get(session, caller=caller, request_id=request.id)
            export = found.export() if privacy.may_read_export(caller) else None
            return pb.GetPrivacyRequestResponse(
                request=_privacy_request(found.request, found.steps),
                export_json=json.dumps(export, ensure_ascii=False, sort_keys=True) if export is not None else "",
            )

    def ListPrivacyRequests(self, request, context) -> pb.ListPrivacyRequestsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = privacy.list_requests(session, caller=caller, customer_id=request.customer_id,
                                                offset=offset, limit=size)
            return pb.ListPrivacyRequestsResponse(requests=[_privacy_request(v.request, v.steps) for v in found],
                                                  page=next_page(offset, size, more))


# -- proto <-> domain ---------------------------------------------------------------------------------------------


def _record_input(request, *, owner_id: str = "", observed_at: datetime | None = None) -> identities.RecordInput:  # noqa: ANN001
    return identities.RecordInput(
        service=request.record.service, kind=request.record.kind, record_id=request.record.id,
        name=request.name, company=request.company, email=request.email, phone=request.phone, city=request.city,
        address=request.address, credit_code=request.credit_code, owner_id=owner_id, observed_at=observed_at,
    )


def _time(request, name: str) -> datetime | None:  # noqa: ANN001
    return getattr(request, name).ToDatetime(tzinfo=UTC) if request.HasField(name) else None


def _ref(record: SourceRecord) -> RecordRef:
    return RecordRef(service=record.service, kind=record.kind, id=record.record_id)


def _customer(customer: Customer, records: Iterable[SourceRecord], values: Mapping[str, str] | None = None
              ) -> pb.Customer:
    values = values if values is not None else golden.snapshot(customer)
    message = pb.Customer(id=customer.id, records=[_ref(r) for r in records],
                          **{name: values.get(name, "") for name in golden.GOLDEN_FIELDS})
    message.create_time.FromDatetime(customer.created_at)
    return message


def _evidence(item: Mapping | identities.Evidence) -> pb.FieldEvidence:
    get = item.get if isinstance(item, Mapping) else lambda key: getattr(item, key)
    return pb.FieldEvidence(field=get("field"), level=LEVELS.get(get("level"), pb.MATCH_LEVEL_UNSPECIFIED),
                            similarity=get("similarity"), weight=get("weight"))


def _candidate(match: identities.Match) -> pb.MatchCandidate:
    return pb.MatchCandidate(customer_id=match.customer_id, probability=match.probability,
                             match_weight=match.match_weight, fields=[_evidence(e) for e in match.fields],
                             decision=DECISIONS[match.decision])


def _changes(changes: Iterable[tuple[str, str, str]]) -> list[pb.FieldChange]:
    return [pb.FieldChange(field=name, before=before, after=after) for name, before, after in changes]


def _review_pair(view: review.PairView) -> pb.ReviewPair:
    pair = view.pair
    message = pb.ReviewPair(
        id=pair.id, record=_ref(view.record), record_customer_id=view.record_customer_id,
        candidate_customer_id=view.candidate_customer_id, probability=pair.probability,
        match_weight=pair.match_weight, fields=[_evidence(e) for e in pair.evidence or []],
        status=REVIEW_STATUSES.get(pair.status, pb.REVIEW_STATUS_UNSPECIFIED), origin=pair.origin,
        decided_by=pair.decided_by, merge_id=pair.merge_id,
    )
    message.create_time.FromDatetime(pair.created_at)
    if pair.decided_at is not None:
        message.decide_time.FromDatetime(pair.decided_at)
    return message


def _job(job: DedupJob) -> pb.DedupJob:
    message = pb.DedupJob(
        id=job.id, state=JOB_STATES.get(job.state, pb.DEDUP_JOB_STATE_UNSPECIFIED), done=job.done, total=job.total,
        records=job.records, pairs_scored=job.pairs_scored, duplicate_clusters=job.duplicate_clusters,
        duplicate_records=job.duplicate_records, review_pairs_opened=job.review_pairs_opened, merges=job.merges,
        auto_merge=job.auto_merge, error=job.error, requested_by=job.requested_by,
    )
    message.create_time.FromDatetime(job.created_at)
    if job.started_at is not None:
        message.start_time.FromDatetime(job.started_at)
    if job.finished_at is not None:
        message.finish_time.FromDatetime(job.finished_at)
    return message


def _rules(rules: golden.Rules) -> list[pb.FieldRule]:
    return [pb.FieldRule(field=name, rule=RULES[rules.rule_for(name)]) for name in golden.GOLDEN_FIELDS]


def _privacy_request(request: PrivacyRequest, steps: Iterable[PrivacyStep]) -> pb.PrivacyRequest:
    message = pb.PrivacyRequest(
        id=request.id, customer_id=request.customer_id,
        kind=PRIVACY_KINDS.get(request.kind, pb.PRIVACY_REQUEST_KIND_UNSPECIFIED), reason=request.reason,
        requested_by=request.requested_by,
        status=PRIVACY_STATUSES.get(request.status, pb.PRIVACY_REQUEST_STATUS_UNSPECIFIED),
        request_id=request.request_id or "", steps=[_privacy_step(step) for step in steps],
    )
    message.create_time.FromDatetime(request.created_at)
    if request.completed_at is not None:
        message.complete_time.FromDatetime(request.completed_at)
    return message


def _privacy_step(step: PrivacyStep) -> pb.PrivacyStep:
    message = pb.PrivacyStep(service=step.service,
                             status=PRIVACY_STEP_STATUSES.get(step.status, pb.PRIVACY_STEP_STATUS_UNSPECIFIED),
                             item_count=step.item_count, error=step.error)
    if step.finished_at is not None:
        message.finish_time.FromDatetime(step.finished_at)
    return message
